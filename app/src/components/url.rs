//! Building links whose query string carries a screen's state.

/// Percent-encodes everything but unreserved characters.
pub fn encode(s: &str) -> String {
    encode_keeping(s, b"")
}

/// Percent-encodes everything but unreserved characters and those in `keep`
/// (`/` in a return path, `@` in an authenticator app's label).
pub fn encode_keeping(s: &str, keep: &[u8]) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            b if keep.contains(&b) => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `?a=1&b=2` from the pairs whose value is not empty.
pub fn query(pairs: &[(&str, String)]) -> String {
    let parts: Vec<String> = pairs.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| format!("{k}={}", encode(v))).collect();
    if parts.is_empty() {
        "?".to_string()
    } else {
        format!("?{}", parts.join("&"))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn queries() {
        assert_eq!(super::query(&[("a", "x y".into()), ("b", String::new()), ("c", "ü&".into())]), "?a=x%20y&c=%C3%BC%26");
        assert_eq!(super::query(&[("a", String::new())]), "?");
    }
}
