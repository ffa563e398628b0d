//! SAML single sign-on endpoints: `/{org}/sso` (SP-initiated start),
//! `/{org}/finish-login` (the assertion consumer service) and
//! `/{org}/saml/metadata`.
pub mod page;
pub mod sp;

use self::page::Failure;
use self::sp::{IdpSettings, ServiceProvider, MAX_RELAY_STATE};
use app::domain::{safe_return_path, AuthMethod};
use app::service::sign_in::{self, SsoRefusal};
use app::service::state::AppState;
use app::store::{self, auth_settings::AuthSettingsRow, orgs::Org};
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
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
    Router::new()
        .route("/{org}/sso", get(start))
        .route("/{org}/finish-login", get(finish_get).post(finish))
        .route("/{org}/saml/metadata", get(metadata))
}

async fn org_and_settings(st: &AppState, slug: &str) -> Result<(Org, AuthSettingsRow), Response> {
    let org = match store::orgs::by_slug(&st.db, slug).await {
        Ok(Some(o)) => o,
        Ok(None) => return Err(page::not_found(slug)),
        Err(e) => return Err(page::internal(e)),
    };
    let settings = store::auth_settings::get(&st.db, &org.id).await.map_err(page::internal)?;
    Ok((org, settings))
}

fn sso_on(s: &AuthSettingsRow) -> bool {
    AuthMethod::parse(&s.method).is_some_and(|m| m.allows_sso()) && !s.idp_certificate.is_empty() && !s.idp_login_url.is_empty()
}

async fn metadata(State(st): State<AppState>, Path(slug): Path<String>) -> Response {
    let (org, _) = match org_and_settings(&st, &slug).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    match sp::metadata_xml(&app::service::sso::sp_urls(&st.config.base_url, &org.slug)) {
        Ok(xml) => ([(header::CONTENT_TYPE, "application/samlmetadata+xml; charset=utf-8")], xml).into_response(),
        Err(e) => page::internal(e),
    }
}

#[derive(Deserialize)]
struct StartQuery {
    next: Option<String>,
}

/// SP-initiated sign-in: remember the request, send the browser to the IdP.
async fn start(State(st): State<AppState>, Path(slug): Path<String>, Query(q): Query<StartQuery>) -> Response {
    let (org, settings) = match org_and_settings(&st, &slug).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    if !sso_on(&settings) {
        return page::sso_off(&org);
    }
    let home = format!("/{}", org.slug);
    // The return path travels as RelayState, which SAML limits to 80 bytes.
    let relay = q
        .next
        .as_deref()
        .and_then(safe_return_path)
        .filter(|p| p.len() <= MAX_RELAY_STATE && (p == &home || p.starts_with(&format!("{home}/"))))
        .unwrap_or(&home)
        .to_string();
    let urls = app::service::sso::sp_urls(&st.config.base_url, &org.slug);
    let issuer = if settings.idp_issuer.is_empty() { UNSET_ISSUER } else { &settings.idp_issuer };
    let idp = IdpSettings { entity_id: issuer, login_url: &settings.idp_login_url, certificate_pem: &settings.idp_certificate };
    let (url, request_id) = match ServiceProvider::new(&urls, &idp).and_then(|sp| sp.start(&relay)) {
        Ok(x) => x,
        Err(e) => {
            tracing::error!(error = %e, org = %org.slug, "cannot build an AuthnRequest");
            return page::misconfigured(&org);
        }
    };
    let expires = store::format_time(time::OffsetDateTime::now_utc() + REQUEST_LIFETIME);
    if let Err(e) = store::saml::clean_up(&st.db).await {
        tracing::warn!(error = %e, "SAML clean-up");
    }
    if let Err(e) = store::saml::insert_request(&st.db, &request_id, &org.id, &relay, &expires).await {
        return page::internal(e);
    }
    Redirect::to(&url).into_response()
}

/// The ACS address opened in a browser (a bookmark, or an IdP that sends people
/// to its "default relay state"): start from the organization's home.
async fn finish_get(State(st): State<AppState>, Path(slug): Path<String>) -> Response {
    // Only to an organization that exists: the slug comes from the address bar.
    match org_and_settings(&st, &slug).await {
        Ok((org, _)) => Redirect::to(&format!("/{}", org.slug)).into_response(),
        Err(r) => r,
    }
}

#[derive(Deserialize)]
struct Posted {
    #[serde(rename = "SAMLResponse")]
    saml_response: Option<String>,
    #[serde(rename = "RelayState")]
    relay_state: Option<String>,
}

/// The assertion consumer service: verify, find the person, sign them in.
async fn finish(
    State(st): State<AppState>,
    Path(slug): Path<String>,
    axum::Extension(ip): axum::Extension<app::service::access::ClientIp>,
    session: Session,
    Form(posted): Form<Posted>,
) -> Response {
    let (org, settings) = match org_and_settings(&st, &slug).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let ip = ip.0;
    match verify_and_sign_in(&st, &org, &settings, &session, posted, &ip).await {
        Ok(to) => Redirect::to(&to).into_response(),
        Err(f) => f.respond(&st, &org, &ip).await,
    }
}

async fn verify_and_sign_in(
    st: &AppState,
    org: &Org,
    settings: &AuthSettingsRow,
    session: &Session,
    posted: Posted,
    ip: &str,
) -> Result<String, Failure> {
    if !sso_on(settings) {
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
    let envelope = sp::peek(&xml).map_err(Failure::Unverified)?;
    let issuer = if settings.idp_issuer.is_empty() {
        envelope.issuer.clone().ok_or_else(|| Failure::Unverified("the response names no Issuer".into()))?
    } else {
        settings.idp_issuer.clone()
    };
    let urls = app::service::sso::sp_urls(&st.config.base_url, &org.slug);
    let idp = IdpSettings { entity_id: &issuer, login_url: &settings.idp_login_url, certificate_pem: &settings.idp_certificate };
    let provider = ServiceProvider::new(&urls, &idp).map_err(|e| Failure::Unverified(format!("settings: {e}")))?;
    let now = SystemTime::now();

    let (verified, request_id, destination) = match &envelope.in_response_to {
        Some(request_id) => {
            let pending = store::saml::get_request(&st.db, &org.id, request_id)
                .await
                .map_err(Failure::internal)?
                .filter(|p| p.expires_at > store::now())
                .ok_or(Failure::UnknownRequest)?;
            let v = provider
                .finish(request_id, &pending.relay_state, &response, relay_state.as_deref(), now)
                .map_err(Failure::from_saml)?;
            (v, Some(request_id.clone()), Some(pending.relay_state))
        }
        None => {
            let v = provider.accept_unsolicited(&response, relay_state.as_deref(), now).map_err(Failure::from_saml)?;
            (v, None, relay_state.clone())
        }
    };

    // One use only: the request is answered once, each response and assertion id used once.
    let mut tx = store::begin(&st.db).await.map_err(Failure::internal)?;
    if let Some(id) = &request_id {
        if !store::saml::take_request(&mut tx, &org.id, id).await.map_err(Failure::internal)? {
            return Err(Failure::Replayed(format!("request {id} was already answered")));
        }
    }
    for (key, expires_at) in &verified.used {
        let expires = store::format_time(time::OffsetDateTime::from(*expires_at));
        if !store::saml::use_id(&mut tx, &org.id, key, &expires).await.map_err(Failure::internal)? {
            return Err(Failure::Replayed(key.clone()));
        }
    }
    tx.commit().await.map_err(Failure::internal)?;

    sign_in::with_sso(&st.db, session, org, &verified.name_id, ip).await.map_err(|r| match r {
        SsoRefusal::NoAccount(email) => Failure::NoAccount(email),
        SsoRefusal::Deactivated(email) => Failure::Deactivated(email),
        SsoRefusal::Failed(e) => Failure::Internal(e.message),
    })?;
    let home = format!("/{}", org.slug);
    // RelayState is followed only as a path on this site, inside this organization.
    let to = destination
        .as_deref()
        .and_then(safe_return_path)
        .filter(|p| *p == home || p.starts_with(&format!("{home}/")))
        .filter(|p| !p.starts_with(&format!("{home}/finish-login")))
        .map(str::to_string)
        .unwrap_or(home);
    Ok(to)
}

/// Lets the IdP's cross-site form post through the same-origin rule, and
/// makes these paths reachable while signed out.
pub fn is_saml_path(second_segment: Option<&str>) -> bool {
    matches!(second_segment, Some("sso") | Some("finish-login") | Some("saml"))
}
