//! People. Every write that sets an email or a name goes through `Norms`, so
//! the lower-case columns the Users page and SCIM search by are computed once.
use super::{column, now, Conn, Db, Timestamp};
use crate::domain::{Email, Origin, PermissionSet, Status};
use sqlx::any::AnyRow;
use sqlx::{Any, Executor, FromRow, Row};
use std::collections::HashMap;

/// A person with what sign-in, the rules and the pages need about their account type.
#[derive(Clone, Debug)]
pub struct UserRow {
    pub id: String,
    pub org_id: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub status: Status,
    pub origin: Origin,
    pub password_hash: Option<String>,
    pub invite_pending: bool,
    /// Deleted by the identity provider: kept, but gone from SCIM until it pushes them again.
    pub archived: bool,
    pub account_type_id: String,
    pub account_type_name: String,
    pub permissions: PermissionSet,
    /// The account type's stored `administers` fact.
    pub administers: bool,
    /// Sessions started before this time are over (set when the person is deactivated).
    pub sessions_valid_after: Option<Timestamp>,
    /// Outside the identity provider; signs in with a password.
    pub is_guest: bool,
    /// The authenticator app's sealed key, once set up.
    pub mfa_secret: Option<String>,
}

impl UserRow {
    /// Counts towards "the organization keeps an active administrator".
    pub fn is_active_admin(&self) -> bool {
        self.status.is_active() && self.administers
    }
}

impl FromRow<'_, AnyRow> for UserRow {
    fn from_row(r: &AnyRow) -> sqlx::Result<Self> {
        Ok(UserRow {
            id: r.try_get("id")?,
            org_id: r.try_get("org_id")?,
            email: r.try_get("email")?,
            first_name: r.try_get("first_name")?,
            last_name: r.try_get("last_name")?,
            status: column::typed(r, "status")?,
            origin: column::typed(r, "origin")?,
            password_hash: r.try_get("password_hash")?,
            invite_pending: column::flag(r, "invite_pending")?,
            archived: r.try_get::<Option<String>, _>("archived_at")?.is_some(),
            account_type_id: r.try_get("account_type_id")?,
            account_type_name: r.try_get("account_type_name")?,
            permissions: PermissionSet::from_json(&r.try_get::<String, _>("permissions")?),
            administers: column::flag(r, "administers")?,
            sessions_valid_after: column::typed_opt(r, "sessions_valid_after")?,
            is_guest: column::flag(r, "is_guest")?,
            mfa_secret: r.try_get("mfa_secret")?,
        })
    }
}

const SELECT: &str = "SELECT u.id, u.org_id, u.email, u.first_name, u.last_name, u.status, u.origin, \
    u.password_hash, u.invite_pending, u.archived_at, u.account_type_id, t.name AS account_type_name, t.permissions, t.administers, \
    u.sessions_valid_after, u.is_guest, u.mfa_secret \
    FROM users u JOIN account_types t ON t.id = u.account_type_id";

pub async fn by_email<'e>(ex: impl Executor<'e, Database = Any>, org_id: &str, email: &str) -> sqlx::Result<Option<UserRow>> {
    sqlx::query_as(&format!("{SELECT} WHERE u.org_id = $1 AND u.email_norm = $2"))
        .bind(org_id)
        .bind(email.trim().to_lowercase())
        .fetch_optional(ex)
        .await
}

pub async fn by_id<'e>(ex: impl Executor<'e, Database = Any>, org_id: &str, id: &str) -> sqlx::Result<Option<UserRow>> {
    sqlx::query_as(&format!("{SELECT} WHERE u.org_id = $1 AND u.id = $2"))
        .bind(org_id)
        .bind(id)
        .fetch_optional(ex)
        .await
}

/// The users with these ids in this organization (unknown ids are left out).
pub async fn by_ids(conn: &mut Conn, org_id: &str, ids: &[String]) -> sqlx::Result<Vec<UserRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!("{SELECT} WHERE u.org_id = $1 AND u.id IN ({})", super::placeholders(2, ids.len()));
    let mut q = sqlx::query_as::<_, UserRow>(&sql).bind(org_id);
    for id in ids {
        q = q.bind(id.clone());
    }
    q.fetch_all(&mut *conn).await
}

/// The lower-case columns searches and uniqueness use, from the values shown.
struct Norms {
    email: String,
    name: String,
    last: String,
}

impl Norms {
    fn of(email: &Email, first: &str, last: &str) -> Norms {
        Norms { email: email.normalized(), name: format!("{first} {last}").trim().to_lowercase(), last: last.to_lowercase() }
    }
}

/// A person Gatehouse manages itself (first-run admin, invitation, demo).
pub struct NewUser<'a> {
    pub id: &'a str,
    pub org_id: &'a str,
    pub email: &'a Email,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub account_type_id: &'a str,
    pub password_hash: Option<&'a str>,
    pub invite_pending: bool,
    pub is_guest: bool,
}

pub async fn insert<'e>(ex: impl Executor<'e, Database = Any>, u: NewUser<'_>) -> sqlx::Result<()> {
    let n = Norms::of(u.email, u.first_name, u.last_name);
    sqlx::query(
        "INSERT INTO users (id, org_id, email, email_norm, first_name, last_name, name_norm, last_norm, account_type_id, password_hash, invite_pending, \
         is_guest, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)",
    )
    .bind(u.id)
    .bind(u.org_id)
    .bind(u.email.as_str())
    .bind(n.email)
    .bind(u.first_name)
    .bind(u.last_name)
    .bind(n.name)
    .bind(n.last)
    .bind(u.account_type_id)
    .bind(u.password_hash)
    .bind(i64::from(u.invite_pending))
    .bind(i64::from(u.is_guest))
    .bind(now())
    .execute(ex)
    .await
    .map(|_| ())
}

/// A person as the identity provider describes them: what a SCIM POST, PUT or
/// PATCH leaves, in Gatehouse's columns. `scim_profile` keeps what SCIM
/// returns as sent (its JSON is the SCIM door's business).
#[derive(Clone, Debug)]
pub struct IdpPerson {
    pub email: Email,
    pub first_name: String,
    pub last_name: String,
    pub display_name: Option<String>,
    pub external_id: Option<String>,
    pub account_type_id: String,
    pub status: Status,
    pub scim_profile: String,
}

/// Inserts people the identity provider created, with one statement
/// (`at` is their creation time). The unique (org, email) index refuses a userName taken.
pub async fn insert_provisioned(conn: &mut Conn, org_id: &str, people: &[(&str, &IdpPerson)], at: &str) -> sqlx::Result<()> {
    // Per row: 14 values (the organization and the time are bound once each).
    let rows: Vec<String> = (0..people.len())
        .map(|i| {
            let b = 2 + i * 12;
            format!("({}, $1, {}, 0, 'scim', {}, $2, $2)", super::placeholders(b + 1, 1), super::placeholders(b + 2, 7), super::placeholders(b + 9, 4))
        })
        .collect();
    let sql = format!(
        "INSERT INTO users (id, org_id, email, email_norm, first_name, last_name, name_norm, last_norm, account_type_id, invite_pending, \
         origin, external_id, display_name, status, scim_profile, created_at, updated_at) VALUES {}",
        rows.join(", ")
    );
    let mut q = sqlx::query(&sql).bind(org_id).bind(at);
    for (id, p) in people {
        let n = Norms::of(&p.email, &p.first_name, &p.last_name);
        q = q
            .bind(*id)
            .bind(p.email.as_str())
            .bind(n.email)
            .bind(&p.first_name)
            .bind(&p.last_name)
            .bind(n.name)
            .bind(n.last)
            .bind(&p.account_type_id)
            .bind(&p.external_id)
            .bind(&p.display_name)
            .bind(p.status.as_str())
            .bind(&p.scim_profile);
    }
    q.execute(&mut *conn).await.map(|_| ())
}

/// Writes the identity provider's description over a person. The record is
/// then managed by the identity provider, not archived, and has no pending invitation.
pub async fn write_provisioned(conn: &mut Conn, org_id: &str, id: &str, p: &IdpPerson) -> sqlx::Result<()> {
    let n = Norms::of(&p.email, &p.first_name, &p.last_name);
    sqlx::query(
        "UPDATE users SET email = $1, email_norm = $2, first_name = $3, last_name = $4, name_norm = $5, last_norm = $6, \
         display_name = $7, external_id = $8, account_type_id = $9, status = $10, origin = 'scim', invite_pending = 0, archived_at = NULL, \
         updated_at = $11, scim_profile = $12, \
         sessions_valid_after = CASE WHEN $10 = 'inactive' AND status = 'active' THEN $11 ELSE sessions_valid_after END \
         WHERE org_id = $13 AND id = $14",
    )
    .bind(p.email.as_str())
    .bind(n.email)
    .bind(&p.first_name)
    .bind(&p.last_name)
    .bind(n.name)
    .bind(n.last)
    .bind(&p.display_name)
    .bind(&p.external_id)
    .bind(&p.account_type_id)
    .bind(p.status.as_str())
    .bind(now())
    .bind(&p.scim_profile)
    .bind(org_id)
    .bind(id)
    .execute(&mut *conn)
    .await
    .map(|_| ())
}

/// Another person (not `id`) who signs in with this email, archived ones included.
pub async fn other_with_email(conn: &mut Conn, org_id: &str, email: &Email, id: &str) -> sqlx::Result<bool> {
    let found: Option<String> = sqlx::query_scalar("SELECT id FROM users WHERE org_id = $1 AND email_norm = $2 AND id <> $3")
        .bind(org_id)
        .bind(email.normalized())
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(found.is_some())
}

/// Deactivates and archives a person the identity provider deleted: kept
/// (documents, audit log), gone from SCIM until it pushes them again.
pub async fn archive(conn: &mut Conn, org_id: &str, id: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET status = 'inactive', origin = 'scim', archived_at = $1, updated_at = $1, sessions_valid_after = $1 WHERE org_id = $2 AND id = $3")
        .bind(now())
        .bind(org_id)
        .bind(id)
        .execute(&mut *conn)
        .await
        .map(|_| ())
}

pub async fn record_sign_in(conn: &mut Conn, org_id: &str, id: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET last_login_at = $1 WHERE org_id = $2 AND id = $3")
        .bind(now())
        .bind(org_id)
        .bind(id)
        .execute(&mut *conn)
        .await
        .map(|_| ())
}

/// One row of the Users page.
#[derive(Clone, Debug)]
pub struct ListRow {
    pub id: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub account_type_id: String,
    pub account_type_name: String,
    pub status: Status,
    pub invite_pending: bool,
    pub origin: Origin,
    pub last_login_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub is_guest: bool,
    /// An authenticator app is set up.
    pub mfa_enabled: bool,
}

impl FromRow<'_, AnyRow> for ListRow {
    fn from_row(r: &AnyRow) -> sqlx::Result<Self> {
        Ok(ListRow {
            id: r.try_get("id")?,
            email: r.try_get("email")?,
            first_name: r.try_get("first_name")?,
            last_name: r.try_get("last_name")?,
            account_type_id: r.try_get("account_type_id")?,
            account_type_name: r.try_get("account_type_name")?,
            status: column::typed(r, "status")?,
            invite_pending: column::flag(r, "invite_pending")?,
            origin: column::typed(r, "origin")?,
            last_login_at: column::typed_opt(r, "last_login_at")?,
            created_at: column::typed(r, "created_at")?,
            is_guest: column::flag(r, "is_guest")?,
            mfa_enabled: r.try_get::<Option<String>, _>("mfa_enabled_at")?.is_some(),
        })
    }
}

const LIST_COLUMNS: &str = "SELECT u.id, u.email, u.first_name, u.last_name, u.account_type_id, t.name AS account_type_name, u.status, \
    u.invite_pending, u.origin, u.last_login_at, u.created_at, u.is_guest, u.mfa_enabled_at \
    FROM users u JOIN account_types t ON t.id = u.account_type_id";

/// Which people the Users page lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Listed {
    Active,
    Invited,
    Inactive,
    All,
}

impl Listed {
    /// The page's `status` parameter; anything else lists active people.
    pub fn parse(s: &str) -> Listed {
        match s {
            "invited" => Listed::Invited,
            "inactive" => Listed::Inactive,
            "all" => Listed::All,
            _ => Listed::Active,
        }
    }
}

pub struct ListQuery<'a> {
    pub search: &'a str,
    pub account_type_id: Option<&'a str>,
    pub listed: Listed,
    pub sort: &'a str,
    pub limit: i64,
    pub offset: i64,
}

/// The highest character, so that `[term, term + MAX)` is every text starting with `term`.
const PREFIX_END: char = '\u{10FFFF}';

/// A page of users with the total count. Every condition uses an index:
/// search matches the start of the email, the full name or the last name.
pub async fn list(db: &Db, org_id: &str, q: &ListQuery<'_>) -> sqlx::Result<(Vec<ListRow>, i64)> {
    let mut wc = String::from(" WHERE u.org_id = $1");
    let mut binds: Vec<String> = vec![org_id.to_string()];
    let next = |v: String, binds: &mut Vec<String>| {
        binds.push(v);
        format!("${}", binds.len())
    };
    match q.listed {
        Listed::Inactive => wc.push_str(" AND u.status = 'inactive'"),
        Listed::Invited => wc.push_str(" AND u.status = 'active' AND u.invite_pending = 1"),
        Listed::All => {}
        Listed::Active => wc.push_str(" AND u.status = 'active'"),
    }
    if let Some(t) = q.account_type_id {
        let p = next(t.to_string(), &mut binds);
        wc.push_str(&format!(" AND u.account_type_id = {p}"));
    }
    let term = q.search.trim().to_lowercase();
    if !term.is_empty() {
        let lo = next(term.clone(), &mut binds);
        let hi = next(format!("{term}{PREFIX_END}"), &mut binds);
        wc.push_str(&format!(
            " AND ((u.email_norm >= {lo} AND u.email_norm < {hi}) OR (u.name_norm >= {lo} AND u.name_norm < {hi}) OR (u.last_norm >= {lo} AND u.last_norm < {hi}))"
        ));
    }
    let order = match q.sort {
        "-name" => "u.name_norm DESC, u.id DESC",
        "email" => "u.email_norm, u.id",
        "-email" => "u.email_norm DESC, u.id DESC",
        "last_login" => "u.last_login_at, u.id",
        "-last_login" => "u.last_login_at DESC, u.id DESC",
        "created" => "u.created_at, u.id",
        "-created" => "u.created_at DESC, u.id DESC",
        _ => "u.name_norm, u.id",
    };
    let count_sql = format!("SELECT COUNT(*) FROM users u{wc}");
    let rows_sql = format!("{LIST_COLUMNS}{wc} ORDER BY {order} LIMIT {} OFFSET {}", q.limit, q.offset);
    let mut count = sqlx::query_scalar::<_, i64>(&count_sql);
    let mut rows = sqlx::query_as::<_, ListRow>(&rows_sql);
    for b in &binds {
        count = count.bind(b.clone());
        rows = rows.bind(b.clone());
    }
    let total = count.fetch_one(db).await?;
    let rows = rows.fetch_all(db).await?;
    Ok((rows, total))
}

/// One user as a Users page row.
pub async fn list_row(db: &Db, org_id: &str, id: &str) -> sqlx::Result<Option<ListRow>> {
    sqlx::query_as(&format!("{LIST_COLUMNS} WHERE u.org_id = $1 AND u.id = $2")).bind(org_id).bind(id).fetch_optional(db).await
}

/// The active teams of each of these users, by user id.
pub async fn team_names(db: &Db, org_id: &str, user_ids: &[String]) -> sqlx::Result<HashMap<String, Vec<String>>> {
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    if user_ids.is_empty() {
        return Ok(out);
    }
    let sql = format!(
        "SELECT m.user_id, t.name FROM team_members m JOIN teams t ON t.id = m.team_id \
         WHERE m.org_id = $1 AND t.status = 'active' AND m.user_id IN ({}) ORDER BY t.name_norm",
        super::placeholders(2, user_ids.len())
    );
    let mut q = sqlx::query_as::<_, (String, String)>(&sql).bind(org_id);
    for id in user_ids {
        q = q.bind(id.clone());
    }
    for (u, t) in q.fetch_all(db).await? {
        out.entry(u).or_default().push(t);
    }
    Ok(out)
}

/// Which of these ids name people the identity provider may add to its groups
/// (archived ones too; guests are outside it).
/// Any number of ids: they are asked in statements of `super::IN_LIST` (a
/// statement binds at most 32,766 values on SQLite).
pub async fn existing_ids(conn: &mut Conn, org_id: &str, ids: &[String]) -> sqlx::Result<Vec<String>> {
    let mut found = Vec::new();
    for chunk in ids.chunks(super::IN_LIST) {
        let sql = format!("SELECT id FROM users WHERE org_id = $1 AND is_guest = 0 AND id IN ({})", super::placeholders(2, chunk.len()));
        let mut q = sqlx::query_scalar::<_, String>(&sql).bind(org_id);
        for id in chunk {
            q = q.bind(id.as_str());
        }
        found.extend(q.fetch_all(&mut *conn).await?);
    }
    Ok(found)
}

/// Active users whose account type administers the organization, leaving out
/// the people `except_people` and the holders of the account type `except_holders_of`.
///
/// Callers are transactions about to remove admins (the last-admin rule).
/// The count first locks the organization's row until the transaction ends,
/// so two such transactions never both see "another admin remains": SQLite's
/// BEGIN IMMEDIATE already serializes writers, and on PostgreSQL (several
/// instances, READ COMMITTED) the second waits here and then counts what the
/// first committed.
pub async fn active_admins_except(conn: &mut Conn, org_id: &str, except_people: &[String], except_holders_of: Option<&str>) -> sqlx::Result<i64> {
    super::orgs::lock(&mut *conn, org_id).await?;
    let mut sql = String::from(
        "SELECT COUNT(*) FROM users u JOIN account_types t ON t.id = u.account_type_id \
         WHERE u.org_id = $1 AND u.status = 'active' AND t.administers = 1",
    );
    let mut next = 2;
    if except_holders_of.is_some() {
        sql.push_str(" AND t.id <> $2");
        next = 3;
    }
    if !except_people.is_empty() {
        sql.push_str(&format!(" AND u.id NOT IN ({})", super::placeholders(next, except_people.len())));
    }
    let mut q = sqlx::query_scalar::<_, i64>(&sql).bind(org_id);
    if let Some(t) = except_holders_of {
        q = q.bind(t);
    }
    for id in except_people {
        q = q.bind(id.as_str());
    }
    q.fetch_one(&mut *conn).await
}

/// The first active administrator (by creation), or the one with this email.
pub async fn active_admin(db: &Db, org_id: &str, email: Option<&str>) -> sqlx::Result<Option<UserRow>> {
    let sql = format!(
        "{SELECT} WHERE u.org_id = $1 AND u.status = 'active' AND t.administers = 1{} ORDER BY u.created_at, u.id LIMIT 1",
        if email.is_some() { " AND u.email_norm = $2" } else { "" }
    );
    let mut q = sqlx::query_as::<_, UserRow>(&sql).bind(org_id);
    if let Some(e) = email {
        q = q.bind(e.trim().to_lowercase());
    }
    q.fetch_optional(db).await
}

pub async fn set_account_type(conn: &mut Conn, person: &crate::service::Writable<UserRow>, account_type_id: &str) -> sqlx::Result<()> {
    let (org_id, id) = (&person.org_id, &person.id);
    sqlx::query("UPDATE users SET account_type_id = $1, updated_at = $2 WHERE org_id = $3 AND id = $4")
        .bind(account_type_id)
        .bind(now())
        .bind(org_id)
        .bind(id)
        .execute(&mut *conn)
        .await
        .map(|_| ())
}

/// Sets a person's status; deactivation also ends every session they have.
pub async fn set_status(conn: &mut Conn, person: &crate::service::Writable<UserRow>, status: Status) -> sqlx::Result<()> {
    let (org_id, id) = (&person.org_id, &person.id);
    sqlx::query(
        "UPDATE users SET status = $1, updated_at = $2, \
         sessions_valid_after = CASE WHEN $1 = 'inactive' THEN $2 ELSE sessions_valid_after END WHERE org_id = $3 AND id = $4",
    )
        .bind(status.as_str())
        .bind(now())
        .bind(org_id)
        .bind(id)
        .execute(&mut *conn)
        .await
        .map(|_| ())
}

/// Sets the password chosen through an invitation link; the invitation is then done.
pub async fn set_password(conn: &mut Conn, org_id: &str, id: &str, hash: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET password_hash = $1, invite_pending = 0, updated_at = $2 WHERE org_id = $3 AND id = $4")
        .bind(hash)
        .bind(now())
        .bind(org_id)
        .bind(id)
        .execute(&mut *conn)
        .await
        .map(|_| ())
}

/// Removes a person who never accepted their invitation, with their memberships and links.
pub async fn delete_invited(conn: &mut Conn, org_id: &str, id: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM team_members WHERE org_id = $1 AND user_id = $2").bind(org_id).bind(id).execute(&mut *conn).await?;
    sqlx::query("DELETE FROM invitations WHERE org_id = $1 AND user_id = $2").bind(org_id).bind(id).execute(&mut *conn).await?;
    sqlx::query("DELETE FROM users WHERE org_id = $1 AND id = $2 AND invite_pending = 1").bind(org_id).bind(id).execute(&mut *conn).await?;
    Ok(())
}

/// Returns people the identity provider managed to local management: one, or all.
pub async fn release(conn: &mut Conn, org_id: &str, id: Option<&str>) -> sqlx::Result<u64> {
    super::release_managed(conn, "users", org_id, id).await
}

/// People the identity provider manages now (archived ones left out).
pub async fn managed_count(db: &Db, org_id: &str) -> sqlx::Result<i64> {
    super::managed_count(db, "users", org_id).await
}

/// People whose email or name starts with `term`, for pickers.
pub async fn search_active(db: &Db, org_id: &str, term: &str, limit: i64) -> sqlx::Result<Vec<ListRow>> {
    let q = ListQuery { search: term, account_type_id: None, listed: Listed::Active, sort: "name", limit, offset: 0 };
    Ok(list(db, org_id, &q).await?.0)
}

/// How many people the organization has (the demo seed numbers new ones after them).
pub async fn count_all(db: &Db, org_id: &str) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE org_id = $1").bind(org_id).fetch_one(db).await
}

/// Active people, and how many of them administer (the Account page).
pub async fn count(db: &Db, org_id: &str) -> sqlx::Result<(i64, i64)> {
    sqlx::query_as(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN t.administers = 1 THEN 1 ELSE 0 END), 0) \
         FROM users u JOIN account_types t ON t.id = u.account_type_id WHERE u.org_id = $1 AND u.status = 'active'",
    )
    .bind(org_id)
    .fetch_one(db)
    .await
}

/// A signed-in person as every request checks them, with what decides whether
/// their session still counts: the organization's sign-in method and
/// inactivity timeout (one query).
pub struct SessionPerson {
    pub user: UserRow,
    /// None: the organization never saved its settings (password, no timeout).
    pub method: Option<String>,
    pub idle_timeout_secs: i64,
    pub allow_guests: bool,
    /// The organization's two-step policy ("off" when it never saved its settings).
    pub mfa_policy: crate::domain::MfaPolicy,
    /// When the person's authenticator app was set up, if they have one.
    pub mfa_enabled_at: Option<Timestamp>,
}

pub async fn session_person(db: &Db, org_id: &str, id: &str) -> sqlx::Result<Option<SessionPerson>> {
    let sql = SELECT.replace(
        "SELECT u.id,",
        "SELECT a.method AS auth_method, COALESCE(a.idle_timeout_secs, 0) AS idle_timeout_secs, COALESCE(a.allow_guests, 0) AS allow_guests, \
         COALESCE(a.mfa_policy, 'off') AS session_mfa_policy, u.mfa_enabled_at AS session_mfa_enabled_at, u.id,",
    ) + " LEFT JOIN auth_settings a ON a.org_id = u.org_id WHERE u.org_id = $1 AND u.id = $2";
    let row: Option<AnyRow> = sqlx::query(&sql).bind(org_id).bind(id).fetch_optional(db).await?;
    row.map(|r| {
        Ok(SessionPerson {
            user: UserRow::from_row(&r)?,
            method: r.try_get("auth_method")?,
            idle_timeout_secs: r.try_get("idle_timeout_secs")?,
            allow_guests: column::flag(&r, "allow_guests")?,
            mfa_policy: crate::domain::MfaPolicy::parse(&r.try_get::<String, _>("session_mfa_policy")?).unwrap_or(crate::domain::MfaPolicy::Off),
            mfa_enabled_at: column::typed_opt(&r, "session_mfa_enabled_at")?,
        })
    })
    .transpose()
}

/// Ends every session of a person started before now (a password reset, an
/// administrator's reset of their authenticator app).
pub async fn end_sessions(conn: &mut Conn, org_id: &str, id: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET sessions_valid_after = $1 WHERE org_id = $2 AND id = $3").bind(now()).bind(org_id).bind(id).execute(&mut *conn).await.map(|_| ())
}
