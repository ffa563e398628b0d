//! User attributes (Administration > User Attributes) and the row rule that
//! uses them: a dataset's rows a reader sees are those whose column equals
//! (or is one of) the reader's value of an attribute, e.g. `region = {region}`.
use super::Invalid;
use serde::{Deserialize, Serialize};

/// The longest attribute value, and the most values an "is one of" rule reads from one.
pub const MAX_VALUE_CHARS: usize = 200;
pub const MAX_LISTED_VALUES: usize = 50;

/// An attribute's name as rules write it between braces: a letter, then
/// letters, digits or underscores, at most 64 (`region`, `cost_center`).
pub fn attribute_name(raw: &str) -> Result<String, Invalid> {
    let n = raw.trim();
    let mut chars = n.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    if !first_ok || n.len() > 64 || !n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(Invalid::new("name", "An attribute name starts with a letter and has only letters, digits and underscores (at most 64), such as region or cost_center."));
    }
    Ok(n.to_string())
}

/// A value as a person or team holds it: trimmed, on one line, at most 200 characters.
pub fn attribute_value(field: &str, raw: &str) -> Result<String, Invalid> {
    let v = raw.trim();
    if v.is_empty() {
        return Err(Invalid::new(field, "Give a value."));
    }
    if v.chars().count() > MAX_VALUE_CHARS || v.chars().any(char::is_control) {
        return Err(Invalid::new(field, format!("A value is at most {MAX_VALUE_CHARS} characters, on one line.")));
    }
    Ok(v.to_string())
}

/// How a row rule compares the column with the reader's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleOp {
    /// The column equals the value.
    Eq,
    /// The column is one of the value's comma-separated items (`West, North`).
    In,
}

impl RuleOp {
    pub fn key(self) -> &'static str {
        match self {
            RuleOp::Eq => "eq",
            RuleOp::In => "in",
        }
    }
    pub fn from_key(k: &str) -> Option<RuleOp> {
        [RuleOp::Eq, RuleOp::In].into_iter().find(|o| o.key() == k)
    }
    pub fn label(self) -> &'static str {
        match self {
            RuleOp::Eq => "=",
            RuleOp::In => "is one of",
        }
    }
    /// The values a row may have for a reader whose attribute value is `value`.
    pub fn allowed(self, value: &str) -> Vec<String> {
        match self {
            RuleOp::Eq => vec![value.to_string()],
            RuleOp::In => {
                let mut v: Vec<String> = value.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
                v.sort();
                v.dedup();
                v.truncate(MAX_LISTED_VALUES);
                v
            }
        }
    }
}

/// A dataset's row rule as stored: the column, how it compares, the attribute (by id).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowRule {
    pub column: String,
    pub op: RuleOp,
    pub attribute: String,
}

/// A row rule as a document's page shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RowRuleView {
    pub column: String,
    pub op: RuleOp,
    pub attribute_id: String,
    pub attribute: String,
    /// `region = {region}`.
    pub text: String,
    /// The reader's value, or `None` when they have none (and see no rows).
    pub your_value: Option<String>,
}

pub fn rule_text(column: &str, op: RuleOp, attribute: &str) -> String {
    format!("{column} {} {{{attribute}}}", op.label())
}

/// One value on the User Attributes page: a person's or a team's.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AttributeValueView {
    /// The person's or team's id.
    pub subject_id: String,
    /// The person's email or the team's name.
    pub label: String,
    pub value: String,
    /// Set by the identity provider: read-only here.
    pub managed_by_idp: bool,
}

/// An attribute with its values, for Administration > User Attributes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AttributeView {
    pub id: String,
    pub name: String,
    pub description: String,
    pub default_value: Option<String>,
    pub people: Vec<AttributeValueView>,
    /// In priority order: a person in several teams gets the first one's value.
    pub teams: Vec<AttributeValueView>,
    /// The datasets whose row rule uses it.
    pub used_by: Vec<String>,
}

/// Administration > User Attributes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AttributesPage {
    pub attributes: Vec<AttributeView>,
    /// Teams to pick from when setting a value (people are named by email).
    pub teams: Vec<super::views::Choice>,
}

/// What an admin may write about an attribute.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AttributeInput {
    pub name: String,
    pub description: String,
    pub default_value: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_what_rules_can_write_between_braces() {
        assert_eq!(attribute_name(" region ").unwrap(), "region");
        assert!(attribute_name("cost_center2").is_ok());
        for bad in ["", "2region", "re gion", "région", "{region}", &"a".repeat(65)] {
            assert!(attribute_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn an_is_one_of_rule_reads_a_list() {
        assert_eq!(RuleOp::In.allowed(" West, North ,,West"), vec!["North", "West"]);
        assert_eq!(RuleOp::Eq.allowed("West, North"), vec!["West, North"]);
        assert_eq!(rule_text("Region", RuleOp::Eq, "region"), "Region = {region}");
    }
}
