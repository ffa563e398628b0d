//! /Groups: teams. The handlers read SCIM's JSON, call the team use cases
//! (`service::teams`), and write SCIM's JSON back. Membership changes apply
//! directly, without rewriting the whole list.
use super::users::get_ci;
use super::{filter, list_response, paging, parse_body, patch, ListParams, Scim, ScimError, ScimResult, SCHEMA_GROUP, SCHEMA_PATCH};
use app::domain::TeamName;
use app::service::directory::{self, GroupEntry};
use app::service::state::AppState;
use app::service::teams::{self, GroupChange, IdpGroup, Patch};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Extension;
use serde_json::Value;
use std::collections::BTreeSet;

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
    meta: Meta,
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Meta {
    resource_type: &'static str,
    created: String,
    last_modified: String,
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
fn group<'a>(s: &'a Scim, r: &'a GroupEntry, p: Option<&ListParams>) -> Group<'a> {
    let wants = |name: &str| p.is_none_or(|p| p.wants(name));
    Group {
        schemas: [SCHEMA_GROUP],
        id: &r.id,
        external_id: r.external_id.as_deref().filter(|_| wants("externalId")),
        display_name: Some(r.name.as_str()).filter(|_| wants("displayName")),
        members: wants("members").then(|| Members { base: &s.base, ids: r.members.as_deref().unwrap_or("") }),
        meta: Meta { resource_type: "Group", created: r.created_at.to_string(), last_modified: r.updated_at.to_string(), location: s.location("Groups", &r.id) },
    }
}

/// The Groups of a page, projected by `p`, for a list answer that holds Users too.
pub async fn page_json(st: &AppState, s: &Scim, search: &directory::Filter, offset: i64, limit: i64, p: &ListParams) -> ScimResult<(i64, Vec<Value>)> {
    let (rows, total) = directory::groups(&st.db, &s.actor, search, offset, limit, p.wants("members")).await?;
    let resources = rows.iter().map(|r| serde_json::to_value(group(s, r, Some(p)))).collect::<Result<_, _>>().map_err(|e| ScimError::new(StatusCode::INTERNAL_SERVER_ERROR, None, e.to_string()))?;
    Ok((total, resources))
}

pub async fn list(State(st): State<AppState>, Extension(s): Extension<Scim>, Query(p): Query<ListParams>) -> ScimResult<Response> {
    search(&st, &s, &p).await
}

/// GET /Groups and POST /Groups/.search.
pub async fn search(st: &AppState, s: &Scim, p: &ListParams) -> ScimResult<Response> {
    let (start, count) = paging(p.start_index.as_deref(), p.count.as_deref())?;
    let search = filter::read(p.filter.as_deref(), filter::Resource::Group)?;
    let (rows, total) = directory::groups(&st.db, &s.actor, &search, start - 1, count, p.wants("members")).await?;
    Ok(list_response(total, start, rows.iter().map(|r| group(s, r, Some(p))).collect()))
}

/// The team as a Group resource answer: one query, members included unless
/// `p` leaves them out.
async fn respond(st: &AppState, s: &Scim, id: &str, status: StatusCode, p: Option<&ListParams>) -> ScimResult<Response> {
    let r = directory::group(&st.db, &s.actor, id, p.is_none_or(|p| p.wants("members"))).await?.ok_or_else(|| ScimError::not_found("Group", id))?;
    Ok(super::resource_response(s, "Groups", id, status, group(s, &r, p)))
}

pub async fn get(State(st): State<AppState>, Extension(s): Extension<Scim>, Path(id): Path<String>, Query(p): Query<ListParams>) -> ScimResult<Response> {
    respond(&st, &s, &id, StatusCode::OK, Some(&p)).await
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
            m.as_object().and_then(|o| get_ci(o, "value")).and_then(|v| v.as_str()).map(str::to_string).ok_or_else(|| ScimError::bad("invalidValue", "Each member needs a \"value\" with a user id."))
        })
        .collect()
}

fn read_name(v: &Value) -> ScimResult<TeamName> {
    let s = v.as_str().ok_or_else(|| ScimError::bad("invalidValue", "displayName must be a string."))?;
    TeamName::parse("displayName", s).map_err(|e| ScimError::bad("invalidValue", format!("displayName: {}", e.message)))
}

/// A whole Group as POST and PUT send it: displayName (required), externalId, members.
fn read_group(body: &Value) -> ScimResult<IdpGroup> {
    let o = body.as_object().expect("parse_body checked it is an object");
    let name = read_name(get_ci(o, "displayName").ok_or_else(|| ScimError::bad("invalidValue", "displayName is required."))?)?;
    let external_id = get_ci(o, "externalId").and_then(|v| v.as_str()).map(str::to_string);
    let members = match get_ci(o, "members") {
        Some(m) => member_ids(m)?.into_iter().collect(),
        None => BTreeSet::new(),
    };
    Ok(IdpGroup { name, external_id, members })
}

/// POST: a new team, or the one this group names brought back or linked
/// (see `teams::provision`); 201 either way.
pub async fn create(State(st): State<AppState>, Extension(s): Extension<Scim>, Query(p): Query<ListParams>, headers: HeaderMap, body: Bytes) -> ScimResult<Response> {
    s.note_body(&body);
    let g = read_group(&parse_body(&headers, &body)?)?;
    s.note_touched("team", "", g.name.as_str());
    let (id, _) = teams::provision(&st.db, &s.actor, g).await?;
    respond(&st, &s, &id, StatusCode::CREATED, Some(&p)).await
}

pub async fn replace(State(st): State<AppState>, Extension(s): Extension<Scim>, Path(id): Path<String>, Query(p): Query<ListParams>, headers: HeaderMap, body: Bytes) -> ScimResult<Response> {
    s.note_body(&body);
    let g = read_group(&parse_body(&headers, &body)?)?;
    teams::replace_provisioned(&st.db, &s.actor, &id, g).await?;
    respond(&st, &s, &id, StatusCode::OK, Some(&p)).await
}

/// The PATCH's change in the terms of the team use cases.
fn change_of(c: patch::GroupChange) -> ScimResult<GroupChange> {
    Ok(GroupChange { name: c.name.as_ref().map(read_name).transpose()?, external_id: c.external_id, add: c.add, remove: c.remove })
}

pub async fn patch(State(st): State<AppState>, Extension(s): Extension<Scim>, Path(id): Path<String>, Query(p): Query<ListParams>, headers: HeaderMap, body: Bytes) -> ScimResult<Response> {
    s.note_body(&body);
    let body = parse_body(&headers, &body)?;
    let ops = patch::operations(&body, SCHEMA_PATCH)?;
    // The usual PATCH (members added and removed by id) is worked out, and the
    // ids to add are checked, before the write lock is taken: other writers
    // wait only for the writes.
    let work_out = |now: &BTreeSet<String>| change_of(patch::group_changes(&ops, Some(now))?);
    let plan = if patch::needs_current_members(&ops) {
        Patch::Late(work_out)
    } else {
        let change = change_of(patch::group_changes(&ops, None)?)?;
        let known = teams::known_people(&mut *st.db.acquire().await?, s.org_id(), &change.add).await?;
        Patch::Early(change, known)
    };
    teams::patch_provisioned(&st.db, &s.actor, &id, plan).await?;
    // The whole resource (RFC 7644 §3.5.2), members included unless the
    // request says `?excludedAttributes=members`; read after the commit, so
    // other writers need not wait for it.
    respond(&st, &s, &id, StatusCode::OK, Some(&p)).await
}

/// DELETE deactivates the team and archives it (then 404).
pub async fn delete(State(st): State<AppState>, Extension(s): Extension<Scim>, Path(id): Path<String>) -> ScimResult<Response> {
    teams::remove_provisioned(&st.db, &s.actor, &id).await?;
    Ok(axum::response::IntoResponse::into_response(StatusCode::NO_CONTENT))
}
