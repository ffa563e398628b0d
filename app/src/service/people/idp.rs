//! What the identity provider does with people through SCIM: create (new,
//! revived or linked), replace and PATCH, delete (archived).
use super::super::provisioning::{self, Outcome};
use super::super::{Actor, ActorKind, Error, Result};
use super::{end_access_recorded, keep_an_admin, person, Losing};
use crate::domain::activity::{FieldChange, ProvisioningOutcome};
use crate::domain::audit::{self, detail::Changes};
use crate::domain::permissions::BuiltIn;
use crate::domain::{Email, Origin, Status};
use crate::service::provisioning_activity as activity;
use crate::service::store::{self, directory::UserEntry, provisioned, users::IdpPerson, users::UserRow, Conn, Db};

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
    /// The attribute that named it (`userType`, or `roles` for Entra's app
    /// roles), for the error that says it names no account type.
    pub user_type_from: &'static str,
    /// What the door keeps to answer with as sent.
    pub scim_profile: String,
    /// User attribute values by attribute name (`None` clears one); names no
    /// attribute has are skipped (see `attributes::set_from_idp`).
    pub attributes: Vec<(String, Option<String>)>,
}

/// The person a create wrote.
pub struct Provisioned {
    pub id: String,
    pub outcome: Outcome,
    /// Their account type's name.
    pub account_type: String,
    /// When a new record was created, as stored.
    pub created_at: Option<store::Timestamp>,
}

/// userType → account type: absent = Viewer, "Author" = Creator (Okta's
/// word), otherwise by name, case-insensitively; unknown = invalid, naming the valid types.
async fn account_type_for(conn: &mut Conn, org_id: &str, user_type: Option<&str>, from: &'static str) -> Result<store::account_types::AccountTypeRow> {
    let found = match user_type {
        None => Some(store::account_types::built_in(&mut *conn, org_id, BuiltIn::Viewer).await?),
        Some(n) if n.eq_ignore_ascii_case("author") => Some(store::account_types::built_in(&mut *conn, org_id, BuiltIn::Creator).await?),
        Some(n) => store::account_types::by_name(&mut *conn, org_id, n).await?,
    };
    match found {
        Some(t) => Ok(t),
        None => {
            let names = store::account_types::names(&mut *conn, org_id).await?;
            Err(Error::invalid(from, format!("{from} “{}” is not an account type here. Valid values: {} (or Author for Creator).", user_type.unwrap_or(""), names.join(", "))))
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
    let t = account_type_for(&mut *db.acquire().await?, &idp.org_id, p.user_type.as_deref(), p.user_type_from).await?;
    let row = idp_person(&p, t.id.clone());
    let id = store::new_id();
    let detail = format!("by SCIM; account type {}; active {}", t.name, p.active == Some(true));
    let name = format!("{} {}", p.first_name, p.last_name).trim().to_string();
    let changes = vec![
        FieldChange::new("userName", "", p.email.as_str()),
        FieldChange::new("name", "", name),
        FieldChange::new("account type", "", t.name.clone()),
        FieldChange::new("active", "", (p.active == Some(true)).to_string()),
    ];
    activity::note(idp, ProvisioningOutcome::Created, ("user", &id, p.email.as_str()), changes);
    let job = provisioned::Job { id: id.clone(), org_id: idp.org_id.clone(), person: row.clone(), actor: (idp.id.clone(), idp.label.clone(), idp.ip.clone()), action: audit::USER_CREATED, detail };
    match provisioned::create(db, job).await {
        Ok(at) => {
            activity::committed(idp);
            if !p.attributes.is_empty() {
                // Created in a group commit with others; the values follow in their own write.
                let mut tx = super::super::begin(db).await?;
                super::super::attributes::set_from_idp(&mut tx, idp, &id, p.email.as_str(), &p.attributes).await?;
                tx.commit().await?;
            }
            return Ok(Provisioned { id, outcome: Outcome::Created, account_type: t.name, created_at: Some(at) });
        }
        Err(provisioned::Refused::Failed) => return Err(Error::internal()),
        Err(provisioned::Refused::Taken) => {}
    }
    let mut tx = super::super::begin(db).await?;
    let Some(u) = store::users::by_email(&mut *tx, &idp.org_id, p.email.as_str()).await? else {
        // Gone again between the two steps: a plain create.
        return Err(Error::taken("userName", format!("A user with userName {} was just changed; try again.", p.email.as_str())));
    };
    if u.is_guest {
        return Err(Error::taken("userName", format!("{} is a guest of this organization: guests are managed in Gatehouse, not by the identity provider.", p.email.as_str())));
    }
    let outcome = provisioning::existing_record(u.archived, u.origin).ok_or_else(|| Error::taken("userName", format!("A user with userName {} already exists.", p.email.as_str())))?;
    let how = if outcome == Outcome::Revived { Write::Revive } else { Write::Link };
    let changes = write_over(&mut tx, idp, &u, &row, &t.name, how).await?;
    super::super::attributes::set_from_idp(&mut tx, idp, &u.id, p.email.as_str(), &p.attributes).await?;
    let recorded = if outcome == Outcome::Revived { ProvisioningOutcome::Revived } else { ProvisioningOutcome::Linked };
    activity::note(idp, recorded, ("user", &u.id, p.email.as_str()), changes);
    tx.commit().await?;
    activity::committed(idp);
    Ok(Provisioned { id: u.id, outcome, account_type: t.name, created_at: None })
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
/// matched them, a PUT, or a PATCH), with every rule and audit entry; returns
/// what changed, for the provisioning activity.
async fn write_over(tx: &mut Conn, idp: &Actor, before: &UserRow, after: &IdpPerson, type_name: &str, how: Write) -> Result<Vec<FieldChange>> {
    if store::users::other_with_email(tx, &idp.org_id, &after.email, &before.id).await? {
        return Err(Error::taken("userName", format!("Another user already has userName {}.", after.email.as_str())));
    }
    let stays_admin = after.status.is_active() && store::account_types::get(&mut *tx, &idp.org_id, &after.account_type_id).await?.is_some_and(|t| t.administers);
    if before.is_active_admin() && !stays_admin {
        keep_an_admin(tx, &idp.org_id, Losing::People(std::slice::from_ref(&before.id))).await?;
    }
    store::users::write_provisioned(tx, &idp.org_id, &before.id, after).await?;
    let email = after.email.as_str();
    let name = |first: &str, last: &str| format!("{first} {last}").trim().to_string();
    let mut changed = Vec::new();
    let mut compare = |field: &str, old: String, new: String| {
        if old != new {
            changed.push(FieldChange::new(field, old, new));
        }
    };
    compare("userName", before.email.clone(), email.to_string());
    compare("name", name(&before.first_name, &before.last_name), name(&after.first_name, &after.last_name));
    compare("account type", before.account_type_name.clone(), type_name.to_string());
    compare("active", before.status.is_active().to_string(), after.status.is_active().to_string());
    if how == Write::Link {
        changed.push(FieldChange::new("managed by", "Gatehouse", "identity provider"));
    }
    match how {
        Write::Revive => {
            let detail = format!("by SCIM; account type {type_name}; active {}; documents stay where the deletion moved them", after.status.is_active());
            store::audit::record(&mut *tx, idp.event(audit::USER_REPROVISIONED, email, detail)).await?;
            return Ok(changed);
        }
        Write::Link => {
            store::audit::record(&mut *tx, idp.event(audit::USER_LINKED, email, "now managed by the identity provider (by SCIM)".into())).await?;
        }
        Write::Update => {}
    }
    if before.account_type_id != after.account_type_id {
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
    // The profile an administrator sees; a request that changes none of it
    // (nor the account type or status, recorded above) is not in the audit log.
    let changes = Changes::new().email(&before.email, email).name(&name(&before.first_name, &before.last_name), &name(&after.first_name, &after.last_name));
    if !changes.is_empty() {
        store::audit::record(&mut *tx, idp.event(audit::USER_UPDATED_BY_IDP, email, changes.detail())).await?;
    }
    Ok(changed)
}

/// The identity provider replaces a person (SCIM PUT, and PATCH once its
/// operations are applied): `describe` turns the person as SCIM shows them
/// now into their new description, inside the write's transaction.
pub async fn update_provisioned<E, F>(db: &Db, idp: &Actor, id: &str, describe: F) -> std::result::Result<(), E>
where
    E: From<Error>,
    F: FnOnce(&UserEntry) -> std::result::Result<IdpInput, E>,
{
    let mut tx = super::super::begin(db).await?;
    let current = store::directory::user(&mut tx, &idp.org_id, id).await.map_err(Error::from)?.ok_or_else(|| user_not_found(id))?;
    let p = describe(&current)?;
    let t = account_type_for(&mut tx, &idp.org_id, p.user_type.as_deref(), p.user_type_from).await?;
    let before = store::users::by_id(&mut *tx, &idp.org_id, id).await.map_err(Error::from)?.ok_or_else(|| user_not_found(id))?;
    let how = if before.origin == Origin::Local { Write::Link } else { Write::Update };
    let after = idp_person(&p, t.id);
    let changes = write_over(&mut tx, idp, &before, &after, &t.name, how).await?;
    super::super::attributes::set_from_idp(&mut tx, idp, &before.id, after.email.as_str(), &p.attributes).await?;
    let outcome = if how == Write::Link {
        ProvisioningOutcome::Linked
    } else if before.status.is_active() && !after.status.is_active() {
        ProvisioningOutcome::Deactivated
    } else if changes.is_empty() {
        ProvisioningOutcome::Unchanged
    } else {
        ProvisioningOutcome::Updated
    };
    activity::note(idp, outcome, ("user", &before.id, after.email.as_str()), changes);
    tx.commit().await.map_err(Error::from)?;
    activity::committed(idp);
    Ok(())
}

pub fn user_not_found(id: &str) -> Error {
    Error::not_found(format!("User {id} not found"))
}

/// The identity provider deletes a person (SCIM DELETE): deactivated and
/// archived; kept, with their documents moved, and gone from SCIM until the
/// identity provider creates them again.
pub async fn remove_provisioned(db: &Db, idp: &Actor, id: &str) -> Result<()> {
    let mut tx = super::super::begin(db).await?;
    let u = store::users::by_id(&mut *tx, &idp.org_id, id).await?.filter(|u| !u.archived && !u.is_guest).ok_or_else(|| user_not_found(id))?;
    if u.is_active_admin() {
        keep_an_admin(&mut tx, &idp.org_id, Losing::People(std::slice::from_ref(&u.id))).await?;
    }
    store::users::archive(&mut tx, &idp.org_id, &u.id).await?;
    // Deleted at the identity provider means in none of its groups: if it
    // creates the person again, it pushes their memberships again too.
    let teams = store::teams::remove_memberships(&mut tx, &idp.org_id, &u.id).await?;
    for team in &teams {
        store::audit::record(&mut *tx, idp.event(audit::TEAM_MEMBER_REMOVED, &u.email, format!("team {team} (deleted by SCIM)"))).await?;
    }
    end_access_recorded(&mut tx, idp, person(&u), receiver(idp), "deleted by SCIM: deactivated and archived; ").await?;
    let mut changes = vec![FieldChange::new("active", u.status.is_active().to_string(), "false"), FieldChange::new("archived", "false", "true")];
    if !teams.is_empty() {
        changes.push(FieldChange::new("teams", crate::domain::activity::people_list(&teams), ""));
    }
    activity::note(idp, ProvisioningOutcome::Deleted, ("user", &u.id, &u.email), changes);
    tx.commit().await?;
    activity::committed(idp);
    Ok(())
}
