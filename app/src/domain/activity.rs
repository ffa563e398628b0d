//! Why did it fail? The SSO sign-in activity and the provisioning activity:
//! a failed sign-in's one precise reason and the hint that names the setting
//! to change and on which side; what a SCIM request did and changed.
use serde::{Deserialize, Serialize};

/// The one reason an SSO sign-in failed, from a fixed list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SsoReason {
    /// The signature does not verify (changed after signing, or signed by another key).
    SignatureInvalid,
    /// Signed by a certificate that is neither the current nor the next one.
    UnknownCertificate,
    /// Neither the response nor its assertion is signed.
    Unsigned,
    Audience,
    Destination,
    Recipient,
    Issuer,
    Expired,
    NotYetValid,
    Replayed,
    /// Answers a request this browser did not start (another browser, too old, or already answered).
    NotThisBrowser,
    /// Sent unasked while sign-in started at the identity provider is off.
    IdpInitiatedOff,
    RelayState,
    /// The identity provider answered with an error status instead of a sign-in.
    IdpError,
    NoAccount,
    Deactivated,
    Guest,
    /// Not base64, not XML, not a SAML Response.
    Malformed,
    /// Nothing was posted.
    Empty,
    /// Refused by the SAML library for a reason not listed above (its message says which).
    Other,
    /// Gatehouse failed (the server log has the reference).
    Internal,
}

impl SsoReason {
    pub const ALL: [SsoReason; 21] = [
        SsoReason::SignatureInvalid,
        SsoReason::UnknownCertificate,
        SsoReason::Unsigned,
        SsoReason::Audience,
        SsoReason::Destination,
        SsoReason::Recipient,
        SsoReason::Issuer,
        SsoReason::Expired,
        SsoReason::NotYetValid,
        SsoReason::Replayed,
        SsoReason::NotThisBrowser,
        SsoReason::IdpInitiatedOff,
        SsoReason::RelayState,
        SsoReason::IdpError,
        SsoReason::NoAccount,
        SsoReason::Deactivated,
        SsoReason::Guest,
        SsoReason::Malformed,
        SsoReason::Empty,
        SsoReason::Other,
        SsoReason::Internal,
    ];

    pub fn key(self) -> &'static str {
        match self {
            SsoReason::SignatureInvalid => "signature_invalid",
            SsoReason::UnknownCertificate => "unknown_certificate",
            SsoReason::Unsigned => "unsigned",
            SsoReason::Audience => "audience",
            SsoReason::Destination => "destination",
            SsoReason::Recipient => "recipient",
            SsoReason::Issuer => "issuer",
            SsoReason::Expired => "expired",
            SsoReason::NotYetValid => "not_yet_valid",
            SsoReason::Replayed => "replayed",
            SsoReason::NotThisBrowser => "not_this_browser",
            SsoReason::IdpInitiatedOff => "idp_initiated_off",
            SsoReason::RelayState => "relay_state",
            SsoReason::IdpError => "idp_error",
            SsoReason::NoAccount => "no_account",
            SsoReason::Deactivated => "deactivated",
            SsoReason::Guest => "guest",
            SsoReason::Malformed => "malformed",
            SsoReason::Empty => "empty",
            SsoReason::Other => "other",
            SsoReason::Internal => "internal",
        }
    }

    pub fn parse(key: &str) -> Option<SsoReason> {
        SsoReason::ALL.into_iter().find(|r| r.key() == key)
    }

    /// The reason in a few words, as the activity's table shows it.
    pub fn label(self) -> &'static str {
        match self {
            SsoReason::SignatureInvalid => "Signature does not verify",
            SsoReason::UnknownCertificate => "Signed by another certificate",
            SsoReason::Unsigned => "Response not signed",
            SsoReason::Audience => "Wrong audience",
            SsoReason::Destination => "Wrong destination",
            SsoReason::Recipient => "Wrong recipient",
            SsoReason::Issuer => "Wrong issuer",
            SsoReason::Expired => "Expired",
            SsoReason::NotYetValid => "Not yet valid",
            SsoReason::Replayed => "Replayed",
            SsoReason::NotThisBrowser => "Not started in this browser",
            SsoReason::IdpInitiatedOff => "Sign-in started at the identity provider is off",
            SsoReason::RelayState => "RelayState changed",
            SsoReason::IdpError => "Identity provider refused",
            SsoReason::NoAccount => "No such person",
            SsoReason::Deactivated => "Deactivated",
            SsoReason::Guest => "A guest",
            SsoReason::Malformed => "Malformed response",
            SsoReason::Empty => "No response posted",
            SsoReason::Other => "Refused",
            SsoReason::Internal => "Gatehouse error",
        }
    }

    /// Where the fix is: the identity provider, Gatehouse, or nowhere (start again).
    pub fn side(self) -> Side {
        use SsoReason::*;
        match self {
            Audience | Destination | Recipient | Unsigned | IdpError | Malformed | Empty | RelayState => Side::IdentityProvider,
            UnknownCertificate | Issuer | IdpInitiatedOff | NoAccount | Deactivated => Side::Gatehouse,
            SignatureInvalid | Expired | NotYetValid => Side::Both,
            Replayed | NotThisBrowser | Guest | Other | Internal => Side::Neither,
        }
    }

    /// What to change, and where. `expected` and `received` are what the
    /// reason compares (the fingerprints, the URLs, the clock difference);
    /// `email` the person the response named.
    pub fn hint(self, expected: &str, received: &str, email: &str) -> String {
        let who = if email.is_empty() { "the person".to_string() } else { email.to_string() };
        match self {
            SsoReason::Audience => format!(
                "In your identity provider, set Audience URI (SP Entity ID) to {expected} (Okta: the app's SAML settings; Entra: Identifier (Entity ID))."
            ),
            SsoReason::Destination | SsoReason::Recipient => format!(
                "In your identity provider, set Single sign-on URL (Recipient and Destination) to {expected} (Okta: Single sign-on URL; Entra: Reply URL)."
            ),
            SsoReason::Issuer => format!(
                "In Gatehouse, Authentication > Edit: set Identity provider issuer to {} — or leave it empty to accept the issuer the signed response names.",
                if received.is_empty() { "the identity provider's entity ID" } else { received }
            ),
            SsoReason::UnknownCertificate => format!(
                "In Gatehouse, Authentication > Edit: paste the identity provider's signing certificate (SHA-256 {}) as the certificate, or as the next certificate while you rotate. Gatehouse expected {}.",
                if received.is_empty() { "shown in its SAML settings" } else { received },
                if expected.is_empty() { "no certificate" } else { expected }
            ),
            SsoReason::SignatureInvalid => "The response was changed after it was signed, or signed with a key other than the certificate's. In your identity provider, download the app's current signing certificate; in Gatehouse, Authentication > Edit, paste it.".to_string(),
            SsoReason::Unsigned => "In your identity provider, sign the assertion or the response (Okta: Assertion Signature: Signed; Entra: Signing Option: Sign SAML assertion).".to_string(),
            SsoReason::Expired | SsoReason::NotYetValid => format!(
                "The identity provider's clock and this server's differ by about {received} seconds (Gatehouse allows 120). Set both to keep time with NTP; if the browser took long to post the response, start again."
            ),
            SsoReason::Replayed => "A response that was used once was posted again (the Back button, or a replay). Nothing to change: start again from the Gatehouse sign-in page.".to_string(),
            SsoReason::NotThisBrowser => "The sign-in was started in another browser or window, more than 10 minutes ago, or was already finished. Nothing to change: start again from the Gatehouse sign-in page.".to_string(),
            SsoReason::IdpInitiatedOff => "In Gatehouse, Authentication > Edit: turn on “Allow sign-in started at the identity provider”, or start sign-in from the Gatehouse sign-in page.".to_string(),
            SsoReason::RelayState => "The identity provider sent back another RelayState than Gatehouse sent. In your identity provider, keep the RelayState of the request (a Default RelayState applies only to sign-in started there).".to_string(),
            SsoReason::IdpError => format!(
                "Your identity provider refused the sign-in ({}). Its own log says why (Okta: Reports > System Log; Entra: Sign-in logs); often the person is not assigned to the app.",
                if received.is_empty() { "no reason given" } else { received }
            ),
            SsoReason::NoAccount => format!(
                "In Gatehouse, Users: add {who}, or assign them to the app in your identity provider and let it provision them. Check Name ID is the email (Okta: Application username format: Email)."
            ),
            SsoReason::Deactivated => format!("In Gatehouse, Users (or in your identity provider, when it manages them): reactivate {who}."),
            SsoReason::Guest => format!("{who} is a guest: guests sign in with their email and password on the Gatehouse sign-in page. Nothing to change."),
            SsoReason::Malformed => format!(
                "What was posted is not a SAML 2.0 response. In your identity provider, check the app is SAML 2.0 and posts to {}.",
                if expected.is_empty() { "the ACS URL" } else { expected }
            ),
            SsoReason::Empty => format!(
                "Nothing was posted. In your identity provider, check the app posts its response (HTTP POST binding) to {}.",
                if expected.is_empty() { "the ACS URL" } else { expected }
            ),
            SsoReason::Other => "The SAML library refused the response for the reason below. Compare the decoded response with Authentication's settings.".to_string(),
            SsoReason::Internal => "Gatehouse could not finish. The server's log has this reference; if it keeps happening, tell whoever runs Gatehouse.".to_string(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Side {
    IdentityProvider,
    Gatehouse,
    Both,
    Neither,
}

impl Side {
    pub fn label(self) -> &'static str {
        match self {
            Side::IdentityProvider => "Fix in your identity provider",
            Side::Gatehouse => "Fix in Gatehouse",
            Side::Both => "Check both sides",
            Side::Neither => "Nothing to change",
        }
    }
}

/// A SAML response as the activity shows it, read from its XML (before or
/// beside verification: what it says, not what was proved).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DecodedResponse {
    pub issuer: String,
    pub destination: String,
    pub in_response_to: String,
    pub status: String,
    pub name_id: String,
    pub name_id_format: String,
    pub recipient: String,
    pub audiences: Vec<String>,
    pub not_before: String,
    pub not_on_or_after: String,
    pub attributes: Vec<(String, Vec<String>)>,
    /// SHA-256 of the certificate in the signature's KeyInfo, when it carries one.
    pub certificate_fingerprint: String,
    pub signed: bool,
}

/// One SSO sign-in attempt, as the activity's table lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SsoAttemptView {
    pub id: String,
    pub at: String,
    /// A failure that happened again (same kind, address and window): how often in all, and the latest time.
    pub repeat_count: i64,
    pub last_at: Option<String>,
    pub succeeded: bool,
    pub reason: Option<SsoReason>,
    /// The reason in words (or "Signed in").
    pub reason_label: String,
    pub side: Option<Side>,
    pub hint: String,
    /// The precise message (the SAML library's, or ours).
    pub message: String,
    pub expected: String,
    pub received: String,
    pub email: String,
    pub reference: String,
    pub ip: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SsoActivityPage {
    pub attempts: Vec<SsoAttemptView>,
    pub total: i64,
    pub page: u32,
    pub page_count: u32,
}

/// One attempt opened: the decoded response and its XML, pretty-printed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SsoAttemptDetail {
    pub attempt: SsoAttemptView,
    pub decoded: Option<DecodedResponse>,
    pub xml: String,
}

/// What a SCIM request did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ProvisioningOutcome {
    Created,
    Revived,
    Linked,
    Updated,
    Unchanged,
    Deactivated,
    Deleted,
    Read,
    Refused,
}

impl ProvisioningOutcome {
    pub const ALL: [ProvisioningOutcome; 9] = [
        ProvisioningOutcome::Created,
        ProvisioningOutcome::Revived,
        ProvisioningOutcome::Linked,
        ProvisioningOutcome::Updated,
        ProvisioningOutcome::Unchanged,
        ProvisioningOutcome::Deactivated,
        ProvisioningOutcome::Deleted,
        ProvisioningOutcome::Read,
        ProvisioningOutcome::Refused,
    ];

    pub fn key(self) -> &'static str {
        match self {
            ProvisioningOutcome::Created => "created",
            ProvisioningOutcome::Revived => "revived",
            ProvisioningOutcome::Linked => "linked",
            ProvisioningOutcome::Updated => "updated",
            ProvisioningOutcome::Unchanged => "unchanged",
            ProvisioningOutcome::Deactivated => "deactivated",
            ProvisioningOutcome::Deleted => "deleted",
            ProvisioningOutcome::Read => "read",
            ProvisioningOutcome::Refused => "refused",
        }
    }

    pub fn parse(key: &str) -> Option<ProvisioningOutcome> {
        ProvisioningOutcome::ALL.into_iter().find(|o| o.key() == key)
    }

    pub fn label(self) -> &'static str {
        match self {
            ProvisioningOutcome::Created => "Created",
            ProvisioningOutcome::Revived => "Provisioned again",
            ProvisioningOutcome::Linked => "Linked",
            ProvisioningOutcome::Updated => "Updated",
            ProvisioningOutcome::Unchanged => "Nothing to change",
            ProvisioningOutcome::Deactivated => "Deactivated",
            ProvisioningOutcome::Deleted => "Deleted",
            ProvisioningOutcome::Read => "Read",
            ProvisioningOutcome::Refused => "Refused",
        }
    }
}

/// One thing a request changed: before and after, in words ("" for none).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub before: String,
    pub after: String,
}

impl FieldChange {
    pub fn new(field: &str, before: impl Into<String>, after: impl Into<String>) -> FieldChange {
        FieldChange { field: field.to_string(), before: before.into(), after: after.into() }
    }
}

/// The most people a membership change names; the rest are counted.
pub const MAX_NAMED_MEMBERS: usize = 20;

/// "a@x, b@y and 648 more": a list of people, shortened.
pub fn people_list(people: &[String]) -> String {
    if people.len() <= MAX_NAMED_MEMBERS {
        return people.join(", ");
    }
    format!("{} and {} more", people[..MAX_NAMED_MEMBERS].join(", "), people.len() - MAX_NAMED_MEMBERS)
}

/// One SCIM request, as the activity lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProvisioningEntryView {
    pub id: String,
    pub at: String,
    pub request_id: String,
    pub token_name: String,
    pub method: String,
    pub path: String,
    pub status: i64,
    pub latency_ms: f64,
    pub outcome: ProvisioningOutcome,
    /// "user" or "team" ("" when the request touched no one record).
    pub resource_kind: String,
    pub resource_id: String,
    pub resource_label: String,
    pub changes: Vec<FieldChange>,
    /// The SCIM error's type and message, for a refusal.
    pub error_type: String,
    pub message: String,
    /// The request body, redacted.
    pub request_body: String,
}

/// What the provisioning activity page asks for.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ProvisioningQuery {
    /// Matches the person's or team's name or email, or its id.
    pub search: String,
    /// An outcome's key, or "" for all.
    pub outcome: String,
    /// A token's name, or "" for all.
    pub token: String,
    /// "1h", "24h", "7d", "30d" or "" for all that is kept.
    pub since: String,
    /// Only this person's or team's requests.
    pub resource_id: String,
    pub page: u32,
    pub size: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProvisioningPage {
    pub entries: Vec<ProvisioningEntryView>,
    pub total: i64,
    pub page: u32,
    pub page_count: u32,
    /// The token names seen in the kept activity, for the filter.
    pub tokens: Vec<String>,
    pub retention_days: i64,
}

/// The shortest and longest an administrator may keep provisioning activity.
pub const MIN_PROVISIONING_DAYS: i64 = 1;
pub const MAX_PROVISIONING_DAYS: i64 = 365;
pub const DEFAULT_PROVISIONING_DAYS: i64 = 30;
/// The most provisioning requests kept per organization, whatever their age
/// (the oldest go at the next tidying).
pub const PROVISIONING_ACTIVITY_MAX: i64 = 100_000;

/// How long the SSO sign-in activity keeps attempts, and how many at most per organization.
pub const SSO_ACTIVITY_DAYS: i64 = 30;
pub const SSO_ACTIVITY_MAX: i64 = 1000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_round_trip_and_every_one_has_a_hint_naming_a_side() {
        for r in SsoReason::ALL {
            assert_eq!(SsoReason::parse(r.key()), Some(r));
            assert!(!r.hint("https://gh/acme/saml/metadata", "x", "pat@acme.example").is_empty());
        }
        let h = SsoReason::Audience.hint("https://gh/acme/saml/metadata", "https://other", "");
        assert!(h.starts_with("In your identity provider") && h.contains("Audience URI (SP Entity ID) to https://gh/acme/saml/metadata"), "{h}");
        assert_eq!(SsoReason::Audience.side(), Side::IdentityProvider);
        assert!(SsoReason::UnknownCertificate.hint("AA:BB", "CC:DD", "").contains("Gatehouse expected AA:BB"));
        for o in ProvisioningOutcome::ALL {
            assert_eq!(ProvisioningOutcome::parse(o.key()), Some(o));
        }
    }

    #[test]
    fn long_member_lists_are_shortened() {
        let people: Vec<String> = (0..25).map(|i| format!("p{i}@x")).collect();
        let s = people_list(&people);
        assert!(s.ends_with("p19@x and 5 more"), "{s}");
        assert_eq!(people_list(&people[..2]), "p0@x, p1@x");
    }
}
