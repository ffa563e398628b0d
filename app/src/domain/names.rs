//! Validated values: parse at the edge, and a value that exists is valid.
use super::Invalid;
use serde::{Deserialize, Serialize};

/// An email address, trimmed. Compared case-insensitively through [`Email::normalized`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Email(String);

impl Email {
    pub fn parse(field: &str, raw: &str) -> Result<Email, Invalid> {
        let s = raw.trim();
        let invalid = || Invalid::new(field, format!("“{s}” is not an email address. Use the form name@example.com."));
        if s.is_empty() {
            return Err(Invalid::new(field, "Enter an email address."));
        }
        if s.len() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(invalid());
        }
        let (local, domain) = s.rsplit_once('@').ok_or_else(invalid)?;
        if local.is_empty() || local.contains('@') || domain.len() < 3 || !domain.contains('.') || domain.starts_with('.') || domain.ends_with('.') || domain.contains("..") {
            return Err(invalid());
        }
        Ok(Email(s.to_string()))
    }
    /// A SCIM userName. Identity providers nearly always send the email, but
    /// the RFC allows any unique string, and conformance tools send other
    /// identifiers; Gatehouse keeps it as the person's sign-in identifier.
    pub fn user_name(field: &str, raw: &str) -> Result<Email, Invalid> {
        if let Ok(e) = Email::parse(field, raw) {
            return Ok(e);
        }
        let s = raw.trim();
        if s.is_empty() || s.len() > 254 || s.chars().any(|c| c.is_control()) {
            return Err(Invalid::new(field, "userName must be 1 to 254 characters without control characters. Gatehouse signs people in with it: map it to the person's email address."));
        }
        Ok(Email(s.to_string()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// The form used for uniqueness and look-ups.
    pub fn normalized(&self) -> String {
        self.0.to_lowercase()
    }
}

/// The organization's URL name, as in `<base>/acme`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgSlug(String);

/// Path segments the application itself uses at the top level.
const RESERVED_SLUGS: &[&str] = &["setup", "api", "pkg", "scim", "healthz", "login", "logout", "static", "assets", "admin", "favicon.ico", "robots.txt", "saml", "well-known"];

impl OrgSlug {
    pub fn parse(field: &str, raw: &str) -> Result<OrgSlug, Invalid> {
        let s = raw.trim().to_lowercase();
        if s.len() < 2 || s.len() > 40 {
            return Err(Invalid::new(field, "The URL name must be 2 to 40 characters long."));
        }
        let chars_ok = s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !chars_ok || s.starts_with('-') || s.ends_with('-') {
            return Err(Invalid::new(field, "Use lowercase letters, digits and hyphens only (for example “acme” or “acme-corp”)."));
        }
        if RESERVED_SLUGS.contains(&s.as_str()) {
            return Err(Invalid::new(field, format!("“{s}” is reserved by Gatehouse. Choose another URL name.")));
        }
        Ok(OrgSlug(s))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn bounded_text(field: &str, raw: &str, what: &str, max: usize) -> Result<String, Invalid> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(Invalid::new(field, format!("Enter {what}.")));
    }
    if s.chars().count() > max {
        return Err(Invalid::new(field, format!("{} can be at most {max} characters.", capitalise(what))));
    }
    if s.chars().any(|c| c.is_control()) {
        return Err(Invalid::new(field, format!("{} cannot contain control characters.", capitalise(what))));
    }
    Ok(s.to_string())
}

fn capitalise(s: &str) -> String {
    let s = s.strip_prefix("a ").or_else(|| s.strip_prefix("an ")).or_else(|| s.strip_prefix("the ")).unwrap_or(s);
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// The organization's display name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgName(String);

impl OrgName {
    pub fn parse(field: &str, raw: &str) -> Result<OrgName, Invalid> {
        bounded_text(field, raw, "the organization name", 100).map(OrgName)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The name of an account type, unique per organization case-insensitively.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountTypeName(String);

impl AccountTypeName {
    pub fn parse(field: &str, raw: &str) -> Result<AccountTypeName, Invalid> {
        bounded_text(field, raw, "a name for the account type", 60).map(AccountTypeName)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The name of a team.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamName(String);

impl TeamName {
    pub fn parse(field: &str, raw: &str) -> Result<TeamName, Invalid> {
        bounded_text(field, raw, "a team name", 100).map(TeamName)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A description: optional, at most 500 characters.
pub fn parse_description(field: &str, raw: &str) -> Result<String, Invalid> {
    let s = raw.trim();
    if s.chars().count() > 500 {
        return Err(Invalid::new(field, "The description can be at most 500 characters."));
    }
    Ok(s.to_string())
}

/// A first or last name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(field: &str, raw: &str, what: &str) -> Result<PersonName, Invalid> {
        bounded_text(field, raw, what, 100).map(PersonName)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(Email::parse("e", "  Ada@Example.COM ").unwrap().normalized(), "ada@example.com");
        for bad in ["", "ada", "ada@", "@example.com", "ada@example", "a da@example.com", "ada@.com", "ada@example..com"] {
            assert!(Email::parse("e", bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn slugs() {
        assert_eq!(OrgSlug::parse("s", " Acme ").unwrap().as_str(), "acme");
        assert!(OrgSlug::parse("s", "acme-corp2").is_ok());
        for bad in ["a", "-acme", "acme-", "ac me", "acme/x", "setup", "api", "ACME!", &"x".repeat(41)] {
            assert!(OrgSlug::parse("s", bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn names() {
        assert_eq!(OrgName::parse("n", "  Acme Inc ").unwrap().as_str(), "Acme Inc");
        let e = OrgName::parse("n", "   ").unwrap_err();
        assert_eq!(e.field, "n");
        assert_eq!(e.message, "Enter the organization name.");
        assert!(PersonName::parse("f", &"x".repeat(101), "a first name").unwrap_err().message.starts_with("First name"));
    }
}
