//! Interop driver against a running `saml-idp` on 127.0.0.1.
//!   interop start <idp_cert.pem>                      -> prints request_id and redirect URL
//!   interop finish <idp_cert.pem> <request_id> <relay_state> <b64 file> [posted relay]
//!   interop unsolicited <idp_cert.pem> <b64 file> [posted relay]
//!   interop metadata <idp_metadata.xml>               -> parse saml-idp's own metadata
use std::time::{Duration, SystemTime};

use saml_scratch::{cert_info, MemoryReplayStore, SamlSettings, SamlSp};

fn settings(cert: &str) -> SamlSettings {
    SamlSettings {
        sp_entity_id: "http://127.0.0.1:3000/saml/metadata".into(),
        acs_url: "http://127.0.0.1:3000/saml/acs".into(),
        idp_entity_id: "urn:gatehouse:test-idp".into(),
        idp_sso_url: "http://127.0.0.1:7411/saml/sso".into(),
        idp_cert_pem: std::fs::read_to_string(cert).unwrap(),
        clock_skew: Duration::from_secs(120),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args[1].as_str() {
        "start" => {
            let sp = SamlSp::new(settings(&args[2])).unwrap();
            let s = sp.start_login("state-abc").unwrap();
            println!("{}\n{}", s.request_id, s.redirect_url);
        }
        "finish" => {
            let sp = SamlSp::new(settings(&args[2])).unwrap();
            let b64 = std::fs::read_to_string(&args[5]).unwrap();
            let mut store = MemoryReplayStore::default();
            let r = sp.finish_login(
                &args[3],
                Some(&args[4]),
                b64.trim(),
                args.get(6).map(String::as_str),
                SystemTime::now(),
                &mut store,
            );
            println!("{r:#?}");
        }
        "unsolicited" => {
            let sp = SamlSp::new(settings(&args[2])).unwrap();
            let b64 = std::fs::read_to_string(&args[3]).unwrap();
            let mut store = MemoryReplayStore::default();
            let r = sp.accept_unsolicited(
                b64.trim(),
                args.get(4).map(String::as_str),
                SystemTime::now(),
                &mut store,
            );
            println!("{r:#?}");
        }
        "metadata" => {
            let xml = std::fs::read_to_string(&args[2]).unwrap();
            let d = saml_rs::IdpDescriptor::from_metadata_xml_for(
                saml_rs::EntityId::try_new("urn:gatehouse:test-idp").unwrap(),
                &xml,
                saml_rs::MetadataTrustPolicy::UnsignedForCompatibility,
            );
            match d {
                Ok(d) => println!(
                    "parsed: entity={} sso_redirect={:?} certs={}",
                    d.entity_id().as_str(),
                    d.metadata()
                        .get_single_sign_on_service(saml_rs::constants::Binding::Redirect),
                    d.metadata()
                        .x509_certificates(saml_rs::constants::CertUse::Signing)
                        .len()
                ),
                Err(e) => println!("metadata error: {e:?}"),
            }
        }
        "cert" => println!("{:#?}", cert_info(&std::fs::read_to_string(&args[2]).unwrap())),
        _ => panic!("unknown"),
    }
}
