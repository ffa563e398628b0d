//! Teams: created and changed by administrators, or pushed by the identity
//! provider as groups; deleted by it (archived, workspace documents moved)
//! and pushed again. Teams it manages change only through it.
//!
//! Team admins (Sigma's "Manage team admins"): an administrator makes a member
//! a team admin. A team admin may rename their team, add and remove its
//! members (people Gatehouse manages, in a team Gatehouse manages) and
//! deactivate it — nothing else: reactivating, making or removing team admins,
//! visibility and every other team stay with administrators. Teams are public
//! (everyone sees them and their members) or private (their members and
//! administrators only); a private team is "not found" to everyone else.
use super::{documents, Actor, ActorKind, Error, Result, Writable};
use crate::domain::activity::{people_list, FieldChange, ProvisioningOutcome};
use crate::domain::audit::{
    self,
    detail::{self, Changes},
};
use crate::domain::{names::parse_description, Origin, Status, TeamName, Visibility};
use crate::service::provisioning_activity as activity;
use crate::service::store::{self, teams::TeamRow, Conn, Db};
use std::collections::BTreeSet;

fn name_taken(name: &str) -> Error {
    Error::taken("name", format!("A team named “{name}” already exists. Choose another name."))
}

pub fn team_not_found() -> Error {
    Error::not_found("That team does not exist.")
}

fn administrators_only(what: &str) -> Error {
    Error::forbidden(format!("Only administrators can {what}. Ask an administrator of your organization."))
}

/// By what right an actor changes a team.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Authority {
    /// An administrator, the command line, or the identity provider (for the teams it manages).
    Organization,
    /// One of the team's team admins.
    TeamAdmin,
}

/// What `actor` may do to team `t`, read inside the change's transaction, so a
/// team admin whose role was taken away a moment ago is refused. A person who
/// administers no team at all is refused before the team is looked up; a
/// private team they are not in is not found; another team is 403.
async fn authority(conn: &mut Conn, actor: &Actor, t: &TeamRow) -> Result<Authority> {
    if actor.kind != ActorKind::Person {
        return Ok(Authority::Organization);
    }
    let user = actor.id.as_deref().unwrap_or_default();
    match store::teams::membership(&mut *conn, &actor.org_id, &t.id, user).await? {
        Some(true) => Ok(Authority::TeamAdmin),
        None if t.visibility.is_private() => Err(team_not_found()),
        _ => Err(Error::forbidden(format!("Only administrators and the team admins of {} can change it.", t.name))),
    }
}

/// Refuses, before anything is read, a person who is neither an administrator nor a team admin of any team.
async fn may_administer_teams(conn: &mut Conn, actor: &Actor) -> Result<()> {
    if actor.kind == ActorKind::Person && store::teams::administered_by(&mut *conn, &actor.org_id, actor.id.as_deref().unwrap_or_default()).await?.is_empty() {
        return Err(Error::forbidden("Only administrators and team admins can do this. Ask an administrator of your organization."));
    }
    Ok(())
}

/// Refuses anyone but an administrator (or the command line).
fn organization_only(actor: &Actor, what: &str) -> Result<()> {
    match actor.kind {
        ActorKind::Admin | ActorKind::Operator => Ok(()),
        _ => Err(administrators_only(what)),
    }
}

/// A team `actor` is about to change: refused when they may not (see
/// `authority`), and (`ManagedByIdp`) when the identity provider manages it
/// and `actor` is not the identity provider.
async fn load_for_change(conn: &mut Conn, actor: &Actor, id: &str, what: impl FnOnce(&TeamRow) -> String) -> Result<(Writable<TeamRow>, Authority)> {
    may_administer_teams(conn, actor).await?;
    let t = store::teams::get(&mut *conn, &actor.org_id, id).await?.ok_or_else(team_not_found)?;
    let authority = authority(conn, actor, &t).await?;
    Ok((actor.may_change(t, what)?, authority))
}

pub async fn create(db: &Db, actor: &Actor, name: &str, description: &str) -> Result<String> {
    organization_only(actor, "create teams")?;
    let name = TeamName::parse("name", name)?;
    let description = parse_description("description", description)?;
    let mut tx = super::begin(db).await?;
    if store::teams::active_named(&mut *tx, &actor.org_id, name.as_str(), "").await?.is_some() {
        return Err(name_taken(name.as_str()));
    }
    let id = store::teams::insert(&mut *tx, &actor.org_id, name.as_str(), &description, Origin::Local, None).await?;
    store::audit::record(&mut *tx, actor.event(audit::TEAM_CREATED, name.as_str(), description)).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn update(db: &Db, actor: &Actor, id: &str, name: &str, description: &str) -> Result<()> {
    let name = TeamName::parse("name", name)?;
    let description = parse_description("description", description)?;
    let mut tx = super::begin(db).await?;
    let (t, _) = load_for_change(&mut tx, actor, id, |t| format!("The team {}", t.name)).await?;
    if store::teams::active_named(&mut *tx, &actor.org_id, name.as_str(), &t.id).await?.is_some() {
        return Err(name_taken(name.as_str()));
    }
    let changes = Changes::new().name(&t.name, name.as_str()).description(&t.description, &description);
    // A save that changes nothing writes nothing, and is not in the audit log.
    if changes.is_empty() {
        return Ok(());
    }
    store::teams::update(&mut tx, &actor.org_id, &t, name.as_str(), &description).await?;
    store::audit::record(&mut *tx, actor.event(audit::TEAM_UPDATED, name.as_str(), changes.detail())).await?;
    tx.commit().await?;
    Ok(())
}

/// Deactivates or reactivates a team. Its team admins may deactivate it; only
/// administrators bring it back.
pub async fn set_active(db: &Db, actor: &Actor, id: &str, active: bool) -> Result<()> {
    let mut tx = super::begin(db).await?;
    let (t, authority) = load_for_change(&mut tx, actor, id, |t| format!("The team {}", t.name)).await?;
    if active && authority == Authority::TeamAdmin {
        return Err(administrators_only("reactivate a team"));
    }
    if t.status.is_active() == active {
        return Ok(());
    }
    if active && store::teams::active_named(&mut *tx, &actor.org_id, &t.name, &t.id).await?.is_some() {
        return Err(name_taken(&t.name));
    }
    store::teams::set_status(&mut tx, &actor.org_id, &t, Status::of(active)).await?;
    let action = if active { audit::TEAM_REACTIVATED } else { audit::TEAM_DEACTIVATED };
    store::audit::record(&mut *tx, actor.event(action, &t.name, String::new())).await?;
    tx.commit().await?;
    Ok(())
}

/// Adds (`add` true) or removes people from a team. A team admin adds and
/// removes only people Gatehouse manages, and removes no other team admin
/// (an administrator's choice), though they may leave the team themselves.
pub async fn change_members(db: &Db, actor: &Actor, team_id: &str, user_ids: &[String], add: bool) -> Result<()> {
    if user_ids.is_empty() {
        return Err(Error::invalid("users", "Choose at least one person."));
    }
    if user_ids.len() > super::people::MAX_AT_ONCE {
        return Err(Error::invalid("users", format!("Choose at most {} people at a time.", super::people::MAX_AT_ONCE)));
    }
    let mut tx = super::begin(db).await?;
    let (t, authority) = load_for_change(&mut tx, actor, team_id, |t| format!("The members of {}", t.name)).await?;
    if !t.status.is_active() {
        return Err(Error::invalid("team", format!("{} is deactivated; reactivate it first.", t.name)));
    }
    let mut ids = user_ids.to_vec();
    ids.sort();
    ids.dedup();
    let users = store::users::by_ids(&mut tx, &actor.org_id, &ids).await?;
    if users.len() != ids.len() {
        return Err(Error::not_found("Some of these people no longer exist. Reload the page and try again."));
    }
    if authority == Authority::TeamAdmin {
        if let Some(u) = users.iter().find(|u| u.origin.is_managed_by_idp()) {
            return Err(Error::new(
                super::Kind::ManagedByIdp,
                format!("{} is managed by your identity provider: only an administrator can add or remove them here. Ask an administrator, or change the group in your identity provider.", u.email),
            ));
        }
        if !add {
            for u in users.iter().filter(|u| actor.id.as_deref() != Some(u.id.as_str())) {
                if store::teams::membership(&mut *tx, &actor.org_id, &t.id, &u.id).await? == Some(true) {
                    return Err(Error::forbidden(format!("{} is a team admin of {}: only an administrator can remove them.", u.email, t.name)));
                }
            }
        }
    }
    let mut changed = Vec::new();
    for u in &users {
        let done = if add { store::teams::add_member_once(&mut tx, &actor.org_id, &t, &u.id).await? } else { store::teams::remove_member(&mut tx, &actor.org_id, &t, &u.id).await? };
        if done {
            changed.push(u.email.as_str());
        }
    }
    // One entry for the change, naming the people it added or removed (none: nothing to record).
    if !changed.is_empty() {
        changed.sort_unstable();
        let action = if add { audit::TEAM_MEMBER_ADDED } else { audit::TEAM_MEMBER_REMOVED };
        store::audit::record(&mut *tx, actor.event(action, &t.name, detail::people(&changed))).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Makes a member of a team one of its team admins (`on`), or a member only.
/// Administrators only. Being a team admin is Gatehouse's own fact, not the
/// identity provider's, so it may be given in a team the identity provider
/// manages too (where it lets the person see the team, private or not, and
/// change nothing the identity provider owns).
pub async fn set_team_admin(db: &Db, actor: &Actor, team_id: &str, user_id: &str, on: bool) -> Result<()> {
    organization_only(actor, "make or remove team admins")?;
    let mut tx = super::begin(db).await?;
    let t = store::teams::get(&mut *tx, &actor.org_id, team_id).await?.filter(|t| !t.archived).ok_or_else(team_not_found)?;
    let person = store::users::by_ids(&mut tx, &actor.org_id, &[user_id.to_string()]).await?.into_iter().next().ok_or_else(|| Error::not_found("That person does not exist."))?;
    if store::teams::membership(&mut *tx, &actor.org_id, &t.id, &person.id).await?.is_none() {
        return Err(Error::invalid("user", format!("{} is not a member of {}: add them to the team first.", person.email, t.name)));
    }
    // Written only when it changes: two administrators making the same person
    // a team admin at once change it, and write to the audit log, once.
    if store::teams::set_team_admin(&mut tx, &actor.org_id, &t.id, &person.id, on).await? {
        let action = if on { audit::TEAM_ADMIN_ADDED } else { audit::TEAM_ADMIN_REMOVED };
        store::audit::record(&mut *tx, actor.event(action, &person.email, format!("team {}", t.name))).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Makes a team public or private. Administrators only; like team admins, a
/// setting of Gatehouse's own, so teams the identity provider manages have it too.
pub async fn set_visibility(db: &Db, actor: &Actor, team_id: &str, visibility: &str) -> Result<()> {
    organization_only(actor, "make a team public or private")?;
    let visibility = Visibility::parse("visibility", visibility)?;
    let mut tx = super::begin(db).await?;
    let t = store::teams::get(&mut *tx, &actor.org_id, team_id).await?.filter(|t| !t.archived).ok_or_else(team_not_found)?;
    if store::teams::set_visibility(&mut tx, &actor.org_id, &t.id, visibility).await? {
        let detail = Changes::new().value("visibility", t.visibility.as_str(), visibility.as_str()).detail();
        store::audit::record(&mut *tx, actor.event(audit::TEAM_VISIBILITY_CHANGED, &t.name, detail)).await?;
    }
    tx.commit().await?;
    Ok(())
}

// ---- The identity provider's side ----

/// A group as the identity provider sends it whole (SCIM POST and PUT).
pub struct IdpGroup {
    pub name: TeamName,
    pub external_id: Option<String>,
    pub members: BTreeSet<String>,
}

/// A change to a group (SCIM PATCH), worked out by the door from its operations.
#[derive(Default)]
pub struct GroupChange {
    pub name: Option<TeamName>,
    /// Some(None): externalId removed.
    pub external_id: Option<Option<String>>,
    pub add: BTreeSet<String>,
    pub remove: BTreeSet<String>,
}

pub use super::provisioning::Outcome;

fn group_not_found(id: &str) -> Error {
    Error::not_found(format!("Group {id} not found"))
}

/// The team an identity provider request names: not archived.
async fn load_provisioned(conn: &mut Conn, org_id: &str, id: &str) -> Result<TeamRow> {
    store::teams::get(&mut *conn, org_id, id).await?.filter(|t| !t.archived).ok_or_else(|| group_not_found(id))
}

/// The ids that name people of this organization, and those that do not.
/// Unknown ones are skipped, as the conformance tools and identity providers
/// expect (a member the identity provider has not pushed yet must not fail
/// the whole request); the audit log says so.
pub async fn known_people(conn: &mut Conn, org_id: &str, ids: &BTreeSet<String>) -> Result<(BTreeSet<String>, Vec<String>)> {
    if ids.is_empty() {
        return Ok((BTreeSet::new(), Vec::new()));
    }
    let list: Vec<String> = ids.iter().cloned().collect();
    let found: BTreeSet<String> = store::users::existing_ids(conn, org_id, &list).await?.into_iter().collect();
    let unknown = list.into_iter().filter(|id| !found.contains(id)).collect();
    Ok((found, unknown))
}

/// Applies a membership change; `known` is what `known_people` found of the
/// ids to add. Returns the emails of the people added and removed.
async fn set_members(tx: &mut Conn, idp: &Actor, team: (&Writable<TeamRow>, &str), known: (BTreeSet<String>, Vec<String>), remove: &BTreeSet<String>) -> Result<(Vec<String>, Vec<String>)> {
    let (add, unknown) = known;
    let mut removed = Vec::new();
    for u in remove {
        if store::teams::remove_member(tx, &idp.org_id, team.0, u).await? {
            removed.push(u.clone());
        }
    }
    let mut added = Vec::new();
    for u in &add {
        if store::teams::add_member_once(tx, &idp.org_id, team.0, u).await? {
            added.push(u.clone());
        }
    }
    // The audit log names people by email (one row each, as the identity
    // provider changes them), written together at the end: one statement.
    let changed: Vec<String> = removed.iter().chain(&added).cloned().collect();
    let emails = store::users::emails_of(tx, &idp.org_id, &changed).await?;
    let email = |id: &String| emails.get(id).cloned().unwrap_or_else(|| id.clone());
    let (removed, added): (Vec<String>, Vec<String>) = (removed.iter().map(email).collect(), added.iter().map(email).collect());
    let mut events = Vec::new();
    let skipped = unknown.join(", ");
    if !unknown.is_empty() {
        events.push(idp.event(audit::TEAM_UPDATED, team.1, format!("skipped unknown member ids: {skipped}")));
    }
    let in_team = format!("team {} (by SCIM)", team.1);
    events.extend(removed.iter().map(|u| idp.event(audit::TEAM_MEMBER_REMOVED, u, in_team.clone())));
    events.extend(added.iter().map(|u| idp.event(audit::TEAM_MEMBER_ADDED, u, in_team.clone())));
    store::audit::record_many(&mut *tx, events).await?;
    Ok((added, removed))
}

/// What a group request changed, for the provisioning activity.
fn group_changes(old_name: &str, new_name: &str, added: &[String], removed: &[String]) -> Vec<FieldChange> {
    let mut changes = Vec::new();
    if old_name != new_name {
        changes.push(FieldChange::new("name", old_name, new_name));
    }
    if !added.is_empty() {
        changes.push(FieldChange::new("members added", "", people_list(added)));
    }
    if !removed.is_empty() {
        changes.push(FieldChange::new("members removed", people_list(removed), ""));
    }
    changes
}

/// Updated, or nothing to change.
fn changed_or_not(changes: &[FieldChange]) -> ProvisioningOutcome {
    if changes.is_empty() {
        ProvisioningOutcome::Unchanged
    } else {
        ProvisioningOutcome::Updated
    }
}

/// Another active team with this name refuses the name (names are unique among active teams).
async fn name_clash(conn: &mut Conn, org_id: &str, name: &str, except: &str) -> Result<()> {
    if store::teams::active_named(&mut *conn, org_id, name, except).await?.is_some() {
        return Err(Error::taken("displayName", format!("A group (team) named “{name}” already exists.")));
    }
    Ok(())
}

/// Writes a new name and externalId over a team, audited when the name changes.
async fn rename(tx: &mut Conn, idp: &Actor, team: &TeamRow, name: &TeamName, external_id: Option<&str>) -> Result<()> {
    if name.as_str() != team.name {
        name_clash(tx, &idp.org_id, name.as_str(), &team.id).await?;
        store::audit::record(&mut *tx, idp.event(audit::TEAM_UPDATED, name.as_str(), format!("name: {} → {} (by SCIM)", team.name, name.as_str()))).await?;
    }
    store::teams::write_provisioned(tx, &idp.org_id, &team.id, name.as_str(), external_id).await?;
    Ok(())
}

/// The identity provider creates a group (SCIM POST). A team Gatehouse
/// already has is never a second one: a team the identity provider deleted
/// with this externalId or name comes back (its workspace documents stay where
/// the deletion moved them), and an active team of the same name is linked
/// (managed by the identity provider from then on) when Gatehouse managed it,
/// or `Taken` when the identity provider already manages it.
pub async fn provision(db: &Db, idp: &Actor, g: IdpGroup) -> Result<(String, Outcome)> {
    let mut tx = super::begin(db).await?;
    let found = store::teams::match_for_group(&mut tx, &idp.org_id, g.name.as_str(), g.external_id.as_deref()).await?;
    let old_name = found.as_ref().map(|t| t.name.clone()).unwrap_or_default();
    let (id, outcome) = match found {
        None => {
            let id = store::teams::insert(&mut *tx, &idp.org_id, g.name.as_str(), "", Origin::Scim, g.external_id.as_deref()).await?;
            store::audit::record(&mut *tx, idp.event(audit::TEAM_CREATED, g.name.as_str(), "by SCIM".into())).await?;
            (id, Outcome::Created)
        }
        Some(t) => {
            let outcome =
                super::provisioning::existing_record(t.archived, t.origin).ok_or_else(|| Error::taken("displayName", format!("A group (team) named “{}” already exists.", g.name.as_str())))?;
            rename(&mut tx, idp, &t, &g.name, g.external_id.as_deref()).await?;
            let (action, detail) = match outcome {
                Outcome::Revived => (audit::TEAM_REPROVISIONED, "by SCIM; workspace documents stay where the deletion moved them"),
                _ => (audit::TEAM_LINKED, "now managed by the identity provider (by SCIM)"),
            };
            store::audit::record(&mut *tx, idp.event(action, g.name.as_str(), detail.into())).await?;
            (t.id, outcome)
        }
    };
    // A created or revived team holds exactly the members sent; a linked one keeps
    // its members and gains those sent (a later PUT or PATCH sets them exactly).
    let current: BTreeSet<String> = store::teams::member_ids(&mut tx, &id).await?.into_iter().collect();
    let remove = if outcome == Outcome::Linked { BTreeSet::new() } else { current.difference(&g.members).cloned().collect() };
    let add = g.members.difference(&current).cloned().collect();
    let known = known_people(&mut tx, &idp.org_id, &add).await?;
    let team = idp.may_change(load_provisioned(&mut tx, &idp.org_id, &id).await?, |t| t.name.clone())?;
    let (added, removed) = set_members(&mut tx, idp, (&team, g.name.as_str()), known, &remove).await?;
    let recorded = match outcome {
        Outcome::Created => ProvisioningOutcome::Created,
        Outcome::Revived => ProvisioningOutcome::Revived,
        Outcome::Linked => ProvisioningOutcome::Linked,
    };
    let changes = group_changes(&old_name, g.name.as_str(), &added, &removed);
    activity::note(idp, recorded, ("team", &id, g.name.as_str()), changes);
    tx.commit().await?;
    activity::committed(idp);
    Ok((id, outcome))
}

/// The identity provider replaces a group (SCIM PUT): name, externalId, exactly these members.
pub async fn replace_provisioned(db: &Db, idp: &Actor, id: &str, g: IdpGroup) -> Result<()> {
    let mut tx = super::begin(db).await?;
    let team = idp.may_change(load_provisioned(&mut tx, &idp.org_id, id).await?, |t| t.name.clone())?;
    rename(&mut tx, idp, &team, &g.name, g.external_id.as_deref()).await?;
    let now: BTreeSet<String> = store::teams::member_ids(&mut tx, id).await?.into_iter().collect();
    let add = g.members.difference(&now).cloned().collect();
    let remove = now.difference(&g.members).cloned().collect();
    let known = known_people(&mut tx, &idp.org_id, &add).await?;
    let (added, removed) = set_members(&mut tx, idp, (&team, g.name.as_str()), known, &remove).await?;
    let changes = group_changes(&team.name, g.name.as_str(), &added, &removed);
    activity::note(idp, changed_or_not(&changes), ("team", id, g.name.as_str()), changes);
    tx.commit().await?;
    activity::committed(idp);
    Ok(())
}

/// How a PATCH's change is worked out: before the write lock, when it needs
/// nothing of the team (`Early`: members added and removed by id, the ids to
/// add already checked), or inside the transaction from the current members.
pub enum Patch<F> {
    Early(GroupChange, (BTreeSet<String>, Vec<String>)),
    Late(F),
}

/// The identity provider changes a group (SCIM PATCH).
pub async fn patch_provisioned<E, F>(db: &Db, idp: &Actor, id: &str, patch: Patch<F>) -> std::result::Result<(), E>
where
    E: From<Error>,
    F: FnOnce(&BTreeSet<String>) -> std::result::Result<GroupChange, E>,
{
    let mut tx = super::begin(db).await?;
    let team = idp.may_change(load_provisioned(&mut tx, &idp.org_id, id).await?, |t| t.name.clone())?;
    let (change, known) = match patch {
        Patch::Early(change, known) => (change, known),
        Patch::Late(work_out) => {
            let now: BTreeSet<String> = store::teams::member_ids(&mut tx, id).await.map_err(Error::from)?.into_iter().collect();
            let change = work_out(&now)?;
            let known = known_people(&mut tx, &idp.org_id, &change.add).await?;
            (change, known)
        }
    };
    let mut name = team.name.clone();
    if change.name.is_some() || change.external_id.is_some() {
        let new_name = match &change.name {
            Some(n) => n.clone(),
            None => TeamName::parse("displayName", &team.name).map_err(Error::from)?,
        };
        let external_id = change.external_id.clone().unwrap_or_else(|| team.external_id.clone());
        rename(&mut tx, idp, &team, &new_name, external_id.as_deref()).await?;
        name = new_name.as_str().to_string();
    }
    let (added, removed) = set_members(&mut tx, idp, (&team, &name), known, &change.remove).await?;
    let changes = group_changes(&team.name, &name, &added, &removed);
    activity::note(idp, changed_or_not(&changes), ("team", id, &name), changes);
    tx.commit().await.map_err(Error::from)?;
    activity::committed(idp);
    Ok(())
}

/// The identity provider deletes a group (SCIM DELETE): the team is
/// deactivated and archived, its workspace documents go to the admin the token acts for.
pub async fn remove_provisioned(db: &Db, idp: &Actor, id: &str) -> Result<()> {
    let (receiver_id, receiver_email) = match &idp.kind {
        ActorKind::IdentityProvider { receiver_id, receiver_email } => (receiver_id.as_str(), receiver_email.as_str()),
        _ => return Err(Error::forbidden("Only the identity provider deletes the groups it pushed.")),
    };
    let mut tx = super::begin(db).await?;
    let team = load_provisioned(&mut tx, &idp.org_id, id).await?;
    store::teams::archive(&mut tx, &idp.org_id, &team.id).await?;
    store::audit::record(&mut *tx, idp.event(audit::TEAM_DEACTIVATED, &team.name, format!("deleted by SCIM; workspace documents go to {receiver_email}"))).await?;
    documents::transfer_team(&mut tx, idp, &team.id, &team.name, receiver_id, &format!("to {receiver_email}")).await?;
    let changes = vec![FieldChange::new("active", "true", "false"), FieldChange::new("archived", "false", "true")];
    activity::note(idp, ProvisioningOutcome::Deleted, ("team", &team.id, &team.name), changes);
    tx.commit().await?;
    activity::committed(idp);
    Ok(())
}

fn summary(t: TeamRow, you_administer: bool) -> crate::domain::views::TeamSummary {
    crate::domain::views::TeamSummary { id: t.id, name: t.name, description: t.description, member_count: t.member_count, status: t.status, origin: t.origin, visibility: t.visibility, you_administer }
}

/// Administration > Teams: teams whose name starts with `search`, active ones
/// (or all). Administrators see every team; everyone else the public teams
/// and the private ones they belong to.
pub async fn list(db: &Db, c: &super::access::Caller, search: &str, inactive: bool) -> Result<Vec<crate::domain::views::TeamSummary>> {
    let mine: BTreeSet<String> = c.administered_teams(db).await?.into_iter().collect();
    let rows = if c.is_admin() { store::teams::list(db, &c.org.id, search, inactive).await? } else { store::teams::list_visible_to(db, &c.org.id, &c.user.id, search, inactive).await? };
    Ok(rows
        .into_iter()
        .map(|t| {
            let yours = mine.contains(&t.id);
            summary(t, yours)
        })
        .collect())
}

/// A team's page: the team, its members, and what the caller may do with it
/// (whether an admin may take it back from the identity provider, too). A
/// private team is not found by people outside it.
pub async fn detail(db: &Db, c: &super::access::Caller, id: &str) -> Result<crate::domain::views::TeamDetail> {
    use crate::domain::views::{TeamDetail, TeamMember, TeamPowers};
    let t = store::teams::get(db, &c.org.id, id).await?.ok_or_else(team_not_found)?;
    let role = store::teams::membership(db, &c.org.id, &t.id, &c.user.id).await?;
    if !c.is_admin() && t.visibility.is_private() && role.is_none() {
        return Err(team_not_found());
    }
    let local = !t.origin.is_managed_by_idp();
    let active = t.status.is_active();
    let may = if c.is_admin() {
        TeamPowers { edit: local, members: local && active, deactivate: local && active, reactivate: local && !active, team_admins: true, visibility: true, open_people: true, managed_people: true }
    } else if role == Some(true) {
        TeamPowers { edit: local, members: local && active, deactivate: local && active, ..TeamPowers::default() }
    } else {
        TeamPowers::default()
    };
    let members = store::teams::members(db, &c.org.id, &t.id)
        .await?
        .into_iter()
        .map(|m| TeamMember {
            name: format!("{} {}", m.first_name, m.last_name).trim().to_string(),
            user_id: m.user_id,
            email: m.email,
            account_type: m.account_type,
            status: m.status,
            invite_pending: m.invite_pending,
            managed_by_idp: m.origin.is_managed_by_idp(),
            team_admin: m.team_admin,
        })
        .collect();
    let can_release = c.is_admin() && t.origin.is_managed_by_idp() && super::provisioning::can_release(db, &c.org.id).await?;
    Ok(TeamDetail { team: summary(t, role == Some(true)), members, can_release, may })
}
