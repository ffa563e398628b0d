//! /Users: people, with userType as their account type.
use super::{filter, ListParams, list_response, paging, parse_body, patch, project, Scim, ScimError, ScimResult, SCHEMA_PATCH, SCHEMA_USER};
use app::domain::{audit, permissions::BuiltIn, Email};
use app::state::AppState;
use app::store::{self, Conn};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Extension;
use serde_json::{json, Map, Value};
use std::collections::HashMap;

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
    created_at: String,
    updated_at: String,
}

const SELECT: &str = "SELECT u.id, u.email, u.first_name, u.last_name, u.display_name, u.external_id, u.status, \
    t.name AS account_type, u.created_at, u.updated_at FROM users u JOIN account_types t ON t.id = u.account_type_id";

async fn load(conn: &mut Conn, org_id: &str, id: &str) -> ScimResult<Row> {
    sqlx::query_as::<_, Row>(&format!("{SELECT} WHERE u.org_id = $1 AND u.id = $2 AND u.archived_at IS NULL"))
        .bind(org_id)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| ScimError::not_found("User", id))
}

/// The teams of these users, as SCIM `groups`.
async fn groups_of(conn: &mut Conn, org_id: &str, ids: &[String]) -> ScimResult<HashMap<String, Vec<(String, String)>>> {
    super::grouped(
        conn,
        "SELECT m.user_id, t.id, t.name FROM team_members m JOIN teams t ON t.id = m.team_id \
         WHERE m.org_id = $1 AND t.archived_at IS NULL AND t.status = 'active' AND m.user_id IN ({in}) ORDER BY t.name_norm",
        org_id,
        ids,
    )
    .await
}

fn to_json(s: &Scim, r: &Row, groups: &[(String, String)]) -> Value {
    let mut v = json!({
        "schemas": [SCHEMA_USER],
        "id": r.id,
        "userName": r.email,
        "name": {
            "givenName": r.first_name,
            "familyName": r.last_name,
            "formatted": format!("{} {}", r.first_name, r.last_name).trim(),
        },
        "displayName": r.display_name.clone().unwrap_or_else(|| format!("{} {}", r.first_name, r.last_name).trim().to_string()),
        "emails": [{"value": r.email, "type": "work", "primary": true}],
        "active": r.status == "active",
        "userType": r.account_type,
        "groups": groups.iter().map(|(id, name)| json!({"value": id, "display": name, "$ref": s.location("Groups", id)})).collect::<Vec<_>>(),
        "meta": {
            "resourceType": "User",
            "created": r.created_at,
            "lastModified": r.updated_at,
            "location": s.location("Users", &r.id),
        }
    });
    if let Some(x) = &r.external_id {
        v["externalId"] = json!(x);
    }
    v
}

/// The parts of a SCIM User that Gatehouse keeps, read from a request body.
struct Model {
    email: Email,
    first: String,
    last: String,
    display_name: Option<String>,
    external_id: Option<String>,
    active: bool,
    user_type: Option<String>,
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

fn read_model(body: &Value) -> ScimResult<Model> {
    let o = body.as_object().ok_or_else(|| ScimError::bad("invalidSyntax", "The body must be a JSON object."))?;
    let user_name = get_ci(o, "userName").ok_or_else(|| ScimError::bad("invalidValue", "userName is required: the person's email address."))?;
    let user_name = as_str(user_name, "userName")?;
    let email = Email::user_name("userName", &user_name).map_err(|e| ScimError::bad("invalidValue", e.message))?;
    let name = get_ci(o, "name").and_then(|n| n.as_object());
    let sub = |k: &str| name.and_then(|n| get_ci(n, k)).and_then(|v| v.as_str()).map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let display_name = get_ci(o, "displayName").and_then(|v| v.as_str()).map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let first = sub("givenName")
        .or_else(|| display_name.as_ref().and_then(|d| d.split_whitespace().next().map(str::to_string)))
        .unwrap_or_else(|| email.as_str().split('@').next().unwrap_or("").to_string());
    let last = sub("familyName").unwrap_or_default();
    if first.chars().count() > 100 || last.chars().count() > 100 {
        return Err(ScimError::bad("invalidValue", "givenName and familyName can be at most 100 characters."));
    }
    let active = match get_ci(o, "active") {
        Some(v) => as_bool(v, "active")?,
        None => true,
    };
    let external_id = match get_ci(o, "externalId") {
        Some(v) => Some(as_str(v, "externalId")?),
        None => None,
    };
    let user_type = match get_ci(o, "userType") {
        Some(v) => Some(as_str(v, "userType")?).filter(|s| !s.is_empty()),
        None => None,
    };
    Ok(Model { email, first, last, display_name, external_id, active, user_type })
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

pub async fn list(State(st): State<AppState>, Extension(s): Extension<Scim>, Query(p): Query<ListParams>) -> ScimResult<Response> {
    let (start, count) = paging(p.start_index.as_deref(), p.count.as_deref())?;
    let (wc, binds) = match p.filter.as_deref().filter(|f| !f.trim().is_empty()) {
        Some(f) => filter::to_sql(f, filter::Resource::User)?,
        None => ("1 = 1".to_string(), Vec::new()),
    };
    let mut conn = st.db.acquire().await?;
    let base = format!("FROM users u JOIN account_types t ON t.id = u.account_type_id WHERE u.org_id = $1 AND u.archived_at IS NULL AND ({wc})");
    let count_sql = format!("SELECT COUNT(*) {base}");
    let mut cq = sqlx::query_scalar::<_, i64>(&count_sql).bind(&s.org.id);
    let rows_sql = format!(
        "SELECT u.id, u.email, u.first_name, u.last_name, u.display_name, u.external_id, u.status, t.name AS account_type, u.created_at, u.updated_at \
         {base} ORDER BY u.created_at, u.id LIMIT {count} OFFSET {}",
        start - 1
    );
    let mut rq = sqlx::query_as::<_, Row>(&rows_sql).bind(&s.org.id);
    for b in &binds {
        cq = cq.bind(b.clone());
        rq = rq.bind(b.clone());
    }
    let total = cq.fetch_one(&mut *conn).await?;
    let rows = if count == 0 { Vec::new() } else { rq.fetch_all(&mut *conn).await? };
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let groups = groups_of(&mut conn, &s.org.id, &ids).await?;
    let resources = rows
        .iter()
        .map(|r| project(to_json(&s, r, groups.get(&r.id).map(Vec::as_slice).unwrap_or(&[])), p.attributes.as_deref(), p.excluded_attributes.as_deref()))
        .collect();
    Ok(list_response(total, start, resources))
}

async fn respond(s: &Scim, conn: &mut Conn, id: &str, status: StatusCode, p: Option<&ListParams>) -> ScimResult<Response> {
    let r = load(conn, &s.org.id, id).await?;
    let groups = groups_of(conn, &s.org.id, std::slice::from_ref(&r.id)).await?;
    let v = to_json(s, &r, groups.get(&r.id).map(Vec::as_slice).unwrap_or(&[]));
    Ok(super::resource_response(s, "Users", id, status, v, p))
}

pub async fn get(State(st): State<AppState>, Extension(s): Extension<Scim>, Path(id): Path<String>, Query(p): Query<ListParams>) -> ScimResult<Response> {
    let mut conn = st.db.acquire().await?;
    respond(&s, &mut conn, &id, StatusCode::OK, Some(&p)).await
}

pub async fn create(State(st): State<AppState>, Extension(s): Extension<Scim>, headers: HeaderMap, body: Bytes) -> ScimResult<Response> {
    let m = read_model(&parse_body(&headers, &body)?)?;
    let mut tx = app::store::begin(&st.db).await?;
    let taken: Option<String> = sqlx::query_scalar("SELECT id FROM users WHERE org_id = $1 AND email_norm = $2")
        .bind(&s.org.id)
        .bind(m.email.normalized())
        .fetch_optional(&mut *tx)
        .await?;
    if taken.is_some() {
        return Err(ScimError::conflict(format!("A user with userName {} already exists.", m.email.as_str())));
    }
    let (type_id, type_name) = account_type(&mut tx, &s.org.id, m.user_type.as_deref()).await?;
    let id = store::new_id();
    store::users::insert(
        &mut *tx,
        store::users::NewUser {
            id: &id,
            org_id: &s.org.id,
            email: &m.email,
            first_name: &m.first,
            last_name: &m.last,
            account_type_id: &type_id,
            password_hash: None,
            invite_pending: false,
        },
    )
    .await?;
    sqlx::query("UPDATE users SET origin = 'scim', external_id = $1, display_name = $2, status = $3 WHERE id = $4")
        .bind(&m.external_id)
        .bind(&m.display_name)
        .bind(if m.active { "active" } else { "inactive" })
        .bind(&id)
        .execute(&mut *tx)
        .await?;
    let actor = s.actor();
    store::audit::record(&mut *tx, s.event(&actor, audit::USER_CREATED, m.email.as_str(), format!("by SCIM; account type {type_name}; active {}", m.active))).await?;
    let res = respond(&s, &mut tx, &id, StatusCode::CREATED, None).await?;
    tx.commit().await?;
    Ok(res)
}

/// Writes a full model over a user (PUT, and PATCH after applying its operations).
async fn write(s: &Scim, tx: &mut Conn, id: &str, m: Model) -> ScimResult<()> {
    let before = load(tx, &s.org.id, id).await?;
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
    let status = if m.active { "active" } else { "inactive" };
    if before.account_type != type_name || status != before.status {
        guard_last_admin(tx, &s.org.id, id, &type_id, m.active).await?;
    }
    sqlx::query(
        "UPDATE users SET email = $1, email_norm = $2, first_name = $3, last_name = $4, name_norm = $5, last_norm = $6, \
         display_name = $7, external_id = $8, account_type_id = $9, status = $10, origin = 'scim', invite_pending = 0, updated_at = $11 \
         WHERE org_id = $12 AND id = $13",
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
        let action = if m.active { audit::USER_REACTIVATED } else { audit::USER_DEACTIVATED };
        let detail = if m.active { "by SCIM".to_string() } else { format!("by SCIM; documents go to {}", s.token.created_by_email) };
        store::audit::record(&mut *tx, s.event(&actor, action, m.email.as_str(), detail)).await?;
        if !m.active {
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

pub async fn replace(State(st): State<AppState>, Extension(s): Extension<Scim>, Path(id): Path<String>, headers: HeaderMap, body: Bytes) -> ScimResult<Response> {
    let m = read_model(&parse_body(&headers, &body)?)?;
    let mut tx = app::store::begin(&st.db).await?;
    write(&s, &mut tx, &id, m).await?;
    let res = respond(&s, &mut tx, &id, StatusCode::OK, None).await?;
    tx.commit().await?;
    Ok(res)
}

pub async fn patch(State(st): State<AppState>, Extension(s): Extension<Scim>, Path(id): Path<String>, headers: HeaderMap, body: Bytes) -> ScimResult<Response> {
    let body = parse_body(&headers, &body)?;
    let ops = patch::operations(&body, SCHEMA_PATCH)?;
    let mut tx = app::store::begin(&st.db).await?;
    let current = load(&mut tx, &s.org.id, &id).await?;
    let mut doc = to_json(&s, &current, &[]);
    patch::apply(&mut doc, &ops, patch::Resource::User)?;
    write(&s, &mut tx, &id, read_model(&doc)?).await?;
    let res = respond(&s, &mut tx, &id, StatusCode::OK, None).await?;
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
