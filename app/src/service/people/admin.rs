//! What administrators do with people: invite them (or resend, or withdraw
//! the invitation), change their account type, deactivate and reactivate them;
//! and what the invited person does with their link.
use super::super::{passwords, Actor, ActorKind, Error, Result};
use super::{end_access, guest_admin, keep_an_admin, target, writable_targets, Losing, INVITATION_DAYS, MAX_INVITED_AT_ONCE};
use crate::domain::{audit, password::check_new_password, words::plural, Email, PersonName, Status};
use crate::service::store::{self, orgs::Org, users::UserRow, Conn, Db, Timestamp};

/// Someone to invite.
pub struct Invitee {
    pub email: Email,
    pub first_name: PersonName,
    pub last_name: String,
}

/// A new invitation link's token, for the person `user_id`.
pub struct Issued {
    pub user_id: String,
    pub email: String,
    pub token: String,
    pub expires_at: Timestamp,
    /// Sent to the person by mail too (mail is set up).
    pub mailed: bool,
}

/// Where invitations are sent from: the public URL, the organization, and mail when it is set up.
pub struct Sending<'a> {
    pub config: &'a crate::service::state::Config,
    pub org: &'a Org,
}

async fn issue_link(tx: &mut Conn, actor: &Actor, to: &Sending<'_>, user_id: &str, email: &str, first_name: &str) -> Result<Issued> {
    let expires_at = Timestamp::from(time::OffsetDateTime::now_utc() + time::Duration::days(INVITATION_DAYS));
    let token = store::links::INVITATIONS.issue(tx, &actor.org_id, user_id, actor.id.as_deref(), &expires_at.to_string()).await?;
    let link = format!("{}/{}/invite/{token}", to.config.base_url, to.org.slug);
    let message = crate::service::mail::messages::invitation(&to.org.name, first_name, email, &link, expires_at);
    let mailed = crate::service::mail::queue(tx, to.config, &actor.org_id, &message).await?;
    Ok(Issued { user_id: user_id.to_string(), email: email.to_string(), token, expires_at, mailed })
}

/// Adds people with one-time invitation links, with an account type and
/// teams. Any problem refuses the lot: nobody is added.
/// `guest`: the people are guests — outside the identity provider, they sign
/// in with a password (also under SAML only), never administer, and the
/// identity provider neither sees nor changes them.
/// Each link is sent by mail too when mail is set up.
pub async fn invite(db: &Db, to: &Sending<'_>, actor: &Actor, people: &[Invitee], account_type_id: &str, team_ids: &[String], guest: bool) -> Result<Vec<Issued>> {
    if people.is_empty() {
        return Err(Error::invalid("people", "Enter at least one email address."));
    }
    if people.len() > MAX_INVITED_AT_ONCE {
        return Err(Error::invalid("people", format!("Add at most {MAX_INVITED_AT_ONCE} people at a time.")));
    }
    let mut tx = super::super::begin(db).await?;
    // Takes turns with account type changes (see account_types::save).
    store::orgs::lock(&mut tx, &actor.org_id).await?;
    let t = store::account_types::get(&mut *tx, &actor.org_id, account_type_id).await?.ok_or_else(|| Error::invalid("account_type", "Choose an account type."))?;
    if guest {
        if !store::auth_settings::get(&mut *tx, &actor.org_id).await?.allow_guests {
            return Err(Error::invalid("guest", "Guest access is off. Turn on “Allow guest access” in Administration > Authentication first."));
        }
        if t.administers {
            return Err(guest_admin(&t.name).on("account_type"));
        }
    }
    let mut team_ids = team_ids.to_vec();
    team_ids.sort();
    team_ids.dedup();
    let teams = store::teams::by_ids(&mut tx, &actor.org_id, &team_ids).await?;
    if teams.len() != team_ids.len() || teams.iter().any(|t| !t.status.is_active()) {
        return Err(Error::invalid("teams", "One of the chosen teams no longer exists or is deactivated. Reload the page and choose again."));
    }
    let teams = teams.into_iter().map(|team| actor.may_change(team, |t| format!("The membership of {}", t.name)).map_err(|e| e.on("teams"))).collect::<Result<Vec<_>>>()?;
    let mut issued = Vec::new();
    for p in people {
        match store::users::by_email(&mut *tx, &actor.org_id, p.email.as_str()).await? {
            Some(u) if u.archived => {
                return Err(Error::taken("people", format!("{} was removed by your identity provider. Assign them to Gatehouse there to bring them back. Nobody was added.", p.email.as_str())))
            }
            Some(_) => return Err(Error::taken("people", format!("{} already has an account here. Nobody was added.", p.email.as_str()))),
            None => {}
        }
        let id = store::new_id();
        let new = store::users::NewUser {
            id: &id,
            org_id: &actor.org_id,
            email: &p.email,
            first_name: p.first_name.as_str(),
            last_name: &p.last_name,
            account_type_id: &t.id,
            password_hash: None,
            invite_pending: true,
            is_guest: guest,
        };
        store::users::insert(&mut *tx, new).await.map_err(|e| {
            if store::is_unique_violation(&e) {
                Error::taken("people", format!("{} already has an account here. Nobody was added.", p.email.as_str()))
            } else {
                e.into()
            }
        })?;
        for team in &teams {
            store::teams::add_member_once(&mut tx, &actor.org_id, team, &id).await?;
        }
        issued.push(issue_link(&mut tx, actor, to, &id, p.email.as_str(), p.first_name.as_str()).await?);
        let teams_text = plural(teams.len() as i64, "team", "teams");
        let guest_text = if guest { "; guest" } else { "" };
        store::audit::record(&mut *tx, actor.event(audit::USER_INVITED, p.email.as_str(), format!("account type {}; {teams_text}{guest_text}", t.name))).await?;
    }
    tx.commit().await?;
    crate::service::mail::wake();
    Ok(issued)
}

fn pending(u: &UserRow, already: &str) -> Result<()> {
    if u.invite_pending {
        Ok(())
    } else {
        Err(Error::conflict(format!("{} {already}", u.email)))
    }
}

/// A new link for a person who has not accepted yet; the old one stops working.
pub async fn resend_invitation(db: &Db, to: &Sending<'_>, actor: &Actor, user_id: &str) -> Result<Issued> {
    let mut tx = super::super::begin(db).await?;
    let u = target(&mut tx, &actor.org_id, user_id).await?;
    pending(&u, "has already accepted their invitation.")?;
    let link = issue_link(&mut tx, actor, to, &u.id, &u.email, &u.first_name).await?;
    store::audit::record(&mut *tx, actor.event(audit::INVITATION_RESENT, &u.email, String::new())).await?;
    tx.commit().await?;
    crate::service::mail::wake();
    Ok(link)
}

/// Removes a person who never accepted their invitation.
pub async fn delete_invitation(db: &Db, actor: &Actor, user_id: &str) -> Result<()> {
    let mut tx = super::super::begin(db).await?;
    let u = target(&mut tx, &actor.org_id, user_id).await?;
    pending(&u, "has accepted their invitation; deactivate them instead.")?;
    store::users::delete_invited(&mut tx, &actor.org_id, &u.id).await?;
    store::audit::record(&mut *tx, actor.event(audit::INVITATION_DELETED, &u.email, String::new())).await?;
    tx.commit().await?;
    Ok(())
}

fn invalid_link() -> Error {
    Error::not_found("This invitation link is not valid: it was already used, it expired (links work for 7 days), or a newer link replaced it. Ask your administrator for a new one.")
}

/// What the invitation page shows: whose password, and the rules.
pub async fn invitation_info(db: &Db, org: &Org, token: &str) -> Result<crate::domain::views::PasswordLinkInfo> {
    let u = invitation(db, org, token).await?;
    let rules = passwords::rules(db, org, &u.email).await?;
    Ok(crate::domain::views::PasswordLinkInfo { org_name: org.name.clone(), email: u.email, first_name: u.first_name, rules })
}

/// The person an open invitation link is for.
async fn invitation(db: &Db, org: &Org, token: &str) -> Result<UserRow> {
    let inv = store::links::INVITATIONS.find(db, &org.id, token).await?.filter(|i| i.is_open()).ok_or_else(invalid_link)?;
    store::users::by_id(db, &org.id, &inv.user_id).await?.ok_or_else(invalid_link)
}

/// Sets the password of an invited person; the link then stops working.
/// The link is checked before the password is hashed (hashing is the costly
/// part), and again, atomically, when it is used.
pub async fn accept_invitation(db: &Db, org: &Org, token: &str, password: String, ip: &str) -> Result<()> {
    let invited = invitation(db, org, token).await?;
    check_new_password(&password, &passwords::rules(db, org, &invited.email).await?).map_err(|m| Error::invalid("password", m))?;
    let hash = passwords::hash(password).await?;
    let mut tx = super::super::begin(db).await?;
    let inv = store::links::INVITATIONS.find(&mut *tx, &org.id, token).await?.filter(|i| i.is_open()).ok_or_else(invalid_link)?;
    if !store::links::INVITATIONS.mark_used(&mut tx, &inv.id).await? {
        return Err(invalid_link());
    }
    let u = store::users::by_id(&mut *tx, &org.id, &inv.user_id).await?.ok_or_else(invalid_link)?;
    store::users::set_password(&mut tx, &org.id, &u.id, &hash).await?;
    let me = Actor { org_id: org.id.clone(), id: Some(u.id.clone()), label: u.email.clone(), ip: ip.to_string(), kind: ActorKind::Person, activity: None };
    store::audit::record(&mut *tx, me.event(audit::INVITATION_ACCEPTED, &u.email, String::new())).await?;
    tx.commit().await?;
    Ok(())
}

/// Gives people another account type. Nobody managed by the identity
/// provider, and never the organization's last active administrator.
pub async fn change_account_type(db: &Db, actor: &Actor, ids: &[String], account_type_id: &str) -> Result<()> {
    let mut tx = super::super::begin(db).await?;
    // Takes turns with account type changes (see account_types::save).
    store::orgs::lock(&mut tx, &actor.org_id).await?;
    let users = writable_targets(&mut tx, actor, ids, "account type").await?;
    let t = store::account_types::get(&mut *tx, &actor.org_id, account_type_id).await?.ok_or_else(|| Error::invalid("account_type", "Choose an account type."))?;
    if !t.administers {
        let losing: Vec<String> = users.iter().filter(|u| u.is_active_admin()).map(|u| u.id.clone()).collect();
        keep_an_admin(&mut tx, &actor.org_id, Losing::People(&losing)).await?;
    } else if let Some(g) = users.iter().find(|u| u.is_guest) {
        return Err(Error::invalid("account_type", format!("{} is a guest. {}", g.email, guest_admin(&t.name).message)));
    }
    for u in users.iter().filter(|u| u.account_type_id != t.id) {
        store::users::set_account_type(&mut tx, u, &t.id).await?;
        store::audit::record(&mut *tx, actor.event(audit::USER_ACCOUNT_TYPE_CHANGED, &u.email, format!("{} → {}", u.account_type_name, t.name))).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Deactivates people: their sessions end at once, they cannot sign in, their
/// profile is kept, and their documents go to `new_owner_id` (default: the acting admin).
pub async fn deactivate(db: &Db, actor: &Actor, ids: &[String], new_owner_id: Option<&str>) -> Result<()> {
    let mut tx = super::super::begin(db).await?;
    // Deactivations take turns (two admins deactivating each other at once):
    // the second then finds the first's change, its own account included.
    store::orgs::lock(&mut tx, &actor.org_id).await?;
    if let Some(me) = actor.id.as_deref() {
        if store::users::by_id(&mut *tx, &actor.org_id, me).await?.is_some_and(|u| !u.status.is_active()) {
            return Err(super::super::access::unauthenticated());
        }
    }
    let users = writable_targets(&mut tx, actor, ids, "status").await?;
    if users.iter().any(|u| Some(u.id.as_str()) == actor.id.as_deref()) {
        return Err(Error::forbidden("You cannot deactivate yourself. Ask another administrator."));
    }
    let owner_id = new_owner_id.filter(|s| !s.is_empty()).or(actor.id.as_deref()).unwrap_or_default();
    let owner = store::users::by_id(&mut *tx, &actor.org_id, owner_id)
        .await?
        .filter(|o| o.status.is_active())
        .ok_or_else(|| Error::invalid("new_owner", "Choose an active person to receive the documents."))?;
    if users.iter().any(|u| u.id == owner.id) {
        return Err(Error::invalid("new_owner", "The new owner of the documents cannot be one of the people being deactivated."));
    }
    let admins: Vec<String> = users.iter().filter(|u| u.is_active_admin()).map(|u| u.id.clone()).collect();
    keep_an_admin(&mut tx, &actor.org_id, Losing::People(&admins)).await?;
    for u in users.iter().filter(|u| u.status.is_active()) {
        end_access(&mut tx, actor, u, (&owner.id, &owner.email), "").await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Gives deactivated people their access back (their documents stay where
/// the deactivation moved them).
pub async fn reactivate(db: &Db, actor: &Actor, ids: &[String]) -> Result<()> {
    let mut tx = super::super::begin(db).await?;
    let users = writable_targets(&mut tx, actor, ids, "status").await?;
    for u in users.iter().filter(|u| !u.status.is_active()) {
        store::users::set_status(&mut tx, u, Status::Active).await?;
        store::audit::record(&mut *tx, actor.event(audit::USER_REACTIVATED, &u.email, String::new())).await?;
    }
    tx.commit().await?;
    Ok(())
}
