//! Signing in and out, and who is signed in.
use crate::domain::views::{LoginInfo, Me, MfaSetup};
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "login_info")]
pub async fn load_login_info(org: String) -> Result<LoginInfo, AppError> {
    use super::request;
    let o = request::org(&org).await?;
    let session = request::session().await?;
    let st = request::state();
    Ok(crate::service::sign_in::login_info(&st.db, &st.config, &session, o).await?)
}

/// Email and password sign-in (see `service::sign_in::with_password`).
#[server(endpoint = "sign_in")]
pub async fn sign_in(org: String, email: String, password: String, next: Option<String>) -> Result<(), AppError> {
    use super::request;
    use crate::service::sign_in::{self, Attempt, Outcome, DEVICE_COOKIE};
    let o = request::org(&org).await?;
    let session = request::session().await?;
    let st = request::state();
    let device = request::cookie(DEVICE_COOKIE);
    let attempt = Attempt { email: &email, password, ip: &request::client_ip(), device: device.as_deref(), config: &st.config };
    let next_q = next.as_deref().and_then(crate::domain::safe_return_path).map(|n| format!("?next={}", ssr::encode(n))).unwrap_or_default();
    match sign_in::with_password(&st.db, &st.keys, &session, &o, attempt).await? {
        Outcome::SignedIn(done) => ssr::signed_in(&o, &done, next.as_deref()),
        Outcome::NeedsCode | Outcome::NeedsEmailCode => leptos_axum::redirect(&format!("/{}/login/verify{next_q}", o.slug)),
        Outcome::MustEnrol => leptos_axum::redirect(&format!("/{}/login/enrol{next_q}", o.slug)),
    }
    Ok(())
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::super::request;
    use crate::service::access::Org;
    use crate::service::sign_in::{SignedIn, DEVICE_COOKIE, DEVICE_DAYS};

    pub fn encode(s: &str) -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect()
    }

    /// The browser keeps its device cookie and goes where it was going.
    pub fn signed_in(o: &Org, done: &SignedIn, next: Option<&str>) {
        request::set_cookie(DEVICE_COOKIE, &done.device_cookie, DEVICE_DAYS * 86_400);
        let home = format!("/{}", o.slug);
        leptos_axum::redirect(next.and_then(crate::domain::safe_return_path).unwrap_or(&home));
    }
}

/// The second step of a password sign-in: a code from the authenticator app,
/// or a recovery code.
#[server(endpoint = "verify_sign_in")]
pub async fn verify_sign_in(org: String, code: String, next: Option<String>) -> Result<(), AppError> {
    use super::request;
    use crate::service::sign_in;
    let o = request::org(&org).await?;
    let session = request::session().await?;
    let st = request::state();
    let done = sign_in::with_code(&st.db, &st.keys, &st.config, &session, &o, &code, &request::client_ip()).await?;
    ssr::signed_in(&o, &done, next.as_deref());
    Ok(())
}

/// "Send a new code" on the second step of a sign-in that uses codes by email.
/// Back to the code page, which then says a new code is on its way.
#[server(endpoint = "resend_sign_in_code")]
pub async fn resend_sign_in_code(org: String, next: Option<String>) -> Result<(), AppError> {
    use super::request;
    let o = request::org(&org).await?;
    let session = request::session().await?;
    let st = request::state();
    crate::service::sign_in::resend_email_code(&st.db, &st.keys, &st.config, &session, &o, &request::client_ip()).await?;
    let next_q = next.as_deref().and_then(crate::domain::safe_return_path).map(|n| format!("&next={}", ssr::encode(n))).unwrap_or_default();
    leptos_axum::redirect(&format!("/{}/login/verify?resent=1{next_q}", o.slug));
    Ok(())
}

/// The app to set up during a sign-in the organization requires it for.
#[server(endpoint = "sign_in_enrolment")]
pub async fn sign_in_enrolment(org: String) -> Result<MfaSetup, AppError> {
    use super::request;
    use crate::service::sign_in;
    let o = request::org(&org).await?;
    let session = request::session().await?;
    let (app, email) = sign_in::start_enrolment(&request::state().db, &session, &o).await?;
    Ok(MfaSetup { email, secret: app.secret, uri: app.uri, qr_svg: app.qr_svg })
}

/// Finishes such a sign-in with a first code from the new app; answers the
/// recovery codes (shown once). The page then continues to `next`.
#[server(endpoint = "finish_sign_in_enrolment")]
pub async fn finish_sign_in_enrolment(org: String, code: String) -> Result<Vec<String>, AppError> {
    use super::request;
    use crate::service::sign_in::{self, DEVICE_COOKIE, DEVICE_DAYS};
    let o = request::org(&org).await?;
    let session = request::session().await?;
    let st = request::state();
    let (done, codes) = sign_in::with_new_app(&st.db, &st.keys, &st.config, &session, &o, &code, &request::client_ip()).await?;
    request::set_cookie(DEVICE_COOKIE, &done.device_cookie, DEVICE_DAYS * 86_400);
    Ok(codes)
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
    let c = request::caller(&org).await?;
    Ok(crate::service::access::me(&request::state().db, c).await?)
}
