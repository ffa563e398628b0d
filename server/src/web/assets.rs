//! The static bundle (content-named files cached for a year, precompressed
//! copies) and compression of pages and JSON as they are sent.
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

/// `/pkg`: the browser bundle and the stylesheet. A file in a folder named by
/// the bundle's content (`/pkg/<hash>/gatehouse_bg.wasm`) never changes, so
/// browsers keep it for a year; any other is checked again on each use. The `.br` and `.gz` copies made at
/// build time go to browsers that accept them.
pub fn assets(site_root: &str) -> axum::Router {
    let dir = std::path::Path::new(site_root).join("pkg");
    let files = tower_http::services::ServeDir::new(dir).precompressed_br().precompressed_gzip();
    axum::Router::new().fallback_service(files).layer(axum::middleware::from_fn(asset_cache))
}

async fn asset_cache(req: Request, next: Next) -> Response {
    let immutable = is_content_named(req.uri().path());
    let mut res = next.run(req).await;
    if res.status().is_success() || res.status() == StatusCode::NOT_MODIFIED {
        let policy = if immutable { "public, max-age=31536000, immutable" } else { "no-cache" };
        res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    res
}

/// `/3f9a0c1d2e4b5a6c/gatehouse_bg.wasm` (the path under `/pkg`): a file in
/// a folder named by a content hash.
fn is_content_named(path: &str) -> bool {
    let mut parts = path.trim_start_matches('/').split('/');
    let (Some(folder), Some(name), None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    folder.len() == 16 && folder.bytes().all(|b| b.is_ascii_hexdigit()) && !name.is_empty()
}

type CompressWhen = fn(StatusCode, axum::http::Version, &HeaderMap, &axum::http::Extensions) -> bool;

/// Pages, server functions' JSON and SCIM's JSON, compressed (brotli or gzip)
/// as they are sent when the client accepts it. Exports are left alone: they
/// stream large files whose pace the client sets.
pub fn compression() -> tower_http::compression::CompressionLayer<CompressWhen> {
    tower_http::compression::CompressionLayer::new().compress_when(worth_compressing as CompressWhen)
}

fn worth_compressing(_: StatusCode, _: axum::http::Version, h: &HeaderMap, _: &axum::http::Extensions) -> bool {
    let kind = h.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let text = ["text/html", "application/json", "application/scim+json"].iter().any(|t| kind.starts_with(t));
    let small = h.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok()).is_some_and(|n| n < 512);
    text && !small
}

#[cfg(test)]
mod tests {
    use super::is_content_named;

    #[test]
    fn only_content_named_files_are_kept_for_a_year() {
        assert!(is_content_named("/3f9a0c1d2e4b5a6c/gatehouse_bg.wasm"));
        assert!(is_content_named("/0123456789abcdef/split___users_route_view_1.wasm"));
        assert!(!is_content_named("/gatehouse.css"));
        assert!(!is_content_named("/bundle.txt"));
        assert!(!is_content_named("/3f9a0c1d2e4b/gatehouse_bg.wasm"));
        assert!(!is_content_named("/notahashnotahash/gatehouse.js"));
        assert!(!is_content_named("/3f9a0c1d2e4b5a6c/"));
        assert!(!is_content_named("/3f9a0c1d2e4b5a6c/a/b.js"));
    }
}
