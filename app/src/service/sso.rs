//! Single sign-on settings: the addresses the identity provider needs, the
//! IdP certificate's details, saving the Authentication page (with the guard
//! against locking everyone out), and the break-glass reset.
use super::{Actor, Error};
use crate::domain::sign_in::{check_idp_url, idle_timeout_label, MAX_IDLE_TIMEOUT_SECS, MAX_SESSION_DAYS, MIN_IDLE_TIMEOUT_SECS, MIN_SESSION_DAYS};
use crate::domain::views::{AuthSettingsInput, AuthSettingsView, CertificateInfo};
use crate::domain::{audit, AuthMethod};
use crate::service::store::{self, Db};
use sha2::{Digest, Sha256};

pub use crate::service::store::auth_settings::AuthSettingsRow;

/// The Authentication page as `row` fills it for the organization `org_slug`.
pub fn view(row: &AuthSettingsRow, config: &super::state::Config, org_slug: &str) -> AuthSettingsView {
    let base_url = config.base_url.as_str();
    let urls = sp_urls(base_url, org_slug);
    let oidc_urls = oidc_urls(base_url, org_slug);
    let certificate = (!row.idp_certificate.is_empty()).then(|| certificate_info(&row.idp_certificate, time::OffsetDateTime::now_utc()).ok()).flatten();
    let next_certificate = (!row.idp_next_certificate.is_empty()).then(|| certificate_info(&row.idp_next_certificate, time::OffsetDateTime::now_utc()).ok()).flatten();
    AuthSettingsView {
        idp_next_certificate: row.idp_next_certificate.clone(),
        next_certificate,
        next_seen_at: row.idp_next_seen_at.clone(),
        method: row.method,
        idp_login_url: row.idp_login_url.clone(),
        idp_certificate: row.idp_certificate.clone(),
        idp_issuer: row.idp_issuer.clone(),
        session_days: row.session_days,
        certificate,
        sp_entity_id: urls.entity_id,
        acs_url: urls.acs_url,
        metadata_url: urls.metadata_url,
        sso_verified_at: row.sso_verified_at.clone(),
        sso_verified_by: row.sso_verified_by.clone(),
        idle_timeout_secs: row.idle_timeout_secs,
        allow_idp_initiated: row.allow_idp_initiated,
        mfa_policy: row.mfa_policy,
        mfa_email_codes: row.mfa_email_codes,
        mail_set_up: super::mail::is_set_up(config),
        allow_guests: row.allow_guests,
        password_min_length: row.password_min_length,
        oidc_issuer: row.oidc_issuer.clone(),
        oidc_client_id: row.oidc_client_id.clone(),
        oidc_client_secret_set: !row.oidc_client_secret_sealed.is_empty(),
        oidc_scopes: row.oidc_scopes.clone(),
        oidc_email_claim: row.oidc_email_claim.clone(),
        oidc_redirect_uri: oidc_urls.redirect_uri,
        oidc_initiate_login_uri: oidc_urls.initiate_login_uri,
        oidc_verified_at: row.oidc_verified_at.clone(),
        oidc_verified_by: row.oidc_verified_by.clone(),
    }
}

/// What an OpenID provider needs to know about this organization.
pub struct OidcUrls {
    /// Where the provider sends people back with a code (the redirect URI to register).
    pub redirect_uri: String,
    /// Where the provider's dashboard starts a sign-in (OpenID Connect's
    /// "initiate login URI"; Okta: "Initiate login URI", Entra: "Home page URL").
    pub initiate_login_uri: String,
}

pub fn oidc_urls(base_url: &str, org_slug: &str) -> OidcUrls {
    OidcUrls { redirect_uri: format!("{base_url}/{org_slug}/oidc/callback"), initiate_login_uri: format!("{base_url}/{org_slug}/oidc/start") }
}

/// The purpose the client secret is sealed for (`Keys::seal`).
const CLIENT_SECRET: &str = "oidc-client-secret";

/// The organization's client secret, opened; None when none is stored or it
/// cannot be opened (another instance key).
pub fn client_secret(keys: &super::keys::Keys, row: &AuthSettingsRow) -> Option<String> {
    (!row.oidc_client_secret_sealed.is_empty()).then(|| keys.open(CLIENT_SECRET, &row.oidc_client_secret_sealed)).flatten()
}

/// Whether OpenID Connect sign-in can run: chosen, and its provider and client set.
pub fn oidc_on(row: &AuthSettingsRow) -> bool {
    row.method.allows_oidc() && oidc_set_up(row)
}

/// The provider's issuer and the client ID are saved (whatever the method).
pub fn oidc_set_up(row: &AuthSettingsRow) -> bool {
    !row.oidc_issuer.is_empty() && !row.oidc_client_id.is_empty()
}

/// The organization's sign-in settings, as stored.
pub async fn stored(db: &Db, org_id: &str) -> super::Result<AuthSettingsRow> {
    Ok(store::auth_settings::get(db, org_id).await?)
}

/// The Authentication page of the caller's organization.
pub async fn settings(db: &Db, config: &super::state::Config, c: &super::access::Caller) -> super::Result<AuthSettingsView> {
    Ok(view(&stored(db, &c.org.id).await?, config, &c.org.slug))
}

/// What the identity provider needs to know about this organization.
pub struct SpUrls {
    /// The SP entity ID (Okta: "Audience URI"); also where the metadata is.
    pub entity_id: String,
    /// Where the IdP posts its response (Okta: "Single sign-on URL" / default relay state).
    pub acs_url: String,
    pub metadata_url: String,
}

pub fn sp_urls(base_url: &str, org_slug: &str) -> SpUrls {
    let metadata_url = format!("{base_url}/{org_slug}/saml/metadata");
    SpUrls { entity_id: metadata_url.clone(), acs_url: format!("{base_url}/{org_slug}/finish-login"), metadata_url }
}

/// Accepts a certificate as Okta and others show it: PEM with BEGIN/END
/// lines, or only the base64 body (on one line or several). Returns it as
/// standard PEM, or says what is wrong.
pub fn normalize_certificate(input: &str) -> Result<String, String> {
    let text = input.trim();
    if text.is_empty() {
        return Err("Paste the identity provider's X.509 signing certificate.".into());
    }
    let body: String = if text.contains("-----BEGIN") {
        let start = text.find("-----BEGIN CERTIFICATE-----").ok_or("That is not a certificate: it should begin with -----BEGIN CERTIFICATE----- (a private key must never be pasted here).")?;
        let after = &text[start + "-----BEGIN CERTIFICATE-----".len()..];
        let end = after.find("-----END CERTIFICATE-----").ok_or("The certificate is cut off: the -----END CERTIFICATE----- line is missing.")?;
        after[..end].chars().filter(|c| !c.is_whitespace()).collect()
    } else {
        text.chars().filter(|c| !c.is_whitespace()).collect()
    };
    if body.is_empty() || !body.chars().all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '/' || c == '=') {
        return Err("That does not look like a certificate. Copy the X.509 certificate from your identity provider again, including the BEGIN and END lines.".into());
    }
    let mut pem = String::from("-----BEGIN CERTIFICATE-----\n");
    for chunk in body.as_bytes().chunks(64) {
        pem.push_str(std::str::from_utf8(chunk).expect("ascii"));
        pem.push('\n');
    }
    pem.push_str("-----END CERTIFICATE-----\n");
    Ok(pem)
}

/// Subject, issuer, validity and SHA-256 fingerprint of a PEM certificate.
/// `now` decides whether it has expired or expires within 30 days.
pub fn certificate_info(pem: &str, now: time::OffsetDateTime) -> Result<CertificateInfo, String> {
    let unreadable = "The certificate could not be read. Copy the X.509 certificate from your identity provider again, including the BEGIN and END lines.";
    let (_, pem) = x509_parser::pem::parse_x509_pem(pem.as_bytes()).map_err(|_| unreadable.to_string())?;
    if pem.label != "CERTIFICATE" {
        return Err(unreadable.into());
    }
    let cert = pem.parse_x509().map_err(|_| unreadable.to_string())?;
    let validity = cert.validity();
    let not_before = validity.not_before.to_datetime();
    let not_after = validity.not_after.to_datetime();
    let fingerprint = Sha256::digest(&pem.contents).iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(":");
    let days_left = (not_after - now).whole_days();
    let warning = if not_after <= now {
        Some(format!(
            "This certificate expired on {}. Sign-in responses signed with it are refused: get the current certificate from your identity provider.",
            crate::service::store::format_time(not_after)[..10].to_string()
        ))
    } else if days_left < 30 {
        Some(format!(
            "This certificate expires in {} day{} ({}). Plan the switch to your identity provider's new certificate.",
            days_left,
            if days_left == 1 { "" } else { "s" },
            crate::service::store::format_time(not_after)[..10].to_string()
        ))
    } else if not_before > now {
        Some("This certificate is not valid yet. Check the identity provider's certificate and this server's clock.".to_string())
    } else {
        None
    };
    Ok(CertificateInfo {
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        not_before: crate::service::store::format_time(not_before),
        not_after: crate::service::store::format_time(not_after),
        fingerprint_sha256: fingerprint,
        warning,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CERT: &str = include_str!("../../../server/tests/fixtures/saml/idp-cert.pem");

    #[test]
    fn certificates_are_accepted_with_or_without_pem_lines() {
        let pem = normalize_certificate(CERT).unwrap();
        let body: String = CERT.lines().filter(|l| !l.starts_with("-----")).collect();
        assert_eq!(normalize_certificate(&body).unwrap(), pem);
        assert_eq!(normalize_certificate(&format!("  {}\n", CERT.replace('\n', "\r\n"))).unwrap(), pem);
        let info = certificate_info(&pem, time::OffsetDateTime::now_utc()).unwrap();
        assert!(info.subject.contains("CN="), "{}", info.subject);
        assert_eq!(info.fingerprint_sha256.len(), 32 * 3 - 1);
    }

    #[test]
    fn bad_certificates_say_what_is_wrong() {
        assert!(normalize_certificate("").unwrap_err().contains("Paste"));
        assert!(normalize_certificate("-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----").unwrap_err().contains("private key"));
        assert!(normalize_certificate("-----BEGIN CERTIFICATE-----\nMIIB").unwrap_err().contains("cut off"));
        assert!(normalize_certificate("hello world!").is_err());
        let garbage = normalize_certificate("QUJDREVGRw==").unwrap();
        assert!(certificate_info(&garbage, time::OffsetDateTime::now_utc()).unwrap_err().contains("could not be read"));
    }

    #[test]
    fn expiry_warnings() {
        let pem = normalize_certificate(CERT).unwrap();
        let info = certificate_info(&pem, time::OffsetDateTime::now_utc()).unwrap();
        let after = time::PrimitiveDateTime::parse(&info.not_after[..19], &time::format_description::well_known::Iso8601::DEFAULT).unwrap().assume_utc();
        let soon = certificate_info(&pem, after - time::Duration::days(10)).unwrap();
        assert!(soon.warning.unwrap().contains("expires in 10 days"));
        let late = certificate_info(&pem, after + time::Duration::days(1)).unwrap();
        assert!(late.warning.unwrap().contains("expired"));
    }
}

/// What the Authentication page's Edit form sends, checked: the row to store,
/// or the first problem.
fn parse(input: &AuthSettingsInput, current: &AuthSettingsRow, oidc: &OidcParsed) -> super::Result<(AuthMethod, AuthSettingsRow)> {
    let method = AuthMethod::parse(&input.method).ok_or_else(|| Error::invalid("method", "Choose Password, SAML, SAML or password, OAuth (OpenID Connect), or OAuth (OpenID Connect) or password."))?;
    if !(MIN_SESSION_DAYS..=MAX_SESSION_DAYS).contains(&input.session_days) {
        return Err(Error::invalid("session_days", format!("Session length is between {MIN_SESSION_DAYS} and {MAX_SESSION_DAYS} days.")));
    }
    let idle = input.idle_timeout_secs;
    if idle != 0 && !(MIN_IDLE_TIMEOUT_SECS..=MAX_IDLE_TIMEOUT_SECS).contains(&idle) {
        return Err(Error::invalid("idle_timeout_secs", format!("Sign out after inactivity is off, or between {MIN_IDLE_TIMEOUT_SECS} and {MAX_IDLE_TIMEOUT_SECS} seconds (5 minutes to 12 hours).")));
    }
    let url = input.idp_login_url.trim().to_string();
    if !url.is_empty() {
        check_idp_url(&url).map_err(|m| Error::invalid("idp_login_url", m))?;
    }
    let certificate = if input.idp_certificate.trim().is_empty() {
        String::new()
    } else {
        let pem = normalize_certificate(&input.idp_certificate).map_err(|m| Error::invalid("idp_certificate", m))?;
        certificate_info(&pem, time::OffsetDateTime::now_utc()).map_err(|m| Error::invalid("idp_certificate", m))?;
        pem
    };
    let next = if input.idp_next_certificate.trim().is_empty() {
        String::new()
    } else {
        let pem = normalize_certificate(&input.idp_next_certificate).map_err(|m| Error::invalid("idp_next_certificate", m))?;
        certificate_info(&pem, time::OffsetDateTime::now_utc()).map_err(|m| Error::invalid("idp_next_certificate", m))?;
        pem
    };
    if !next.is_empty() && next == certificate {
        return Err(Error::invalid("idp_next_certificate", "The next certificate is the same as the current one. Paste the identity provider's new certificate here, or leave it empty."));
    }
    if !next.is_empty() && certificate.is_empty() {
        return Err(Error::invalid("idp_certificate", "Paste the current certificate first; the next certificate is the one the identity provider will switch to."));
    }
    let issuer = input.idp_issuer.trim().to_string();
    if issuer.len() > 1024 || issuer.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::invalid("idp_issuer", "The issuer is the identity provider's entity ID: one word or URL, without spaces."));
    }
    if method.allows_saml() && url.is_empty() {
        return Err(Error::invalid("idp_login_url", "SAML needs the identity provider login URL. Copy it from your identity provider's SAML setup."));
    }
    if method.allows_saml() && certificate.is_empty() {
        return Err(Error::invalid("idp_certificate", "SAML needs the identity provider's X.509 certificate. Copy it from your identity provider's SAML setup."));
    }
    // Making the next certificate the current one, once a sign-in signed with
    // it was seen, is a rotation that keeps single sign-on shown to work;
    // any other change of the certificate, URL or issuer must be shown again.
    let promoted = !current.idp_next_certificate.is_empty() && certificate == current.idp_next_certificate && current.idp_next_seen_at.is_some();
    let idp_changed = url != current.idp_login_url || (certificate != current.idp_certificate && !promoted) || issuer != current.idp_issuer;
    let mut row = current.clone();
    row.method = method;
    row.session_days = input.session_days;
    row.idle_timeout_secs = idle;
    row.allow_idp_initiated = input.allow_idp_initiated;
    row.mfa_policy = crate::domain::MfaPolicy::parse(&input.mfa_policy).ok_or_else(|| Error::invalid("mfa_policy", "Choose Off, Optional or Required for multi-factor authentication."))?;
    row.allow_guests = input.allow_guests;
    row.mfa_email_codes = input.mfa_email_codes;
    let (floor, ceiling) = (crate::domain::password::MIN_LEN as i64, crate::domain::password::MAX_MIN_LEN as i64);
    if !(floor..=ceiling).contains(&input.password_min_length) {
        return Err(Error::invalid("password_min_length", format!("The minimum password length is between {floor} and {ceiling} characters.")));
    }
    row.password_min_length = input.password_min_length;
    if method.allows_oidc() {
        if oidc.issuer.is_empty() {
            return Err(Error::invalid("oidc_issuer", "OpenID Connect needs the provider's issuer (or its discovery URL, ending in /.well-known/openid-configuration)."));
        }
        if oidc.client_id.is_empty() {
            return Err(Error::invalid("oidc_client_id", "OpenID Connect needs the client ID your provider gave Gatehouse's application."));
        }
        if oidc.sealed_secret.is_none() && current.oidc_client_secret_sealed.is_empty() {
            return Err(Error::invalid("oidc_client_secret", "OpenID Connect needs the client secret your provider gave Gatehouse's application."));
        }
    }
    let oidc_changed = oidc.issuer != current.oidc_issuer || oidc.client_id != current.oidc_client_id || oidc.sealed_secret.is_some();
    row.oidc_issuer = oidc.issuer.clone();
    row.oidc_client_id = oidc.client_id.clone();
    row.oidc_scopes = oidc.scopes.clone();
    row.oidc_email_claim = oidc.email_claim.clone();
    if let Some(sealed) = &oidc.sealed_secret {
        row.oidc_client_secret_sealed = sealed.clone();
    }
    if oidc_changed {
        row.oidc_changed_at = Some(store::now());
        // OpenID Connect must be shown to work again with the new provider or client.
        row.oidc_verified_at = None;
        row.oidc_verified_by = None;
    }
    if next != current.idp_next_certificate || certificate != current.idp_certificate {
        row.idp_certificate = certificate.clone();
        row.idp_next_certificate = next;
        // Seen with the certificate that is next now, if it still is.
        if row.idp_next_certificate != current.idp_next_certificate {
            row.idp_next_seen_at = None;
        }
    }
    if idp_changed {
        row.idp_login_url = url;
        row.idp_certificate = certificate;
        row.idp_issuer = issuer;
        row.idp_changed_at = Some(store::now());
        // SSO must be shown to work again with the new settings.
        row.sso_verified_at = None;
        row.sso_verified_by = None;
    }
    Ok((method, row))
}

/// The OpenID Connect part of the form, checked; what it leaves out is
/// what is stored. A new client secret comes sealed.
struct OidcParsed {
    issuer: String,
    client_id: String,
    sealed_secret: Option<String>,
    scopes: String,
    email_claim: String,
}

fn parse_oidc(keys: &super::keys::Keys, input: &crate::domain::views::OidcInput, current: &AuthSettingsRow) -> super::Result<OidcParsed> {
    use crate::domain::sign_in::{check_oidc_claim, check_oidc_scopes};
    let issuer = match &input.issuer {
        Some(i) => super::oidc::issuer_of(i),
        None => current.oidc_issuer.clone(),
    };
    if !issuer.is_empty() {
        check_idp_url(&issuer).map_err(|m| Error::invalid("oidc_issuer", m.replace("single sign-on URL", "issuer")))?;
        if issuer.len() > 1024 || issuer.contains(['?', '#']) {
            return Err(Error::invalid("oidc_issuer", "The issuer is a URL without ? or #, such as https://login.microsoftonline.com/<tenant>/v2.0."));
        }
    }
    let client_id = input.client_id.as_deref().map(str::trim).unwrap_or(&current.oidc_client_id).to_string();
    if client_id.len() > 255 || client_id.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::invalid("oidc_client_id", "The client ID is one word (no spaces), as your provider shows it."));
    }
    let sealed_secret = match input.client_secret.as_deref().map(str::trim) {
        Some(secret) if !secret.is_empty() => {
            if secret.len() > 1024 || secret.chars().any(char::is_control) {
                return Err(Error::invalid("oidc_client_secret", "That is not a client secret: paste the secret's value as your provider shows it, once."));
            }
            Some(keys.seal(CLIENT_SECRET, secret))
        }
        _ => None,
    };
    let scopes = match &input.scopes {
        Some(s) => check_oidc_scopes(s).map_err(|m| Error::invalid("oidc_scopes", m))?,
        None => current.oidc_scopes.clone(),
    };
    let email_claim = match &input.email_claim {
        Some(c) => check_oidc_claim(c).map_err(|m| Error::invalid("oidc_email_claim", m))?,
        None => current.oidc_email_claim.clone(),
    };
    Ok(OidcParsed { issuer, client_id, sealed_secret, scopes, email_claim })
}

/// Reads the provider's discovery document: the issuer must be what it names.
async fn check_provider(providers: &super::oidc::Providers, issuer: &str) -> super::Result<()> {
    use super::oidc::Problem;
    let discovery = format!("{issuer}/.well-known/openid-configuration");
    providers.discover_now(issuer).await.map(|_| ()).map_err(|p| {
        let message = match p {
            Problem::Unreachable(e) => format!("Gatehouse could not read {discovery} ({e}). Check the issuer, and that this server can reach your provider."),
            Problem::IssuerMismatch { found, .. } => format!(
                "The provider's discovery document names the issuer {found}, not {issuer}. Enter the issuer exactly as your provider shows it{}.",
                if found.is_empty() { String::new() } else { format!(" (perhaps {found})") }
            ),
            other => format!("{discovery} is not an OpenID Connect discovery document ({other}). Enter the issuer your provider shows, such as https://login.microsoftonline.com/<tenant>/v2.0."),
        };
        Error::invalid("oidc_issuer", message)
    })
}

/// What changed, for the audit log.
fn describe(before: &AuthSettingsRow, after: &AuthSettingsRow) -> String {
    let mut parts = Vec::new();
    if before.method != after.method {
        parts.push(format!("method: {} → {}", before.method.label(), after.method.label()));
    }
    let or_none = |v: &str| {
        if v.is_empty() {
            "(none)".to_string()
        } else {
            v.to_string()
        }
    };
    if before.oidc_issuer != after.oidc_issuer {
        parts.push(format!("OpenID Connect issuer: {}", or_none(&after.oidc_issuer)));
    }
    if before.oidc_client_id != after.oidc_client_id {
        parts.push(format!("OpenID Connect client ID: {}", or_none(&after.oidc_client_id)));
    }
    if before.oidc_client_secret_sealed != after.oidc_client_secret_sealed {
        // Never the secret itself.
        parts.push("OpenID Connect client secret: replaced".to_string());
    }
    if before.oidc_scopes != after.oidc_scopes {
        parts.push(format!("OpenID Connect scopes: {} → {}", before.oidc_scopes, after.oidc_scopes));
    }
    if before.oidc_email_claim != after.oidc_email_claim {
        parts.push(format!("OpenID Connect email claim: {} → {}", before.oidc_email_claim, after.oidc_email_claim));
    }
    if before.idp_login_url != after.idp_login_url {
        parts.push(format!("IdP login URL: {}", if after.idp_login_url.is_empty() { "(none)" } else { &after.idp_login_url }));
    }
    if before.idp_certificate != after.idp_certificate {
        let fp = certificate_info(&after.idp_certificate, time::OffsetDateTime::now_utc()).map(|i| i.fingerprint_sha256).unwrap_or_else(|_| "(none)".into());
        parts.push(format!("IdP certificate: SHA-256 {fp}"));
    }
    if before.idp_next_certificate != after.idp_next_certificate {
        let fp = certificate_info(&after.idp_next_certificate, time::OffsetDateTime::now_utc()).map(|i| i.fingerprint_sha256).unwrap_or_else(|_| "(none)".into());
        parts.push(format!("IdP next certificate: SHA-256 {fp}"));
    }
    if before.idp_issuer != after.idp_issuer {
        parts.push(format!("IdP issuer: {}", if after.idp_issuer.is_empty() { "(not checked)" } else { &after.idp_issuer }));
    }
    if before.session_days != after.session_days {
        parts.push(format!("session length: {} → {} days", before.session_days, after.session_days));
    }
    if before.idle_timeout_secs != after.idle_timeout_secs {
        parts.push(format!("sign out after inactivity: {} → {}", idle_timeout_label(before.idle_timeout_secs), idle_timeout_label(after.idle_timeout_secs)));
    }
    if before.mfa_policy != after.mfa_policy {
        parts.push(format!("multi-factor authentication: {} → {}", before.mfa_policy.label(), after.mfa_policy.label()));
    }
    if before.mfa_email_codes != after.mfa_email_codes {
        parts.push(format!("codes by email: {}", if after.mfa_email_codes { "on" } else { "off" }));
    }
    if before.password_min_length != after.password_min_length {
        parts.push(format!("minimum password length: {} → {} characters", before.password_min_length, after.password_min_length));
    }
    if before.allow_guests != after.allow_guests {
        parts.push(format!("guest access: {}", if after.allow_guests { "allowed" } else { "off" }));
    }
    if before.allow_idp_initiated != after.allow_idp_initiated {
        parts.push(format!("sign-in started at the identity provider: {}", if after.allow_idp_initiated { "allowed" } else { "refused" }));
    }
    parts.join("; ")
}

/// Saves the Authentication page's Edit form. SAML needs a login URL and a
/// certificate that parses; SAML only needs an admin to have signed in
/// through SSO with these settings (the lockout guard; `gatehouse admin
/// reset-auth` is the way back).
pub async fn save_settings(
    db: &Db,
    keys: &super::keys::Keys,
    providers: &super::oidc::Providers,
    config: &super::state::Config,
    actor: &Actor,
    input: &AuthSettingsInput,
) -> super::Result<AuthSettingsRow> {
    // The provider is read before the transaction: a slow one must not hold the writer.
    let before = store::auth_settings::get(db, &actor.org_id).await?;
    let oidc = parse_oidc(keys, &input.oidc, &before)?;
    let chosen = AuthMethod::parse(&input.method).is_some_and(AuthMethod::allows_oidc);
    if chosen && !oidc.issuer.is_empty() && (oidc.issuer != before.oidc_issuer || !before.method.allows_oidc()) {
        check_provider(providers, &oidc.issuer).await?;
    }
    let mut tx = super::begin(db).await?;
    let current = store::auth_settings::get(&mut *tx, &actor.org_id).await?;
    let (method, row) = parse(input, &current, &oidc)?;
    if row.mfa_email_codes && !current.mfa_email_codes && !super::mail::is_set_up(config) {
        return Err(Error::invalid(
            "mfa_email_codes",
            "This server cannot send mail, so it cannot send codes. Ask the operator to set up mail (GATEHOUSE_SMTP_HOST and the settings beside it), then turn codes by email on.",
        ));
    }
    if method == AuthMethod::Oidc && row.oidc_verified_at.is_none() {
        let why = if current.oidc_verified_at.is_some() {
            "The OpenID Connect settings changed, so sign-in through your provider must be shown to work again before it can be the only way in. \
             Save them with “OAuth (OpenID Connect) or password”, sign in with “Sign in with SSO” as an administrator (or pass “Test sign-in” as yourself), then choose OAuth (OpenID Connect)."
        } else {
            "OpenID Connect only would lock everyone out if sign-in through your provider does not work. First save “OAuth (OpenID Connect) or password”, \
             sign in with “Sign in with SSO” as an administrator (or pass “Test sign-in” as yourself), then choose OAuth (OpenID Connect)."
        };
        return Err(Error::conflict(why).on("method"));
    }
    if method == AuthMethod::Saml && row.sso_verified_at.is_none() {
        let why = if current.sso_verified_at.is_some() {
            "The identity provider settings changed, so single sign-on must be shown to work again before it can be the only way in. \
             Save them with “SAML or password”, sign in with “Sign in with SSO” as an administrator (or pass “Test sign-in” as yourself), then choose SAML."
        } else {
            "SAML only would lock everyone out if single sign-on does not work. First save “SAML or password”, \
             sign in with “Sign in with SSO” as an administrator (or pass “Test sign-in” as yourself), then choose SAML."
        };
        return Err(Error::conflict(why).on("method"));
    }
    if row.mfa_policy == crate::domain::MfaPolicy::Required && current.mfa_policy != crate::domain::MfaPolicy::Required {
        // Requiring an app ends every session signed in with a password
        // alone: the admin who asks for it keeps theirs only with an app.
        let own_app = match &actor.id {
            Some(id) => store::users::by_id(&mut *tx, &actor.org_id, id).await?.is_some_and(|u| u.mfa_secret.is_some()),
            None => true,
        };
        if !own_app {
            return Err(Error::conflict(
                "Set up your own authenticator app first (Profile > Two-step verification). Requiring one signs out everyone who signed in with only a password — you too — and asks for an app at their next sign-in.",
            )
            .on("mfa_policy"));
        }
    }
    let changes = describe(&current, &row);
    if !changes.is_empty() {
        store::auth_settings::save(&mut *tx, &row).await?;
        store::audit::record(&mut *tx, actor.event(audit::AUTH_SETTINGS_CHANGED, "authentication", changes)).await?;
    }
    tx.commit().await?;
    Ok(row)
}

/// Break-glass: sets the sign-in method back to password, so admins can sign
/// in with their passwords when SSO is broken. Returns the method it replaced.
pub async fn reset_to_password(db: &Db, actor: &Actor) -> super::Result<String> {
    let mut tx = super::begin(db).await?;
    let mut row = store::auth_settings::get(&mut *tx, &actor.org_id).await?;
    let before = row.method.as_str().to_string();
    if row.method == AuthMethod::Password {
        // Already by password: nothing to change, nothing to record.
        return Ok(before);
    }
    row.method = AuthMethod::Password;
    store::auth_settings::save(&mut *tx, &row).await?;
    store::audit::record(&mut *tx, actor.event(audit::AUTH_RESET, "authentication", format!("method: {before} → password"))).await?;
    tx.commit().await?;
    Ok(before)
}

/// The organization a sign-in URL names, with its sign-in settings.
pub async fn org_and_settings(db: &Db, slug: &str) -> super::Result<Option<(super::access::Org, AuthSettingsRow)>> {
    let Some(org) = store::orgs::by_slug(db, slug).await? else {
        return Ok(None);
    };
    let settings = store::auth_settings::get(db, &org.id).await?;
    Ok(Some((org, settings)))
}

/// One use only: the ids of a verified response (its request, the response,
/// the assertion), each until it expires, on every instance. `Err(key)`:
/// that one was used before, and nothing was recorded.
pub async fn use_once(db: &Db, org_id: &str, ids: &[(String, super::Timestamp)]) -> super::Result<std::result::Result<(), String>> {
    let mut tx = super::begin(db).await?;
    for (key, expires) in ids {
        if !store::saml::use_id(&mut tx, org_id, key, &expires.to_string()).await? {
            return Ok(Err(key.clone()));
        }
    }
    tx.commit().await?;
    Ok(Ok(()))
}

/// A failed SSO sign-in, for the audit log: counted per kind of failure
/// (`kind` and the precise `reason`), email and address, in the sign-in
/// limits' window — anyone can post to the assertion consumer.
pub struct Failed<'a> {
    pub kind: &'a str,
    pub reason: &'a str,
    /// The person verification established ("" when it did not get that far).
    pub email: &'a str,
    /// Whom the response named, verified or not: shown in the activity only.
    pub named: &'a str,
    pub reference: &'a str,
    pub ip: &'a str,
    /// For the SSO sign-in activity: the reason from the fixed list, and the response.
    pub diagnosis: &'a super::sso_activity::Diagnosis,
}

pub async fn record_failure(db: &Db, org_id: &str, via: super::sign_in::Sso, f: Failed<'_>) -> super::Result<()> {
    let event = store::audit::Event {
        org_id,
        actor_id: None,
        actor: if f.email.is_empty() { "anonymous" } else { f.email },
        action: audit::SSO_FAILED,
        target: f.email,
        detail: format!("method: {}; reason: {}; reference: {}", via.method(), f.reason, f.reference),
        ip: f.ip,
    };
    let count_kind = format!("{}|{}|{}|{}", via.method(), f.kind, f.reason, f.email.to_lowercase());
    let address = super::sign_in::address_key(f.ip);
    let count = store::audit::Count { kind: &count_kind, address: &address, window_secs: super::sign_in::WINDOW_MINUTES * 60 };
    // The activity's row is written with the audit row, when there is one (the first of its kind).
    let stored = super::sso_activity::Stored::of(f.diagnosis);
    let attempt = stored.attempt(org_id, f.named, f.reference, f.ip);
    Ok(store::audit::record_counted_with(db, event, count, Some(&attempt)).await?)
}

/// The certificates a response may be signed with: the current one, and the
/// next one while the identity provider rotates.
pub fn trusted_certificates(s: &AuthSettingsRow) -> Vec<String> {
    [&s.idp_certificate, &s.idp_next_certificate].into_iter().filter(|c| !c.is_empty()).cloned().collect()
}

/// SHA-256 fingerprints of the trusted certificates, as the activity names them.
pub fn trusted_fingerprints(s: &AuthSettingsRow) -> Vec<String> {
    trusted_certificates(s).iter().filter_map(|c| certificate_info(c, time::OffsetDateTime::now_utc()).ok()).map(|i| i.fingerprint_sha256).collect()
}

/// A sign-in was signed with the next certificate: noted (once), so it may become the current one.
pub async fn signed_with_next(db: &Db, org_id: &str) -> super::Result<()> {
    Ok(store::auth_settings::mark_next_seen(db, org_id).await?)
}

/// Seconds until each organization's certificates expire (negative: expired
/// since): (organization, "current" or "next", seconds), for the metrics.
pub async fn certificate_expiries(db: &Db) -> super::Result<Vec<(String, &'static str, i64)>> {
    let now = time::OffsetDateTime::now_utc();
    let mut out = Vec::new();
    for (slug, current, next) in store::auth_settings::certificates(db).await? {
        for (which, pem) in [("current", current), ("next", next)] {
            if pem.is_empty() {
                continue;
            }
            if let Ok(info) = certificate_info(&pem, now) {
                if let Ok(t) = time::PrimitiveDateTime::parse(&info.not_after[..19], &time::format_description::well_known::Iso8601::DEFAULT) {
                    out.push((slug.clone(), which, (t.assume_utc() - now).whole_seconds()));
                }
            }
        }
    }
    Ok(out)
}
