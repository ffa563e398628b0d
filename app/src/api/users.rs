//! Administration > Users, and the invitation page.
use crate::domain::views::{InvitationInfo, InvitationLink, UserDetail, UserPage, UserQuery};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

pub const PAGE_SIZE: u32 = 50;
/// How long an invitation link works.
pub const INVITATION_DAYS: i64 = 7;

#[cfg(feature = "ssr")]
mod ssr {
    pub use crate::auth::{self, ensure_local, Caller};
    pub use crate::domain::permissions::Permission;
    pub use crate::domain::views::{Choice, InvitationLink, UserSummary};
    pub use crate::domain::{audit, Email, PersonName};
    pub use crate::error::{AppError, AppResult, ErrorKind};
    pub use crate::store::{self, users::{ListRow, UserRow}, Conn};

    pub fn summary(r: ListRow, teams: Vec<String>, me: &str) -> UserSummary {
        UserSummary {
            is_self: r.id == me,
            invite_pending: r.invite_pending == 1,
            id: r.id,
            email: r.email,
            first_name: r.first_name,
            last_name: r.last_name,
            account_type_id: r.account_type_id,
            account_type: r.account_type_name,
            teams,
            status: r.status,
            origin: r.origin,
            last_login_at: r.last_login_at,
            created_at: r.created_at,
        }
    }

    pub async fn account_type_choices(c: &Caller) -> AppResult<(Vec<Choice>, String)> {
        let types = store::account_types::list(&auth::state().db, &c.org.id).await?;
        let default = types.iter().find(|t| t.invite_default == 1).map(|t| t.id.clone()).unwrap_or_default();
        Ok((types.into_iter().map(|t| Choice { id: t.id, label: t.name }).collect(), default))
    }

    pub async fn team_choices(c: &Caller) -> AppResult<Vec<Choice>> {
        Ok(store::teams::list(&auth::state().db, &c.org.id, "", false)
            .await?
            .into_iter()
            .map(|t| Choice { id: t.id, label: t.name })
            .collect())
    }

    /// The users named in a bulk action, all of this organization; unknown ids are an error.
    pub async fn targets(tx: &mut Conn, c: &Caller, ids: &[String]) -> AppResult<Vec<UserRow>> {
        if ids.is_empty() {
            return Err(AppError::invalid("users", "Choose at least one user."));
        }
        if ids.len() > 1000 {
            return Err(AppError::invalid("users", "Choose at most 1,000 users at a time."));
        }
        let mut ids = ids.to_vec();
        ids.sort();
        ids.dedup();
        let users = store::users::by_ids(tx, &c.org.id, &ids).await?;
        if users.len() != ids.len() {
            return Err(AppError::not_found("Some of these users no longer exist. Reload the page and try again."));
        }
        Ok(users)
    }

    pub fn is_admin_type(u: &UserRow) -> bool {
        crate::domain::PermissionSet::from_json(&u.permissions).contains(Permission::Administer)
    }

    pub fn last_admin() -> AppError {
        AppError::new(
            ErrorKind::Conflict,
            "This would leave the organization without an active administrator. Give someone else the Admin account type first.",
        )
    }

    pub async fn issue_link(tx: &mut Conn, c: &Caller, user_id: &str, email: &str) -> AppResult<InvitationLink> {
        let expires = time::OffsetDateTime::now_utc() + time::Duration::days(super::INVITATION_DAYS);
        let expires_at = store::format_time(expires);
        let token = store::invitations::issue(tx, &c.org.id, user_id, &c.user.id, &expires_at).await?;
        Ok(InvitationLink {
            user_id: user_id.to_string(),
            email: email.to_string(),
            link: format!("{}/{}/invite/{token}", auth::state().config.base_url, c.org.slug),
            expires_at,
        })
    }
}

#[server(endpoint = "users", input = Json)]
pub async fn list_users(org: String, query: UserQuery) -> Result<UserPage, AppError> {
    use self::ssr::*;
    let c = auth::admin(&org).await?;
    let st = auth::state();
    let page = query.page.max(1);
    let q = store::users::ListQuery {
        search: query.search.trim(),
        account_type_id: Some(query.account_type.as_str()).filter(|t| !t.is_empty()),
        status: &query.status,
        sort: &query.sort,
        limit: i64::from(PAGE_SIZE),
        offset: i64::from(page - 1) * i64::from(PAGE_SIZE),
    };
    let (rows, total) = store::users::list(&st.db, &c.org.id, &q).await?;
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut teams = store::users::team_names(&st.db, &c.org.id, &ids).await?;
    let (account_types, invite_default) = account_type_choices(&c).await?;
    Ok(UserPage {
        users: rows.into_iter().map(|r| { let t = teams.remove(&r.id).unwrap_or_default(); summary(r, t, &c.user.id) }).collect(),
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
    let c = auth::admin(&org).await?;
    let st = auth::state();
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
    let can_release = row.origin == "scim" && store::scim_tokens::active_count(&st.db, &c.org.id).await? == 0;
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
pub async fn invite_users(org: String, people: String, account_type_id: String, team_ids: Vec<String>) -> Result<Vec<InvitationLink>, AppError> {
    use self::ssr::*;
    let c = auth::admin(&org).await?;
    let st = auth::state();
    let mut parsed = Vec::new();
    for (i, line) in people.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let n = i + 1;
        let parts: Vec<&str> = line.split(',').map(str::trim).collect();
        let email = Email::parse("people", parts[0]).map_err(|e| AppError::invalid("people", format!("Line {n}: {}", e.message)))?;
        let local = email.as_str().split('@').next().unwrap_or("").to_string();
        let first = parts.get(1).filter(|s| !s.is_empty()).map(|s| s.to_string()).unwrap_or(local);
        let last = parts.get(2).map(|s| s.to_string()).unwrap_or_default();
        let first = PersonName::parse("people", &first, "a first name").map_err(|e| AppError::invalid("people", format!("Line {n}: {}", e.message)))?;
        if last.chars().count() > 100 || parts.len() > 3 {
            return Err(AppError::invalid("people", format!("Line {n}: write “email, first name, last name”, with at most 100 characters a name.")));
        }
        if parsed.iter().any(|(e, _, _): &(Email, _, _)| e.normalized() == email.normalized()) {
            return Err(AppError::invalid("people", format!("Line {n}: {} is listed twice.", email.as_str())));
        }
        parsed.push((email, first, last));
    }
    if parsed.is_empty() {
        return Err(AppError::invalid("people", "Enter at least one email address."));
    }
    if parsed.len() > 500 {
        return Err(AppError::invalid("people", "Add at most 500 people at a time."));
    }
    let mut tx = crate::store::begin(&st.db).await?;
    let t = store::account_types::get(&mut *tx, &c.org.id, &account_type_id)
        .await?
        .ok_or_else(|| AppError::invalid("account_type", "Choose an account type."))?;
    for team in &team_ids {
        store::teams::get(&mut *tx, &c.org.id, team).await?.filter(|t| t.status == "active").ok_or_else(|| AppError::invalid("teams", "One of the chosen teams no longer exists."))?;
    }
    let mut links = Vec::new();
    for (email, first, last) in &parsed {
        if store::users::by_email(&st.db, &c.org.id, email.as_str()).await?.is_some() {
            return Err(AppError::conflict("people", format!("{} already has an account here. Nobody was added.", email.as_str())));
        }
        let id = store::new_id();
        store::users::insert(
            &mut *tx,
            store::users::NewUser {
                id: &id,
                org_id: &c.org.id,
                email,
                first_name: first.as_str(),
                last_name: last,
                account_type_id: &t.id,
                password_hash: None,
                invite_pending: true,
            },
        )
        .await
        .map_err(|e| if store::is_unique_violation(&e) { AppError::conflict("people", format!("{} already has an account here. Nobody was added.", email.as_str())) } else { e.into() })?;
        for team in &team_ids {
            store::teams::add_member(&mut *tx, &c.org.id, team, &id).await?;
        }
        links.push(issue_link(&mut tx, &c, &id, email.as_str()).await?);
        store::audit::record(&mut *tx, c.event(audit::USER_INVITED, email.as_str(), format!("account type {}; {} teams", t.name, team_ids.len()))).await?;
    }
    tx.commit().await?;
    Ok(links)
}

/// A new link for a person who has not accepted yet; the old one stops working.
#[server(endpoint = "resend_invitation")]
pub async fn resend_invitation(org: String, user_id: String) -> Result<InvitationLink, AppError> {
    use self::ssr::*;
    let c = auth::admin(&org).await?;
    let mut tx = crate::store::begin(&auth::state().db).await?;
    let u = targets(&mut tx, &c, std::slice::from_ref(&user_id)).await?.remove(0);
    let pending: i64 = sqlx::query_scalar("SELECT invite_pending FROM users WHERE id = $1").bind(&u.id).fetch_one(&mut *tx).await?;
    if pending != 1 {
        return Err(AppError::new(ErrorKind::Conflict, format!("{} has already accepted their invitation.", u.email)));
    }
    let link = issue_link(&mut tx, &c, &u.id, &u.email).await?;
    store::audit::record(&mut *tx, c.event(audit::INVITATION_RESENT, &u.email, String::new())).await?;
    tx.commit().await?;
    Ok(link)
}

#[server(endpoint = "delete_invitation")]
pub async fn delete_invitation(org: String, user_id: String) -> Result<(), AppError> {
    use self::ssr::*;
    let c = auth::admin(&org).await?;
    let mut tx = crate::store::begin(&auth::state().db).await?;
    let u = targets(&mut tx, &c, std::slice::from_ref(&user_id)).await?.remove(0);
    let pending: i64 = sqlx::query_scalar("SELECT invite_pending FROM users WHERE id = $1").bind(&u.id).fetch_one(&mut *tx).await?;
    if pending != 1 {
        return Err(AppError::new(ErrorKind::Conflict, format!("{} has accepted their invitation; deactivate them instead.", u.email)));
    }
    store::users::delete_invited(&mut tx, &c.org.id, &u.id).await?;
    store::audit::record(&mut *tx, c.event(audit::INVITATION_DELETED, &u.email, String::new())).await?;
    tx.commit().await?;
    Ok(())
}

#[server(endpoint = "change_account_type", input = Json)]
pub async fn change_account_type(org: String, user_ids: Vec<String>, account_type_id: String) -> Result<(), AppError> {
    use self::ssr::*;
    let c = auth::admin(&org).await?;
    let mut tx = crate::store::begin(&auth::state().db).await?;
    let users = targets(&mut tx, &c, &user_ids).await?;
    let t = store::account_types::get(&mut *tx, &c.org.id, &account_type_id)
        .await?
        .ok_or_else(|| AppError::invalid("account_type", "Choose an account type."))?;
    for u in &users {
        ensure_local(&u.origin, &format!("{}'s account type", u.email))?;
    }
    let new_is_admin = crate::domain::PermissionSet::from_json(&t.permissions).contains(Permission::Administer);
    if !new_is_admin {
        let losing: Vec<String> = users.iter().filter(|u| is_admin_type(u)).map(|u| u.id.clone()).collect();
        if !losing.is_empty() && store::users::active_admins_except(&mut tx, &c.org.id, &losing).await? < 1 {
            return Err(last_admin());
        }
    }
    for u in users.iter().filter(|u| u.account_type_name != t.name) {
        store::users::set_account_type(&mut tx, &c.org.id, &u.id, &t.id).await?;
        store::audit::record(&mut *tx, c.event(audit::USER_ACCOUNT_TYPE_CHANGED, &u.email, format!("{} → {}", u.account_type_name, t.name))).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Deactivates people: their sessions end at once, they cannot sign in, their
/// profile is kept, and their documents go to `new_owner_id` (default: the acting admin).
#[server(endpoint = "deactivate_users", input = Json)]
pub async fn deactivate_users(org: String, user_ids: Vec<String>, new_owner_id: Option<String>) -> Result<(), AppError> {
    use self::ssr::*;
    let c = auth::admin(&org).await?;
    let mut tx = crate::store::begin(&auth::state().db).await?;
    let users = targets(&mut tx, &c, &user_ids).await?;
    if users.iter().any(|u| u.id == c.user.id) {
        return Err(AppError::forbidden("You cannot deactivate yourself. Ask another administrator."));
    }
    for u in &users {
        ensure_local(&u.origin, &format!("{}'s status", u.email))?;
    }
    let owner_id = new_owner_id.filter(|s| !s.is_empty()).unwrap_or_else(|| c.user.id.clone());
    let owner = store::users::by_ids(&mut tx, &c.org.id, std::slice::from_ref(&owner_id)).await?.pop().filter(|o| o.status == "active")
        .ok_or_else(|| AppError::invalid("new_owner", "Choose an active person to receive the documents."))?;
    if users.iter().any(|u| u.id == owner.id) {
        return Err(AppError::invalid("new_owner", "The new owner of the documents cannot be one of the people being deactivated."));
    }
    let admins: Vec<String> = users.iter().filter(|u| is_admin_type(u) && u.status == "active").map(|u| u.id.clone()).collect();
    if !admins.is_empty() && store::users::active_admins_except(&mut tx, &c.org.id, &admins).await? < 1 {
        return Err(last_admin());
    }
    for u in users.iter().filter(|u| u.status == "active") {
        store::users::set_status(&mut tx, &c.org.id, &u.id, "inactive").await?;
        store::audit::record(&mut *tx, c.event(audit::USER_DEACTIVATED, &u.email, format!("documents go to {}", owner.email))).await?;
        let moved = c.event(audit::DOCUMENTS_TRANSFERRED, &u.email, format!("to {}", owner.email));
        crate::documents::transfer_user(&mut tx, moved, &c.org.id, (&u.id, &u.first_name, &u.last_name, &u.email), &owner.id).await?;
    }
    tx.commit().await?;
    Ok(())
}

#[server(endpoint = "reactivate_users", input = Json)]
pub async fn reactivate_users(org: String, user_ids: Vec<String>) -> Result<(), AppError> {
    use self::ssr::*;
    let c = auth::admin(&org).await?;
    let mut tx = crate::store::begin(&auth::state().db).await?;
    let users = targets(&mut tx, &c, &user_ids).await?;
    for u in &users {
        ensure_local(&u.origin, &format!("{}'s status", u.email))?;
    }
    for u in users.iter().filter(|u| u.status != "active") {
        store::users::set_status(&mut tx, &c.org.id, &u.id, "active").await?;
        store::audit::record(&mut *tx, c.event(audit::USER_REACTIVATED, &u.email, String::new())).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The invitation page, before the person has chosen a password.
#[server(endpoint = "invitation")]
pub async fn load_invitation(org: String, token: String) -> Result<InvitationInfo, AppError> {
    use self::ssr::*;
    let st = auth::state();
    let o = auth::org(&org).await?;
    let inv = store::invitations::find(&st.db, &o.id, &token).await?.ok_or_else(invalid_link)?;
    if inv.used_at.is_some() || inv.expires_at < store::now() {
        return Err(invalid_link());
    }
    let u = store::users::by_id(&st.db, &o.id, &inv.user_id).await?.ok_or_else(invalid_link)?;
    Ok(InvitationInfo { org_name: o.name, email: u.email, first_name: u.first_name })
}

#[cfg(feature = "ssr")]
fn invalid_link() -> AppError {
    AppError::not_found("This invitation link is not valid: it was already used, it expired (links work for 7 days), or a newer link replaced it. Ask your administrator for a new one.")
}

/// Sets the password of an invited person; the link then stops working.
#[server(endpoint = "accept_invitation")]
pub async fn accept_invitation(org: String, token: String, password: String, password_confirm: String) -> Result<(), AppError> {
    use self::ssr::*;
    if password != password_confirm {
        return Err(AppError::invalid("password_confirm", "The two passwords differ. Type the same password twice."));
    }
    crate::domain::password::check_new_password(&password).map_err(|m| AppError::invalid("password", m))?;
    let st = auth::state();
    let o = auth::org(&org).await?;
    let hash = auth::hash_password(password).await?;
    let mut tx = crate::store::begin(&st.db).await?;
    let inv = store::invitations::find(&mut *tx, &o.id, &token).await?.ok_or_else(invalid_link)?;
    if inv.used_at.is_some() || inv.expires_at < store::now() || !store::invitations::mark_used(&mut tx, &inv.id).await? {
        return Err(invalid_link());
    }
    let u = store::users::by_ids(&mut tx, &o.id, std::slice::from_ref(&inv.user_id)).await?.pop().ok_or_else(invalid_link)?;
    store::users::set_password(&mut tx, &o.id, &u.id, &hash).await?;
    store::audit::record(
        &mut *tx,
        store::audit::Event {
            org_id: &o.id,
            actor_id: Some(&u.id),
            actor: &u.email,
            action: audit::INVITATION_ACCEPTED,
            target: &u.email,
            detail: String::new(),
            ip: &auth::client_ip(),
        },
    )
    .await?;
    tx.commit().await?;
    leptos_axum::redirect(&format!("/{}/login?invited=1", o.slug));
    Ok(())
}
