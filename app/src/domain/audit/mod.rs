//! The actions the audit log records, with the words an admin reads: each
//! action's label (the Action filter), what a row stores about a change
//! (`detail`), and the row as one sentence (`sentence`).
pub mod detail;
mod sentence;

pub use sentence::{describe, who, Known, People, Piece, Sentence, Stored};

pub struct AuditAction {
    pub key: &'static str,
    pub label: &'static str,
}

macro_rules! actions {
    ($($name:ident = $key:literal, $label:literal;)*) => {
        $(pub const $name: &str = $key;)*
        pub const ALL: &[AuditAction] = &[$(AuditAction { key: $key, label: $label }),*];
    };
}

actions! {
    SETUP = "org.setup", "Organization set up";
    ORG_UPDATED = "org.updated", "Account settings changed";
    SIGN_IN = "auth.sign_in", "Signed in";
    SIGN_IN_FAILED = "auth.sign_in_failed", "Sign-in failed";
    SSO_FAILED = "auth.sso_failed", "SSO sign-in failed";
    SIGN_OUT = "auth.sign_out", "Signed out";
    SSO_TESTED = "auth.sso_tested", "Single sign-on tested";
    AUTH_SETTINGS_CHANGED = "auth.settings_changed", "Authentication settings changed";
    AUTH_RESET = "auth.reset", "Authentication reset to password (break-glass)";
    ACCESS_DENIED = "auth.access_denied", "Access denied";
    MFA_ENABLED = "mfa.enabled", "Authenticator app set up";
    MFA_REMOVED = "mfa.removed", "Authenticator app removed";
    MFA_RESET = "mfa.reset", "Multi-factor authentication reset";
    MFA_CODES_RENEWED = "mfa.recovery_codes", "Recovery codes renewed";
    ACCOUNT_TYPE_CREATED = "account_type.created", "Account type created";
    ACCOUNT_TYPE_UPDATED = "account_type.updated", "Account type changed";
    ACCOUNT_TYPE_DELETED = "account_type.deleted", "Account type deleted";
    INVITE_DEFAULT_CHANGED = "account_type.invite_default", "Invitation default changed";
    USER_CREATED = "user.created", "User created";
    USER_INVITED = "user.invited", "User invited";
    INVITATION_RESENT = "user.invitation_resent", "Invitation link renewed";
    INVITATION_DELETED = "user.invitation_deleted", "Invitation deleted";
    INVITATION_ACCEPTED = "user.invitation_accepted", "Invitation accepted";
    PASSWORD_CHANGED = "user.password_changed", "Password changed";
    PASSWORD_RESET_ISSUED = "user.password_reset_issued", "Password reset link created";
    PASSWORD_RESET_REQUESTED = "user.password_reset_requested", "Password reset asked for";
    PASSWORD_RESET = "user.password_reset", "Password reset with a link";
    USER_UPDATED_BY_IDP = "user.updated_by_idp", "User updated by the identity provider";
    USER_REPROVISIONED = "user.reprovisioned", "User provisioned again by the identity provider";
    USER_LINKED = "user.linked", "User linked to the identity provider";
    USER_ACCOUNT_TYPE_CHANGED = "user.account_type_changed", "Account type of a user changed";
    USER_DEACTIVATED = "user.deactivated", "User deactivated";
    USER_REACTIVATED = "user.reactivated", "User reactivated";
    TEAM_CREATED = "team.created", "Team created";
    TEAM_UPDATED = "team.updated", "Team changed";
    TEAM_DEACTIVATED = "team.deactivated", "Team deactivated";
    TEAM_REACTIVATED = "team.reactivated", "Team reactivated";
    TEAM_REPROVISIONED = "team.reprovisioned", "Team provisioned again by the identity provider";
    TEAM_LINKED = "team.linked", "Team linked to the identity provider";
    TEAM_MEMBER_ADDED = "team.member_added", "Added to a team";
    TEAM_MEMBER_REMOVED = "team.member_removed", "Removed from a team";
    TEAM_ADMIN_ADDED = "team.admin_added", "Team admin added";
    TEAM_ADMIN_REMOVED = "team.admin_removed", "Team admin removed";
    TEAM_VISIBILITY_CHANGED = "team.visibility_changed", "Team made public or private";
    PROVISIONING_TOKEN_CREATED = "provisioning.token_created", "Provisioning token created";
    PROVISIONING_TOKEN_REVOKED = "provisioning.token_revoked", "Provisioning token revoked";
    PROVISIONING_RELEASED = "provisioning.released", "Released from identity provider management";
    DOCUMENT_CREATED = "document.created", "Document created";
    DOCUMENT_UPDATED = "document.updated", "Document changed";
    DOCUMENT_SHARED = "document.shared", "Document shared";
    DOCUMENTS_TRANSFERRED = "document.transferred", "Documents moved to a new owner";
    DATASET_UPLOADED = "dataset.uploaded", "CSV uploaded as a dataset";
    EXPORTED = "document.exported", "Document exported";
    EXPORT_FAILED = "document.export_failed", "Export failed";
    MAIL_TEST = "mail.test", "Test mail sent";
    WEBHOOK_ALLOWED = "webhook.allowed", "Webhook destination allowed";
    WEBHOOK_REMOVED = "webhook.removed", "Webhook destination removed";
    ATTRIBUTE_CREATED = "user_attribute.created", "User attribute defined";
    ATTRIBUTE_UPDATED = "user_attribute.updated", "User attribute changed";
    ATTRIBUTE_VALUE_SET = "user_attribute.value_set", "User attribute value set";
    ATTRIBUTE_TEAM_ORDER = "user_attribute.team_order", "Team priority of a user attribute changed";
    ROW_RULE_CHANGED = "dataset.row_rule", "Row-level security of a dataset changed";
    IP_RANGES_ADDED = "ip_allowlist.added", "Allowed IP addresses added";
    IP_RANGE_REMOVED = "ip_allowlist.removed", "Allowed IP address removed";
    IP_ALLOWLIST_CLEARED = "ip_allowlist.cleared", "Allowed IP addresses cleared (break-glass)";
}

pub fn label(key: &str) -> &str {
    ALL.iter().find(|a| a.key == key).map(|a| a.label).unwrap_or(key)
}
