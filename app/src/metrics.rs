//! What Gatehouse counts for its operators, under Prometheus names. Code
//! anywhere records through these functions; the server decides whether the
//! numbers are exported (`GATEHOUSE_METRICS_BIND`). Until an exporter is
//! installed, recording does nothing.
//!
//! Labels take values from small fixed sets (route templates, never paths;
//! outcomes, never messages), so the number of series stays bounded.
use ::metrics::{counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram, Unit};
use std::time::Instant;

pub const HTTP_REQUESTS: &str = "gatehouse_http_requests_total";
pub const HTTP_DURATION: &str = "gatehouse_http_request_duration_seconds";
pub const SCIM_OPERATIONS: &str = "gatehouse_scim_operations_total";
pub const SIGN_INS: &str = "gatehouse_sign_ins_total";
pub const SAML_FAILURES: &str = "gatehouse_saml_failures_total";
pub const OIDC_FAILURES: &str = "gatehouse_oidc_failures_total";
pub const IP_REFUSED: &str = "gatehouse_ip_refused_total";
pub const EXPORTS: &str = "gatehouse_exports_total";
pub const EXPORT_BYTES: &str = "gatehouse_export_bytes_total";
pub const DB_POOL_CONNECTIONS: &str = "gatehouse_db_pool_connections";
pub const DB_POOL_MAX: &str = "gatehouse_db_pool_max_connections";
pub const SQLITE_WRITER_QUEUE: &str = "gatehouse_sqlite_writer_queue_depth";
pub const SQLITE_WRITER_WAIT: &str = "gatehouse_sqlite_writer_wait_seconds";
pub const DB_DISCARDED_IN_TRANSACTION: &str = "gatehouse_db_connections_discarded_in_transaction_total";
pub const PASSWORD_HASHES_RUNNING: &str = "gatehouse_password_hashes_running";
pub const STATISTICS_REFRESHED: &str = "gatehouse_db_statistics_refreshed_total";
pub const MAIL_SENT: &str = "gatehouse_mail_sent_total";
pub const MAIL_FAILED: &str = "gatehouse_mail_given_up_total";
pub const IDP_CERTIFICATE_EXPIRY: &str = "gatehouse_idp_certificate_expiry_seconds";

/// Help texts, shown once per metric in the exported text.
pub fn describe() {
    describe_counter!(MAIL_SENT, "Mail delivered to the mail server (invitations, reset links, sign-in notices).");
    describe_counter!(MAIL_FAILED, "Mail given up: refused for good, or its link expired before it could be sent.");
    describe_counter!(HTTP_REQUESTS, "HTTP requests answered, by method, route template and status code.");
    describe_histogram!(HTTP_DURATION, Unit::Seconds, "Time from a request's arrival to its response headers, by method, route template and status code.");
    describe_counter!(SCIM_OPERATIONS, "SCIM requests, by resource, operation and outcome.");
    describe_counter!(SIGN_INS, "Sign-in attempts, by method (password, sso) and outcome.");
    describe_counter!(SAML_FAILURES, "SSO sign-ins that failed, by reason.");
    describe_counter!(OIDC_FAILURES, "OpenID Connect sign-ins that failed, by reason.");
    describe_counter!(IP_REFUSED, "Requests refused because their address is not on the organization's allowed IP addresses, by scope (app, scim).");
    describe_counter!(EXPORTS, "Exports (downloads and webhooks), by format and outcome.");
    describe_counter!(EXPORT_BYTES, Unit::Bytes, "Bytes of exported files, by format.");
    describe_gauge!(DB_POOL_CONNECTIONS, "Database connections of this process, by state (idle, in_use).");
    describe_gauge!(DB_POOL_MAX, "The most database connections this process opens.");
    describe_gauge!(SQLITE_WRITER_QUEUE, "Write transactions waiting for this process's SQLite writer lock.");
    describe_histogram!(SQLITE_WRITER_WAIT, Unit::Seconds, "Time a write transaction waited for this process's SQLite writer lock.");
    describe_counter!(STATISTICS_REFRESHED, "Times the query planner's statistics were refreshed because the people tables changed size (a bulk load).");
    describe_counter!(DB_DISCARDED_IN_TRANSACTION, "Database connections closed because they came back to the pool inside a transaction (work cut off mid-way; the transaction rolled back).");
    describe_gauge!(IDP_CERTIFICATE_EXPIRY, "Seconds until an organization's identity provider certificate expires (negative: expired), by organization and certificate (current, next).");
    describe_gauge!(PASSWORD_HASHES_RUNNING, "Password hashes and checks running now (bounded by the hashing limit).");
}

/// Whether an exporter was installed: what costs something to record (the
/// labels of every request) is skipped until then.
static ENABLED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Called by the server once it has installed an exporter.
pub fn enable() {
    ENABLED.store(true, std::sync::atomic::Ordering::Relaxed);
}

pub fn http_request(method: &str, route: &str, status: u16, seconds: f64) {
    if !ENABLED.load(std::sync::atomic::Ordering::Relaxed) {
        return;
    }
    let labels = [("method", method.to_string()), ("route", route.to_string()), ("status", status.to_string())];
    counter!(HTTP_REQUESTS, &labels).increment(1);
    histogram!(HTTP_DURATION, &labels).record(seconds);
}

/// `method`: password or sso; `outcome`: success, failure, refused, rate_limited, error.
pub fn sign_in(method: &'static str, outcome: &'static str) {
    counter!(SIGN_INS, "method" => method, "outcome" => outcome).increment(1);
}

/// `resource`: Users, Groups, …; `operation`: list, get, create, replace,
/// patch, delete, search; `outcome`: success, invalid, unauthorized,
/// not_found, conflict, error.
pub fn scim_operation(resource: &'static str, operation: &'static str, outcome: &'static str) {
    counter!(SCIM_OPERATIONS, "resource" => resource, "operation" => operation, "outcome" => outcome).increment(1);
}

pub fn ip_refused(scope: &'static str) {
    counter!(IP_REFUSED, "scope" => scope).increment(1);
}

pub fn saml_failure(reason: &'static str) {
    counter!(SAML_FAILURES, "reason" => reason).increment(1);
}

/// A failed OpenID Connect sign-in, by kind (`oidc::page::Failure::kind`).
pub fn oidc_failure(reason: &'static str) {
    counter!(OIDC_FAILURES, "reason" => reason).increment(1);
}

/// An export that ended: `outcome` is complete, cancelled or failed; `bytes` what was sent.
pub fn export(format: &'static str, outcome: &'static str, bytes: u64) {
    counter!(EXPORTS, "format" => format, "outcome" => outcome).increment(1);
    counter!(EXPORT_BYTES, "format" => format).increment(bytes);
}

static DISCARDED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// A pooled connection came back inside a transaction and was closed.
pub fn connection_discarded_in_transaction() {
    DISCARDED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    counter!(DB_DISCARDED_IN_TRANSACTION).increment(1);
}

static REFRESHED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// The planner's statistics were refreshed after a bulk load.
pub fn statistics_refreshed() {
    REFRESHED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    counter!(STATISTICS_REFRESHED).increment(1);
}

/// How many times this process refreshed the statistics.
pub fn statistics_refreshes() -> u64 {
    REFRESHED.load(std::sync::atomic::Ordering::Relaxed)
}

/// How many connections this process closed for coming back inside a transaction.
pub fn connections_discarded_in_transaction() -> u64 {
    DISCARDED.load(std::sync::atomic::Ordering::Relaxed)
}

/// A write transaction waiting for the SQLite writer lock, from `enter` until dropped.
pub struct WriterQueued(Instant);

impl WriterQueued {
    pub fn enter() -> WriterQueued {
        gauge!(SQLITE_WRITER_QUEUE).increment(1.0);
        WriterQueued(Instant::now())
    }
}

impl Drop for WriterQueued {
    fn drop(&mut self) {
        gauge!(SQLITE_WRITER_QUEUE).decrement(1.0);
        histogram!(SQLITE_WRITER_WAIT).record(self.0.elapsed().as_secs_f64());
    }
}
