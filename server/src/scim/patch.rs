//! PATCH (RFC 7644 §3.5.2) as Okta and Entra send it. Paths are parsed by
//! `scim_v2`; applying the operations is ours. Users: the operations change
//! the resource's JSON, which is then read back like a PUT. Groups: member
//! changes are collected as sets, so large teams are never rewritten whole.
use super::groups::member_ids;
use super::{ScimError, ScimResult};
use scim_v2::filter::{AttrExp, AttrPath, CompValue, CompareOp, PatchPath, ValFilter};
use serde_json::{Map, Value};
use std::collections::BTreeSet;
use std::str::FromStr;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Op {
    Add,
    Replace,
    Remove,
}

#[derive(Debug)]
pub struct Operation {
    pub op: Op,
    pub path: Option<PatchPath>,
    pub value: Option<Value>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    User,
}

/// Reads `Operations`; op names are case-insensitive (Entra sends "Replace").
pub fn operations(body: &Value, schema: &str) -> ScimResult<Vec<Operation>> {
    let o = body.as_object().ok_or_else(|| ScimError::bad("invalidSyntax", "The body must be a JSON object."))?;
    if let Some(schemas) = o.get("schemas").and_then(|s| s.as_array()) {
        if !schemas.iter().any(|s| s.as_str() == Some(schema)) {
            return Err(ScimError::bad("invalidSyntax", format!("A PATCH body's schemas must include {schema}.")));
        }
    }
    let ops = o.iter().find(|(k, _)| k.eq_ignore_ascii_case("Operations")).and_then(|(_, v)| v.as_array()).ok_or_else(|| ScimError::bad("invalidSyntax", "A PATCH body needs an Operations array."))?;
    if ops.is_empty() {
        return Err(ScimError::bad("invalidSyntax", "Operations is empty."));
    }
    ops.iter()
        .map(|op| {
            let op = op.as_object().ok_or_else(|| ScimError::bad("invalidSyntax", "Each operation must be an object."))?;
            let get = |k: &str| op.iter().find(|(n, _)| n.eq_ignore_ascii_case(k)).map(|(_, v)| v);
            let name = get("op").and_then(|v| v.as_str()).unwrap_or("");
            let kind = match name.to_ascii_lowercase().as_str() {
                "add" => Op::Add,
                "replace" => Op::Replace,
                "remove" => Op::Remove,
                _ => return Err(ScimError::bad("invalidSyntax", format!("“{name}” is not a PATCH operation; use add, replace or remove."))),
            };
            let path = match get("path").and_then(|v| v.as_str()).map(str::trim).filter(|p| !p.is_empty()) {
                Some(p) => Some(PatchPath::from_str(p).map_err(|e| ScimError::bad("invalidPath", format!("The path {p:?} could not be parsed: {e}")))?),
                None => None,
            };
            let value = get("value").cloned().filter(|v| !v.is_null());
            if kind != Op::Remove && value.is_none() {
                return Err(ScimError::bad("invalidValue", format!("The {name} operation needs a value.")));
            }
            if kind == Op::Remove && path.is_none() {
                return Err(ScimError::bad("noTarget", "A remove operation needs a path."));
            }
            Ok(Operation { op: kind, path, value })
        })
        .collect()
}

/// The key in `o` that matches `name` case-insensitively, or `name` itself.
fn key_of(o: &Map<String, Value>, name: &str) -> String {
    o.keys().find(|k| k.eq_ignore_ascii_case(name)).cloned().unwrap_or_else(|| name.to_string())
}

/// The user extension a path names, among those Gatehouse keeps (its
/// attributes are then read and written inside the extension's object).
/// Returns the extension and the attribute's name within it, however the path
/// parser split `urn:…:User:department` into a URI, a name and a sub-attribute.
fn kept_extension(a: &AttrPath) -> Option<(&'static str, String)> {
    let mut full = a.uri.clone().map(|u| format!("{u}:")).unwrap_or_default();
    full.push_str(&a.name);
    if let Some(sub) = &a.sub_attr {
        full.push('.');
        full.push_str(sub);
    }
    [super::SCHEMA_ENTERPRISE, super::SCHEMA_ATTRIBUTES].into_iter().find_map(|k| {
        let head = full.get(..k.len()).filter(|h| h.eq_ignore_ascii_case(k))?;
        let rest = full[head.len()..].trim_start_matches([':', '.']);
        (!rest.is_empty()).then(|| (k, rest.to_string()))
    })
}

/// The kept extension a path names as a whole (`"path": "urn:…:enterprise:2.0:User"`).
fn whole_extension(a: &AttrPath) -> Option<&'static str> {
    let full = match &a.uri {
        Some(u) => format!("{u}:{}", a.name),
        None => a.name.clone(),
    };
    [super::SCHEMA_ENTERPRISE, super::SCHEMA_ATTRIBUTES].into_iter().find(|k| a.sub_attr.is_none() && k.eq_ignore_ascii_case(&full))
}

/// A kept extension's object in a user's JSON (made when absent).
fn extension<'a>(doc: &'a mut Map<String, Value>, urn: &str) -> ScimResult<&'a mut Map<String, Value>> {
    let k = key_of(doc, urn);
    doc.entry(k).or_insert_with(|| Value::Object(Map::new())).as_object_mut().ok_or_else(|| ScimError::bad("invalidValue", format!("{urn} must be an object.")))
}

/// Attributes from schema extensions Gatehouse does not keep are accepted and ignored.
fn ignored(a: &AttrPath) -> bool {
    a.uri.as_deref().is_some_and(|u| !u.eq_ignore_ascii_case(super::SCHEMA_USER) && !u.eq_ignore_ascii_case(super::SCHEMA_GROUP))
}

fn set(doc: &mut Map<String, Value>, name: &str, sub: Option<&str>, op: Op, value: Value) -> ScimResult<()> {
    let k = key_of(doc, name);
    match sub {
        Some(sub) => {
            let entry = doc.entry(k).or_insert_with(|| Value::Object(Map::new()));
            let inner = entry.as_object_mut().ok_or_else(|| ScimError::bad("invalidPath", format!("{name} has no sub-attribute {sub}.")))?;
            let sk = key_of(inner, sub);
            inner.insert(sk, value);
        }
        None => match (doc.get_mut(&k), value) {
            // A complex value merges into the existing one (RFC 7644 §3.5.2.1/3).
            (Some(Value::Object(existing)), Value::Object(new)) => {
                for (nk, nv) in new {
                    let ek = key_of(existing, &nk);
                    existing.insert(ek, nv);
                }
            }
            (Some(Value::Array(existing)), Value::Array(new)) if op == Op::Add => existing.extend(new),
            (_, v) => {
                doc.insert(k, v);
            }
        },
    }
    Ok(())
}

/// Applies the operations to a user's JSON.
pub fn apply(doc: &mut Value, ops: &[Operation], _r: Resource) -> ScimResult<()> {
    let doc = doc.as_object_mut().expect("a resource is an object");
    for o in ops {
        match (&o.path, o.op) {
            (None, _) => {
                // Okta: {"op":"replace","value":{"active":false}}; Entra: dotted keys such as "name.givenName".
                let value = o.value.clone().unwrap_or(Value::Null);
                let obj = value.as_object().ok_or_else(|| ScimError::bad("invalidValue", "An operation without a path needs an object value."))?;
                for (k, v) in obj {
                    // {"urn:…:enterprise:2.0:User": {"department": "R&D"}}
                    if let Some(urn) = [super::SCHEMA_ENTERPRISE, super::SCHEMA_ATTRIBUTES].into_iter().find(|u| u.eq_ignore_ascii_case(k)) {
                        if let Value::Object(values) = v {
                            let ext = extension(doc, urn)?;
                            for (name, value) in values {
                                set(ext, name, None, o.op, value.clone())?;
                            }
                        }
                        continue;
                    }
                    let path = AttrPath::from_key(k);
                    if let Some((urn, name)) = kept_extension(&path) {
                        set(extension(doc, urn)?, &name, None, o.op, v.clone())?;
                        continue;
                    }
                    if ignored(&path) {
                        continue;
                    }
                    set(doc, &path.name, path.sub_attr.as_deref(), o.op, v.clone())?;
                }
            }
            (Some(PatchPath::Attr(a)), op) => {
                // The whole extension: removed, replaced, or its values added.
                if let Some(urn) = whole_extension(a) {
                    if op == Op::Remove {
                        let k = key_of(doc, urn);
                        doc.remove(&k);
                        continue;
                    }
                    let Some(Value::Object(values)) = o.value.clone() else {
                        return Err(ScimError::bad("invalidValue", format!("{urn} takes an object of its attributes.")));
                    };
                    if op == Op::Replace {
                        let k = key_of(doc, urn);
                        doc.remove(&k);
                    }
                    let ext = extension(doc, urn)?;
                    // An extension object may name its schema again: that is no attribute.
                    for (name, value) in values.into_iter().filter(|(n, _)| !n.eq_ignore_ascii_case("schemas")) {
                        set(ext, &name, None, op, value)?;
                    }
                    continue;
                }
                if let Some((urn, name)) = kept_extension(a) {
                    let ext = extension(doc, urn)?;
                    if op == Op::Remove {
                        let k = key_of(ext, &name);
                        ext.remove(&k);
                    } else {
                        set(ext, &name, None, op, o.value.clone().unwrap_or(Value::Null))?;
                    }
                    continue;
                }
                if ignored(a) {
                    continue;
                }
                if op == Op::Remove {
                    let k = key_of(doc, &a.name);
                    match &a.sub_attr {
                        Some(sub) => {
                            if let Some(Value::Object(inner)) = doc.get_mut(&k) {
                                let sk = key_of(inner, sub);
                                inner.remove(&sk);
                            }
                        }
                        None => {
                            doc.remove(&k);
                        }
                    }
                } else {
                    set(doc, &a.name, a.sub_attr.as_deref(), op, o.value.clone().unwrap_or(Value::Null))?;
                }
            }
            (Some(PatchPath::Value(vp)), op) => {
                if ignored(&vp.attr) {
                    continue;
                }
                let k = key_of(doc, &vp.attr.name);
                let list = doc.entry(k).or_insert_with(|| Value::Array(Vec::new()));
                let items = list.as_array_mut().ok_or_else(|| ScimError::bad("invalidPath", format!("{} is not multi-valued.", vp.attr.name)))?;
                let matches: Vec<usize> = (0..items.len()).filter(|i| items[*i].as_object().is_some_and(|m| eval(&vp.filter, m))).collect();
                match op {
                    Op::Remove => {
                        for i in matches.into_iter().rev() {
                            match &vp.sub_attr {
                                Some(sub) => {
                                    if let Some(m) = items[i].as_object_mut() {
                                        let sk = key_of(m, sub);
                                        m.remove(&sk);
                                    }
                                }
                                None => {
                                    items.remove(i);
                                }
                            }
                        }
                    }
                    _ => {
                        let value = o.value.clone().unwrap_or(Value::Null);
                        if matches.is_empty() {
                            // Nothing matched: add an element carrying the filter's equality values.
                            let mut m = Map::new();
                            seed(&vp.filter, &mut m);
                            match &vp.sub_attr {
                                Some(sub) => {
                                    m.insert(sub.clone(), value.clone());
                                }
                                None => {
                                    if let Value::Object(v) = &value {
                                        m.extend(v.clone());
                                    }
                                }
                            }
                            items.push(Value::Object(m));
                        }
                        for i in matches {
                            if let Some(m) = items[i].as_object_mut() {
                                match &vp.sub_attr {
                                    Some(sub) => {
                                        let sk = key_of(m, sub);
                                        m.insert(sk, value.clone());
                                    }
                                    None => {
                                        if let Value::Object(v) = &value {
                                            for (nk, nv) in v {
                                                let ek = key_of(m, nk);
                                                m.insert(ek, nv.clone());
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    Ok(())
}

trait FromKey {
    fn from_key(k: &str) -> AttrPath;
}

impl FromKey for AttrPath {
    /// A key of a pathless value: "active", "name.givenName", or a URN-qualified name.
    fn from_key(k: &str) -> AttrPath {
        let (uri, rest) = match k.rsplit_once(':') {
            Some((u, r)) => (Some(u.to_string()), r),
            None => (None, k),
        };
        let (name, sub) = match rest.split_once('.') {
            Some((n, s)) => (n.to_string(), Some(s.to_string())),
            None => (rest.to_string(), None),
        };
        AttrPath { uri, name, sub_attr: sub }
    }
}

/// Whether a multi-valued element matches a value filter (strings compare case-insensitively).
fn eval(f: &ValFilter, m: &Map<String, Value>) -> bool {
    match f {
        ValFilter::Attr(AttrExp::Present(p)) => m.iter().any(|(k, v)| k.eq_ignore_ascii_case(&p.name) && !v.is_null()),
        ValFilter::Attr(AttrExp::Comparison(p, op, want)) => {
            let have = m.iter().find(|(k, _)| k.eq_ignore_ascii_case(&p.name)).map(|(_, v)| v);
            compare(have, op, want)
        }
        ValFilter::Not(inner) => !eval(inner, m),
        ValFilter::And(ops) => ops.iter().all(|f| eval(f, m)),
        ValFilter::Or(ops) => ops.iter().any(|f| eval(f, m)),
    }
}

fn compare(have: Option<&Value>, op: &CompareOp, want: &CompValue) -> bool {
    let text = |v: &Value| match v {
        Value::String(s) => Some(s.to_lowercase()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    let want_text = match want {
        CompValue::Str(s) => s.to_lowercase(),
        CompValue::True => "true".into(),
        CompValue::False => "false".into(),
        CompValue::Number(n) => n.to_string(),
        CompValue::Null => return matches!(op, CompareOp::Eq) == have.is_none_or(Value::is_null),
    };
    let Some(h) = have.and_then(text) else {
        return matches!(op, CompareOp::Ne);
    };
    match op {
        CompareOp::Eq => h == want_text,
        CompareOp::Ne => h != want_text,
        CompareOp::Co => h.contains(&want_text),
        CompareOp::Sw => h.starts_with(&want_text),
        CompareOp::Ew => h.ends_with(&want_text),
        CompareOp::Gt => h > want_text,
        CompareOp::Ge => h >= want_text,
        CompareOp::Lt => h < want_text,
        CompareOp::Le => h <= want_text,
    }
}

/// The `attr eq "x"` pairs of a filter, for a new element that should match it.
fn seed(f: &ValFilter, m: &mut Map<String, Value>) {
    match f {
        ValFilter::Attr(AttrExp::Comparison(p, CompareOp::Eq, CompValue::Str(s))) => {
            m.insert(p.name.clone(), Value::String(s.clone()));
        }
        ValFilter::And(ops) => ops.iter().for_each(|f| seed(f, m)),
        _ => {}
    }
}

/// What a PATCH does to a group: a new name or externalId, members to add and to remove.
#[derive(Default, Debug)]
pub struct GroupChange {
    pub name: Option<Value>,
    pub external_id: Option<Option<String>>,
    pub add: BTreeSet<String>,
    pub remove: BTreeSet<String>,
}

/// The ids a `members[value eq "x" or value eq "y"]` filter names.
fn filter_ids(f: &ValFilter, out: &mut Vec<String>) -> ScimResult<()> {
    match f {
        ValFilter::Attr(AttrExp::Comparison(p, CompareOp::Eq, CompValue::Str(s))) if p.name.eq_ignore_ascii_case("value") => {
            out.push(s.clone());
            Ok(())
        }
        ValFilter::Or(ops) => ops.iter().try_for_each(|f| filter_ids(f, out)),
        _ => Err(ScimError::bad("invalidFilter", "members can be selected only by value eq \"<user id>\".")),
    }
}

/// Whether applying `ops` needs the group's current members: replacing the
/// list or removing all of it. Adding and removing named members does not,
/// so a PATCH on a large team never reads the whole team.
pub fn needs_current_members(ops: &[Operation]) -> bool {
    ops.iter().any(|o| match (&o.path, o.op) {
        (None, Op::Replace) => o.value.as_ref().and_then(|v| v.as_object()).is_some_and(|m| m.keys().any(|k| AttrPath::from_key(k).name.eq_ignore_ascii_case("members"))),
        (Some(PatchPath::Attr(a)), Op::Replace) => a.name.eq_ignore_ascii_case("members"),
        (Some(PatchPath::Attr(a)), Op::Remove) => a.name.eq_ignore_ascii_case("members") && o.value.is_none(),
        _ => false,
    })
}

/// The members as the operations go: the whole list when the current one is
/// known, otherwise what was added and removed.
enum Members {
    Full(BTreeSet<String>),
    Delta { add: BTreeSet<String>, remove: BTreeSet<String> },
}

impl Members {
    fn add(&mut self, ids: Vec<String>) {
        match self {
            Members::Full(m) => m.extend(ids),
            Members::Delta { add, remove } => ids.into_iter().for_each(|id| {
                remove.remove(&id);
                add.insert(id);
            }),
        }
    }
    fn remove(&mut self, ids: &[String]) {
        match self {
            Members::Full(m) => ids.iter().for_each(|id| {
                m.remove(id);
            }),
            Members::Delta { add, remove } => ids.iter().for_each(|id| {
                add.remove(id);
                remove.insert(id.clone());
            }),
        }
    }
    fn replace(&mut self, ids: Vec<String>) -> ScimResult<()> {
        match self {
            Members::Full(m) => {
                *m = ids.into_iter().collect();
                Ok(())
            }
            Members::Delta { .. } => Err(ScimError::new(axum::http::StatusCode::INTERNAL_SERVER_ERROR, None, "members replaced without the current list")),
        }
    }
}

/// `current`: the group's members, needed when `needs_current_members(ops)`.
pub fn group_changes(ops: &[Operation], current: Option<&BTreeSet<String>>) -> ScimResult<GroupChange> {
    let mut members = match current {
        Some(c) => Members::Full(c.clone()),
        None => Members::Delta { add: BTreeSet::new(), remove: BTreeSet::new() },
    };
    let mut change = GroupChange::default();
    let attr = |name: &str, value: Option<&Value>, op: Op, change: &mut GroupChange, members: &mut Members| -> ScimResult<()> {
        match name.to_ascii_lowercase().as_str() {
            "displayname" => {
                if op == Op::Remove {
                    return Err(ScimError::new(axum::http::StatusCode::BAD_REQUEST, Some("mutability"), "displayName cannot be removed."));
                }
                change.name = value.cloned();
            }
            "externalid" => change.external_id = Some(value.and_then(|v| v.as_str()).map(str::to_string)),
            "members" => {
                let ids: Vec<String> = match value {
                    Some(v) => member_ids(v)?,
                    None => Vec::new(),
                };
                match op {
                    Op::Add => members.add(ids),
                    Op::Replace => members.replace(ids)?,
                    Op::Remove if value.is_none() => members.replace(Vec::new())?,
                    Op::Remove => members.remove(&ids),
                }
            }
            // Entra puts the group's id beside a new displayName; it cannot change.
            "id" | "schemas" | "meta" => {}
            other => return Err(ScimError::bad("invalidPath", format!("Groups have no attribute “{other}” that can be changed."))),
        }
        Ok(())
    };
    for o in ops {
        match &o.path {
            None => {
                let obj = o.value.as_ref().and_then(|v| v.as_object()).ok_or_else(|| ScimError::bad("invalidValue", "An operation without a path needs an object value."))?;
                for (k, v) in obj {
                    let p = AttrPath::from_key(k);
                    if !ignored(&p) {
                        attr(&p.name, Some(v), o.op, &mut change, &mut members)?;
                    }
                }
            }
            Some(PatchPath::Attr(a)) => {
                if !ignored(a) {
                    attr(&a.name, o.value.as_ref(), o.op, &mut change, &mut members)?;
                }
            }
            Some(PatchPath::Value(vp)) if vp.attr.name.eq_ignore_ascii_case("members") => {
                let mut ids = Vec::new();
                filter_ids(&vp.filter, &mut ids)?;
                match o.op {
                    Op::Remove => members.remove(&ids),
                    _ => return Err(ScimError::bad("invalidPath", "Add or replace members with path \"members\" and a value list.")),
                }
            }
            Some(PatchPath::Value(vp)) => return Err(ScimError::bad("invalidPath", format!("Groups have no multi-valued attribute “{}”.", vp.attr.name))),
        }
    }
    match (members, current) {
        (Members::Full(m), Some(current)) => {
            change.add = m.difference(current).cloned().collect();
            change.remove = current.difference(&m).cloned().collect();
        }
        (Members::Delta { add, remove }, _) => {
            change.add = add;
            change.remove = remove;
        }
        (Members::Full(_), None) => unreachable!("Full only with a current list"),
    }
    Ok(change)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ops(v: Value) -> Vec<Operation> {
        operations(&json!({"schemas": [super::super::SCHEMA_PATCH], "Operations": v}), super::super::SCHEMA_PATCH).unwrap()
    }

    #[test]
    fn okta_and_entra_user_patches() {
        let mut doc = json!({"userName": "a@b.co", "name": {"givenName": "A", "familyName": "B"}, "active": true, "emails": [{"value": "a@b.co", "type": "work"}]});
        apply(&mut doc, &ops(json!([{"op": "replace", "value": {"active": false}}])), Resource::User).unwrap();
        assert_eq!(doc["active"], json!(false));
        apply(&mut doc, &ops(json!([{"op": "Replace", "value": {"name.givenName": "Ann", "active": "True"}}])), Resource::User).unwrap();
        assert_eq!(doc["name"]["givenName"], "Ann");
        assert_eq!(doc["name"]["familyName"], "B");
        apply(&mut doc, &ops(json!([{"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "new@b.co"}])), Resource::User).unwrap();
        assert_eq!(doc["emails"][0]["value"], "new@b.co");
        apply(&mut doc, &ops(json!([{"op": "add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "value": {"division": "North"}}])), Resource::User).unwrap();
        assert_eq!(doc["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["division"], "North", "the whole extension as a path");
        apply(&mut doc, &ops(json!([{"op": "Add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "value": "R&D"}])), Resource::User).unwrap();
        assert!(doc.get("department").is_none(), "extension attributes stay in their extension");
        assert_eq!(doc["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["department"], "R&D");
        apply(&mut doc, &ops(json!([{"op": "replace", "value": {"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costCenter": "CC-9"}}])), Resource::User).unwrap();
        assert_eq!(doc["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["costCenter"], "CC-9");
        apply(&mut doc, &ops(json!([{"op": "remove", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"}])), Resource::User).unwrap();
        assert!(doc["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"].get("department").is_none());
        apply(&mut doc, &ops(json!([{"op": "add", "path": "urn:ietf:params:scim:schemas:extension:other:2.0:User:x", "value": "y"}])), Resource::User).unwrap();
        assert!(doc.get("x").is_none(), "other extensions are ignored");
        apply(&mut doc, &ops(json!([{"op": "replace", "path": "userType", "value": "Creator"}])), Resource::User).unwrap();
        assert_eq!(doc["userType"], "Creator");
    }

    #[test]
    fn group_member_operations() {
        let current: BTreeSet<String> = ["u1", "u2"].iter().map(|s| s.to_string()).collect();
        let c = group_changes(
            &ops(json!([
                {"op": "add", "path": "members", "value": [{"value": "u3"}]},
                {"op": "remove", "path": "members[value eq \"u1\"]"},
                {"op": "Replace", "value": {"id": "g", "displayName": "New name"}}
            ])),
            Some(&current),
        )
        .unwrap();
        assert_eq!(c.add.into_iter().collect::<Vec<_>>(), ["u3"]);
        assert_eq!(c.remove.into_iter().collect::<Vec<_>>(), ["u1"]);
        assert_eq!(c.name, Some(json!("New name")));
        let c = group_changes(&ops(json!([{"op": "remove", "path": "members", "value": [{"value": "u2"}]}])), Some(&current)).unwrap();
        assert_eq!(c.remove.into_iter().collect::<Vec<_>>(), ["u2"]);
        let c = group_changes(&ops(json!([{"op": "replace", "path": "members", "value": [{"value": "u9"}]}])), Some(&current)).unwrap();
        assert_eq!((c.add.len(), c.remove.len()), (1, 2));
    }

    #[test]
    fn adding_and_removing_named_members_needs_no_current_list() {
        let named = ops(json!([
            {"op": "add", "path": "members", "value": [{"value": "u3"}, {"value": "u4"}]},
            {"op": "remove", "path": "members[value eq \"u1\" or value eq \"u4\"]"},
            {"op": "Remove", "path": "members", "value": [{"value": "u5"}]},
        ]));
        assert!(!needs_current_members(&named));
        let c = group_changes(&named, None).unwrap();
        assert_eq!(c.add.into_iter().collect::<Vec<_>>(), ["u3"], "u4 was added, then removed");
        assert_eq!(c.remove.into_iter().collect::<Vec<_>>(), ["u1", "u4", "u5"]);
        for whole in [json!([{"op": "replace", "path": "members", "value": []}]), json!([{"op": "remove", "path": "members"}]), json!([{"op": "replace", "value": {"members": []}}])] {
            assert!(needs_current_members(&ops(whole.clone())), "{whole}");
        }
        // With the current list, the same operations give the same result.
        let current: BTreeSet<String> = ["u1", "u2"].iter().map(|s| s.to_string()).collect();
        let c = group_changes(&named, Some(&current)).unwrap();
        assert_eq!((c.add.into_iter().collect::<Vec<_>>(), c.remove.into_iter().collect::<Vec<_>>()), (vec!["u3".to_string()], vec!["u1".to_string()]));
    }

    #[test]
    fn malformed_operations_are_refused() {
        for bad in [
            json!({"Operations": []}),
            json!({"Operations": [{"op": "jump"}]}),
            json!({"Operations": [{"op": "remove"}]}),
            json!({"Operations": [{"op": "add", "path": "members[", "value": 1}]}),
            json!({}),
        ] {
            assert!(operations(&bad, super::super::SCHEMA_PATCH).is_err(), "{bad}");
        }
    }
}
