//! SCIM filters (RFC 7644 §3.4.2.2), parsed by `scim_v2` and evaluated by us
//! as SQL over indexed columns, with values always bound, never spliced.
use super::{ScimError, ScimResult};
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

pub fn parse(filter: &str) -> ScimResult<Filter> {
    Filter::from_str(&rewrite_entra(filter.trim())).map_err(|e| ScimError::bad("invalidFilter", format!("The filter {filter:?} could not be parsed: {e}")))
}

/// A column and whether it compares case-insensitively (its values are stored lower-case).
enum Col {
    Text { sql: &'static str, ci: bool },
    Active,
    Members,
    /// emails[type]: every address Gatehouse keeps is the work address.
    ConstWork,
}

fn column(r: Resource, a: &AttrPath, in_value_path: Option<&str>) -> ScimResult<Col> {
    let name = a.name.to_ascii_lowercase();
    let sub = a.sub_attr.as_deref().map(str::to_ascii_lowercase);
    let key = match in_value_path {
        Some(parent) => format!("{parent}.{name}"),
        None => match &sub {
            Some(s) => format!("{name}.{s}"),
            None => name.clone(),
        },
    };
    let col = match (r, key.as_str()) {
        (Resource::User, "id") => Col::Text { sql: "u.id", ci: false },
        (Resource::User, "username") | (Resource::User, "emails") | (Resource::User, "emails.value") => Col::Text { sql: "u.email_norm", ci: true },
        (Resource::User, "emails.type") => Col::ConstWork,
        (Resource::User, "externalid") => Col::Text { sql: "u.external_id", ci: false },
        (Resource::User, "displayname") => Col::Text { sql: "LOWER(COALESCE(u.display_name, u.first_name || ' ' || u.last_name))", ci: true },
        (Resource::User, "name.givenname") => Col::Text { sql: "LOWER(u.first_name)", ci: true },
        (Resource::User, "name.familyname") => Col::Text { sql: "u.last_norm", ci: true },
        (Resource::User, "usertype") => Col::Text { sql: "t.name_norm", ci: true },
        (Resource::User, "active") => Col::Active,
        (Resource::User, "meta.created") => Col::Text { sql: "u.created_at", ci: false },
        (Resource::User, "meta.lastmodified") => Col::Text { sql: "u.updated_at", ci: false },
        (Resource::Group, "id") => Col::Text { sql: "g.id", ci: false },
        (Resource::Group, "displayname") => Col::Text { sql: "g.name_norm", ci: true },
        (Resource::Group, "externalid") => Col::Text { sql: "g.external_id", ci: false },
        (Resource::Group, "members") | (Resource::Group, "members.value") => Col::Members,
        (Resource::Group, "meta.created") => Col::Text { sql: "g.created_at", ci: false },
        (Resource::Group, "meta.lastmodified") => Col::Text { sql: "g.updated_at", ci: false },
        _ => return Err(ScimError::bad("invalidFilter", format!("Filtering on “{a}” is not supported."))),
    };
    Ok(col)
}

struct Sql {
    binds: Vec<String>,
}

impl Sql {
    fn bind(&mut self, v: String) -> String {
        self.binds.push(v);
        // $1 is the organization.
        format!("${}", self.binds.len() + 1)
    }

    fn filter(&mut self, r: Resource, f: &Filter) -> ScimResult<String> {
        Ok(match f {
            Filter::Attr(e) => self.attr(r, e, None)?,
            Filter::ValuePath(vp) => {
                let parent = vp.attr.name.to_ascii_lowercase();
                self.val(r, &vp.filter, &parent)?
            }
            Filter::Not(inner) => format!("NOT ({})", self.filter(r, inner)?),
            Filter::And(ops) => self.join(r, ops.as_slice(), " AND ")?,
            Filter::Or(ops) => self.join(r, ops.as_slice(), " OR ")?,
        })
    }

    fn join(&mut self, r: Resource, ops: &[Filter], sep: &str) -> ScimResult<String> {
        let parts: ScimResult<Vec<String>> = ops.iter().map(|f| self.filter(r, f).map(|s| format!("({s})"))).collect();
        Ok(parts?.join(sep))
    }

    fn val(&mut self, r: Resource, f: &ValFilter, parent: &str) -> ScimResult<String> {
        Ok(match f {
            ValFilter::Attr(e) => self.attr(r, e, Some(parent))?,
            ValFilter::Not(inner) => format!("NOT ({})", self.val(r, inner, parent)?),
            ValFilter::And(ops) => {
                let parts: ScimResult<Vec<String>> = ops.iter().map(|f| self.val(r, f, parent).map(|s| format!("({s})"))).collect();
                parts?.join(" AND ")
            }
            ValFilter::Or(ops) => {
                let parts: ScimResult<Vec<String>> = ops.iter().map(|f| self.val(r, f, parent).map(|s| format!("({s})"))).collect();
                parts?.join(" OR ")
            }
        })
    }

    fn attr(&mut self, r: Resource, e: &AttrExp, parent: Option<&str>) -> ScimResult<String> {
        let (path, op, value) = match e {
            AttrExp::Present(p) => (p, None, None),
            AttrExp::Comparison(p, op, v) => (p, Some(op), Some(v)),
        };
        let col = column(r, path, parent)?;
        match col {
            Col::Active => {
                let want = match (op, value) {
                    (None, _) => return Ok("1 = 1".into()),
                    (Some(CompareOp::Eq), Some(CompValue::True)) | (Some(CompareOp::Ne), Some(CompValue::False)) => true,
                    (Some(CompareOp::Eq), Some(CompValue::False)) | (Some(CompareOp::Ne), Some(CompValue::True)) => false,
                    (Some(CompareOp::Eq) | Some(CompareOp::Ne), Some(CompValue::Str(s))) if s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false") => {
                        (s.eq_ignore_ascii_case("true")) == matches!(op, Some(CompareOp::Eq))
                    }
                    _ => return Err(ScimError::bad("invalidFilter", "active can only be compared with eq or ne to true or false.")),
                };
                Ok(if want { "u.status = 'active'".into() } else { "u.status <> 'active'".into() })
            }
            Col::ConstWork => {
                let v = match value {
                    None => return Ok("1 = 1".into()),
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
                Ok(if hit { "1 = 1".into() } else { "1 = 0".into() })
            }
            Col::Members => {
                let id = match (op, value) {
                    (None, _) => return Ok("EXISTS (SELECT 1 FROM team_members m WHERE m.team_id = g.id)".into()),
                    (Some(CompareOp::Eq), Some(CompValue::Str(s))) => s.clone(),
                    _ => return Err(ScimError::bad("invalidFilter", "members supports only eq with a user id, and pr.")),
                };
                let p = self.bind(id);
                Ok(format!("EXISTS (SELECT 1 FROM team_members m WHERE m.team_id = g.id AND m.user_id = {p})"))
            }
            Col::Text { sql, ci } => {
                let Some(op) = op else {
                    return Ok(format!("({sql} IS NOT NULL AND {sql} <> '')"));
                };
                let raw = match value {
                    Some(CompValue::Str(s)) => s.clone(),
                    Some(CompValue::Null) if matches!(op, CompareOp::Eq) => return Ok(format!("{sql} IS NULL")),
                    Some(CompValue::Null) if matches!(op, CompareOp::Ne) => return Ok(format!("{sql} IS NOT NULL")),
                    _ => return Err(ScimError::bad("invalidFilter", format!("“{path}” compares with a string value."))),
                };
                let v = if ci { raw.to_lowercase() } else { raw };
                let like = |s: &str| s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
                Ok(match op {
                    CompareOp::Eq => format!("{sql} = {}", self.bind(v)),
                    CompareOp::Ne => format!("({sql} IS NULL OR {sql} <> {})", self.bind(v)),
                    CompareOp::Co => format!("{sql} LIKE {} ESCAPE '\\'", self.bind(format!("%{}%", like(&v)))),
                    CompareOp::Sw => format!("{sql} LIKE {} ESCAPE '\\'", self.bind(format!("{}%", like(&v)))),
                    CompareOp::Ew => format!("{sql} LIKE {} ESCAPE '\\'", self.bind(format!("%{}", like(&v)))),
                    CompareOp::Gt => format!("{sql} > {}", self.bind(v)),
                    CompareOp::Ge => format!("{sql} >= {}", self.bind(v)),
                    CompareOp::Lt => format!("{sql} < {}", self.bind(v)),
                    CompareOp::Le => format!("{sql} <= {}", self.bind(v)),
                })
            }
        }
    }
}

/// A WHERE clause (to AND with the organization scope, `$1`) and its values.
pub fn to_sql(filter: &str, r: Resource) -> ScimResult<(String, Vec<String>)> {
    let f = parse(filter)?;
    let mut sql = Sql { binds: Vec::new() };
    let wc = sql.filter(r, &f)?;
    Ok((wc, sql.binds))
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
    fn filters_become_bound_sql() {
        let (wc, b) = to_sql(r#"userName eq "Ada@Example.com""#, Resource::User).unwrap();
        assert_eq!((wc.as_str(), b), ("u.email_norm = $2", vec!["ada@example.com".to_string()]));
        let (wc, b) = to_sql(r#"externalId eq "X1" and userName eq "a@b.co""#, Resource::User).unwrap();
        assert_eq!(wc, "(u.external_id = $2) AND (u.email_norm = $3)");
        assert_eq!(b, ["X1", "a@b.co"]);
        let (wc, _) = to_sql(r#"emails[type eq "work"].value eq "A@b.co""#, Resource::User).unwrap();
        assert_eq!(wc, "(1 = 1) AND (u.email_norm = $2)");
        let (wc, _) = to_sql("active eq false", Resource::User).unwrap();
        assert_eq!(wc, "u.status <> 'active'");
        let (wc, b) = to_sql(r#"displayName EQ "Finance""#, Resource::Group).unwrap();
        assert_eq!((wc.as_str(), b), ("g.name_norm = $2", vec!["finance".to_string()]));
        let (wc, _) = to_sql(r#"userName sw "a_b%""#, Resource::User).unwrap();
        assert!(wc.contains("LIKE $2 ESCAPE"));
    }

    #[test]
    fn bad_filters_are_invalid_filter_errors() {
        for bad in [r#"userName eq"#, r#"password eq "x""#, r#"userName eq 5"#, "((", r#"members eq "x""#] {
            let e = to_sql(bad, Resource::User).unwrap_err();
            assert_eq!(e.scim_type, Some("invalidFilter"), "{bad}");
        }
    }
}
