//! How people of an organization sign in.
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AuthMethod {
    Password,
    Saml,
    SamlOrPassword,
    /// OpenID Connect (Sigma's "OAuth").
    Oidc,
    OidcOrPassword,
}

impl AuthMethod {
    pub const ALL: [AuthMethod; 5] = [AuthMethod::Password, AuthMethod::Saml, AuthMethod::SamlOrPassword, AuthMethod::Oidc, AuthMethod::OidcOrPassword];

    pub fn as_str(self) -> &'static str {
        match self {
            AuthMethod::Password => "password",
            AuthMethod::Saml => "saml",
            AuthMethod::SamlOrPassword => "saml_or_password",
            AuthMethod::Oidc => "oidc",
            AuthMethod::OidcOrPassword => "oidc_or_password",
        }
    }
    /// As the Authentication page names it (Sigma's words, with what Sigma
    /// calls "OAuth" named for the protocol it is).
    pub fn label(self) -> &'static str {
        match self {
            AuthMethod::Password => "Password",
            AuthMethod::Saml => "SAML",
            AuthMethod::SamlOrPassword => "SAML or password",
            AuthMethod::Oidc => "OAuth (OpenID Connect)",
            AuthMethod::OidcOrPassword => "OAuth (OpenID Connect) or password",
        }
    }
    pub fn parse(s: &str) -> Option<AuthMethod> {
        AuthMethod::ALL.into_iter().find(|m| m.as_str() == s)
    }
    pub fn allows_password(self) -> bool {
        !matches!(self, AuthMethod::Saml | AuthMethod::Oidc)
    }
    /// Single sign-on of either protocol ("Sign in with SSO").
    pub fn allows_sso(self) -> bool {
        self != AuthMethod::Password
    }
    pub fn allows_saml(self) -> bool {
        matches!(self, AuthMethod::Saml | AuthMethod::SamlOrPassword)
    }
    pub fn allows_oidc(self) -> bool {
        matches!(self, AuthMethod::Oidc | AuthMethod::OidcOrPassword)
    }
}

/// Multi-factor authentication for password sign-ins (SSO relies on the
/// identity provider's own factors).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MfaPolicy {
    /// Never asked.
    Off,
    /// Asked of people who set up an authenticator app.
    Optional,
    /// Asked of everyone; people without an app set one up right after their password.
    Required,
}

impl MfaPolicy {
    pub const ALL: [MfaPolicy; 3] = [MfaPolicy::Off, MfaPolicy::Optional, MfaPolicy::Required];
    pub fn as_str(self) -> &'static str {
        match self {
            MfaPolicy::Off => "off",
            MfaPolicy::Optional => "optional",
            MfaPolicy::Required => "required",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            MfaPolicy::Off => "Off",
            MfaPolicy::Optional => "Optional",
            MfaPolicy::Required => "Required",
        }
    }
    pub fn parse(s: &str) -> Option<MfaPolicy> {
        MfaPolicy::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// What an OpenID Connect client asks for unless the admin says otherwise.
pub const DEFAULT_OIDC_SCOPES: &str = "openid email profile";
/// The ID token claim that holds the person's email unless the admin names another.
pub const DEFAULT_OIDC_EMAIL_CLAIM: &str = "email";

/// Scopes as OAuth writes them (RFC 6749 §3.3: words of printable ASCII
/// without quotes or backslashes, one space apart), `openid` among them.
/// Returns them normalized to single spaces.
pub fn check_oidc_scopes(input: &str) -> Result<String, String> {
    let words: Vec<&str> = input.split_whitespace().collect();
    if words.is_empty() {
        return Ok(DEFAULT_OIDC_SCOPES.into());
    }
    let valid = |w: &str| w.bytes().all(|b| b == 0x21 || (0x23..=0x5B).contains(&b) || (0x5D..=0x7E).contains(&b));
    if let Some(bad) = words.iter().find(|w| !valid(w)) {
        return Err(format!("“{bad}” is not a scope: scopes are words without quotes or backslashes, separated by spaces."));
    }
    if !words.contains(&"openid") {
        return Err("The scopes must include openid (OpenID Connect asks for it); for example: openid email profile.".into());
    }
    let joined = words.join(" ");
    if joined.len() > 512 {
        return Err("That is too many scopes (at most 512 characters).".into());
    }
    Ok(joined)
}

/// The name of the claim that holds the email: a JSON member name as
/// providers write them (letters, digits, `_ . : -`).
pub fn check_oidc_claim(input: &str) -> Result<String, String> {
    let name = input.trim();
    if name.is_empty() {
        return Ok(DEFAULT_OIDC_EMAIL_CLAIM.into());
    }
    if name.len() > 100 || !name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ':' | '-')) {
        return Err("Name the claim as your provider writes it in the ID token, such as email, preferred_username or upn.".into());
    }
    Ok(name.to_string())
}

/// Session length limits, in days.
pub const MIN_SESSION_DAYS: i64 = 1;
pub const MAX_SESSION_DAYS: i64 = 90;

/// The inactivity timeout's limits, in seconds (as Sigma offers: 5 minutes to 12 hours); 0 turns it off.
pub const MIN_IDLE_TIMEOUT_SECS: i64 = 300;
pub const MAX_IDLE_TIMEOUT_SECS: i64 = 43_200;

/// The choices the Authentication page offers, in seconds.
pub const IDLE_TIMEOUT_CHOICES: [(i64, &str); 9] =
    [(0, "Never"), (300, "5 minutes"), (900, "15 minutes"), (1800, "30 minutes"), (3600, "1 hour"), (7200, "2 hours"), (14_400, "4 hours"), (28_800, "8 hours"), (43_200, "12 hours")];

/// How the Authentication page names a timeout.
pub fn idle_timeout_label(secs: i64) -> String {
    IDLE_TIMEOUT_CHOICES.iter().find(|(s, _)| *s == secs).map(|(_, l)| l.to_string()).unwrap_or_else(|| format!("{} minutes", secs / 60))
}

/// An identity provider login URL must be absolute http(s); http only for
/// this machine (a test IdP), since the AuthnRequest travels in it.
pub fn check_idp_url(url: &str) -> Result<(), String> {
    let url = url.trim();
    let rest = if let Some(r) = url.strip_prefix("https://") {
        r
    } else if let Some(r) = url.strip_prefix("http://") {
        let host = r.split(['/', '?', '#']).next().unwrap_or("");
        let host = host.rsplit_once(':').map(|(h, _)| h).unwrap_or(host);
        if !matches!(host, "localhost" | "127.0.0.1" | "[::1]") {
            return Err("Use the https:// address your identity provider shows (http is accepted only for localhost).".into());
        }
        r
    } else {
        return Err("Enter the full address, starting with https://, as your identity provider shows it.".into());
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("That is not a valid address. Copy the identity provider's single sign-on URL again.".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mfa_policies_round_trip() {
        for m in MfaPolicy::ALL {
            assert_eq!(MfaPolicy::parse(m.as_str()), Some(m));
        }
        assert_eq!(MfaPolicy::parse("Required"), None);
    }

    #[test]
    fn methods_round_trip_and_say_what_they_allow() {
        for m in AuthMethod::ALL {
            assert_eq!(AuthMethod::parse(m.as_str()), Some(m));
        }
        assert_eq!(AuthMethod::parse("SAML"), None);
        assert!(!AuthMethod::Saml.allows_password() && AuthMethod::Saml.allows_sso());
        assert!(AuthMethod::SamlOrPassword.allows_password() && AuthMethod::SamlOrPassword.allows_sso());
        assert!(AuthMethod::Password.allows_password() && !AuthMethod::Password.allows_sso());
        assert!(!AuthMethod::Oidc.allows_password() && AuthMethod::Oidc.allows_oidc() && !AuthMethod::Oidc.allows_saml());
        assert!(AuthMethod::OidcOrPassword.allows_password() && AuthMethod::OidcOrPassword.allows_sso() && !AuthMethod::OidcOrPassword.allows_saml());
        assert!(AuthMethod::SamlOrPassword.allows_saml() && !AuthMethod::SamlOrPassword.allows_oidc());
    }

    #[test]
    fn oidc_scopes_and_claims_are_checked() {
        assert_eq!(check_oidc_scopes("").unwrap(), DEFAULT_OIDC_SCOPES);
        assert_eq!(check_oidc_scopes("  openid   email\tgroups ").unwrap(), "openid email groups");
        assert!(check_oidc_scopes("email profile").unwrap_err().contains("openid"));
        assert!(check_oidc_scopes("openid \"x\"").is_err());
        assert_eq!(check_oidc_claim("").unwrap(), "email");
        assert_eq!(check_oidc_claim(" preferred_username ").unwrap(), "preferred_username");
        assert!(check_oidc_claim("e mail").is_err());
        assert!(check_oidc_claim("<script>").is_err());
    }

    #[test]
    fn idp_urls_are_https_or_local() {
        assert!(check_idp_url("https://acme.okta.com/app/acme_gatehouse/exk1/sso/saml").is_ok());
        assert!(check_idp_url("http://127.0.0.1:7411/saml/sso").is_ok());
        assert!(check_idp_url("http://localhost/saml/sso").is_ok());
        for bad in ["", "acme.okta.com/sso", "http://idp.example.com/sso", "https://", "https://a b/", "javascript:alert(1)"] {
            assert!(check_idp_url(bad).is_err(), "{bad:?}");
        }
    }
}
