//! Attempt budgets for signing in: a fixed window per key, counted
//! atomically. An attempt takes a slot before the password is checked, so
//! requests that arrive together cannot all get through; an attempt the
//! limit refuses does not move the window, so it ends on time.
use super::{format_time, Conn, Timestamp};
use sqlx::Row;

/// A slot taken, or when the key's window ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot {
    Taken,
    /// Refused: the window ends in this many seconds.
    Full {
        retry_after_secs: u64,
    },
}

/// Takes one of `limit` slots of `key` in the current window of `window`.
pub async fn take(conn: &mut Conn, org_id: &str, key: &str, limit: i64, window: time::Duration) -> sqlx::Result<Slot> {
    let now = time::OffsetDateTime::now_utc();
    let cutoff = format_time(now - window);
    // attempts stops at limit + 1: refused attempts change nothing after that.
    let row = sqlx::query(
        "INSERT INTO sign_in_limits (org_id, limit_key, window_start, attempts) VALUES ($1, $2, $3, 1) \
         ON CONFLICT (org_id, limit_key) DO UPDATE SET \
           attempts = CASE WHEN sign_in_limits.window_start < $4 THEN 1 \
                           WHEN sign_in_limits.attempts <= $5 THEN sign_in_limits.attempts + 1 \
                           ELSE sign_in_limits.attempts END, \
           window_start = CASE WHEN sign_in_limits.window_start < $4 THEN $3 ELSE sign_in_limits.window_start END \
         RETURNING attempts, window_start",
    )
    .bind(org_id)
    .bind(key)
    .bind(format_time(now))
    .bind(&cutoff)
    .bind(limit)
    .fetch_one(&mut *conn)
    .await?;
    let attempts: i64 = row.try_get("attempts")?;
    if attempts <= limit {
        return Ok(Slot::Taken);
    }
    let start = Timestamp::try_from(row.try_get::<String, _>("window_start")?).map(Timestamp::get).unwrap_or(now);
    let left = (start + window - now).whole_seconds().max(1) as u64;
    Ok(Slot::Full { retry_after_secs: left })
}

/// Whether `key` is at its limit in the current window, read without writing:
/// a request the limit will refuse is refused without a write transaction
/// (the refusals of a flood write nothing). `Full` says when the window ends.
pub async fn peek(db: &super::Db, org_id: &str, key: &str, limit: i64, window: time::Duration) -> sqlx::Result<Slot> {
    let now = time::OffsetDateTime::now_utc();
    let row: Option<(i64, String)> = sqlx::query_as("SELECT attempts, window_start FROM sign_in_limits WHERE org_id = $1 AND limit_key = $2").bind(org_id).bind(key).fetch_optional(db).await?;
    let Some((attempts, start)) = row else {
        return Ok(Slot::Taken);
    };
    let Ok(start) = Timestamp::try_from(start).map(Timestamp::get) else {
        return Ok(Slot::Taken);
    };
    if attempts <= limit || start + window <= now {
        return Ok(Slot::Taken);
    }
    Ok(Slot::Full { retry_after_secs: (start + window - now).whole_seconds().max(1) as u64 })
}

/// Gives a slot back (the attempt did not count: another limit refused it, or it succeeded).
pub async fn give_back(conn: &mut Conn, org_id: &str, key: &str) -> sqlx::Result<()> {
    exec!(&mut *conn, "UPDATE sign_in_limits SET attempts = attempts - 1 WHERE org_id = $1 AND limit_key = $2 AND attempts > 0", org_id, key)
}

/// Forgets a key's attempts (the person proved who they are).
pub async fn clear(conn: &mut Conn, org_id: &str, key: &str) -> sqlx::Result<()> {
    exec!(&mut *conn, "DELETE FROM sign_in_limits WHERE org_id = $1 AND limit_key = $2", org_id, key)
}

/// Deletes windows that ended long ago. Safe when every instance runs it at once.
pub async fn clean_up(conn: &mut Conn, older_than: time::Duration) -> sqlx::Result<()> {
    exec!(&mut *conn, "DELETE FROM sign_in_limits WHERE window_start < $1", format_time(time::OffsetDateTime::now_utc() - older_than))
}
