//! What a person sees when an OpenID Connect sign-in does not work: what
//! happened and what to change, with the request id, which the audit log
//! keeps beside the precise reason (counted like SAML's failures).
use crate::saml::page::{for_org, person_refused, render, server_failed, Person};
use app::domain::activity::SsoReason;
use app::service::access::Org;
use app::service::oidc::{Problem, TokenCheck};
use app::service::sso_activity::Diagnosis;
use app::service::state::AppState;
use axum::http::StatusCode;
use axum::response::Response;

pub enum Failure {
    SsoOff,
    /// No sign-in of this browser has this state (another browser, expired, answered).
    NotThisBrowser,
    /// The provider settings changed while the person was at the provider.
    SettingsChanged,
    /// The provider answered with an error instead of a code.
    ProviderError {
        error: String,
        description: String,
    },
    /// The answer names another issuer (RFC 9207): a mix-up.
    OtherIssuer(String),
    NoCode,
    /// Too many sign-ins from this address in the window.
    Limited(app::service::Error),
    Replayed(String),
    /// Talking to the provider, or checking what it sent.
    Provider(Problem),
    /// Verified, but it names nobody who may sign in here (with the email).
    Refused(Person, String),
    Internal(String),
}

impl Failure {
    /// A short name of the failure's kind (a metric label, the audit log's count key).
    pub fn kind(&self) -> &'static str {
        match self {
            Failure::SsoOff => "sso_off",
            Failure::NotThisBrowser => "not_this_browser",
            Failure::SettingsChanged => "settings_changed",
            Failure::ProviderError { .. } => "provider_error",
            Failure::OtherIssuer(_) => "other_issuer",
            Failure::NoCode => "no_code",
            Failure::Limited(_) => "rate_limited",
            Failure::Replayed(_) => "replayed",
            Failure::Provider(Problem::Unreachable(_) | Problem::Discovery(_)) => "provider_unreachable",
            Failure::Provider(Problem::IssuerMismatch { .. }) => "issuer_mismatch",
            Failure::Provider(Problem::TokenRefused { .. }) => "code_refused",
            Failure::Provider(Problem::NoIdToken | Problem::Token { .. }) => "unverified",
            Failure::Provider(Problem::NoEmail(_)) => "no_email",
            Failure::Provider(Problem::EmailNotVerified(_)) => "email_not_verified",
            Failure::Refused(p, _) => p.kind(),
            Failure::Internal(_) => "internal",
        }
    }

    /// (status, what happened and what to do, the precise reason for the audit log, email if known)
    fn explain(&self, org: &Org, redirect_uri: &str) -> (StatusCode, String, String, Option<String>) {
        let start_again = "Start again from the sign-in page.";
        let settings = "Ask your administrator to check the OpenID Connect settings in Gatehouse (Administration > Authentication) and at your identity provider.";
        let bad = StatusCode::BAD_REQUEST;
        match self {
            Failure::SsoOff => (
                bad,
                format!("Single sign-on is not turned on for {}. Sign in with your email and password, or ask your administrator.", org.name),
                "OpenID Connect is not enabled for this organization".into(),
                None,
            ),
            Failure::NotThisBrowser => (
                bad,
                format!("This sign-in was started in another browser or window, too long ago, or was already completed, so it cannot sign you in here. {start_again}"),
                "state matches no sign-in this browser started (no valid sign-in cookie: another browser, expired, or already answered)".into(),
                None,
            ),
            Failure::SettingsChanged => {
                (bad, format!("The single sign-on settings changed while you were signing in. {start_again}"), "the OpenID Connect issuer changed since this sign-in started".into(), None)
            }
            Failure::ProviderError { error, description } => {
                let said = if description.is_empty() { error.clone() } else { format!("{error}: {description}") };
                let (status, message) = match error.as_str() {
                    "access_denied" => (
                        StatusCode::FORBIDDEN,
                        format!("Your identity provider did not sign you in to {} ({said}). If you should have access, ask your administrator to assign you Gatehouse's application.", org.name),
                    ),
                    "login_required" | "interaction_required" | "consent_required" => {
                        (bad, format!("Your identity provider needs you to sign in there first ({said}). {start_again}"))
                    }
                    _ => (
                        bad,
                        format!(
                            "Your identity provider refused the sign-in ({said}). Ask your administrator to check the client ID, the scopes, and that the provider has the redirect URI {redirect_uri} registered."
                        ),
                    ),
                };
                (status, message, format!("the provider answered with an error: {said}"), None)
            }
            Failure::OtherIssuer(iss) => (
                bad,
                format!("This answer came from another identity provider than the one {} uses, so it cannot sign you in. {start_again}", org.name),
                format!("issuer mix-up: the answer names the issuer {iss}, not the configured one"),
                None,
            ),
            Failure::NoCode => (bad, format!("Your identity provider sent no sign-in code. {start_again}"), "no code in the answer".into(), None),
            Failure::Limited(e) => (StatusCode::TOO_MANY_REQUESTS, e.message.clone(), "too many sign-ins from this address (rate limited)".into(), None),
            Failure::Replayed(key) => (bad, format!("This sign-in answer was already used, so it cannot sign anyone in again. {start_again}"), format!("replayed answer ({key})"), None),
            Failure::Provider(p) => {
                let reason = p.to_string();
                let (status, message, email) = match p {
                    Problem::Unreachable(_) | Problem::Discovery(_) => (
                        StatusCode::BAD_GATEWAY,
                        "Gatehouse could not reach your identity provider to finish signing you in. Try again in a moment; if it keeps happening, tell your administrator.".to_string(),
                        None,
                    ),
                    Problem::IssuerMismatch { .. } => (
                        StatusCode::BAD_GATEWAY,
                        format!("Your identity provider now names another issuer than the one Gatehouse is set up with. {settings}"),
                        None,
                    ),
                    Problem::TokenRefused { error, .. } if error == "invalid_client" => (
                        bad,
                        "Your identity provider refused Gatehouse's client ID or client secret, so you are not signed in. Ask your administrator to check both (Administration > Authentication); a secret may have expired at the provider.".to_string(),
                        None,
                    ),
                    Problem::TokenRefused { error, .. } if error == "invalid_grant" => (
                        bad,
                        format!("Your identity provider refused the sign-in code: it was already used or has expired, or the provider does not have {redirect_uri} as the redirect URI. {start_again}"),
                        None,
                    ),
                    Problem::TokenRefused { .. } | Problem::NoIdToken => (bad, format!("Your identity provider did not complete the sign-in. {settings}"), None),
                    Problem::Token { check: TokenCheck::Expired, .. } => (
                        bad,
                        format!("The sign-in answer had expired, so you are not signed in. {start_again} If it keeps happening, this server's clock may be wrong: tell your administrator."),
                        None,
                    ),
                    Problem::Token { check: TokenCheck::Nonce, .. } => (
                        bad,
                        format!("This sign-in answer belongs to another sign-in, so it cannot sign you in here. {start_again}"),
                        None,
                    ),
                    Problem::Token { .. } => (
                        bad,
                        format!("The identity provider's answer could not be verified, so you are not signed in. {settings}"),
                        None,
                    ),
                    Problem::NoEmail(claim) => (
                        bad,
                        format!("Your identity provider did not say who you are: its answer has no email in the claim “{claim}”. {settings}"),
                        None,
                    ),
                    Problem::EmailNotVerified(email) => (
                        StatusCode::FORBIDDEN,
                        format!("Your identity provider has not verified the email {email}, so it cannot sign you in to {}. Verify it at your identity provider, then start again.", org.name),
                        Some(email.clone()),
                    ),
                };
                (status, message, reason, email)
            }
            Failure::Refused(p, email) => person_refused(*p, email, org),
            Failure::Internal(e) => server_failed(e),
        }
    }

    /// Records the failure in the audit log (counted: one row per kind,
    /// address and window) and answers with the page, which shows the
    /// request id as its reference. An organization without OpenID Connect
    /// records nothing.
    /// The SSO sign-in activity's reason, with what was expected and received when known.
    fn activity(&self, configured_issuer: &str) -> (SsoReason, String, String) {
        let none = || (String::new(), String::new());
        let (why, (expected, received)) = match self {
            Failure::NotThisBrowser => (SsoReason::NotThisBrowser, none()),
            Failure::ProviderError { .. } => (SsoReason::IdpError, none()),
            Failure::OtherIssuer(iss) => (SsoReason::Issuer, (configured_issuer.to_string(), iss.clone())),
            Failure::NoCode => (SsoReason::Empty, none()),
            Failure::Replayed(_) => (SsoReason::Replayed, none()),
            Failure::Provider(Problem::IssuerMismatch { expected, found }) => (SsoReason::Issuer, (expected.clone(), found.clone())),
            Failure::Provider(Problem::TokenRefused { .. }) => (SsoReason::IdpError, none()),
            Failure::Provider(Problem::NoIdToken | Problem::NoEmail(_)) => (SsoReason::Malformed, none()),
            Failure::Provider(Problem::Token { check, .. }) => (
                match check {
                    TokenCheck::Signature | TokenCheck::UnknownKey => SsoReason::SignatureInvalid,
                    TokenCheck::Issuer => SsoReason::Issuer,
                    TokenCheck::Audience => SsoReason::Audience,
                    TokenCheck::Expired => SsoReason::Expired,
                    TokenCheck::Nonce => SsoReason::NotThisBrowser,
                    TokenCheck::Other => SsoReason::Other,
                },
                none(),
            ),
            Failure::Refused(p, _) => (p.reason(), none()),
            Failure::Internal(_) => (SsoReason::Internal, none()),
            Failure::SsoOff | Failure::SettingsChanged | Failure::Limited(_) | Failure::Provider(Problem::Unreachable(_) | Problem::Discovery(_) | Problem::EmailNotVerified(_)) => {
                (SsoReason::Other, none())
            }
        };
        (why, expected, received)
    }

    pub async fn respond(self, st: &AppState, org: &Org, ip: &str, configured_issuer: &str) -> Response {
        app::metrics::oidc_failure(self.kind());
        let kind = self.kind();
        let record = !matches!(self, Failure::SsoOff);
        let retry_after = match &self {
            Failure::Limited(e) => e.retry_after_secs,
            _ => None,
        };
        let redirect_uri = app::service::sso::oidc_urls(&st.config.base_url, &org.slug).redirect_uri;
        let (why, expected, received) = self.activity(configured_issuer);
        let (status, message, reason, email) = self.explain(org, &redirect_uri);
        let reference = crate::ops::current_request_id().unwrap_or_else(|| "unknown".into());
        tracing::warn!(org = %org.slug, %reference, %reason, "OpenID Connect sign-in failed");
        if record {
            let email = email.unwrap_or_default();
            // In the SSO sign-in activity beside SAML's, marked as OpenID Connect's.
            let diagnosis = Diagnosis { reason: Some(why), message: format!("OpenID Connect: {reason}"), expected, received, ..Default::default() };
            let failed = app::service::sso::Failed { kind, reason: &reason, email: &email, named: &email, reference: &reference, ip, diagnosis: &diagnosis };
            if let Err(e) = app::service::sso::record_failure(&st.db, &org.id, app::service::sign_in::Sso::Oidc, failed).await {
                tracing::error!(error = %e.message, "cannot record a failed OpenID Connect sign-in");
            }
        }
        let mut res = render(status, "Sign-in failed", &message, Some(&reference), Some(&org.slug));
        if let Some(secs) = retry_after {
            if let Ok(v) = axum::http::HeaderValue::from_str(&secs.to_string()) {
                res.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
            }
        }
        res
    }
}

pub fn unreachable(org: &Org) -> Response {
    for_org(
        org,
        StatusCode::BAD_GATEWAY,
        "Single sign-on is unavailable",
        format!("Gatehouse could not reach the identity provider of {} to start signing you in. Try again in a moment; if it keeps happening, tell your administrator.", org.name),
    )
}

pub fn idp_initiated_off(org: &Org) -> Response {
    for_org(
        org,
        StatusCode::FORBIDDEN,
        "Sign-in failed",
        format!("{} does not accept sign-in started at your identity provider. Open the Gatehouse sign-in page and use “Sign in with SSO”.", org.name),
    )
}

pub fn other_issuer(org: &Org) -> Response {
    for_org(
        org,
        StatusCode::BAD_REQUEST,
        "Sign-in failed",
        format!("This sign-in was started by another identity provider than the one {} uses. Open the Gatehouse sign-in page and use “Sign in with SSO”.", org.name),
    )
}
