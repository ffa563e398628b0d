//! Authenticator apps and recovery codes.
use super::{now, Conn, Db};

/// Keeps a person's authenticator app (its sealed key) and, in place of any
/// earlier ones, their recovery codes (hashed); `step` is the time step of
/// the code that confirmed it, which cannot be used again. Only for a person
/// with no app: false (and nothing written) when they have one.
pub async fn enable(conn: &mut Conn, org_id: &str, user_id: &str, sealed_secret: &str, step: i64, code_hashes: &[String]) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "UPDATE users SET mfa_secret = $1, mfa_enabled_at = $2, mfa_last_step = $3, mfa_email_code = NULL, mfa_email_code_until = NULL WHERE org_id = $4 AND id = $5 AND mfa_secret IS NULL",
    )
    .bind(sealed_secret)
    .bind(now())
    .bind(step)
    .bind(org_id)
    .bind(user_id)
    .execute(&mut *conn)
    .await?;
    if r.rows_affected() != 1 {
        return Ok(false);
    }
    replace_codes(conn, org_id, user_id, code_hashes).await?;
    Ok(true)
}

/// Removes a person's authenticator app and recovery codes.
pub async fn disable(conn: &mut Conn, org_id: &str, user_id: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET mfa_secret = NULL, mfa_enabled_at = NULL, mfa_last_step = 0 WHERE org_id = $1 AND id = $2").bind(org_id).bind(user_id).execute(&mut *conn).await?;
    exec!(&mut *conn, "DELETE FROM mfa_recovery_codes WHERE org_id = $1 AND user_id = $2", org_id, user_id)
}

pub async fn replace_codes(conn: &mut Conn, org_id: &str, user_id: &str, code_hashes: &[String]) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM mfa_recovery_codes WHERE org_id = $1 AND user_id = $2").bind(org_id).bind(user_id).execute(&mut *conn).await?;
    for h in code_hashes {
        sqlx::query("INSERT INTO mfa_recovery_codes (org_id, user_id, code_hash) VALUES ($1, $2, $3)").bind(org_id).bind(user_id).bind(h).execute(&mut *conn).await?;
    }
    Ok(())
}

/// Accepts the code of time step `step` unless a code of that step or a
/// later one was accepted before: true when it is the first (one statement,
/// so two requests with one code cannot both succeed).
pub async fn use_step(conn: &mut Conn, org_id: &str, user_id: &str, step: i64) -> sqlx::Result<bool> {
    let r = sqlx::query("UPDATE users SET mfa_last_step = $1 WHERE org_id = $2 AND id = $3 AND mfa_last_step < $1").bind(step).bind(org_id).bind(user_id).execute(&mut *conn).await?;
    Ok(r.rows_affected() == 1)
}

/// Uses a recovery code: true when it was one of the person's, unused.
pub async fn use_recovery_code(conn: &mut Conn, org_id: &str, user_id: &str, code_hash: &str) -> sqlx::Result<bool> {
    let r = sqlx::query("UPDATE mfa_recovery_codes SET used_at = $1 WHERE org_id = $2 AND user_id = $3 AND code_hash = $4 AND used_at IS NULL")
        .bind(now())
        .bind(org_id)
        .bind(user_id)
        .bind(code_hash)
        .execute(&mut *conn)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// How many unused recovery codes a person has.
pub async fn codes_left(db: &Db, org_id: &str, user_id: &str) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM mfa_recovery_codes WHERE org_id = $1 AND user_id = $2 AND used_at IS NULL").bind(org_id).bind(user_id).fetch_one(db).await
}

/// Keeps a person's new email code (its keyed hash) until `until`, in place of any earlier one.
pub async fn set_email_code(conn: &mut Conn, org_id: &str, user_id: &str, code_tag: &str, until: &str) -> sqlx::Result<()> {
    exec!(&mut *conn, "UPDATE users SET mfa_email_code = $1, mfa_email_code_until = $2 WHERE org_id = $3 AND id = $4", code_tag, until, org_id, user_id)
}

/// Uses the person's email code: true when `code_tag` is theirs and still
/// valid. One statement, so two requests with one code cannot both succeed.
pub async fn use_email_code(conn: &mut Conn, org_id: &str, user_id: &str, code_tag: &str) -> sqlx::Result<bool> {
    let sql = "UPDATE users SET mfa_email_code = NULL, mfa_email_code_until = NULL WHERE org_id = $1 AND id = $2 AND mfa_email_code = $3 AND mfa_email_code_until > $4";
    Ok(affected!(&mut *conn, sql, org_id, user_id, code_tag, now())? == 1)
}
