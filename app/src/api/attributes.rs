//! Administration > User Attributes: defining attributes, their values per
//! person and per team, and the teams' priority.
use crate::domain::attributes::{AttributeInput, AttributesPage};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[server(endpoint = "user_attributes")]
pub async fn load_user_attributes(org: String) -> Result<AttributesPage, AppError> {
    use super::request;
    let c = request::admin(&org).await?;
    Ok(crate::service::attributes::page(&request::state().db, &c).await?)
}

/// Defines an attribute (with `id` none) or changes one.
#[server(endpoint = "save_user_attribute", input = Json)]
pub async fn save_user_attribute(org: String, id: Option<String>, input: AttributeInput) -> Result<String, AppError> {
    use super::request;
    use crate::service::attributes;
    let c = request::admin(&org).await?;
    let db = &request::state().db;
    match id.filter(|i| !i.is_empty()) {
        None => Ok(attributes::define(db, &c, &input).await?),
        Some(id) => {
            attributes::change(db, &c, &id, &input).await?;
            Ok(id)
        }
    }
}

/// Sets a person's (by email) or a team's value; an empty value clears it.
#[server(endpoint = "set_user_attribute_value")]
pub async fn set_user_attribute_value(org: String, attribute_id: String, email: Option<String>, team_id: Option<String>, value: String) -> Result<(), AppError> {
    use super::request;
    use crate::service::attributes::{self, Holder};
    let c = request::admin(&org).await?;
    let holder = match (email.as_deref().map(str::trim).filter(|e| !e.is_empty()), team_id.as_deref().filter(|t| !t.is_empty())) {
        (Some(e), None) => Holder::Person(e),
        (None, Some(t)) => Holder::Team(t),
        _ => return Err(AppError::invalid("person", "Set the value of one person (their email) or one team.")),
    };
    Ok(attributes::set_value(&request::state().db, &c, &attribute_id, holder, Some(value.as_str())).await?)
}

/// The teams' priority: every team with a value, first first.
#[server(endpoint = "order_user_attribute_teams", input = Json)]
pub async fn order_user_attribute_teams(org: String, attribute_id: String, team_ids: Vec<String>) -> Result<(), AppError> {
    use super::request;
    let c = request::admin(&org).await?;
    Ok(crate::service::attributes::set_team_order(&request::state().db, &c, &attribute_id, &team_ids).await?)
}
