//! The Users page: one page of people (searched, filtered, sorted), their teams, counts, the picker.
use crate::domain::{Origin, Status};
use crate::service::store::{Db, Timestamp};
use std::collections::HashMap;

row! {
    /// One row of the Users page.
    #[derive(Clone, Debug)]
    pub struct ListRow {
        pub id: String,
        pub email: String,
        pub first_name: String,
        pub last_name: String,
        pub account_type_id: String,
        pub account_type_name: String,
        pub status: Status = typed,
        pub invite_pending: bool = flag,
        pub origin: Origin = typed,
        pub last_login_at: Option<Timestamp> = typed_opt,
        pub created_at: Timestamp = typed,
        pub is_guest: bool = flag,
        /// An authenticator app is set up.
        pub mfa_enabled: bool = present("mfa_enabled_at"),
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

/// An email's domain, exactly as the index `users_org_domain` writes it
/// (migrations/20261206000020_email_domain_search.sql).
const EMAIL_DOMAIN: &str = "substr(u.email_norm, length(rtrim(u.email_norm, 'abcdefghijklmnopqrstuvwxyz0123456789.-_')) + 1)";

/// The most people a list counts; past it, the page says "more than".
/// Counting all 100,000 took PostgreSQL 25 ms of the first page's 33.
pub const COUNTED: i64 = 10_000;

/// A page of users with the total count, up to `COUNTED + 1` (more than
/// `COUNTED` when it is that). Every condition uses an index:
/// search matches the start of the email, of its domain, of the full name
/// or of the last name.
///
/// A search is four queries joined by UNION, one per way of matching, each
/// taking at most the rows up to the page's end in the page's order, not one
/// query with OR: for the OR, PostgreSQL walked the name index in order and
/// filtered (at 100,000 people, "grace" read 43,751 rows to find the first
/// 50, 115 ms), and SQLite sorted all 6,250 matches; the name branch now reads
/// its 50 rows from the index in order, and the count is of ids from indexes.
pub async fn list(db: &Db, org_id: &str, q: &ListQuery<'_>) -> sqlx::Result<(Vec<ListRow>, i64)> {
    let (rows, total) = query(db, org_id, q, true).await?;
    Ok((rows, total.unwrap_or_default()))
}

/// `list`'s rows, and its count when `count`.
async fn query(db: &Db, org_id: &str, q: &ListQuery<'_>, count: bool) -> sqlx::Result<(Vec<ListRow>, Option<i64>)> {
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
    let term = q.search.trim().to_lowercase();
    let (count_sql, rows_sql) = if term.is_empty() {
        (format!("SELECT COUNT(*) FROM (SELECT u.id FROM users u{wc} LIMIT {}) c", COUNTED + 1), format!("{LIST_COLUMNS}{wc} ORDER BY {order} LIMIT {} OFFSET {}", q.limit, q.offset))
    } else {
        let lo = next(term.clone(), &mut binds);
        let hi = next(format!("{term}{PREFIX_END}"), &mut binds);
        let ways = ["u.email_norm", "u.name_norm", "u.last_norm", EMAIL_DOMAIN].map(|column| format!("{wc} AND {column} >= {lo} AND {column} < {hi}"));
        let ids = ways.iter().map(|w| format!("SELECT u.id FROM users u{w}")).collect::<Vec<_>>().join(" UNION ");
        let end = q.offset + q.limit;
        let firsts = ways.iter().enumerate().map(|(i, w)| format!("SELECT id FROM (SELECT u.id FROM users u{w} ORDER BY {order} LIMIT {end}) w{i}")).collect::<Vec<_>>().join(" UNION ");
        (format!("SELECT COUNT(*) FROM (SELECT id FROM ({ids}) m LIMIT {}) c", COUNTED + 1), format!("{LIST_COLUMNS} WHERE u.id IN ({firsts}) ORDER BY {order} LIMIT {} OFFSET {}", q.limit, q.offset))
    };
    let total = if count {
        let mut count = sqlx::query_scalar::<_, i64>(&count_sql);
        for b in &binds {
            count = count.bind(b.clone());
        }
        Some(count.fetch_one(db).await?)
    } else {
        None
    };
    let mut rows = sqlx::query_as::<_, ListRow>(&rows_sql);
    for b in &binds {
        rows = rows.bind(b.clone());
    }
    Ok((rows.fetch_all(db).await?, total))
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
        crate::service::store::placeholders(2, user_ids.len())
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

/// People whose email or name starts with `term`, for pickers (not counted).
pub async fn search_active(db: &Db, org_id: &str, term: &str, limit: i64) -> sqlx::Result<Vec<ListRow>> {
    let q = ListQuery { search: term, account_type_id: None, listed: Listed::Active, sort: "name", limit, offset: 0 };
    Ok(query(db, org_id, &q, false).await?.0)
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
