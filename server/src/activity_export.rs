//! `GET /{org}/admin/provisioning-activity.csv`: the provisioning activity the
//! page's filters select (`outcome`, `token`, `since`, `search`, `resource`),
//! as CSV, for administrators (401, 403; 400 for a filter not on the list).
use crate::web::plain_refusal as refuse;
use app::domain::activity::ProvisioningQuery;
use app::service::access::{caller, ClientIp};
use app::service::provisioning_activity;
use app::service::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct Filters {
    outcome: String,
    token: String,
    since: String,
    search: String,
    resource: String,
}

pub async fn provisioning_csv(State(st): State<AppState>, axum::Extension(ip): axum::Extension<ClientIp>, session: Session, Path(org): Path<String>, Query(f): Query<Filters>) -> Response {
    let c = match caller(&st.db, &session, &org, ip.0.clone()).await.and_then(|c| c.require_admin()) {
        Ok(c) => c,
        Err(e) => return refuse(e.into()),
    };
    let q = ProvisioningQuery { search: f.search, outcome: f.outcome, token: f.token, since: f.since, resource_id: f.resource, page: 1, size: 100 };
    match provisioning_activity::csv(&st.db, &c, &q).await {
        Ok(csv) => ([(header::CONTENT_TYPE, "text/csv; charset=utf-8"), (header::CACHE_CONTROL, "no-store"), (header::CONTENT_DISPOSITION, "attachment; filename=\"provisioning-activity.csv\"")], csv)
            .into_response(),
        Err(e) => refuse(e.into()),
    }
}
