//! Administration > Teams.
use crate::domain::views::{Choice, TeamDetail, TeamSummary};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[server(endpoint = "teams")]
pub async fn list_teams(org: String, search: Option<String>, inactive: Option<bool>) -> Result<Vec<TeamSummary>, AppError> {
    use super::request;
    let c = request::admin(&org).await?;
    Ok(crate::service::teams::list(&request::state().db, &c, search.as_deref().unwrap_or(""), inactive.unwrap_or(false)).await?)
}

#[server(endpoint = "team")]
pub async fn get_team(org: String, id: String) -> Result<TeamDetail, AppError> {
    use super::request;
    let c = request::admin(&org).await?;
    Ok(crate::service::teams::detail(&request::state().db, &c, &id).await?)
}

#[server(endpoint = "create_team")]
pub async fn create_team(org: String, name: String, description: String) -> Result<String, AppError> {
    use super::request;
    use crate::service::teams;
    let c = request::admin(&org).await?;
    Ok(teams::create(&request::state().db, &c.actor(), &name, &description).await?)
}

#[server(endpoint = "update_team")]
pub async fn update_team(org: String, id: String, name: String, description: String) -> Result<(), AppError> {
    use super::request;
    use crate::service::teams;
    let c = request::admin(&org).await?;
    Ok(teams::update(&request::state().db, &c.actor(), &id, &name, &description).await?)
}

#[server(endpoint = "set_team_active")]
pub async fn set_team_active(org: String, id: String, active: bool) -> Result<(), AppError> {
    use super::request;
    use crate::service::teams;
    let c = request::admin(&org).await?;
    Ok(teams::set_active(&request::state().db, &c.actor(), &id, active).await?)
}

/// Adds (`add` true) or removes people from a team.
#[server(endpoint = "team_members", input = Json)]
pub async fn change_team_members(org: String, team_id: String, user_ids: Vec<String>, add: bool) -> Result<(), AppError> {
    use super::request;
    use crate::service::teams;
    let c = request::admin(&org).await?;
    Ok(teams::change_members(&request::state().db, &c.actor(), &team_id, &user_ids, add).await?)
}

/// Active people whose name or email starts with `term`, for the member picker.
#[server(endpoint = "search_people")]
pub async fn search_people(org: String, term: String) -> Result<Vec<Choice>, AppError> {
    use super::request;
    let c = request::admin(&org).await?;
    Ok(crate::service::people::search_active(&request::state().db, &c, &term).await?)
}
