//! Administration > Authentication > Allowed IP addresses.
use crate::domain::views::{Allowlist, RangesAdded};
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "ip_allowlist")]
pub async fn load_allowlist(org: String) -> Result<Allowlist, AppError> {
    use super::request;
    let c = request::admin(&org).await?;
    Ok(crate::service::allowlist::view(&request::state().db, &c).await?)
}

/// Adds the ranges in `ranges`, one per line (`203.0.113.0/24 # office`).
#[server(endpoint = "add_allowed_ranges")]
pub async fn add_allowed_ranges(org: String, ranges: String, scope: String) -> Result<RangesAdded, AppError> {
    use super::request;
    let c = request::admin(&org).await?;
    let scope = crate::domain::views::RangeScope::parse(&scope).ok_or_else(|| AppError::invalid("scope", "Choose what the ranges apply to."))?;
    Ok(crate::service::allowlist::add(&request::state().db, &c, &ranges, scope).await?)
}

#[server(endpoint = "remove_allowed_range")]
pub async fn remove_allowed_range(org: String, id: String) -> Result<(), AppError> {
    use super::request;
    let c = request::admin(&org).await?;
    Ok(crate::service::allowlist::remove(&request::state().db, &c, &id).await?)
}
