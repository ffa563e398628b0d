//! Mail waiting to be sent (see migrations/20261206100020_mail_outbox.sql).
use super::{format_time, new_id, now, Conn, Db};

/// A message in the product's words, in plain text and HTML (`service::mail::messages` writes them).
#[derive(Clone, Debug)]
pub struct Message {
    pub kind: &'static str,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// Not sent after this time (the link in it no longer works).
    pub send_before: Option<super::Timestamp>,
}

/// Queues `m` for the organization `org_id`; its id.
pub async fn insert(conn: &mut Conn, org_id: &str, m: &Message) -> sqlx::Result<String> {
    let id = new_id();
    let sql = "INSERT INTO mail_outbox (id, org_id, kind, recipient, subject, text_body, html_body, created_at, send_before, next_attempt_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $8)";
    exec!(&mut *conn, sql, &id, org_id, m.kind, &m.to, &m.subject, &m.text, &m.html, now(), m.send_before.map(|t| t.to_string()))?;
    Ok(id)
}

row! {
    /// A queued message, claimed for sending.
    #[derive(Clone, Debug)]
    pub struct Queued {
        pub id: String,
        pub kind: String,
        pub recipient: String,
        pub subject: String,
        pub text_body: String,
        pub html_body: String,
        pub send_before: Option<super::Timestamp> = typed_opt,
        pub attempts: i64,
    }
}

/// Messages due now that no instance holds, oldest first.
pub async fn due(db: &Db, limit: i64) -> sqlx::Result<Vec<String>> {
    let at = now();
    sqlx::query_scalar(&format!(
        "SELECT id FROM mail_outbox WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1 \
         AND (claimed_until IS NULL OR claimed_until < $1) ORDER BY next_attempt_at LIMIT {limit}"
    ))
    .bind(at)
    .fetch_all(db)
    .await
}

/// Takes the message for sending until `until` and counts the attempt; None
/// when another instance took it, or it was sent, meanwhile.
pub async fn claim(conn: &mut Conn, id: &str, until: time::OffsetDateTime) -> sqlx::Result<Option<Queued>> {
    let at = now();
    sqlx::query_as(
        "UPDATE mail_outbox SET claimed_until = $1, attempts = attempts + 1 WHERE id = $2 AND sent_at IS NULL AND failed_at IS NULL \
         AND (claimed_until IS NULL OR claimed_until < $3) \
         RETURNING id, kind, recipient, subject, text_body, html_body, send_before, attempts",
    )
    .bind(format_time(until))
    .bind(id)
    .bind(at)
    .fetch_optional(&mut *conn)
    .await
}

/// Sent: the bodies go (a reset link is a secret), the record stays.
pub async fn mark_sent(conn: &mut Conn, id: &str) -> sqlx::Result<()> {
    exec!(&mut *conn, "UPDATE mail_outbox SET sent_at = $1, claimed_until = NULL, text_body = '', html_body = '', last_error = NULL WHERE id = $2", now(), id)
}

/// Not sent this time: tried again at `next`.
pub async fn retry_at(conn: &mut Conn, id: &str, next: time::OffsetDateTime, error: &str) -> sqlx::Result<()> {
    exec!(&mut *conn, "UPDATE mail_outbox SET next_attempt_at = $1, claimed_until = NULL, last_error = $2 WHERE id = $3", format_time(next), error, id)
}

/// Given up (too late, or refused for good): the bodies go too.
pub async fn give_up(conn: &mut Conn, id: &str, error: &str) -> sqlx::Result<()> {
    exec!(&mut *conn, "UPDATE mail_outbox SET failed_at = $1, claimed_until = NULL, text_body = '', html_body = '', last_error = $2 WHERE id = $3", now(), error, id)
}

/// Deletes the records of messages sent or given up more than `days` ago.
pub async fn clean_up(conn: &mut Conn, days: i64) -> sqlx::Result<()> {
    exec!(&mut *conn, "DELETE FROM mail_outbox WHERE (sent_at IS NOT NULL OR failed_at IS NOT NULL) AND created_at < $1", super::ago(time::Duration::days(days)))
}

/// How many of the organization's messages wait to be sent, and the latest error among them.
pub async fn waiting(db: &Db, org_id: &str) -> sqlx::Result<(i64, Option<String>)> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM mail_outbox WHERE org_id = $1 AND sent_at IS NULL AND failed_at IS NULL").bind(org_id).fetch_one(db).await?;
    let last: Option<Option<String>> = sqlx::query_scalar("SELECT last_error FROM mail_outbox WHERE org_id = $1 AND sent_at IS NULL AND last_error IS NOT NULL ORDER BY next_attempt_at DESC LIMIT 1")
        .bind(org_id)
        .fetch_optional(db)
        .await?;
    Ok((n, last.flatten()))
}
