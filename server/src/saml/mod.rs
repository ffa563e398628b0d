//! SAML single sign-on endpoints: `/{org}/sso` (SP-initiated start; for an
//! organization on OpenID Connect, that protocol's start, `crate::oidc::begin`),
//! `/{org}/finish-login` (the assertion consumer service) and
//! `/{org}/saml/metadata`.
pub mod diagnose;
pub mod page;
pub mod sp;

use self::page::Failure;
use self::sp::{IdpSettings, ServiceProvider, MAX_RELAY_STATE};
use app::domain::activity::DecodedResponse;
use app::domain::safe_return_path;
use app::service::access::Org;
use app::service::sign_in::{self, SsoRefusal};
use app::service::sso::AuthSettingsRow;
use app::service::state::cookie_value;
use app::service::state::AppState;
use app::service::Timestamp;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use base64::Engine as _;
use serde::Deserialize;
use std::time::SystemTime;
use tower_sessions::Session;

/// How long an AuthnRequest may wait for its answer.
const REQUEST_LIFETIME: time::Duration = time::Duration::minutes(10);
/// The issuer an AuthnRequest is built for when the admin set none (the
/// request does not carry it; responses are then checked against their own).
const UNSET_ISSUER: &str = "urn:gatehouse:idp-issuer-not-set";

pub fn router() -> Router<AppState> {
    Router::new().route("/{org}/sso", get(start)).route("/{org}/finish-login", get(finish_get).post(finish)).route("/{org}/saml/metadata", get(metadata))
}

/// The organization a sign-in route names (`/{org}/…`) with its sign-in
/// settings; an unknown organization is answered with the not-found page.
pub(crate) struct SsoOrg {
    pub org: Org,
    pub settings: AuthSettingsRow,
}

impl FromRequestParts<AppState> for SsoOrg {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Response> {
        let Path(slug) = Path::<String>::from_request_parts(parts, st).await.map_err(IntoResponse::into_response)?;
        match app::service::sso::org_and_settings(&st.db, &slug).await {
            Ok(Some((org, settings))) => Ok(SsoOrg { org, settings }),
            Ok(None) => Err(page::not_found(&slug)),
            Err(e) => Err(page::internal(e)),
        }
    }
}

fn sso_on(s: &AuthSettingsRow) -> bool {
    s.method.allows_saml() && saml_set_up(s)
}

/// The identity provider's login URL and certificate are saved (whatever the method).
fn saml_set_up(s: &AuthSettingsRow) -> bool {
    !s.idp_certificate.is_empty() && !s.idp_login_url.is_empty()
}

/// Marks the pending request of a test sign-in in its cookie (before the return path).
const TEST_MARK: &str = "test:";

/// The browser an answer arrives in: its address, session and headers.
pub(crate) struct Browser {
    pub ip: String,
    pub session: Session,
    pub headers: HeaderMap,
}

impl FromRequestParts<AppState> for Browser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Response> {
        let axum::Extension(ip) = axum::Extension::<app::service::access::ClientIp>::from_request_parts(parts, st).await.map_err(IntoResponse::into_response)?;
        let session = Session::from_request_parts(parts, st).await.map_err(IntoResponse::into_response)?;
        Ok(Browser { ip: ip.0, session, headers: parts.headers.clone() })
    }
}

/// A test sign-in with settings not saved yet (`what` names them).
fn nothing_to_test(org: &Org, what: &str) -> Response {
    page::for_org(org, axum::http::StatusCode::BAD_REQUEST, "Nothing to test yet", format!("Save {what} on Administration > Authentication first, then test."))
}

/// The administrator testing single sign-on: signed in to this organization
/// in this browser, and an administrator; otherwise the page that says so.
pub(crate) async fn tester(st: &AppState, session: &Session, org: &Org, ip: &str) -> Result<app::service::access::Caller, Response> {
    let refused = || {
        page::for_org(
            org,
            axum::http::StatusCode::FORBIDDEN,
            "Only an administrator can test single sign-on",
            format!("Sign in to {} as an administrator, then use “Test sign-in” on Administration > Authentication.", org.name),
        )
    };
    let caller = app::service::access::caller(&st.db, session, &org.slug, ip.to_string()).await.map_err(|_| refused())?;
    caller.require_admin().map_err(|_| refused())
}

async fn metadata(State(st): State<AppState>, SsoOrg { org, .. }: SsoOrg) -> Response {
    match sp::metadata_xml(&app::service::sso::sp_urls(&st.config.base_url, &org.slug)) {
        Ok(xml) => ([(header::CONTENT_TYPE, "application/samlmetadata+xml; charset=utf-8")], xml).into_response(),
        Err(e) => page::internal(e),
    }
}

#[derive(Deserialize)]
struct StartQuery {
    next: Option<String>,
    /// "Test sign-in": an administrator checks the identity provider's
    /// answer without signing anyone in (see `tester`).
    test: Option<String>,
}

/// The cookie that binds a sign-in started here to the browser that started
/// it: the request's id and return path, signed, for `REQUEST_LIFETIME`. A
/// response to a request this browser did not start signs nobody in (no
/// login CSRF), and starting a sign-in writes nothing to the database.
const REQUEST_COOKIE: &str = "gatehouse_sso";

fn request_cookie_path(org: &Org) -> String {
    format!("/{}/finish-login", org.slug)
}

/// A pending request read back from its cookie: (request id, return path).
fn pending_request(st: &AppState, org: &Org, headers: &HeaderMap) -> Option<(String, String)> {
    let name = st.config.cookie_name(REQUEST_COOKIE, &request_cookie_path(org));
    let payload = st.keys.verify("sso", cookie_value(headers, &name)?)?;
    let mut parts = payload.splitn(4, '|');
    let (org_id, id, until, relay) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let until = Timestamp::try_from(until.to_string()).ok()?;
    (org_id == org.id && until > Timestamp::now()).then(|| (id.to_string(), relay.to_string()))
}

/// SP-initiated sign-in: sign the request into a cookie, send the browser to
/// the IdP. With `test`, an administrator's test sign-in: SAML as saved,
/// whatever the method, and its answer signs nobody in.
async fn start(
    State(st): State<AppState>,
    SsoOrg { org, settings }: SsoOrg,
    axum::Extension(ip): axum::Extension<app::service::access::ClientIp>,
    session: Session,
    Query(q): Query<StartQuery>,
) -> Response {
    let home = format!("/{}", org.slug);
    let testing = q.test.is_some();
    if testing {
        if let Err(r) = tester(&st, &session, &org, &ip.0).await {
            return r;
        }
        if q.test.as_deref() == Some("oidc") {
            // OpenID Connect as saved, whatever the method.
            if !app::service::sso::oidc_set_up(&settings) {
                return nothing_to_test(&org, "the provider's issuer and the client ID");
            }
            return crate::oidc::begin(&st, &org, &settings, None, None, true).await;
        }
        if !saml_set_up(&settings) {
            return nothing_to_test(&org, "the identity provider login URL and its certificate");
        }
    } else if settings.method.allows_oidc() {
        // "Sign in with SSO" for an organization that signs in with OpenID Connect.
        return crate::oidc::begin(&st, &org, &settings, q.next.as_deref(), None, false).await;
    } else if !sso_on(&settings) {
        return page::sso_off(&org);
    }
    // The return path travels as RelayState, which SAML limits to 80 bytes.
    let relay = if testing {
        format!("{home}/admin/authentication")
    } else {
        q.next.as_deref().and_then(safe_return_path).filter(|p| p.len() <= MAX_RELAY_STATE && (p == &home || p.starts_with(&format!("{home}/")))).unwrap_or(&home).to_string()
    };
    let urls = app::service::sso::sp_urls(&st.config.base_url, &org.slug);
    let issuer = if settings.idp_issuer.is_empty() { UNSET_ISSUER } else { &settings.idp_issuer };
    let idp = IdpSettings { entity_id: issuer, login_url: &settings.idp_login_url, certificates: app::service::sso::trusted_certificates(&settings) };
    let (url, request_id) = match ServiceProvider::new(&urls, &idp).and_then(|sp| sp.start(&relay)) {
        Ok(x) => x,
        Err(e) => {
            tracing::error!(error = %e, org = %org.slug, "cannot build an AuthnRequest");
            return page::misconfigured(&org);
        }
    };
    let until = Timestamp::from(time::OffsetDateTime::now_utc() + REQUEST_LIFETIME);
    let mark = if testing { TEST_MARK } else { "" };
    let signed = st.keys.sign("sso", &format!("{}|{request_id}|{until}|{mark}{relay}", org.id));
    let cookie = st.config.cookie(REQUEST_COOKIE, &signed, &request_cookie_path(&org), REQUEST_LIFETIME.whole_seconds());
    let mut res = Redirect::to(&url).into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

/// The ACS address opened in a browser (a bookmark, or an IdP that sends people
/// to its "default relay state"): start from the organization's home.
/// Only to an organization that exists: the slug comes from the address bar.
async fn finish_get(SsoOrg { org, .. }: SsoOrg) -> Response {
    Redirect::to(&format!("/{}", org.slug)).into_response()
}

#[derive(Deserialize)]
struct Posted {
    #[serde(rename = "SAMLResponse")]
    saml_response: Option<String>,
    #[serde(rename = "RelayState")]
    relay_state: Option<String>,
    /// Set when this page posted the response again to itself (see `repost`).
    resubmitted: Option<String>,
    /// Set by the button of the page that asks before an unsolicited
    /// response signs anyone in (see `confirm`).
    confirmed: Option<String>,
}

/// The assertion consumer service: verify, find the person, sign them in.
async fn finish(State(st): State<AppState>, SsoOrg { org, settings }: SsoOrg, Browser { ip, session, headers }: Browser, Form(posted): Form<Posted>) -> Response {
    let pending = pending_request(&st, &org, &headers);
    // A test sign-in's answer: for the administrator who started it, in this browser.
    let tester = match pending.as_ref().is_some_and(|(_, relay)| relay.starts_with(TEST_MARK)) {
        true => match tester(&st, &session, &org, &ip).await {
            Ok(c) => Some(c),
            Err(r) => return r,
        },
        false => None,
    };
    let pending = pending.map(|(id, relay)| (id, relay.strip_prefix(TEST_MARK).map(str::to_string).unwrap_or(relay)));
    let from_here = crate::web::sent_from_this_site(&headers, &st.config.base_url);
    let mut seen = Seen::default();
    match verify_and_sign_in(&st, &org, &settings, &session, posted, pending, tester.as_ref(), from_here, &ip, &mut seen).await {
        Ok(Signed::Tested(email, administers)) => {
            record_success(&st, &org, &settings, &email, &ip, seen).await;
            without_request_cookie(&st, &org, page::tested(&org, &email, administers, sign_in::Sso::Saml))
        }
        Ok(Signed::In(to, answered_request, email)) => {
            record_success(&st, &org, &settings, &email, &ip, seen).await;
            let res = Redirect::to(&to).into_response();
            // The request is answered: its cookie goes.
            if answered_request {
                without_request_cookie(&st, &org, res)
            } else {
                res
            }
        }
        Ok(Signed::Repost(page)) | Ok(Signed::Confirm(page)) => page,
        Err(f) => f.respond(&st, &org, &ip, seen).await,
    }
}

/// `res`, ending this browser's pending request (its cookie goes).
fn without_request_cookie(st: &AppState, org: &Org, mut res: Response) -> Response {
    let cookie = st.config.cookie(REQUEST_COOKIE, "", &request_cookie_path(org), 0);
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

/// What was posted, read for the SSO sign-in activity: the response as it
/// describes itself, and its XML pretty-printed.
#[derive(Default)]
pub struct Seen {
    pub decoded: Option<DecodedResponse>,
    pub xml: String,
}

/// A successful sign-in, in the activity; and, when the response was signed
/// with the next certificate, a note that it is in use (it may then become
/// the current one).
async fn record_success(st: &AppState, org: &Org, settings: &AuthSettingsRow, email: &str, ip: &str, seen: Seen) {
    let fingerprint = seen.decoded.as_ref().map(|d| d.certificate_fingerprint.clone()).unwrap_or_default();
    if !settings.idp_next_certificate.is_empty() && settings.idp_next_seen_at.is_none() && !fingerprint.is_empty() {
        let next = app::service::sso::certificate_info(&settings.idp_next_certificate, time::OffsetDateTime::now_utc()).map(|i| i.fingerprint_sha256).unwrap_or_default();
        if next == fingerprint {
            if let Err(e) = app::service::sso::signed_with_next(&st.db, &org.id).await {
                tracing::error!(error = %e.message, "cannot note a sign-in signed with the next certificate");
            }
        }
    }
    let reference = crate::ops::current_request_id().unwrap_or_default();
    let diagnosis = app::service::sso_activity::Diagnosis { received: fingerprint, decoded: seen.decoded, xml: seen.xml, ..Default::default() };
    if let Err(e) = app::service::sso_activity::record_success(&st.db, &org.id, email, &reference, ip, &diagnosis).await {
        tracing::error!(error = %e.message, "cannot record a successful SSO sign-in in the activity");
    }
}

enum Signed {
    /// Signed in; where to go, whether a request started here was answered, and who.
    In(String, bool, String),
    /// A test sign-in passed: whom the identity provider named, and whether they administer.
    Tested(String, bool),
    /// The browser must post the response again from this site (see `repost`).
    Repost(Response),
    /// The person must say it is them before an unsolicited response signs
    /// them in (see `confirm`).
    Confirm(Response),
}

/// A response the identity provider sent unasked (sign-in started at its
/// dashboard) is bound to no browser: any site could auto-post an
/// attacker's own valid response and sign a visitor in as the attacker
/// (login CSRF). So it signs nobody in by itself: this page names the
/// account, and its button posts the response again from this site, which a
/// cross-site post cannot fake (browsers mark where a post comes from). The
/// response is verified again then, and used up.
fn confirm(org: &Org, saml_response: &str, relay_state: Option<&str>, email: &str) -> Response {
    let esc = |s: &str| s.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;");
    let relay = relay_state.map(|r| format!(r#"<input type="hidden" name="RelayState" value="{}">"#, esc(r))).unwrap_or_default();
    let html = format!(
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Continue signing in · Gatehouse</title><link rel="stylesheet" href="/pkg/gatehouse.css"></head><body><main class="centered"><section class="card narrow" data-testid="sso-confirm"><h1>Sign in to {name}</h1><p>Your identity provider signed you in as <strong data-testid="sso-confirm-email">{email}</strong>.</p><form method="post" action="/{slug}/finish-login"><input type="hidden" name="SAMLResponse" value="{response}">{relay}<input type="hidden" name="confirmed" value="1"><p><button class="btn btn-primary" type="submit" autofocus>Continue as {email}</button></p></form><p class="muted small">Not you, or you did not just choose Gatehouse at your identity provider? Close this page, or <a href="/{slug}/login">go to the sign-in page</a>.</p></section></main></body></html>"#,
        name = esc(&org.name),
        slug = esc(&org.slug),
        email = esc(email),
        response = esc(saml_response),
    );
    (axum::http::StatusCode::OK, [(header::CACHE_CONTROL, "no-store")], Html(html)).into_response()
}

/// The identity provider's form post is cross-site, so the browser does not
/// send our SameSite=Lax request cookie with it. This page posts the same
/// response again from this site (at once with JavaScript, or with a button),
/// and that post carries the cookie.
fn repost(org: &Org, saml_response: &str, relay_state: Option<&str>) -> Response {
    let esc = |s: &str| s.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;");
    let relay = relay_state.map(|r| format!(r#"<input type="hidden" name="RelayState" value="{}">"#, esc(r))).unwrap_or_default();
    let html = format!(
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Signing in · Gatehouse</title><link rel="stylesheet" href="/pkg/gatehouse.css"></head><body><main class="centered"><section class="card narrow"><form id="sso-continue" method="post" action="/{slug}/finish-login"><input type="hidden" name="SAMLResponse" value="{response}">{relay}<input type="hidden" name="resubmitted" value="1"><p>Signing you in…</p><button class="btn btn-primary" type="submit">Continue</button></form></section></main><script>document.getElementById("sso-continue").submit();</script></body></html>"#,
        slug = esc(&org.slug),
        response = esc(saml_response),
    );
    (axum::http::StatusCode::OK, [(header::CACHE_CONTROL, "no-store")], Html(html)).into_response()
}

async fn verify_and_sign_in(
    st: &AppState,
    org: &Org,
    settings: &AuthSettingsRow,
    session: &Session,
    posted: Posted,
    pending: Option<(String, String)>,
    tester: Option<&app::service::access::Caller>,
    from_here: bool,
    ip: &str,
    seen: &mut Seen,
) -> Result<Signed, Failure> {
    if !(sso_on(settings) || tester.is_some() && saml_set_up(settings)) {
        return Err(Failure::SsoOff);
    }
    let response = posted.saml_response.filter(|r| !r.trim().is_empty()).ok_or(Failure::Empty)?;
    // saml-idp and others post RelayState="" when there is none.
    let relay_state = posted.relay_state.filter(|r| !r.is_empty());
    let compact: String = response.chars().filter(|c| !c.is_whitespace()).collect();
    let xml = base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(|| Failure::Unverified("the SAMLResponse is not base64-encoded UTF-8".into()))?;
    seen.xml = diagnose::pretty(&xml, app::service::sso_activity::MAX_XML);
    let envelope = sp::peek(&xml).map_err(Failure::Unverified)?;
    let decoded = diagnose::decode(&xml);
    seen.decoded = Some(decoded.clone());
    let issuer = if settings.idp_issuer.is_empty() { envelope.issuer.clone().ok_or_else(|| Failure::Unverified("the response names no Issuer".into()))? } else { settings.idp_issuer.clone() };
    let urls = app::service::sso::sp_urls(&st.config.base_url, &org.slug);
    let idp = IdpSettings { entity_id: &issuer, login_url: &settings.idp_login_url, certificates: app::service::sso::trusted_certificates(settings) };
    let provider = ServiceProvider::new(&urls, &idp).map_err(|e| Failure::Internal(format!("the identity provider settings cannot be used: {e}")))?;
    let now = SystemTime::now();
    let fingerprints = app::service::sso::trusted_fingerprints(settings);
    let expected = diagnose::Expected { entity_id: &urls.entity_id, acs_url: &urls.acs_url, issuer: &issuer, fingerprints: &fingerprints };
    let refused = |e| Failure::from_saml(e, &decoded, &expected);

    let (verified, destination, answered) = match &envelope.in_response_to {
        Some(request_id) => {
            let (pending_id, pending_relay) = match pending {
                Some(p) => p,
                None if posted.resubmitted.is_none() => return Ok(Signed::Repost(repost(org, &response, relay_state.as_deref()))),
                None => return Err(Failure::NotThisBrowser),
            };
            if &pending_id != request_id {
                return Err(Failure::NotThisBrowser);
            }
            let v = provider.finish(request_id, &pending_relay, &response, relay_state.as_deref(), now).map_err(refused)?;
            (v, Some(pending_relay), Some(format!("request:{request_id}")))
        }
        None if !settings.allow_idp_initiated => return Err(Failure::IdpInitiatedOff),
        None => {
            let v = provider.accept_unsolicited(&response, relay_state.as_deref(), now).map_err(refused)?;
            if posted.confirmed.is_none() || !from_here {
                // Someone who cannot sign in hears why at once, not after a click.
                sign_in::sso_person(&st.db, org, &v.name_id).await.map_err(refusal)?;
                return Ok(Signed::Confirm(confirm(org, &response, relay_state.as_deref(), &v.name_id)));
            }
            (v, relay_state.clone(), None)
        }
    };

    // One use only: each request is answered once, and each response and
    // assertion id is used once, on every instance.
    let request_kept_until = Timestamp::from(time::OffsetDateTime::now_utc() + REQUEST_LIFETIME);
    let mut used: Vec<(String, Timestamp)> = answered.into_iter().map(|k| (k, request_kept_until)).collect();
    used.extend(verified.used.iter().map(|(key, until)| (key.clone(), Timestamp::from(time::OffsetDateTime::from(*until)))));
    if let Err(key) = app::service::sso::use_once(&st.db, &org.id, &used).await.map_err(|e| Failure::internal(e.message))? {
        return Err(Failure::Replayed(key));
    }

    if let Some(t) = tester {
        let user = sign_in::test_sso(&st.db, t, org, &verified.name_id, sign_in::Sso::Saml).await.map_err(refusal)?;
        return Ok(Signed::Tested(user.email, user.administers));
    }
    sign_in::with_sso(&st.db, session, org, &verified.name_id, ip, sign_in::Sso::Saml).await.map_err(refusal)?;
    let home = format!("/{}", org.slug);
    // RelayState is followed only as a path on this site, inside this organization.
    let to = destination
        .as_deref()
        .and_then(safe_return_path)
        .filter(|p| *p == home || p.starts_with(&format!("{home}/")))
        .filter(|p| !p.starts_with(&format!("{home}/finish-login")))
        .map(str::to_string)
        .unwrap_or(home);
    Ok(Signed::In(to, envelope.in_response_to.is_some(), verified.name_id))
}

fn refusal(r: SsoRefusal) -> Failure {
    crate::saml::page::Person::of(r).map_or_else(Failure::Internal, |(p, email)| Failure::Refused(p, email))
}

/// Lets the IdP's cross-site form post through the same-origin rule, and
/// makes these paths reachable while signed out.
pub fn is_saml_path(second_segment: Option<&str>) -> bool {
    matches!(second_segment, Some("sso") | Some("finish-login") | Some("saml"))
}
