//! Export downloads: `GET /{org}/documents/{id}/export.{csv,xlsx,pdf}`. The
//! handler checks the session, access to the document, the account type's
//! export permission and the limits on running exports (401, 404, 403, 429),
//! then streams the file.
use crate::web::plain_refusal as refuse;
use app::domain::documents::ExportFormat;
use app::error::AppError;
use app::service::access::{caller, ClientIp};
use app::service::state::AppState;
use app::service::{documents, exports};
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

pub async fn download(State(st): State<AppState>, axum::Extension(ip): axum::Extension<ClientIp>, session: Session, Path((org, id, file)): Path<(String, String, String)>) -> Response {
    let Some(format) = file.strip_prefix("export.").and_then(ExportFormat::from_extension) else {
        return refuse(AppError::not_found("Exports are export.csv, export.xlsx and export.pdf."));
    };
    let c = match caller(&st.db, &session, &org, ip.0.clone()).await {
        Ok(c) => c,
        Err(e) => return refuse(e.into()),
    };
    let o = match documents::open(&st.db, &c, &id).await {
        Ok(o) => o,
        Err(e) => return refuse(e.into()),
    };
    let slot = match exports::begin(&st.db, &st.running_exports, &c, &o, format).await {
        Ok(slot) => slot,
        Err(e) => return refuse(e.into()),
    };
    let name = exports::file_name(&o.doc.name, format);
    let (rx, _done) = exports::start(&st, c, &o, format, std::sync::Arc::new(slot), true);
    let mut res = Body::from_stream(exports::body_stream(rx)).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(exports::content_type(format)));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}
