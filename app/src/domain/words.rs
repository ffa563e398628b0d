//! Small helpers for sentences a person reads: counts with the right noun,
//! lists joined with "and", possessives.

/// "1 member", "2 members", "0 members".
pub fn plural(n: i64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// "a", "a and b", "a, b and c".
pub fn and_list<S: AsRef<str>>(items: &[S]) -> String {
    match items {
        [] => String::new(),
        [one] => one.as_ref().to_string(),
        [rest @ .., last] => format!("{} and {}", rest.iter().map(|s| s.as_ref()).collect::<Vec<_>>().join(", "), last.as_ref()),
    }
}

/// At most `max` characters of `s`, with "…" when cut (long free text in a sentence).
pub fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(max).collect::<String>().trim_end())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_take_the_right_noun() {
        assert_eq!(plural(1, "member", "members"), "1 member");
        assert_eq!(plural(0, "member", "members"), "0 members");
        assert_eq!(plural(2, "person", "people"), "2 people");
    }

    #[test]
    fn lists_end_with_and() {
        assert_eq!(and_list::<&str>(&[]), "");
        assert_eq!(and_list(&["Ada"]), "Ada");
        assert_eq!(and_list(&["Ada", "Bo"]), "Ada and Bo");
        assert_eq!(and_list(&["Ada", "Bo", "Cy"]), "Ada, Bo and Cy");
    }

    #[test]
    fn long_text_is_clipped() {
        assert_eq!(clip("short", 10), "short");
        assert_eq!(clip("a long description", 6), "a long…");
    }
}
