//! Administration > Teams.
use crate::domain::views::{Choice, TeamDetail, TeamSummary};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
mod ssr {
    pub use super::super::request;
    pub use crate::domain::views::{TeamMember, TeamSummary};
    pub use crate::error::AppError;
    pub use crate::service::{provisioning, teams};
    pub use crate::store::{self, teams::TeamRow};

    pub fn summary(t: TeamRow) -> TeamSummary {
        TeamSummary {
            id: t.id,
            name: t.name,
            description: t.description,
            member_count: t.member_count,
            status: t.status.as_str().into(),
            origin: t.origin.as_str().into(),
        }
    }
}

#[server(endpoint = "teams")]
pub async fn list_teams(org: String, search: Option<String>, inactive: Option<bool>) -> Result<Vec<TeamSummary>, AppError> {
    use self::ssr::*;
    let c = request::admin(&org).await?;
    let rows = store::teams::list(&request::state().db, &c.org.id, search.as_deref().unwrap_or(""), inactive.unwrap_or(false)).await?;
    Ok(rows.into_iter().map(summary).collect())
}

#[server(endpoint = "team")]
pub async fn get_team(org: String, id: String) -> Result<TeamDetail, AppError> {
    use self::ssr::*;
    let c = request::admin(&org).await?;
    let db = &request::state().db;
    let t = store::teams::get(db, &c.org.id, &id).await?.ok_or_else(|| AppError::from(teams::team_not_found()))?;
    let members = store::teams::members(db, &c.org.id, &t.id)
        .await?
        .into_iter()
        .map(|m| TeamMember {
            name: format!("{} {}", m.first_name, m.last_name).trim().to_string(),
            user_id: m.user_id,
            email: m.email,
            account_type: m.account_type,
            status: m.status.as_str().into(),
            invite_pending: m.invite_pending,
        })
        .collect();
    let can_release = t.origin.is_managed_by_idp() && provisioning::can_release(db, &c.org.id).await?;
    Ok(TeamDetail { team: summary(t), members, can_release })
}

#[server(endpoint = "create_team")]
pub async fn create_team(org: String, name: String, description: String) -> Result<String, AppError> {
    use self::ssr::*;
    let c = request::admin(&org).await?;
    Ok(teams::create(&request::state().db, &c.actor(), &name, &description).await?)
}

#[server(endpoint = "update_team")]
pub async fn update_team(org: String, id: String, name: String, description: String) -> Result<(), AppError> {
    use self::ssr::*;
    let c = request::admin(&org).await?;
    Ok(teams::update(&request::state().db, &c.actor(), &id, &name, &description).await?)
}

#[server(endpoint = "set_team_active")]
pub async fn set_team_active(org: String, id: String, active: bool) -> Result<(), AppError> {
    use self::ssr::*;
    let c = request::admin(&org).await?;
    Ok(teams::set_active(&request::state().db, &c.actor(), &id, active).await?)
}

/// Adds (`add` true) or removes people from a team.
#[server(endpoint = "team_members", input = Json)]
pub async fn change_team_members(org: String, team_id: String, user_ids: Vec<String>, add: bool) -> Result<(), AppError> {
    use self::ssr::*;
    let c = request::admin(&org).await?;
    Ok(teams::change_members(&request::state().db, &c.actor(), &team_id, &user_ids, add).await?)
}

/// Active people whose name or email starts with `term`, for the member picker.
#[server(endpoint = "search_people")]
pub async fn search_people(org: String, term: String) -> Result<Vec<Choice>, AppError> {
    use self::ssr::*;
    let c = request::admin(&org).await?;
    if term.trim().is_empty() {
        return Ok(Vec::new());
    }
    let rows = store::users::search_active(&request::state().db, &c.org.id, &term, 10).await?;
    Ok(rows.into_iter().map(|r| Choice { id: r.id, label: format!("{} {} <{}>", r.first_name, r.last_name, r.email) }).collect())
}
