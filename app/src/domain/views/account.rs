//! Administration > Account and Audit log.
use serde::{Deserialize, Serialize};

/// Administration > Account.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AccountDetails {
    pub org_name: String,
    pub org_slug: String,
    pub account_url: String,
    pub base_url: String,
    pub deployment: String,
    pub version: String,
    pub database: String,
    pub created_at: String,
    pub user_count: i64,
    pub admin_count: i64,
    /// Days the audit log keeps events, whether the organization chose it, and the server's default.
    pub audit_retention_days: i64,
    pub audit_retention_chosen: bool,
    pub audit_retention_default: i64,
}

/// One row of the audit log: what is stored, and the same in words.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditEventView {
    pub id: String,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub action_label: String,
    pub target: String,
    pub detail: String,
    pub ip: String,
    /// Who acted, by name when they are a person of the organization, with their email.
    pub who: String,
    pub who_email: Option<String>,
    /// The event in one sentence ("Changed Riley Chen's account type from Viewer to Creator").
    pub sentence: crate::domain::audit::Sentence,
    /// A counted refusal: how many times it happened in its window (1 for other events)…
    pub repeat_count: i64,
    /// …and the latest of them, when more than one.
    pub last_at: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditPage {
    pub events: Vec<AuditEventView>,
    pub page: u32,
    pub page_count: u32,
    pub total: i64,
    /// Every action that can be filtered on, with its label.
    pub actions: Vec<(String, String)>,
}

/// Administration > Account > Mail: whether mail is set up, and how it is doing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MailStatus {
    pub set_up: bool,
    /// "smtp.example.com:587 (STARTTLS)".
    pub server: String,
    pub from: String,
    /// Messages waiting to be sent, and the last error of one of them.
    pub waiting: i64,
    pub last_error: Option<String>,
    /// Where the test mail goes: the admin's own address.
    pub test_to: String,
}
