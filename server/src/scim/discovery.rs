//! ServiceProviderConfig, ResourceTypes and Schemas: exactly what is supported.
use super::{scim_json, Scim, ScimError, ScimResult, SCHEMA_ATTRIBUTES, SCHEMA_ENTERPRISE, SCHEMA_GROUP, SCHEMA_LIST, SCHEMA_USER};
use app::service::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Extension;
use serde_json::{json, Value};

pub async fn service_provider_config(Extension(s): Extension<Scim>) -> Response {
    scim_json(
        StatusCode::OK,
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
            "patch": {"supported": true},
            "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
            "filter": {"supported": true, "maxResults": super::MAX_RESULTS},
            "changePassword": {"supported": false},
            "sort": {"supported": false},
            "etag": {"supported": false},
            "authenticationSchemes": [{
                "type": "oauthbearertoken",
                "name": "OAuth Bearer Token",
                "description": "A provisioning token created in Administration > Authentication.",
                "primary": true
            }],
            "meta": {"resourceType": "ServiceProviderConfig", "location": format!("{}/ServiceProviderConfig", s.base)}
        }),
    )
}

fn resource_type_json(s: &Scim, name: &str) -> Option<Value> {
    let (endpoint, schema, description) = match name {
        "User" => ("/Users", SCHEMA_USER, "People; userType is the Gatehouse account type"),
        "Group" => ("/Groups", SCHEMA_GROUP, "Teams"),
        _ => return None,
    };
    Some(json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
        "id": name,
        "name": name,
        "endpoint": endpoint,
        "description": description,
        "schema": schema,
        "schemaExtensions": if name == "User" {
            json!([{"schema": SCHEMA_ENTERPRISE, "required": false}, {"schema": SCHEMA_ATTRIBUTES, "required": false}])
        } else {
            json!([])
        },
        "meta": {"resourceType": "ResourceType", "location": format!("{}/ResourceTypes/{name}", s.base)}
    }))
}

pub async fn resource_types(Extension(s): Extension<Scim>) -> Response {
    let list: Vec<Value> = ["User", "Group"].iter().filter_map(|n| resource_type_json(&s, n)).collect();
    scim_json(StatusCode::OK, json!({"schemas": [SCHEMA_LIST], "totalResults": list.len(), "startIndex": 1, "itemsPerPage": list.len(), "Resources": list}))
}

pub async fn resource_type(Extension(s): Extension<Scim>, Path(name): Path<String>) -> ScimResult<Response> {
    resource_type_json(&s, &name).map(|v| scim_json(StatusCode::OK, v)).ok_or_else(|| ScimError::not_found("ResourceType", &name))
}

fn attr(name: &str, kind: &str, mutability: &str, extra: Value) -> Value {
    let mut a = json!({
        "name": name, "type": kind, "multiValued": false, "required": false, "caseExact": false,
        "mutability": mutability, "returned": "default", "uniqueness": "none", "description": name
    });
    if let (Some(o), Some(e)) = (a.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            o.insert(k.clone(), v.clone());
        }
    }
    a
}

/// The organization's account type names: the values userType accepts.
async fn account_type_names(st: &AppState, s: &Scim) -> ScimResult<Vec<String>> {
    Ok(app::service::directory::account_type_names(&st.db, &s.actor).await?)
}

/// What `/Schemas` describes that depends on the organization.
struct Known {
    user_types: Vec<String>,
    /// The defined user attributes: name and description.
    attributes: Vec<(String, String)>,
}

async fn known(st: &AppState, s: &Scim) -> ScimResult<Known> {
    Ok(Known { user_types: account_type_names(st, s).await?, attributes: app::service::attributes::for_idp(&st.db, &s.actor).await? })
}

fn schema_json(s: &Scim, id: &str, known: &Known) -> Option<Value> {
    let user_types = &known.user_types;
    let id = [SCHEMA_USER, SCHEMA_GROUP, SCHEMA_ENTERPRISE, SCHEMA_ATTRIBUTES].into_iter().find(|k| k.eq_ignore_ascii_case(id)).unwrap_or(id);
    let (name, attributes) = match id {
        SCHEMA_ENTERPRISE => (
            "EnterpriseUser",
            super::users::ENTERPRISE_ATTRIBUTES
                .iter()
                .map(|n| {
                    let defined = known.attributes.iter().any(|(a, _)| a.eq_ignore_ascii_case(n));
                    let d = if defined {
                        format!("Sets the user attribute {n}; read-only in Gatehouse")
                    } else {
                        format!("Kept when a user attribute named {n} is defined (Administration > User Attributes)")
                    };
                    attr(n, "string", "readWrite", json!({ "description": d }))
                })
                .collect(),
        ),
        SCHEMA_ATTRIBUTES => (
            "GatehouseUserAttributes",
            known.attributes.iter().map(|(n, d)| attr(n, "string", "readWrite", json!({ "description": if d.is_empty() { format!("The user attribute {n}") } else { d.clone() } }))).collect(),
        ),
        SCHEMA_USER => (
            "User",
            vec![
                attr("userName", "string", "readWrite", json!({"required": true, "uniqueness": "server", "description": "The person's email address; unique case-insensitively"})),
                attr(
                    "name",
                    "complex",
                    "readWrite",
                    json!({
                        "description": "Kept and returned as sent; givenName and familyName are the Gatehouse first and last name",
                        "subAttributes": super::users::NAME_PARTS.iter().map(|p| attr(p, "string", "readWrite", json!({}))).collect::<Vec<_>>()
                    }),
                ),
                attr("displayName", "string", "readWrite", json!({})),
                attr(
                    "emails",
                    "complex",
                    "readWrite",
                    json!({
                        "multiValued": true,
                        "description": "Kept and returned as sent; Gatehouse signs the person in with userName",
                        "subAttributes": [
                            attr("value", "string", "readWrite", json!({})),
                            attr("display", "string", "readWrite", json!({})),
                            attr("type", "string", "readWrite", json!({"canonicalValues": ["work", "home", "other"]})),
                            attr("primary", "boolean", "readWrite", json!({}))
                        ]
                    }),
                ),
                attr(
                    "userType",
                    "string",
                    "readWrite",
                    json!({
                        "description": "The Gatehouse account type by name (Viewer when absent; Author means Creator); other values are refused",
                        "canonicalValues": user_types
                    }),
                ),
                attr("active", "boolean", "readWrite", json!({"description": "Removing it deactivates the person"})),
                attr("externalId", "string", "readWrite", json!({"caseExact": true})),
                attr(
                    "groups",
                    "complex",
                    "readOnly",
                    json!({"multiValued": true, "subAttributes": [
                        attr("value", "string", "readOnly", json!({})),
                        attr("$ref", "reference", "readOnly", json!({"referenceTypes": ["Group"], "caseExact": true})),
                        attr("display", "string", "readOnly", json!({}))
                    ]}),
                ),
            ],
        ),
        SCHEMA_GROUP => (
            "Group",
            vec![
                attr("displayName", "string", "readWrite", json!({"required": true})),
                attr("externalId", "string", "readWrite", json!({"caseExact": true})),
                attr(
                    "members",
                    "complex",
                    "readWrite",
                    json!({"multiValued": true, "subAttributes": [
                        attr("value", "string", "immutable", json!({})),
                        attr("$ref", "reference", "immutable", json!({"referenceTypes": ["User"], "caseExact": true})),
                        attr("type", "string", "immutable", json!({"canonicalValues": ["User"]}))
                    ]}),
                ),
            ],
        ),
        _ => return None,
    };
    Some(json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
        "id": id,
        "name": name,
        "description": name,
        "attributes": attributes,
        "meta": {"resourceType": "Schema", "location": format!("{}/Schemas/{id}", s.base)}
    }))
}

pub async fn schemas(State(st): State<AppState>, Extension(s): Extension<Scim>) -> ScimResult<Response> {
    let known = known(&st, &s).await?;
    let list: Vec<Value> = [SCHEMA_USER, SCHEMA_GROUP, SCHEMA_ENTERPRISE, SCHEMA_ATTRIBUTES].iter().filter_map(|id| schema_json(&s, id, &known)).collect();
    Ok(scim_json(StatusCode::OK, json!({"schemas": [SCHEMA_LIST], "totalResults": list.len(), "startIndex": 1, "itemsPerPage": list.len(), "Resources": list})))
}

pub async fn schema(State(st): State<AppState>, Extension(s): Extension<Scim>, Path(id): Path<String>) -> ScimResult<Response> {
    let known = known(&st, &s).await?;
    schema_json(&s, &id, &known).map(|v| scim_json(StatusCode::OK, v)).ok_or_else(|| ScimError::not_found("Schema", &id))
}
