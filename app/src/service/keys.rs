//! Values Gatehouse hands to a browser and must get back unchanged (signed
//! cookies): HMAC-SHA256 with a key every instance of the database shares
//! (`instance_secrets`), so any instance can check what another signed.
use super::Result;
use crate::service::store::{self, Db};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;

pub struct Keys {
    cookie: Vec<u8>,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys(…)")
    }
}

impl Keys {
    /// The instance key, made on first use.
    pub async fn load(db: &Db) -> Result<Keys> {
        let hex_key = store::secrets::get_or_create(db, "cookie_key", store::links::new_token).await?;
        Ok(Keys { cookie: hex::decode(hex_key).unwrap_or_default() })
    }

    fn mac(&self, purpose: &str, payload: &[u8]) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.cookie).expect("HMAC takes any key length");
        // The purpose keeps a value signed for one use from passing as another.
        mac.update(purpose.as_bytes());
        mac.update(&[0]);
        mac.update(payload);
        mac
    }

    /// `payload` and its signature, as one cookie-safe string.
    pub fn sign(&self, purpose: &str, payload: &str) -> String {
        let tag = self.mac(purpose, payload.as_bytes()).finalize().into_bytes();
        format!("{}.{}", URL_SAFE_NO_PAD.encode(payload), URL_SAFE_NO_PAD.encode(tag))
    }

    /// The keyed hash of `payload` for `purpose` (hex), to store a short
    /// secret (an email code) that cannot be found from the database alone.
    pub fn digest(&self, purpose: &str, payload: &str) -> String {
        hex::encode(self.mac(purpose, payload.as_bytes()).finalize().into_bytes())
    }

    /// A key for one purpose, derived from the instance key.
    fn derived(&self, purpose: &str) -> [u8; 32] {
        self.mac(purpose, b"key").finalize().into_bytes().into()
    }

    /// `plain` encrypted and authenticated for `purpose` (ChaCha20-Poly1305,
    /// a random nonce), as text to store. Only `open` with the same purpose reads it.
    pub fn seal(&self, purpose: &str, plain: &str) -> String {
        use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng};
        use chacha20poly1305::ChaCha20Poly1305;
        let cipher = ChaCha20Poly1305::new(&self.derived(purpose).into());
        let nonce = ChaCha20Poly1305::generate_nonce(&mut OsRng);
        let sealed = cipher.encrypt(&nonce, plain.as_bytes()).expect("encryption of a short text");
        format!("{}.{}", URL_SAFE_NO_PAD.encode(nonce), URL_SAFE_NO_PAD.encode(sealed))
    }

    pub fn open(&self, purpose: &str, sealed: &str) -> Option<String> {
        use chacha20poly1305::aead::{Aead, KeyInit};
        use chacha20poly1305::{ChaCha20Poly1305, Nonce};
        let (nonce, data) = sealed.split_once('.')?;
        let nonce = URL_SAFE_NO_PAD.decode(nonce).ok()?;
        let data = URL_SAFE_NO_PAD.decode(data).ok()?;
        if nonce.len() != 12 {
            return None;
        }
        let cipher = ChaCha20Poly1305::new(&self.derived(purpose).into());
        let plain = cipher.decrypt(Nonce::from_slice(&nonce), data.as_ref()).ok()?;
        String::from_utf8(plain).ok()
    }

    /// The payload of a value `sign` made for `purpose`, if it is one (checked in constant time).
    pub fn verify(&self, purpose: &str, signed: &str) -> Option<String> {
        let (payload, tag) = signed.split_once('.')?;
        let payload = URL_SAFE_NO_PAD.decode(payload).ok()?;
        let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
        self.mac(purpose, &payload).verify_slice(&tag).ok()?;
        String::from_utf8(payload).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::Keys;

    #[test]
    fn signed_values_come_back_only_unchanged_and_for_their_purpose() {
        let k = Keys { cookie: vec![7; 32] };
        let s = k.sign("device", "org|ada@example.com|n1");
        assert_eq!(k.verify("device", &s).as_deref(), Some("org|ada@example.com|n1"));
        assert_eq!(k.verify("sso", &s), None, "another purpose");
        let mut forged = s.clone();
        forged.replace_range(0..1, if s.starts_with('A') { "B" } else { "A" });
        assert_eq!(k.verify("device", &forged), None);
        assert_eq!(k.verify("device", "no-dot"), None);
        let other = Keys { cookie: vec![8; 32] };
        assert_eq!(other.verify("device", &s), None, "another key");
    }

    #[test]
    fn sealed_text_opens_only_with_its_key_and_purpose() {
        let k = Keys { cookie: vec![7; 32] };
        let a = k.seal("mfa", "JBSWY3DPEHPK3PXP");
        assert_ne!(a, k.seal("mfa", "JBSWY3DPEHPK3PXP"), "a new nonce each time");
        assert!(!a.contains("JBSWY3DP"));
        assert_eq!(k.open("mfa", &a).as_deref(), Some("JBSWY3DPEHPK3PXP"));
        assert_eq!(k.open("other", &a), None);
        assert_eq!(Keys { cookie: vec![8; 32] }.open("mfa", &a), None);
        let mut tampered = a.clone();
        tampered.push('A');
        assert_eq!(k.open("mfa", &tampered), None);
    }
}
