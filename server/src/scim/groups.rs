//! /Groups: teams. Membership changes apply directly, without rewriting the whole list.
use super::users::get_ci;
use super::{filter, ListParams, list_response, paging, parse_body, patch, Scim, ScimError, ScimResult, SCHEMA_GROUP, SCHEMA_PATCH};
use app::domain::{audit, TeamName};
use app::state::AppState;
use app::store::{self, Conn};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Extension;
use serde_json::Value;
use std::collections::BTreeSet;

/// What a write needs to know of the team it changes.
#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    name: String,
    external_id: Option<String>,
}

async fn load(conn: &mut Conn, org_id: &str, id: &str) -> ScimResult<Row> {
    sqlx::query_as::<_, Row>("SELECT id, name, external_id FROM teams WHERE org_id = $1 AND id = $2 AND archived_at IS NULL")
        .bind(org_id)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| ScimError::not_found("Group", id))
}

/// A team as SCIM shows it: a row of `select_group`.
#[derive(sqlx::FromRow)]
struct GroupRow {
    id: String,
    name: String,
    external_id: Option<String>,
    created_at: String,
    updated_at: String,
    /// The member ids, comma-separated (ids are UUIDs); None when there are
    /// none or they were not asked for.
    members: Option<String>,
}

/// The columns of `GroupRow` from `teams g` (`$1` = organization), members
/// included when `members` is true. The members of a team of thousands are
/// one value, read from the team_members index alone, leaving out the
/// organization's few archived users (the users_archived index) rather than
/// looking every member up.
fn select_group(members: bool) -> &'static str {
    if members {
        "SELECT g.id, g.name, g.external_id, g.created_at, g.updated_at, \
         (SELECT string_agg(m.user_id, ',' ORDER BY m.user_id) FROM team_members m WHERE m.team_id = g.id \
          AND m.user_id NOT IN (SELECT id FROM users WHERE org_id = $1 AND archived_at IS NOT NULL)) AS members"
    } else {
        "SELECT g.id, g.name, g.external_id, g.created_at, g.updated_at, CAST(NULL AS TEXT) AS members"
    }
}

/// A Group resource (RFC 7643 §4.2), written straight from the row: a team
/// of thousands answers without a JSON object per member.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Group<'a> {
    schemas: [&'static str; 1],
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    external_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    display_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    members: Option<Members<'a>>,
    meta: Meta<'a>,
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Meta<'a> {
    resource_type: &'static str,
    created: &'a str,
    last_modified: &'a str,
    location: String,
}

/// `[{"value": id, "$ref": ".../Users/id", "type": "User"}, ...]`. Members are
/// users only; `display` is not kept (Okta sends one, others none), so it is
/// not returned.
struct Members<'a> {
    base: &'a str,
    ids: &'a str,
}

impl serde::Serialize for Members<'_> {
    fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        struct Member<'a>(&'a str, &'a str);
        impl serde::Serialize for Member<'_> {
            fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
                let mut m = ser.serialize_map(Some(3))?;
                m.serialize_entry("value", self.1)?;
                m.serialize_entry("$ref", &format_args!("{}/Users/{}", self.0, self.1))?;
                m.serialize_entry("type", "User")?;
                m.end()
            }
        }
        let mut seq = ser.serialize_seq(None)?;
        for id in self.ids.split(',').filter(|id| !id.is_empty()) {
            seq.serialize_element(&Member(self.base, id))?;
        }
        seq.end()
    }
}

/// The Group of `r`, with the attributes `p` asks for (all when None).
fn group<'a>(s: &'a Scim, r: &'a GroupRow, p: Option<&ListParams>) -> Group<'a> {
    let wants = |name: &str| p.is_none_or(|p| p.wants(name));
    Group {
        schemas: [SCHEMA_GROUP],
        id: &r.id,
        external_id: r.external_id.as_deref().filter(|_| wants("externalId")),
        display_name: Some(r.name.as_str()).filter(|_| wants("displayName")),
        members: wants("members").then(|| Members { base: &s.base, ids: r.members.as_deref().unwrap_or("") }),
        meta: Meta { resource_type: "Group", created: &r.created_at, last_modified: &r.updated_at, location: s.location("Groups", &r.id) },
    }
}

/// One page of teams matching `wc` (`$1` = organization), as `p` asks; and how many match.
async fn page(conn: &mut Conn, s: &Scim, wc: &str, binds: &[String], offset: i64, limit: i64, p: &ListParams) -> ScimResult<(i64, Vec<GroupRow>)> {
    let from_where = format!("FROM teams g WHERE g.org_id = $1 AND g.archived_at IS NULL AND ({wc})");
    let (rows, total) = super::rows_and_total::<GroupRow>(conn, select_group(p.wants("members")), &from_where, "g.created_at, g.id", &s.org.id, binds, offset, limit).await?;
    Ok((total, rows))
}

/// The Groups of a page, projected by `p`, for a list answer that holds Users too.
pub async fn page_json(conn: &mut Conn, s: &Scim, wc: &str, binds: &[String], offset: i64, limit: i64, p: &ListParams) -> ScimResult<(i64, Vec<Value>)> {
    let (total, rows) = page(conn, s, wc, binds, offset, limit, p).await?;
    let resources = rows.iter().map(|r| serde_json::to_value(group(s, r, Some(p)))).collect::<Result<_, _>>().map_err(|e| ScimError::new(StatusCode::INTERNAL_SERVER_ERROR, None, e.to_string()))?;
    Ok((total, resources))
}

pub async fn list(State(st): State<AppState>, Extension(s): Extension<Scim>, Query(p): Query<ListParams>) -> ScimResult<Response> {
    search(&st, &s, &p).await
}

/// GET /Groups and POST /Groups/.search.
pub async fn search(st: &AppState, s: &Scim, p: &ListParams) -> ScimResult<Response> {
    let (start, count) = paging(p.start_index.as_deref(), p.count.as_deref())?;
    let (wc, binds) = match p.filter.as_deref().filter(|f| !f.trim().is_empty()) {
        Some(f) => filter::to_sql(f, filter::Resource::Group)?,
        None => ("1 = 1".to_string(), Vec::new()),
    };
    let mut conn = st.db.acquire().await?;
    let (total, rows) = page(&mut conn, s, &wc, &binds, start - 1, count, p).await?;
    Ok(list_response(total, start, rows.iter().map(|r| group(s, r, Some(p))).collect()))
}

/// The team as a Group resource answer: one query, members included unless
/// `p` leaves them out.
async fn respond(s: &Scim, conn: &mut Conn, id: &str, status: StatusCode, p: Option<&ListParams>) -> ScimResult<Response> {
    let sql = format!("{} FROM teams g WHERE g.org_id = $1 AND g.id = $2 AND g.archived_at IS NULL", select_group(p.is_none_or(|p| p.wants("members"))));
    let r = sqlx::query_as::<_, GroupRow>(&sql).bind(&s.org.id).bind(id).fetch_optional(&mut *conn).await?.ok_or_else(|| ScimError::not_found("Group", id))?;
    Ok(super::resource_response(s, "Groups", id, status, group(s, &r, p)))
}

pub async fn get(State(st): State<AppState>, Extension(s): Extension<Scim>, Path(id): Path<String>, Query(p): Query<ListParams>) -> ScimResult<Response> {
    let mut conn = st.db.acquire().await?;
    respond(&s, &mut conn, &id, StatusCode::OK, Some(&p)).await
}

/// The member ids in a `members` value: `[{"value": "id"}, ...]`.
pub fn member_ids(v: &Value) -> ScimResult<Vec<String>> {
    let items: Vec<&Value> = match v {
        Value::Array(a) => a.iter().collect(),
        Value::Object(_) => vec![v],
        Value::Null => vec![],
        _ => return Err(ScimError::bad("invalidValue", "members must be a list of {\"value\": \"<user id>\"}.")),
    };
    items
        .into_iter()
        .map(|m| {
            m.as_object()
                .and_then(|o| get_ci(o, "value"))
                .and_then(|v| v.as_str())
                .map(str::to_string)
                .ok_or_else(|| ScimError::bad("invalidValue", "Each member needs a \"value\" with a user id."))
        })
        .collect()
}

fn read_name(v: &Value) -> ScimResult<TeamName> {
    let s = v.as_str().ok_or_else(|| ScimError::bad("invalidValue", "displayName must be a string."))?;
    TeamName::parse("displayName", s).map_err(|e| ScimError::bad("invalidValue", format!("displayName: {}", e.message)))
}

/// The ids that name users of this organization. Others are skipped, as the
/// conformance tools and identity providers expect (a member the IdP has not
/// pushed yet must not fail the whole request); the audit log says so.
async fn known_users(conn: &mut Conn, org_id: &str, ids: &BTreeSet<String>) -> ScimResult<(BTreeSet<String>, Vec<String>)> {
    if ids.is_empty() {
        return Ok((BTreeSet::new(), Vec::new()));
    }
    let list: Vec<String> = ids.iter().cloned().collect();
    let found: BTreeSet<String> = store::users::existing_ids(conn, org_id, &list).await?.into_iter().collect();
    let unknown = list.into_iter().filter(|id| !found.contains(id)).collect();
    Ok((found, unknown))
}

async fn name_clash(conn: &mut Conn, org_id: &str, name: &str, except: &str) -> ScimResult<()> {
    if store::teams::active_named(&mut *conn, org_id, name, except).await?.is_some() {
        return Err(ScimError::conflict(format!("A group (team) named “{name}” already exists.")));
    }
    Ok(())
}

/// Applies a membership change; `add` is what `known_users` found of the ids to add.
async fn set_members(s: &Scim, conn: &mut Conn, team: &Row, (add, unknown): (BTreeSet<String>, Vec<String>), remove: &BTreeSet<String>) -> ScimResult<()> {
    let actor = s.actor();
    // The audit events are written together at the end: one statement.
    let mut events = Vec::new();
    if !unknown.is_empty() {
        events.push(s.event(&actor, audit::TEAM_UPDATED, &team.name, format!("skipped unknown member ids: {}", unknown.join(", "))));
    }
    for u in remove {
        if store::teams::remove_member(conn, &s.org.id, &team.id, u).await? {
            events.push(s.event(&actor, audit::TEAM_MEMBER_REMOVED, u, format!("team {} (by SCIM)", team.name)));
        }
    }
    for u in &add {
        if store::teams::add_member_once(conn, &s.org.id, &team.id, u).await? {
            events.push(s.event(&actor, audit::TEAM_MEMBER_ADDED, u, format!("team {} (by SCIM)", team.name)));
        }
    }
    store::audit::record_many(&mut *conn, events).await?;
    Ok(())
}

async fn current_members(conn: &mut Conn, team_id: &str) -> ScimResult<BTreeSet<String>> {
    let v: Vec<String> = sqlx::query_scalar("SELECT user_id FROM team_members WHERE team_id = $1").bind(team_id).fetch_all(&mut *conn).await?;
    Ok(v.into_iter().collect())
}

/// A whole Group as POST and PUT send it: displayName (required), externalId, members.
fn read_group(body: &Value) -> ScimResult<(TeamName, Option<String>, BTreeSet<String>)> {
    let o = body.as_object().expect("parse_body checked it is an object");
    let name = read_name(get_ci(o, "displayName").ok_or_else(|| ScimError::bad("invalidValue", "displayName is required."))?)?;
    let external_id = get_ci(o, "externalId").and_then(|v| v.as_str()).map(str::to_string);
    let members = match get_ci(o, "members") {
        Some(m) => member_ids(m)?.into_iter().collect(),
        None => BTreeSet::new(),
    };
    Ok((name, external_id, members))
}

pub async fn create(State(st): State<AppState>, Extension(s): Extension<Scim>, Query(p): Query<ListParams>, headers: HeaderMap, body: Bytes) -> ScimResult<Response> {
    let (name, external_id, members) = read_group(&parse_body(&headers, &body)?)?;
    let mut tx = app::store::begin(&st.db).await?;
    name_clash(&mut tx, &s.org.id, name.as_str(), "").await?;
    let id = store::teams::insert(&mut *tx, &s.org.id, name.as_str(), "").await?;
    sqlx::query("UPDATE teams SET origin = 'scim', external_id = $1 WHERE id = $2").bind(&external_id).bind(&id).execute(&mut *tx).await?;
    let actor = s.actor();
    store::audit::record(&mut *tx, s.event(&actor, audit::TEAM_CREATED, name.as_str(), "by SCIM".into())).await?;
    let team = load(&mut tx, &s.org.id, &id).await?;
    let known = known_users(&mut tx, &s.org.id, &members).await?;
    set_members(&s, &mut tx, &team, known, &BTreeSet::new()).await?;
    let res = respond(&s, &mut tx, &id, StatusCode::CREATED, Some(&p)).await?;
    tx.commit().await?;
    Ok(res)
}

async fn rename(s: &Scim, tx: &mut Conn, team: &Row, name: &TeamName, external_id: Option<Option<String>>) -> ScimResult<()> {
    if name.as_str() != team.name {
        name_clash(tx, &s.org.id, name.as_str(), &team.id).await?;
        let actor = s.actor();
        store::audit::record(&mut *tx, s.event(&actor, audit::TEAM_UPDATED, name.as_str(), format!("name: {} → {} (by SCIM)", team.name, name.as_str()))).await?;
    }
    let ext = external_id.unwrap_or_else(|| team.external_id.clone());
    sqlx::query("UPDATE teams SET name = $1, name_norm = $2, external_id = $3, origin = 'scim', updated_at = $4 WHERE id = $5")
        .bind(name.as_str())
        .bind(name.as_str().to_lowercase())
        .bind(ext)
        .bind(store::now())
        .bind(&team.id)
        .execute(&mut *tx)
        .await?;
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
    let (name, external_id, wanted) = read_group(&parse_body(&headers, &body)?)?;
    let mut tx = app::store::begin(&st.db).await?;
    let team = load(&mut tx, &s.org.id, &id).await?;
    rename(&s, &mut tx, &team, &name, Some(external_id)).await?;
    let now = current_members(&mut tx, &id).await?;
    let add = wanted.difference(&now).cloned().collect();
    let remove = now.difference(&wanted).cloned().collect();
    let known = known_users(&mut tx, &s.org.id, &add).await?;
    set_members(&s, &mut tx, &team, known, &remove).await?;
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
    // The usual PATCH (members added and removed by id) is worked out, and the
    // ids to add are checked, before the write lock is taken: other writers
    // wait only for the writes.
    let early = if patch::needs_current_members(&ops) { None } else { Some(patch::group_changes(&ops, None)?) };
    let known = match &early {
        Some(c) if c.add.is_empty() => Some((BTreeSet::new(), Vec::new())),
        Some(c) => Some(known_users(&mut *st.db.acquire().await?, &s.org.id, &c.add).await?),
        None => None,
    };
    let mut tx = app::store::begin(&st.db).await?;
    let team = load(&mut tx, &s.org.id, &id).await?;
    let change = match early {
        Some(c) => c,
        None => {
            let now = current_members(&mut tx, &id).await?;
            patch::group_changes(&ops, Some(&now))?
        }
    };
    let known = match known {
        Some(k) => k,
        None => known_users(&mut tx, &s.org.id, &change.add).await?,
    };
    if change.name.is_some() || change.external_id.is_some() {
        let name = match &change.name {
            Some(v) => read_name(v)?,
            None => TeamName::parse("displayName", &team.name).map_err(|e| ScimError::bad("invalidValue", e.message))?,
        };
        rename(&s, &mut tx, &team, &name, change.external_id.clone()).await?;
    }
    set_members(&s, &mut tx, &team, known, &change.remove).await?;
    tx.commit().await?;
    // The whole resource (RFC 7644 §3.5.2), members included unless the
    // request says `?excludedAttributes=members`; read after the commit, so
    // other writers need not wait for it.
    let mut conn = st.db.acquire().await?;
    respond(&s, &mut conn, &id, StatusCode::OK, Some(&p)).await
}

/// DELETE deactivates the team and archives it (then 404).
pub async fn delete(State(st): State<AppState>, Extension(s): Extension<Scim>, Path(id): Path<String>) -> ScimResult<Response> {
    let mut tx = app::store::begin(&st.db).await?;
    let team = load(&mut tx, &s.org.id, &id).await?;
    sqlx::query("UPDATE teams SET status = 'inactive', origin = 'scim', archived_at = $1, updated_at = $1 WHERE id = $2")
        .bind(store::now())
        .bind(&id)
        .execute(&mut *tx)
        .await?;
    let actor = s.actor();
    store::audit::record(&mut *tx, s.event(&actor, audit::TEAM_DEACTIVATED, &team.name, format!("deleted by SCIM; workspace documents go to {}", s.token.created_by_email))).await?;
    let event = s.event(&actor, audit::DOCUMENTS_TRANSFERRED, &team.name, format!("to {}", s.token.created_by_email));
    app::documents::transfer_team(&mut tx, event, &s.org.id, &team.id, &team.name, &s.token.created_by)
        .await
        .map_err(|e| ScimError::new(StatusCode::INTERNAL_SERVER_ERROR, None, &e.message))?;
    tx.commit().await?;
    Ok(axum::response::IntoResponse::into_response(StatusCode::NO_CONTENT))
}
