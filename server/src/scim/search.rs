//! POST /.search, /Users/.search and /Groups/.search (RFC 7644 §3.4.3): a
//! query sent in the body, for filters too long or too private for a URL.
//! At the root it searches Users, then Groups, as one list.
use super::{filter, groups, list_response, paging, parse_body, users, ListParams, Scim, ScimError, ScimResult};
use app::service::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::Extension;
use serde_json::{Map, Value};

pub const SCHEMA_SEARCH: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";

/// A SearchRequest body as the query parameters of a GET.
fn read(headers: &HeaderMap, body: &Bytes) -> ScimResult<ListParams> {
    let v = parse_body(headers, body)?;
    let o = v.as_object().expect("parse_body checks for an object");
    if let Some(schemas) = field(o, "schemas") {
        let ok = schemas.as_array().is_some_and(|a| a.iter().any(|s| s.as_str() == Some(SCHEMA_SEARCH)));
        if !ok {
            return Err(ScimError::bad("invalidSyntax", format!("A search request's schemas must be [\"{SCHEMA_SEARCH}\"].")));
        }
    }
    let text = |name: &str| -> ScimResult<Option<String>> {
        match field(o, name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(ScimError::bad("invalidValue", format!("{name} must be a string."))),
        }
    };
    let list = |name: &str| -> ScimResult<Option<String>> {
        match field(o, name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Array(a)) => a
                .iter()
                .map(|x| x.as_str().map(str::to_string).ok_or_else(|| ScimError::bad("invalidValue", format!("{name} must be a list of attribute names."))))
                .collect::<ScimResult<Vec<_>>>()
                .map(|v| Some(v.join(","))),
            Some(_) => Err(ScimError::bad("invalidValue", format!("{name} must be a list of attribute names."))),
        }
    };
    let number = |name: &str| -> ScimResult<Option<String>> {
        match field(o, name) {
            None => Ok(None),
            Some(Value::Number(n)) if n.is_i64() => Ok(Some(n.to_string())),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(ScimError::bad("invalidValue", format!("{name} must be a whole number."))),
        }
    };
    // sortBy and sortOrder are ignored: sorting is not offered (ServiceProviderConfig says so).
    Ok(ListParams { filter: text("filter")?, start_index: number("startIndex")?, count: number("count")?, attributes: list("attributes")?, excluded_attributes: list("excludedAttributes")? })
}

fn field<'a>(o: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    o.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v).filter(|v| !v.is_null())
}

pub async fn users(State(st): State<AppState>, Extension(s): Extension<Scim>, headers: HeaderMap, body: Bytes) -> ScimResult<Response> {
    s.note_body(&body);
    users::search(&st, &s, &read(&headers, &body)?).await
}

pub async fn groups(State(st): State<AppState>, Extension(s): Extension<Scim>, headers: HeaderMap, body: Bytes) -> ScimResult<Response> {
    s.note_body(&body);
    groups::search(&st, &s, &read(&headers, &body)?).await
}

/// Both resource types. A filter naming an attribute only one type has
/// selects from that type alone (RFC 7644 §3.4.2.2); one neither has is a 400.
pub async fn root(State(st): State<AppState>, Extension(s): Extension<Scim>, headers: HeaderMap, body: Bytes) -> ScimResult<Response> {
    s.note_body(&body);
    let p = read(&headers, &body)?;
    let (start, count) = paging(p.start_index.as_deref(), p.count.as_deref())?;
    if let Some(f) = p.filter.as_deref().filter(|f| !f.trim().is_empty()) {
        filter::parse(f)?;
    }
    let (u, g) = (filter::read(p.filter.as_deref(), filter::Resource::User), filter::read(p.filter.as_deref(), filter::Resource::Group));
    if let (Err(e), Err(_)) = (&u, &g) {
        return Err(ScimError::bad("invalidFilter", e.detail.clone()));
    }
    let offset = start - 1;
    let (mut total, mut resources) = (0, Vec::new());
    if let Ok(search) = &u {
        let (n, page) = users::page(&st, &s, search, offset, count, &p).await?;
        total += n;
        resources = page;
    }
    if let Ok(search) = &g {
        // Groups follow the users: skip what the users used of the offset and the page.
        let skip = (offset - total).max(0);
        let room = count - resources.len() as i64;
        let (n, page) = groups::page_json(&st, &s, search, skip, room, &p).await?;
        total += n;
        resources.extend(page);
    }
    Ok(list_response(total, start, resources))
}
