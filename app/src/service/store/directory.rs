//! People and teams as the identity provider reads them over SCIM: one row
//! per resource with what its answer needs (a person's teams, a team's
//! members), pages of them, and search by a typed filter that is turned into
//! SQL here, with every value bound, never spliced.
use super::{Conn, Timestamp};
use crate::domain::{Origin, Status};
use sqlx::any::AnyRow;
use sqlx::FromRow;

row! {
    /// A person as the SCIM Users endpoint returns them (archived people are never read).
    #[derive(Clone, Debug)]
    pub struct UserEntry {
        pub id: String,
        pub email: String,
        pub first_name: String,
        pub last_name: String,
        pub display_name: Option<String>,
        pub external_id: Option<String>,
        pub status: Status = typed,
        pub account_type: String,
        pub origin: Origin = typed,
        pub scim_profile: Option<String>,
        pub created_at: Timestamp = typed,
        pub updated_at: Timestamp = typed,
        /// The person's active teams as `id name` entries separated by U+001F
        /// (team names cannot hold control characters; ids hold no space).
        pub groups: Option<String>,
    }
}

impl UserEntry {
    /// (id, name) of the person's active teams, alphabetically.
    pub fn groups(&self) -> impl Iterator<Item = (&str, &str)> {
        self.groups.as_deref().unwrap_or("").split('\u{1f}').filter_map(|entry| entry.split_once(' '))
    }
}

/// The person's teams come with the row (no second query per request).
const USER_COLUMNS: &str = "SELECT u.id, u.email, u.first_name, u.last_name, u.display_name, u.external_id, u.status, \
    t.name AS account_type, u.origin, u.scim_profile, u.created_at, u.updated_at, \
    (SELECT string_agg(g.id || ' ' || g.name, '\u{1f}' ORDER BY g.name_norm) FROM team_members m JOIN teams g ON g.id = m.team_id \
     WHERE m.user_id = u.id AND g.archived_at IS NULL AND g.status = 'active') AS groups";
const USER_FROM: &str = "FROM users u JOIN account_types t ON t.id = u.account_type_id";

row! {
    /// A team as the SCIM Groups endpoint returns it (archived teams are never read).
    #[derive(Clone, Debug)]
    pub struct GroupEntry {
        pub id: String,
        pub name: String,
        pub external_id: Option<String>,
        pub created_at: Timestamp = typed,
        pub updated_at: Timestamp = typed,
        /// The member ids, comma-separated (ids are UUIDs); None when there are
        /// none or they were not asked for.
        pub members: Option<String>,
    }
}

impl GroupEntry {
    pub fn member_ids(&self) -> impl Iterator<Item = &str> {
        self.members.as_deref().unwrap_or("").split(',').filter(|id| !id.is_empty())
    }
}

/// The columns of `GroupEntry` from `teams g` (`$1` = organization), members
/// included when `members` is true. The members of a team of thousands are
/// one value, read from the team_members index alone, leaving out the
/// organization's few archived users (the users_archived index) rather than
/// looking every member up.
fn group_columns(members: bool) -> &'static str {
    if members {
        "SELECT g.id, g.name, g.external_id, g.created_at, g.updated_at, \
         (SELECT string_agg(m.user_id, ',' ORDER BY m.user_id) FROM team_members m WHERE m.team_id = g.id \
          AND m.user_id NOT IN (SELECT id FROM users WHERE org_id = $1 AND archived_at IS NOT NULL)) AS members"
    } else {
        "SELECT g.id, g.name, g.external_id, g.created_at, g.updated_at, CAST(NULL AS TEXT) AS members"
    }
}

pub async fn user(conn: &mut Conn, org_id: &str, id: &str) -> sqlx::Result<Option<UserEntry>> {
    sqlx::query_as(&format!("{USER_COLUMNS} {USER_FROM} WHERE u.org_id = $1 AND u.id = $2 AND u.archived_at IS NULL AND u.is_guest = 0")).bind(org_id).bind(id).fetch_optional(&mut *conn).await
}

/// A page of the people matching `filter`, in a stable order, and how many match.
pub async fn users(conn: &mut Conn, org_id: &str, filter: &Filter, offset: i64, limit: i64) -> sqlx::Result<(Vec<UserEntry>, i64)> {
    let (wc, binds) = filter.to_sql(Kind::User);
    // Guests are outside the identity provider: it neither sees nor changes them.
    let from_where = format!("{USER_FROM} WHERE u.org_id = $1 AND u.archived_at IS NULL AND u.is_guest = 0 AND ({wc})");
    page(conn, USER_COLUMNS, &from_where, "u.created_at, u.id", org_id, &binds, offset, limit).await
}

pub async fn group(conn: &mut Conn, org_id: &str, id: &str, members: bool) -> sqlx::Result<Option<GroupEntry>> {
    let sql = format!("{} FROM teams g WHERE g.org_id = $1 AND g.id = $2 AND g.archived_at IS NULL", group_columns(members));
    sqlx::query_as(&sql).bind(org_id).bind(id).fetch_optional(&mut *conn).await
}

/// A page of the teams matching `filter`, in a stable order, and how many match.
pub async fn groups(conn: &mut Conn, org_id: &str, filter: &Filter, offset: i64, limit: i64, members: bool) -> sqlx::Result<(Vec<GroupEntry>, i64)> {
    let (wc, binds) = filter.to_sql(Kind::Group);
    let from_where = format!("FROM teams g WHERE g.org_id = $1 AND g.archived_at IS NULL AND ({wc})");
    page(conn, group_columns(members), &from_where, "g.created_at, g.id", org_id, &binds, offset, limit).await
}

/// One page of rows (`select` ends before FROM; `from_where` is its FROM …
/// WHERE, `$1` = organization, then `binds`), and how many match. A first page
/// that is not full holds every match, so it needs no COUNT (the common case
/// of a look-up by userName or externalId).
#[allow(clippy::too_many_arguments)]
async fn page<R>(conn: &mut Conn, select: &str, from_where: &str, order_by: &str, org_id: &str, binds: &[String], offset: i64, limit: i64) -> sqlx::Result<(Vec<R>, i64)>
where
    R: for<'r> FromRow<'r, AnyRow> + Send + Unpin,
{
    let rows = if limit == 0 {
        Vec::new()
    } else {
        let sql = format!("{select} {from_where} ORDER BY {order_by} LIMIT {limit} OFFSET {offset}");
        let mut q = sqlx::query_as::<_, R>(&sql).bind(org_id);
        for b in binds {
            q = q.bind(b.as_str());
        }
        q.fetch_all(&mut *conn).await?
    };
    let total = if offset == 0 && (rows.len() as i64) < limit {
        rows.len() as i64
    } else {
        let sql = format!("SELECT COUNT(*) {from_where}");
        let mut q = sqlx::query_scalar::<_, i64>(&sql).bind(org_id);
        for b in binds {
            q = q.bind(b.as_str());
        }
        q.fetch_one(&mut *conn).await?
    };
    Ok((rows, total))
}

/// Which resource a filter reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    User,
    Group,
}

/// A search over people or teams, in the terms the directory has.
#[derive(Clone, Debug, PartialEq)]
pub enum Filter {
    /// Every record.
    All,
    /// A condition that holds for every record or for none.
    Const(bool),
    Not(Box<Filter>),
    And(Vec<Filter>),
    Or(Vec<Filter>),
    Text(Field, Op),
    /// People who are (or are not) active.
    Active(bool),
    /// Teams with members (None), or with this member.
    Member(Option<String>),
}

/// A text attribute. Those marked case-insensitive compare lower-case (their columns are stored lower-case).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    UserId,
    UserName,
    UserExternalId,
    UserDisplayName,
    GivenName,
    FamilyName,
    UserType,
    UserCreated,
    UserModified,
    TeamId,
    TeamName,
    TeamExternalId,
    TeamCreated,
    TeamModified,
}

impl Field {
    fn sql(self) -> &'static str {
        match self {
            Field::UserId => "u.id",
            Field::UserName => "u.email_norm",
            Field::UserExternalId => "u.external_id",
            Field::UserDisplayName => "LOWER(COALESCE(u.display_name, u.first_name || ' ' || u.last_name))",
            Field::GivenName => "LOWER(u.first_name)",
            Field::FamilyName => "u.last_norm",
            Field::UserType => "t.name_norm",
            Field::UserCreated => "u.created_at",
            Field::UserModified => "u.updated_at",
            Field::TeamId => "g.id",
            Field::TeamName => "g.name_norm",
            Field::TeamExternalId => "g.external_id",
            Field::TeamCreated => "g.created_at",
            Field::TeamModified => "g.updated_at",
        }
    }
    pub fn case_insensitive(self) -> bool {
        matches!(self, Field::UserName | Field::UserDisplayName | Field::GivenName | Field::FamilyName | Field::UserType | Field::TeamName)
    }
    pub fn of_users(self) -> bool {
        !matches!(self, Field::TeamId | Field::TeamName | Field::TeamExternalId | Field::TeamCreated | Field::TeamModified)
    }
}

/// A comparison; `None` compares with null.
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    Present,
    Eq(Option<String>),
    Ne(Option<String>),
    Contains(String),
    StartsWith(String),
    EndsWith(String),
    Gt(String),
    Ge(String),
    Lt(String),
    Le(String),
}

impl Filter {
    /// The WHERE clause (to AND with the organization scope, `$1`) and its values.
    fn to_sql(&self, kind: Kind) -> (String, Vec<String>) {
        let mut binds = Vec::new();
        let wc = self.render(kind, &mut binds);
        (wc, binds)
    }

    fn render(&self, kind: Kind, binds: &mut Vec<String>) -> String {
        let bind = |v: String, binds: &mut Vec<String>| {
            binds.push(v);
            format!("${}", binds.len() + 1)
        };
        let join = |fs: &[Filter], sep: &str, binds: &mut Vec<String>| fs.iter().map(|f| format!("({})", f.render(kind, binds))).collect::<Vec<_>>().join(sep);
        match self {
            Filter::All => "1 = 1".into(),
            Filter::Const(true) => "1 = 1".into(),
            Filter::Const(false) => "1 = 0".into(),
            Filter::Not(f) => format!("NOT ({})", f.render(kind, binds)),
            Filter::And(fs) => join(fs, " AND ", binds),
            Filter::Or(fs) => join(fs, " OR ", binds),
            Filter::Active(_) | Filter::Member(_) | Filter::Text(..) if !self.reads(kind) => "1 = 0".into(),
            Filter::Active(true) => "u.status = 'active'".into(),
            Filter::Active(false) => "u.status <> 'active'".into(),
            Filter::Member(None) => "EXISTS (SELECT 1 FROM team_members m WHERE m.team_id = g.id)".into(),
            Filter::Member(Some(id)) => format!("EXISTS (SELECT 1 FROM team_members m WHERE m.team_id = g.id AND m.user_id = {})", bind(id.clone(), binds)),
            Filter::Text(field, op) => {
                let sql = field.sql();
                let norm = |v: &str| {
                    if field.case_insensitive() {
                        v.to_lowercase()
                    } else {
                        v.to_string()
                    }
                };
                let like = |v: &str| norm(v).replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
                match op {
                    Op::Present => format!("({sql} IS NOT NULL AND {sql} <> '')"),
                    Op::Eq(None) => format!("{sql} IS NULL"),
                    Op::Ne(None) => format!("{sql} IS NOT NULL"),
                    Op::Eq(Some(v)) => format!("{sql} = {}", bind(norm(v), binds)),
                    Op::Ne(Some(v)) => {
                        format!("({sql} IS NULL OR {sql} <> {})", bind(norm(v), binds))
                    }
                    Op::Contains(v) => format!("{sql} LIKE {} ESCAPE '\\'", bind(format!("%{}%", like(v)), binds)),
                    Op::StartsWith(v) => format!("{sql} LIKE {} ESCAPE '\\'", bind(format!("{}%", like(v)), binds)),
                    Op::EndsWith(v) => format!("{sql} LIKE {} ESCAPE '\\'", bind(format!("%{}", like(v)), binds)),
                    Op::Gt(v) => format!("{sql} > {}", bind(norm(v), binds)),
                    Op::Ge(v) => format!("{sql} >= {}", bind(norm(v), binds)),
                    Op::Lt(v) => format!("{sql} < {}", bind(norm(v), binds)),
                    Op::Le(v) => format!("{sql} <= {}", bind(norm(v), binds)),
                }
            }
        }
    }

    /// Whether a condition is about this kind of record (a filter on a person's
    /// attribute matches no team, and the other way round).
    fn reads(&self, kind: Kind) -> bool {
        match self {
            Filter::Active(_) => kind == Kind::User,
            Filter::Member(_) => kind == Kind::Group,
            Filter::Text(f, _) => f.of_users() == (kind == Kind::User),
            _ => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_become_bound_sql() {
        let f = Filter::Text(Field::UserName, Op::Eq(Some("Ada@Example.com".into())));
        assert_eq!(f.to_sql(Kind::User), ("u.email_norm = $2".to_string(), vec!["ada@example.com".to_string()]));
        let f = Filter::And(vec![Filter::Text(Field::UserExternalId, Op::Eq(Some("X1".into()))), Filter::Text(Field::UserName, Op::Eq(Some("a@b.co".into())))]);
        assert_eq!(f.to_sql(Kind::User), ("(u.external_id = $2) AND (u.email_norm = $3)".to_string(), vec!["X1".to_string(), "a@b.co".to_string()]));
        assert_eq!(Filter::Active(false).to_sql(Kind::User).0, "u.status <> 'active'");
        let f = Filter::Text(Field::TeamName, Op::Eq(Some("Finance".into())));
        assert_eq!(f.to_sql(Kind::Group), ("g.name_norm = $2".to_string(), vec!["finance".to_string()]));
        let (wc, b) = Filter::Text(Field::UserName, Op::StartsWith("a_b%".into())).to_sql(Kind::User);
        assert_eq!((wc.as_str(), b), ("u.email_norm LIKE $2 ESCAPE '\\'", vec!["a\\_b\\%%".to_string()]));
        assert_eq!(Filter::Member(Some("u1".into())).to_sql(Kind::Group).1, vec!["u1".to_string()]);
    }

    #[test]
    fn a_condition_on_the_other_kind_matches_nothing() {
        assert_eq!(Filter::Active(true).to_sql(Kind::Group).0, "1 = 0");
        assert_eq!(Filter::Text(Field::TeamName, Op::Present).to_sql(Kind::User).0, "1 = 0");
        assert_eq!(Filter::Text(Field::UserName, Op::Present).to_sql(Kind::Group).0, "1 = 0");
    }
}
