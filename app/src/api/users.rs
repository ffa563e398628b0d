//! Administration > Users, and the invitation page.
use crate::domain::views::{InvitationInfo, InvitationLink, UserDetail, UserPage, UserQuery};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

pub const PAGE_SIZE: u32 = 50;

#[cfg(feature = "ssr")]
mod ssr {
    pub use super::super::request;
    pub use crate::domain::views::{Choice, InvitationLink, UserSummary};
    pub use crate::domain::{Email, PersonName};
    pub use crate::error::{AppError, AppResult};
    pub use crate::service::{access::Caller, people, provisioning};
    pub use crate::store::{self, users::ListRow};

    pub fn summary(r: ListRow, teams: Vec<String>, me: &str) -> UserSummary {
        UserSummary {
            is_self: r.id == me,
            invite_pending: r.invite_pending,
            id: r.id,
            email: r.email,
            first_name: r.first_name,
            last_name: r.last_name,
            account_type_id: r.account_type_id,
            account_type: r.account_type_name,
            teams,
            status: r.status.as_str().into(),
            origin: r.origin.as_str().into(),
            last_login_at: r.last_login_at.map(|t| t.to_string()),
            created_at: r.created_at.to_string(),
            is_guest: r.is_guest,
            mfa_enabled: r.mfa_enabled,
        }
    }

    pub async fn account_type_choices(c: &Caller) -> AppResult<(Vec<Choice>, String)> {
        let types = store::account_types::list(&request::state().db, &c.org.id).await?;
        let default = types.iter().find(|t| t.account_type.invite_default).map(|t| t.account_type.id.clone()).unwrap_or_default();
        Ok((types.into_iter().map(|t| Choice { id: t.account_type.id, label: t.account_type.name }).collect(), default))
    }

    /// The teams new people can join: active ones Gatehouse manages (the
    /// identity provider sets the members of the teams it manages).
    pub async fn team_choices(c: &Caller) -> AppResult<Vec<Choice>> {
        Ok(store::teams::list(&request::state().db, &c.org.id, "", false)
            .await?
            .into_iter()
            .filter(|t| !t.origin.is_managed_by_idp())
            .map(|t| Choice { id: t.id, label: t.name })
            .collect())
    }

    pub fn link(c: &Caller, i: people::Issued) -> InvitationLink {
        InvitationLink {
            link: format!("{}/{}/invite/{}", request::state().config.base_url, c.org.slug, i.token),
            user_id: i.user_id,
            email: i.email,
            expires_at: i.expires_at.to_string(),
        }
    }

    /// The Add users box: one person per line, `email, first name, last name`
    /// (names optional). The first bad line refuses the lot.
    pub fn parse_people(people: &str) -> AppResult<Vec<people::Invitee>> {
        let mut parsed: Vec<people::Invitee> = Vec::new();
        for (i, line) in people.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let n = i + 1;
            let on_line = |e: AppError| AppError::invalid("people", format!("Line {n}: {}", e.message));
            let parts: Vec<&str> = line.split(',').map(str::trim).collect();
            let email = Email::parse("people", parts[0]).map_err(on_line)?;
            let local = email.as_str().split('@').next().unwrap_or("").to_string();
            let first = parts.get(1).filter(|s| !s.is_empty()).map(|s| s.to_string()).unwrap_or(local);
            let last = parts.get(2).map(|s| s.to_string()).unwrap_or_default();
            let first = PersonName::parse("people", &first, "a first name").map_err(on_line)?;
            if last.chars().count() > 100 || parts.len() > 3 {
                return Err(AppError::invalid("people", format!("Line {n}: write “email, first name, last name”, with at most 100 characters a name.")));
            }
            if parsed.iter().any(|p| p.email.normalized() == email.normalized()) {
                return Err(AppError::invalid("people", format!("Line {n}: {} is listed twice.", email.as_str())));
            }
            parsed.push(people::Invitee { email, first_name: first, last_name: last });
        }
        Ok(parsed)
    }
}

#[server(endpoint = "users", input = Json)]
pub async fn list_users(org: String, query: UserQuery) -> Result<UserPage, AppError> {
    use self::ssr::*;
    let c = request::admin(&org).await?;
    let st = request::state();
    let page = query.page.max(1);
    let q = store::users::ListQuery {
        search: query.search.trim(),
        account_type_id: Some(query.account_type.as_str()).filter(|t| !t.is_empty()),
        listed: store::users::Listed::parse(&query.status),
        sort: &query.sort,
        limit: i64::from(PAGE_SIZE),
        offset: i64::from(page - 1) * i64::from(PAGE_SIZE),
    };
    let (rows, total) = store::users::list(&st.db, &c.org.id, &q).await?;
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut teams = store::users::team_names(&st.db, &c.org.id, &ids).await?;
    let (account_types, invite_default) = account_type_choices(&c).await?;
    Ok(UserPage {
        users: rows
            .into_iter()
            .map(|r| {
                let t = teams.remove(&r.id).unwrap_or_default();
                summary(r, t, &c.user.id)
            })
            .collect(),
        total,
        page,
        page_count: ((total + i64::from(PAGE_SIZE) - 1) / i64::from(PAGE_SIZE)).max(1) as u32,
        account_types,
        teams: team_choices(&c).await?,
        invite_default,
        me: c.user.id.clone(),
    })
}

#[server(endpoint = "user")]
pub async fn get_user(org: String, id: String) -> Result<UserDetail, AppError> {
    use self::ssr::*;
    let c = request::admin(&org).await?;
    let st = request::state();
    let row = store::users::list_row(&st.db, &c.org.id, &id).await?.ok_or_else(|| AppError::not_found("That user does not exist."))?;
    let teams = store::users::team_names(&st.db, &c.org.id, std::slice::from_ref(&row.id)).await?.remove(&row.id).unwrap_or_default();
    let filter = store::audit::Filter { action: None, person: Some(row.email.clone()) };
    let (events, _) = store::audit::page(&st.db, &c.org.id, &filter, 50, 0).await?;
    let sign_ins = events
        .into_iter()
        .filter(|e| e.action.starts_with("auth.sign_in") && e.target.eq_ignore_ascii_case(&row.email))
        .take(20)
        .map(Into::into)
        .collect();
    let (account_types, _) = account_type_choices(&c).await?;
    let can_release = row.origin.is_managed_by_idp() && provisioning::can_release(&st.db, &c.org.id).await?;
    Ok(UserDetail {
        can_release,
        team_ids: store::teams::ids_for_user(&st.db, &c.org.id, &row.id).await?,
        user: summary(row, teams, &c.user.id),
        team_choices: team_choices(&c).await?,
        account_types,
        sign_ins,
    })
}

/// Adds people by email, one per line as `email, first name, last name`
/// (names optional), each with an invitation link. Any bad line refuses the lot.
#[server(endpoint = "invite_users", input = Json)]
pub async fn invite_users(org: String, people: String, account_type_id: String, team_ids: Vec<String>, guest: Option<bool>) -> Result<Vec<InvitationLink>, AppError> {
    use self::ssr::*;
    let c = request::admin(&org).await?;
    let invitees = parse_people(&people)?;
    let issued = people::invite(&request::state().db, &c.actor(), &invitees, &account_type_id, &team_ids, guest.unwrap_or(false)).await?;
    Ok(issued.into_iter().map(|i| link(&c, i)).collect())
}

/// A new link for a person who has not accepted yet; the old one stops working.
#[server(endpoint = "resend_invitation")]
pub async fn resend_invitation(org: String, user_id: String) -> Result<InvitationLink, AppError> {
    use self::ssr::*;
    let c = request::admin(&org).await?;
    let issued = people::resend_invitation(&request::state().db, &c.actor(), &user_id).await?;
    Ok(link(&c, issued))
}

#[server(endpoint = "delete_invitation")]
pub async fn delete_invitation(org: String, user_id: String) -> Result<(), AppError> {
    use self::ssr::*;
    let c = request::admin(&org).await?;
    Ok(people::delete_invitation(&request::state().db, &c.actor(), &user_id).await?)
}

#[server(endpoint = "change_account_type", input = Json)]
pub async fn change_account_type(org: String, user_ids: Vec<String>, account_type_id: String) -> Result<(), AppError> {
    use self::ssr::*;
    let c = request::admin(&org).await?;
    Ok(people::change_account_type(&request::state().db, &c.actor(), &user_ids, &account_type_id).await?)
}

/// Deactivates people: their sessions end at once, they cannot sign in, their
/// profile is kept, and their documents go to `new_owner_id` (default: the acting admin).
#[server(endpoint = "deactivate_users", input = Json)]
pub async fn deactivate_users(org: String, user_ids: Vec<String>, new_owner_id: Option<String>) -> Result<(), AppError> {
    use self::ssr::*;
    let c = request::admin(&org).await?;
    Ok(people::deactivate(&request::state().db, &c.actor(), &user_ids, new_owner_id.as_deref()).await?)
}

#[server(endpoint = "reactivate_users", input = Json)]
pub async fn reactivate_users(org: String, user_ids: Vec<String>) -> Result<(), AppError> {
    use self::ssr::*;
    let c = request::admin(&org).await?;
    Ok(people::reactivate(&request::state().db, &c.actor(), &user_ids).await?)
}

/// The invitation page, before the person has chosen a password.
#[server(endpoint = "invitation")]
pub async fn load_invitation(org: String, token: String) -> Result<InvitationInfo, AppError> {
    use self::ssr::*;
    let o = request::org(&org).await?;
    let u = people::invitation(&request::state().db, &o, &token).await?;
    Ok(InvitationInfo { org_name: o.name, email: u.email, first_name: u.first_name })
}

/// Sets the password of an invited person; the link then stops working.
#[server(endpoint = "accept_invitation")]
pub async fn accept_invitation(org: String, token: String, password: String, password_confirm: String) -> Result<(), AppError> {
    use self::ssr::*;
    if password != password_confirm {
        return Err(AppError::invalid("password_confirm", "The two passwords differ. Type the same password twice."));
    }
    let o = request::org(&org).await?;
    people::accept_invitation(&request::state().db, &o, &token, password, &request::client_ip()).await?;
    leptos_axum::redirect(&format!("/{}/login?invited=1", o.slug));
    Ok(())
}

/// Removes a person's authenticator app and recovery codes (they lost their
/// phone): they sign in with their password, and set up a new app when the
/// organization requires one.
#[server(endpoint = "reset_mfa")]
pub async fn reset_mfa(org: String, user_id: String) -> Result<(), AppError> {
    use self::ssr::*;
    let c = request::admin(&org).await?;
    crate::service::mfa::reset(&request::state().db, &c.actor(), &user_id).await?;
    Ok(())
}
