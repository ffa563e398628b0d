//! The sign-in form sent without the app: the email typed comes back with a refusal.
use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// A sign-in form sent without the app (the sign-in pages load none) comes
/// back to the page with its error in the URL; the email goes with it, so the
/// person types only their password again.
pub async fn keep_sign_in_email(req: Request, next: Next) -> Response {
    if req.method() != Method::POST || req.uri().path() != "/api/sign_in" {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, 64 * 1024).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "The sign-in form is too large.\n").into_response();
    };
    let email = form_value(&bytes, "email");
    let mut res = next.run(Request::from_parts(parts, Body::from(bytes))).await;
    let refused = res.status().is_redirection() && res.headers().contains_key("serverfnerror");
    if let (true, Some(email)) = (refused, email.filter(|e| !e.is_empty() && e.len() <= 254)) {
        let location = res.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).map(str::to_string);
        if let Some(location) = location {
            let with_email = format!("{location}{}email={}", if location.contains('?') { "&" } else { "?" }, app::components::url::encode(&email));
            if let Ok(v) = HeaderValue::from_str(&with_email) {
                res.headers_mut().insert(header::LOCATION, v);
            }
        }
    }
    res
}

/// The decoded value of `key` in a form body (`a=1&email=ada%40example.com`).
pub(crate) fn form_value(body: &[u8], key: &str) -> Option<String> {
    let raw = body.split(|b| *b == b'&').find_map(|pair| pair.strip_prefix(key.as_bytes())?.strip_prefix(b"="))?;
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = std::str::from_utf8(raw.get(i + 1..i + 3)?).ok().and_then(|h| u8::from_str_radix(h, 16).ok())?;
                out.push(hex);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::form_value;

    #[test]
    fn form_values_are_decoded() {
        assert_eq!(form_value(b"org=acme&email=ada%40acme.example&password=x", "email").as_deref(), Some("ada@acme.example"));
        assert_eq!(form_value(b"email=a+b", "email").as_deref(), Some("a b"));
        assert_eq!(form_value(b"xemail=a", "email"), None);
        assert_eq!(form_value(b"email=%4", "email"), None);
        assert_eq!(form_value(b"email=%zz", "email"), None);
    }
}
