//! A test identity provider: SAML Responses signed while the test runs, with
//! a throwaway RSA key made by openssl (fixtures/saml/) and saml-rs's signer.
use super::TestApp;
use base64::Engine as _;
use std::time::{Duration, SystemTime};

pub const IDP_KEY: &str = include_str!("../fixtures/saml/idp-key.pem");
pub const IDP_CERT: &str = include_str!("../fixtures/saml/idp-cert.pem");
pub const OTHER_KEY: &str = include_str!("../fixtures/saml/other-key.pem");
pub const OTHER_CERT: &str = include_str!("../fixtures/saml/other-cert.pem");
pub const IDP_ENTITY: &str = "https://idp.example.com/metadata";
pub const IDP_SSO: &str = "https://idp.example.com/sso";
pub const RSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
pub const CAROL: &str = "carol@acme.example";

pub fn ts(t: SystemTime) -> String {
    time::OffsetDateTime::from(t).format(&time::format_description::well_known::Rfc3339).unwrap()
}

/// A unique id suffix for response and assertion ids.
pub fn nonce() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let t = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap().as_nanos();
    format!("{t:x}{}", N.fetch_add(1, Ordering::Relaxed))
}

/// A SAML Response with everything a test may want to vary.
#[derive(Clone)]
pub struct Resp {
    pub response_id: String,
    pub assertion_id: String,
    pub in_response_to: Option<String>,
    pub issuer: String,
    pub destination: String,
    pub recipient: String,
    pub audience: String,
    pub name_id: String,
    pub not_before: SystemTime,
    pub not_on_or_after: SystemTime,
}

impl Resp {
    pub fn valid(app: &TestApp, in_response_to: Option<&str>) -> Self {
        Self::for_base(&app.base, in_response_to)
    }

    /// A valid response for the Gatehouse at `base` (its ACS URL and entity ID).
    pub fn for_base(base: &str, in_response_to: Option<&str>) -> Self {
        let now = SystemTime::now();
        Resp {
            response_id: format!("_r{}", nonce()),
            assertion_id: format!("_a{}", nonce()),
            in_response_to: in_response_to.map(str::to_string),
            issuer: IDP_ENTITY.into(),
            destination: acs_for(base),
            recipient: acs_for(base),
            audience: entity_for(base),
            name_id: CAROL.into(),
            not_before: now - Duration::from_secs(5),
            not_on_or_after: now + Duration::from_secs(300),
        }
    }

    pub fn irt(&self) -> String {
        self.in_response_to.as_ref().map(|v| format!(r#" InResponseTo="{v}""#)).unwrap_or_default()
    }

    pub fn assertion(&self) -> String {
        format!(
            concat!(
                r#"<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="{aid}" Version="2.0" IssueInstant="{ii}">"#,
                r#"<saml:Issuer>{iss}</saml:Issuer>"#,
                r#"<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">{nid}</saml:NameID>"#,
                r#"<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">"#,
                r#"<saml:SubjectConfirmationData{irt} NotOnOrAfter="{noa}" Recipient="{rcp}"/></saml:SubjectConfirmation></saml:Subject>"#,
                r#"<saml:Conditions NotBefore="{nb}" NotOnOrAfter="{noa}"><saml:AudienceRestriction><saml:Audience>{aud}</saml:Audience></saml:AudienceRestriction></saml:Conditions>"#,
                r#"<saml:AuthnStatement AuthnInstant="{ii}" SessionIndex="{aid}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>"#,
                r#"</saml:Assertion>"#
            ),
            aid = self.assertion_id,
            ii = ts(SystemTime::now()),
            iss = self.issuer,
            nid = self.name_id,
            irt = self.irt(),
            noa = ts(self.not_on_or_after),
            rcp = self.recipient,
            nb = ts(self.not_before),
            aud = self.audience,
        )
    }

    pub fn response_with(&self, assertion: &str) -> String {
        format!(
            concat!(
                r#"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="{rid}" Version="2.0" IssueInstant="{ii}" Destination="{dst}"{irt}>"#,
                r#"<saml:Issuer>{iss}</saml:Issuer>"#,
                r#"<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>"#,
                "{assertion}",
                r#"</samlp:Response>"#
            ),
            rid = self.response_id,
            ii = ts(SystemTime::now()),
            dst = self.destination,
            irt = self.irt(),
            iss = self.issuer,
            assertion = assertion,
        )
    }

    /// Signed as most IdPs do: the assertion.
    pub fn signed(&self) -> String {
        self.response_with(&sign(&self.assertion(), IDP_KEY, IDP_CERT, false))
    }
}

pub fn sign(xml: &str, key_pem: &str, cert_pem: &str, root: bool) -> String {
    let key = saml_rs::crypto::keys::load_private_key(key_pem, None).expect("key");
    saml_rs::crypto::construct_saml_signature(xml, root, &key, cert_pem, RSA_SHA256, &[], None).expect("sign")
}

pub fn b64(xml: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(xml.as_bytes())
}

pub fn acs(app: &TestApp) -> String {
    acs_for(&app.base)
}

pub fn acs_for(base: &str) -> String {
    format!("{base}/acme/finish-login")
}

pub fn entity(app: &TestApp) -> String {
    entity_for(&app.base)
}

pub fn entity_for(base: &str) -> String {
    format!("{base}/acme/saml/metadata")
}

/// Posts a response to the ACS the way a browser does: first the identity
/// provider's cross-site form post (no cookie reaches Gatehouse with it),
/// then what the page Gatehouse answers asks for — the response posted again
/// from Gatehouse's own page, with `cookie` (the request cookie of a
/// sign-in this browser started), or, for a response sent unasked, the
/// person's click on "Continue as …". Returns the last answer.
pub async fn post_as_browser(app: &TestApp, saml_response: &str, relay_state: Option<&str>, cookie: Option<&str>) -> reqwest::Response {
    let mut form = vec![("SAMLResponse", saml_response.to_string())];
    if let Some(r) = relay_state {
        form.push(("RelayState", r.to_string()));
    }
    let res = app.http.post(acs(app)).header("origin", "https://idp.example.com").header("sec-fetch-site", "cross-site").form(&form).send().await.unwrap();
    if res.status() != reqwest::StatusCode::OK {
        return res;
    }
    let page = res.text().await.unwrap();
    assert!(page.contains(&format!(r#"name="SAMLResponse" value="{saml_response}""#)), "the page posts the same response again");
    if page.contains(r#"id="sso-continue""#) {
        form.push(("resubmitted", "1".into()));
    } else {
        assert!(page.contains(r#"data-testid="sso-confirm""#), "a page that reposts the response or asks to continue: {}", &page[..page.len().min(400)]);
        assert!(!page.contains("<script"), "continuing takes the person's click, never a script");
        form.push(("confirmed", "1".into()));
    }
    let mut again = app.http.post(acs(app)).header("origin", &app.base).header("sec-fetch-site", "same-origin").form(&form);
    if let Some(c) = cookie {
        again = again.header("cookie", format!("gatehouse_sso={c}"));
    }
    again.send().await.unwrap()
}

/// A sign-in started here (`GET /acme/sso?next=…`): the AuthnRequest's id,
/// the RelayState it carries, and the cookie that binds it to this browser.
pub struct Started {
    pub id: String,
    pub relay: String,
    pub cookie: String,
}

/// Starts a sign-in as a browser does, and reads the AuthnRequest it leads to
/// (checked: to the identity provider's login URL, for this ACS and entity).
pub async fn start_sign_in(app: &TestApp, next: &str) -> Started {
    start_at(app, &super::Session::default(), &format!("/acme/sso?next={next}")).await
}

/// The same, from `path` (`/acme/sso?…`) in the browser of `session`.
pub async fn start_at(app: &TestApp, session: &super::Session, path: &str) -> Started {
    use std::io::Read;
    let res = app.get(session, path).await;
    assert_eq!(res.status(), reqwest::StatusCode::SEE_OTHER);
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("gatehouse_sso="))
        .map(|v| v.split(';').next().unwrap().to_string())
        .expect("the request cookie");
    let location = res.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(&location[..IDP_SSO.len()], IDP_SSO);
    let url = url::Url::parse(&location).unwrap();
    let q: std::collections::HashMap<String, String> = url.query_pairs().into_owned().collect();
    let deflated = base64::engine::general_purpose::STANDARD.decode(&q["SAMLRequest"]).unwrap();
    let mut xml = String::new();
    flate2::read::DeflateDecoder::new(&deflated[..]).read_to_string(&mut xml).unwrap();
    assert!(xml.contains(&format!(r#"AssertionConsumerServiceURL="{}""#, acs(app))), "{xml}");
    assert!(xml.contains(&entity(app)), "{xml}");
    let id = xml.split(r#" ID=""#).nth(1).unwrap().split('"').next().unwrap().to_string();
    Started { id, relay: q.get("RelayState").cloned().unwrap_or_default(), cookie }
}

/// The admin, signed in through SSO from the identity provider's tile (the
/// way an admin shows SSO works before choosing SAML only).
pub async fn sso_admin_session(app: &TestApp) -> super::Session {
    let mut r = Resp::valid(app, None);
    r.name_id = super::ADMIN_EMAIL.into();
    let res = post_as_browser(app, &b64(&r.signed()), None, None).await;
    assert_eq!(res.status(), reqwest::StatusCode::SEE_OTHER);
    let mut s = super::Session::default();
    s.absorb(&res);
    s
}
