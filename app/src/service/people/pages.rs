//! What the Users pages read: the list (searched, filtered, sorted, paged),
//! a person's page, and the people the team member picker offers.
use super::super::access::Caller;
use super::super::{Error, Result};
use super::Issued;
use crate::domain::views::{Choice, InvitationLink, TeamOfUser, UserDetail, UserPage, UserQuery, UserSummary};
use crate::domain::Origin;
use crate::service::store::{self, users::ListRow, Db};

fn summary(r: ListRow, teams: Vec<String>, me: &str) -> UserSummary {
    UserSummary {
        is_self: r.id == me,
        invite_pending: r.invite_pending,
        id: r.id,
        email: r.email,
        first_name: r.first_name,
        last_name: r.last_name,
        account_type_id: r.account_type_id,
        account_type: r.account_type_name,
        teams,
        status: r.status,
        origin: r.origin,
        last_login_at: r.last_login_at.map(|t| t.to_string()),
        created_at: r.created_at.to_string(),
        is_guest: r.is_guest,
        mfa_enabled: r.mfa_enabled,
    }
}

/// The account types to choose from.
struct TypeChoices {
    choices: Vec<Choice>,
    /// The ids of those that administer the organization.
    admin: Vec<String>,
    /// The invitation default's id.
    invite_default: String,
}

async fn account_type_choices(db: &Db, c: &Caller) -> Result<TypeChoices> {
    let types = store::account_types::list(db, &c.org.id).await?;
    let invite_default = types.iter().find(|t| t.account_type.invite_default).map(|t| t.account_type.id.clone()).unwrap_or_default();
    let admin = types.iter().filter(|t| t.account_type.administers).map(|t| t.account_type.id.clone()).collect();
    let choices = types.into_iter().map(|t| Choice { id: t.account_type.id, label: t.account_type.name }).collect();
    Ok(TypeChoices { choices, admin, invite_default })
}

/// The teams new people can join: active ones Gatehouse manages (the
/// identity provider sets the members of the teams it manages).
async fn team_choices(db: &Db, c: &Caller) -> Result<Vec<Choice>> {
    Ok(store::teams::choices(db, &c.org.id, Some(Origin::Local)).await?.into_iter().map(|(id, label)| Choice { id, label }).collect())
}

/// Administration > Users: one page of the list.
pub async fn list(db: &Db, c: &Caller, query: &UserQuery) -> Result<UserPage> {
    let page = query.page.max(1);
    let size = query.page_size();
    let q = store::users::ListQuery {
        search: query.search.trim(),
        account_type_id: Some(query.account_type.as_str()).filter(|t| !t.is_empty()),
        listed: store::users::Listed::parse(&query.status),
        sort: &query.sort,
        limit: i64::from(size),
        offset: i64::from(page - 1) * i64::from(size),
    };
    let (rows, counted) = store::users::list(db, &c.org.id, &q).await?;
    let more = counted > store::users::COUNTED;
    let total = counted.min(store::users::COUNTED);
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut teams = store::users::team_names(db, &c.org.id, &ids).await?;
    let types = account_type_choices(db, c).await?;
    Ok(UserPage {
        users: rows
            .into_iter()
            .map(|r| {
                let t = teams.remove(&r.id).unwrap_or_default();
                summary(r, t, &c.user.id)
            })
            .collect(),
        total,
        more,
        page,
        // Past the count, the pages go on as long as there are people.
        page_count: (((total + i64::from(size) - 1) / i64::from(size)).max(1) as u32).max(if more { page } else { 1 }),
        account_types: types.choices,
        admin_type_ids: types.admin,
        teams: team_choices(db, c).await?,
        invite_default: types.invite_default,
        me: c.user.id.clone(),
    })
}

/// A person's page: who they are, their teams, their last sign-ins.
pub async fn detail(db: &Db, c: &Caller, id: &str) -> Result<UserDetail> {
    let row = store::users::list_row(db, &c.org.id, id).await?.ok_or_else(|| Error::not_found("That user does not exist."))?;
    let teams = store::users::team_names(db, &c.org.id, std::slice::from_ref(&row.id)).await?.remove(&row.id).unwrap_or_default();
    let sign_ins = super::super::audit::sign_ins_of(db, c, &row.email).await?;
    let types = account_type_choices(db, c).await?;
    let can_release = row.origin.is_managed_by_idp() && super::super::provisioning::can_release(db, &c.org.id).await?;
    Ok(UserDetail {
        can_release,
        teams: store::teams::of_user(db, &c.org.id, &row.id).await?.into_iter().map(|t| TeamOfUser { managed: t.origin.is_managed_by_idp(), id: t.id, name: t.name }).collect(),
        user: summary(row, teams, &c.user.id),
        team_choices: team_choices(db, c).await?,
        account_types: types.choices,
        admin_type_ids: types.admin,
        sign_ins,
    })
}

/// Active people whose name or email starts with `term`, for the member
/// picker: administrators' and team admins' (who are offered only people
/// Gatehouse manages, the only ones they may add).
pub async fn search_active(db: &Db, c: &Caller, term: &str) -> Result<Vec<Choice>> {
    let c = c.clone().require_team_admin(db).await?;
    if term.trim().is_empty() {
        return Ok(Vec::new());
    }
    let rows = store::users::search_active(db, &c.org.id, term, 10).await?;
    // Team admins add only people Gatehouse manages (`teams::change_members`).
    let everyone = c.is_admin();
    Ok(rows.into_iter().filter(|r| everyone || !r.origin.is_managed_by_idp()).map(|r| Choice { id: r.id, label: format!("{} {} <{}>", r.first_name, r.last_name, r.email) }).collect())
}

/// An invitation as the admin copies it: the link to the invitation page.
pub fn link(base_url: &str, org_slug: &str, i: Issued) -> InvitationLink {
    InvitationLink { link: format!("{base_url}/{org_slug}/invite/{}", i.token), user_id: i.user_id, email: i.email, expires_at: i.expires_at.to_string(), mailed: i.mailed }
}
