//! An audit event in one sentence an administrator reads: "Changed Riley
//! Chen's account type from Viewer to Creator". Built when the log is shown,
//! from what each row stores (action, actor, target, detail), so rows written
//! by earlier versions read the same way; a detail this version cannot read
//! still gives a sentence (the action's label and the detail as stored).
use super::detail::{self, change, count_before, parts, permission_list, quoted_change, value, PermissionOrKey};
use super::*;
use crate::domain::words::{and_list, clip, plural};
use crate::domain::AuthMethod;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// One row of the audit log as stored.
#[derive(Clone, Copy, Debug)]
pub struct Stored<'a> {
    pub action: &'a str,
    pub actor: &'a str,
    pub target: &'a str,
    pub detail: &'a str,
}

/// A person the log names, as the organization knows them now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Known {
    pub name: String,
    pub email: String,
}

/// Finds people by email (any case) or id.
pub trait People {
    fn find(&self, key: &str) -> Option<&Known>;
}

impl People for HashMap<String, Known> {
    fn find(&self, key: &str) -> Option<&Known> {
        self.get(&key.trim().to_lowercase())
    }
}

/// The sentence, in pieces: the page shows people by name with their email at hand.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Sentence {
    pub pieces: Vec<Piece>,
    /// The email of the one person the sentence is about, when it names them
    /// by a name (shown under it, and what the person filter matches).
    pub about: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Piece {
    Text(String),
    Person { name: String, email: String },
}

impl Sentence {
    /// The sentence as plain text.
    pub fn text(&self) -> String {
        self.pieces
            .iter()
            .map(|p| match p {
                Piece::Text(t) => t.as_str(),
                Piece::Person { name, .. } => name.as_str(),
            })
            .collect()
    }
}

/// Who acted, as the "Who" column shows them: a name and the email under it,
/// or what the row calls the actor (a provisioning token, a command).
pub fn who(actor: &str, people: &dyn People) -> (String, Option<String>) {
    match people.find(actor) {
        Some(k) if !k.name.is_empty() => (k.name.clone(), Some(k.email.clone())),
        Some(k) => (k.email.clone(), None),
        None if actor == "anonymous" => ("Someone not signed in".into(), None),
        None => (actor.to_string(), None),
    }
}

/// The event in words.
pub fn describe(e: Stored<'_>, people: &dyn People) -> Sentence {
    let w = Words { people, s: Sentence::default() };
    words(e, w).unwrap_or_else(|| fallback(e, people))
}

/// A detail this version cannot read: the action's label, the target, the detail as stored.
fn fallback(e: Stored<'_>, people: &dyn People) -> Sentence {
    let mut w = Words { people, s: Sentence::default() }.t(label(e.action));
    if !e.target.is_empty() {
        w = w.t(": ").name(e.target);
    }
    if !e.detail.is_empty() {
        w = w.t(format!(" ({})", e.detail));
    }
    w.s
}

/// A sentence being written.
struct Words<'p> {
    people: &'p dyn People,
    s: Sentence,
}

impl Words<'_> {
    fn t(mut self, text: impl Into<String>) -> Self {
        let text = text.into();
        match self.s.pieces.last_mut() {
            Some(Piece::Text(last)) => last.push_str(&text),
            _ => self.s.pieces.push(Piece::Text(text)),
        }
        self
    }

    /// A person by email or id: by name when known, else by email; an id
    /// nobody has any more reads "someone no longer here".
    fn person(mut self, key: &str) -> Self {
        let key = key.trim();
        match self.people.find(key) {
            Some(k) => {
                let name = if k.name.is_empty() { k.email.clone() } else { k.name.clone() };
                self.s.pieces.push(Piece::Person { name, email: k.email.clone() });
                self
            }
            None if key.contains('@') => {
                self.s.pieces.push(Piece::Person { name: key.to_string(), email: key.to_string() });
                self
            }
            None if key.is_empty() => self.t("someone"),
            None => self.t("someone no longer here"),
        }
    }

    /// The person the sentence is about: named, and their email shown under it.
    fn subject(mut self, key: &str) -> Self {
        if let Some(k) = self.people.find(key) {
            if !k.name.is_empty() {
                self.s.about = Some(k.email.clone());
            }
        }
        self.person(key)
    }

    fn possessive(self, key: &str, subject: bool) -> Self {
        let w = if subject { self.subject(key) } else { self.person(key) };
        w.t("'s")
    }

    /// A person when the text is an email or a known id, else the text (a team, a token).
    fn name(self, text: &str) -> Self {
        if text.contains('@') || self.people.find(text).is_some() {
            self.person(text)
        } else {
            self.t(text)
        }
    }

    /// People as a list: "Ada, Bo and Cy", the first `MAX_NAMED` of them.
    fn people(mut self, keys: &[&str]) -> Self {
        const MAX_NAMED: usize = 10;
        let named = &keys[..keys.len().min(MAX_NAMED)];
        let more = keys.len() - named.len();
        for (i, k) in named.iter().enumerate() {
            if i > 0 {
                let last = i + 1 == named.len() && more == 0;
                self = self.t(if last { " and " } else { ", " });
            }
            self = self.person(k);
        }
        if more > 0 {
            self = self.t(format!(" and {more} more"));
        }
        self
    }

    /// "Removed their authenticator app" when people act on themselves,
    /// else "Removed Ada Lovelace's authenticator app".
    fn their_or_targets(self, e: Stored<'_>, verb: &str, thing: &str) -> Self {
        if own(e) {
            self.t(format!("{verb} their {thing}"))
        } else {
            self.t(format!("{verb} ")).possessive(e.target, true).t(format!(" {thing}"))
        }
    }

    fn done(self) -> Option<Sentence> {
        Some(self.s)
    }
}

fn own(e: Stored<'_>) -> bool {
    e.actor.eq_ignore_ascii_case(e.target)
}

/// " (by SCIM)" and the like, which the actor column already says.
fn without_by(v: &str) -> &str {
    v.trim_end_matches(" (by SCIM)").trim()
}

fn words(e: Stored<'_>, w: Words<'_>) -> Option<Sentence> {
    let p = parts(e.detail);
    match e.action {
        SETUP => {
            let org = e.detail.split_once('“').and_then(|(_, r)| r.split_once('”')).map(|(n, _)| n);
            let w = match org {
                Some(n) => w.t(format!("Set up the organization {n}")),
                None => w.t("Set up the organization"),
            };
            if e.target.is_empty() {
                w.done()
            } else {
                w.t(" with ").subject(e.target).t(" as its first administrator").done()
            }
        }
        ORG_UPDATED => {
            if let Some((old, new)) = value(&p, "Organization name").and_then(change) {
                w.t(format!("Renamed the organization from {} to {}", old.trim_matches(['“', '”']), new.trim_matches(['“', '”']))).done()
            } else if let Some((old, new)) = value(&p, "Audit log kept for").and_then(change) {
                w.t(format!("Changed how long the audit log keeps events from {old} to {new}")).done()
            } else {
                None
            }
        }
        SIGN_IN => {
            let how = match value(&p, "method") {
                Some("sso") => " with SSO".to_string(),
                Some("oidc") => " with SSO (OpenID Connect)".to_string(),
                Some("password") => " with a password".into(),
                Some("password and authenticator app") => " with a password and an authenticator app".into(),
                Some("password and recovery code") => " with a password and a recovery code".into(),
                Some(other) => format!(" ({other})"),
                None if e.detail.is_empty() => String::new(),
                None => return None,
            };
            let w = w.t(format!("Signed in{how}"));
            if own(e) || e.target.is_empty() {
                w.done()
            } else {
                w.t(" as ").subject(e.target).done()
            }
        }
        SIGN_IN_FAILED | SSO_FAILED => {
            let how = match value(&p, "method") {
                Some("oidc") => "SSO sign-in (OpenID Connect)",
                _ if e.action == SSO_FAILED => "SSO sign-in",
                Some("sso") => "SSO sign-in",
                _ => "Password sign-in",
            };
            let reason = value(&p, "reason")?;
            let w = w.t(format!("{how} failed"));
            let w = if e.target.is_empty() { w } else { w.t(" for ").subject(e.target) };
            let w = w.t(format!(": {reason}"));
            match value(&p, "reference") {
                Some(r) => w.t(format!(" (reference {r})")).done(),
                None => w.done(),
            }
        }
        SIGN_OUT => w.t("Signed out").done(),
        SSO_TESTED => {
            let w = w.t("Tested single sign-on: the identity provider signed in ").subject(e.target);
            if e.detail.is_empty() {
                w.done()
            } else {
                w.t(format!(" ({})", e.detail)).done()
            }
        }
        AUTH_SETTINGS_CHANGED => {
            let clauses: Vec<String> = p.iter().map(|(k, v)| setting_clause(k, v)).collect();
            if clauses.is_empty() {
                return w.t("Saved the authentication settings without changes").done();
            }
            w.t(format!("Changed the authentication settings: {}", clauses.join("; "))).done()
        }
        AUTH_RESET => {
            let before = value(&p, "method").and_then(change).map(|(b, _)| b)?;
            let before = AuthMethod::parse(before).map(|m| m.label()).unwrap_or(before);
            w.t(format!("Set sign-in back to password with the break-glass command (it was {before})")).done()
        }
        ACCESS_DENIED => {
            let (what, why) = match e.detail.split_once(": ") {
                Some((export, why)) if export.starts_with("export ") => {
                    let format = format_name(export.trim_start_matches("export "));
                    (format!("Export of {} as {format}", e.target), why)
                }
                _ => (format!("Access to {}", e.target), e.detail),
            };
            let why = why.strip_prefix("account type ").map(|r| format!("the account type {r}")).unwrap_or_else(|| why.to_string());
            w.t(format!("{what} denied: {why}")).done()
        }
        MFA_ENABLED => {
            let w = w.t("Set up an authenticator app");
            if own(e) {
                w.done()
            } else {
                w.t(" for ").subject(e.target).done()
            }
        }
        MFA_REMOVED => w.their_or_targets(e, "Removed", "authenticator app").done(),
        MFA_RESET => {
            let w = w.t("Reset ").possessive(e.target, true).t(" multi-factor authentication");
            if e.detail.is_empty() {
                w.done()
            } else {
                w.t(format!(": {}", e.detail)).done()
            }
        }
        MFA_CODES_RENEWED => w.their_or_targets(e, "Renewed", "recovery codes").done(),
        ACCOUNT_TYPE_CREATED => {
            let list = permission_list(value(&p, "permissions")?);
            let labels: Vec<String> = list.iter().map(PermissionOrKey::quoted_label).collect();
            let with = if labels.is_empty() { "no permissions".to_string() } else { format!("{}: {}", plural(labels.len() as i64, "permission", "permissions"), and_list(&labels)) };
            w.t(format!("Created the account type {} with {with}", e.target)).done()
        }
        ACCOUNT_TYPE_UPDATED => {
            if ["name", "permissions", "description"].iter().all(|k| value(&p, k).is_none()) {
                return None;
            }
            let mut clauses = Vec::new();
            let renamed = value(&p, "name").and_then(change).filter(|(old, new)| old != new);
            if let Some((old, _)) = renamed {
                clauses.push(format!("renamed from {old}"));
            }
            if let Some((old, new)) = value(&p, "permissions").and_then(change) {
                let (old, new) = (permission_list(old), permission_list(new));
                let added: Vec<String> = new.iter().filter(|x| !old.contains(x)).map(PermissionOrKey::quoted_label).collect();
                let removed: Vec<String> = old.iter().filter(|x| !new.contains(x)).map(PermissionOrKey::quoted_label).collect();
                if !added.is_empty() {
                    clauses.push(format!("may now {}", and_list(&added)));
                }
                if !removed.is_empty() {
                    clauses.push(format!("may no longer {}", and_list(&removed)));
                }
            }
            if let Some((old, new)) = value(&p, "description").and_then(quoted_change) {
                clauses.push(description_clause(old, new));
            }
            changed("the account type", e.target, renamed, clauses, w)
        }
        ACCOUNT_TYPE_DELETED => w.t(format!("Deleted the account type {}", e.target)).done(),
        INVITE_DEFAULT_CHANGED => w.t(format!("Made {} the account type invited people get unless another is chosen", e.target)).done(),
        USER_CREATED | USER_REPROVISIONED => {
            let segments: Vec<&str> = e.detail.split(detail::SEPARATOR).collect();
            let account_type = segments.iter().find_map(|s| s.strip_prefix("account type "));
            let inactive = segments.contains(&"active false");
            let w = if e.action == USER_CREATED { w.t("Created ").subject(e.target) } else { w.t("Provisioned ").subject(e.target).t(" again") };
            let w = match account_type {
                Some(t) => w.t(format!(" with the account type {t}")),
                None => w,
            };
            let w = if inactive { w.t(", inactive") } else { w };
            if e.detail.contains("documents stay where the deletion moved them") {
                w.t("; their documents stay where the deletion moved them").done()
            } else {
                w.done()
            }
        }
        USER_INVITED => {
            let segments: Vec<&str> = e.detail.split(detail::SEPARATOR).collect();
            let account_type = segments.iter().find_map(|s| s.strip_prefix("account type "));
            let teams = count_before(e.detail, "team").unwrap_or(0);
            let guest = segments.contains(&"guest");
            let w = w.t("Invited ").subject(e.target);
            let w = if guest { w.t(" as a guest") } else { w };
            let w = match account_type {
                Some(t) => w.t(format!(" with the account type {t}")),
                None => w,
            };
            if teams > 0 {
                w.t(format!(" and added them to {}", plural(teams, "team", "teams"))).done()
            } else {
                w.done()
            }
        }
        INVITATION_RESENT => w.t("Renewed ").possessive(e.target, true).t(" invitation link").done(),
        INVITATION_DELETED => w.t("Deleted ").possessive(e.target, true).t(" invitation").done(),
        INVITATION_ACCEPTED => {
            if own(e) {
                w.t("Accepted their invitation").done()
            } else {
                w.subject(e.target).t(" accepted their invitation").done()
            }
        }
        USER_UPDATED_BY_IDP => {
            let mut clauses = Vec::new();
            for (k, v) in &p {
                match (*k, *v) {
                    ("email", v) => clauses.push(from_to("email", v)?),
                    ("name", v) => clauses.push(from_to("name", v)?),
                    ("", "no change") => {}
                    ("", "profile") => clauses.push("profile".into()),
                    ("", v) if v.starts_with("account type ") => clauses.push(from_to("account type", v.trim_start_matches("account type "))?),
                    _ => return None,
                }
            }
            if clauses.is_empty() {
                w.t("Updated ").subject(e.target).t(" with no changes").done()
            } else {
                w.t("Updated ").subject(e.target).t(format!(": {}", clauses.join("; "))).done()
            }
        }
        USER_LINKED => w.t("Linked ").subject(e.target).t(" to the identity provider, which manages them from now on").done(),
        USER_ACCOUNT_TYPE_CHANGED => {
            let (old, new) = change(e.detail)?;
            w.t("Changed ").possessive(e.target, true).t(format!(" account type from {old} to {}", without_by(new))).done()
        }
        USER_DEACTIVATED => {
            let w = if e.detail.contains("deleted by SCIM") { w.t("Deleted ").subject(e.target).t(" (deactivated and archived)") } else { w.t("Deactivated ").subject(e.target) };
            match e.detail.rsplit_once("documents go to ") {
                Some((_, to)) => w.t("; their documents go to ").person(to).done(),
                None => w.done(),
            }
        }
        USER_REACTIVATED => w.t("Reactivated ").subject(e.target).done(),
        TEAM_CREATED => {
            let w = w.t(format!("Created the team {}", e.target));
            match e.detail {
                "" | "by SCIM" => w.done(),
                d => match count_before(d, "member") {
                    Some(n) if d.split_whitespace().count() == 2 => w.t(format!(" with {}", plural(n, "member", "members"))).done(),
                    _ => w.t(format!(": “{}”", clip(d, 120))).done(),
                },
            }
        }
        TEAM_UPDATED => {
            if let Some(ids) = e.detail.strip_prefix("skipped unknown member ids: ") {
                let n = ids.split(", ").filter(|s| !s.is_empty()).count() as i64;
                return w.t(format!("Skipped {} the identity provider sent for the team {}: {ids}", plural(n, "unknown member", "unknown members"), e.target)).done();
            }
            let renamed = value(&p, "name").and_then(change).map(|(old, new)| (old, without_by(new))).filter(|(old, new)| old != new);
            let mut clauses = Vec::new();
            if let Some((old, _)) = renamed {
                clauses.push(format!("renamed from {old}"));
            }
            if let Some((old, new)) = value(&p, "description").and_then(quoted_change) {
                clauses.push(description_clause(old, new));
            }
            if value(&p, "name").is_none() && clauses.is_empty() {
                return None;
            }
            changed("the team", e.target, renamed, clauses, w)
        }
        TEAM_DEACTIVATED => match e.detail.split_once("workspace documents go to ") {
            Some((_, to)) => w.t(format!("Deleted the team {} (deactivated); its workspace documents go to ", e.target)).person(to).done(),
            None => w.t(format!("Deactivated the team {}", e.target)).done(),
        },
        TEAM_REACTIVATED => w.t(format!("Reactivated the team {}", e.target)).done(),
        TEAM_REPROVISIONED => w.t(format!("Provisioned the team {} again; its workspace documents stay where the deletion moved them", e.target)).done(),
        TEAM_LINKED => w.t(format!("Linked the team {} to the identity provider, which manages it from now on", e.target)).done(),
        TEAM_MEMBER_ADDED | TEAM_MEMBER_REMOVED => {
            let added = e.action == TEAM_MEMBER_ADDED;
            let (verb, to) = if added { ("Added", "to") } else { ("Removed", "from") };
            if let Some(list) = value(&p, "people") {
                // One change of several people (what an administrator does at once).
                let people: Vec<&str> = list.split(", ").filter(|s| !s.is_empty()).collect();
                let w = w.t(format!("{verb} "));
                return match people.as_slice() {
                    [one] => w.subject(one).t(format!(" {to} {}", e.target)).done(),
                    many => w.t(format!("{} {to} {}: ", plural(many.len() as i64, "person", "people"), e.target)).people(many).done(),
                };
            }
            // One person per row (the identity provider, and earlier versions).
            let team = e.detail.strip_prefix("team ")?;
            let (team, deleted) = match team.strip_suffix(" (deleted by SCIM)") {
                Some(t) => (t, true),
                None => (without_by(team), false),
            };
            let w = w.t(format!("{verb} ")).subject(e.target).t(format!(" {to} {team}"));
            if deleted {
                w.t(" because the identity provider deleted them").done()
            } else {
                w.done()
            }
        }
        TEAM_ADMIN_ADDED => w.t("Made ").subject(e.target).t(format!(" a team admin of {}", e.detail.strip_prefix("team ")?)).done(),
        TEAM_ADMIN_REMOVED => w.t("Removed ").subject(e.target).t(format!(" as a team admin of {}", e.detail.strip_prefix("team ")?)).done(),
        TEAM_VISIBILITY_CHANGED => match change(value(&p, "visibility")?)?.1 {
            "private" => w.t(format!("Made the team {} private: only its members and administrators see it", e.target)).done(),
            _ => w.t(format!("Made the team {} public: everyone in the organization sees it", e.target)).done(),
        },
        PROVISIONING_TOKEN_CREATED => {
            let w = w.t(format!("Created the provisioning token {}", e.target));
            match e.detail.strip_prefix("documents of deprovisioned people go to ") {
                Some(to) => w.t("; documents of the people it deprovisions go to ").person(to).done(),
                None => w.done(),
            }
        }
        PROVISIONING_TOKEN_REVOKED => w.t(format!("Revoked the provisioning token {}", e.target)).done(),
        PROVISIONING_RELEASED => {
            let n: i64 = e.detail.split_whitespace().next()?.parse().ok()?;
            let what = if e.target == "teams" { plural(n, "team", "teams") } else { plural(n, "user", "users") };
            w.t(format!("Took {what} back from the identity provider: Gatehouse manages {} now", if n == 1 { "it" } else { "them" })).done()
        }
        DOCUMENT_CREATED => match e.detail.strip_prefix("dataset ") {
            Some(ds) => w.t(format!("Created the document {} from the dataset {ds}", e.target)).done(),
            None => w.t(format!("Created the document {}", e.target)).done(),
        },
        DOCUMENT_UPDATED => {
            if value(&p, "name").is_none() && value(&p, "view").is_none() {
                // Earlier versions: "3 column(s), 1 filter(s)" at every save.
                let columns = count_before(e.detail, "column")?;
                let filters = count_before(e.detail, "filter")?;
                return w.t(format!("Saved the document {} ({}, {})", e.target, plural(columns, "column", "columns"), plural(filters, "filter", "filters"))).done();
            }
            let renamed = value(&p, "name").and_then(change);
            match (renamed, value(&p, "view")) {
                (Some((old, new)), Some(view)) => w.t(format!("Renamed the document {old} to {new} and changed its view ({view})")).done(),
                (Some((old, new)), None) => w.t(format!("Renamed the document {old} to {new}")).done(),
                (None, Some(view)) => w.t(format!("Changed the view of the document {} ({view})", e.target)).done(),
                (None, None) => None,
            }
        }
        DOCUMENT_SHARED => {
            let with = e.detail.strip_prefix("with ")?;
            let w = w.t(format!("Shared the document {} with ", e.target));
            match with.strip_prefix("team ") {
                Some(team) => w.t(format!("the team {team}")).done(),
                None => w.person(with).done(),
            }
        }
        DOCUMENTS_TRANSFERRED => {
            let (moved, to) = e.detail.rsplit_once(" → to ")?;
            let n = moved.split_whitespace().next()?.parse::<i64>().ok()?;
            let names = moved.split_once(" moved: ").map(|(_, names)| names);
            let documents = plural(n, "document", "documents");
            let w = if e.target.contains('@') || w.people.find(e.target).is_some() {
                w.t("Moved ").possessive(e.target, true).t(format!(" {documents} to "))
            } else {
                w.t(format!("Moved {documents} from the workspace of the team {} to ", e.target))
            };
            let w = w.person(to);
            match names {
                Some(names) => w.t(format!(": {names}")).done(),
                None => w.done(),
            }
        }
        DATASET_UPLOADED => {
            let rows = count_before(e.detail, "row")?;
            let columns = count_before(e.detail, "column")?;
            w.t(format!("Uploaded the CSV file {} as a dataset ({}, {})", e.target, plural(rows, "row", "rows"), plural(columns, "column", "columns"))).done()
        }
        EXPORTED | EXPORT_FAILED => export(e, w),
        WEBHOOK_ALLOWED => w.t(format!("Allowed the webhook destination {}", e.target)).done(),
        WEBHOOK_REMOVED => w.t(format!("Removed the webhook destination {}", e.target)).done(),
        ATTRIBUTE_CREATED => match value(&p, "default").and_then(change) {
            Some((_, default)) => w.t(format!("Defined the user attribute {} (default {default})", e.target)).done(),
            None => w.t(format!("Defined the user attribute {} (no default)", e.target)).done(),
        },
        ATTRIBUTE_UPDATED => {
            let mut clauses = Vec::new();
            let renamed = value(&p, "name").and_then(change);
            if let Some((old, _)) = renamed {
                clauses.push(format!("renamed from {old}"));
            }
            if let Some((old, new)) = value(&p, "default").and_then(change) {
                clauses.push(format!("default from {old} to {new}"));
            }
            if let Some((old, new)) = value(&p, "description").and_then(quoted_change) {
                clauses.push(description_clause(old, new));
            }
            changed("the user attribute", e.target, renamed, clauses, w)
        }
        ATTRIBUTE_VALUE_SET => {
            let (who, change_text) = e.detail.split_once(": ")?;
            let (old, new) = change(change_text)?;
            let w = w.t(format!("Set {} of ", e.target));
            let w = match who.strip_prefix("team ") {
                Some(team) => w.t(format!("the team {team}")),
                None => w.person(who),
            };
            w.t(format!(" from {old} to {new}")).done()
        }
        ATTRIBUTE_TEAM_ORDER => {
            let (old, new) = change(e.detail.strip_prefix("teams: ")?)?;
            w.t(format!("Ordered the teams of the user attribute {}: {new} (was {old})", e.target)).done()
        }
        ROW_RULE_CHANGED => {
            let (old, new) = change(e.detail.strip_prefix("rule: ")?)?;
            match (old, new) {
                (_, "–") => w.t(format!("Removed the row rule of the dataset {} ({old})", e.target)).done(),
                ("–", _) => w.t(format!("Limited the rows of the dataset {} to {new}", e.target)).done(),
                _ => w.t(format!("Changed the row rule of the dataset {} from {old} to {new}", e.target)).done(),
            }
        }
        IP_RANGES_ADDED => w.t(format!("Allowed access from {}", e.target)).t(if e.detail.is_empty() { String::new() } else { format!(" ({})", e.detail) }).done(),
        IP_RANGE_REMOVED => w.t(format!("Removed {} from the allowed IP addresses", e.target)).done(),
        IP_ALLOWLIST_CLEARED => w.t(format!("Cleared the allowed IP addresses with the break-glass command ({})", e.detail)).done(),
        _ => None,
    }
}

/// "Renamed the team A to B" when that is all; else "Changed the team B: …".
fn changed(what: &str, target: &str, renamed: Option<(&str, &str)>, clauses: Vec<String>, w: Words<'_>) -> Option<Sentence> {
    match (renamed, clauses.len()) {
        (_, 0) => w.t(format!("Saved {what} {target} without changes")).done(),
        (Some((old, _)), 1) => w.t(format!("Renamed {what} {old} to {target}")).done(),
        _ => w.t(format!("Changed {what} {target}: {}", clauses.join("; "))).done(),
    }
}

fn description_clause(old: &str, new: &str) -> String {
    match (old.is_empty(), new.is_empty()) {
        (true, _) => format!("description set to “{}”", clip(new, 120)),
        (false, true) => "description removed".into(),
        (false, false) => format!("description from “{}” to “{}”", clip(old, 120), clip(new, 120)),
    }
}

/// "email from a to b".
fn from_to(what: &str, v: &str) -> Option<String> {
    let (old, new) = change(v)?;
    Some(format!("{what} from {old} to {}", without_by(new)))
}

/// One change on the Authentication page, as a clause.
fn setting_clause(key: &str, v: &str) -> String {
    let arrow = || change(v).map(|(a, b)| format!("from {a} to {b}")).unwrap_or_else(|| format!("set to {v}"));
    match key {
        "method" => format!("sign-in method {}", arrow()),
        "IdP login URL" if v == "(none)" => "identity provider login URL removed".into(),
        "IdP login URL" => format!("identity provider login URL set to {v}"),
        "IdP certificate" if v == "(none)" => "identity provider certificate removed".into(),
        "IdP certificate" => format!("new identity provider certificate ({v})"),
        "IdP issuer" if v == "(not checked)" => "identity provider issuer no longer checked".into(),
        "IdP issuer" => format!("identity provider issuer set to {v}"),
        "guest access" if v == "off" => "guest access turned off".into(),
        "guest access" => format!("guest access {v}"),
        "sign-in started at the identity provider" => {
            format!("sign-in started at the identity provider {v}")
        }
        "" => v.to_string(),
        k => format!("{k} {}", arrow()),
    }
}

/// A format as people call it.
fn format_name(key: &str) -> &str {
    match key {
        "csv" => "CSV",
        "xlsx" => "Excel",
        "pdf" => "PDF",
        "webhook" => "a webhook",
        other => other,
    }
}

/// "format csv; 5 rows", with " (cancelled by the client)" and the like, and
/// for a webhook " to <url>" and ": <why it failed>".
fn export(e: Stored<'_>, w: Words<'_>) -> Option<Sentence> {
    let (format, rest) = e.detail.strip_prefix("format ")?.split_once(detail::SEPARATOR)?;
    let rows: i64 = rest.split_whitespace().next()?.parse().ok()?;
    let rows = plural(rows, "row", "rows");
    let (to, failure) = match rest.split_once(" to ") {
        Some((_, dest)) => match dest.split_once(": ") {
            Some((url, why)) => (Some(url), Some(why)),
            None => (Some(dest), None),
        },
        None => (None, None),
    };
    let how = match to {
        Some(url) => format!("to the webhook {url}"),
        None => format!("as {}", format_name(format)),
    };
    let doc = e.target;
    let sentence = if rest.contains("(cancelled by the client)") {
        format!("Export of {doc} {how} cancelled by the client after {rows}")
    } else if rest.contains("(cancelled: the client stopped reading)") {
        format!("Export of {doc} {how} cancelled after {rows}: the client stopped reading")
    } else if e.action == EXPORT_FAILED || rest.contains("(failed)") {
        match failure {
            Some(why) => format!("Export of {doc} {how} failed after {rows}: {why}"),
            None => format!("Export of {doc} {how} failed after {rows}"),
        }
    } else {
        format!("Exported {doc} {how} ({rows})")
    };
    w.t(sentence).done()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn people() -> HashMap<String, Known> {
        let mut m = HashMap::new();
        for (id, email, name) in [("id-riley", "riley@acme.example", "Riley Chen"), ("id-ada", "ada@acme.example", "Ada Lovelace"), ("id-bo", "bo@acme.example", "Bo Diddley")] {
            let k = Known { name: name.into(), email: email.into() };
            m.insert(id.to_string(), k.clone());
            m.insert(email.to_string(), k);
        }
        m
    }

    fn say(action: &str, target: &str, detail: &str) -> String {
        describe(Stored { action, actor: "ada@acme.example", target, detail }, &people()).text()
    }

    #[test]
    fn people_are_named_and_their_email_is_at_hand() {
        let s = describe(Stored { action: USER_ACCOUNT_TYPE_CHANGED, actor: "ada@acme.example", target: "RILEY@acme.example", detail: "Viewer → Creator" }, &people());
        assert_eq!(s.text(), "Changed Riley Chen's account type from Viewer to Creator");
        assert_eq!(s.about.as_deref(), Some("riley@acme.example"));
        assert_eq!(say(USER_ACCOUNT_TYPE_CHANGED, "gone@acme.example", "Creator → Viewer (by SCIM)"), "Changed gone@acme.example's account type from Creator to Viewer");
        assert_eq!(who("ada@acme.example", &people()), ("Ada Lovelace".into(), Some("ada@acme.example".into())));
        assert_eq!(who("SCIM token “okta”", &people()).0, "SCIM token “okta”");
    }

    #[test]
    fn plurals_are_right() {
        assert_eq!(say(TEAM_MEMBER_ADDED, "Marketing", "people: riley@acme.example, bo@acme.example, x@acme.example"), "Added 3 people to Marketing: Riley Chen, Bo Diddley and x@acme.example");
        assert_eq!(say(TEAM_MEMBER_REMOVED, "Marketing", "people: riley@acme.example"), "Removed Riley Chen from Marketing");
        assert_eq!(say(TEAM_ADMIN_ADDED, "riley@acme.example", "team Marketing"), "Made Riley Chen a team admin of Marketing");
        assert_eq!(say(TEAM_ADMIN_REMOVED, "riley@acme.example", "team Marketing"), "Removed Riley Chen as a team admin of Marketing");
        assert_eq!(say(TEAM_VISIBILITY_CHANGED, "Marketing", "visibility: public → private"), "Made the team Marketing private: only its members and administrators see it");
        assert_eq!(say(TEAM_VISIBILITY_CHANGED, "Marketing", "visibility: private → public"), "Made the team Marketing public: everyone in the organization sees it");
        assert_eq!(say(TEAM_CREATED, "Support", "1 members"), "Created the team Support with 1 member");
        assert_eq!(say(TEAM_CREATED, "Support", "2 members"), "Created the team Support with 2 members");
        assert_eq!(say(USER_INVITED, "riley@acme.example", "account type Creator; 1 teams"), "Invited Riley Chen with the account type Creator and added them to 1 team");
        assert_eq!(say(USER_INVITED, "riley@acme.example", "account type Viewer; 0 teams; guest"), "Invited Riley Chen as a guest with the account type Viewer");
        assert_eq!(say(DOCUMENT_UPDATED, "Revenue", "1 column(s), 2 filter(s)"), "Saved the document Revenue (1 column, 2 filters)");
        assert_eq!(say(DATASET_UPLOADED, "Q3", "1 rows, 3 columns"), "Uploaded the CSV file Q3 as a dataset (1 row, 3 columns)");
        assert_eq!(say(PROVISIONING_RELEASED, "users", "1 users now managed locally"), "Took 1 user back from the identity provider: Gatehouse manages it now");
        assert_eq!(say(DOCUMENTS_TRANSFERRED, "riley@acme.example", "1 document(s) moved: “Q3” → to ada@acme.example"), "Moved Riley Chen's 1 document to Ada Lovelace: “Q3”");
        assert_eq!(say(EXPORTED, "Revenue", "format csv; 1 rows"), "Exported Revenue as CSV (1 row)");
    }

    #[test]
    fn permissions_read_as_their_labels() {
        let detail = "permissions: [view_documents, download_data] → [view_documents, export_email]";
        assert_eq!(say(ACCOUNT_TYPE_UPDATED, "Creator", detail), "Changed the account type Creator: may now “Export by email”; may no longer “Download data (CSV, Excel)”");
        assert_eq!(
            say(ACCOUNT_TYPE_CREATED, "Readers", "permissions: view_documents, explore_documents"),
            "Created the account type Readers with 2 permissions: “View documents” and “Explore documents (filter, sort, pivot)”"
        );
        assert_eq!(say(ACCOUNT_TYPE_CREATED, "Nothing", "permissions: "), "Created the account type Nothing with no permissions");
        assert_eq!(say(ACCOUNT_TYPE_UPDATED, "Writers", "name: Authors → Writers"), "Renamed the account type Authors to Writers");
        assert_eq!(
            say(ACCOUNT_TYPE_UPDATED, "Writers", "name: Authors → Writers; description: “” → “Write; a lot”"),
            "Changed the account type Writers: renamed from Authors; description set to “Write; a lot”"
        );
    }

    #[test]
    fn rows_of_earlier_versions_still_read() {
        // Every save wrote a row, changed or not.
        let same = "name: Creator → Creator; permissions: [view_documents] → [view_documents]";
        assert_eq!(say(ACCOUNT_TYPE_UPDATED, "Creator", same), "Saved the account type Creator without changes");
        assert_eq!(say(TEAM_UPDATED, "Ops", "name: Ops → Ops"), "Saved the team Ops without changes");
        assert_eq!(say(TEAM_UPDATED, "Ops", "name: Dev → Ops (by SCIM)"), "Renamed the team Dev to Ops");
        assert_eq!(say(USER_UPDATED_BY_IDP, "riley@acme.example", "no change"), "Updated Riley Chen with no changes");
        assert_eq!(say(USER_UPDATED_BY_IDP, "riley@acme.example", "account type Viewer → Creator; profile"), "Updated Riley Chen: account type from Viewer to Creator; profile");
        // Memberships one row each, the identity provider's naming people by id.
        assert_eq!(say(TEAM_MEMBER_ADDED, "id-ada", "team OktaViewers (by SCIM)"), "Added Ada Lovelace to OktaViewers");
        assert_eq!(say(TEAM_MEMBER_REMOVED, "ada@acme.example", "team OktaViewers"), "Removed Ada Lovelace from OktaViewers");
        assert_eq!(say(TEAM_MEMBER_ADDED, "55e9700b-9c02-4c7e-8e73-7552aa6c182f", "team Engineering (by SCIM)"), "Added someone no longer here to Engineering");
        assert_eq!(say(SIGN_IN, "ada@acme.example", "method: sso"), "Signed in with SSO");
        assert_eq!(say(SIGN_IN, "ada@acme.example", "method: oidc"), "Signed in with SSO (OpenID Connect)");
        assert_eq!(
            say(SSO_FAILED, "", "method: sso; reason: response not verified: the document is empty; reference: 98YS-CLZM"),
            "SSO sign-in failed: response not verified: the document is empty (reference 98YS-CLZM)"
        );
        assert_eq!(say(SIGN_IN_FAILED, "riley@acme.example", "method: password; reason: wrong password"), "Password sign-in failed for Riley Chen: wrong password");
        assert_eq!(say(SETUP, "ada@acme.example", "Created organization “Acme” (acme) with first admin ada@acme.example"), "Set up the organization Acme with Ada Lovelace as its first administrator");
        assert_eq!(say(USER_DEACTIVATED, "riley@acme.example", "by SCIM; documents go to ada@acme.example"), "Deactivated Riley Chen; their documents go to Ada Lovelace");
        assert_eq!(
            say(AUTH_SETTINGS_CHANGED, "authentication", "method: Password → SAML or password; session length: 30 → 14 days"),
            "Changed the authentication settings: sign-in method from Password to SAML or password; session length from 30 to 14 days"
        );
        assert_eq!(say(ORG_UPDATED, "acme", "Organization name: “Acme” → “Acme Corporation”"), "Renamed the organization from Acme to Acme Corporation");
    }

    #[test]
    fn a_detail_it_cannot_read_still_gives_a_sentence() {
        assert_eq!(say(USER_ACCOUNT_TYPE_CHANGED, "riley@acme.example", "something else"), "Account type of a user changed: Riley Chen (something else)");
        assert_eq!(say("future.action", "x", ""), "future.action: x");
        assert_eq!(say(DOCUMENTS_TRANSFERRED, "Ops", "garbled"), "Documents moved to a new owner: Ops (garbled)");
    }
}
