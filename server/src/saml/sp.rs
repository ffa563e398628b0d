//! Gatehouse as a SAML service provider, on the saml-rs crate: AuthnRequests,
//! response verification, metadata. The crate checks the XML signature
//! against the configured certificate only (never a key from the message),
//! guards against signature wrapping, and checks audience, destination,
//! recipient, validity window and InResponseTo. Replays are ours: the crate
//! reports the ids to remember and the caller stores them in the database.
use app::service::sso::SpUrls;
use saml_rs::constants::Binding;
use saml_rs::metadata::generate::{try_generate_idp_metadata, Endpoint, IdpMetadataConfig};
use saml_rs::{
    AcsEndpoint, AudienceValidationPolicy, AuthnRequest, BrowserInput, ClockSkew, EntityId, FormField, IdpDescriptor, MetadataTrustPolicy, Pending, PendingSnapshot, RelayStateParam, ReplayCache,
    ReplayKey, ReplayPolicy, Saml, SamlError, SamlValidationContext, Sp, SpConfig, SpValidationPolicy, SsoResponse, StartSso, XmlSignatureProfile,
};
use std::time::SystemTime;

/// Clock difference tolerated between the identity provider and us.
pub const CLOCK_SKEW_MS: i64 = 120_000;
/// The longest RelayState the SAML bindings allow.
pub const MAX_RELAY_STATE: usize = 80;

/// The identity provider as the Authentication page configured it.
pub struct IdpSettings<'a> {
    pub entity_id: &'a str,
    pub login_url: &'a str,
    /// The certificates a response may be signed with: the current one, and
    /// the next one while the identity provider rotates its key.
    pub certificates: Vec<String>,
}

pub struct ServiceProvider {
    sp: Saml<Sp>,
    idp: IdpDescriptor,
    acs_url: String,
    idp_entity_id: String,
}

/// A verified response: who signed in, and the ids that must not be used again.
pub struct Verified {
    pub name_id: String,
    pub used: Vec<(String, SystemTime)>,
}

/// Collects the ids the crate asks us to remember; the caller stores them in
/// the database, where a second use fails on every instance.
#[derive(Default)]
struct Collect(Vec<(String, SystemTime)>);

impl ReplayCache for Collect {
    fn check_and_store(&mut self, key: ReplayKey, expires_at: SystemTime) -> Result<(), SamlError> {
        self.0.push((key.cache_key(), expires_at));
        Ok(())
    }
}

/// The SP's metadata needs no identity provider.
pub fn metadata_xml(urls: &SpUrls) -> Result<String, SamlError> {
    Ok(sp(urls)?.metadata_xml().to_string())
}

fn sp(urls: &SpUrls) -> Result<Saml<Sp>, SamlError> {
    let policy = SpValidationPolicy {
        // An AudienceRestriction is required, and must name us.
        audience: AudienceValidationPolicy::Validate,
        // RSA-SHA256 or stronger, exclusive c14n, one same-document reference.
        xml_signatures: XmlSignatureProfile::StrictRsaSha2,
        ..SpValidationPolicy::recommended()
    };
    // The builder starts from a deprecated policy that signs requests; ours is set explicitly.
    let config = SpConfig::builder(EntityId::try_new(urls.entity_id.clone())?).acs_endpoint(AcsEndpoint::post(urls.acs_url.clone())?).validation(policy).build()?;
    Saml::sp(config)
}

impl ServiceProvider {
    pub fn new(urls: &SpUrls, idp: &IdpSettings) -> Result<Self, SamlError> {
        // The crate trusts an IdP through metadata; ours is generated from the
        // configured certificates, so they are the only trusted keys (the crate
        // tries each: a rotation's next certificate verifies beside the current).
        let idp_xml = try_generate_idp_metadata(&IdpMetadataConfig {
            entity_id: idp.entity_id.to_string(),
            signing_certs: idp.certificates.clone(),
            want_authn_requests_signed: false,
            single_sign_on_service: vec![Endpoint::new(Binding::Redirect, idp.login_url.to_string()), Endpoint::new(Binding::Post, idp.login_url.to_string())],
            ..Default::default()
        })?;
        let descriptor = IdpDescriptor::from_metadata_xml_for(EntityId::try_new(idp.entity_id.to_string())?, &idp_xml, MetadataTrustPolicy::UnsignedForCompatibility)?;
        Ok(ServiceProvider { sp: sp(urls)?, idp: descriptor, acs_url: urls.acs_url.clone(), idp_entity_id: idp.entity_id.to_string() })
    }

    /// An AuthnRequest over HTTP-Redirect: the URL to send the browser to and the request id.
    pub fn start(&self, relay_state: &str) -> Result<(String, String), SamlError> {
        let rs = RelayStateParam::try_from_option(Some(relay_state.to_string()))?;
        let started = self.sp.start_sso(&self.idp, StartSso::redirect().relay_state(rs))?;
        Ok((started.outbound.redirect_url()?.to_string(), started.pending.request_id().as_str().to_string()))
    }

    fn context<'a>(now: SystemTime, replay: &'a mut Collect) -> SamlValidationContext<'a> {
        // The first value widens NotBefore (so it is negative), the second NotOnOrAfter.
        SamlValidationContext::new(now, ReplayPolicy::RequireCache(replay)).with_clock_skew(ClockSkew::from_millis(-CLOCK_SKEW_MS, CLOCK_SKEW_MS))
    }

    fn fields(saml_response: &str, relay_state: Option<&str>) -> Vec<FormField> {
        let mut fields = vec![FormField::new("SAMLResponse", saml_response)];
        if let Some(rs) = relay_state {
            fields.push(FormField::new("RelayState", rs));
        }
        fields
    }

    /// Verifies the answer to the request `request_id` (SP-initiated).
    pub fn finish(&self, request_id: &str, stored_relay_state: &str, saml_response: &str, relay_state: Option<&str>, now: SystemTime) -> Result<Verified, SamlError> {
        let pending = Pending::<AuthnRequest>::from_snapshot(PendingSnapshot::authn_request(
            request_id,
            RelayStateParam::try_from_option(Some(stored_relay_state.to_string()))?,
            self.idp_entity_id.as_str(),
            "post",
            self.acs_url.as_str(),
            "post",
        ))?;
        let mut replay = Collect::default();
        let session = self.sp.finish_sso(&self.idp, &pending, BrowserInput::<SsoResponse>::post(Self::fields(saml_response, relay_state)), Self::context(now, &mut replay))?;
        Ok(Verified { name_id: session.name_id().value().to_string(), used: replay.0 })
    }

    /// Verifies a response nobody asked for (IdP-initiated): it must not carry InResponseTo.
    pub fn accept_unsolicited(&self, saml_response: &str, relay_state: Option<&str>, now: SystemTime) -> Result<Verified, SamlError> {
        let mut replay = Collect::default();
        let session = self.sp.accept_unsolicited_sso(&self.idp, BrowserInput::<SsoResponse>::post(Self::fields(saml_response, relay_state)), Self::context(now, &mut replay))?;
        Ok(Verified { name_id: session.name_id().value().to_string(), used: replay.0 })
    }
}

/// What a posted response says about itself before it is verified: which
/// request it answers and who issued it. Used only to find the stored request
/// and the expected issuer; the crate then checks both against the signed content.
#[derive(Debug, Default, PartialEq)]
pub struct Envelope {
    pub in_response_to: Option<String>,
    pub issuer: Option<String>,
}

pub fn peek(xml: &str) -> Result<Envelope, String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut env = Envelope::default();
    let mut root_seen = false;
    let mut in_issuer = false;
    loop {
        match reader.read_event().map_err(|e| format!("not well-formed XML: {e}"))? {
            Event::DocType(_) => return Err("a DOCTYPE is not allowed in a SAML response".into()),
            Event::Start(e) | Event::Empty(e) if !root_seen => {
                if e.local_name().as_ref() != "Response" {
                    return Err("the document is not a SAML Response".into());
                }
                root_seen = true;
                if let Some(a) = e.try_get_attribute("InResponseTo").map_err(|e| e.to_string())? {
                    env.in_response_to = Some(a.normalized_value(quick_xml::XmlVersion::default()).map_err(|e| e.to_string())?.into_owned());
                }
            }
            Event::Start(e) if e.local_name().as_ref() == "Issuer" && env.issuer.is_none() => in_issuer = true,
            Event::Text(t) if in_issuer => {
                env.issuer = Some(t.xml10_content().trim().to_string());
                in_issuer = false;
            }
            Event::End(_) => in_issuer = false,
            Event::Eof => break,
            _ => {}
        }
        if root_seen && env.issuer.is_some() {
            break;
        }
    }
    if !root_seen {
        return Err("the document is empty".into());
    }
    Ok(env)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peek_reads_the_root_and_first_issuer() {
        let xml = r#"<?xml version="1.0"?><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r" InResponseTo="_abc"><saml:Issuer> urn:idp </saml:Issuer></samlp:Response>"#;
        assert_eq!(peek(xml).unwrap(), Envelope { in_response_to: Some("_abc".into()), issuer: Some("urn:idp".into()) });
        let unsolicited = r#"<Response ID="_r"><Issuer>urn:idp</Issuer></Response>"#;
        assert_eq!(peek(unsolicited).unwrap().in_response_to, None);
        assert!(peek("<Assertion/>").is_err());
        assert!(peek("not xml <").is_err());
        assert!(peek(r#"<!DOCTYPE x [<!ENTITY a "b">]><Response/>"#).is_err());
        assert!(peek("").is_err());
    }
}
