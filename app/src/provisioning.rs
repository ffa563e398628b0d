//! Creating provisioning tokens: the setup wizard and the
//! `gatehouse provisioning token create` command share this path.
use crate::domain::audit;
use crate::error::{AppError, AppResult};
use crate::store::{self, audit::Event, orgs::Org, Db};

/// Creates a token named `name` for `org`, on behalf of the admin `created_by`;
/// returns the token, which is stored only as a hash.
pub async fn create_token(db: &Db, org: &Org, name: &str, created_by: (&str, &str), actor: &str, ip: &str) -> AppResult<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::invalid("name", "Give the token a name, such as “Okta”, so you can tell tokens apart."));
    }
    if name.chars().count() > 100 {
        return Err(AppError::invalid("name", "A token name can be at most 100 characters."));
    }
    let token = store::scim_tokens::new_token();
    let mut tx = crate::store::begin(&db).await?;
    store::scim_tokens::insert(&mut tx, &org.id, name, &token, created_by.0, created_by.1).await?;
    store::audit::record(
        &mut *tx,
        Event {
            org_id: &org.id,
            actor_id: Some(created_by.0),
            actor,
            action: audit::PROVISIONING_TOKEN_CREATED,
            target: name,
            detail: format!("documents of deprovisioned people go to {}", created_by.1),
            ip,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(token)
}
