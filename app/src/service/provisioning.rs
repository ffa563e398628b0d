//! Provisioning (SCIM) tokens: created by the setup wizard or the command
//! line, checked on every SCIM request, revoked; and releasing the records
//! the identity provider managed once provisioning is off.
use super::{Actor, ActorKind, Error, Kind, Result};
use crate::domain::{audit, words::plural};
use crate::service::store::{self, orgs::Org, scim_tokens::TokenRow, Db};
use subtle::ConstantTimeEq;

/// The identity provider behind a SCIM request: the token names the
/// organization, the only one the request can touch.
#[derive(Clone, Debug)]
pub struct Idp {
    pub org: Org,
    pub token: TokenRow,
}

impl Idp {
    /// The identity provider as the actor of a use case: the audit log names
    /// the token; documents of people it deprovisions go to the admin it acts for.
    pub fn actor(&self) -> Actor {
        Actor {
            org_id: self.org.id.clone(),
            id: Some(self.token.created_by.clone()),
            label: format!("SCIM token “{}”", self.token.name),
            ip: String::new(),
            kind: ActorKind::IdentityProvider { receiver_id: self.token.created_by.clone(), receiver_email: self.token.created_by_email.clone() },
            activity: None,
        }
    }
}

/// The identity provider a bearer token belongs to, or None when the token is
/// wrong or revoked. A hit is reused for at most a second on SQLite
/// (`scim_tokens::CACHE_TTL`); "last used" is written at most once a minute,
/// in the background, so a busy identity provider does not turn reads into writes.
pub async fn authenticate(db: &Db, bearer: &str) -> Result<Option<Idp>> {
    if bearer.is_empty() {
        return Ok(None);
    }
    let hash = store::scim_tokens::hash(bearer);
    let found = store::scim_tokens::find_active_cached(db, &hash).await?;
    // The look-up is by hash; comparing the stored hash in constant time as well
    // keeps timing from telling anything about near misses.
    let Some((token, org)) = found.filter(|(r, _)| bool::from(r.token_hash.as_bytes().ct_eq(hash.as_bytes()))) else {
        return Ok(None);
    };
    let stale = token.last_used_at.is_none_or(|t| t.get() < time::OffsetDateTime::now_utc() - time::Duration::minutes(1));
    if stale && claim_touch(&token.id) {
        let (db, id) = (db.clone(), token.id.clone());
        tokio::spawn(async move {
            let done = async {
                let mut tx = store::begin(&db).await?;
                store::scim_tokens::touch(&mut tx, &id).await?;
                tx.commit().await
            };
            if let Err(e) = done.await {
                tracing::warn!(error = %e, "SCIM: could not record the token's last use");
            }
        });
    }
    Ok(Some(Idp { org, token }))
}

/// Whether this request should record the token's use: once a minute per
/// token and process, however many requests arrive at the same moment.
fn claim_touch(token_id: &str) -> bool {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    use std::time::{Duration, Instant};
    static LAST: OnceLock<Mutex<HashMap<String, Instant>>> = OnceLock::new();
    let mut last = LAST.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    let now = Instant::now();
    if last.get(token_id).is_some_and(|t| now.duration_since(*t) < Duration::from_secs(60)) {
        return false;
    }
    last.retain(|_, t| now.duration_since(*t) < Duration::from_secs(60));
    last.insert(token_id.to_string(), now);
    true
}

/// Whether the person creating a token has read what turning provisioning on
/// means (the setup wizard's guidance and its acknowledgement).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Guidance {
    Acknowledged,
    NotAcknowledged,
}

/// Creates a token named `name` that acts for the admin `acts_for` (the
/// setup wizard's last step, "Create another token", or `gatehouse
/// provisioning token create`); returns the token, which is stored only as a
/// hash. The guidance must be acknowledged to turn provisioning on (the first
/// active token); another token while it is on changes nothing the guidance
/// describes. Active tokens have distinct names, so the one a person revokes
/// is the one they meant.
pub async fn create_token(db: &Db, actor: &Actor, name: &str, acts_for: (&str, &str), guidance: Guidance) -> Result<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::invalid("name", "Give the token a name, such as “Okta”, so you can tell tokens apart."));
    }
    if name.chars().count() > 100 {
        return Err(Error::invalid("name", "A token name can be at most 100 characters."));
    }
    let token = store::scim_tokens::new_token();
    let mut tx = super::begin(db).await?;
    // Two admins creating tokens at once take turns: both rules below read the active tokens.
    store::orgs::lock(&mut tx, &actor.org_id).await?;
    let active = store::scim_tokens::active(&mut tx, &actor.org_id).await?;
    if active.is_empty() && guidance == Guidance::NotAcknowledged {
        return Err(Error::invalid("acknowledged", "Confirm that you have read and understood the guidance first."));
    }
    if let Some(same) = active.iter().find(|t| t.name.to_lowercase() == name.to_lowercase()) {
        return Err(Error::taken("name", format!("An active token is already named “{0}”. Give this one another name, such as “{0} 2”, so you can tell them apart.", same.name)));
    }
    store::scim_tokens::insert(&mut tx, &actor.org_id, name, &token, acts_for.0, acts_for.1).await?;
    store::audit::record(&mut *tx, actor.event(audit::PROVISIONING_TOKEN_CREATED, name, format!("documents of deprovisioned people go to {}", acts_for.1))).await?;
    tx.commit().await?;
    Ok(token)
}

/// The admin a token made on the command line acts for: the one with this
/// email, or the organization's first active administrator.
pub async fn token_admin(db: &Db, org: &Org, email: Option<&str>) -> Result<store::users::UserRow> {
    store::users::active_admin(db, &org.id, email)
        .await?
        .ok_or_else(|| Error::not_found(format!("There is no active administrator {}in “{}”.", email.map(|e| format!("{e} ")).unwrap_or_default(), org.slug)))
}

/// The organization's tokens, newest first, for `gatehouse provisioning token list`.
pub async fn tokens(db: &Db, org_id: &str) -> Result<Vec<crate::domain::views::ProvisioningToken>> {
    Ok(store::scim_tokens::list(db, org_id).await?.into_iter().map(token_view).collect())
}

fn token_view(t: store::scim_tokens::TokenRow) -> crate::domain::views::ProvisioningToken {
    crate::domain::views::ProvisioningToken {
        id: t.id,
        name: t.name,
        created_by: t.created_by_email,
        created_at: t.created_at.to_string(),
        last_used_at: t.last_used_at.map(|t| t.to_string()),
        revoked_at: t.revoked_at.map(|t| t.to_string()),
    }
}

/// The active token an operator names by id or by name (`gatehouse
/// provisioning token revoke`): a name must name exactly one.
pub async fn active_token_named(db: &Db, org_id: &str, id_or_name: &str) -> Result<crate::domain::views::ProvisioningToken> {
    let active: Vec<_> = tokens(db, org_id).await?.into_iter().filter(|t| t.revoked_at.is_none()).collect();
    if let Some(t) = active.iter().find(|t| t.id == id_or_name) {
        return Ok(t.clone());
    }
    let named: Vec<_> = active.into_iter().filter(|t| t.name.eq_ignore_ascii_case(id_or_name)).collect();
    match named.len() {
        1 => Ok(named.into_iter().next().expect("one")),
        0 => Err(Error::not_found(format!("No active token has the id or name “{id_or_name}”. `gatehouse provisioning token list` shows them."))),
        n => Err(Error::invalid("token", format!("{n} active tokens are named “{id_or_name}”: give the id instead (`gatehouse provisioning token list`)."))),
    }
}

/// Revokes one of the organization's tokens: the identity provider using it
/// is refused from its next request. A token of another organization is not
/// found; one already revoked is refused, so two admins revoking it at once
/// learn that the other did.
pub async fn revoke_token(db: &Db, actor: &Actor, id: &str) -> Result<()> {
    let mut tx = super::begin(db).await?;
    let t = store::scim_tokens::get(&mut tx, &actor.org_id, id).await?.ok_or_else(|| Error::not_found("That token does not exist."))?;
    if t.revoked_at.is_some() || !store::scim_tokens::revoke(&mut tx, &actor.org_id, id).await? {
        return Err(Error::conflict(format!("The token “{}” was already revoked.", t.name)));
    }
    store::audit::record(&mut *tx, actor.event(audit::PROVISIONING_TOKEN_REVOKED, &t.name, String::new())).await?;
    tx.commit().await?;
    Ok(())
}

/// Which records `release` returns to local management.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Released {
    People,
    Teams,
}

/// Whether records the identity provider managed may return to local
/// management: only once provisioning is off (every token revoked), or the
/// identity provider would take them back on its next push.
pub async fn can_release(db: &Db, org_id: &str) -> Result<bool> {
    Ok(store::scim_tokens::active_count(db, org_id).await? == 0)
}

/// Returns records the identity provider managed to local management: one
/// person or team by id, or all of them. Returns how many.
pub async fn release(db: &Db, actor: &Actor, kind: Released, id: Option<&str>) -> Result<u64> {
    if !can_release(db, &actor.org_id).await? {
        return Err(Error::new(Kind::Conflict, "Provisioning is still on. Revoke every provisioning token first; then records can return to local management."));
    }
    let mut tx = super::begin(db).await?;
    let (n, one, what) = match kind {
        Released::People => {
            // Their user attribute values, too, are set here from now on.
            store::attributes::release(&mut tx, &actor.org_id, id).await?;
            (store::users::release(&mut tx, &actor.org_id, id).await?, "user", "users")
        }
        Released::Teams => (store::teams::release(&mut tx, &actor.org_id, id).await?, "team", "teams"),
    };
    if n > 0 {
        let detail = format!("{} now managed locally", plural(n as i64, one, what));
        store::audit::record(&mut *tx, actor.event(audit::PROVISIONING_RELEASED, what, detail)).await?;
    }
    tx.commit().await?;
    Ok(n)
}

/// What an identity provider's create (SCIM POST) did with the record it named.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// A new person or team.
    Created,
    /// One the identity provider had deleted (archived) came back.
    Revived,
    /// One Gatehouse managed is now managed by the identity provider.
    Linked,
}

/// The decision a create makes when Gatehouse already has the record it
/// names (the same userName, or the same group), for people and teams alike:
/// one the identity provider deleted comes back, one Gatehouse managed is
/// linked, and one the identity provider already manages is taken (`None`).
pub fn existing_record(archived: bool, origin: crate::domain::Origin) -> Option<Outcome> {
    if archived {
        Some(Outcome::Revived)
    } else if origin == crate::domain::Origin::Local {
        Some(Outcome::Linked)
    } else {
        None
    }
}

/// Authentication > Account Type and Team Provisioning: the Directory Base
/// URL, the tokens, and what the identity provider manages.
pub async fn overview(db: &Db, base_url: &str, c: &super::access::Caller) -> Result<crate::domain::views::ProvisioningInfo> {
    use crate::domain::views::ProvisioningInfo;
    let tokens = store::scim_tokens::list(db, &c.org.id).await?;
    Ok(ProvisioningInfo {
        base_url: format!("{base_url}/scim/v2"),
        active_tokens: tokens.iter().filter(|t| t.revoked_at.is_none()).count() as i64,
        managed_users: store::users::managed_count(db, &c.org.id).await?,
        managed_teams: store::teams::managed_count(db, &c.org.id).await?,
        tokens: tokens.into_iter().map(token_view).collect(),
    })
}
