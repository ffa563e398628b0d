//! Signing in and out, and who is signed in.
use crate::domain::views::{LoginInfo, Me};
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "login_info")]
pub async fn load_login_info(org: String) -> Result<LoginInfo, AppError> {
    use super::request;
    use crate::service::sign_in;
    let o = request::org(&org).await?;
    let method = sign_in::method(&request::state().db, &o).await?;
    Ok(LoginInfo { org_slug: o.slug, org_name: o.name, password_enabled: method.allows_password(), sso_enabled: method.allows_sso() })
}

/// Email and password sign-in (see `service::sign_in::with_password`).
#[server(endpoint = "sign_in")]
pub async fn sign_in(org: String, email: String, password: String, next: Option<String>) -> Result<(), AppError> {
    use super::request;
    use crate::service::sign_in::{self, Attempt, DEVICE_COOKIE, DEVICE_DAYS};
    let o = request::org(&org).await?;
    let session = request::session().await?;
    let st = request::state();
    let device = request::cookie(DEVICE_COOKIE);
    let attempt = Attempt { email: &email, password, ip: &request::client_ip(), device: device.as_deref() };
    let done = sign_in::with_password(&st.db, &st.keys, &session, &o, attempt).await?;
    request::set_cookie(DEVICE_COOKIE, &done.device_cookie, DEVICE_DAYS * 86_400);
    let home = format!("/{}", o.slug);
    let dest = next.as_deref().and_then(crate::domain::safe_return_path).unwrap_or(&home);
    leptos_axum::redirect(dest);
    Ok(())
}

#[server(endpoint = "sign_out")]
pub async fn sign_out(org: String) -> Result<(), AppError> {
    use super::request;
    use crate::service::sign_in;
    let o = request::org(&org).await?;
    let session = request::session().await?;
    sign_in::sign_out(&request::state().db, &session, &o, &request::client_ip()).await?;
    leptos_axum::redirect(&format!("/{}/login?signed_out=1", o.slug));
    Ok(())
}

/// The signed-in person: name, email, account type and teams.
#[server(endpoint = "me")]
pub async fn load_me(org: String) -> Result<Me, AppError> {
    use super::request;
    use crate::store;
    let c = request::caller(&org).await?;
    let teams = store::teams::names_for_user(&request::state().db, &c.org.id, &c.user.id).await?;
    Ok(Me {
        is_admin: c.is_admin(),
        user_id: c.user.id,
        org_slug: c.org.slug,
        org_name: c.org.name,
        email: c.user.email,
        first_name: c.user.first_name,
        last_name: c.user.last_name,
        account_type: c.user.account_type_name,
        origin: c.user.origin.as_str().into(),
        teams,
    })
}
