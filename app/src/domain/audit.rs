//! The actions the audit log records, with the words an admin reads.

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
    SIGN_OUT = "auth.sign_out", "Signed out";
    ACCESS_DENIED = "auth.access_denied", "Access denied";
    USER_CREATED = "user.created", "User created";
    TEAM_CREATED = "team.created", "Team created";
}

pub fn label(key: &str) -> &str {
    ALL.iter().find(|a| a.key == key).map(|a| a.label).unwrap_or(key)
}
