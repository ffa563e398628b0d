//! People, through their whole life: invited by an administrator (or created
//! at first run), or created by the identity provider; account type changes;
//! deactivated (their documents move to someone else) and reactivated;
//! deleted by the identity provider (archived) and provisioned again.
//!
//! The rules every door shares: the organization keeps an active
//! administrator (`keep_an_admin`), and people the identity provider manages
//! change only through it (`Actor::ensure_may_change`).
use super::{documents, passwords, Actor, ActorKind, Error, Kind, Result};
use crate::domain::permissions::BuiltIn;
use crate::domain::{audit, password::check_new_password, Email, Origin, PersonName, Status};
use crate::store::{self, directory::UserEntry, orgs::Org, users::IdpPerson, users::UserRow, Conn, Db, Timestamp};

/// How long an invitation link works.
pub const INVITATION_DAYS: i64 = 7;
/// The most people one bulk action or invitation may name.
pub const MAX_AT_ONCE: usize = 1000;
pub const MAX_INVITED_AT_ONCE: usize = 500;

/// Whose admin-ness a change ends: these people, or everyone holding an account type.
pub(crate) enum Losing<'a> {
    People(&'a [String]),
    HoldersOf(&'a str),
}

/// The last-admin rule, in one place: after the change the organization
/// still has an active person whose account type administers it. Runs inside
/// the change's transaction, which it serializes with every other such change
/// of the organization (see `store::users::active_admins_except`).
pub(crate) async fn keep_an_admin(tx: &mut Conn, org_id: &str, losing: Losing<'_>) -> Result<()> {
    let remaining = match losing {
        Losing::People([]) => return Ok(()),
        Losing::People(ids) => store::users::active_admins_except(tx, org_id, ids, None).await?,
        Losing::HoldersOf(type_id) => store::users::active_admins_except(tx, org_id, &[], Some(type_id)).await?,
    };
    if remaining < 1 {
        return Err(Error::last_admin());
    }
    Ok(())
}

/// The people a bulk action names, all of this organization; unknown ids are an error.
async fn targets(tx: &mut Conn, org_id: &str, ids: &[String]) -> Result<Vec<UserRow>> {
    if ids.is_empty() {
        return Err(Error::invalid("users", "Choose at least one user."));
    }
    if ids.len() > MAX_AT_ONCE {
        return Err(Error::invalid("users", format!("Choose at most {MAX_AT_ONCE} users at a time.")));
    }
    let mut ids = ids.to_vec();
    ids.sort();
    ids.dedup();
    let users = store::users::by_ids(tx, org_id, &ids).await?;
    if users.len() != ids.len() {
        return Err(Error::not_found("Some of these users no longer exist. Reload the page and try again."));
    }
    Ok(users)
}

async fn target(tx: &mut Conn, org_id: &str, id: &str) -> Result<UserRow> {
    Ok(targets(tx, org_id, std::slice::from_ref(&id.to_string())).await?.remove(0))
}

/// Ends a person's access: inactive at once (their sessions end with their
/// next request) and their documents to `to`. `how` begins the audit detail.
async fn end_access(tx: &mut Conn, actor: &Actor, u: (&str, &str, &str, &str), to: (&str, &str), how: &str) -> Result<()> {
    store::users::set_status(tx, &actor.org_id, u.0, Status::Inactive).await?;
    end_access_recorded(tx, actor, u, to, how).await
}

/// The audit entry and the document transfer of a deactivation whose status is already written.
async fn end_access_recorded(tx: &mut Conn, actor: &Actor, u: (&str, &str, &str, &str), to: (&str, &str), how: &str) -> Result<()> {
    store::audit::record(&mut *tx, actor.event(audit::USER_DEACTIVATED, u.3, format!("{how}documents go to {}", to.1))).await?;
    documents::transfer_user(tx, actor, u, to.0, &format!("to {}", to.1)).await
}

fn person(u: &UserRow) -> (&str, &str, &str, &str) {
    (&u.id, &u.first_name, &u.last_name, &u.email)
}

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
}

async fn issue_link(tx: &mut Conn, actor: &Actor, user_id: &str, email: &str) -> Result<Issued> {
    let expires_at = Timestamp::from(time::OffsetDateTime::now_utc() + time::Duration::days(INVITATION_DAYS));
    let token = store::invitations::issue(tx, &actor.org_id, user_id, actor.id.as_deref().unwrap_or(""), &expires_at.to_string()).await?;
    Ok(Issued { user_id: user_id.to_string(), email: email.to_string(), token, expires_at })
}

/// Adds people with one-time invitation links, with an account type and
/// teams. Any problem refuses the lot: nobody is added.
/// `guest`: the people are guests — outside the identity provider, they sign
/// in with a password (also under SAML only), never administer, and the
/// identity provider neither sees nor changes them.
pub async fn invite(db: &Db, actor: &Actor, people: &[Invitee], account_type_id: &str, team_ids: &[String], guest: bool) -> Result<Vec<Issued>> {
    if people.is_empty() {
        return Err(Error::invalid("people", "Enter at least one email address."));
    }
    if people.len() > MAX_INVITED_AT_ONCE {
        return Err(Error::invalid("people", format!("Add at most {MAX_INVITED_AT_ONCE} people at a time.")));
    }
    let mut tx = super::begin(db).await?;
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
    for team in &teams {
        actor.ensure_may_change(team.origin, &format!("The membership of {}", team.name)).map_err(|e| e.on("teams"))?;
    }
    let mut issued = Vec::new();
    for p in people {
        match store::users::by_email(&mut *tx, &actor.org_id, p.email.as_str()).await? {
            Some(u) if u.archived => {
                return Err(Error::taken(
                    "people",
                    format!("{} was removed by your identity provider. Assign them to Gatehouse there to bring them back. Nobody was added.", p.email.as_str()),
                ))
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
            store::teams::add_member(&mut *tx, &actor.org_id, &team.id, &id).await?;
        }
        issued.push(issue_link(&mut tx, actor, &id, p.email.as_str()).await?);
        let teams_text = match teams.len() {
            1 => "1 team".to_string(),
            n => format!("{n} teams"),
        };
        let guest_text = if guest { "; guest" } else { "" };
        store::audit::record(&mut *tx, actor.event(audit::USER_INVITED, p.email.as_str(), format!("account type {}; {teams_text}{guest_text}", t.name))).await?;
    }
    tx.commit().await?;
    Ok(issued)
}

/// The rule that guests never administer.
pub(crate) fn guest_admin(type_name: &str) -> Error {
    Error::invalid(
        "account_type",
        format!("Guests cannot hold “{type_name}”: it administers the organization. Choose an account type without “Administer the organization”."),
    )
}

fn pending(u: &UserRow, already: &str) -> Result<()> {
    if u.invite_pending {
        Ok(())
    } else {
        Err(Error::conflict(format!("{} {already}", u.email)))
    }
}

/// A new link for a person who has not accepted yet; the old one stops working.
pub async fn resend_invitation(db: &Db, actor: &Actor, user_id: &str) -> Result<Issued> {
    let mut tx = super::begin(db).await?;
    let u = target(&mut tx, &actor.org_id, user_id).await?;
    pending(&u, "has already accepted their invitation.")?;
    let link = issue_link(&mut tx, actor, &u.id, &u.email).await?;
    store::audit::record(&mut *tx, actor.event(audit::INVITATION_RESENT, &u.email, String::new())).await?;
    tx.commit().await?;
    Ok(link)
}

/// Removes a person who never accepted their invitation.
pub async fn delete_invitation(db: &Db, actor: &Actor, user_id: &str) -> Result<()> {
    let mut tx = super::begin(db).await?;
    let u = target(&mut tx, &actor.org_id, user_id).await?;
    pending(&u, "has accepted their invitation; deactivate them instead.")?;
    store::users::delete_invited(&mut tx, &actor.org_id, &u.id).await?;
    store::audit::record(&mut *tx, actor.event(audit::INVITATION_DELETED, &u.email, String::new())).await?;
    tx.commit().await?;
    Ok(())
}

fn invalid_link() -> Error {
    Error::not_found(
        "This invitation link is not valid: it was already used, it expired (links work for 7 days), or a newer link replaced it. Ask your administrator for a new one.",
    )
}

/// The person an open invitation link is for.
pub async fn invitation(db: &Db, org: &Org, token: &str) -> Result<UserRow> {
    let inv = store::invitations::find(db, &org.id, token).await?.filter(|i| i.is_open()).ok_or_else(invalid_link)?;
    store::users::by_id(db, &org.id, &inv.user_id).await?.ok_or_else(invalid_link)
}

/// Sets the password of an invited person; the link then stops working.
/// The link is checked before the password is hashed (hashing is the costly
/// part), and again, atomically, when it is used.
pub async fn accept_invitation(db: &Db, org: &Org, token: &str, password: String, ip: &str) -> Result<()> {
    check_new_password(&password).map_err(|m| Error::invalid("password", m))?;
    invitation(db, org, token).await?;
    let hash = passwords::hash(password).await?;
    let mut tx = super::begin(db).await?;
    let inv = store::invitations::find(&mut *tx, &org.id, token).await?.filter(|i| i.is_open()).ok_or_else(invalid_link)?;
    if !store::invitations::mark_used(&mut tx, &inv.id).await? {
        return Err(invalid_link());
    }
    let u = store::users::by_id(&mut *tx, &org.id, &inv.user_id).await?.ok_or_else(invalid_link)?;
    store::users::set_password(&mut tx, &org.id, &u.id, &hash).await?;
    let me = Actor { org_id: org.id.clone(), id: Some(u.id.clone()), label: u.email.clone(), ip: ip.to_string(), kind: ActorKind::Person };
    store::audit::record(&mut *tx, me.event(audit::INVITATION_ACCEPTED, &u.email, String::new())).await?;
    tx.commit().await?;
    Ok(())
}

/// Gives people another account type. Nobody managed by the identity
/// provider, and never the organization's last active administrator.
pub async fn change_account_type(db: &Db, actor: &Actor, ids: &[String], account_type_id: &str) -> Result<()> {
    let mut tx = super::begin(db).await?;
    // Takes turns with account type changes (see account_types::save).
    store::orgs::lock(&mut tx, &actor.org_id).await?;
    let users = targets(&mut tx, &actor.org_id, ids).await?;
    let t = store::account_types::get(&mut *tx, &actor.org_id, account_type_id).await?.ok_or_else(|| Error::invalid("account_type", "Choose an account type."))?;
    for u in &users {
        actor.ensure_may_change(u.origin, &format!("{}'s account type", u.email))?;
    }
    if !t.administers {
        let losing: Vec<String> = users.iter().filter(|u| u.is_active_admin()).map(|u| u.id.clone()).collect();
        keep_an_admin(&mut tx, &actor.org_id, Losing::People(&losing)).await?;
    } else if let Some(g) = users.iter().find(|u| u.is_guest) {
        return Err(Error::invalid("account_type", format!("{} is a guest. {}", g.email, guest_admin(&t.name).message)));
    }
    for u in users.iter().filter(|u| u.account_type_id != t.id) {
        store::users::set_account_type(&mut tx, &actor.org_id, &u.id, &t.id).await?;
        store::audit::record(&mut *tx, actor.event(audit::USER_ACCOUNT_TYPE_CHANGED, &u.email, format!("{} → {}", u.account_type_name, t.name))).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Deactivates people: their sessions end at once, they cannot sign in, their
/// profile is kept, and their documents go to `new_owner_id` (default: the acting admin).
pub async fn deactivate(db: &Db, actor: &Actor, ids: &[String], new_owner_id: Option<&str>) -> Result<()> {
    let mut tx = super::begin(db).await?;
    let users = targets(&mut tx, &actor.org_id, ids).await?;
    if users.iter().any(|u| Some(u.id.as_str()) == actor.id.as_deref()) {
        return Err(Error::forbidden("You cannot deactivate yourself. Ask another administrator."));
    }
    for u in &users {
        actor.ensure_may_change(u.origin, &format!("{}'s status", u.email))?;
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
        end_access(&mut tx, actor, person(u), (&owner.id, &owner.email), "").await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Gives deactivated people their access back (their documents stay where
/// the deactivation moved them).
pub async fn reactivate(db: &Db, actor: &Actor, ids: &[String]) -> Result<()> {
    let mut tx = super::begin(db).await?;
    let users = targets(&mut tx, &actor.org_id, ids).await?;
    for u in &users {
        actor.ensure_may_change(u.origin, &format!("{}'s status", u.email))?;
    }
    for u in users.iter().filter(|u| !u.status.is_active()) {
        store::users::set_status(&mut tx, &actor.org_id, &u.id, Status::Active).await?;
        store::audit::record(&mut *tx, actor.event(audit::USER_REACTIVATED, &u.email, String::new())).await?;
    }
    tx.commit().await?;
    Ok(())
}

// ---- The identity provider's side ----

/// A person as the identity provider describes them, read from its request.
#[derive(Clone, Debug)]
pub struct IdpInput {
    pub email: Email,
    pub first_name: String,
    pub last_name: String,
    pub display_name: Option<String>,
    pub external_id: Option<String>,
    /// None: the identity provider unassigned it; the person is then not active (fail closed).
    pub active: Option<bool>,
    /// The account type by name; None: Viewer.
    pub user_type: Option<String>,
    /// What the door keeps to answer with as sent.
    pub scim_profile: String,
}

/// What a create did with the person it named.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// A new person.
    Created,
    /// A person the identity provider had deleted (archived) came back.
    Revived,
    /// A person Gatehouse managed is now managed by the identity provider.
    Linked,
}

/// The person a create wrote.
pub struct Provisioned {
    pub id: String,
    pub outcome: Outcome,
    /// Their account type's name.
    pub account_type: String,
}

/// userType → account type: absent = Viewer, "Author" = Creator (Okta's
/// word), otherwise by name, case-insensitively; unknown = invalid, naming the valid types.
async fn account_type_for(conn: &mut Conn, org_id: &str, user_type: Option<&str>) -> Result<store::account_types::AccountTypeRow> {
    let found = match user_type {
        None => Some(store::account_types::built_in(&mut *conn, org_id, BuiltIn::Viewer).await?),
        Some(n) if n.eq_ignore_ascii_case("author") => Some(store::account_types::built_in(&mut *conn, org_id, BuiltIn::Creator).await?),
        Some(n) => store::account_types::by_name(&mut *conn, org_id, n).await?,
    };
    match found {
        Some(t) => Ok(t),
        None => {
            let names = store::account_types::names(&mut *conn, org_id).await?;
            Err(Error::invalid(
                "userType",
                format!("userType “{}” is not an account type here. Valid values: {} (or Author for Creator).", user_type.unwrap_or(""), names.join(", ")),
            ))
        }
    }
}

fn idp_person(p: &IdpInput, account_type_id: String) -> IdpPerson {
    IdpPerson {
        email: p.email.clone(),
        first_name: p.first_name.clone(),
        last_name: p.last_name.clone(),
        display_name: p.display_name.clone(),
        external_id: p.external_id.clone(),
        account_type_id,
        status: Status::of(p.active == Some(true)),
        scim_profile: p.scim_profile.clone(),
    }
}

fn receiver(actor: &Actor) -> (&str, &str) {
    match &actor.kind {
        ActorKind::IdentityProvider { receiver_id, receiver_email } => (receiver_id, receiver_email),
        _ => (actor.id.as_deref().unwrap_or_default(), &actor.label),
    }
}

/// The identity provider creates a person (SCIM POST). A userName Gatehouse
/// already has is never a second record: a person the identity provider
/// deleted comes back (their documents stay where the deletion moved them), a
/// person Gatehouse managed is linked and from then on managed by the
/// identity provider (as Okta and Entra expect when they match an existing
/// account), and a person the identity provider already manages is `Taken`.
pub async fn provision(db: &Db, idp: &Actor, p: IdpInput) -> Result<Provisioned> {
    // Read before taking the write lock; the foreign key still refuses a type
    // deleted in between (nothing is written).
    let t = account_type_for(&mut *db.acquire().await?, &idp.org_id, p.user_type.as_deref()).await?;
    let row = idp_person(&p, t.id.clone());
    let id = store::new_id();
    let detail = format!("by SCIM; account type {}; active {}", t.name, p.active == Some(true));
    match batch::create(db, batch::Job { id: id.clone(), actor: idp.clone(), person: row.clone(), detail }).await {
        Ok(()) => return Ok(Provisioned { id, outcome: Outcome::Created, account_type: t.name }),
        Err(e) if e.kind != Kind::Taken => return Err(e),
        Err(_) => {}
    }
    let mut tx = super::begin(db).await?;
    let Some(u) = store::users::by_email(&mut *tx, &idp.org_id, p.email.as_str()).await? else {
        // Gone again between the two steps: a plain create.
        return Err(Error::taken("userName", format!("A user with userName {} was just changed; try again.", p.email.as_str())));
    };
    let outcome = if u.is_guest {
        return Err(Error::taken("userName", format!("{} is a guest of this organization: guests are managed in Gatehouse, not by the identity provider.", p.email.as_str())));
    } else if u.archived {
        Outcome::Revived
    } else if u.origin == Origin::Local {
        Outcome::Linked
    } else {
        return Err(Error::taken("userName", format!("A user with userName {} already exists.", p.email.as_str())));
    };
    let how = if outcome == Outcome::Revived { Write::Revive } else { Write::Link };
    write_over(&mut tx, idp, &u, &row, &t.name, how).await?;
    tx.commit().await?;
    Ok(Provisioned { id: u.id, outcome, account_type: t.name })
}

/// What writing the identity provider's description does to a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Write {
    /// A person it manages changes.
    Update,
    /// A person it deleted comes back.
    Revive,
    /// A person Gatehouse managed becomes one it manages.
    Link,
}

/// Writes the identity provider's description over `before` (a create that
/// matched them, a PUT, or a PATCH), with every rule and audit entry.
async fn write_over(tx: &mut Conn, idp: &Actor, before: &UserRow, after: &IdpPerson, type_name: &str, how: Write) -> Result<()> {
    if store::users::other_with_email(tx, &idp.org_id, &after.email, &before.id).await? {
        return Err(Error::taken("userName", format!("Another user already has userName {}.", after.email.as_str())));
    }
    let stays_admin = after.status.is_active() && store::account_types::get(&mut *tx, &idp.org_id, &after.account_type_id).await?.is_some_and(|t| t.administers);
    if before.is_active_admin() && !stays_admin {
        keep_an_admin(tx, &idp.org_id, Losing::People(std::slice::from_ref(&before.id))).await?;
    }
    store::users::write_provisioned(tx, &idp.org_id, &before.id, after).await?;
    let email = after.email.as_str();
    match how {
        Write::Revive => {
            let detail = format!("by SCIM; account type {type_name}; active {}; documents stay where the deletion moved them", after.status.is_active());
            store::audit::record(&mut *tx, idp.event(audit::USER_REPROVISIONED, email, detail)).await?;
            return Ok(());
        }
        Write::Link => {
            store::audit::record(&mut *tx, idp.event(audit::USER_LINKED, email, "now managed by the identity provider (by SCIM)".into())).await?;
        }
        Write::Update => {}
    }
    let mut changes = Vec::new();
    if before.account_type_id != after.account_type_id {
        changes.push(format!("account type {} → {type_name}", before.account_type_name));
        store::audit::record(&mut *tx, idp.event(audit::USER_ACCOUNT_TYPE_CHANGED, email, format!("{} → {type_name} (by SCIM)", before.account_type_name))).await?;
    }
    match (before.status, after.status) {
        (Status::Inactive, Status::Active) => store::audit::record(&mut *tx, idp.event(audit::USER_REACTIVATED, email, "by SCIM".into())).await?,
        (Status::Active, Status::Inactive) => {
            let who = (before.id.as_str(), after.first_name.as_str(), after.last_name.as_str(), email);
            end_access_recorded(tx, idp, who, receiver(idp), "by SCIM; ").await?
        }
        _ => {}
    }
    if before.email != email || before.first_name != after.first_name || before.last_name != after.last_name {
        changes.push("profile".into());
    }
    let summary = if changes.is_empty() { "no change".to_string() } else { changes.join("; ") };
    store::audit::record(&mut *tx, idp.event(audit::USER_UPDATED_BY_IDP, email, summary)).await?;
    Ok(())
}

/// The identity provider replaces a person (SCIM PUT, and PATCH once its
/// operations are applied): `describe` turns the person as SCIM shows them
/// now into their new description, inside the write's transaction.
pub async fn update_provisioned<E, F>(db: &Db, idp: &Actor, id: &str, describe: F) -> std::result::Result<(), E>
where
    E: From<Error>,
    F: FnOnce(&UserEntry) -> std::result::Result<IdpInput, E>,
{
    let mut tx = super::begin(db).await?;
    let current = store::directory::user(&mut tx, &idp.org_id, id).await.map_err(Error::from)?.ok_or_else(|| user_not_found(id))?;
    let p = describe(&current)?;
    let t = account_type_for(&mut tx, &idp.org_id, p.user_type.as_deref()).await?;
    let before = store::users::by_id(&mut *tx, &idp.org_id, id).await.map_err(Error::from)?.ok_or_else(|| user_not_found(id))?;
    let how = if before.origin == Origin::Local { Write::Link } else { Write::Update };
    write_over(&mut tx, idp, &before, &idp_person(&p, t.id), &t.name, how).await?;
    tx.commit().await.map_err(Error::from)?;
    Ok(())
}

pub fn user_not_found(id: &str) -> Error {
    Error::not_found(format!("User {id} not found"))
}

/// The identity provider deletes a person (SCIM DELETE): deactivated and
/// archived; kept, with their documents moved, and gone from SCIM until the
/// identity provider creates them again.
pub async fn remove_provisioned(db: &Db, idp: &Actor, id: &str) -> Result<()> {
    let mut tx = super::begin(db).await?;
    let u = store::users::by_id(&mut *tx, &idp.org_id, id).await?.filter(|u| !u.archived && !u.is_guest).ok_or_else(|| user_not_found(id))?;
    if u.is_active_admin() {
        keep_an_admin(&mut tx, &idp.org_id, Losing::People(std::slice::from_ref(&u.id))).await?;
    }
    store::users::archive(&mut tx, &idp.org_id, &u.id).await?;
    // Deleted at the identity provider means in none of its groups: if it
    // creates the person again, it pushes their memberships again too.
    for team in store::teams::remove_memberships(&mut tx, &idp.org_id, &u.id).await? {
        store::audit::record(&mut *tx, idp.event(audit::TEAM_MEMBER_REMOVED, &u.email, format!("team {team} (deleted by SCIM)"))).await?;
    }
    end_access_recorded(&mut tx, idp, person(&u), receiver(idp), "deleted by SCIM: deactivated and archived; ").await?;
    tx.commit().await?;
    Ok(())
}

/// Group commit for the identity provider's creates. An identity provider
/// pushing a directory sends many creates at once; written one transaction
/// each they queue on the database's single writer (SQLite) and every one
/// pays for its own BEGIN, COMMIT and write-ahead-log write. Here creates
/// that arrive while a transaction is being written wait for the next one,
/// which writes them all with one multi-row INSERT for the people and one for
/// their audit events.
///
/// Nothing is answered before its transaction has committed. When a batch
/// fails (a userName taken, also by another request in the same batch), its
/// creates are written again one transaction each, so every request gets its
/// own answer, exactly as without batching.
mod batch {
    use super::super::{Actor, Error, Result};
    use crate::domain::audit;
    use crate::store::{self, users::IdpPerson, Db};
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    use tokio::sync::{mpsc, oneshot};

    /// At most this many creates share a transaction (12 values each, well
    /// under the bound-parameter limits of SQLite and PostgreSQL).
    const MAX_BATCH: usize = 64;

    pub struct Job {
        pub id: String,
        pub actor: Actor,
        pub person: IdpPerson,
        pub detail: String,
    }

    type Queued = (Job, oneshot::Sender<Result<()>>);

    fn gone() -> Error {
        tracing::error!("the create queue's writer stopped");
        Error::internal()
    }

    /// Writes `job` in the next batch; returns once that batch has committed.
    pub async fn create(db: &Db, job: Job) -> Result<()> {
        let (tx, rx) = oneshot::channel();
        let mut queued = (job, tx);
        // The queue's task lives on the runtime that first used it; when that
        // runtime has ended (a test's), a new task takes over.
        for _ in 0..2 {
            match queue(db).send(queued) {
                Ok(()) => return rx.await.unwrap_or_else(|_| Err(gone())),
                Err(mpsc::error::SendError(q)) => {
                    queued = q;
                    forget(db);
                }
            }
        }
        Err(gone())
    }

    fn queues() -> std::sync::MutexGuard<'static, HashMap<String, mpsc::UnboundedSender<Queued>>> {
        static QUEUES: OnceLock<Mutex<HashMap<String, mpsc::UnboundedSender<Queued>>>> = OnceLock::new();
        QUEUES.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner())
    }

    fn key(db: &Db) -> String {
        db.connect_options().database_url.to_string()
    }

    fn forget(db: &Db) {
        queues().remove(&key(db));
    }

    /// The queue of this database, with its writer task started on first use.
    fn queue(db: &Db) -> mpsc::UnboundedSender<Queued> {
        queues()
            .entry(key(db))
            .or_insert_with(|| {
                let (tx, rx) = mpsc::unbounded_channel();
                tokio::spawn(writer(db.clone(), rx));
                tx
            })
            .clone()
    }

    /// A queue idle this long ends its task (and lets go of the database);
    /// the next create starts a new one.
    const IDLE: std::time::Duration = std::time::Duration::from_secs(10);

    async fn writer(db: Db, mut rx: mpsc::UnboundedReceiver<Queued>) {
        loop {
            let first = match tokio::time::timeout(IDLE, rx.recv()).await {
                Ok(Some(job)) => job,
                Ok(None) => return,
                Err(_) => {
                    // No new sender finds this queue; creates already sent are written.
                    forget(&db);
                    rx.close();
                    while let Some(job) = rx.recv().await {
                        let reply = job.1;
                        let _ = reply.send(write(&db, &[&job.0]).await);
                    }
                    return;
                }
            };
            let mut jobs = vec![first];
            while jobs.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(j) => jobs.push(j),
                    Err(_) => break,
                }
            }
            let all: Vec<&Job> = jobs.iter().map(|(j, _)| j).collect();
            match write(&db, &all).await {
                Ok(()) => {
                    for (_, reply) in jobs {
                        let _ = reply.send(Ok(()));
                    }
                }
                Err(e) if jobs.len() == 1 => {
                    let (_, reply) = jobs.pop().expect("one job");
                    let _ = reply.send(Err(e));
                }
                // Someone in the batch failed: each on its own, so only they fail.
                Err(_) => {
                    for (job, reply) in jobs {
                        let _ = reply.send(write(&db, &[&job]).await);
                    }
                }
            }
        }
    }

    /// One transaction: the people (one organization's each), then their audit events.
    async fn write(db: &Db, jobs: &[&Job]) -> Result<()> {
        let taken = |e: sqlx::Error| if store::is_unique_violation(&e) { Error::taken("userName", "userName taken") } else { e.into() };
        let mut tx = store::begin(db).await.map_err(taken)?;
        let at = store::now();
        let mut by_org: HashMap<&str, Vec<(&str, &IdpPerson)>> = HashMap::new();
        for j in jobs {
            by_org.entry(j.actor.org_id.as_str()).or_default().push((&j.id, &j.person));
        }
        for (org_id, people) in by_org {
            store::users::insert_provisioned(&mut tx, org_id, &people, &at).await.map_err(taken)?;
        }
        let events = jobs.iter().map(|j| j.actor.event(audit::USER_CREATED, j.person.email.as_str(), j.detail.clone())).collect();
        store::audit::record_many(&mut tx, events).await.map_err(taken)?;
        tx.commit().await.map_err(taken)
    }
}
