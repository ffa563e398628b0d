//! /Users: people, with userType as their account type.
use super::{filter, ListParams, list_response, paging, parse_body, patch, projected, Scim, ScimError, ScimResult, SCHEMA_PATCH, SCHEMA_USER};
use app::domain::{audit, permissions::BuiltIn, Email};
use app::state::AppState;
use app::store::{self, Conn};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Extension;
use serde_json::{json, Map, Value};

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    email: String,
    first_name: String,
    last_name: String,
    display_name: Option<String>,
    external_id: Option<String>,
    status: String,
    account_type: String,
    origin: String,
    scim_profile: Option<String>,
    created_at: String,
    updated_at: String,
    /// The person's active teams as `id name` entries separated by U+001F
    /// (team names cannot hold control characters; ids hold no space).
    groups: Option<String>,
}

/// The person's teams come with the row (no second query per request).
const COLUMNS: &str = "SELECT u.id, u.email, u.first_name, u.last_name, u.display_name, u.external_id, u.status, \
    t.name AS account_type, u.origin, u.scim_profile, u.created_at, u.updated_at, \
    (SELECT string_agg(g.id || ' ' || g.name, '\u{1f}' ORDER BY g.name_norm) FROM team_members m JOIN teams g ON g.id = m.team_id \
     WHERE m.user_id = u.id AND g.archived_at IS NULL AND g.status = 'active') AS groups";
const FROM: &str = "FROM users u JOIN account_types t ON t.id = u.account_type_id";

async fn load(conn: &mut Conn, org_id: &str, id: &str) -> ScimResult<Row> {
    sqlx::query_as::<_, Row>(&format!("{COLUMNS} {FROM} WHERE u.org_id = $1 AND u.id = $2 AND u.archived_at IS NULL"))
        .bind(org_id)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| ScimError::not_found("User", id))
}

/// What the identity provider sent that Gatehouse keeps only to return it as
/// sent (users.scim_profile): the `name` and `emails` values, and which of the
/// attributes Gatehouse models (`active`, `userType`) the IdP has unassigned.
#[derive(serde::Serialize, serde::Deserialize, Default, Debug, PartialEq)]
struct Profile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    emails: Option<Vec<Value>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    unassigned: Vec<String>,
}

impl Profile {
    fn is_unassigned(&self, attr: &str) -> bool {
        self.unassigned.iter().any(|a| a == attr)
    }
}

fn to_json(s: &Scim, r: &Row) -> Value {
    let mut v = Map::new();
    v.insert("schemas".into(), json!([SCHEMA_USER]));
    v.insert("id".into(), json!(r.id));
    v.insert("userName".into(), json!(r.email));
    // Records the identity provider manages are returned as it sent them;
    // records Gatehouse manages are described from its own columns.
    let profile = if r.origin == "scim" { r.scim_profile.as_deref().and_then(|p| serde_json::from_str::<Profile>(p).ok()) } else { None };
    match &profile {
        Some(p) => {
            if let Some(n) = &p.name {
                v.insert("name".into(), Value::Object(n.clone()));
            }
            if let Some(d) = &r.display_name {
                v.insert("displayName".into(), json!(d));
            }
            if let Some(e) = &p.emails {
                v.insert("emails".into(), Value::Array(e.clone()));
            }
        }
        None => {
            let mut name = Map::new();
            for (k, x) in [("givenName", &r.first_name), ("familyName", &r.last_name)] {
                if !x.is_empty() {
                    name.insert(k.into(), json!(x));
                }
            }
            v.insert("name".into(), Value::Object(name));
            let computed = || format!("{} {}", r.first_name, r.last_name).trim().to_string();
            v.insert("displayName".into(), json!(r.display_name.clone().unwrap_or_else(computed)));
            v.insert("emails".into(), json!([{"value": r.email, "type": "work", "primary": true}]));
        }
    }
    let unassigned = |a: &str| profile.as_ref().is_some_and(|p| p.is_unassigned(a));
    if !unassigned("active") {
        v.insert("active".into(), json!(r.status == "active"));
    }
    if !unassigned("userType") {
        v.insert("userType".into(), json!(r.account_type));
    }
    if let Some(x) = &r.external_id {
        v.insert("externalId".into(), json!(x));
    }
    v.insert(
        "groups".into(),
        r.groups
            .as_deref()
            .unwrap_or("")
            .split('\u{1f}')
            .filter_map(|entry| entry.split_once(' '))
            .map(|(id, name)| json!({"value": id, "display": name, "$ref": s.location("Groups", id)}))
            .collect::<Vec<_>>()
            .into(),
    );
    v.insert(
        "meta".into(),
        json!({"resourceType": "User", "created": r.created_at, "lastModified": r.updated_at, "location": s.location("Users", &r.id)}),
    );
    Value::Object(v)
}

/// The parts of a SCIM User that Gatehouse keeps, read from a request body.
struct Model {
    email: Email,
    first: String,
    last: String,
    display_name: Option<String>,
    external_id: Option<String>,
    /// None: unassigned by a PATCH remove (Gatehouse then treats the person as not active).
    active: Option<bool>,
    /// None: absent (Viewer).
    user_type: Option<String>,
    profile: Profile,
}

/// How absent attributes are read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Absent {
    /// POST and PUT: absent `active` and `userType` take Gatehouse's defaults
    /// (active; Viewer), which are then returned like sent values.
    Default,
    /// PATCH: the resource after its operations; an attribute that is absent
    /// was removed (or never assigned) and stays unassigned.
    Unassigned,
}

/// A top-level attribute, by case-insensitive name (schema URN prefixes allowed).
pub fn get_ci<'a>(o: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    o.iter().find(|(k, _)| k.rsplit(':').next().unwrap_or(k).eq_ignore_ascii_case(name)).map(|(_, v)| v).filter(|v| !v.is_null())
}

/// `true`, `false`, and the strings "True"/"False" that Entra sends.
pub fn as_bool(v: &Value, what: &str) -> ScimResult<bool> {
    match v {
        Value::Bool(b) => Ok(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Ok(false),
        _ => Err(ScimError::bad("invalidValue", format!("{what} must be true or false."))),
    }
}

fn as_str(v: &Value, what: &str) -> ScimResult<String> {
    v.as_str().map(|s| s.trim().to_string()).ok_or_else(|| ScimError::bad("invalidValue", format!("{what} must be a string.")))
}

/// The sub-attributes of `name` that are kept (RFC 7643 §4.1.1), in their canonical spelling.
pub const NAME_PARTS: [&str; 6] = ["formatted", "familyName", "givenName", "middleName", "honorificPrefix", "honorificSuffix"];
/// The sub-attributes of an `emails` element that are kept.
pub const EMAIL_PARTS: [&str; 4] = ["value", "display", "type", "primary"];
const MAX_EMAILS: usize = 20;

/// `name` as sent: the declared sub-attributes, strings, canonical key spelling.
fn read_name(v: &Value) -> ScimResult<Option<Map<String, Value>>> {
    let o = v.as_object().ok_or_else(|| ScimError::bad("invalidValue", "name must be an object such as {\"givenName\": \"Ada\", \"familyName\": \"Lovelace\"}."))?;
    let mut out = Map::new();
    for part in NAME_PARTS {
        if let Some(x) = get_ci(o, part) {
            let text = x.as_str().ok_or_else(|| ScimError::bad("invalidValue", format!("name.{part} must be a string.")))?;
            let limit = if part == "givenName" || part == "familyName" { 100 } else { 256 };
            if text.trim().chars().count() > limit {
                return Err(ScimError::bad("invalidValue", format!("name.{part} can be at most {limit} characters.")));
            }
            out.insert(part.into(), json!(text));
        }
    }
    Ok(Some(out).filter(|o| !o.is_empty()))
}

/// `emails` as sent: a list of {value, type, primary, display}; each value an
/// email address, and at most one primary (RFC 7643 §2.4).
fn read_emails(v: &Value) -> ScimResult<Option<Vec<Value>>> {
    let items: Vec<&Value> = match v {
        Value::Array(a) => a.iter().filter(|x| !x.is_null()).collect(),
        Value::Object(_) => vec![v],
        _ => return Err(ScimError::bad("invalidValue", "emails must be a list such as [{\"value\": \"ada@example.com\", \"type\": \"work\"}].")),
    };
    if items.len() > MAX_EMAILS {
        return Err(ScimError::bad("invalidValue", format!("A user can have at most {MAX_EMAILS} emails.")));
    }
    let mut out = Vec::with_capacity(items.len());
    let mut primaries = 0;
    for item in items {
        let o = item.as_object().ok_or_else(|| ScimError::bad("invalidValue", "Each element of emails must be an object with a value."))?;
        let mut e = Map::new();
        for part in EMAIL_PARTS {
            let Some(x) = get_ci(o, part) else { continue };
            let kept = if part == "primary" {
                let p = as_bool(x, "emails.primary")?;
                primaries += usize::from(p);
                json!(p)
            } else {
                let text = x.as_str().ok_or_else(|| ScimError::bad("invalidValue", format!("emails.{part} must be a string.")))?;
                if part == "value" {
                    Email::parse("emails.value", text).map_err(|_| ScimError::bad("invalidValue", format!("emails.value “{text}” is not an email address.")))?;
                } else if text.chars().count() > 256 {
                    return Err(ScimError::bad("invalidValue", format!("emails.{part} can be at most 256 characters.")));
                }
                json!(text)
            };
            e.insert(part.into(), kept);
        }
        if !e.contains_key("value") {
            return Err(ScimError::bad("invalidValue", "Each element of emails needs a value: the email address."));
        }
        out.push(Value::Object(e));
    }
    if primaries > 1 {
        return Err(ScimError::bad("invalidValue", "At most one of emails can be primary."));
    }
    Ok(Some(out).filter(|o| !o.is_empty()))
}

fn read_model(body: &Value, absent: Absent) -> ScimResult<Model> {
    let o = body.as_object().ok_or_else(|| ScimError::bad("invalidSyntax", "The body must be a JSON object."))?;
    let user_name = get_ci(o, "userName").ok_or_else(|| ScimError::bad("invalidValue", "userName is required: the person's email address."))?;
    let user_name = as_str(user_name, "userName")?;
    let email = Email::user_name("userName", &user_name).map_err(|e| ScimError::bad("invalidValue", e.message))?;
    let name = match get_ci(o, "name") {
        Some(n) => read_name(n)?,
        None => None,
    };
    let emails = match get_ci(o, "emails") {
        Some(e) => read_emails(e)?,
        None => None,
    };
    let display_name = match get_ci(o, "displayName") {
        Some(v) => Some(v.as_str().ok_or_else(|| ScimError::bad("invalidValue", "displayName must be a string."))?.to_string()).filter(|s| !s.trim().is_empty()),
        None => None,
    };
    if display_name.as_ref().is_some_and(|d| d.chars().count() > 256) {
        return Err(ScimError::bad("invalidValue", "displayName can be at most 256 characters."));
    }
    // Gatehouse's own first and last name, for its pages and search.
    let part = |k: &str| name.as_ref().and_then(|n| n.get(k)).and_then(|v| v.as_str()).map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let first = part("givenName")
        .or_else(|| display_name.as_ref().and_then(|d| d.split_whitespace().next().map(str::to_string)))
        .unwrap_or_else(|| email.as_str().split('@').next().unwrap_or("").to_string());
    let last = part("familyName").unwrap_or_default();
    let mut unassigned = Vec::new();
    let active = match get_ci(o, "active") {
        Some(v) => Some(as_bool(v, "active")?),
        None if absent == Absent::Default => Some(true),
        None => {
            unassigned.push("active".to_string());
            None
        }
    };
    let external_id = match get_ci(o, "externalId") {
        Some(v) => Some(as_str(v, "externalId")?).filter(|s| !s.is_empty()),
        None => None,
    };
    let user_type = match get_ci(o, "userType") {
        Some(v) => Some(as_str(v, "userType")?).filter(|s| !s.is_empty()),
        None => None,
    };
    if user_type.is_none() && absent == Absent::Unassigned {
        unassigned.push("userType".to_string());
    }
    let profile = Profile { name, emails, unassigned };
    Ok(Model { email, first, last, display_name, external_id, active, user_type, profile })
}

/// userType -> account type: absent = Viewer, "Author" = Creator, otherwise by
/// name, case-insensitively; unknown = 400 naming the valid types.
async fn account_type(conn: &mut Conn, org_id: &str, user_type: Option<&str>) -> ScimResult<(String, String)> {
    let t = match user_type {
        None => Some(store::account_types::built_in(&mut *conn, org_id, BuiltIn::Viewer).await?).map(|t| (t.id, t.name)),
        Some(n) if n.eq_ignore_ascii_case("author") => {
            Some(store::account_types::built_in(&mut *conn, org_id, BuiltIn::Creator).await?).map(|t| (t.id, t.name))
        }
        Some(n) => store::account_types::by_name(&mut *conn, org_id, n).await?.map(|t| (t.id, t.name)),
    };
    match t {
        Some(t) => Ok(t),
        None => {
            let names: Vec<String> = sqlx::query_scalar("SELECT name FROM account_types WHERE org_id = $1 ORDER BY name_norm")
                .bind(org_id)
                .fetch_all(&mut *conn)
                .await?;
            Err(ScimError::bad(
                "invalidValue",
                format!("userType “{}” is not an account type here. Valid values: {} (or Author for Creator).", user_type.unwrap_or(""), names.join(", ")),
            ))
        }
    }
}

/// One page of users matching `wc` (a filter's SQL, `$1` = organization),
/// as SCIM resources projected by `p`; and how many match in all.
pub async fn page(conn: &mut Conn, s: &Scim, wc: &str, binds: &[String], offset: i64, limit: i64, p: &ListParams) -> ScimResult<(i64, Vec<Value>)> {
    let from_where = format!("{FROM} WHERE u.org_id = $1 AND u.archived_at IS NULL AND ({wc})");
    let (rows, total) = super::rows_and_total::<Row>(conn, COLUMNS, &from_where, "u.created_at, u.id", &s.org.id, binds, offset, limit).await?;
    let resources = rows.iter().map(|r| projected(to_json(s, r), Some(p))).collect();
    Ok((total, resources))
}

pub async fn list(State(st): State<AppState>, Extension(s): Extension<Scim>, Query(p): Query<ListParams>) -> ScimResult<Response> {
    search(&st, &s, &p).await
}

/// GET /Users and POST /Users/.search.
pub async fn search(st: &AppState, s: &Scim, p: &ListParams) -> ScimResult<Response> {
    let (start, count) = paging(p.start_index.as_deref(), p.count.as_deref())?;
    let (wc, binds) = match p.filter.as_deref().filter(|f| !f.trim().is_empty()) {
        Some(f) => filter::to_sql(f, filter::Resource::User)?,
        None => ("1 = 1".to_string(), Vec::new()),
    };
    let mut conn = st.db.acquire().await?;
    let (total, resources) = page(&mut conn, s, &wc, &binds, start - 1, count, p).await?;
    Ok(list_response(total, start, resources))
}

async fn respond(s: &Scim, conn: &mut Conn, id: &str, status: StatusCode, p: Option<&ListParams>) -> ScimResult<Response> {
    let r = load(conn, &s.org.id, id).await?;
    let v = to_json(s, &r);
    Ok(super::resource_response(s, "Users", id, status, projected(v, p)))
}

pub async fn get(State(st): State<AppState>, Extension(s): Extension<Scim>, Path(id): Path<String>, Query(p): Query<ListParams>) -> ScimResult<Response> {
    let mut conn = st.db.acquire().await?;
    respond(&s, &mut conn, &id, StatusCode::OK, Some(&p)).await
}

fn status_of(active: Option<bool>) -> &'static str {
    if active == Some(true) {
        "active"
    } else {
        "inactive"
    }
}

fn profile_json(m: &Model) -> String {
    serde_json::to_string(&m.profile).expect("a profile serializes")
}

pub async fn create(State(st): State<AppState>, Extension(s): Extension<Scim>, Query(p): Query<ListParams>, headers: HeaderMap, body: Bytes) -> ScimResult<Response> {
    let m = read_model(&parse_body(&headers, &body)?, Absent::Default)?;
    // Read before taking the write lock; the foreign key still refuses a type
    // deleted in between (a 500, and nothing written).
    let (type_id, type_name) = {
        let mut conn = st.db.acquire().await?;
        account_type(&mut conn, &s.org.id, m.user_type.as_deref()).await?
    };
    let id = store::new_id();
    let now = store::now();
    let status = status_of(m.active);
    // Written with the creates that arrive at the same moment, in one
    // transaction (batch.rs); answered once it has committed. The
    // (org_id, email_norm) unique index refuses a duplicate userName.
    let user = super::batch::NewUser {
        id: id.clone(),
        org_id: s.org.id.clone(),
        email: m.email.as_str().to_string(),
        email_norm: m.email.normalized(),
        first_name: m.first.clone(),
        last_name: m.last.clone(),
        name_norm: store::users::name_norm(&m.first, &m.last),
        last_norm: m.last.to_lowercase(),
        account_type_id: type_id,
        external_id: m.external_id.clone(),
        display_name: m.display_name.clone(),
        status,
        scim_profile: profile_json(&m),
        now: now.clone(),
        actor_id: s.token.created_by.clone(),
        actor: s.actor(),
        detail: format!("by SCIM; account type {type_name}; active {}", m.active == Some(true)),
    };
    super::batch::create(&st.db, user).await.map_err(|e| match e {
        super::batch::Failure::Duplicate => ScimError::conflict(format!("A user with userName {} already exists.", m.email.as_str())),
        super::batch::Failure::Database(e) => e.into(),
    })?;
    // The new user is exactly what was written: no need to read it back.
    let row = Row {
        id: id.clone(),
        email: m.email.as_str().to_string(),
        first_name: m.first.clone(),
        last_name: m.last.clone(),
        display_name: m.display_name.clone(),
        external_id: m.external_id.clone(),
        status: status.to_string(),
        account_type: type_name,
        origin: "scim".into(),
        scim_profile: Some(profile_json(&m)),
        created_at: now.clone(),
        updated_at: now,
        groups: None,
    };
    Ok(super::resource_response(&s, "Users", &id, StatusCode::CREATED, projected(to_json(&s, &row), Some(&p))))
}

/// Writes a full model over a user (PUT, and PATCH after applying its operations).
async fn write(s: &Scim, tx: &mut Conn, id: &str, m: Model, before: Row) -> ScimResult<()> {
    let clash: Option<String> = sqlx::query_scalar("SELECT id FROM users WHERE org_id = $1 AND email_norm = $2 AND id <> $3")
        .bind(&s.org.id)
        .bind(m.email.normalized())
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
    if clash.is_some() {
        return Err(ScimError::conflict(format!("Another user already has userName {}.", m.email.as_str())));
    }
    let (type_id, type_name) = account_type(tx, &s.org.id, m.user_type.as_deref()).await?;
    let status = status_of(m.active);
    if before.account_type != type_name || status != before.status {
        guard_last_admin(tx, &s.org.id, id, &type_id, m.active == Some(true)).await?;
    }
    sqlx::query(
        "UPDATE users SET email = $1, email_norm = $2, first_name = $3, last_name = $4, name_norm = $5, last_norm = $6, \
         display_name = $7, external_id = $8, account_type_id = $9, status = $10, origin = 'scim', invite_pending = 0, updated_at = $11, \
         scim_profile = $12 WHERE org_id = $13 AND id = $14",
    )
    .bind(m.email.as_str())
    .bind(m.email.normalized())
    .bind(&m.first)
    .bind(&m.last)
    .bind(store::users::name_norm(&m.first, &m.last))
    .bind(m.last.to_lowercase())
    .bind(&m.display_name)
    .bind(&m.external_id)
    .bind(&type_id)
    .bind(status)
    .bind(store::now())
    .bind(profile_json(&m))
    .bind(&s.org.id)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    let actor = s.actor();
    let mut changes = Vec::new();
    if before.account_type != type_name {
        changes.push(format!("account type {} → {type_name}", before.account_type));
        store::audit::record(&mut *tx, s.event(&actor, audit::USER_ACCOUNT_TYPE_CHANGED, m.email.as_str(), format!("{} → {type_name} (by SCIM)", before.account_type))).await?;
    }
    if before.status != status {
        let action = if status == "active" { audit::USER_REACTIVATED } else { audit::USER_DEACTIVATED };
        let detail = if status == "active" { "by SCIM".to_string() } else { format!("by SCIM; documents go to {}", s.token.created_by_email) };
        store::audit::record(&mut *tx, s.event(&actor, action, m.email.as_str(), detail)).await?;
        if status != "active" {
            transfer(s, tx, &actor, (id, &m.first, &m.last, m.email.as_str())).await?;
        }
    }
    if before.email != m.email.as_str() || before.first_name != m.first || before.last_name != m.last {
        changes.push("profile".into());
    }
    store::audit::record(&mut *tx, s.event(&actor, audit::USER_UPDATED_BY_IDP, m.email.as_str(), if changes.is_empty() { "no change".into() } else { changes.join("; ") })).await?;
    Ok(())
}

/// The identity provider cannot remove the organization's last active administrator either.
async fn guard_last_admin(tx: &mut Conn, org_id: &str, id: &str, new_type: &str, active: bool) -> ScimResult<()> {
    let new_admin: String = sqlx::query_scalar("SELECT permissions FROM account_types WHERE id = $1").bind(new_type).fetch_one(&mut *tx).await?;
    let stays_admin = active && new_admin.contains("\"administer\"");
    if !stays_admin && store::users::active_admins_except(tx, org_id, &[id.to_string()]).await? < 1 {
        let was_admin: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM users u JOIN account_types t ON t.id = u.account_type_id WHERE u.id = $1 AND u.status = 'active' AND t.permissions LIKE '%\"administer\"%'",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        if was_admin.is_some() {
            return Err(ScimError::new(StatusCode::CONFLICT, Some("mutability"), "This would leave the organization without an active administrator; give another user the Admin account type first."));
        }
    }
    Ok(())
}

pub async fn replace(
    State(st): State<AppState>,
    Extension(s): Extension<Scim>,
    Path(id): Path<String>,
    Query(p): Query<ListParams>,
    headers: HeaderMap,
    body: Bytes,
) -> ScimResult<Response> {
    let m = read_model(&parse_body(&headers, &body)?, Absent::Default)?;
    let mut tx = app::store::begin(&st.db).await?;
    let before = load(&mut tx, &s.org.id, &id).await?;
    write(&s, &mut tx, &id, m, before).await?;
    let res = respond(&s, &mut tx, &id, StatusCode::OK, Some(&p)).await?;
    tx.commit().await?;
    Ok(res)
}

pub async fn patch(
    State(st): State<AppState>,
    Extension(s): Extension<Scim>,
    Path(id): Path<String>,
    Query(p): Query<ListParams>,
    headers: HeaderMap,
    body: Bytes,
) -> ScimResult<Response> {
    let body = parse_body(&headers, &body)?;
    let ops = patch::operations(&body, SCHEMA_PATCH)?;
    let mut tx = app::store::begin(&st.db).await?;
    let current = load(&mut tx, &s.org.id, &id).await?;
    let mut doc = to_json(&s, &current);
    patch::apply(&mut doc, &ops, patch::Resource::User)?;
    write(&s, &mut tx, &id, read_model(&doc, Absent::Unassigned)?, current).await?;
    let res = respond(&s, &mut tx, &id, StatusCode::OK, Some(&p)).await?;
    tx.commit().await?;
    Ok(res)
}

/// DELETE deactivates and archives: the person is kept, and gone from SCIM (404).
pub async fn delete(State(st): State<AppState>, Extension(s): Extension<Scim>, Path(id): Path<String>) -> ScimResult<Response> {
    let mut tx = app::store::begin(&st.db).await?;
    let r = load(&mut tx, &s.org.id, &id).await?;
    if r.status == "active" {
        let t: String = sqlx::query_scalar("SELECT account_type_id FROM users WHERE id = $1").bind(&id).fetch_one(&mut *tx).await?;
        guard_last_admin(&mut tx, &s.org.id, &id, &t, false).await?;
    }
    sqlx::query("UPDATE users SET status = 'inactive', origin = 'scim', archived_at = $1, updated_at = $1 WHERE org_id = $2 AND id = $3")
        .bind(store::now())
        .bind(&s.org.id)
        .bind(&id)
        .execute(&mut *tx)
        .await?;
    let actor = s.actor();
    store::audit::record(&mut *tx, s.event(&actor, audit::USER_DEACTIVATED, &r.email, format!("deleted by SCIM: deactivated and archived; documents go to {}", s.token.created_by_email))).await?;
    transfer(&s, &mut tx, &actor, (&id, &r.first_name, &r.last_name, &r.email)).await?;
    tx.commit().await?;
    Ok(axum::response::IntoResponse::into_response(StatusCode::NO_CONTENT))
}

/// A person deprovisioned by the IdP: their documents go to the admin who created the token.
async fn transfer(s: &Scim, tx: &mut Conn, actor: &str, from: (&str, &str, &str, &str)) -> ScimResult<()> {
    let event = s.event(actor, audit::DOCUMENTS_TRANSFERRED, from.3, format!("to {}", s.token.created_by_email));
    app::documents::transfer_user(tx, event, &s.org.id, from, &s.token.created_by).await.map_err(|e| ScimError::new(StatusCode::INTERNAL_SERVER_ERROR, None, &e.message))
}
