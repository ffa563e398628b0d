//! User attributes (Administration > User Attributes): an administrator
//! defines them and sets values per person and per team, with the teams'
//! priority; the identity provider sets people's values through SCIM, and
//! those are read-only here. Their use is row-level security: a dataset's row
//! rule limits the rows of every document over it to those matching the
//! reader's value (`scope`), which `documents::open` applies to every reader.
use super::access::Caller;
use super::{Actor, Error, Result};
use crate::domain::attributes::{self as attrs, AttributeInput, AttributeValueView, AttributeView, AttributesPage, RowRule, RowRuleView, RuleOp};
use crate::domain::audit::{self, detail::Changes};
use crate::domain::documents::ColumnKind;
use crate::domain::views::Choice;
use crate::service::store::{
    self,
    attributes::{AttributeRow, Subject, ValueRow},
    datasets::{DatasetRow, RowScope},
    Conn, Db,
};

fn not_found() -> Error {
    Error::not_found("That user attribute does not exist.")
}

fn name_taken(name: &str) -> Error {
    Error::taken("name", format!("A user attribute named “{name}” already exists. Choose another name."))
}

struct Parsed {
    name: String,
    description: String,
    default_value: Option<String>,
}

fn parse(input: &AttributeInput) -> Result<Parsed> {
    let name = attrs::attribute_name(&input.name)?;
    let description = crate::domain::names::parse_description("description", &input.description)?;
    let default_value = match input.default_value.trim() {
        "" => None,
        v => Some(attrs::attribute_value("default_value", v)?),
    };
    Ok(Parsed { name, description, default_value })
}

/// Defining attributes and setting values is an administrator's; the doors
/// check it first, and the use cases again.
fn administrator(c: &Caller) -> Result<Actor> {
    if !c.is_admin() {
        return Err(Error::forbidden("Only an administrator can define user attributes and set their values."));
    }
    Ok(c.actor())
}

fn shown(v: Option<&str>) -> &str {
    v.unwrap_or("–")
}

/// Administration > User Attributes: every attribute with its values, teams in priority order.
pub async fn page(db: &Db, admin: &Caller) -> Result<AttributesPage> {
    let org = &admin.org.id;
    let datasets = store::datasets::list(db, org).await?;
    let mut attributes = Vec::new();
    for a in store::attributes::list(db, org).await? {
        let view = |v: ValueRow| AttributeValueView { subject_id: v.subject_id, label: v.label, value: v.value, managed_by_idp: v.from_idp };
        let people = store::attributes::people_values(db, org, &a.id).await?.into_iter().map(view).collect();
        let teams = store::attributes::team_values(db, org, &a.id).await?.into_iter().map(view).collect();
        let used_by = datasets.iter().filter(|d| d.row_rule().is_some_and(|r| r.attribute == a.id)).map(|d| d.name.clone()).collect();
        attributes.push(AttributeView { id: a.id, name: a.name, description: a.description, default_value: a.default_value, people, teams, used_by });
    }
    let teams = store::teams::choices(db, org, None).await?.into_iter().map(|(id, label)| Choice { id, label }).collect();
    Ok(AttributesPage { attributes, teams })
}

/// Defines an attribute (name, description, default value).
pub async fn define(db: &Db, admin: &Caller, input: &AttributeInput) -> Result<String> {
    let actor = &administrator(admin)?;
    let p = parse(input)?;
    let mut tx = super::begin(db).await?;
    let id = store::attributes::insert(&mut tx, &actor.org_id, &p.name, &p.description, p.default_value.as_deref()).await?.ok_or_else(|| name_taken(&p.name))?;
    let detail = Changes::new().value("default", "–", shown(p.default_value.as_deref())).description("", &p.description).detail();
    store::audit::record(&mut tx, actor.event(audit::ATTRIBUTE_CREATED, &p.name, detail)).await?;
    tx.commit().await?;
    Ok(id)
}

/// Changes an attribute's name, description or default value. A rule that
/// uses it follows it by id, so renaming changes no rule.
pub async fn change(db: &Db, admin: &Caller, id: &str, input: &AttributeInput) -> Result<()> {
    let actor = &administrator(admin)?;
    let p = parse(input)?;
    let mut tx = super::begin(db).await?;
    let a = store::attributes::get(&mut *tx, &actor.org_id, id).await?.ok_or_else(not_found)?;
    if let Some(other) = store::attributes::by_name(&mut *tx, &actor.org_id, &p.name).await? {
        if other.id != a.id {
            return Err(name_taken(&p.name));
        }
    }
    let changes = Changes::new().name(&a.name, &p.name).value("default", shown(a.default_value.as_deref()), shown(p.default_value.as_deref())).description(&a.description, &p.description);
    if changes.is_empty() {
        return Ok(());
    }
    store::attributes::update(&mut tx, &actor.org_id, &a.id, &p.name, &p.description, p.default_value.as_deref()).await?;
    store::audit::record(&mut tx, actor.event(audit::ATTRIBUTE_UPDATED, &p.name, changes.detail())).await?;
    tx.commit().await?;
    Ok(())
}

/// Whose value an administrator sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Holder<'a> {
    /// By email.
    Person(&'a str),
    Team(&'a str),
}

/// Sets (or, with `None`, clears) a person's or a team's value. A value the
/// identity provider set is refused (`ManagedByIdp`): it changes there.
pub async fn set_value(db: &Db, admin: &Caller, attribute_id: &str, holder: Holder<'_>, value: Option<&str>) -> Result<()> {
    let actor = &administrator(admin)?;
    let value = match value.map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => Some(attrs::attribute_value("value", v)?),
        None => None,
    };
    let mut tx = super::begin(db).await?;
    let a = store::attributes::get(&mut *tx, &actor.org_id, attribute_id).await?.ok_or_else(not_found)?;
    let (subject, subject_id, label) = match holder {
        Holder::Person(email) => {
            let u = store::users::by_email(&mut *tx, &actor.org_id, email.trim()).await?.ok_or_else(|| Error::invalid("person", format!("No person has the email “{}” here.", email.trim())))?;
            (Subject::User, u.id, u.email)
        }
        Holder::Team(id) => {
            let t = store::teams::get(&mut *tx, &actor.org_id, id).await?.ok_or_else(|| Error::invalid("team", "Choose a team in this organization."))?;
            (Subject::Team, t.id, format!("team {}", t.name))
        }
    };
    let old = store::attributes::value_of(&mut tx, &actor.org_id, &a.id, subject, &subject_id).await?;
    if old.as_ref().is_some_and(|(_, from_idp)| *from_idp) {
        return Err(Error::managed_by_idp(&format!("The value of {} for {label}", a.name)));
    }
    let old = old.map(|(v, _)| v);
    if old == value {
        return Ok(());
    }
    match &value {
        Some(v) => store::attributes::set_value(&mut tx, &actor.org_id, &a.id, subject, &subject_id, v, false).await?,
        None => {
            store::attributes::clear_value(&mut tx, &actor.org_id, &a.id, subject, &subject_id).await?;
        }
    }
    let detail = format!("{label}: {}{}{}", shown(old.as_deref()), audit::detail::ARROW, shown(value.as_deref()));
    store::audit::record(&mut tx, actor.event(audit::ATTRIBUTE_VALUE_SET, &a.name, detail)).await?;
    tx.commit().await?;
    Ok(())
}

/// Sets the teams' priority for an attribute: `team_ids` is every team that
/// has a value, first first. A person in several of them gets the first one's value.
pub async fn set_team_order(db: &Db, admin: &Caller, attribute_id: &str, team_ids: &[String]) -> Result<()> {
    let actor = &administrator(admin)?;
    let mut tx = super::begin(db).await?;
    let a = store::attributes::get(&mut *tx, &actor.org_id, attribute_id).await?.ok_or_else(not_found)?;
    let now = store::attributes::team_values(&mut *tx, &actor.org_id, &a.id).await?;
    let mut given: Vec<&String> = team_ids.iter().collect();
    given.sort();
    given.dedup();
    let mut have: Vec<&String> = now.iter().map(|v| &v.subject_id).collect();
    have.sort();
    if given.len() != team_ids.len() || given != have {
        return Err(Error::conflict("The teams with a value changed meanwhile. Reload the page and order them again.").on("teams"));
    }
    let name_of = |id: &String| now.iter().find(|v| &v.subject_id == id).map(|v| v.label.clone()).unwrap_or_default();
    let old: Vec<String> = now.iter().map(|v| v.label.clone()).collect();
    let new: Vec<String> = team_ids.iter().map(name_of).collect();
    if old == new {
        return Ok(());
    }
    store::attributes::set_team_order(&mut tx, &actor.org_id, &a.id, team_ids).await?;
    let detail = format!("teams: {}{}{}", old.join(", "), audit::detail::ARROW, new.join(", "));
    store::audit::record(&mut tx, actor.event(audit::ATTRIBUTE_TEAM_ORDER, &a.name, detail)).await?;
    tx.commit().await?;
    Ok(())
}

/// The identity provider's values for a person it manages, by attribute name
/// (`department`, or any defined attribute through Gatehouse's extension):
/// names no attribute has are skipped; `None` clears. Part of the SCIM write's transaction.
pub async fn set_from_idp(tx: &mut Conn, actor: &Actor, user_id: &str, email: &str, values: &[(String, Option<String>)]) -> Result<()> {
    for (name, value) in values {
        let Some(a) = store::attributes::by_name(&mut *tx, &actor.org_id, name).await? else {
            continue;
        };
        let value = match value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            Some(v) => Some(attrs::attribute_value(name, v)?),
            None => None,
        };
        let old = store::attributes::value_of(tx, &actor.org_id, &a.id, Subject::User, user_id).await?;
        if old.as_ref().map(|(v, from_idp)| (v.as_str(), *from_idp)) == value.as_deref().map(|v| (v, true)) {
            continue;
        }
        if old.is_none() && value.is_none() {
            continue;
        }
        match &value {
            Some(v) => store::attributes::set_value(tx, &actor.org_id, &a.id, Subject::User, user_id, v, true).await?,
            None => {
                store::attributes::clear_value(tx, &actor.org_id, &a.id, Subject::User, user_id).await?;
            }
        }
        let detail = format!("{email}: {}{}{}", shown(old.as_ref().map(|(v, _)| v.as_str())), audit::detail::ARROW, shown(value.as_deref()));
        store::audit::record(&mut *tx, actor.event(audit::ATTRIBUTE_VALUE_SET, &a.name, detail)).await?;
    }
    Ok(())
}

/// A person's values as the identity provider set them, by attribute name, for SCIM to show.
pub async fn idp_values(db: &Db, org_id: &str, user_id: &str) -> Result<Vec<(String, String)>> {
    Ok(store::attributes::idp_values_of(db, org_id, user_id).await?)
}

/// The rows of `dataset` that `c` may read, and the rule as their page shows it.
pub async fn scope(db: &Db, c: &Caller, dataset: &DatasetRow) -> Result<(RowScope, Option<RowRuleView>)> {
    let Some(rule) = dataset.row_rule() else {
        return Ok((RowScope::All, None));
    };
    let Some(a) = store::attributes::get(db, &c.org.id, &rule.attribute).await? else {
        // The rule names an attribute that is gone: nobody's value can match.
        return Ok((RowScope::Nothing, None));
    };
    let value = store::attributes::resolve(db, &c.org.id, &a.id, &c.user.id).await?;
    let scope = match &value {
        Some(v) => RowScope::Only { column: rule.column.clone(), values: rule.op.allowed(v) },
        None => RowScope::Nothing,
    };
    let view = RowRuleView { text: attrs::rule_text(&rule.column, rule.op, &a.name), column: rule.column, op: rule.op, attribute_id: a.id, attribute: a.name, your_value: value };
    Ok((scope, Some(view)))
}

/// The attributes a row rule can use, for the document page's rule form.
pub async fn choices(db: &Db, c: &Caller) -> Result<Vec<Choice>> {
    Ok(store::attributes::list(db, &c.org.id).await?.into_iter().map(|a: AttributeRow| Choice { id: a.id, label: a.name }).collect())
}

/// Sets (or, with `None`, removes) the row rule of the dataset under document
/// `id`: an administrator's decision, since it binds every document over the
/// dataset and every reader of them. `rule` is (column, op, attribute id).
pub async fn set_row_rule(db: &Db, c: &Caller, id: &str, rule: Option<(&str, RuleOp, &str)>) -> Result<()> {
    if !c.is_admin() {
        return Err(Error::forbidden("Only an administrator can set who sees which rows of a dataset."));
    }
    let o = super::documents::open(db, c, id).await?;
    let rule = match rule {
        None => None,
        Some((column, op, attribute_id)) => {
            let col = o.dataset.columns().into_iter().find(|x| x.name == column).ok_or_else(|| Error::invalid("column", format!("The dataset has no column “{column}”.")))?;
            if col.kind != ColumnKind::Text {
                return Err(Error::invalid("column", format!("“{column}” holds numbers: a row rule compares a text column.")));
            }
            let a = store::attributes::get(db, &c.org.id, attribute_id).await?.ok_or_else(|| Error::invalid("attribute", "Choose a user attribute (Administration > User Attributes)."))?;
            Some((RowRule { column: col.name, op, attribute: a.id }, a.name))
        }
    };
    let old_text = match o.dataset.row_rule() {
        None => "–".to_string(),
        Some(r) => {
            let name = store::attributes::get(db, &c.org.id, &r.attribute).await?.map(|a| a.name).unwrap_or_else(|| "?".into());
            attrs::rule_text(&r.column, r.op, &name)
        }
    };
    let new_text = rule.as_ref().map(|(r, name)| attrs::rule_text(&r.column, r.op, name)).unwrap_or_else(|| "–".into());
    if o.dataset.row_rule() == rule.as_ref().map(|(r, _)| r.clone()) {
        return Ok(());
    }
    let mut tx = super::begin(db).await?;
    store::datasets::set_row_rule(&mut tx, &c.org.id, &o.dataset.id, rule.as_ref().map(|(r, _)| r)).await?;
    let detail = format!("rule: {old_text}{}{new_text}", audit::detail::ARROW);
    store::audit::record(&mut tx, c.actor().event(audit::ROW_RULE_CHANGED, &o.dataset.name, detail)).await?;
    tx.commit().await?;
    Ok(())
}

/// The defined attributes (name, description), for SCIM's `/Schemas`.
pub async fn for_idp(db: &Db, idp: &Actor) -> Result<Vec<(String, String)>> {
    Ok(store::attributes::list(db, &idp.org_id).await?.into_iter().map(|a| (a.name, a.description)).collect())
}
