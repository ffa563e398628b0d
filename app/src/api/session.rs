//! Signing in and out, and who is signed in.
use crate::domain::views::{LoginInfo, Me};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
mod ssr {
    pub use crate::auth;
    pub use crate::domain::audit;
    pub use crate::error::ErrorKind;
    pub use crate::store::{self, audit::Event};

    /// Failed attempts allowed per email, and per address, in the window.
    pub const MAX_FAILURES_PER_EMAIL: i64 = 5;
    pub const MAX_FAILURES_PER_IP: i64 = 30;
    pub const WINDOW_MINUTES: i64 = 15;
}

#[server(endpoint = "login_info")]
pub async fn load_login_info(org: String) -> Result<LoginInfo, AppError> {
    use self::ssr::*;
    let o = auth::org(&org).await?;
    let method = store::auth_settings::get(&auth::state().db, &o.id).await?.method;
    let method = crate::domain::AuthMethod::parse(&method).unwrap_or(crate::domain::AuthMethod::Password);
    Ok(LoginInfo { org_slug: o.slug, org_name: o.name, password_enabled: method.allows_password(), sso_enabled: method.allows_sso() })
}

/// Email and password sign-in. One generic message for a wrong email or
/// password; the audit log keeps the precise reason.
#[server(endpoint = "sign_in")]
pub async fn sign_in(org: String, email: String, password: String, next: Option<String>) -> Result<(), AppError> {
    use self::ssr::*;
    let st = auth::state();
    let o = auth::org(&org).await?;
    let ip = auth::client_ip();
    let email = email.trim().to_string();
    let fail = |reason: &str| Event {
        org_id: &o.id,
        actor_id: None,
        actor: if email.is_empty() { "anonymous" } else { &email },
        action: audit::SIGN_IN_FAILED,
        target: &email,
        detail: format!("method: password; reason: {reason}"),
        ip: &ip,
    };
    if email.is_empty() || password.is_empty() {
        return Err(AppError::invalid("email", "Enter your email and password."));
    }
    let method = store::auth_settings::get(&st.db, &o.id).await?.method;
    if !crate::domain::AuthMethod::parse(&method).is_some_and(|m| m.allows_password()) {
        store::audit::record(&st.db, fail("password sign-in is off: the organization signs in with SSO only")).await?;
        return Err(AppError::forbidden(format!(
            "{} signs in with single sign-on. Use “Sign in with SSO” and sign in at your identity provider.",
            o.name
        )));
    }

    let since = store::ago(time::Duration::minutes(WINDOW_MINUTES));
    let by_email = store::audit::count_since(&st.db, &o.id, audit::SIGN_IN_FAILED, Some(&email), None, &since).await?;
    let by_ip = store::audit::count_since(&st.db, &o.id, audit::SIGN_IN_FAILED, None, Some(&ip), &since).await?;
    if by_email >= MAX_FAILURES_PER_EMAIL || by_ip >= MAX_FAILURES_PER_IP {
        store::audit::record(&st.db, fail("too many failed attempts (rate limited)")).await?;
        return Err(AppError::new(
            ErrorKind::RateLimited,
            format!("Too many failed sign-in attempts. Wait {WINDOW_MINUTES} minutes and try again, or ask your administrator to check your account."),
        ));
    }

    let user = store::users::by_email(&st.db, &o.id, &email).await?;
    let ok = auth::verify_password(password, user.as_ref().and_then(|u| u.password_hash.clone())).await;
    let generic = || AppError::invalid("password", "That email and password do not match an account here. Check both and try again.");
    let user = match (user, ok) {
        (None, _) => {
            store::audit::record(&st.db, fail("no account with this email")).await?;
            return Err(generic());
        }
        (Some(u), false) => {
            let reason = if u.password_hash.is_none() { "account has no password set" } else { "wrong password" };
            store::audit::record(&st.db, fail(reason)).await?;
            return Err(generic());
        }
        (Some(u), true) => u,
    };
    if user.status != "active" {
        store::audit::record(&st.db, fail("account is deactivated")).await?;
        return Err(AppError::forbidden(format!(
            "Your account is deactivated, so you cannot sign in to {}. Ask your administrator to reactivate it.",
            o.name
        )));
    }

    let session = auth::session().await?;
    auth::start_session(&session, &st.db, &o, &user, "password", &ip).await?;
    let home = format!("/{}", o.slug);
    let dest = next.as_deref().and_then(crate::domain::safe_return_path).unwrap_or(&home);
    leptos_axum::redirect(dest);
    Ok(())
}

#[server(endpoint = "sign_out")]
pub async fn sign_out(org: String) -> Result<(), AppError> {
    use self::ssr::*;
    let st = auth::state();
    let o = auth::org(&org).await?;
    let session = auth::session().await?;
    if let Some(u) = auth::session_user(&session, &st.db, &o).await? {
        store::audit::record(
            &st.db,
            Event {
                org_id: &o.id,
                actor_id: Some(&u.id),
                actor: &u.email,
                action: audit::SIGN_OUT,
                target: &u.email,
                detail: String::new(),
                ip: &auth::client_ip(),
            },
        )
        .await?;
    }
    session.flush().await.map_err(|_| AppError::internal())?;
    leptos_axum::redirect(&format!("/{}/login?signed_out=1", o.slug));
    Ok(())
}

/// The signed-in person: name, email, account type and teams.
#[server(endpoint = "me")]
pub async fn load_me(org: String) -> Result<Me, AppError> {
    use self::ssr::*;
    let c = auth::caller(&org).await?;
    let teams = store::teams::names_for_user(&auth::state().db, &c.org.id, &c.user.id).await?;
    Ok(Me {
        is_admin: c.can(crate::domain::Permission::Administer),
        user_id: c.user.id,
        org_slug: c.org.slug,
        org_name: c.org.name,
        email: c.user.email,
        first_name: c.user.first_name,
        last_name: c.user.last_name,
        account_type: c.user.account_type_name,
        origin: c.user.origin,
        teams,
    })
}
