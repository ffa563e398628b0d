//! OpenID Connect with the provider an organization configured: its
//! discovery document and signing keys (cached; an ID token signed with a key
//! not yet seen fetches the keys again, so the provider can rotate them
//! without a restart), the authorization request (code flow, PKCE S256,
//! `state`, `nonce`), the code exchange and the ID token's verification. The
//! `openidconnect` crate does the protocol and every cryptographic check;
//! nothing here reads a token before it has verified it.
use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreClientAuthMethod, CoreErrorResponseType, CoreGenderClaim, CoreJsonWebKey, CoreJsonWebKeySet, CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm, CoreProviderMetadata, CoreRevocableToken, CoreRevocationErrorResponse, CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AdditionalClaims, AuthType, AuthorizationCode, Client, ClientId, ClientSecret, CsrfToken, EmptyExtraTokenFields, EndpointMaybeSet, EndpointNotSet, EndpointSet, IdToken, IdTokenClaims,
    IdTokenFields, IdTokenVerifier, IssuerUrl, JsonWebKeySet, JwsSigningAlgorithm, LoginHint, Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RequestTokenError, Scope, StandardErrorResponse,
    StandardTokenResponse, TokenResponse,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a provider's discovery document is kept before it is read again.
const METADATA_TTL: Duration = Duration::from_secs(3600);
/// Keys are fetched again for an unknown key id at most this often per
/// provider (tokens naming keys that do not exist cannot make Gatehouse
/// fetch them on every sign-in); the first unknown key always fetches them.
const KEYS_MIN_INTERVAL: Duration = Duration::from_secs(10);
/// Clock difference tolerated between the provider and us.
pub const CLOCK_SKEW: Duration = Duration::from_secs(120);
/// An ID token issued longer ago than this is refused (it answers a sign-in
/// that started at most `REQUEST_LIFETIME` ago).
const MAX_TOKEN_AGE: Duration = Duration::from_secs(600);
/// How long Gatehouse waits for the provider.
const HTTP_TIMEOUT: Duration = Duration::from_secs(10);

/// The claims of an ID token beyond the standard ones (an email may be in one).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct OtherClaims {
    #[serde(flatten)]
    all: HashMap<String, serde_json::Value>,
}
impl AdditionalClaims for OtherClaims {}

type Claims = IdTokenClaims<OtherClaims, CoreGenderClaim>;
type Fields = IdTokenFields<OtherClaims, EmptyExtraTokenFields, CoreGenderClaim, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm>;
type Tokens = StandardTokenResponse<Fields, CoreTokenType>;
type OidcIdToken = IdToken<OtherClaims, CoreGenderClaim, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm>;
type OidcClient = Client<
    OtherClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    Tokens,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// What went wrong talking to the provider, or with what it sent. Each says
/// what happened; the door says what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The provider did not answer (or not over HTTP).
    Unreachable(String),
    /// What it answered at the discovery address is not a discovery document.
    Discovery(String),
    /// Its discovery document names another issuer than the one configured.
    IssuerMismatch { expected: String, found: String },
    /// The token endpoint refused the code or the client (`error`, `error_description`).
    TokenRefused { error: String, description: String },
    /// The token endpoint answered without an ID token.
    NoIdToken,
    /// The ID token failed a check: which one, and the crate's words.
    Token { check: TokenCheck, detail: String },
    /// The ID token holds no email in the configured claim.
    NoEmail(String),
    /// The provider does not say the email is verified.
    EmailNotVerified(String),
}

/// Which check of the ID token failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenCheck {
    Signature,
    /// Signed with a key the provider's key set (as last read) does not have.
    UnknownKey,
    Issuer,
    Audience,
    Expired,
    Nonce,
    Other,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::Unreachable(e) => write!(f, "the provider could not be reached: {e}"),
            Problem::Discovery(e) => write!(f, "the discovery document could not be read: {e}"),
            Problem::IssuerMismatch { expected, found } => write!(f, "issuer mismatch: expected {expected}, the provider says {found}"),
            Problem::TokenRefused { error, description } => {
                write!(f, "the token endpoint refused: {error} ({description})")
            }
            Problem::NoIdToken => f.write_str("the token endpoint sent no ID token"),
            Problem::Token { check, detail } => write!(f, "ID token refused ({check:?}): {detail}"),
            Problem::NoEmail(claim) => write!(f, "the ID token has no email in the claim {claim}"),
            Problem::EmailNotVerified(email) => write!(f, "the provider does not say {email} is verified (email_verified)"),
        }
    }
}

/// A provider as its discovery document describes it, with its keys.
#[derive(Clone)]
pub struct Provider {
    metadata: CoreProviderMetadata,
    fetched: Instant,
    /// When an unknown key id last made the keys be fetched again.
    keys_refetched: Option<Instant>,
}

impl Provider {
    pub fn issuer(&self) -> &str {
        self.metadata.issuer().as_str()
    }
}

/// The providers this instance has read, by issuer, and the HTTP client that
/// reads them (no redirects followed: what answers at the configured address
/// is what is trusted).
pub struct Providers {
    http: openidconnect::reqwest::Client,
    cache: Mutex<HashMap<String, Provider>>,
}

impl std::fmt::Debug for Providers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Providers(…)")
    }
}

impl Default for Providers {
    fn default() -> Self {
        Providers::new()
    }
}

/// The issuer an admin typed: the issuer itself or its discovery URL, without
/// a trailing slash the provider's issuer does not have.
pub fn issuer_of(input: &str) -> String {
    let s = input.trim();
    let s = s.strip_suffix("/.well-known/openid-configuration").unwrap_or(s);
    s.to_string()
}

fn unreachable(e: impl std::fmt::Display) -> Problem {
    Problem::Unreachable(e.to_string())
}

impl Providers {
    pub fn new() -> Providers {
        let http = openidconnect::reqwest::Client::builder().redirect(openidconnect::reqwest::redirect::Policy::none()).timeout(HTTP_TIMEOUT).build().expect("an HTTP client");
        Providers { http, cache: Mutex::new(HashMap::new()) }
    }

    /// The provider at `issuer`, read now (its discovery document, whose issuer
    /// must be `issuer` exactly, and its keys), and kept.
    pub async fn discover_now(&self, issuer: &str) -> Result<Provider, Problem> {
        let url = IssuerUrl::new(issuer.to_string()).map_err(|e| Problem::Discovery(format!("{issuer} is not a URL: {e}")))?;
        let metadata = CoreProviderMetadata::discover_async(url, &self.http).await.map_err(|e| {
            use openidconnect::DiscoveryError;
            match e {
                DiscoveryError::Request(e) => unreachable(error_chain(&e)),
                DiscoveryError::Validation(v) if v.starts_with("unexpected issuer") => {
                    let found = v.split('`').nth(1).unwrap_or_default().to_string();
                    Problem::IssuerMismatch { expected: issuer.to_string(), found }
                }
                DiscoveryError::Response(status, _, what) => Problem::Discovery(format!("{what} (HTTP {status})")),
                other => Problem::Discovery(error_chain(&other)),
            }
        })?;
        let provider = Provider { metadata, fetched: Instant::now(), keys_refetched: None };
        self.cache.lock().expect("cache").insert(issuer.to_string(), provider.clone());
        Ok(provider)
    }

    /// The provider at `issuer`, from the cache while it is fresh.
    pub async fn discover(&self, issuer: &str) -> Result<Provider, Problem> {
        let cached = self.cache.lock().expect("cache").get(issuer).filter(|p| p.fetched.elapsed() < METADATA_TTL).cloned();
        match cached {
            Some(p) => Ok(p),
            None => self.discover_now(issuer).await,
        }
    }

    /// The provider's keys fetched again (a token named a key not among them),
    /// unless they were fetched a moment ago. Returns the provider as kept.
    async fn refresh_keys(&self, mut provider: Provider) -> Result<Provider, Problem> {
        if provider.keys_refetched.is_some_and(|t| t.elapsed() < KEYS_MIN_INTERVAL) {
            return Ok(provider);
        }
        let keys: CoreJsonWebKeySet = JsonWebKeySet::fetch_async(provider.metadata.jwks_uri(), &self.http).await.map_err(|e| unreachable(error_chain(&e)))?;
        provider.metadata = provider.metadata.set_jwks(keys);
        provider.keys_refetched = Some(Instant::now());
        self.cache.lock().expect("cache").insert(provider.issuer().to_string(), provider.clone());
        Ok(provider)
    }

    /// Exchanges `code` (once: the provider refuses a second use) with the PKCE
    /// verifier, and verifies the ID token it answers with: signature from the
    /// provider's keys with an algorithm its metadata lists (never `none`, never
    /// the client secret as an HMAC key), `iss`, `aud`, `azp`, `exp` and `iat`
    /// within `CLOCK_SKEW`, `nonce`. Returns the email and the subject.
    pub async fn finish(&self, provider: Provider, client: &ClientSettings<'_>, code: &str, pkce_verifier: &str, nonce: &str) -> Result<Identity, Problem> {
        let oidc = client.client(&provider)?;
        let request = oidc
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(|e| Problem::Discovery(format!("the provider names no token endpoint: {e}")))?
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier.to_string()));
        let tokens = request.request_async(&self.http).await.map_err(|e| match e {
            RequestTokenError::ServerResponse(r) => Problem::TokenRefused { error: r.error().as_ref().to_string(), description: r.error_description().cloned().unwrap_or_default() },
            RequestTokenError::Request(e) => unreachable(error_chain(&e)),
            RequestTokenError::Parse(e, _) => Problem::TokenRefused { error: "unreadable answer".into(), description: e.to_string() },
            RequestTokenError::Other(e) => Problem::TokenRefused { error: "unexpected answer".into(), description: e },
        })?;
        let id_token = tokens.id_token().ok_or(Problem::NoIdToken)?.clone();
        let nonce = Nonce::new(nonce.to_string());
        let claims = match verify(&provider, client.client_id, &id_token, &nonce) {
            Err(Problem::Token { check: TokenCheck::UnknownKey, .. }) => {
                // The provider may have rotated its keys since they were read.
                let provider = self.refresh_keys(provider).await?;
                verify(&provider, client.client_id, &id_token, &nonce)?
            }
            other => other?,
        };
        identity(&claims, client.email_claim)
    }
}

/// What a sign-in needs of the organization's settings.
pub struct ClientSettings<'a> {
    pub client_id: &'a str,
    /// Opened from its sealed form by the caller.
    pub client_secret: Option<String>,
    pub redirect_uri: &'a str,
    pub scopes: &'a str,
    pub email_claim: &'a str,
}

impl ClientSettings<'_> {
    fn client(&self, provider: &Provider) -> Result<OidcClient, Problem> {
        let redirect = RedirectUrl::new(self.redirect_uri.to_string()).map_err(|e| Problem::Discovery(e.to_string()))?;
        let client =
            OidcClient::from_provider_metadata(provider.metadata.clone(), ClientId::new(self.client_id.to_string()), self.client_secret.clone().map(ClientSecret::new)).set_redirect_uri(redirect);
        // client_secret_basic unless the provider says it only takes the secret in the body.
        let methods = provider.metadata.token_endpoint_auth_methods_supported();
        let post_only = methods.is_some_and(|m| m.contains(&CoreClientAuthMethod::ClientSecretPost) && !m.contains(&CoreClientAuthMethod::ClientSecretBasic));
        Ok(if post_only { client.set_auth_type(AuthType::RequestBody) } else { client })
    }

    /// The address to send the browser to, with what the answer is checked
    /// against later (kept in the browser's sealed cookie).
    pub fn authorization_request(&self, provider: &Provider, login_hint: Option<&str>) -> Result<Started, Problem> {
        let client = self.client(provider)?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client.authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random).set_pkce_challenge(challenge);
        for scope in self.scopes.split_whitespace().filter(|s| *s != "openid") {
            request = request.add_scope(Scope::new(scope.to_string()));
        }
        if let Some(hint) = login_hint.filter(|h| !h.is_empty() && h.len() <= 320) {
            request = request.set_login_hint(LoginHint::new(hint.to_string()));
        }
        let (url, state, nonce) = request.url();
        Ok(Started { url: url.to_string(), state: state.secret().clone(), nonce: nonce.secret().clone(), pkce_verifier: verifier.secret().clone() })
    }
}

/// An authorization request: where to send the browser, and its secrets.
pub struct Started {
    pub url: String,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

/// Who the provider signed in, from a verified ID token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub email: String,
    pub subject: String,
}

fn verify(provider: &Provider, client_id: &str, id_token: &OidcIdToken, nonce: &Nonce) -> Result<Claims, Problem> {
    // Only what the provider says it signs with, and never a shared secret or none.
    let algs: Vec<CoreJwsSigningAlgorithm> =
        provider.metadata.id_token_signing_alg_values_supported().iter().filter(|a| !a.uses_shared_secret() && **a != CoreJwsSigningAlgorithm::None).cloned().collect();
    let skew = chrono::Duration::from_std(CLOCK_SKEW).expect("a short duration");
    let max_age = chrono::Duration::from_std(MAX_TOKEN_AGE).expect("a short duration");
    let verifier: IdTokenVerifier<'_, CoreJsonWebKey> = IdTokenVerifier::new_public_client(ClientId::new(client_id.to_string()), provider.metadata.issuer().clone(), provider.metadata.jwks().clone())
        .set_allowed_algs(algs)
        // `exp` may have passed by the skew.
        .set_time_fn(move || chrono::Utc::now() - skew)
        .set_issue_time_verifier_fn(move |iat| {
            let now = chrono::Utc::now();
            if iat > now + skew {
                Err(format!("issued in the future ({iat})"))
            } else if iat < now - max_age - skew {
                Err(format!("issued too long ago ({iat})"))
            } else {
                Ok(())
            }
        });
    let claims = id_token.clone().into_claims(&verifier, nonce).map_err(token_problem)?;
    // azp: when present it names this client; several audiences need it.
    match claims.authorized_party() {
        Some(azp) if azp.as_str() != client_id => return Err(Problem::Token { check: TokenCheck::Audience, detail: format!("azp is {}, not this client", azp.as_str()) }),
        None if claims.audiences().len() > 1 => return Err(Problem::Token { check: TokenCheck::Audience, detail: "several audiences and no azp".into() }),
        _ => {}
    }
    Ok(claims)
}

fn token_problem(e: openidconnect::ClaimsVerificationError) -> Problem {
    use openidconnect::ClaimsVerificationError as E;
    let check = match &e {
        E::SignatureVerification(openidconnect::SignatureVerificationError::NoMatchingKey) => TokenCheck::UnknownKey,
        E::SignatureVerification(_) => TokenCheck::Signature,
        E::InvalidIssuer(_) => TokenCheck::Issuer,
        E::InvalidAudience(_) => TokenCheck::Audience,
        E::Expired(_) => TokenCheck::Expired,
        E::InvalidNonce(_) => TokenCheck::Nonce,
        _ => TokenCheck::Other,
    };
    Problem::Token { check, detail: error_chain(&e) }
}

/// The email (from the configured claim) of verified claims. With the
/// standard `email` claim, the provider must also say it verified it.
fn identity(claims: &Claims, email_claim: &str) -> Result<Identity, Problem> {
    let subject = claims.subject().as_str().to_string();
    let email = match email_claim {
        "email" => claims.email().map(|e| e.as_str().to_string()),
        "preferred_username" => claims.preferred_username().map(|u| u.as_str().to_string()),
        other => claims.additional_claims().all.get(other).and_then(|v| v.as_str()).map(str::to_string),
    }
    .map(|e| e.trim().to_string())
    .filter(|e| !e.is_empty())
    .ok_or_else(|| Problem::NoEmail(email_claim.to_string()))?;
    if email_claim == "email" && claims.email_verified() != Some(true) {
        return Err(Problem::EmailNotVerified(email));
    }
    Ok(Identity { email, subject })
}

/// An error with its causes, as one line.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        s.push_str(": ");
        s.push_str(&cause.to_string());
        source = cause.source();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issuers_are_taken_from_a_discovery_url_too() {
        assert_eq!(issuer_of(" https://idp.example.com/oauth2/default/.well-known/openid-configuration "), "https://idp.example.com/oauth2/default");
        assert_eq!(issuer_of("https://login.microsoftonline.com/t/v2.0"), "https://login.microsoftonline.com/t/v2.0");
    }
}
