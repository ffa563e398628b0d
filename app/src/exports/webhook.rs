//! Export to webhook: POST the rows as JSON to a destination the admin allowed.
use crate::error::AppError;
use std::time::Duration;

/// A destination URL is https, or http on this machine (localhost, 127.0.0.1, [::1]).
pub fn check_url(raw: &str) -> Result<String, AppError> {
    let raw = raw.trim();
    let bad = |m: &str| AppError::invalid("url", m.to_string());
    let url = reqwest::Url::parse(raw).map_err(|_| bad("Enter a full URL, such as https://hooks.example.com/gatehouse."))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad("Leave credentials out of the URL; the receiver should authenticate by its own URL path or token."));
    }
    let local = matches!(url.host_str(), Some("localhost") | Some("127.0.0.1") | Some("[::1]"));
    match url.scheme() {
        "https" => {}
        "http" if local => {}
        "http" => return Err(bad("Use https (http is allowed only for localhost).")),
        _ => return Err(bad("Use an https URL.")),
    }
    if raw.len() > 2000 {
        return Err(bad("The URL is too long."));
    }
    Ok(url.to_string())
}

/// Posts `body` to `url`; the HTTP status, or why it could not be sent.
/// Redirects are not followed: the admin allowed this URL, not another.
pub async fn post(url: &str, body: reqwest::Body) -> Result<u16, String> {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(60))
        .connect_timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| e.to_string())?;
    let res = client.post(url).header("content-type", "application/json").body(body).send().await.map_err(|e| {
        if e.is_connect() {
            "could not connect to the destination".to_string()
        } else if e.is_timeout() {
            "the destination did not answer in time".to_string()
        } else {
            format!("the request failed: {e}")
        }
    })?;
    Ok(res.status().as_u16())
}

#[cfg(test)]
mod tests {
    use super::check_url;

    #[test]
    fn https_or_local_http() {
        assert!(check_url("https://hooks.example.com/x").is_ok());
        assert!(check_url("http://localhost:9000/in").is_ok());
        assert!(check_url("http://127.0.0.1/in").is_ok());
        assert!(check_url("http://hooks.example.com/x").is_err());
        assert!(check_url("ftp://x.example").is_err());
        assert!(check_url("https://user:pw@x.example").is_err());
        assert!(check_url("not a url").is_err());
    }
}
