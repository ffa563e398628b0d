//! Creating the organization and its first admin: the first-run page, the
//! `gatehouse setup` command and the demo share this one path.
use super::{passwords, Error, Result};
use crate::domain::{audit, password::check_new_password, permissions::BuiltIn, Email, OrgName, OrgSlug, PersonName};
use crate::store::{self, orgs::Org, Db};

/// What the first-run form (or the command line) supplies, unchecked.
#[derive(Clone, Debug, Default)]
pub struct SetupInput {
    pub org_name: String,
    pub org_slug: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub password: String,
}

pub struct SetupDone {
    pub org: Org,
    pub admin_id: String,
}

/// Checks everything first, so bad input changes nothing; then writes the
/// organization, its account types, the admin and the audit event in one transaction.
pub async fn create_organization(db: &Db, input: SetupInput, actor: &str, ip: &str) -> Result<SetupDone> {
    let org_name = OrgName::parse("org_name", &input.org_name)?;
    let slug = OrgSlug::parse("org_slug", &input.org_slug)?;
    let first = PersonName::parse("first_name", &input.first_name, "a first name")?;
    let last = PersonName::parse("last_name", &input.last_name, "a last name")?;
    let email = Email::parse("email", &input.email)?;
    check_new_password(&input.password).map_err(|m| Error::invalid("password", m))?;
    // Hashing costs 19 MiB and tens of milliseconds: only while setup is still open.
    if store::orgs::first(db).await?.is_some() {
        return Err(already_set_up());
    }
    let hash = passwords::hash(input.password).await?;

    let mut tx = super::begin(db).await?;
    // The lock row makes two concurrent setups impossible: the second insert fails.
    if !store::orgs::claim_setup(&mut tx).await? {
        return Err(already_set_up());
    }
    let org_id = store::new_id();
    store::orgs::insert(&mut *tx, &org_id, slug.as_str(), org_name.as_str()).await?;
    store::account_types::create_built_ins(&mut tx, &org_id).await?;
    let admin_type = store::account_types::built_in(&mut *tx, &org_id, BuiltIn::Admin).await?;
    let admin_id = store::new_id();
    store::users::insert(
        &mut *tx,
        store::users::NewUser {
            id: &admin_id,
            org_id: &org_id,
            email: &email,
            first_name: first.as_str(),
            last_name: last.as_str(),
            account_type_id: &admin_type.id,
            password_hash: Some(&hash),
            invite_pending: false,
        },
    )
    .await?;
    store::audit::record(
        &mut *tx,
        store::audit::Event {
            org_id: &org_id,
            actor_id: None,
            actor,
            action: audit::SETUP,
            target: email.as_str(),
            detail: format!("Created organization “{}” ({}) with first admin {}", org_name.as_str(), slug.as_str(), email.as_str()),
            ip,
        },
    )
    .await?;
    tx.commit().await?;
    let org = store::orgs::by_id(db, &org_id).await?.ok_or_else(Error::internal)?;
    Ok(SetupDone { org, admin_id })
}

pub fn already_set_up() -> Error {
    Error::conflict("Gatehouse is already set up: an organization exists. Sign in to it instead.")
}
