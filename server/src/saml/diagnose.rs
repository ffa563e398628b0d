//! Why a response failed, in the administrator's terms. The saml-rs crate
//! gives the verdict; this reads the response beside it — issuer, NameID,
//! audience, destination, recipient, validity window, the certificate in its
//! signature — to name one reason from a fixed list and what was expected and
//! received. Nothing here decides whether a response is trusted.
use app::domain::activity::{DecodedResponse, SsoReason};
use quick_xml::events::Event;
use saml_rs::error::{SubjectConfirmationReason, TimeWindowField};
use saml_rs::SamlError;
use sha2::{Digest, Sha256};
use std::time::SystemTime;

/// The response as it describes itself (first Issuer, first assertion's
/// subject and conditions, its attributes, the first signature's certificate).
pub fn decode(xml: &str) -> DecodedResponse {
    let mut d = DecodedResponse::default();
    let mut reader = quick_xml::Reader::from_str(xml);
    // How deep the reader is: an element nested deeper than any SAML
    // response's is not looked at.
    let mut depth = 0usize;
    let mut text = String::new();
    let mut attribute: Option<(String, Vec<String>)> = None;
    let attr = |e: &quick_xml::events::BytesStart, name: &str| -> String {
        e.try_get_attribute(name).ok().flatten().and_then(|a| a.normalized_value(quick_xml::XmlVersion::default()).ok().map(|v| v.into_owned())).unwrap_or_default()
    };
    loop {
        let event = match reader.read_event() {
            Ok(Event::Eof) | Err(_) => break,
            Ok(e) => e,
        };
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let entered = matches!(event, Event::Start(_));
                if entered {
                    depth += 1;
                }
                if depth > 64 {
                    continue;
                }
                let name = e.local_name().as_ref().to_string();
                match name.as_str() {
                    "Response" if depth <= 1 => {
                        d.destination = attr(e, "Destination");
                        d.in_response_to = attr(e, "InResponseTo");
                    }
                    "StatusCode" => {
                        let v = attr(e, "Value");
                        let v = v.rsplit(':').next().unwrap_or("").to_string();
                        d.status = if d.status.is_empty() { v } else { format!("{} / {v}", d.status) };
                    }
                    "NameID" if d.name_id.is_empty() => d.name_id_format = attr(e, "Format"),
                    "SubjectConfirmationData" if d.recipient.is_empty() => d.recipient = attr(e, "Recipient"),
                    "Conditions" if d.not_before.is_empty() => {
                        d.not_before = attr(e, "NotBefore");
                        d.not_on_or_after = attr(e, "NotOnOrAfter");
                    }
                    "Attribute" if entered => attribute = Some((attr(e, "Name"), Vec::new())),
                    "Signature" => d.signed = true,
                    _ => {}
                }
                text.clear();
            }
            Event::Text(t) => text.push_str(&t.xml10_content()),
            Event::CData(t) => text.push_str(&t.into_inner()),
            Event::GeneralRef(r) => text.push_str(match r.as_ref() {
                "amp" => "&",
                "lt" => "<",
                "gt" => ">",
                "quot" => "\"",
                "apos" => "'",
                _ => "",
            }),
            Event::End(e) => {
                let name = e.local_name().as_ref().to_string();
                let value = text.trim().to_string();
                match name.as_str() {
                    "Issuer" if d.issuer.is_empty() => d.issuer = value,
                    "NameID" if d.name_id.is_empty() => d.name_id = value,
                    "Audience" => d.audiences.push(value),
                    "AttributeValue" => {
                        if let Some((_, values)) = attribute.as_mut() {
                            values.push(value);
                        }
                    }
                    "Attribute" => {
                        if let Some(a) = attribute.take() {
                            d.attributes.push(a);
                        }
                    }
                    "X509Certificate" if d.certificate_fingerprint.is_empty() => d.certificate_fingerprint = fingerprint_of_base64(&value).unwrap_or_default(),
                    _ => {}
                }
                text.clear();
                depth = depth.saturating_sub(1);
            }
            _ => {}
        }
    }
    d
}

/// SHA-256 of a certificate given as base64 DER, as `AA:BB:…` (the form the Authentication page shows).
pub fn fingerprint_of_base64(b64: &str) -> Option<String> {
    use base64::Engine as _;
    let compact: String = b64.chars().filter(|c| !c.is_whitespace()).collect();
    let der = base64::engine::general_purpose::STANDARD.decode(compact).ok()?;
    Some(Sha256::digest(der).iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(":"))
}

/// The XML indented two spaces an element, for reading and copying; as it
/// came when it does not parse (or is too long to be kept whole).
pub fn pretty(xml: &str, max: usize) -> String {
    if xml.len() > max {
        return xml.to_string();
    }
    let mut reader = quick_xml::Reader::from_str(xml);
    reader.config_mut().trim_text(true);
    let mut writer = quick_xml::Writer::new_with_indent(Vec::new(), b' ', 2);
    loop {
        match reader.read_event() {
            Ok(Event::Eof) => break,
            Ok(e) => {
                if writer.write_event(e).is_err() {
                    return xml.to_string();
                }
            }
            Err(_) => return xml.to_string(),
        }
    }
    String::from_utf8(writer.into_inner()).unwrap_or_else(|_| xml.to_string())
}

/// What the checks compare the response with.
pub struct Expected<'a> {
    pub entity_id: &'a str,
    pub acs_url: &'a str,
    pub issuer: &'a str,
    /// The trusted certificates' fingerprints (current, next).
    pub fingerprints: &'a [String],
}

/// A time the response gives (xs:dateTime), as a Unix time.
fn unix(t: &str) -> Option<i64> {
    time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok().map(|t| t.unix_timestamp())
}

/// The one reason the crate's refusal `e` stands for, and what was expected and received.
pub fn classify(e: &SamlError, d: &DecodedResponse, x: &Expected, now: SystemTime) -> (SsoReason, String, String) {
    let received_cert = || d.certificate_fingerprint.clone();
    let expected_certs = || x.fingerprints.join(", ");
    let unknown_cert = !d.certificate_fingerprint.is_empty() && !x.fingerprints.contains(&d.certificate_fingerprint);
    match e {
        SamlError::AudienceMismatch { .. } | SamlError::UnmatchAudience => (SsoReason::Audience, x.entity_id.to_string(), d.audiences.join(", ")),
        SamlError::DestinationMismatch { actual, .. } => (SsoReason::Destination, x.acs_url.to_string(), actual.clone().unwrap_or_else(|| d.destination.clone())),
        SamlError::UnmatchDestination => (SsoReason::Destination, x.acs_url.to_string(), d.destination.clone()),
        SamlError::IssuerMismatch { expected, actual } => (SsoReason::Issuer, expected.clone(), actual.clone().unwrap_or_else(|| d.issuer.clone())),
        SamlError::UnmatchIssuer => (SsoReason::Issuer, x.issuer.to_string(), d.issuer.clone()),
        SamlError::SubjectConfirmationInvalid { reason: SubjectConfirmationReason::RecipientMismatch } => (SsoReason::Recipient, x.acs_url.to_string(), d.recipient.clone()),
        SamlError::SubjectConfirmationInvalid { reason: SubjectConfirmationReason::TimeWindowInvalid }
        | SamlError::TimeWindowInvalid { field: TimeWindowField::Conditions | TimeWindowField::SessionNotOnOrAfter | TimeWindowField::ReplayExpiration, .. }
        | SamlError::ExpiredSession => time_reason(d, now),
        SamlError::SubjectConfirmationInvalid { reason: SubjectConfirmationReason::InResponseToMismatch } | SamlError::InResponseToMismatch { .. } => {
            (SsoReason::NotThisBrowser, String::new(), d.in_response_to.clone())
        }
        SamlError::RelayStateMismatch { .. } => (SsoReason::RelayState, String::new(), String::new()),
        SamlError::ReplayDetected { key } => (SsoReason::Replayed, String::new(), key.clone()),
        SamlError::StatusNotSuccess { top, second } => (SsoReason::IdpError, "Success".into(), format!("{top}{}", second.as_ref().map(|s| format!(" / {s}")).unwrap_or_default())),
        SamlError::FailedStatus { top, second } => (SsoReason::IdpError, "Success".into(), format!("{top} / {second}")),
        SamlError::CertificateMismatch | SamlError::UnmatchCertificate | SamlError::NoTrustedCertificate => (SsoReason::UnknownCertificate, expected_certs(), received_cert()),
        SamlError::SignatureMissing | SamlError::AssertionSignatureRequired | SamlError::MissingSigAlg if !d.signed => (SsoReason::Unsigned, String::new(), String::new()),
        SamlError::SignatureVerification { .. }
        | SamlError::FailedToVerifySignature
        | SamlError::FailedMessageSignatureVerification
        | SamlError::Crypto(_)
        | SamlError::SignatureMissing
        | SamlError::AssertionSignatureRequired
        | SamlError::MissingSigAlg
        | SamlError::PotentialWrappingAttack
        | SamlError::SignedReferenceMismatch
        | SamlError::ReferenceResolution { .. }
        | SamlError::AlgorithmUnsupported => {
            if unknown_cert {
                (SsoReason::UnknownCertificate, expected_certs(), received_cert())
            } else {
                (SsoReason::SignatureInvalid, expected_certs(), received_cert())
            }
        }
        SamlError::Xml(_) | SamlError::Base64(_) | SamlError::ProtocolProfile(_) | SamlError::Invalid(_) | SamlError::Deflate(_) => (SsoReason::Malformed, x.acs_url.to_string(), String::new()),
        _ => (SsoReason::Other, String::new(), String::new()),
    }
}

/// Expired or not yet valid, with the clock difference in seconds beyond the window.
fn time_reason(d: &DecodedResponse, now: SystemTime) -> (SsoReason, String, String) {
    let now = time::OffsetDateTime::from(now).unix_timestamp();
    if let Some(nb) = unix(&d.not_before).filter(|nb| *nb > now) {
        return (SsoReason::NotYetValid, d.not_before.clone(), (nb - now).to_string());
    }
    let end = unix(&d.not_on_or_after).map(|t| now - t);
    (SsoReason::Expired, d.not_on_or_after.clone(), end.map(|s| s.to_string()).unwrap_or_else(|| "?".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const RESPONSE: &str = r#"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r" Destination="https://gh/acme/finish-login" InResponseTo="_q"><saml:Issuer>urn:idp</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status><saml:Assertion ID="_a"><saml:Issuer>urn:idp</saml:Issuer><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>AAEC</ds:X509Certificate></ds:X509Data></ds:KeyInfo></ds:Signature><saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">pat@acme.example</saml:NameID><saml:SubjectConfirmation><saml:SubjectConfirmationData Recipient="https://gh/acme/finish-login"/></saml:SubjectConfirmation></saml:Subject><saml:Conditions NotBefore="2026-01-01T00:00:00Z" NotOnOrAfter="2026-01-01T00:05:00Z"><saml:AudienceRestriction><saml:Audience>https://other</saml:Audience></saml:AudienceRestriction></saml:Conditions><saml:AttributeStatement><saml:Attribute Name="email"><saml:AttributeValue>pat@acme.example</saml:AttributeValue></saml:Attribute><saml:Attribute Name="groups"><saml:AttributeValue>a &amp; b</saml:AttributeValue><saml:AttributeValue>c</saml:AttributeValue></saml:Attribute></saml:AttributeStatement></saml:Assertion></samlp:Response>"#;

    #[test]
    fn a_response_reads_as_it_describes_itself() {
        let d = decode(RESPONSE);
        assert_eq!((d.issuer.as_str(), d.destination.as_str(), d.in_response_to.as_str(), d.status.as_str()), ("urn:idp", "https://gh/acme/finish-login", "_q", "Success"));
        assert_eq!((d.name_id.as_str(), d.name_id_format.as_str()), ("pat@acme.example", "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"));
        assert_eq!(d.recipient, "https://gh/acme/finish-login");
        assert_eq!(d.audiences, ["https://other"]);
        assert_eq!(d.not_on_or_after, "2026-01-01T00:05:00Z");
        assert_eq!(d.attributes, [("email".to_string(), vec!["pat@acme.example".to_string()]), ("groups".to_string(), vec!["a & b".to_string(), "c".to_string()])]);
        assert_eq!(d.certificate_fingerprint, fingerprint_of_base64("AAEC").unwrap());
        assert!(d.signed);
        let p = pretty(RESPONSE, 1 << 20);
        assert!(p.lines().count() > 20 && p.contains("\n  <saml:Issuer>urn:idp</saml:Issuer>"), "{p}");
        assert_eq!(pretty("<a><b></a>", 1 << 20), "<a><b></a>");
    }

    #[test]
    fn the_crates_refusals_become_one_reason_with_both_sides() {
        let d = decode(RESPONSE);
        let fps = vec!["11:22".to_string()];
        let x = Expected { entity_id: "https://gh/acme/saml/metadata", acs_url: "https://gh/acme/finish-login", issuer: "urn:idp", fingerprints: &fps };
        let now = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(unix("2026-01-01T00:10:00Z").unwrap() as u64);
        let c = |e: SamlError| classify(&e, &d, &x, now);
        assert_eq!(c(SamlError::AudienceMismatch { expected: "x".into() }), (SsoReason::Audience, "https://gh/acme/saml/metadata".into(), "https://other".into()));
        assert_eq!(c(SamlError::CertificateMismatch).0, SsoReason::UnknownCertificate);
        assert_eq!(c(SamlError::CertificateMismatch).1, "11:22");
        assert_eq!(c(SamlError::FailedToVerifySignature).0, SsoReason::UnknownCertificate, "its KeyInfo names another certificate");
        assert_eq!(c(SamlError::TimeWindowInvalid { field: TimeWindowField::Conditions }), (SsoReason::Expired, "2026-01-01T00:05:00Z".into(), "300".into()));
        assert_eq!(c(SamlError::Xml("x".into())).0, SsoReason::Malformed);
    }
}
