//! Multi-factor authentication for password sign-in: an authenticator app
//! (TOTP, RFC 6238: six digits every 30 seconds, HMAC-SHA1 — what every app
//! reads from a QR code) and ten single-use recovery codes. The app's key is
//! stored sealed with the instance key; recovery codes only as hashes.
use super::keys::Keys;
use super::{Actor, Error, Result};
use crate::domain::{audit, MfaPolicy};
use crate::service::store::{self, orgs::Org, users::UserRow, Conn, Db};
use sha2::{Digest, Sha256};
use totp_rs::{Algorithm, TOTP};

const DIGITS: usize = 6;
const STEP_SECS: u64 = 30;
/// How many recovery codes a person gets at a time.
pub const RECOVERY_CODES: usize = 10;
/// What `Keys::seal` seals the app's key for.
const SEAL: &str = "mfa";

/// A new authenticator app, before the person confirms it with a first code.
#[derive(Clone, Debug)]
pub struct NewApp {
    /// The key in base32, for typing it into the app by hand.
    pub secret: String,
    /// What the QR code holds (`otpauth://totp/…`).
    pub uri: String,
    pub qr_svg: String,
}

fn totp(secret_b32: &str) -> Result<TOTP> {
    let bytes = base32_decode(secret_b32).ok_or_else(Error::internal)?;
    TOTP::new(Algorithm::SHA1, DIGITS, 1, STEP_SECS, bytes).map_err(|_| Error::internal())
}

const BASE32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::new();
    let (mut buffer, mut bits) = (0u32, 0);
    for b in bytes {
        buffer = (buffer << 8) | u32::from(*b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(BASE32[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(BASE32[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

fn base32_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut buffer, mut bits) = (0u32, 0);
    for c in s.chars().filter(|c| !c.is_whitespace() && *c != '=') {
        let v = BASE32.iter().position(|b| *b as char == c.to_ascii_uppercase())? as u32;
        buffer = (buffer << 5) | v;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(((buffer >> bits) & 0xff) as u8);
        }
    }
    Some(out)
}

/// A new key (160 random bits) for `email`'s app, with its QR code.
pub fn new_app(org: &Org, email: &str) -> Result<NewApp> {
    use rand::RngCore;
    let mut bytes = [0u8; 20];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let secret = base32_encode(&bytes);
    use crate::components::url::encode_keeping;
    let issuer = encode_keeping(&format!("Gatehouse ({})", org.name), b"@");
    let uri = format!("otpauth://totp/{issuer}:{}?secret={secret}&issuer={issuer}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}", encode_keeping(email, b"@"));
    let qr = qrcode::QrCode::new(uri.as_bytes()).map_err(|_| Error::internal())?;
    let qr_svg = qr.render::<qrcode::render::svg::Color>().min_dimensions(200, 200).quiet_zone(true).build();
    Ok(NewApp { secret, uri, qr_svg })
}

/// The time step whose code this is (now, or one step either side for clock drift).
fn matching_step(secret_b32: &str, code: &str) -> Result<Option<i64>> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != DIGITS || !code.chars().all(|c| c.is_ascii_digit()) {
        return Ok(None);
    }
    let t = totp(secret_b32)?;
    let now = time::OffsetDateTime::now_utc().unix_timestamp().max(0) as u64;
    for at in [now.saturating_sub(STEP_SECS), now, now + STEP_SECS] {
        let expected = t.generate(at);
        if bool::from(subtle::ConstantTimeEq::ct_eq(expected.as_bytes(), code.as_bytes())) {
            return Ok(Some((at / STEP_SECS) as i64));
        }
    }
    Ok(None)
}

fn already_set_up() -> Error {
    Error::conflict("You already have an authenticator app. To use another one, remove it first on Profile (with a code from it), or ask an administrator to reset it.")
}

fn wrong_code() -> Error {
    Error::invalid("code", "That code is not right. Enter the six digits your authenticator app shows now, or one of your recovery codes.")
}

fn hash_code(code: &str) -> String {
    let norm: String = code.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect();
    hex::encode(Sha256::digest(norm.as_bytes()))
}

/// Ten new recovery codes (80 random bits each, as `xxxx-xxxx-xxxx-xxxx`) and their hashes.
fn new_codes() -> (Vec<String>, Vec<String>) {
    use rand::RngCore;
    let codes: Vec<String> = (0..RECOVERY_CODES)
        .map(|_| {
            let mut bytes = [0u8; 10];
            rand::rngs::OsRng.fill_bytes(&mut bytes);
            let s = base32_encode(&bytes).to_lowercase();
            format!("{}-{}-{}-{}", &s[0..4], &s[4..8], &s[8..12], &s[12..16])
        })
        .collect();
    let hashes = codes.iter().map(|c| hash_code(c)).collect();
    (codes, hashes)
}

/// How a code was accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Accepted {
    App,
    RecoveryCode,
    EmailCode,
}

/// How long a code sent by email works.
pub const EMAIL_CODE_MINUTES: i64 = 10;
/// What `Keys::digest` hashes an email code for.
const EMAIL_CODE: &str = "mfa-email-code";

fn email_code_tag(keys: &Keys, user: &UserRow, code: &str) -> String {
    keys.digest(EMAIL_CODE, &format!("{}|{}", user.id, code.trim()))
}

/// A new six-digit code for `user`, kept (hashed) until it expires in place
/// of any earlier one; the digits are for the mail and nowhere else.
pub async fn new_email_code(conn: &mut Conn, keys: &Keys, user: &UserRow) -> Result<(String, crate::service::Timestamp)> {
    use rand::Rng;
    let code = format!("{:06}", rand::rngs::OsRng.gen_range(0..1_000_000u32));
    let until = crate::service::Timestamp::from(time::OffsetDateTime::now_utc() + time::Duration::minutes(EMAIL_CODE_MINUTES));
    store::mfa::set_email_code(conn, &user.org_id, &user.id, &email_code_tag(keys, user, &code), &until.to_string()).await?;
    Ok((code, until))
}

/// Checks a code from the person's app, or one of their recovery codes; a
/// person without an app, the code sent to them by email. A code works
/// once: the app's within its time step, the others for good.
pub async fn check(conn: &mut Conn, keys: &Keys, user: &UserRow, code: &str) -> Result<Option<Accepted>> {
    let Some(sealed) = &user.mfa_secret else {
        let well_formed = code.trim().len() == DIGITS && code.trim().chars().all(|c| c.is_ascii_digit());
        let used = well_formed && store::mfa::use_email_code(conn, &user.org_id, &user.id, &email_code_tag(keys, user, code)).await?;
        return Ok(used.then_some(Accepted::EmailCode));
    };
    let secret = keys.open(SEAL, sealed).ok_or_else(|| {
        tracing::error!(user = %user.id, "an authenticator key does not open with the instance key");
        Error::internal()
    })?;
    if let Some(step) = matching_step(&secret, code)? {
        return Ok(store::mfa::use_step(conn, &user.org_id, &user.id, step).await?.then_some(Accepted::App));
    }
    if code.chars().filter(|c| c.is_ascii_alphanumeric()).count() == 16 && store::mfa::use_recovery_code(conn, &user.org_id, &user.id, &hash_code(code)).await? {
        return Ok(Some(Accepted::RecoveryCode));
    }
    Ok(None)
}

/// Profile > Two-step verification: the organization's policy, and the person's app and codes.
pub async fn status(db: &Db, c: &super::access::Caller) -> Result<crate::domain::views::MfaStatus> {
    Ok(crate::domain::views::MfaStatus {
        policy: store::auth_settings::get(db, &c.org.id).await?.mfa_policy,
        enabled: c.user.mfa_secret.is_some(),
        recovery_codes_left: store::mfa::codes_left(db, &c.org.id, &c.user.id).await?,
    })
}

/// Keeps `app` as `user`'s authenticator once `code` shows it works; returns
/// the recovery codes, shown this once. Never replaces an app the person
/// already has: replacing one means removing it first (with a code from it)
/// or an administrator's reset.
pub async fn enable(db: &Db, keys: &Keys, actor: &Actor, user: &UserRow, app_secret: &str, code: &str) -> Result<Vec<String>> {
    let step =
        matching_step(app_secret, code)?.ok_or_else(|| Error::invalid("code", "That code does not match. Scan the QR code again (or type the key), then enter the six digits the app shows now."))?;
    let (codes, hashes) = new_codes();
    let mut tx = super::begin(db).await?;
    if !store::mfa::enable(&mut tx, &user.org_id, &user.id, &keys.seal(SEAL, app_secret), step, &hashes).await? {
        return Err(already_set_up());
    }
    store::audit::record(&mut tx, actor.event(audit::MFA_ENABLED, &user.email, "authenticator app; 10 recovery codes".into())).await?;
    tx.commit().await?;
    Ok(codes)
}

/// New recovery codes in place of the old ones (a current code proves it is
/// the person; wrong codes count as at sign-in).
pub async fn regenerate_codes(db: &Db, keys: &Keys, actor: &Actor, user: &UserRow, code: &str) -> Result<Vec<String>> {
    let mut accepted = super::sign_in::check_code(db, keys, user, code, &actor.ip).await?.ok_or_else(wrong_code)?;
    let (codes, hashes) = new_codes();
    store::mfa::replace_codes(&mut accepted.tx, &user.org_id, &user.id, &hashes).await?;
    store::audit::record(&mut accepted.tx, actor.event(audit::MFA_CODES_RENEWED, &user.email, String::new())).await?;
    accepted.finish().await?;
    Ok(codes)
}

/// The person removes their app (with a current code; wrong codes count as
/// at sign-in). Not while the organization requires two-step verification.
pub async fn remove(db: &Db, keys: &Keys, actor: &Actor, user: &UserRow, code: &str) -> Result<()> {
    if store::auth_settings::get(db, &user.org_id).await?.mfa_policy == MfaPolicy::Required {
        return Err(Error::forbidden("Your organization requires multi-factor authentication, so it cannot be removed. Ask an administrator to reset it if you lost your app."));
    }
    let mut accepted = super::sign_in::check_code(db, keys, user, code, &actor.ip).await?.ok_or_else(wrong_code)?;
    store::mfa::disable(&mut accepted.tx, &user.org_id, &user.id).await?;
    store::audit::record(&mut accepted.tx, actor.event(audit::MFA_REMOVED, &user.email, String::new())).await?;
    accepted.finish().await?;
    Ok(())
}

/// An administrator (or the server's command line) removes someone's app and
/// recovery codes: they sign in with their password alone, or set up a new
/// app at their next sign-in when it is required. Their sessions end (the
/// app may have been lost with a device that is still signed in).
pub async fn reset(db: &Db, actor: &Actor, user_id: &str) -> Result<UserRow> {
    let mut tx = super::begin(db).await?;
    let user = store::users::by_id(&mut *tx, &actor.org_id, user_id).await?.ok_or_else(|| Error::not_found("That person does not exist."))?;
    if user.mfa_secret.is_none() {
        return Err(Error::conflict(format!("{} has no authenticator app to reset.", user.email)));
    }
    store::mfa::disable(&mut tx, &actor.org_id, &user.id).await?;
    store::users::end_sessions(&mut tx, &actor.org_id, &user.id).await?;
    store::audit::record(&mut tx, actor.event(audit::MFA_RESET, &user.email, "authenticator app and recovery codes removed; signed out everywhere".into())).await?;
    tx.commit().await?;
    Ok(user)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base32_round_trips() {
        let bytes: Vec<u8> = (0..20).collect();
        assert_eq!(base32_decode(&base32_encode(&bytes)).unwrap(), bytes);
        // RFC 4648's example.
        assert_eq!(base32_encode(b"foobar"), "MZXW6YTBOI");
    }

    #[test]
    fn codes_match_their_time_step_only() {
        let secret = base32_encode(b"12345678901234567890");
        let t = totp(&secret).unwrap();
        let now = time::OffsetDateTime::now_utc().unix_timestamp() as u64;
        let code = t.generate(now);
        assert_eq!(matching_step(&secret, &code).unwrap(), Some((now / 30) as i64));
        assert_eq!(matching_step(&secret, &format!(" {} {} ", &code[..3], &code[3..])).unwrap(), Some((now / 30) as i64));
        assert_eq!(matching_step(&secret, &t.generate(now - 300)).unwrap(), None, "an old code");
        assert_eq!(matching_step(&secret, "12345").unwrap(), None);
        // RFC 6238's SHA-1 vector (T = 59 s), six digits.
        assert_eq!(t.generate(59), "287082");
    }

    #[test]
    fn recovery_codes_are_random_and_compared_loosely() {
        let (codes, hashes) = new_codes();
        assert_eq!(codes.len(), 10);
        assert_eq!(codes[0].len(), 19);
        assert_ne!(codes[0], codes[1]);
        assert_eq!(hash_code(&codes[0].to_uppercase().replace('-', " ")), hashes[0]);
    }
}

/// `reset` of the person with this email (the command line names people by email).
pub async fn reset_by_email(db: &Db, actor: &Actor, email: &str) -> Result<UserRow> {
    let person = store::users::by_email(db, &actor.org_id, email).await?.ok_or_else(|| Error::not_found(format!("There is no one with the email {} in this organization.", email.trim())))?;
    reset(db, actor, &person.id).await
}
