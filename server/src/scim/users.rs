//! /Users: people, with userType (or Entra's app roles, `roles`) as their
//! account type. The handlers read
//! SCIM's JSON, call the people use cases (`service::people`), and write
//! SCIM's JSON back.
use super::{filter, list_response, paging, parse_body, patch, projected, ListParams, Scim, ScimError, ScimResult, SCHEMA_ATTRIBUTES, SCHEMA_ENTERPRISE, SCHEMA_PATCH, SCHEMA_USER};
use app::domain::{Email, Origin, Status};
use app::service::directory::{self, UserEntry};
use app::service::people::{self, IdpInput};
use app::service::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Extension;
use serde_json::{json, Map, Value};

/// What the identity provider sent that Gatehouse keeps only to return it as
/// sent (users.scim_profile): the `name`, `emails` and `roles` values, and which of the
/// attributes Gatehouse models (`active`, `userType`) the IdP has unassigned.
#[derive(serde::Serialize, serde::Deserialize, Default, Debug, PartialEq)]
struct Profile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    emails: Option<Vec<Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    roles: Option<Vec<Value>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    unassigned: Vec<String>,
    /// The two extensions' objects as sent, by URN: returned as sent, while
    /// only the values of attributes Gatehouse defines are used.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    extensions: Map<String, Value>,
}

impl Profile {
    fn is_unassigned(&self, attr: &str) -> bool {
        self.unassigned.iter().any(|a| a == attr)
    }
}

/// The enterprise extension's attributes that set user attributes of the same name.
pub const ENTERPRISE_ATTRIBUTES: [&str; 4] = ["department", "costCenter", "division", "organization"];

/// `r` as a SCIM User, with `attributes` (the values the identity provider
/// set, by attribute name) in the two extensions.
fn to_json(s: &Scim, r: &UserEntry, attributes: &[(String, String)]) -> Value {
    let mut v = Map::new();
    let mut schemas = vec![SCHEMA_USER];
    // Records the identity provider manages are returned as it sent them;
    // records Gatehouse manages are described from its own columns.
    let profile = if r.origin == Origin::Scim { r.scim_profile.as_deref().and_then(|p| serde_json::from_str::<Profile>(p).ok()) } else { None };
    let enterprise: Map<String, Value> = attributes.iter().filter_map(|(n, x)| ENTERPRISE_ATTRIBUTES.iter().find(|e| e.eq_ignore_ascii_case(n)).map(|e| (e.to_string(), json!(x)))).collect();
    // The others in Gatehouse's extension (each value in one place, so a PATCH of one is not undone by the other).
    let own: Map<String, Value> = attributes.iter().filter(|(n, _)| !ENTERPRISE_ATTRIBUTES.iter().any(|e| e.eq_ignore_ascii_case(n))).map(|(n, x)| (n.clone(), json!(x))).collect();
    for (urn, values) in [(SCHEMA_ENTERPRISE, enterprise), (SCHEMA_ATTRIBUTES, own)] {
        let sent = profile.as_ref().and_then(|p| p.extensions.get(urn)).cloned();
        match sent {
            Some(sent) => {
                schemas.push(urn);
                v.insert(urn.into(), sent);
            }
            None if !values.is_empty() => {
                schemas.push(urn);
                v.insert(urn.into(), Value::Object(values));
            }
            None => {}
        }
    }
    v.insert("schemas".into(), json!(schemas));
    v.insert("id".into(), json!(r.id));
    v.insert("userName".into(), json!(r.email));
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
            if let Some(roles) = &p.roles {
                v.insert("roles".into(), Value::Array(roles.clone()));
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
        v.insert("active".into(), json!(r.status.is_active()));
    }
    if !unassigned("userType") {
        v.insert("userType".into(), json!(r.account_type));
    }
    if let Some(x) = &r.external_id {
        v.insert("externalId".into(), json!(x));
    }
    v.insert("groups".into(), r.groups().map(|(id, name)| json!({"value": id, "display": name, "$ref": s.location("Groups", id)})).collect::<Vec<_>>().into());
    v.insert("meta".into(), json!({"resourceType": "User", "created": r.created_at.to_string(), "lastModified": r.updated_at.to_string(), "location": s.location("Users", &r.id)}));
    Value::Object(v)
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

const MAX_ROLES: usize = 50;

/// `roles` as Entra sends an app role assignment (`AppRoleAssignmentsComplex`
/// mapped to `roles`): a list of {value, display, type, primary}, kept as
/// sent; and the account type it names: the primary role's value, or the
/// first one's. Entra may send a value that is itself the role as JSON
/// (`{"id": …, "value": "Creator", "displayName": "Creator"}`): its `value`
/// (or `displayName`) is the name.
fn read_roles(v: &Value) -> ScimResult<(Vec<Value>, Option<String>)> {
    let items: Vec<&Value> = match v {
        Value::Array(a) => a.iter().filter(|x| !x.is_null()).collect(),
        Value::Object(_) => vec![v],
        _ => return Err(ScimError::bad("invalidValue", "roles must be a list such as [{\"value\": \"Creator\", \"primary\": true}].")),
    };
    if items.len() > MAX_ROLES {
        return Err(ScimError::bad("invalidValue", format!("A user can have at most {MAX_ROLES} roles.")));
    }
    let mut named = Vec::with_capacity(items.len());
    for item in &items {
        let o = item.as_object().ok_or_else(|| ScimError::bad("invalidValue", "Each element of roles must be an object with a value, such as {\"value\": \"Creator\"}."))?;
        let primary = match get_ci(o, "primary") {
            Some(p) => as_bool(p, "roles.primary")?,
            None => false,
        };
        let text = |k: &str| get_ci(o, k).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
        let name = text("value").map(|v| role_name(&v)).or_else(|| text("display"));
        if name.as_ref().is_some_and(|n| n.chars().count() > 256) {
            return Err(ScimError::bad("invalidValue", "roles.value can be at most 256 characters."));
        }
        named.push((primary, name));
    }
    let chosen = named.iter().find(|(p, _)| *p).or_else(|| named.first()).and_then(|(_, n)| n.clone());
    Ok((items.into_iter().cloned().collect(), chosen))
}

/// A role's value: the name itself, or the role as JSON holding it.
fn role_name(value: &str) -> String {
    if value.starts_with('{') {
        if let Ok(Value::Object(o)) = serde_json::from_str::<Value>(value) {
            if let Some(n) = get_ci(&o, "value").or_else(|| get_ci(&o, "displayName")).and_then(Value::as_str).filter(|s| !s.trim().is_empty()) {
                return n.trim().to_string();
            }
        }
    }
    value.to_string()
}

/// The parts of a SCIM User that Gatehouse keeps, read from a request body.
fn read_model(body: &Value, absent: Absent) -> ScimResult<IdpInput> {
    let o = body.as_object().ok_or_else(|| ScimError::bad("invalidSyntax", "The body must be a JSON object."))?;
    let user_name = get_ci(o, "userName").ok_or_else(|| {
        ScimError::bad(
            "invalidValue",
            "userName is required. Gatehouse signs people in with it: map it to the person's email address (in Okta, Username format: Email; in Entra, userPrincipalName or mail).",
        )
    })?;
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
    let first =
        part("givenName").or_else(|| display_name.as_ref().and_then(|d| d.split_whitespace().next().map(str::to_string))).unwrap_or_else(|| email.as_str().split('@').next().unwrap_or("").to_string());
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
    // Entra's app roles name the account type when sent; userType otherwise (Okta).
    let (roles, role) = match get_ci(o, "roles") {
        Some(r) => read_roles(r)?,
        None => (Vec::new(), None),
    };
    let (user_type, user_type_from) = match role {
        Some(r) => (Some(r), "roles"),
        None => (user_type, "userType"),
    };
    if user_type.is_none() && absent == Absent::Unassigned {
        unassigned.push("userType".to_string());
    }
    let roles = Some(roles).filter(|r| !r.is_empty());
    let extensions: Map<String, Value> = [SCHEMA_ENTERPRISE, SCHEMA_ATTRIBUTES]
        .into_iter()
        .filter_map(|urn| o.iter().find(|(k, _)| k.eq_ignore_ascii_case(urn)).filter(|(_, v)| v.is_object()).map(|(_, v)| (urn.to_string(), v.clone())))
        .collect();
    let profile = Profile { name, emails, roles, unassigned, extensions };
    let scim_profile = serde_json::to_string(&profile).expect("a profile serializes");
    let attributes = read_attributes(o)?;
    Ok(IdpInput { email, first_name: first, last_name: last, display_name, external_id, active, user_type, user_type_from, scim_profile, attributes })
}

/// User attribute values from the two extensions, by attribute name: the
/// enterprise extension's `department`, `costCenter`, `division` and
/// `organization`, and every string of Gatehouse's extension (null clears).
fn read_attributes(o: &Map<String, Value>) -> ScimResult<Vec<(String, Option<String>)>> {
    let mut out: Vec<(String, Option<String>)> = Vec::new();
    for (urn, only) in [(SCHEMA_ENTERPRISE, Some(&ENTERPRISE_ATTRIBUTES[..])), (SCHEMA_ATTRIBUTES, None)] {
        let Some(ext) = o.iter().find(|(k, _)| k.eq_ignore_ascii_case(urn)).map(|(_, v)| v).filter(|v| !v.is_null()) else {
            continue;
        };
        let ext = ext.as_object().ok_or_else(|| ScimError::bad("invalidValue", format!("{urn} must be an object.")))?;
        // An extension object may name its schema again: that is no attribute.
        for (k, v) in ext.iter().filter(|(k, _)| !k.eq_ignore_ascii_case("schemas")) {
            let name = match only {
                Some(names) => match names.iter().find(|n| n.eq_ignore_ascii_case(k)) {
                    Some(n) => n.to_string(),
                    None => continue,
                },
                None => k.clone(),
            };
            let value = match v {
                Value::Null => None,
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => return Err(ScimError::bad("invalidValue", format!("{k} in {urn} must be a string."))),
            };
            out.retain(|(n, _)| !n.eq_ignore_ascii_case(&name));
            out.push((name, value));
        }
    }
    Ok(out)
}

/// The values the identity provider set before that it no longer sends: cleared.
fn with_removed(mut m: IdpInput, before: &[(String, String)]) -> IdpInput {
    for (name, _) in before {
        if !m.attributes.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)) {
            m.attributes.push((name.clone(), None));
        }
    }
    m
}

/// One page of the people `search` finds, as SCIM resources projected by `p`; and how many match in all.
pub async fn page(st: &AppState, s: &Scim, search: &directory::Filter, offset: i64, limit: i64, p: &ListParams) -> ScimResult<(i64, Vec<Value>)> {
    let (rows, total) = directory::users(&st.db, &s.actor, search, offset, limit).await?;
    // Lists leave the extensions out: one more query per person on the
    // listing a full sync pages through. A person's own resource has them.
    Ok((total, rows.iter().map(|r| projected(to_json(s, r, &[]), Some(p))).collect()))
}

pub async fn list(State(st): State<AppState>, Extension(s): Extension<Scim>, Query(p): Query<ListParams>) -> ScimResult<Response> {
    search(&st, &s, &p).await
}

/// GET /Users and POST /Users/.search.
pub async fn search(st: &AppState, s: &Scim, p: &ListParams) -> ScimResult<Response> {
    let (start, count) = paging(p.start_index.as_deref(), p.count.as_deref())?;
    let search = filter::read(p.filter.as_deref(), filter::Resource::User)?;
    let (total, resources) = page(st, s, &search, start - 1, count, p).await?;
    Ok(list_response(total, start, resources))
}

/// The person as a User resource answer.
async fn respond(st: &AppState, s: &Scim, id: &str, status: StatusCode, p: Option<&ListParams>) -> ScimResult<Response> {
    let r = directory::user(&st.db, &s.actor, id).await?.ok_or_else(|| people::user_not_found(id))?;
    let attributes = app::service::attributes::idp_values(&st.db, &s.actor.org_id, id).await?;
    Ok(super::resource_response(s, "Users", id, status, projected(to_json(s, &r, &attributes), p)))
}

pub async fn get(State(st): State<AppState>, Extension(s): Extension<Scim>, Path(id): Path<String>, Query(p): Query<ListParams>) -> ScimResult<Response> {
    respond(&st, &s, &id, StatusCode::OK, Some(&p)).await
}

/// POST: a new person, or the one with this userName brought back or linked
/// (see `people::provision`); 201 either way, with the person as they are now.
pub async fn create(State(st): State<AppState>, Extension(s): Extension<Scim>, Query(p): Query<ListParams>, headers: HeaderMap, body: Bytes) -> ScimResult<Response> {
    s.note_body(&body);
    let m = read_model(&parse_body(&headers, &body)?, Absent::Default)?;
    s.note_touched("user", "", m.email.as_str());
    let done = people::provision(&st.db, &s.actor, m.clone()).await?;
    let id = done.id;
    if done.outcome != people::Outcome::Created || !m.attributes.is_empty() {
        return respond(&st, &s, &id, StatusCode::CREATED, Some(&p)).await;
    }
    // A new person is exactly what was written: no need to read them back.
    let now = done.created_at.unwrap_or_else(app::service::Timestamp::now);
    let row = UserEntry {
        id: id.clone(),
        email: m.email.as_str().to_string(),
        first_name: m.first_name,
        last_name: m.last_name,
        display_name: m.display_name,
        external_id: m.external_id,
        status: Status::of(m.active == Some(true)),
        account_type: done.account_type,
        origin: Origin::Scim,
        scim_profile: Some(m.scim_profile),
        created_at: now,
        updated_at: now,
        groups: None,
    };
    Ok(super::resource_response(&s, "Users", &id, StatusCode::CREATED, projected(to_json(&s, &row, &[]), Some(&p))))
}

pub async fn replace(State(st): State<AppState>, Extension(s): Extension<Scim>, Path(id): Path<String>, Query(p): Query<ListParams>, headers: HeaderMap, body: Bytes) -> ScimResult<Response> {
    s.note_body(&body);
    let m = read_model(&parse_body(&headers, &body)?, Absent::Default)?;
    let before = app::service::attributes::idp_values(&st.db, &s.actor.org_id, &id).await?;
    let m = with_removed(m, &before);
    people::update_provisioned::<ScimError, _>(&st.db, &s.actor, &id, |_| Ok(m)).await?;
    respond(&st, &s, &id, StatusCode::OK, Some(&p)).await
}

pub async fn patch(State(st): State<AppState>, Extension(s): Extension<Scim>, Path(id): Path<String>, Query(p): Query<ListParams>, headers: HeaderMap, body: Bytes) -> ScimResult<Response> {
    s.note_body(&body);
    let body = parse_body(&headers, &body)?;
    let ops = patch::operations(&body, SCHEMA_PATCH)?;
    // The operations apply to the person as SCIM shows them now, inside the
    // write (their attribute values as read just before it).
    let before = app::service::attributes::idp_values(&st.db, &s.actor.org_id, &id).await?;
    people::update_provisioned(&st.db, &s.actor, &id, |current: &UserEntry| {
        let mut doc = to_json(&s, current, &before);
        patch::apply(&mut doc, &ops, patch::Resource::User)?;
        Ok::<_, ScimError>(with_removed(read_model(&doc, Absent::Unassigned)?, &before))
    })
    .await?;
    respond(&st, &s, &id, StatusCode::OK, Some(&p)).await
}

/// DELETE deactivates and archives: the person is kept, and gone from SCIM (404)
/// until the identity provider creates them again.
pub async fn delete(State(st): State<AppState>, Extension(s): Extension<Scim>, Path(id): Path<String>) -> ScimResult<Response> {
    people::remove_provisioned(&st.db, &s.actor, &id).await?;
    Ok(axum::response::IntoResponse::into_response(StatusCode::NO_CONTENT))
}
