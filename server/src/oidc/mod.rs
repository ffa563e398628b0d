//! OpenID Connect sign-in endpoints: the start of a sign-in (from "Sign in
//! with SSO", `/{org}/sso`, and from the provider's dashboard through the
//! initiate login URI, `/{org}/oidc/start`) and the redirect URI the provider
//! sends the browser back to, `/{org}/oidc/callback`.
//!
//! A sign-in is bound to the browser that started it as SAML's is: its
//! `state`, `nonce` and PKCE verifier travel in a sealed (encrypted and
//! authenticated), 10-minute cookie, so an answer this browser did not ask
//! for signs nobody in, and starting a sign-in writes nothing to the
//! database. The provider sends the browser back with a top-level GET, which
//! carries that `SameSite=Lax` cookie.
pub mod page;

use self::page::Failure;
use crate::saml::{Browser, SsoOrg};
use app::domain::safe_return_path;
use app::service::access::{Caller, Org};
use app::service::oidc::ClientSettings;
use app::service::sign_in::{self, Sso, SsoRefusal};
use app::service::sso::{self, AuthSettingsRow};
use app::service::state::{cookie_value, AppState};
use app::service::Timestamp;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

/// How long a sign-in may take at the provider.
const REQUEST_LIFETIME: time::Duration = time::Duration::minutes(10);
/// The cookie that carries a sign-in's secrets, sealed, to its callback.
const REQUEST_COOKIE: &str = "gatehouse_oidc";
/// What the cookie is sealed for (`Keys::seal`).
const SEALED_FOR: &str = "oidc-request";

pub fn router() -> Router<AppState> {
    Router::new().route("/{org}/oidc/start", get(start_get).post(start_post)).route("/{org}/oidc/callback", get(callback))
}

/// Lets the provider's cross-site requests through the same-origin rule
/// (a dashboard may POST to the initiate login URI), and makes these paths
/// reachable while signed out.
pub fn is_oidc_path(second_segment: Option<&str>) -> bool {
    second_segment == Some("oidc")
}

fn callback_path(org: &Org) -> String {
    format!("/{}/oidc/callback", org.slug)
}

/// A sign-in this browser started: what the callback checks the answer against.
#[derive(Serialize, Deserialize)]
struct Pending {
    org_id: String,
    state: String,
    nonce: String,
    pkce_verifier: String,
    /// The issuer it was started with: an answer after the settings changed is refused.
    issuer: String,
    until: String,
    next: String,
    /// An administrator's test sign-in: its answer signs nobody in.
    #[serde(default)]
    test: bool,
}

fn pending(st: &AppState, org: &Org, headers: &HeaderMap) -> Option<Pending> {
    let name = st.config.cookie_name(REQUEST_COOKIE, &callback_path(org));
    let plain = st.keys.open(SEALED_FOR, cookie_value(headers, &name)?)?;
    let p: Pending = serde_json::from_str(&plain).ok()?;
    let until = Timestamp::try_from(p.until.clone()).ok()?;
    (p.org_id == org.id && until > Timestamp::now()).then_some(p)
}

fn with_cookie(mut res: Response, cookie: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(cookie) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

/// The return path a sign-in may end at: a path inside the organization.
fn inside(org: &Org, next: Option<&str>) -> String {
    let home = format!("/{}", org.slug);
    next.and_then(safe_return_path).filter(|p| *p == home || p.starts_with(&format!("{home}/"))).filter(|p| !p.starts_with(&format!("{home}/oidc/"))).map(str::to_string).unwrap_or(home)
}

/// Starts a sign-in at the provider: the browser goes to its authorization
/// endpoint with a new state, nonce and PKCE challenge, whose secrets it
/// keeps in the sealed cookie. `/{org}/sso` calls it for "Sign in with SSO",
/// and with `test` for an administrator's "Test sign-in" (the settings as
/// saved, whatever the method; the caller checked the administrator).
pub async fn begin(st: &AppState, org: &Org, settings: &AuthSettingsRow, next: Option<&str>, login_hint: Option<&str>, test: bool) -> Response {
    if !(sso::oidc_on(settings) || test && sso::oidc_set_up(settings)) {
        return crate::saml::page::sso_off(org);
    }
    let provider = match st.oidc.discover(&settings.oidc_issuer).await {
        Ok(p) => p,
        Err(problem) => {
            tracing::error!(org = %org.slug, %problem, "cannot start an OpenID Connect sign-in");
            return page::unreachable(org);
        }
    };
    let redirect_uri = sso::oidc_urls(&st.config.base_url, &org.slug).redirect_uri;
    let client = ClientSettings { client_id: &settings.oidc_client_id, client_secret: None, redirect_uri: &redirect_uri, scopes: &settings.oidc_scopes, email_claim: &settings.oidc_email_claim };
    let started = match client.authorization_request(&provider, login_hint) {
        Ok(s) => s,
        Err(problem) => {
            tracing::error!(org = %org.slug, %problem, "cannot build an OpenID Connect authorization request");
            return crate::saml::page::misconfigured(org);
        }
    };
    let pending = Pending {
        org_id: org.id.clone(),
        state: started.state,
        nonce: started.nonce,
        pkce_verifier: started.pkce_verifier,
        issuer: settings.oidc_issuer.clone(),
        until: Timestamp::from(time::OffsetDateTime::now_utc() + REQUEST_LIFETIME).to_string(),
        next: if test { format!("/{}/admin/authentication", org.slug) } else { inside(org, next) },
        test,
    };
    let sealed = st.keys.seal(SEALED_FOR, &serde_json::to_string(&pending).expect("JSON"));
    let cookie = st.config.cookie(REQUEST_COOKIE, &sealed, &callback_path(org), REQUEST_LIFETIME.whole_seconds());
    with_cookie(Redirect::to(&started.url).into_response(), &cookie)
}

/// What the provider's dashboard sends to the initiate login URI (OpenID
/// Connect Core §4): the issuer it speaks for, whom it signed in, and where to go.
#[derive(Deserialize, Default)]
struct Initiate {
    iss: Option<String>,
    login_hint: Option<String>,
    target_link_uri: Option<String>,
}

async fn start_get(State(st): State<AppState>, o: SsoOrg, Query(q): Query<Initiate>) -> Response {
    start(&st, o, q).await
}

async fn start_post(State(st): State<AppState>, o: SsoOrg, Form(q): Form<Initiate>) -> Response {
    start(&st, o, q).await
}

/// Sign-in started at the provider: a normal sign-in begins, so the answer is
/// bound to this browser like any other (a dashboard link cannot sign anyone
/// in by itself). The organization's "Allow sign-in started at the identity
/// provider" applies, and `iss`, when sent, must be the configured issuer.
async fn start(st: &AppState, SsoOrg { org, settings }: SsoOrg, q: Initiate) -> Response {
    if !sso::oidc_on(&settings) {
        return crate::saml::page::sso_off(&org);
    }
    if !settings.allow_idp_initiated {
        return page::idp_initiated_off(&org);
    }
    if let Some(iss) = q.iss.as_deref().filter(|i| !i.is_empty()) {
        if iss != settings.oidc_issuer {
            tracing::warn!(org = %org.slug, iss, "sign-in started for another issuer refused");
            return page::other_issuer(&org);
        }
    }
    // target_link_uri is a URL of this site: only its path inside the organization is followed.
    let target = q.target_link_uri.as_deref().map(|t| t.strip_prefix(st.config.base_url.as_str()).unwrap_or(t));
    begin(st, &org, &settings, target, q.login_hint.as_deref(), false).await
}

/// What the provider sends back: a code and the state, or an error.
#[derive(Deserialize, Default)]
struct Answer {
    code: Option<String>,
    state: Option<String>,
    /// RFC 9207: the issuer that answers (a mix-up defence).
    iss: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// The redirect URI: check the answer belongs to this browser's sign-in,
/// exchange the code once, verify the ID token, sign the person in. `pending`
/// is this browser's sign-in when the answer's state is its own.
async fn callback(State(st): State<AppState>, SsoOrg { org, settings }: SsoOrg, Browser { ip, session, headers }: Browser, Query(answer): Query<Answer>) -> Response {
    // An answer to this browser's sign-in uses its cookie up, whatever the
    // outcome; an answer to another (a link from elsewhere) leaves it be.
    let pending = pending(&st, &org, &headers).filter(|p| {
        let state = answer.state.as_deref().unwrap_or_default();
        bool::from(subtle::ConstantTimeEq::ct_eq(state.as_bytes(), p.state.as_bytes()))
    });
    let answered = pending.is_some();
    // A test sign-in's answer: for the administrator who started it, in this browser.
    let tester = match pending.as_ref().is_some_and(|p| p.test) {
        true => match crate::saml::tester(&st, &session, &org, &ip).await {
            Ok(c) => Some(c),
            Err(r) => return r,
        },
        false => None,
    };
    let res = match finish(&st, &org, &settings, &session, answer, pending, tester.as_ref(), &ip).await {
        Ok(Done::In(to)) => Redirect::to(&to).into_response(),
        Ok(Done::Tested(email, administers)) => crate::saml::page::tested(&org, &email, administers, Sso::Oidc),
        Err(f) => f.respond(&st, &org, &ip, &settings.oidc_issuer).await,
    };
    if answered {
        with_cookie(res, &st.config.cookie(REQUEST_COOKIE, "", &callback_path(&org), 0))
    } else {
        res
    }
}

/// Where a verified answer leads: signed in (and where to), or a passed test
/// (whom it named, and whether they administer the organization).
enum Done {
    In(String),
    Tested(String, bool),
}

#[allow(clippy::too_many_arguments)]
async fn finish(st: &AppState, org: &Org, settings: &AuthSettingsRow, session: &Session, answer: Answer, pending: Option<Pending>, tester: Option<&Caller>, ip: &str) -> Result<Done, Failure> {
    if !(sso::oidc_on(settings) || tester.is_some() && sso::oidc_set_up(settings)) {
        return Err(Failure::SsoOff);
    }
    // No sealed cookie of this organization, or one whose state is not the answer's.
    let pending = pending.ok_or(Failure::NotThisBrowser)?;
    if pending.issuer != settings.oidc_issuer {
        return Err(Failure::SettingsChanged);
    }
    if let Some(error) = answer.error {
        return Err(Failure::ProviderError { error, description: answer.error_description.unwrap_or_default() });
    }
    if let Some(iss) = answer.iss.as_deref() {
        if iss != settings.oidc_issuer {
            return Err(Failure::OtherIssuer(iss.to_string()));
        }
    }
    let code = answer.code.filter(|c| !c.is_empty() && c.len() <= 4096).ok_or(Failure::NoCode)?;
    // Each exchange is a request to the provider: limited per address.
    sign_in::sso_attempt(&st.db, org, ip).await.map_err(Failure::Limited)?;
    // This state answers once, on every instance (a second use of the
    // callback with the same cookie and code is refused before the exchange).
    let kept = Timestamp::from(time::OffsetDateTime::now_utc() + REQUEST_LIFETIME);
    if let Err(key) = sso::use_once(&st.db, &org.id, &[(format!("oidc-state:{}", pending.state), kept)]).await.map_err(|e| Failure::Internal(e.message))? {
        return Err(Failure::Replayed(key));
    }
    let provider = st.oidc.discover(&settings.oidc_issuer).await.map_err(Failure::Provider)?;
    let redirect_uri = sso::oidc_urls(&st.config.base_url, &org.slug).redirect_uri;
    let client = ClientSettings {
        client_id: &settings.oidc_client_id,
        client_secret: sso::client_secret(&st.keys, settings),
        redirect_uri: &redirect_uri,
        scopes: &settings.oidc_scopes,
        email_claim: &settings.oidc_email_claim,
    };
    let identity = st.oidc.finish(provider, &client, &code, &pending.pkce_verifier, &pending.nonce).await.map_err(Failure::Provider)?;
    let tested = match tester {
        Some(t) => Some(sign_in::test_sso(&st.db, t, org, &identity.email, Sso::Oidc).await.map_err(refusal)?),
        None => {
            sign_in::with_sso(&st.db, session, org, &identity.email, ip, Sso::Oidc).await.map_err(refusal)?;
            None
        }
    };
    sign_in::sso_attempt_succeeded(&st.db, org, ip).await.map_err(|e| Failure::Internal(e.message))?;
    // In the SSO sign-in activity beside SAML's sign-ins.
    let reference = crate::ops::current_request_id().unwrap_or_default();
    let diagnosis = app::service::sso_activity::Diagnosis { message: "OpenID Connect".into(), received: identity.subject.clone(), ..Default::default() };
    if let Err(e) = app::service::sso_activity::record_success(&st.db, &org.id, &identity.email, &reference, ip, &diagnosis).await {
        tracing::error!(error = %e.message, "cannot record a successful OpenID Connect sign-in in the activity");
    }
    Ok(match tested {
        Some(user) => Done::Tested(user.email, user.administers),
        None => Done::In(inside(org, Some(&pending.next))),
    })
}

fn refusal(r: SsoRefusal) -> Failure {
    crate::saml::page::Person::of(r).map_or_else(Failure::Internal, |(p, email)| Failure::Refused(p, email))
}
