//! Administration > Teams. Administrators manage every team; a team admin
//! reaches the teams they administer through the same functions, and the
//! service decides what each caller may do (`service::teams`).
use crate::domain::views::{Choice, TeamDetail, TeamSummary};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// The teams the caller may see: every team for administrators, the public
/// ones and their own for everyone else.
#[server(endpoint = "teams")]
pub async fn list_teams(org: String, search: Option<String>, inactive: Option<bool>) -> Result<Vec<TeamSummary>, AppError> {
    use super::request;
    let c = request::caller(&org).await?;
    Ok(crate::service::teams::list(&request::state().db, &c, search.as_deref().unwrap_or(""), inactive.unwrap_or(false)).await?)
}

#[server(endpoint = "team")]
pub async fn get_team(org: String, id: String) -> Result<TeamDetail, AppError> {
    use super::request;
    let c = request::caller(&org).await?;
    Ok(crate::service::teams::detail(&request::state().db, &c, &id).await?)
}

#[server(endpoint = "create_team")]
pub async fn create_team(org: String, name: String, description: String) -> Result<String, AppError> {
    use super::request;
    use crate::service::teams;
    let c = request::admin(&org).await?;
    Ok(teams::create(&request::state().db, &c.actor(), &name, &description).await?)
}

/// Renames a team (an administrator, or one of its team admins).
#[server(endpoint = "update_team")]
pub async fn update_team(org: String, id: String, name: String, description: String) -> Result<(), AppError> {
    use super::request;
    use crate::service::teams;
    let c = request::caller(&org).await?;
    Ok(teams::update(&request::state().db, &c.actor(), &id, &name, &description).await?)
}

/// Deactivates (an administrator, or one of its team admins) or reactivates (administrators) a team.
#[server(endpoint = "set_team_active")]
pub async fn set_team_active(org: String, id: String, active: bool) -> Result<(), AppError> {
    use super::request;
    use crate::service::teams;
    let c = request::caller(&org).await?;
    Ok(teams::set_active(&request::state().db, &c.actor(), &id, active).await?)
}

/// Adds (`add` true) or removes people from a team (an administrator, or one of its team admins).
#[server(endpoint = "team_members", input = Json)]
pub async fn change_team_members(org: String, team_id: String, user_ids: Vec<String>, add: bool) -> Result<(), AppError> {
    use super::request;
    use crate::service::teams;
    let c = request::caller(&org).await?;
    Ok(teams::change_members(&request::state().db, &c.actor(), &team_id, &user_ids, add).await?)
}

/// Makes a member one of the team's team admins (`on`), or a member only. Administrators only.
#[server(endpoint = "set_team_admin")]
pub async fn set_team_admin(org: String, team_id: String, user_id: String, on: bool) -> Result<(), AppError> {
    use super::request;
    use crate::service::teams;
    let c = request::admin(&org).await?;
    Ok(teams::set_team_admin(&request::state().db, &c.actor(), &team_id, &user_id, on).await?)
}

/// Makes a team public or private. Administrators only.
#[server(endpoint = "set_team_visibility")]
pub async fn set_team_visibility(org: String, id: String, visibility: String) -> Result<(), AppError> {
    use super::request;
    use crate::service::teams;
    let c = request::admin(&org).await?;
    Ok(teams::set_visibility(&request::state().db, &c.actor(), &id, &visibility).await?)
}

/// Active people whose name or email starts with `term`, for the member
/// picker (administrators and team admins; a team admin is offered only
/// people Gatehouse manages).
#[server(endpoint = "search_people")]
pub async fn search_people(org: String, term: String) -> Result<Vec<Choice>, AppError> {
    use super::request;
    let c = request::caller(&org).await?;
    Ok(crate::service::people::search_active(&request::state().db, &c, &term).await?)
}
