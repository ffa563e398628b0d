//! Passwords: a person changing theirs (`change`), reset links (`reset`),
//! and hashing.
//!
//! Hashing: argon2id with OWASP's minimum cost (19 MiB, 2 passes),
//! on the blocking pool, a few at a time. Unbounded, hashes that arrive
//! together each take 19 MiB and a thread: 500 wrong passwords sent at once
//! took the server from 20 MB to 3.8 GB. Here at most `permits` hash at once;
//! a request waits up to `wait` for a turn, then is told to come back
//! (429 with Retry-After).
//!
//! A turn belongs to the hash, not to the request: the permit moves into the
//! blocking work and is given back when the hash is done, so a client that
//! hangs up while its password is checked does not free a turn for another
//! hash while its own still runs.
mod change;
pub mod forgot;
pub mod reset;

pub use change::{change, status, unusable};

/// The rules a new password of `email` in `org` follows: the organization's
/// name, the email, and the organization's minimum length.
pub async fn rules<'e>(ex: impl sqlx::Executor<'e, Database = sqlx::Any>, org: &crate::service::access::Org, email: &str) -> Result<crate::domain::password::Context> {
    Ok(rules_with(&super::store::auth_settings::get(ex, &org.id).await?, org, email))
}

/// The same, from the organization's settings already read.
pub fn rules_with(settings: &super::store::auth_settings::AuthSettingsRow, org: &crate::service::access::Org, email: &str) -> crate::domain::password::Context {
    crate::domain::password::Context::new(email, &org.name).with_min_len(settings.password_min_length)
}

use super::{Error, Kind, Result};
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::sync::OnceLock;
use std::time::Duration;
use tokio::sync::Semaphore;

/// How many hashes may run at once, and how long a request waits for a turn.
#[derive(Clone, Copy, Debug)]
pub struct Limit {
    pub permits: usize,
    pub wait: Duration,
}

impl Default for Limit {
    /// One hash per core (at least two), and two seconds' wait.
    fn default() -> Limit {
        Limit { permits: super::cpu_cores().max(2), wait: Duration::from_secs(2) }
    }
}

struct Limiter {
    limit: Limit,
    turns: Arc<Semaphore>,
}

static LIMITER: OnceLock<Limiter> = OnceLock::new();

/// Sets the limit for this process; only the first call (before any hashing) counts.
pub fn configure(limit: Limit) {
    let _ = LIMITER.set(Limiter { limit, turns: Arc::new(Semaphore::new(limit.permits)) });
}

fn limiter() -> &'static Limiter {
    LIMITER.get_or_init(|| {
        let limit = Limit::default();
        Limiter { limit, turns: Arc::new(Semaphore::new(limit.permits)) }
    })
}

/// How many hashes and checks this process has run (for metrics, and for
/// tests that show a request was refused before any hashing).
static HASHED: AtomicU64 = AtomicU64::new(0);

pub fn hashed() -> u64 {
    HASHED.load(Ordering::Relaxed)
}

/// Hashes running now, and the most that ever ran at once in this process.
static RUNNING: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

/// The most hashes that ran at the same moment in this process (never more than the limit's permits).
pub fn peak_running() -> usize {
    PEAK.load(Ordering::SeqCst)
}

/// The permits of this process's limit.
pub fn permits() -> usize {
    limiter().limit.permits
}

/// One hash running, from its start on the blocking pool to its end.
struct Running;

impl Running {
    fn start() -> Running {
        let now = RUNNING.fetch_add(1, Ordering::SeqCst) + 1;
        PEAK.fetch_max(now, Ordering::SeqCst);
        metrics::gauge!(crate::metrics::PASSWORD_HASHES_RUNNING).increment(1.0);
        Running
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        RUNNING.fetch_sub(1, Ordering::SeqCst);
        metrics::gauge!(crate::metrics::PASSWORD_HASHES_RUNNING).decrement(1.0);
    }
}

/// Seconds a refused request is asked to wait before trying again.
const RETRY_AFTER_SECS: u64 = 2;

/// Runs `work` on the blocking pool once it is this request's turn.
async fn in_turn<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    let l = limiter();
    let permit = match tokio::time::timeout(l.limit.wait, l.turns.clone().acquire_owned()).await {
        Ok(Ok(p)) => p,
        _ => return Err(Error { retry_after_secs: Some(RETRY_AFTER_SECS), ..Error::new(Kind::RateLimited, "Gatehouse is busy checking other passwords. Try again in a few seconds.") }),
    };
    let out = tokio::task::spawn_blocking(move || {
        let running = Running::start();
        let out = work();
        HASHED.fetch_add(1, Ordering::Relaxed);
        // The turn ends with the hash, whether or not anyone still waits for it.
        drop(running);
        drop(permit);
        out
    })
    .await
    .map_err(|_| Error::internal())?;
    Ok(out)
}

fn hasher() -> Argon2<'static> {
    // argon2id, 19 MiB, 2 passes, 1 lane: OWASP's recommended minimum.
    Argon2::default()
}

pub async fn hash(password: String) -> Result<String> {
    in_turn(move || {
        let salt = SaltString::generate(&mut OsRng);
        hasher().hash_password(password.as_bytes(), &salt).map(|h| h.to_string())
    })
    .await?
    .map_err(|_| Error::internal())
}

/// Checks a password against a stored hash. Without a hash it still spends the
/// same time, so response times do not tell which emails have accounts.
pub async fn verify(password: String, hash: Option<String>) -> Result<bool> {
    static DUMMY: OnceLock<String> = OnceLock::new();
    in_turn(move || {
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
}
