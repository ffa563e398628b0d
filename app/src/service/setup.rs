//! Creating the organization and its first admin: the first-run page, the
//! `gatehouse setup` command and the demo share this one path.
use super::{passwords, Error, Result};
use crate::domain::{
    audit,
    password::{self, check_new_password},
    permissions::BuiltIn,
    Email, OrgName, OrgSlug, PersonName,
};
use crate::service::store::{self, orgs::Org, Db};

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

/// How the caller shows they run this server: the setup code it printed (the
/// first-run page), or by running a command on its machine.
pub enum Proof<'a> {
    SetupCode(&'a str),
    ServerMachine,
}

/// Wrong setup codes allowed per address in a window (the code has 40 bits).
const MAX_CODE_ATTEMPTS: i64 = 10;
const SETUP_CODE: &str = "setup_code";

/// The setup code while no organization exists: `pinned` (set by the
/// operator), the one already made, or a new one. None once set up.
pub async fn ensure_setup_code(db: &Db, pinned: Option<&str>) -> Result<Option<String>> {
    if store::orgs::first(db).await?.is_some() {
        return Ok(None);
    }
    if let Some(code) = pinned.map(str::trim).filter(|c| !c.is_empty()) {
        store::secrets::set(db, SETUP_CODE, &normalize(code)).await?;
        return Ok(Some(normalize(code)));
    }
    Ok(Some(store::secrets::get_or_create(db, SETUP_CODE, new_code).await?))
}

/// Eight characters people can read out and type: no 0/O or 1/I/L.
fn new_code() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rngs::OsRng;
    let mut s: String = (0..8).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect();
    s.insert(4, '-');
    s
}

/// Codes compare without regard to case, spaces or the dash.
fn normalize(code: &str) -> String {
    let c: String = code.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect();
    if c.len() == 8 {
        format!("{}-{}", &c[..4], &c[4..])
    } else {
        c
    }
}

/// Checks a setup code from the first-run page, at most `MAX_CODE_ATTEMPTS`
/// wrong ones per address in a sign-in window.
async fn check_code(db: &Db, code: &str, ip: &str) -> Result<()> {
    use subtle::ConstantTimeEq;
    let Some(expected) = store::secrets::get(db, SETUP_CODE).await? else {
        return Err(already_set_up());
    };
    let key = format!("setup:{}", super::sign_in::address_key(ip));
    let mut tx = super::begin(db).await?;
    let slot = store::sign_in_limits::take(&mut tx, "", &key, MAX_CODE_ATTEMPTS, time::Duration::minutes(super::sign_in::WINDOW_MINUTES)).await?;
    tx.commit().await?;
    if let store::sign_in_limits::Slot::Full { retry_after_secs } = slot {
        return Err(Error::rate_limited("Too many wrong setup codes. Wait a few minutes, then copy the code from the server's console again.", retry_after_secs));
    }
    if !bool::from(normalize(code).as_bytes().ct_eq(expected.as_bytes())) {
        return Err(Error::invalid("setup_code", "That is not the setup code. Gatehouse prints it in its console (or log) when it starts without an organization; copy it from there."));
    }
    Ok(())
}

pub struct SetupDone {
    pub org: Org,
    pub admin_id: String,
}

/// Checks everything first, so bad input changes nothing; then writes the
/// organization, its account types, the admin and the audit event in one transaction.
pub async fn create_organization(db: &Db, input: SetupInput, proof: Proof<'_>, actor: &str, ip: &str) -> Result<SetupDone> {
    if let Proof::SetupCode(code) = proof {
        check_code(db, code, ip).await?;
    }
    let org_name = OrgName::parse("org_name", &input.org_name)?;
    let slug = OrgSlug::parse("org_slug", &input.org_slug)?;
    let first = PersonName::parse("first_name", &input.first_name, "a first name")?;
    let last = PersonName::parse("last_name", &input.last_name, "a last name")?;
    let email = Email::parse("email", &input.email)?;
    check_new_password(&input.password, &password::Context::new(email.as_str(), org_name.as_str())).map_err(|m| Error::invalid("password", m))?;
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
    store::secrets::delete(&mut tx, SETUP_CODE).await?;
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
            is_guest: false,
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

#[cfg(test)]
mod tests {
    #[test]
    fn setup_codes_are_readable_and_compare_loosely() {
        let c = super::new_code();
        assert_eq!((c.len(), &c[4..5]), (9, "-"));
        assert!(!c.contains(['0', 'O', '1', 'I', 'L']), "{c}");
        assert_eq!(super::normalize(" abcd efgh "), "ABCD-EFGH");
        assert_eq!(super::normalize(&c.to_lowercase()), c);
    }
}

/// The organization's URL name, once the first run has made it.
pub async fn existing_org(db: &Db) -> Result<Option<String>> {
    Ok(store::orgs::first(db).await?.map(|o| o.slug))
}

/// The first-run setup code, while no organization exists (printed at start).
pub async fn pending_code(db: &Db) -> Result<Option<String>> {
    Ok(store::secrets::get(db, SETUP_CODE).await?)
}
