//! Passwords: a person changes theirs on Profile.
use crate::domain::views::PasswordStatus;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "password_status")]
pub async fn load_password_status(org: String) -> Result<PasswordStatus, AppError> {
    use super::request;
    let c = request::caller(&org).await?;
    Ok(crate::service::passwords::status(&request::state().db, &c).await?)
}

/// Changes the signed-in person's password (their other sessions end).
#[server(endpoint = "change_password")]
pub async fn change_password(org: String, current_password: String, new_password: String, new_password_confirm: String) -> Result<(), AppError> {
    use super::request;
    let c = request::caller(&org).await?;
    if new_password != new_password_confirm {
        return Err(AppError::invalid("new_password_confirm", "The two new passwords differ. Type the same password twice."));
    }
    let session = request::session().await?;
    let st = request::state();
    Ok(crate::service::passwords::change(&st.db, &st.config, &session, &c, current_password, new_password).await?)
}

/// Password reset links for people (Users, a person's page): their sessions
/// end now; each link is shown to copy, and sent by mail when mail is set up.
#[server(endpoint = "reset_passwords", input = leptos::server_fn::codec::Json)]
pub async fn reset_passwords(org: String, user_ids: Vec<String>) -> Result<crate::domain::views::PasswordResets, AppError> {
    use super::request;
    let c = request::admin(&org).await?;
    let st = request::state();
    Ok(crate::service::passwords::reset::issue(&st.db, &st.config, &c.actor(), &c.org, &user_ids).await?)
}

/// The reset page, before the person chooses a password.
#[server(endpoint = "password_reset")]
pub async fn load_password_reset(org: String, token: String) -> Result<crate::domain::views::PasswordLinkInfo, AppError> {
    use super::request;
    let o = request::org(&org).await?;
    Ok(crate::service::passwords::reset::info(&request::state().db, &o, &token).await?)
}

/// Sets a new password through a reset link; the link then stops working.
#[server(endpoint = "reset_password")]
pub async fn reset_password(org: String, token: String, password: String, password_confirm: String) -> Result<(), AppError> {
    use super::request;
    if password != password_confirm {
        return Err(AppError::invalid("password_confirm", "The two passwords differ. Type the same password twice."));
    }
    let o = request::org(&org).await?;
    let st = request::state();
    crate::service::passwords::reset::use_link(&st.db, &st.config, &o, &token, password, &request::client_ip()).await?;
    leptos_axum::redirect(&format!("/{}/login?reset=1", o.slug));
    Ok(())
}

/// "Forgot password?": a reset link by mail. The same answer (a redirect to
/// the page that says a link is on its way if the email can use one) whether
/// or not the email has an account.
#[server(endpoint = "forgot_password")]
pub async fn forgot_password(org: String, email: String) -> Result<(), AppError> {
    use super::request;
    let o = request::org(&org).await?;
    let st = request::state();
    crate::service::passwords::forgot::ask(&st.db, &st.config, &o, &email, &request::client_ip()).await?;
    leptos_axum::redirect(&format!("/{}/login/forgot?sent=1", o.slug));
    Ok(())
}
