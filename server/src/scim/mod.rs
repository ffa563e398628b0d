//! SCIM 2.0 (RFC 7643/7644) at /scim/v2: the identity provider creates,
//! updates and deactivates users and teams. The bearer token names the
//! organization. Errors are SCIM error JSON; malformed input never yields a 5xx.
mod discovery;
pub mod filter;
mod groups;
mod patch;
mod search;
mod users;

use app::service::{self, provisioning::Idp, provisioning_activity, state::AppState};
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};

pub const SCHEMA_USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const SCHEMA_GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
/// The enterprise extension: `department`, `costCenter`, `division` and
/// `organization` set the user attributes of those names, when defined.
pub const SCHEMA_ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
/// Gatehouse's extension: any defined user attribute, by name.
pub const SCHEMA_ATTRIBUTES: &str = "urn:gatehouse:params:scim:schemas:extension:attributes:2.0:User";
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
        // Bodies are refused past MAX_BODY as they arrive (chunked ones too),
        // before they are buffered; `errors_as_scim` words the refusal.
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
}

/// Every answer under /scim/v2 that is an error is SCIM JSON (RFC 7644
/// §3.12), whichever layer gave it: a body over the limit or cut off, a
/// request that took too long, a Host the server does not answer for. The
/// identity provider's log then shows a reason instead of text/plain.
pub async fn errors_as_scim(req: Request, next: Next) -> Response {
    let scim = req.uri().path() == "/scim/v2" || req.uri().path().starts_with("/scim/v2/");
    let res = next.run(req).await;
    let status = res.status();
    if !scim || !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let is_scim = res.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|ct| ct.starts_with(CONTENT_TYPE));
    if is_scim {
        return res;
    }
    let detail = match status {
        StatusCode::PAYLOAD_TOO_LARGE => format!("The request body is larger than {MAX_BODY} bytes (1 MB). Send fewer changes per request: large group memberships in several PATCH requests."),
        StatusCode::BAD_REQUEST => "The request body could not be read (it was cut off or malformed). Send it again.".to_string(),
        StatusCode::REQUEST_TIMEOUT | StatusCode::SERVICE_UNAVAILABLE | StatusCode::GATEWAY_TIMEOUT => {
            "The request took too long (its body arrived too slowly, or the server was busy). Send it again.".to_string()
        }
        StatusCode::MISDIRECTED_REQUEST => "This server does not answer for that host name: use the Directory Base URL shown in Administration > Authentication.".to_string(),
        StatusCode::NOT_FOUND => "No such SCIM endpoint. Resources are /Users and /Groups; see /ServiceProviderConfig.".to_string(),
        StatusCode::METHOD_NOT_ALLOWED => "This method is not supported on this endpoint.".to_string(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "Send the body as application/scim+json (or application/json).".to_string(),
        s if s.is_server_error() => "The server could not complete the request; try again.".to_string(),
        s => format!("The request was refused ({s})."),
    };
    let mut answer = ScimError::new(status, None, detail).into_response();
    // Headers a client acts on (Retry-After, WWW-Authenticate) are kept.
    for name in [header::RETRY_AFTER, header::WWW_AUTHENTICATE] {
        if let Some(v) = res.headers().get(&name) {
            answer.headers_mut().insert(name, v.clone());
        }
    }
    answer
}

/// `/scim/v2` and `/scim/v2/` themselves: no resource, answered as SCIM.
pub async fn root() -> ScimError {
    not_found().await
}

/// The identity provider behind a SCIM request, and where its resources are.
#[derive(Clone)]
pub struct Scim {
    pub idp: Idp,
    pub actor: service::Actor,
    pub base: String,
}

impl Scim {
    pub fn org_id(&self) -> &str {
        &self.idp.org.id
    }
    /// The request's body, for the provisioning activity (kept redacted).
    pub fn note_body(&self, body: &[u8]) {
        if let Some(a) = &self.actor.activity {
            a.body(body);
        }
    }
    /// The person or team a request names, for the provisioning activity.
    pub fn note_touched(&self, kind: &str, id: &str, label: &str) {
        if let Some(a) = &self.actor.activity {
            a.touched(kind, id, label);
        }
    }
    pub fn location(&self, kind: &str, id: &str) -> String {
        format!("{}/{kind}/{id}", self.base)
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
        service::Error::from(e).into()
    }
}

/// The SCIM door's one mapping of the service's errors (RFC 7644 §3.12).
impl From<service::Error> for ScimError {
    fn from(e: service::Error) -> Self {
        use service::Kind::*;
        let (status, scim_type) = match e.kind {
            Invalid => (StatusCode::BAD_REQUEST, Some("invalidValue")),
            Taken => (StatusCode::CONFLICT, Some("uniqueness")),
            LastAdmin | ManagedByIdp => (StatusCode::CONFLICT, Some("mutability")),
            Conflict => (StatusCode::CONFLICT, None),
            NotFound => (StatusCode::NOT_FOUND, None),
            Unauthenticated => (StatusCode::UNAUTHORIZED, None),
            Forbidden => (StatusCode::FORBIDDEN, None),
            RateLimited => (StatusCode::TOO_MANY_REQUESTS, None),
            Upstream | Internal => (StatusCode::INTERNAL_SERVER_ERROR, None),
        };
        let detail = if status == StatusCode::INTERNAL_SERVER_ERROR { "The server could not complete the request; try again.".to_string() } else { e.message };
        ScimError::new(status, scim_type, detail)
    }
}

/// Values the domain refuses (a userName, a team name) are the client's bad input.
impl From<app::domain::Invalid> for ScimError {
    fn from(e: app::domain::Invalid) -> Self {
        service::Error::from(e).into()
    }
}

impl IntoResponse for ScimError {
    fn into_response(self) -> Response {
        let mut body = json!({"schemas": [SCHEMA_ERROR], "status": self.status.as_u16().to_string(), "detail": self.detail});
        if let Some(t) = self.scim_type {
            body["scimType"] = json!(t);
        }
        let mut res = scim_json(self.status, body);
        res.extensions_mut().insert(ErrorNote { scim_type: self.scim_type.unwrap_or(""), detail: self.detail.clone() });
        if self.status == StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"gatehouse-scim\""));
        }
        res
    }
}

/// A refusal's type and message, carried on its response for the provisioning activity.
#[derive(Clone)]
struct ErrorNote {
    scim_type: &'static str,
    detail: String,
}

pub type ScimResult<T> = Result<T, ScimError>;

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
    let token = req.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer "))).map(str::trim).unwrap_or("");
    let unauthorized = |d: &str| ScimError::new(StatusCode::UNAUTHORIZED, None, d.to_string()).into_response();
    if token.is_empty() {
        return unauthorized("Send a provisioning token: Authorization: Bearer <token>.");
    }
    let idp = match service::provisioning::authenticate(&st.db, token).await {
        Ok(Some(idp)) => idp,
        Ok(None) => return unauthorized("The provisioning token is wrong or was revoked. Create a new one in Administration > Authentication."),
        Err(e) => return ScimError::from(e).into_response(),
    };
    crate::ops::note_org(&idp.org.slug);
    // Outside the allowed ranges: refused, and counted in the audit log, not
    // in the provisioning activity.
    let ip = req.extensions().get::<app::service::access::ClientIp>().map(|c| c.0.clone()).unwrap_or_default();
    if let Err(e) = service::allowlist::check(&st.db, &idp.org, &ip, app::domain::views::RangeScope::Scim).await {
        return ScimError::from(e).into_response();
    }
    let mut actor = idp.actor();
    // The provisioning activity's record of this request (see
    // `service::provisioning_activity`): a use case that changes something
    // says what it did and that it committed; the row is queued when the answer is known.
    // As the identity provider sent it (and the access log shows it), not as
    // the nested router sees it.
    let uri = req.extensions().get::<axum::extract::OriginalUri>().map(|u| u.0.clone()).unwrap_or_else(|| req.uri().clone());
    let path = match uri.query() {
        Some(q) => format!("{}?{q}", uri.path()),
        None => uri.path().to_string(),
    };
    let recorder = provisioning_activity::Recorder::start(provisioning_activity::RequestInfo {
        org_id: idp.org.id.clone(),
        request_id: crate::ops::current_request_id().unwrap_or_default(),
        token_id: idp.token.id.clone(),
        token_name: idp.token.name.clone(),
        method: req.method().to_string(),
        path: path.clone(),
    });
    if let Some((kind, id)) = resource_in_path(req.uri().path()) {
        recorder.touched(kind, id, "");
    }
    actor.activity = Some(recorder.clone());
    req.extensions_mut().insert(Scim { idp, actor, base: format!("{}/scim/v2", st.config.base_url) });
    let res = next.run(req).await;
    let note = res.extensions().get::<ErrorNote>().cloned();
    recorder.finish(&st.db, res.status().as_u16(), note.as_ref().map(|n| (n.scim_type, n.detail.as_str())));
    res
}

/// The person or team a path names: `/Users/{id}`, `/Groups/{id}` (under /scim/v2 or not).
fn resource_in_path(path: &str) -> Option<(&'static str, &str)> {
    let rest = path.trim_start_matches("/scim/v2");
    let mut parts = rest.trim_start_matches('/').splitn(2, '/');
    let kind = match parts.next()? {
        "Users" => "user",
        "Groups" => "team",
        _ => return None,
    };
    Some((kind, parts.next().filter(|id| !id.is_empty() && !id.starts_with('.') && !id.contains('/'))?))
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
    scim_json(StatusCode::OK, json!({"schemas": [SCHEMA_LIST], "totalResults": total, "startIndex": start, "itemsPerPage": resources.len(), "Resources": resources}))
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
    list.split(',').map(|a| a.trim().rsplit(':').next().unwrap_or("").split('.').next().unwrap_or("").to_ascii_lowercase()).filter(|a| !a.is_empty()).collect()
}
