//! The `detail` an audit event stores beside its action and target: short
//! "key: value" parts joined by "; ", a change written "old → new". The
//! services write it with `Changes` (or their own words, for events that are
//! not changes); `sentence` reads it back, rows of earlier versions included,
//! and turns it into words.
use crate::domain::documents::TableView;
use crate::domain::permissions::{Permission, PermissionSet};
use crate::domain::words::plural;

/// Between the parts of a detail.
pub const SEPARATOR: &str = "; ";
/// Between the old and the new value of a change.
pub const ARROW: &str = " → ";

/// What a save changed, part by part; empty when it changed nothing (and then
/// nothing is recorded). Free text (descriptions) goes last, so a "; " inside
/// it cannot be taken for the start of another part.
#[derive(Debug, Default)]
pub struct Changes {
    parts: Vec<String>,
    free_text: Vec<String>,
}

impl Changes {
    pub fn new() -> Changes {
        Changes::default()
    }

    /// `key: old → new` when they differ.
    pub fn value(mut self, key: &str, old: &str, new: &str) -> Changes {
        if old != new {
            self.parts.push(format!("{key}: {old}{ARROW}{new}"));
        }
        self
    }

    pub fn name(self, old: &str, new: &str) -> Changes {
        self.value("name", old, new)
    }

    pub fn email(self, old: &str, new: &str) -> Changes {
        self.value("email", old, new)
    }

    /// `permissions: [keys] → [keys]`: both lists whole (the permission keys,
    /// so the sentence shows the labels of the day).
    pub fn permissions(mut self, old: &PermissionSet, new: &PermissionSet) -> Changes {
        if old != new {
            self.parts.push(format!("permissions: [{}]{ARROW}[{}]", keys(old), keys(new)));
        }
        self
    }

    /// `view: 3 columns, 1 filter` (what the view is now) when it changed.
    pub fn view(mut self, old: &TableView, new: &TableView) -> Changes {
        if old != new {
            self.parts.push(format!("view: {}", view_summary(new)));
        }
        self
    }

    /// `description: “old” → “new”` when they differ.
    pub fn description(mut self, old: &str, new: &str) -> Changes {
        if old != new {
            self.free_text.push(format!("description: “{old}”{ARROW}“{new}”"));
        }
        self
    }

    pub fn is_empty(&self) -> bool {
        self.parts.is_empty() && self.free_text.is_empty()
    }

    /// The detail to store.
    pub fn detail(self) -> String {
        self.parts.into_iter().chain(self.free_text).collect::<Vec<_>>().join(SEPARATOR)
    }
}

fn keys(p: &PermissionSet) -> String {
    p.iter().map(|x| x.key()).collect::<Vec<_>>().join(", ")
}

/// "3 columns, 1 filter".
pub fn view_summary(v: &TableView) -> String {
    format!("{}, {}", plural(v.columns.len() as i64, "column", "columns"), plural(v.filters.len() as i64, "filter", "filters"))
}

/// The people a membership change names, by email: `people: a@x, b@y`.
pub fn people(emails: &[&str]) -> String {
    format!("people: {}", emails.join(", "))
}

// ---- Reading ----

/// The parts of a detail as (key, value); a part without a key has an empty
/// key. A description is written last and runs to the end; after a reason, a
/// piece that does not start like a key belongs to the reason: in both, a
/// "; " was inside the text.
pub fn parts(detail: &str) -> Vec<(&str, &str)> {
    if detail.is_empty() {
        return Vec::new();
    }
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let mut start = 0;
    let ends = detail.match_indices(SEPARATOR).map(|(i, _)| i).chain(std::iter::once(detail.len()));
    for end in ends {
        let piece = &detail[start..end];
        let before = spans.last().map(|last| key_of(&detail[last.0..last.1]).map(|(k, _)| k).unwrap_or(""));
        match (spans.last_mut(), before) {
            (Some(last), Some("description")) => last.1 = end,
            (Some(last), Some("reason")) if key_of(piece).is_none() => last.1 = end,
            _ => spans.push((start, end)),
        }
        start = end + SEPARATOR.len();
    }
    spans.into_iter().map(|(s, e)| key_of(&detail[s..e]).unwrap_or(("", &detail[s..e]))).collect()
}

/// "key: value" where the key is a few words (letters, spaces, hyphens).
fn key_of(text: &str) -> Option<(&str, &str)> {
    let (k, v) = text.split_once(": ")?;
    let ok = !k.is_empty() && k.len() <= 48 && k.chars().all(|c| c.is_alphabetic() || c == ' ' || c == '-' || c == '_');
    ok.then_some((k, v))
}

/// The value of the part named `key`.
pub fn value<'a>(parts: &[(&'a str, &'a str)], key: &str) -> Option<&'a str> {
    parts.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| *v)
}

/// "old → new" as (old, new).
pub fn change(v: &str) -> Option<(&str, &str)> {
    v.split_once(ARROW)
}

/// `“old” → “new”` without the quotes.
pub fn quoted_change(v: &str) -> Option<(&str, &str)> {
    let (old, new) = v.split_once(&format!("”{ARROW}“"))?;
    Some((old.strip_prefix('“')?, new.strip_suffix('”')?))
}

/// A permission list as stored: "a, b" or "[a, b]".
pub fn permission_list(v: &str) -> Vec<PermissionOrKey<'_>> {
    let v = v.trim().trim_start_matches('[').trim_end_matches(']');
    v.split(',').map(str::trim).filter(|k| !k.is_empty()).map(|k| Permission::from_key(k).map(PermissionOrKey::Known).unwrap_or(PermissionOrKey::Unknown(k))).collect()
}

/// A stored permission key: one this version knows, or one it no longer does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PermissionOrKey<'a> {
    Known(Permission),
    Unknown(&'a str),
}

impl PermissionOrKey<'_> {
    /// As the Account Types page labels it, quoted.
    pub fn quoted_label(&self) -> String {
        match self {
            PermissionOrKey::Known(p) => format!("“{}”", p.label()),
            PermissionOrKey::Unknown(k) => format!("“{}”", k.replace('_', " ")),
        }
    }
}

/// The number written just before a word starting with `noun` ("3 columns", "1 teams").
pub fn count_before(text: &str, noun: &str) -> Option<i64> {
    let words: Vec<&str> = text.split(|c: char| c.is_whitespace() || c == ',' || c == ';' || c == '(' || c == ')').filter(|w| !w.is_empty()).collect();
    words.windows(2).find(|w| w[1].starts_with(noun)).and_then(|w| w[0].parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_save_that_changes_nothing_has_no_changes() {
        let p = PermissionSet::viewer();
        let c = Changes::new().name("Creator", "Creator").permissions(&p, &p).description("x", "x");
        assert!(c.is_empty());
        assert_eq!(c.detail(), "");
    }

    #[test]
    fn changes_read_back() {
        let d = Changes::new().name("Old", "New").description("a; b: c", "").permissions(&PermissionSet::viewer(), &PermissionSet::creator()).detail();
        let p = parts(&d);
        assert_eq!(value(&p, "name").and_then(change), Some(("Old", "New")));
        assert_eq!(value(&p, "description").and_then(quoted_change), Some(("a; b: c", "")));
        let (old, new) = value(&p, "permissions").and_then(change).unwrap();
        assert_eq!(permission_list(old).len(), 4);
        assert_eq!(permission_list(new).len(), 12);
    }

    #[test]
    fn counts_are_read_before_their_noun() {
        assert_eq!(count_before("3 column(s), 1 filter(s)", "filter"), Some(1));
        assert_eq!(count_before("account type Creator; 1 teams", "team"), Some(1));
        assert_eq!(count_before("no number here", "team"), None);
    }
}
