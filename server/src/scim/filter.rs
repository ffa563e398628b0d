//! SCIM filters (RFC 7644 §3.4.2.2), parsed by `scim_v2` and read here into
//! the directory's typed search (`service::directory::Filter`), which the store
//! evaluates as SQL over indexed columns.
use super::{ScimError, ScimResult};
use app::service::directory::{Field, Filter as Search, Op};
use scim_v2::filter::{AttrExp, AttrPath, CompValue, CompareOp, Filter, ValFilter};
use std::str::FromStr;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    User,
    Group,
}

/// Entra writes `emails[type eq "work"].value eq "x"`, which the RFC grammar
/// does not allow; it means `emails[type eq "work" and value eq "x"]`.
pub fn rewrite_entra(filter: &str) -> String {
    let mut out = String::new();
    let mut rest = filter;
    while let Some(close) = rest.find("].") {
        let (head, tail) = rest.split_at(close);
        // tail = "].value eq \"x\"..."
        let after = &tail[2..];
        let sub_end = after.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-')).unwrap_or(after.len());
        let sub = &after[..sub_end];
        let comparison = &after[sub_end..];
        match (comparison_span(comparison), head.rfind('[')) {
            (Some(len), Some(open)) if !sub.is_empty() => {
                // head = "...emails[type eq \"work\"": parenthesise the inner filter.
                out.push_str(&head[..=open]);
                out.push('(');
                out.push_str(&head[open + 1..]);
                out.push_str(") and ");
                out.push_str(sub);
                out.push_str(&comparison[..len]);
                out.push(']');
                rest = &comparison[len..];
            }
            _ => {
                out.push_str(head);
                out.push_str("].");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The length of ` op "value"` or ` pr` at the start of `s`.
fn comparison_span(s: &str) -> Option<usize> {
    let trimmed = s.trim_start();
    let ws = s.len() - trimmed.len();
    if ws == 0 {
        return None;
    }
    let op_end = trimmed.find(char::is_whitespace).unwrap_or(trimmed.len());
    let op = trimmed[..op_end].to_ascii_lowercase();
    if op == "pr" {
        return Some(ws + op_end);
    }
    if !["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"].contains(&op.as_str()) {
        return None;
    }
    let after_op = &trimmed[op_end..];
    let value = after_op.trim_start();
    let ws2 = after_op.len() - value.len();
    let value_len = if let Some(stripped) = value.strip_prefix('"') {
        let mut escaped = false;
        let mut end = None;
        for (i, c) in stripped.char_indices() {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                end = Some(i + 2);
                break;
            }
        }
        end?
    } else {
        value.find(|c: char| c.is_whitespace() || c == ')' || c == ']').unwrap_or(value.len())
    };
    Some(ws + op_end + ws2 + value_len)
}

/// The longest filter accepted, and the deepest nesting of parentheses and
/// brackets: real identity providers send short, flat filters; a long or
/// deeply nested one would only cost the parser time and stack.
pub const MAX_FILTER_LEN: usize = 4096;
pub const MAX_FILTER_DEPTH: usize = 16;

fn check_size(filter: &str) -> ScimResult<()> {
    if filter.len() > MAX_FILTER_LEN {
        return Err(ScimError::bad("invalidFilter", format!("The filter is longer than {MAX_FILTER_LEN} characters; split the search.")));
    }
    let (mut depth, mut deepest, mut quoted, mut escaped) = (0usize, 0usize, false, false);
    for c in filter.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '(' | '[' if !quoted => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            ')' | ']' if !quoted => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    if deepest > MAX_FILTER_DEPTH {
        return Err(ScimError::bad("invalidFilter", format!("The filter nests deeper than {MAX_FILTER_DEPTH} levels of parentheses.")));
    }
    Ok(())
}

pub fn parse(filter: &str) -> ScimResult<Filter> {
    check_size(filter)?;
    Filter::from_str(&rewrite_entra(filter.trim())).map_err(|_| ScimError::bad("invalidFilter", what_is_wrong(filter)))
}

const OPERATORS: [&str; 10] = ["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le", "pr"];

/// Why a filter does not parse, in words an identity provider's admin can
/// act on (the parser's own message lists grammar tokens).
fn what_is_wrong(filter: &str) -> String {
    const EXAMPLE: &str = "A filter is an attribute, an operator and a value in double quotes, such as userName eq \"ada@example.com\" (RFC 7644 §3.4.2.2).";
    let words: Vec<&str> = filter.split_whitespace().collect();
    let shown = filter.trim();
    match words.as_slice() {
        [] => format!("The filter is empty. {EXAMPLE}"),
        [attr, op] if OPERATORS.contains(&op.to_ascii_lowercase().as_str()) && !op.eq_ignore_ascii_case("pr") => {
            format!("The filter “{shown}” has no value after {op}: write {attr} {op} \"…\". {EXAMPLE}")
        }
        [_, op, value, ..]
            if OPERATORS.contains(&op.to_ascii_lowercase().as_str())
                && !value.starts_with('"')
                && !matches!(value.trim_end_matches(')'), "true" | "false" | "null")
                && value.parse::<f64>().is_err() =>
        {
            format!("The filter “{shown}” compares with {value} without double quotes: text values are written in double quotes, as in \"{}\". {EXAMPLE}", value.trim_end_matches(')'))
        }
        [_] => format!("The filter “{shown}” has no operator (eq, ne, co, sw, ew, gt, ge, lt, le or pr). {EXAMPLE}"),
        [_, op, ..] if !OPERATORS.contains(&op.to_ascii_lowercase().as_str()) => {
            format!("The filter “{shown}” uses “{op}”, which is not an operator: use eq, ne, co, sw, ew, gt, ge, lt, le or pr. {EXAMPLE}")
        }
        _ => format!("The filter “{shown}” is not a valid SCIM filter. {EXAMPLE}"),
    }
}

/// What an attribute path names.
enum Attr {
    Text(Field),
    Active,
    Members,
    /// emails[type]: every address Gatehouse keeps is the work address.
    ConstWork,
}

fn attribute(r: Resource, a: &AttrPath, in_value_path: Option<&str>) -> ScimResult<Attr> {
    let name = a.name.to_ascii_lowercase();
    let sub = a.sub_attr.as_deref().map(str::to_ascii_lowercase);
    let key = match in_value_path {
        Some(parent) => format!("{parent}.{name}"),
        None => match &sub {
            Some(s) => format!("{name}.{s}"),
            None => name.clone(),
        },
    };
    Ok(match (r, key.as_str()) {
        (Resource::User, "id") => Attr::Text(Field::UserId),
        (Resource::User, "username") | (Resource::User, "emails") | (Resource::User, "emails.value") => Attr::Text(Field::UserName),
        (Resource::User, "emails.type") => Attr::ConstWork,
        (Resource::User, "externalid") => Attr::Text(Field::UserExternalId),
        (Resource::User, "displayname") => Attr::Text(Field::UserDisplayName),
        (Resource::User, "name.givenname") => Attr::Text(Field::GivenName),
        (Resource::User, "name.familyname") => Attr::Text(Field::FamilyName),
        (Resource::User, "usertype") => Attr::Text(Field::UserType),
        (Resource::User, "active") => Attr::Active,
        (Resource::User, "meta.created") => Attr::Text(Field::UserCreated),
        (Resource::User, "meta.lastmodified") => Attr::Text(Field::UserModified),
        (Resource::Group, "id") => Attr::Text(Field::TeamId),
        (Resource::Group, "displayname") => Attr::Text(Field::TeamName),
        (Resource::Group, "externalid") => Attr::Text(Field::TeamExternalId),
        (Resource::Group, "members") | (Resource::Group, "members.value") => Attr::Members,
        (Resource::Group, "meta.created") => Attr::Text(Field::TeamCreated),
        (Resource::Group, "meta.lastmodified") => Attr::Text(Field::TeamModified),
        _ => return Err(ScimError::bad("invalidFilter", format!("Filtering on “{a}” is not supported."))),
    })
}

fn search(r: Resource, f: &Filter) -> ScimResult<Search> {
    Ok(match f {
        Filter::Attr(e) => comparison(r, e, None)?,
        Filter::ValuePath(vp) => value_path(r, &vp.filter, &vp.attr.name.to_ascii_lowercase())?,
        Filter::Not(inner) => Search::Not(Box::new(search(r, inner)?)),
        Filter::And(ops) => Search::And(ops.iter().map(|f| search(r, f)).collect::<ScimResult<_>>()?),
        Filter::Or(ops) => Search::Or(ops.iter().map(|f| search(r, f)).collect::<ScimResult<_>>()?),
    })
}

fn value_path(r: Resource, f: &ValFilter, parent: &str) -> ScimResult<Search> {
    Ok(match f {
        ValFilter::Attr(e) => comparison(r, e, Some(parent))?,
        ValFilter::Not(inner) => Search::Not(Box::new(value_path(r, inner, parent)?)),
        ValFilter::And(ops) => Search::And(ops.iter().map(|f| value_path(r, f, parent)).collect::<ScimResult<_>>()?),
        ValFilter::Or(ops) => Search::Or(ops.iter().map(|f| value_path(r, f, parent)).collect::<ScimResult<_>>()?),
    })
}

fn comparison(r: Resource, e: &AttrExp, parent: Option<&str>) -> ScimResult<Search> {
    let (path, op, value) = match e {
        AttrExp::Present(p) => (p, None, None),
        AttrExp::Comparison(p, op, v) => (p, Some(op), Some(v)),
    };
    match attribute(r, path, parent)? {
        Attr::Active => {
            let want = match (op, value) {
                (None, _) => return Ok(Search::All),
                (Some(CompareOp::Eq), Some(CompValue::True)) | (Some(CompareOp::Ne), Some(CompValue::False)) => true,
                (Some(CompareOp::Eq), Some(CompValue::False)) | (Some(CompareOp::Ne), Some(CompValue::True)) => false,
                (Some(CompareOp::Eq) | Some(CompareOp::Ne), Some(CompValue::Str(s))) if s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false") => {
                    (s.eq_ignore_ascii_case("true")) == matches!(op, Some(CompareOp::Eq))
                }
                _ => return Err(ScimError::bad("invalidFilter", "active can only be compared with eq or ne to true or false.")),
            };
            Ok(Search::Active(want))
        }
        Attr::ConstWork => {
            let v = match value {
                None => return Ok(Search::All),
                Some(CompValue::Str(s)) => s.to_ascii_lowercase(),
                _ => return Err(ScimError::bad("invalidFilter", "emails.type compares with a string.")),
            };
            let hit = match op {
                Some(CompareOp::Eq) => v == "work",
                Some(CompareOp::Ne) => v != "work",
                Some(CompareOp::Co) => "work".contains(&v),
                Some(CompareOp::Sw) => "work".starts_with(&v),
                Some(CompareOp::Ew) => "work".ends_with(&v),
                _ => return Err(ScimError::bad("invalidFilter", "emails.type supports eq, ne, co, sw, ew and pr.")),
            };
            Ok(Search::Const(hit))
        }
        Attr::Members => match (op, value) {
            (None, _) => Ok(Search::Member(None)),
            (Some(CompareOp::Eq), Some(CompValue::Str(s))) => Ok(Search::Member(Some(s.clone()))),
            _ => Err(ScimError::bad("invalidFilter", "members supports only eq with a user id, and pr.")),
        },
        Attr::Text(field) => {
            let Some(op) = op else {
                return Ok(Search::Text(field, Op::Present));
            };
            let v = match value {
                Some(CompValue::Str(s)) => s.clone(),
                Some(CompValue::Null) if matches!(op, CompareOp::Eq) => return Ok(Search::Text(field, Op::Eq(None))),
                Some(CompValue::Null) if matches!(op, CompareOp::Ne) => return Ok(Search::Text(field, Op::Ne(None))),
                _ => return Err(ScimError::bad("invalidFilter", format!("“{path}” compares with a string value."))),
            };
            Ok(Search::Text(
                field,
                match op {
                    CompareOp::Eq => Op::Eq(Some(v)),
                    CompareOp::Ne => Op::Ne(Some(v)),
                    CompareOp::Co => Op::Contains(v),
                    CompareOp::Sw => Op::StartsWith(v),
                    CompareOp::Ew => Op::EndsWith(v),
                    CompareOp::Gt => Op::Gt(v),
                    CompareOp::Ge => Op::Ge(v),
                    CompareOp::Lt => Op::Lt(v),
                    CompareOp::Le => Op::Le(v),
                },
            ))
        }
    }
}

/// The directory search a request asks for: its filter, or everyone.
pub fn read(filter: Option<&str>, r: Resource) -> ScimResult<Search> {
    match filter.filter(|f| !f.trim().is_empty()) {
        Some(f) => search(r, &parse(f)?),
        None => Ok(Search::All),
    }
}

#[cfg(test)]
mod wording {
    use super::what_is_wrong;

    #[test]
    fn parse_errors_say_what_to_write() {
        assert!(what_is_wrong("userName eq ").starts_with("The filter “userName eq” has no value after eq: write userName eq \"…\""));
        assert!(what_is_wrong("userName eq ada@example.com").contains("without double quotes"));
        assert!(what_is_wrong("userName").contains("has no operator"));
        assert!(what_is_wrong("userName equals \"x\"").contains("“equals”, which is not an operator"));
        assert!(what_is_wrong("").starts_with("The filter is empty."));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entra_value_paths_are_rewritten() {
        assert_eq!(rewrite_entra(r#"emails[type eq "work"].value eq "a@b.c""#), r#"emails[(type eq "work") and value eq "a@b.c"]"#);
        assert_eq!(rewrite_entra(r#"userName eq "x].y""#), r#"userName eq "x].y""#);
        assert_eq!(rewrite_entra(r#"emails[type eq "work"]"#), r#"emails[type eq "work"]"#);
    }

    #[test]
    fn filters_become_directory_searches() {
        let f = read(Some(r#"userName eq "Ada@Example.com""#), Resource::User).unwrap();
        assert_eq!(f, Search::Text(Field::UserName, Op::Eq(Some("Ada@Example.com".into()))));
        let f = read(Some(r#"externalId eq "X1" and userName eq "a@b.co""#), Resource::User).unwrap();
        assert_eq!(f, Search::And(vec![Search::Text(Field::UserExternalId, Op::Eq(Some("X1".into()))), Search::Text(Field::UserName, Op::Eq(Some("a@b.co".into())))]));
        let f = read(Some(r#"emails[type eq "work"].value eq "A@b.co""#), Resource::User).unwrap();
        assert_eq!(f, Search::And(vec![Search::Const(true), Search::Text(Field::UserName, Op::Eq(Some("A@b.co".into())))]));
        assert_eq!(read(Some("active eq false"), Resource::User).unwrap(), Search::Active(false));
        assert_eq!(read(Some(r#"displayName EQ "Finance""#), Resource::Group).unwrap(), Search::Text(Field::TeamName, Op::Eq(Some("Finance".into()))));
        assert_eq!(read(Some(r#"userName sw "a_b%""#), Resource::User).unwrap(), Search::Text(Field::UserName, Op::StartsWith("a_b%".into())));
        assert_eq!(read(None, Resource::User).unwrap(), Search::All);
    }

    #[test]
    fn long_or_deep_filters_are_refused_before_parsing() {
        let deep = format!("{}userName eq \"a\"{}", "(".repeat(100_000), ")".repeat(100_000));
        assert_eq!(read(Some(&deep), Resource::User).unwrap_err().scim_type, Some("invalidFilter"));
        let nested = format!("{}userName eq \"a\"{}", "(".repeat(MAX_FILTER_DEPTH + 1), ")".repeat(MAX_FILTER_DEPTH + 1));
        assert!(read(Some(&nested), Resource::User).unwrap_err().detail.contains("nests"));
        let fine = format!("{}userName eq \"(((\"{}", "(".repeat(3), ")".repeat(3));
        assert!(read(Some(&fine), Resource::User).is_ok(), "parentheses inside a value do not count");
        let long = format!("userName eq \"{}\"", "a".repeat(MAX_FILTER_LEN));
        assert!(read(Some(&long), Resource::User).unwrap_err().detail.contains("longer"));
    }

    #[test]
    fn bad_filters_are_invalid_filter_errors() {
        for bad in [r#"userName eq"#, r#"password eq "x""#, r#"userName eq 5"#, "((", r#"members eq "x""#] {
            let e = read(Some(bad), Resource::User).unwrap_err();
            assert_eq!(e.scim_type, Some("invalidFilter"), "{bad}");
        }
    }
}
