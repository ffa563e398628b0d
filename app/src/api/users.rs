//! Administration > Users, and the invitation page.
use crate::domain::views::{InvitationLink, PasswordLinkInfo, UserDetail, UserPage, UserQuery};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
mod ssr {
    pub use super::super::request;
    pub use crate::domain::views::InvitationLink;
    pub use crate::domain::{Email, PersonName};
    pub use crate::error::{AppError, AppResult};
    pub use crate::service::{access::Caller, people};

    pub fn link(c: &Caller, i: people::Issued) -> InvitationLink {
        people::link(&request::state().config.base_url, &c.org.slug, i)
    }

    /// The Add users box: one person per line, `email, first name, last name`
    /// (names optional). The first bad line refuses the lot.
    pub fn parse_people(people: &str) -> AppResult<Vec<people::Invitee>> {
        let mut parsed: Vec<people::Invitee> = Vec::new();
        for (i, line) in people.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let n = i + 1;
            let on_line = |e: crate::domain::Invalid| AppError::invalid("people", format!("Line {n}: {}", e.message));
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
    Ok(people::list(&request::state().db, &c, &query).await?)
}

#[server(endpoint = "user")]
pub async fn get_user(org: String, id: String) -> Result<UserDetail, AppError> {
    use self::ssr::*;
    let c = request::admin(&org).await?;
    Ok(people::detail(&request::state().db, &c, &id).await?)
}

/// Adds people by email, one per line as `email, first name, last name`
/// (names optional), each with an invitation link. Any bad line refuses the lot.
#[server(endpoint = "invite_users", input = Json)]
pub async fn invite_users(org: String, people: String, account_type_id: String, team_ids: Vec<String>, guest: Option<bool>) -> Result<Vec<InvitationLink>, AppError> {
    use self::ssr::*;
    let c = request::admin(&org).await?;
    let invitees = parse_people(&people)?;
    let st = request::state();
    let to = people::Sending { config: &st.config, org: &c.org };
    let issued = people::invite(&st.db, &to, &c.actor(), &invitees, &account_type_id, &team_ids, guest.unwrap_or(false)).await?;
    Ok(issued.into_iter().map(|i| link(&c, i)).collect())
}

/// A new link for a person who has not accepted yet; the old one stops working.
#[server(endpoint = "resend_invitation")]
pub async fn resend_invitation(org: String, user_id: String) -> Result<InvitationLink, AppError> {
    use self::ssr::*;
    let c = request::admin(&org).await?;
    let st = request::state();
    let issued = people::resend_invitation(&st.db, &people::Sending { config: &st.config, org: &c.org }, &c.actor(), &user_id).await?;
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
pub async fn load_invitation(org: String, token: String) -> Result<PasswordLinkInfo, AppError> {
    use self::ssr::*;
    let o = request::org(&org).await?;
    Ok(people::invitation_info(&request::state().db, &o, &token).await?)
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
