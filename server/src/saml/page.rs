//! What a person sees when SSO does not work: plain words, what to do, and a
//! reference the administrator finds in the audit log beside the precise reason.
use app::domain::activity::{DecodedResponse, SsoReason};
use app::service::access::Org;
use app::service::sign_in::SsoRefusal;
use app::service::sso_activity::Diagnosis;
use app::service::state::AppState;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use rand::Rng;
use saml_rs::SamlError;

pub enum Failure {
    SsoOff,
    Empty,
    /// The response could not be read (not base64, not XML, not a Response) or
    /// the settings could not be used; the reason is for the audit log.
    Unverified(String),
    /// The SAML library refused the response: its words, and the one reason
    /// with what was expected and received (see `diagnose::classify`).
    Rejected {
        message: String,
        reason: SsoReason,
        expected: String,
        received: String,
    },
    /// The response answers a request this browser did not start (or one too old).
    NotThisBrowser,
    /// Sign-in started at the identity provider, which the organization turned off.
    IdpInitiatedOff,
    Replayed(String),
    /// Verified, but it names nobody who may sign in here (with the email).
    Refused(Person, String),
    Internal(String),
}

impl Failure {
    pub fn internal(e: impl std::fmt::Display) -> Failure {
        Failure::Internal(e.to_string())
    }

    pub fn from_saml(e: SamlError, d: &DecodedResponse, x: &super::diagnose::Expected) -> Failure {
        match e {
            SamlError::ReplayDetected { key } => Failure::Replayed(key),
            other => {
                let (reason, expected, received) = super::diagnose::classify(&other, d, x, std::time::SystemTime::now());
                Failure::Rejected { message: format!("{other} ({other:?})"), reason, expected, received }
            }
        }
    }

    /// The reason from the fixed list, and what was expected and received.
    fn diagnosis(&self, acs_url: &str) -> (SsoReason, String, String) {
        let none = String::new;
        match self {
            Failure::SsoOff | Failure::Internal(_) => (SsoReason::Internal, none(), none()),
            Failure::Empty => (SsoReason::Empty, acs_url.to_string(), none()),
            Failure::Unverified(_) => (SsoReason::Malformed, acs_url.to_string(), none()),
            Failure::Rejected { reason, expected, received, .. } => (*reason, expected.clone(), received.clone()),
            Failure::NotThisBrowser => (SsoReason::NotThisBrowser, none(), none()),
            Failure::IdpInitiatedOff => (SsoReason::IdpInitiatedOff, none(), none()),
            Failure::Replayed(key) => (SsoReason::Replayed, none(), key.clone()),
            Failure::Refused(p, _) => (p.reason(), none(), none()),
        }
    }

    /// (status, what happened and what to do, the precise reason for the audit log, email if known)
    fn explain(&self, org: &Org) -> (StatusCode, String, String, Option<String>) {
        let start_again = "Start again from the sign-in page.";
        match self {
            Failure::SsoOff => (
                StatusCode::BAD_REQUEST,
                format!("Single sign-on is not turned on for {}. Sign in with your email and password, or ask your administrator.", org.name),
                "SSO is not enabled for this organization".into(),
                None,
            ),
            Failure::Empty => (
                StatusCode::BAD_REQUEST,
                format!("Your identity provider sent no sign-in response. {start_again}"),
                "no SAMLResponse in the post".into(),
                None,
            ),
            Failure::Unverified(reason) | Failure::Rejected { message: reason, .. } => (
                StatusCode::BAD_REQUEST,
                "The sign-in response could not be verified, so you are not signed in. Ask your administrator to check the identity provider certificate and settings in Gatehouse (Administration > Authentication).".into(),
                format!("response not verified: {reason}"),
                None,
            ),
            Failure::NotThisBrowser => (
                StatusCode::BAD_REQUEST,
                format!("This sign-in was started in another browser or window, too long ago, or was already completed, so it cannot sign you in here. {start_again}"),
                "InResponseTo matches no request this browser started (no valid sign-in cookie: another browser, expired, or already answered)".into(),
                None,
            ),
            Failure::IdpInitiatedOff => (
                StatusCode::FORBIDDEN,
                format!("{} does not accept sign-in started at your identity provider. Open the Gatehouse sign-in page and use “Sign in with SSO”.", org.name),
                "sign-in started at the identity provider is turned off (Administration > Authentication)".into(),
                None,
            ),
            Failure::Replayed(key) => (
                StatusCode::BAD_REQUEST,
                format!("This sign-in response was already used, so it cannot sign anyone in again. {start_again}"),
                format!("replayed response ({key})"),
                None,
            ),
            Failure::Refused(p, email) => person_refused(*p, email, org),
            Failure::Internal(e) => server_failed(e),
        }
    }

    /// Records the failure in the audit log and answers with the page.
    ///
    /// Anyone can post to the assertion consumer, so failures are counted in
    /// the audit log (one row per kind, address and window, holding the
    /// first one's reference; the server log has every reference), and an
    /// organization without SSO records nothing at all.
    pub async fn respond(self, st: &AppState, org: &Org, ip: &str, seen: super::Seen) -> Response {
        crate::ops::metrics::saml_failure(&self);
        let kind = self.kind();
        let record = !matches!(self, Failure::SsoOff);
        let self_diagnosis = self.diagnosis(&app::service::sso::sp_urls(&st.config.base_url, &org.slug).acs_url);
        let (status, message, reason, email) = self.explain(org);
        // The request id, so the page, the audit log and the server log agree.
        let reference = crate::ops::current_request_id().unwrap_or_else(reference);
        tracing::warn!(org = %org.slug, %reference, %reason, "SSO sign-in failed");
        if !record {
            return render(status, "Sign-in failed", &message, Some(&reference), Some(&org.slug));
        }
        let (why, expected, received) = self_diagnosis;
        // The audit log names only a person verification established; the
        // activity shows whom the response named, proved or not (a forged
        // response names anyone it likes, so that name counts nowhere).
        let email = email.unwrap_or_default();
        let named = seen.decoded.as_ref().map(|d| d.name_id.chars().take(320).collect::<String>()).filter(|n| !n.is_empty());
        let named = if email.is_empty() { named.unwrap_or_default() } else { email.clone() };
        let diagnosis = Diagnosis { reason: Some(why), message: reason.clone(), expected, received, decoded: seen.decoded, xml: seen.xml };
        let failed = app::service::sso::Failed { kind, reason: &reason, email: &email, named: &named, reference: &reference, ip, diagnosis: &diagnosis };
        if let Err(e) = app::service::sso::record_failure(&st.db, &org.id, app::service::sign_in::Sso::Saml, failed).await {
            tracing::error!(error = %e.message, "cannot record a failed SSO sign-in");
        }
        render(status, "Sign-in failed", &message, Some(&reference), Some(&org.slug))
    }
}

/// Why a verified single sign-on names nobody who may sign in here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Person {
    NoAccount,
    Deactivated,
    /// A guest: they sign in with their password.
    Guest,
}

impl Person {
    /// Whom the sign-in service refused and why; `Err` with the message when it failed itself.
    pub fn of(r: SsoRefusal) -> Result<(Person, String), String> {
        match r {
            SsoRefusal::NoAccount(email) => Ok((Person::NoAccount, email)),
            SsoRefusal::Deactivated(email) => Ok((Person::Deactivated, email)),
            SsoRefusal::Guest(email) => Ok((Person::Guest, email)),
            SsoRefusal::Failed(e) => Err(e.message),
        }
    }

    pub fn reason(self) -> SsoReason {
        match self {
            Person::NoAccount => SsoReason::NoAccount,
            Person::Deactivated => SsoReason::Deactivated,
            Person::Guest => SsoReason::Guest,
        }
    }

    /// The audit log's kind of failure.
    pub fn kind(self) -> &'static str {
        match self {
            Person::NoAccount => "no_account",
            Person::Deactivated => "deactivated",
            Person::Guest => "guest",
        }
    }
}

/// A sign-in that failed on this side (the database, a bug): what the
/// person reads, and the audit's reason.
pub fn server_failed(e: impl std::fmt::Display) -> (StatusCode, String, String, Option<String>) {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        "Gatehouse could not finish signing you in. Start again from the sign-in page. If it keeps happening, tell your administrator.".to_string(),
        format!("server error: {e}"),
        None,
    )
}

/// The page's status and words for `Person`, the audit log's reason, and the
/// email: the same for SAML and OpenID Connect.
pub fn person_refused(why: Person, email: &str, org: &Org) -> (StatusCode, String, String, Option<String>) {
    let (message, reason) = match why {
        Person::NoAccount => (format!("There is no Gatehouse account for {email} in {}. Ask your administrator to add you.", org.name), "no account with this email"),
        Person::Deactivated => (format!("Your account ({email}) in {} is deactivated. Ask your administrator to reactivate it.", org.name), "account is deactivated"),
        Person::Guest => (
            format!("{email} is a guest of {}: guests sign in with their email and password on the Gatehouse sign-in page, not through the identity provider.", org.name),
            "a guest cannot sign in through SSO",
        ),
    };
    (StatusCode::FORBIDDEN, message, reason.into(), Some(email.to_string()))
}

fn reference() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::thread_rng();
    let mut s: String = (0..8).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect();
    s.insert(4, '-');
    s
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

pub fn render(status: StatusCode, title: &str, message: &str, reference: Option<&str>, org_slug: Option<&str>) -> Response {
    let reference = reference
        .map(|r| format!(r#"<p class="muted small">Reference: <code data-testid="sso-reference">{}</code> — give it to your administrator; the audit log has the details.</p>"#, escape(r)))
        .unwrap_or_default();
    let back = org_slug.map(|o| format!(r#"<p><a class="btn btn-primary" href="/{}/login">Back to sign in</a></p>"#, escape(o))).unwrap_or_default();
    let html = format!(
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{t} · Gatehouse</title><link rel="stylesheet" href="/pkg/gatehouse.css"></head><body><main class="centered"><section class="card narrow" data-testid="sso-failure"><h1>{t}</h1><div class="alert alert-error" role="alert" data-testid="sso-message">{m}</div>{reference}{back}</section></main></body></html>"#,
        t = escape(title),
        m = escape(message),
    );
    (status, [(header::CACHE_CONTROL, "no-store")], Html(html)).into_response()
}

/// A page about signing in to `org`, with this request's id as the reference.
pub fn for_org(org: &Org, status: StatusCode, title: &str, message: String) -> Response {
    render(status, title, &message, crate::ops::current_request_id().as_deref(), Some(&org.slug))
}

/// A test sign-in passed: whom the identity provider signed in, and what it means for the lockout guard.
pub fn tested(org: &Org, email: &str, administers: bool, via: app::service::sign_in::Sso) -> Response {
    let esc = |s: &str| escape(s);
    let (only, checked) = match via {
        app::service::sign_in::Sso::Saml => ("“SAML”", "its answer: signature, audience, destination, issuer and validity"),
        app::service::sign_in::Sso::Oidc => ("“OAuth (OpenID Connect)”", "its ID token: signature, issuer, audience, nonce and validity, and the verified email"),
    };
    let verdict = if administers {
        format!("{} administers {}: {only} alone may now be chosen as the sign-in method.", esc(email), esc(&org.name))
    } else {
        format!(
            "{} can sign in through single sign-on, but does not administer {}: before {only} alone can be chosen, test with an administrator's account at the identity provider.",
            esc(email),
            esc(&org.name)
        )
    };
    let html = format!(
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Test sign-in passed · Gatehouse</title><link rel="stylesheet" href="/pkg/gatehouse.css"></head><body><main class="centered"><section class="card narrow" data-testid="sso-test-passed"><h1>Test sign-in passed</h1><p>Your identity provider signed in <strong data-testid="sso-test-email">{email}</strong>, and Gatehouse verified {checked}. Nobody was signed in by this test; you are still signed in as yourself.</p><p data-testid="sso-test-verdict">{verdict}</p><p><a class="btn btn-primary" href="/{slug}/admin/authentication">Back to Authentication</a> <a class="btn btn-secondary" href="/{slug}/admin/sso-activity">SSO sign-in activity</a></p></section></main></body></html>"#,
        email = esc(email),
        slug = esc(&org.slug),
    );
    (StatusCode::OK, [(header::CACHE_CONTROL, "no-store")], Html(html)).into_response()
}

pub fn not_found(slug: &str) -> Response {
    render(StatusCode::NOT_FOUND, "Organization not found", &format!("There is no organization “{slug}” on this Gatehouse. Check the address."), None, None)
}

pub fn internal(e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "SAML endpoint");
    render(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong", "Gatehouse could not handle this sign-in. Try again; if it keeps happening, tell your administrator.", None, None)
}

pub fn sso_off(org: &Org) -> Response {
    for_org(org, StatusCode::BAD_REQUEST, "Single sign-on is off", format!("Single sign-on is not turned on for {}. Sign in with your email and password, or ask your administrator.", org.name))
}

pub fn misconfigured(org: &Org) -> Response {
    for_org(
        org,
        StatusCode::INTERNAL_SERVER_ERROR,
        "Single sign-on is misconfigured",
        format!("Gatehouse could not start single sign-on for {}. Ask your administrator to check the identity provider settings (Administration > Authentication).", org.name),
    )
}
