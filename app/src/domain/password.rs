//! Rules for a new password, the same whichever way it is chosen (first run,
//! invitation, Profile, a reset link) and checked in the browser as it is
//! typed as well as on the server:
//!
//! - at least `MIN_LEN` characters (or the organization's minimum, which is
//!   never lower), at most `MAX_LEN`;
//! - not the person's email address or its name part, nor the organization's
//!   name (give or take digits, case, spaces and punctuation);
//! - not one of the 10,000 most common passwords.
//!
//! The list (`common-passwords.txt`, one a line, lower case, most common
//! first) is the first 10,000 lines of the list Django ships as
//! `django/contrib/auth/common-passwords.txt.gz` (Django 5.2, BSD-3-Clause):
//! Royce Williams's 20,000 most common passwords, lowercased and
//! deduplicated. The server reads all of it. The browser's build carries only
//! the entries of at least `MIN_LEN` characters (app/build.rs picks them):
//! a shorter password fails the length rule anyway, so the answer is the same
//! and the bundle is 80 KB lighter.

pub const MIN_LEN: usize = 12;
pub const MAX_LEN: usize = 256;
/// The highest minimum an organization may choose.
pub const MAX_MIN_LEN: usize = 64;

/// What a new password is compared with besides the list.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Context {
    /// The email of the person choosing it.
    pub email: String,
    /// The organization's display name.
    pub org_name: String,
    /// The organization's minimum length (`MIN_LEN` when it chose none; never lower).
    pub min_len: usize,
}

impl Context {
    pub fn new(email: &str, org_name: &str) -> Context {
        Context { email: email.to_string(), org_name: org_name.to_string(), min_len: MIN_LEN }
    }
    /// With the organization's minimum length (kept between `MIN_LEN` and `MAX_MIN_LEN`).
    pub fn with_min_len(mut self, n: i64) -> Context {
        self.min_len = usize::try_from(n).unwrap_or(MIN_LEN).clamp(MIN_LEN, MAX_MIN_LEN);
        self
    }
    fn min(&self) -> usize {
        self.min_len.max(MIN_LEN)
    }
}

/// One rule as the form lists it: its words, and whether the password typed keeps it.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleState {
    pub label: String,
    pub kept: bool,
}

/// Letters and digits only, lower case: "Acme, Inc." and "acme inc" compare alike.
fn squashed(s: &str) -> String {
    s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// Whether `password` is `term` with at most digits around it ("Acme2026!",
/// "ada.lovelace1"): squashed, then digits trimmed from both ends. A longer
/// phrase that merely includes a name ("noor's long secret") is not refused.
fn is_term(password: &str, term: &str) -> bool {
    let term = squashed(term);
    let core = squashed(password);
    !term.is_empty() && core.trim_matches(|c: char| c.is_ascii_digit()) == term
}

fn has_email(password: &str, email: &str) -> bool {
    let local = email.split('@').next().unwrap_or("");
    !email.is_empty() && (password.to_lowercase().contains(&email.to_lowercase()) || is_term(password, local))
}

fn has_org_name(password: &str, org_name: &str) -> bool {
    is_term(password, org_name)
}

/// The common passwords this build knows (see the module's comment).
fn common() -> &'static std::collections::HashSet<&'static str> {
    static SET: std::sync::OnceLock<std::collections::HashSet<&'static str>> = std::sync::OnceLock::new();
    #[cfg(feature = "ssr")]
    const LIST: &str = include_str!("common-passwords.txt");
    #[cfg(not(feature = "ssr"))]
    const LIST: &str = include_str!(concat!(env!("OUT_DIR"), "/common-passwords-long.txt"));
    SET.get_or_init(|| LIST.lines().filter(|l| !l.is_empty()).collect())
}

/// Whether the password is one of the most common ones (or one character repeated).
pub fn is_common(password: &str) -> bool {
    let lower = password.to_lowercase();
    let mut chars = lower.chars();
    let first = chars.next();
    common().contains(lower.as_str()) || (first.is_some() && chars.all(|c| Some(c) == first))
}

/// The rules as the form shows them while a password is typed.
pub fn rules(password: &str, ctx: &Context) -> Vec<RuleState> {
    let n = password.chars().count();
    let mut out = vec![RuleState { label: format!("At least {} characters", ctx.min()), kept: n >= ctx.min() && n <= MAX_LEN }];
    out.push(RuleState { label: "Not your email address".into(), kept: !password.is_empty() && !has_email(password, &ctx.email) });
    if !ctx.org_name.is_empty() {
        out.push(RuleState { label: format!("Not the organization's name ({})", ctx.org_name), kept: !password.is_empty() && !has_org_name(password, &ctx.org_name) });
    }
    out.push(RuleState { label: "Not one of the 10,000 most common passwords".into(), kept: !password.is_empty() && !is_common(password) });
    out
}

/// Why a new password is refused, in words for the person choosing it.
pub fn check_new_password(password: &str, ctx: &Context) -> Result<(), String> {
    let n = password.chars().count();
    if n < ctx.min() {
        return Err(format!("Use at least {} characters.", ctx.min()));
    }
    if n > MAX_LEN {
        return Err(format!("Use at most {MAX_LEN} characters."));
    }
    if has_email(password, &ctx.email) {
        return Err("Choose a password that does not contain your email address or its name part: it is the first thing someone would try.".into());
    }
    if has_org_name(password, &ctx.org_name) {
        return Err(format!("Choose a password that does not contain the organization's name ({}): it is among the first things someone would try.", ctx.org_name));
    }
    if is_common(password) {
        return Err("That password is too common: it is one of the 10,000 passwords people choose most. Choose one that is harder to guess.".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> Context {
        Context::new("ada.lovelace@acme.example", "Acme Analytics")
    }

    #[test]
    fn each_rule_refuses_with_its_reason() {
        let c = ctx();
        assert_eq!(check_new_password("short one", &c), Err("Use at least 12 characters.".into()));
        assert!(check_new_password(&"x".repeat(257), &c).unwrap_err().contains("at most"));
        assert!(check_new_password("ada.lovelace@acme.example", &c).unwrap_err().contains("email"));
        assert!(check_new_password("my ada.lovelace@acme.example!", &c).unwrap_err().contains("email"));
        assert!(check_new_password("Ada Lovelace 1815", &c).unwrap_err().contains("email"), "the name part, whatever the spacing and digits");
        assert!(check_new_password("I am Ada Lovelace 1815", &c).is_ok(), "a phrase that includes a name is not the name");
        assert!(check_new_password("acme-analytics-2026", &c).unwrap_err().contains("organization"));
        assert!(check_new_password("Password1234", &c).unwrap_err().contains("too common"), "case does not matter");
        assert!(check_new_password("qwertyuiop123", &c).unwrap_err().contains("too common"));
        assert!(check_new_password("zzzzzzzzzzzzzz", &c).unwrap_err().contains("too common"));
        assert!(check_new_password("correct horse battery", &c).is_ok());
    }

    #[test]
    fn an_organization_may_ask_for_more_never_less() {
        let mut c = ctx();
        c.min_len = 16;
        assert!(check_new_password("fifteen chars ok", &c).is_ok());
        assert!(check_new_password("fourteen chars", &c).is_err());
        c.min_len = 6;
        assert!(check_new_password("only ten!!", &c).is_err());
    }

    #[test]
    fn the_rules_shown_as_you_type_match_the_check() {
        let c = ctx();
        for p in ["", "short", "password1234", "acme analytics!", "correct horse battery", "ada.lovelace rocks"] {
            let all_kept = rules(p, &c).iter().all(|r| r.kept);
            assert_eq!(all_kept, check_new_password(p, &c).is_ok(), "{p}");
        }
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn the_list_has_ten_thousand_and_the_browser_gets_every_one_that_could_pass_the_length_rule() {
        let full: Vec<&str> = include_str!("common-passwords.txt").lines().collect();
        assert_eq!(full.len(), 10_000);
        let long: std::collections::HashSet<&str> = include_str!(concat!(env!("OUT_DIR"), "/common-passwords-long.txt")).lines().collect();
        let expected: std::collections::HashSet<&str> = full.iter().copied().filter(|p| p.chars().count() >= MIN_LEN).collect();
        assert_eq!(long, expected);
    }
}
