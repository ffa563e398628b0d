//! Password hashing: argon2id with OWASP's minimum cost, on the blocking pool.
use super::{Error, Result};
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use std::sync::OnceLock;

fn hasher() -> Argon2<'static> {
    // argon2id, 19 MiB, 2 passes, 1 lane: OWASP's recommended minimum.
    Argon2::default()
}

pub async fn hash(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        hasher().hash_password(password.as_bytes(), &salt).map(|h| h.to_string())
    })
    .await
    .map_err(|_| Error::internal())?
    .map_err(|_| Error::internal())
}

/// Checks a password against a stored hash. Without a hash it still spends the
/// same time, so response times do not tell which emails have accounts.
pub async fn verify(password: String, hash: Option<String>) -> bool {
    static DUMMY: OnceLock<String> = OnceLock::new();
    tokio::task::spawn_blocking(move || {
        let (hash, real) = match hash {
            Some(h) => (h, true),
            None => (
                DUMMY
                    .get_or_init(|| {
                        let salt = SaltString::generate(&mut OsRng);
                        hasher().hash_password(b"no such account", &salt).expect("hash").to_string()
                    })
                    .clone(),
                false,
            ),
        };
        let ok = PasswordHash::new(&hash).map(|h| hasher().verify_password(password.as_bytes(), &h).is_ok()).unwrap_or(false);
        ok && real
    })
    .await
    .unwrap_or(false)
}
