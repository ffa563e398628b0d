//! SCIM 2.0 (RFC 7643/7644) at /scim/v2: the identity provider creates,
//! updates and deactivates users and teams. The bearer token names the
//! organization. Errors are SCIM error JSON; malformed input never yields a 5xx.
mod batch;
mod discovery;
pub mod filter;
mod groups;
mod patch;
mod search;
mod users;

use app::state::AppState;
use app::store::{self, orgs::Org, scim_tokens::TokenRow};
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};
use subtle::ConstantTimeEq;

pub const SCHEMA_USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const SCHEMA_GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
pub const SCHEMA_ERROR: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
pub const SCHEMA_LIST: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
pub const SCHEMA_PATCH: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
pub const CONTENT_TYPE: &str = "application/scim+json";
/// Largest request body accepted (RFC 7644 §3.12 lets us say 413 beyond it).
pub const MAX_BODY: usize = 1 << 20;
pub const MAX_RESULTS: i64 = 200;

pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/ServiceProviderConfig", get(discovery::service_provider_config).fallback(method_not_allowed))
        .route("/ResourceTypes", get(discovery::resource_types).fallback(method_not_allowed))
        .route("/ResourceTypes/{name}", get(discovery::resource_type).fallback(method_not_allowed))
        .route("/Schemas", get(discovery::schemas).fallback(method_not_allowed))
        .route("/Schemas/{id}", get(discovery::schema).fallback(method_not_allowed))
        .route("/.search", post(search::root).fallback(method_not_allowed))
        .route("/Users/.search", post(search::users).fallback(method_not_allowed))
        .route("/Groups/.search", post(search::groups).fallback(method_not_allowed))
        .route("/Users", get(users::list).post(users::create).fallback(method_not_allowed))
        .route("/Users/{id}", get(users::get).put(users::replace).patch(users::patch).delete(users::delete).fallback(method_not_allowed))
        .route("/Groups", get(groups::list).post(groups::create).fallback(method_not_allowed))
        .route("/Groups/{id}", get(groups::get).put(groups::replace).patch(groups::patch).delete(groups::delete).fallback(method_not_allowed))
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(state, authenticate))
}

/// The organization and token behind a SCIM request.
#[derive(Clone)]
pub struct Scim {
    pub org: Org,
    pub token: TokenRow,
    pub base: String,
}

impl Scim {
    /// The audit actor: the token's name, as an admin reads it.
    pub fn actor(&self) -> String {
        format!("SCIM token “{}”", self.token.name)
    }
    pub fn location(&self, kind: &str, id: &str) -> String {
        format!("{}/{kind}/{id}", self.base)
    }
    pub fn event<'a>(&'a self, actor: &'a str, action: &'a str, target: &'a str, detail: String) -> store::audit::Event<'a> {
        store::audit::Event { org_id: &self.org.id, actor_id: Some(&self.token.created_by), actor, action, target, detail, ip: "" }
    }
}

/// A SCIM error response.
#[derive(Debug)]
pub struct ScimError {
    pub status: StatusCode,
    pub scim_type: Option<&'static str>,
    pub detail: String,
}

impl ScimError {
    pub fn new(status: StatusCode, scim_type: Option<&'static str>, detail: impl Into<String>) -> Self {
        ScimError { status, scim_type, detail: detail.into() }
    }
    pub fn bad(scim_type: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, Some(scim_type), detail)
    }
    pub fn not_found(kind: &str, id: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, None, format!("{kind} {id} not found"))
    }
    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, Some("uniqueness"), detail)
    }
}

impl From<sqlx::Error> for ScimError {
    fn from(e: sqlx::Error) -> Self {
        if store::is_unique_violation(&e) {
            return ScimError::conflict("A resource with this unique attribute already exists.");
        }
        tracing::error!(error = %e, "SCIM: database error");
        ScimError::new(StatusCode::INTERNAL_SERVER_ERROR, None, "The server could not complete the request; try again.")
    }
}

impl From<app::error::AppError> for ScimError {
    fn from(e: app::error::AppError) -> Self {
        use app::error::ErrorKind::*;
        let status = StatusCode::from_u16(e.kind.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let scim_type = match e.kind {
            Invalid => Some("invalidValue"),
            Conflict => Some("uniqueness"),
            _ => None,
        };
        ScimError::new(status, scim_type, e.message)
    }
}

impl IntoResponse for ScimError {
    fn into_response(self) -> Response {
        let mut body = json!({"schemas": [SCHEMA_ERROR], "status": self.status.as_u16().to_string(), "detail": self.detail});
        if let Some(t) = self.scim_type {
            body["scimType"] = json!(t);
        }
        let mut res = scim_json(self.status, body);
        if self.status == StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"gatehouse-scim\""));
        }
        res
    }
}

pub type ScimResult<T> = Result<T, ScimError>;

/// One page of rows for a list (`select` ends before ORDER BY; `from_where`
/// is its FROM … WHERE, `$1` = organization, then `binds`), and how many match.
/// A first page that is not full holds every match, so it needs no COUNT
/// (the common case of a look-up by userName or externalId).
pub async fn rows_and_total<R>(
    conn: &mut app::store::Conn,
    select: &str,
    from_where: &str,
    order_by: &str,
    org_id: &str,
    binds: &[String],
    offset: i64,
    limit: i64,
) -> ScimResult<(Vec<R>, i64)>
where
    R: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
{
    let rows = if limit == 0 {
        Vec::new()
    } else {
        let sql = format!("{select} {from_where} ORDER BY {order_by} LIMIT {limit} OFFSET {offset}");
        let mut q = sqlx::query_as::<_, R>(&sql).bind(org_id);
        for b in binds {
            q = q.bind(b.as_str());
        }
        q.fetch_all(&mut *conn).await?
    };
    let total = if offset == 0 && (rows.len() as i64) < limit {
        rows.len() as i64
    } else {
        let sql = format!("SELECT COUNT(*) {from_where}");
        let mut q = sqlx::query_scalar::<_, i64>(&sql).bind(org_id);
        for b in binds {
            q = q.bind(b.as_str());
        }
        q.fetch_one(&mut *conn).await?
    };
    Ok((rows, total))
}

pub fn scim_json(status: StatusCode, body: impl serde::Serialize) -> Response {
    match serde_json::to_vec(&body) {
        Ok(text) => (status, [(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE))], text).into_response(),
        Err(e) => ScimError::new(StatusCode::INTERNAL_SERVER_ERROR, None, format!("The answer could not be written: {e}")).into_response(),
    }
}

/// Reads a JSON body: `application/scim+json`, `application/json` or no Content-Type.
pub fn parse_body(headers: &HeaderMap, body: &Bytes) -> ScimResult<Value> {
    if let Some(ct) = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) {
        let mime = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        if mime != CONTENT_TYPE && mime != "application/json" {
            return Err(ScimError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, None, format!("Content-Type {mime} is not supported; send application/scim+json.")));
        }
    }
    if body.len() > MAX_BODY {
        return Err(ScimError::new(StatusCode::PAYLOAD_TOO_LARGE, None, format!("The request body is larger than {MAX_BODY} bytes.")));
    }
    let v: Value = serde_json::from_slice(body).map_err(|e| ScimError::bad("invalidSyntax", format!("The body is not valid JSON: {e}")))?;
    if !v.is_object() {
        return Err(ScimError::bad("invalidSyntax", "The body must be a JSON object."));
    }
    Ok(v)
}

async fn method_not_allowed() -> ScimError {
    ScimError::new(StatusCode::METHOD_NOT_ALLOWED, None, "This method is not supported on this endpoint.")
}

async fn not_found() -> ScimError {
    ScimError::new(StatusCode::NOT_FOUND, None, "No such SCIM endpoint. Resources are /Users and /Groups; see /ServiceProviderConfig.")
}

/// Checks the bearer token; the token's organization is the only one the request can touch.
async fn authenticate(State(st): State<AppState>, mut req: Request, next: Next) -> Response {
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim)
        .unwrap_or("");
    let unauthorized = |d: &str| ScimError::new(StatusCode::UNAUTHORIZED, None, d.to_string()).into_response();
    if token.is_empty() {
        return unauthorized("Send a provisioning token: Authorization: Bearer <token>.");
    }
    let hash = store::scim_tokens::hash(token);
    // A hit is reused for at most a second (scim_tokens::CACHE_TTL): a revoked
    // token stops at once on this instance and within a second on the others.
    let found = match store::scim_tokens::find_active_cached(&st.db, &hash).await {
        Ok(r) => r,
        Err(e) => return ScimError::from(e).into_response(),
    };
    // The look-up is by hash; comparing the stored hash in constant time as well
    // keeps timing from telling anything about near misses.
    let Some((row, org)) = found.filter(|(r, _)| bool::from(r.token_hash.as_bytes().ct_eq(hash.as_bytes()))) else {
        return unauthorized("The provisioning token is wrong or was revoked. Create a new one in Administration > Authentication.");
    };
    // Record use at most once a minute, so a busy IdP does not turn reads into
    // writes; in the background, so no request waits for the write.
    let stale = row.last_used_at.as_deref().is_none_or(|t| t < store::ago(time::Duration::minutes(1)).as_str());
    if stale && claim_touch(&row.id) {
        let (db, id) = (st.db.clone(), row.id.clone());
        tokio::spawn(async move {
            let done = async {
                let mut tx = store::begin(&db).await?;
                store::scim_tokens::touch(&mut tx, &id).await?;
                tx.commit().await
            };
            if let Err(e) = done.await {
                tracing::warn!(error = %e, "SCIM: could not record the token's last use");
            }
        });
    }
    crate::ops::note_org(&org.slug);
    req.extensions_mut().insert(Scim { org, token: row, base: format!("{}/scim/v2", st.config.base_url) });
    next.run(req).await
}

/// Whether this request should record the token's use: once a minute per
/// token and process, however many requests arrive at the same moment.
fn claim_touch(token_id: &str) -> bool {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    use std::time::{Duration, Instant};
    static LAST: OnceLock<Mutex<HashMap<String, Instant>>> = OnceLock::new();
    let mut last = LAST.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    let now = Instant::now();
    if last.get(token_id).is_some_and(|t| now.duration_since(*t) < Duration::from_secs(60)) {
        return false;
    }
    last.retain(|_, t| now.duration_since(*t) < Duration::from_secs(60));
    last.insert(token_id.to_string(), now);
    true
}

/// `startIndex` and `count` (RFC 7644 §3.4.2.4): 1-based, count capped.
pub fn paging(start: Option<&str>, count: Option<&str>) -> ScimResult<(i64, i64)> {
    let start = match start {
        None | Some("") => 1,
        Some(s) => s.parse::<i64>().map_err(|_| ScimError::bad("invalidValue", "startIndex must be a whole number."))?.max(1),
    };
    let count = match count {
        None | Some("") => 100,
        Some(s) => s.parse::<i64>().map_err(|_| ScimError::bad("invalidValue", "count must be a whole number."))?.clamp(0, MAX_RESULTS),
    };
    Ok((start, count))
}

pub fn list_response<T: serde::Serialize>(total: i64, start: i64, resources: Vec<T>) -> Response {
    scim_json(
        StatusCode::OK,
        json!({"schemas": [SCHEMA_LIST], "totalResults": total, "startIndex": start, "itemsPerPage": resources.len(), "Resources": resources}),
    )
}

/// The query parameters of a list or a GET (RFC 7644 §3.4.2).
#[derive(serde::Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ListParams {
    pub filter: Option<String>,
    pub start_index: Option<String>,
    pub count: Option<String>,
    pub attributes: Option<String>,
    pub excluded_attributes: Option<String>,
}

impl ListParams {
    /// Whether the caller wants the named top-level attribute in the answer
    /// (`attributes` first, else `excludedAttributes`; `members.value` and the
    /// full URN name `members` too); `id`, `schemas` and `meta` always.
    pub fn wants(&self, name: &str) -> bool {
        let mentions = |list: &str| attribute_names(list).iter().any(|a| a.eq_ignore_ascii_case(name));
        if ALWAYS_RETURNED.iter().any(|a| a.eq_ignore_ascii_case(name)) {
            return true;
        }
        match self.attributes.as_deref().filter(|a| !a.trim().is_empty()) {
            Some(a) => mentions(a),
            None => !self.excluded_attributes.as_deref().is_some_and(mentions),
        }
    }
}

/// One resource as the answer to a GET, POST, PUT or PATCH, with a
/// `Location` header when it was just created.
pub fn resource_response(s: &Scim, kind: &str, id: &str, status: StatusCode, v: impl serde::Serialize) -> Response {
    let mut res = scim_json(status, v);
    if status == StatusCode::CREATED {
        if let Ok(h) = HeaderValue::from_str(&s.location(kind, id)) {
            res.headers_mut().insert(header::LOCATION, h);
        }
    }
    res
}

/// `v` with the attributes `p` asks for (all when None): top-level names,
/// case-insensitive, read by `ListParams::wants`.
pub fn projected(mut v: Value, p: Option<&ListParams>) -> Value {
    if let (Some(p), Some(obj)) = (p, v.as_object_mut()) {
        obj.retain(|k, _| p.wants(k));
    }
    v
}

/// Attributes returned whatever `attributes` and `excludedAttributes` say.
const ALWAYS_RETURNED: [&str; 3] = ["id", "schemas", "meta"];

/// The top-level attributes an `attributes` or `excludedAttributes` value
/// names, lower-case: `name.givenName` and
/// `urn:ietf:params:scim:schemas:core:2.0:User:name` both name `name`.
fn attribute_names(list: &str) -> Vec<String> {
    list.split(',')
        .map(|a| a.trim().rsplit(':').next().unwrap_or("").split('.').next().unwrap_or("").to_ascii_lowercase())
        .filter(|a| !a.is_empty())
        .collect()
}
