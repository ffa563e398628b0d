//! Single sign-on settings that pages and the SAML endpoints share: the
//! addresses the identity provider needs, and the IdP certificate's details.
use crate::domain::views::CertificateInfo;
use sha2::{Digest, Sha256};

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
        let start = text
            .find("-----BEGIN CERTIFICATE-----")
            .ok_or("That is not a certificate: it should begin with -----BEGIN CERTIFICATE----- (a private key must never be pasted here).")?;
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
            crate::store::format_time(not_after)[..10].to_string()
        ))
    } else if days_left < 30 {
        Some(format!(
            "This certificate expires in {} day{} ({}). Plan the switch to your identity provider's new certificate.",
            days_left,
            if days_left == 1 { "" } else { "s" },
            crate::store::format_time(not_after)[..10].to_string()
        ))
    } else if not_before > now {
        Some("This certificate is not valid yet. Check the identity provider's certificate and this server's clock.".to_string())
    } else {
        None
    };
    Ok(CertificateInfo {
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        not_before: crate::store::format_time(not_before),
        not_after: crate::store::format_time(not_after),
        fingerprint_sha256: fingerprint,
        warning,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CERT: &str = include_str!("../../server/tests/fixtures/saml/idp-cert.pem");

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
        let after = time::PrimitiveDateTime::parse(&info.not_after[..19], &time::format_description::well_known::Iso8601::DEFAULT)
            .unwrap()
            .assume_utc();
        let soon = certificate_info(&pem, after - time::Duration::days(10)).unwrap();
        assert!(soon.warning.unwrap().contains("expires in 10 days"));
        let late = certificate_info(&pem, after + time::Duration::days(1)).unwrap();
        assert!(late.warning.unwrap().contains("expired"));
    }
}

/// Break-glass: sets the sign-in method back to password, so admins can sign
/// in with their passwords when SSO is broken. Returns the method it replaced.
pub async fn reset_to_password(db: &crate::store::Db, org: &crate::store::orgs::Org, actor: &str) -> crate::error::AppResult<String> {
    use crate::store;
    let mut tx = store::begin(db).await?;
    let mut row = store::auth_settings::get(&mut *tx, &org.id).await?;
    let before = row.method.clone();
    row.method = crate::domain::AuthMethod::Password.as_str().into();
    store::auth_settings::save(&mut *tx, &row).await?;
    store::audit::record(
        &mut *tx,
        store::audit::Event {
            org_id: &org.id,
            actor_id: None,
            actor,
            action: crate::domain::audit::AUTH_RESET,
            target: "authentication",
            detail: format!("method: {before} → password"),
            ip: "",
        },
    )
    .await?;
    tx.commit().await?;
    Ok(before)
}
