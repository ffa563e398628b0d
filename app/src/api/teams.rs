//! Administration > Teams.
use crate::domain::views::{Choice, TeamDetail, TeamSummary};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
mod ssr {
    pub use crate::auth::{self, ensure_local, Caller};
    pub use crate::domain::views::{TeamMember, TeamSummary};
    pub use crate::domain::{audit, names::parse_description, TeamName};
    pub use crate::error::{AppError, AppResult};
    pub use crate::store::{self, teams::TeamRow};

    pub fn summary(t: TeamRow) -> TeamSummary {
        TeamSummary { id: t.id, name: t.name, description: t.description, member_count: t.member_count, status: t.status, origin: t.origin }
    }

    pub async fn load(c: &Caller, id: &str) -> AppResult<TeamRow> {
        store::teams::get(&auth::state().db, &c.org.id, id).await?.ok_or_else(|| AppError::not_found("That team does not exist."))
    }

    pub fn name_taken(name: &str) -> AppError {
        AppError::conflict("name", format!("A team named “{name}” already exists. Choose another name."))
    }
}

#[server(endpoint = "teams")]
pub async fn list_teams(org: String, search: Option<String>, inactive: Option<bool>) -> Result<Vec<TeamSummary>, AppError> {
    use self::ssr::*;
    let c = auth::admin(&org).await?;
    let rows = store::teams::list(&auth::state().db, &c.org.id, search.as_deref().unwrap_or(""), inactive.unwrap_or(false)).await?;
    Ok(rows.into_iter().map(summary).collect())
}

#[server(endpoint = "team")]
pub async fn get_team(org: String, id: String) -> Result<TeamDetail, AppError> {
    use self::ssr::*;
    let c = auth::admin(&org).await?;
    let t = load(&c, &id).await?;
    let members = store::teams::members(&auth::state().db, &c.org.id, &t.id)
        .await?
        .into_iter()
        .map(|m| TeamMember {
            name: format!("{} {}", m.first_name, m.last_name).trim().to_string(),
            user_id: m.user_id,
            email: m.email,
            account_type: m.account_type,
            status: m.status,
            invite_pending: m.invite_pending == 1,
        })
        .collect();
    let can_release = t.origin == "scim" && store::scim_tokens::active_count(&auth::state().db, &c.org.id).await? == 0;
    Ok(TeamDetail { team: summary(t), members, can_release })
}

#[server(endpoint = "create_team")]
pub async fn create_team(org: String, name: String, description: String) -> Result<String, AppError> {
    use self::ssr::*;
    let c = auth::admin(&org).await?;
    let name = TeamName::parse("name", &name)?;
    let description = parse_description("description", &description)?;
    let mut tx = crate::store::begin(&auth::state().db).await?;
    if store::teams::active_named(&mut *tx, &c.org.id, name.as_str(), "").await?.is_some() {
        return Err(name_taken(name.as_str()));
    }
    let id = store::teams::insert(&mut *tx, &c.org.id, name.as_str(), &description).await?;
    store::audit::record(&mut *tx, c.event(audit::TEAM_CREATED, name.as_str(), description)).await?;
    tx.commit().await?;
    Ok(id)
}

#[server(endpoint = "update_team")]
pub async fn update_team(org: String, id: String, name: String, description: String) -> Result<(), AppError> {
    use self::ssr::*;
    let c = auth::admin(&org).await?;
    let t = load(&c, &id).await?;
    ensure_local(&t.origin, &format!("The team {}", t.name))?;
    let name = TeamName::parse("name", &name)?;
    let description = parse_description("description", &description)?;
    let mut tx = crate::store::begin(&auth::state().db).await?;
    if store::teams::active_named(&mut *tx, &c.org.id, name.as_str(), &t.id).await?.is_some() {
        return Err(name_taken(name.as_str()));
    }
    store::teams::update(&mut *tx, &c.org.id, &t.id, name.as_str(), &description).await?;
    store::audit::record(&mut *tx, c.event(audit::TEAM_UPDATED, name.as_str(), format!("name: {} → {}", t.name, name.as_str()))).await?;
    tx.commit().await?;
    Ok(())
}

#[server(endpoint = "set_team_active")]
pub async fn set_team_active(org: String, id: String, active: bool) -> Result<(), AppError> {
    use self::ssr::*;
    let c = auth::admin(&org).await?;
    let t = load(&c, &id).await?;
    ensure_local(&t.origin, &format!("The team {}", t.name))?;
    let mut tx = crate::store::begin(&auth::state().db).await?;
    if active && store::teams::active_named(&mut *tx, &c.org.id, &t.name, &t.id).await?.is_some() {
        return Err(name_taken(&t.name));
    }
    store::teams::set_status(&mut *tx, &c.org.id, &t.id, if active { "active" } else { "inactive" }).await?;
    let action = if active { audit::TEAM_REACTIVATED } else { audit::TEAM_DEACTIVATED };
    store::audit::record(&mut *tx, c.event(action, &t.name, String::new())).await?;
    tx.commit().await?;
    Ok(())
}

/// Adds (`add` true) or removes people from a team.
#[server(endpoint = "team_members", input = Json)]
pub async fn change_team_members(org: String, team_id: String, user_ids: Vec<String>, add: bool) -> Result<(), AppError> {
    use self::ssr::*;
    let c = auth::admin(&org).await?;
    let t = load(&c, &team_id).await?;
    ensure_local(&t.origin, &format!("The members of {}", t.name))?;
    if t.status != "active" {
        return Err(AppError::invalid("team", format!("{} is deactivated; reactivate it first.", t.name)));
    }
    let mut tx = crate::store::begin(&auth::state().db).await?;
    if user_ids.is_empty() {
        return Err(AppError::invalid("users", "Choose at least one person."));
    }
    let users = store::users::by_ids(&mut tx, &c.org.id, &user_ids).await?;
    if users.len() != { let mut u = user_ids.clone(); u.sort(); u.dedup(); u.len() } {
        return Err(AppError::not_found("Some of these people no longer exist. Reload the page and try again."));
    }
    for u in &users {
        let changed = if add {
            store::teams::add_member_once(&mut tx, &c.org.id, &t.id, &u.id).await?
        } else {
            store::teams::remove_member(&mut tx, &c.org.id, &t.id, &u.id).await?
        };
        if changed {
            let action = if add { audit::TEAM_MEMBER_ADDED } else { audit::TEAM_MEMBER_REMOVED };
            store::audit::record(&mut *tx, c.event(action, &u.email, format!("team {}", t.name))).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Active people whose name or email starts with `term`, for the member picker.
#[server(endpoint = "search_people")]
pub async fn search_people(org: String, term: String) -> Result<Vec<Choice>, AppError> {
    use self::ssr::*;
    let c = auth::admin(&org).await?;
    if term.trim().is_empty() {
        return Ok(Vec::new());
    }
    let rows = store::users::search_active(&auth::state().db, &c.org.id, &term, 10).await?;
    Ok(rows
        .into_iter()
        .map(|r| Choice { id: r.id, label: format!("{} {} <{}>", r.first_name, r.last_name, r.email) })
        .collect())
}
