//! Mail, when the operator sets it up (`GATEHOUSE_SMTP_*`): invitations,
//! password reset links, a notice of each sign-in from a new browser, and a
//! test mail from Administration > Account.
//!
//! A message is queued in the database (`store::outbox`) inside the
//! transaction that decides it, so it exists exactly when that change does;
//! a request never talks to the mail server. A sender task (`spawn_sender`,
//! started by the server) delivers the queue over SMTP with `lettre`: a mail
//! server that is down or slow costs the requests nothing and loses nothing —
//! a failed attempt is tried again after 1×, 2×, 4× … the retry base (at
//! most an hour apart) for a day, and a message whose link expired first is
//! given up. Several instances share the queue: each claims a message for two
//! minutes before sending it. Once sent (or given up), a message's bodies are
//! emptied: a reset link is a secret, and the queue keeps only the record.
//! Without mail set up nothing is queued, and links are shown to copy as before.
pub mod messages;

use super::{Error, Result};
use crate::service::state::Config;
use crate::service::store::{self, outbox, Conn, Db, Timestamp};
use std::sync::OnceLock;
use std::time::Duration;

/// How the server reaches its mail server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Security {
    /// Plain connection upgraded with STARTTLS (port 587); refused without it.
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only for a relay on the same machine or network (port 25).
    None,
}

impl Security {
    pub fn parse(s: &str) -> std::result::Result<Security, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "starttls" => Ok(Security::StartTls),
            "tls" => Ok(Security::Tls),
            "none" => Ok(Security::None),
            other => Err(format!("“{other}” is not a mail security: use starttls, tls or none")),
        }
    }
    pub fn default_port(self) -> u16 {
        match self {
            Security::StartTls => 587,
            Security::Tls => 465,
            Security::None => 25,
        }
    }
}

/// The operator's SMTP settings.
#[derive(Clone)]
pub struct Settings {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub user: Option<String>,
    /// Read from the file the operator names (`GATEHOUSE_SMTP_PASSWORD_FILE`).
    pub password: Option<String>,
    /// The sender, as "Name <address>" or an address.
    pub from: String,
    /// The wait before the first retry; each later one waits twice as long (at most an hour).
    pub retry_base: Duration,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "…"))
            .field("from", &self.from)
            .finish()
    }
}

impl Settings {
    /// Checks what can be checked before the first message: the From address.
    pub fn check(&self) -> std::result::Result<(), String> {
        self.from
            .parse::<lettre::message::Mailbox>()
            .map(|_| ())
            .map_err(|e| format!("the mail sender “{}” is not an address (GATEHOUSE_MAIL_FROM, e.g. “Gatehouse <gatehouse@example.com>”): {e}", self.from))
    }
}

/// How long a claimed message is held by the instance sending it.
const CLAIM: time::Duration = time::Duration::minutes(2);
/// Attempts before a message is given up: with waits doubling up to an hour, about a day.
const MAX_ATTEMPTS: i64 = 30;
/// How often the sender looks at the queue when nothing wakes it.
const POLL: Duration = Duration::from_secs(5);

pub use crate::service::store::outbox::Message;

/// Whether mail is set up on this server.
pub fn is_set_up(config: &Config) -> bool {
    config.mail.is_some()
}

/// Queues `m` in the caller's transaction when mail is set up; false when it is not.
pub async fn queue(conn: &mut Conn, config: &Config, org_id: &str, m: &Message) -> Result<bool> {
    if !is_set_up(config) {
        return Ok(false);
    }
    outbox::insert(conn, org_id, m).await?;
    Ok(true)
}

/// Tells `user` their password was changed (`how`: "on Profile", "with a
/// reset link"), in the caller's transaction; `wake` after it commits.
pub async fn queue_password_changed(conn: &mut Conn, config: &Config, org: &crate::service::access::Org, to: &str, ip: &str, how: &str) -> Result<bool> {
    let sign_in = format!("{}/{}/login", config.base_url, org.slug);
    queue(conn, config, &org.id, &messages::password_changed(&org.name, to, Timestamp::now(), ip, how, &sign_in)).await
}

fn wake_signal() -> &'static tokio::sync::Notify {
    static WAKE: OnceLock<tokio::sync::Notify> = OnceLock::new();
    WAKE.get_or_init(tokio::sync::Notify::new)
}

/// Tells this process's sender that a message was queued (after the commit):
/// it sends at once instead of at its next look.
pub fn wake() {
    // Every sender waiting now (one per app when tests run several in a process) …
    wake_signal().notify_waiters();
    // … and the next one to wait, should it be busy sending at this moment.
    wake_signal().notify_one();
}

type Transport = lettre::AsyncSmtpTransport<lettre::Tokio1Executor>;

fn transport(s: &Settings) -> std::result::Result<Transport, String> {
    use lettre::transport::smtp::authentication::Credentials;
    let builder = match s.security {
        Security::Tls => Transport::relay(&s.host).map_err(|e| e.to_string())?,
        Security::StartTls => Transport::starttls_relay(&s.host).map_err(|e| e.to_string())?,
        Security::None => Transport::builder_dangerous(&s.host),
    };
    let mut builder = builder.port(s.port).timeout(Some(Duration::from_secs(30)));
    if let (Some(user), Some(password)) = (&s.user, &s.password) {
        builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
    }
    Ok(builder.build())
}

fn email(s: &Settings, to: &str, subject: &str, text: &str, html: &str) -> std::result::Result<lettre::Message, String> {
    use lettre::message::{MultiPart, SinglePart};
    let from: lettre::message::Mailbox = s.from.parse().map_err(|e| format!("the sender address: {e}"))?;
    let to: lettre::message::Mailbox = to.parse().map_err(|e| format!("the recipient “{to}”: {e}"))?;
    lettre::Message::builder()
        .from(from)
        .to(to)
        .subject(subject)
        .multipart(MultiPart::alternative().singlepart(SinglePart::plain(text.to_string())).singlepart(SinglePart::html(html.to_string())))
        .map_err(|e| e.to_string())
}

/// The wait before attempt `attempts + 1`: the base, doubled each time, at most an hour.
pub fn backoff(base: Duration, attempts: i64) -> Duration {
    let factor = 1u32 << attempts.clamp(1, 16).saturating_sub(1) as u32;
    base.saturating_mul(factor).min(Duration::from_secs(3600))
}

/// Sends what is due now; returns how many messages were sent.
pub async fn deliver_due(db: &Db, settings: &Settings, transport: &Transport) -> Result<usize> {
    use lettre::AsyncTransport;
    let mut sent = 0;
    for id in outbox::due(db, 20).await? {
        let mut tx = store::begin(db).await?;
        let Some(m) = outbox::claim(&mut tx, &id, time::OffsetDateTime::now_utc() + CLAIM).await? else {
            tx.commit().await?;
            continue;
        };
        tx.commit().await?;
        let result = if m.send_before.is_some_and(|t| t <= Timestamp::now()) {
            Err((true, "not sent in time: the link in it has expired".to_string()))
        } else {
            match email(settings, &m.recipient, &m.subject, &m.text_body, &m.html_body) {
                Err(e) => Err((true, e)),
                Ok(message) => transport.send(message).await.map(|_| ()).map_err(|e| (e.is_permanent(), e.to_string())),
            }
        };
        let mut tx = store::begin(db).await?;
        match result {
            Ok(()) => {
                outbox::mark_sent(&mut tx, &m.id).await?;
                sent += 1;
                metrics::counter!(crate::metrics::MAIL_SENT).increment(1);
            }
            Err((permanent, error)) => {
                let next = time::OffsetDateTime::now_utc() + backoff(settings.retry_base, m.attempts);
                let too_late = m.send_before.is_some_and(|t| t.get() <= next) || m.attempts >= MAX_ATTEMPTS;
                if permanent || too_late {
                    tracing::warn!(kind = %m.kind, error = %error, "mail given up");
                    outbox::give_up(&mut tx, &m.id, &error).await?;
                    metrics::counter!(crate::metrics::MAIL_FAILED).increment(1);
                } else {
                    tracing::warn!(kind = %m.kind, attempts = m.attempts, error = %error, "mail not sent; trying again later");
                    outbox::retry_at(&mut tx, &m.id, next, &error).await?;
                }
            }
        }
        tx.commit().await?;
    }
    Ok(sent)
}

/// The sender task; it stops when this is dropped.
pub struct Sender(tokio::task::JoinHandle<()>);

impl Drop for Sender {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Starts delivering the queue in the background (see the module's comment).
pub fn spawn_sender(db: Db, settings: Settings) -> std::result::Result<Sender, String> {
    settings.check()?;
    let transport = transport(&settings)?;
    Ok(Sender(tokio::spawn(async move {
        loop {
            if let Err(e) = deliver_due(&db, &settings, &transport).await {
                tracing::warn!(error = %e.message, "could not read the mail queue");
            }
            let _ = tokio::time::timeout(POLL, wake_signal().notified()).await;
        }
    })))
}

/// Sends `m` now, not through the queue: the Account page's test mail, whose
/// sender wants to know at once whether the settings work.
pub async fn send_now(settings: &Settings, m: &Message) -> Result<()> {
    use lettre::AsyncTransport;
    let failed = |e: String| Error::new(super::Kind::Upstream, format!("The mail server did not take the test mail: {e}. Check the GATEHOUSE_SMTP_* settings and the server's log."));
    let transport = transport(settings).map_err(failed)?;
    let message = email(settings, &m.to, &m.subject, &m.text, &m.html).map_err(failed)?;
    match tokio::time::timeout(Duration::from_secs(20), transport.send(message)).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(failed(e.to_string())),
        Err(_) => Err(failed("no answer within 20 seconds".into())),
    }
}

/// Test mails an organization may send in the sign-in window (15 minutes).
const TEST_MAILS_PER_WINDOW: i64 = 5;

/// Administration > Account > Mail.
pub async fn status(db: &Db, config: &Config, c: &crate::service::access::Caller) -> Result<crate::domain::views::MailStatus> {
    let (waiting, last_error) = outbox::waiting(db, &c.org.id).await?;
    Ok(match &config.mail {
        None => crate::domain::views::MailStatus { set_up: false, server: String::new(), from: String::new(), waiting, last_error, test_to: c.user.email.clone() },
        Some(s) => crate::domain::views::MailStatus {
            set_up: true,
            server: format!(
                "{}:{} ({})",
                s.host,
                s.port,
                match s.security {
                    Security::StartTls => "STARTTLS",
                    Security::Tls => "TLS",
                    Security::None => "no encryption",
                }
            ),
            from: s.from.clone(),
            waiting,
            last_error,
            test_to: c.user.email.clone(),
        },
    })
}

/// Sends a test mail to the administrator now (not through the queue: they
/// want to know at once whether the settings work), a few per window. Audited.
pub async fn send_test(db: &Db, config: &Config, c: &crate::service::access::Caller) -> Result<()> {
    let Some(settings) = &config.mail else {
        return Err(Error::conflict("Mail is not set up on this server: its operator sets GATEHOUSE_SMTP_HOST and GATEHOUSE_MAIL_FROM (docs/operations.md)."));
    };
    let window = time::Duration::minutes(crate::service::sign_in::WINDOW_MINUTES);
    let key = "test-mail";
    let full = |secs: u64| Error::rate_limited(format!("{TEST_MAILS_PER_WINDOW} test mails were sent in the last minutes. Try again in {} minutes.", secs.div_ceil(60)), secs);
    let mut tx = store::begin(db).await?;
    if let store::sign_in_limits::Slot::Full { retry_after_secs } = store::sign_in_limits::take(&mut tx, &c.org.id, key, TEST_MAILS_PER_WINDOW, window).await? {
        tx.commit().await?;
        return Err(full(retry_after_secs));
    }
    tx.commit().await?;
    let sent = send_now(settings, &messages::test(&c.org.name, &c.user.email, &config.base_url)).await;
    let detail = match &sent {
        Ok(()) => format!("to {} through {}", c.user.email, settings.host),
        Err(e) => format!("to {} through {}: failed: {}", c.user.email, settings.host, e.message),
    };
    let mut tx = store::begin(db).await?;
    store::audit::record(&mut tx, c.actor().event(crate::domain::audit::MAIL_TEST, &c.user.email, detail)).await?;
    tx.commit().await?;
    sent
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_twice_as_long_each_time_up_to_an_hour() {
        let base = Duration::from_secs(30);
        assert_eq!(backoff(base, 1), Duration::from_secs(30));
        assert_eq!(backoff(base, 2), Duration::from_secs(60));
        assert_eq!(backoff(base, 4), Duration::from_secs(240));
        assert_eq!(backoff(base, 12), Duration::from_secs(3600));
    }

    #[test]
    fn security_names() {
        assert_eq!(Security::parse("STARTTLS"), Ok(Security::StartTls));
        assert_eq!(Security::parse("tls").map(Security::default_port), Ok(465));
        assert!(Security::parse("ssl3").is_err());
    }
}
