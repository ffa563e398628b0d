//! How people of an organization sign in.
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AuthMethod {
    Password,
    Saml,
    SamlOrPassword,
}

impl AuthMethod {
    pub const ALL: [AuthMethod; 3] = [
        AuthMethod::Password,
        AuthMethod::Saml,
        AuthMethod::SamlOrPassword,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AuthMethod::Password => "password",
            AuthMethod::Saml => "saml",
            AuthMethod::SamlOrPassword => "saml_or_password",
        }
    }
    /// As the Authentication page names it (Sigma's words).
    pub fn label(self) -> &'static str {
        match self {
            AuthMethod::Password => "Password",
            AuthMethod::Saml => "SAML",
            AuthMethod::SamlOrPassword => "SAML or password",
        }
    }
    pub fn parse(s: &str) -> Option<AuthMethod> {
        AuthMethod::ALL.into_iter().find(|m| m.as_str() == s)
    }
    pub fn allows_password(self) -> bool {
        self != AuthMethod::Saml
    }
    pub fn allows_sso(self) -> bool {
        self != AuthMethod::Password
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

/// Session length limits, in days.
pub const MIN_SESSION_DAYS: i64 = 1;
pub const MAX_SESSION_DAYS: i64 = 90;

/// The inactivity timeout's limits, in seconds (as Sigma offers: 5 minutes to 12 hours); 0 turns it off.
pub const MIN_IDLE_TIMEOUT_SECS: i64 = 300;
pub const MAX_IDLE_TIMEOUT_SECS: i64 = 43_200;

/// The choices the Authentication page offers, in seconds.
pub const IDLE_TIMEOUT_CHOICES: [(i64, &str); 9] = [
    (0, "Never"),
    (300, "5 minutes"),
    (900, "15 minutes"),
    (1800, "30 minutes"),
    (3600, "1 hour"),
    (7200, "2 hours"),
    (14_400, "4 hours"),
    (28_800, "8 hours"),
    (43_200, "12 hours"),
];

/// How the Authentication page names a timeout.
pub fn idle_timeout_label(secs: i64) -> String {
    IDLE_TIMEOUT_CHOICES
        .iter()
        .find(|(s, _)| *s == secs)
        .map(|(_, l)| l.to_string())
        .unwrap_or_else(|| format!("{} minutes", secs / 60))
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
        return Err(
            "Enter the full address, starting with https://, as your identity provider shows it."
                .into(),
        );
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(
            "That is not a valid address. Copy the identity provider's single sign-on URL again."
                .into(),
        );
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
        assert!(
            AuthMethod::SamlOrPassword.allows_password() && AuthMethod::SamlOrPassword.allows_sso()
        );
        assert!(AuthMethod::Password.allows_password() && !AuthMethod::Password.allows_sso());
    }

    #[test]
    fn idp_urls_are_https_or_local() {
        assert!(check_idp_url("https://acme.okta.com/app/acme_gatehouse/exk1/sso/saml").is_ok());
        assert!(check_idp_url("http://127.0.0.1:7411/saml/sso").is_ok());
        assert!(check_idp_url("http://localhost/saml/sso").is_ok());
        for bad in [
            "",
            "acme.okta.com/sso",
            "http://idp.example.com/sso",
            "https://",
            "https://a b/",
            "javascript:alert(1)",
        ] {
            assert!(check_idp_url(bad).is_err(), "{bad:?}");
        }
    }
}
