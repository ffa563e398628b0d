//! Datasets and their rows. A document's view (columns, filters, sort) becomes
//! SQL here: only slot names checked by `is_slot` reach the SQL text, every
//! value is bound.
use super::{new_id, now, Conn, Db};
use crate::domain::attributes::{RowRule, RuleOp};
use crate::domain::documents::format_number;
use crate::domain::documents::{is_slot, ColumnKind, DatasetColumn, FilterOp, TableView};
use sqlx::any::AnyRow;
use sqlx::{Any, Executor, Row};

row! {
    #[derive(Clone, Debug)]
    pub struct DatasetRow {
        pub id: String,
        pub name: String,
        pub columns: String,
        pub row_count: i64,
        pub source: String,
        /// JSON of `domain::attributes::RowRule`, when a rule protects the rows.
        pub row_rule: Option<String>,
    }
}

impl DatasetRow {
    pub fn columns(&self) -> Vec<DatasetColumn> {
        serde_json::from_str(&self.columns).unwrap_or_default()
    }
    /// The row rule. A stored rule that no longer reads is kept as an
    /// impossible one, so a damaged rule shows no rows rather than all of them.
    pub fn row_rule(&self) -> Option<RowRule> {
        let raw = self.row_rule.as_deref()?;
        Some(serde_json::from_str(raw).unwrap_or(RowRule { column: String::new(), op: RuleOp::Eq, attribute: String::new() }))
    }
}

/// Sets or removes a dataset's row rule.
pub async fn set_row_rule(conn: &mut Conn, org_id: &str, id: &str, rule: Option<&RowRule>) -> sqlx::Result<()> {
    sqlx::query("UPDATE datasets SET row_rule = $1 WHERE org_id = $2 AND id = $3")
        .bind(rule.map(|r| serde_json::to_string(r).expect("rule serializes")))
        .bind(org_id)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Which of a dataset's rows a reader may see: all of them (no rule), those
/// whose text column holds one of `values`, or none (a rule, and the reader
/// has no value). Only the service makes one, from the dataset's rule and the
/// reader's attribute value; `RowQuery` cannot be built without it.
#[derive(Clone, Debug, PartialEq)]
pub enum RowScope {
    All,
    Only { column: String, values: Vec<String> },
    Nothing,
}

pub async fn insert(conn: &mut Conn, org_id: &str, name: &str, columns: &[DatasetColumn], source: &str, created_by: Option<&str>) -> sqlx::Result<String> {
    let id = new_id();
    sqlx::query("INSERT INTO datasets (id, org_id, name, columns, row_count, source, created_by, created_at) VALUES ($1, $2, $3, $4, 0, $5, $6, $7)")
        .bind(&id)
        .bind(org_id)
        .bind(name)
        .bind(serde_json::to_string(columns).expect("columns serialize"))
        .bind(source)
        .bind(created_by)
        .bind(now())
        .execute(&mut *conn)
        .await?;
    Ok(id)
}

/// A cell to store: text, a number, or nothing.
#[derive(Clone, Debug)]
pub enum Cell {
    Text(Option<String>),
    Number(Option<f64>),
}

/// Appends rows numbered from `first_row_no`, in one statement per 400 rows.
pub async fn insert_rows(conn: &mut Conn, dataset_id: &str, columns: &[DatasetColumn], first_row_no: i64, rows: &[Vec<Cell>]) -> sqlx::Result<()> {
    let slots: Vec<&str> = columns.iter().map(|c| c.slot.as_str()).filter(|s| is_slot(s)).collect();
    assert_eq!(slots.len(), columns.len(), "dataset columns have valid slots");
    let per_row = slots.len() + 2;
    let sqlite = super::is_sqlite_conn(conn);
    let row = format!("({})", vec!["?"; per_row].join(", "));
    for (chunk_no, chunk) in rows.chunks(400).enumerate() {
        let sql = format!("INSERT INTO dataset_rows (dataset_id, row_no, {}) VALUES {}", slots.join(", "), super::value_rows(sqlite, chunk.len(), &row));
        let mut q = sqlx::query(&sql);
        for (i, row) in chunk.iter().enumerate() {
            q = q.bind(dataset_id).bind(first_row_no + (chunk_no * 400 + i) as i64);
            for cell in row {
                q = match cell {
                    Cell::Text(v) => q.bind(v.clone()),
                    Cell::Number(Some(v)) => q.bind(*v),
                    // sqlx 0.8.6's Any driver sends a NULL f64 typed as a 4-byte
                    // float and a NULL f32 as an 8-byte one (the two are swapped in
                    // AnyArguments); PostgreSQL refuses the first for a DOUBLE
                    // PRECISION column, so an empty number cell goes as the second.
                    Cell::Number(None) => q.bind(None::<f32>),
                };
            }
        }
        q.execute(&mut *conn).await?;
    }
    sqlx::query("UPDATE datasets SET row_count = row_count + $1 WHERE id = $2").bind(rows.len() as i64).bind(dataset_id).execute(&mut *conn).await?;
    Ok(())
}

pub async fn get<'e>(ex: impl Executor<'e, Database = Any>, org_id: &str, id: &str) -> sqlx::Result<Option<DatasetRow>> {
    sqlx::query_as("SELECT id, name, columns, row_count, source, row_rule FROM datasets WHERE org_id = $1 AND id = $2").bind(org_id).bind(id).fetch_optional(ex).await
}

pub async fn list(db: &Db, org_id: &str) -> sqlx::Result<Vec<DatasetRow>> {
    sqlx::query_as("SELECT id, name, columns, row_count, source, row_rule FROM datasets WHERE org_id = $1 ORDER BY name, id").bind(org_id).fetch_all(db).await
}

#[derive(Clone, Debug)]
enum Bind {
    Text(String),
    Number(f64),
    Int(i64),
}

fn bind_all<'q>(mut q: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>, binds: &'q [Bind]) -> sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>> {
    for b in binds {
        q = match b {
            Bind::Text(s) => q.bind(s.as_str()),
            Bind::Number(v) => q.bind(*v),
            Bind::Int(v) => q.bind(*v),
        };
    }
    q
}

/// A view turned into SQL: what to select, the WHERE and ORDER BY, and the values to bind.
pub struct RowQuery {
    kinds: Vec<ColumnKind>,
    select: String,
    filter: String,
    order: String,
    binds: Vec<Bind>,
    /// The sorted column (slot, kind, descending), when the view sorts.
    sort: Option<(String, ColumnKind, bool)>,
}

/// Where a page of rows ended, for reading the next one: the last row's
/// number and, when the view sorts, its value in the sorted column.
#[derive(Clone, Debug)]
pub struct After {
    row_no: i64,
    sorted: Option<Cell>,
}

/// A page of a view's rows (cells as `RowQuery::values` reads them) and where
/// the next page starts; `next` is `None` after the last page.
pub struct RowsPage {
    pub rows: Vec<Vec<Option<String>>>,
    pub next: Option<After>,
}

impl RowQuery {
    /// `view` must have passed `TableView::check` against `columns`. `scope`
    /// is the reader's: every count, page and export is limited by it.
    pub fn new(dataset_id: &str, columns: &[DatasetColumn], view: &TableView, scope: &RowScope) -> RowQuery {
        let col = |name: &str| columns.iter().find(|c| c.name == name && is_slot(&c.slot)).expect("checked view");
        let shown: Vec<&DatasetColumn> = view.columns.iter().map(|n| col(n)).collect();
        let mut binds = vec![Bind::Text(dataset_id.to_string())];
        let mut filter = String::from("dataset_id = $1");
        match scope {
            RowScope::All => {}
            RowScope::Only { column, values } => match columns.iter().find(|c| &c.name == column && c.kind == ColumnKind::Text && is_slot(&c.slot)) {
                Some(c) if !values.is_empty() => {
                    let first = binds.len() + 1;
                    binds.extend(values.iter().map(|v| Bind::Text(v.clone())));
                    filter.push_str(&format!(" AND {} IN ({})", c.slot, super::placeholders(first, values.len())));
                }
                _ => filter.push_str(" AND 1 = 0"),
            },
            RowScope::Nothing => filter.push_str(" AND 1 = 0"),
        }
        for f in &view.filters {
            let c = col(&f.column);
            let s = &c.slot;
            let n = binds.len() + 1;
            let cond = match (c.kind, f.op) {
                (ColumnKind::Text, FilterOp::Contains) => {
                    let escaped = f.value.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
                    binds.push(Bind::Text(format!("%{escaped}%")));
                    format!("LOWER({s}) LIKE ${n} ESCAPE '\\'")
                }
                (ColumnKind::Number, FilterOp::Contains) => "1 = 0".to_string(),
                (kind, op) => {
                    binds.push(match kind {
                        ColumnKind::Number => Bind::Number(crate::domain::documents::parse_number(&f.value).unwrap_or(0.0)),
                        ColumnKind::Text => Bind::Text(f.value.clone()),
                    });
                    match op {
                        FilterOp::Eq => format!("{s} = ${n}"),
                        FilterOp::Ne => format!("({s} IS NULL OR {s} <> ${n})"),
                        FilterOp::Gt => format!("{s} > ${n}"),
                        FilterOp::Ge => format!("{s} >= ${n}"),
                        FilterOp::Lt => format!("{s} < ${n}"),
                        FilterOp::Le => format!("{s} <= ${n}"),
                        FilterOp::Contains => unreachable!(),
                    }
                }
            };
            filter.push_str(" AND ");
            filter.push_str(&cond);
        }
        // Empty cells last on both databases (they order NULLs differently).
        let order = match &view.sort {
            Some(s) => {
                let slot = &col(&s.column).slot;
                format!("({slot} IS NULL), {slot} {}, row_no", if s.desc { "DESC" } else { "ASC" })
            }
            None => "row_no".into(),
        };
        RowQuery {
            kinds: shown.iter().map(|c| c.kind).collect(),
            select: shown.iter().map(|c| c.slot.as_str()).collect::<Vec<_>>().join(", "),
            filter,
            order,
            binds,
            sort: view.sort.as_ref().map(|s| {
                let c = col(&s.column);
                (c.slot.clone(), c.kind, s.desc)
            }),
        }
    }

    fn bind<'q>(&'q self, q: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>) -> sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>> {
        bind_all(q, &self.binds)
    }

    /// The page of at most `limit` rows that follows `after` (the first page
    /// when `None`), in the view's order. Each page is one short query, so a
    /// long export holds a connection only while it reads a page, never while
    /// its client is slow. The position is the view's whole sort key, so the
    /// next page starts exactly after the last row: unsorted, the row number
    /// (a range of the primary key); sorted, (empty last, value, row number),
    /// which each page finds with one pass over the dataset's rows and a
    /// bounded top-`limit` sort (the 20 generic slots have no index of their
    /// own: one per slot would weigh on every upload).
    pub async fn page_after(&self, db: &Db, after: Option<&After>, limit: usize) -> sqlx::Result<RowsPage> {
        let mut binds: Vec<Bind> = Vec::new();
        let mut param = |b: Bind| {
            binds.push(b);
            format!("${}", self.binds.len() + binds.len())
        };
        let keyset = match (after, &self.sort) {
            (None, _) => String::new(),
            (Some(a), None) => format!(" AND row_no > {}", param(Bind::Int(a.row_no))),
            (Some(a), Some((slot, _, desc))) => {
                let value = match &a.sorted {
                    Some(Cell::Text(Some(v))) => Some(Bind::Text(v.clone())),
                    Some(Cell::Number(Some(v))) => Some(Bind::Number(*v)),
                    _ => None,
                };
                match value {
                    // Empty cells come last, in row order.
                    None => format!(" AND {slot} IS NULL AND row_no > {}", param(Bind::Int(a.row_no))),
                    Some(v) => {
                        let beyond = if *desc { "<" } else { ">" };
                        let (v1, v2, r) = (param(v.clone()), param(v), param(Bind::Int(a.row_no)));
                        format!(" AND ({slot} IS NULL OR {slot} {beyond} {v1} OR ({slot} = {v2} AND row_no > {r}))")
                    }
                }
            }
        };
        let sort_slot = self.sort.as_ref().map(|(slot, ..)| format!(", {slot}")).unwrap_or_default();
        let sql = format!("SELECT {}, row_no{sort_slot} FROM dataset_rows WHERE {}{keyset} ORDER BY {} LIMIT {limit}", self.select, self.filter, self.order);
        let rows = bind_all(self.bind(sqlx::query(&sql)), &binds).fetch_all(db).await?;
        let next = match rows.last() {
            Some(last) if rows.len() == limit => Some(self.position(last)?),
            _ => None,
        };
        let rows = rows.iter().map(|r| self.values(r)).collect::<sqlx::Result<_>>()?;
        Ok(RowsPage { rows, next })
    }

    /// Where `row` (of `page_after`) stands in the view's order.
    fn position(&self, row: &AnyRow) -> sqlx::Result<After> {
        let at = self.kinds.len();
        let sorted = match &self.sort {
            None => None,
            Some((_, ColumnKind::Text, _)) => Some(Cell::Text(row.try_get(at + 1)?)),
            Some((_, ColumnKind::Number, _)) => Some(Cell::Number(row.try_get(at + 1)?)),
        };
        Ok(After { row_no: row.try_get::<i64, _>(at)?, sorted })
    }

    /// The SQL of every matching row, in order.
    fn all_sql(&self) -> String {
        format!("SELECT {} FROM dataset_rows WHERE {} ORDER BY {}", self.select, self.filter, self.order)
    }

    pub async fn count(&self, db: &Db) -> sqlx::Result<i64> {
        let sql = format!("SELECT COUNT(*) FROM dataset_rows WHERE {}", self.filter);
        let row = self.bind(sqlx::query(&sql)).fetch_one(db).await?;
        row.try_get::<i64, _>(0)
    }

    /// One page of rows, as text.
    pub async fn page(&self, db: &Db, limit: i64, offset: i64) -> sqlx::Result<Vec<Vec<String>>> {
        let sql = format!("{} LIMIT {limit} OFFSET {offset}", self.all_sql());
        let rows = self.bind(sqlx::query(&sql)).fetch_all(db).await?;
        rows.iter().map(|r| self.cells(r)).collect()
    }

    /// A row's cells as text; empty cells as "".
    pub fn cells(&self, row: &AnyRow) -> sqlx::Result<Vec<String>> {
        self.values(row).map(|v| v.into_iter().map(|c| c.unwrap_or_default()).collect())
    }

    /// A row's cells: text as stored, numbers formatted; `None` for empty cells.
    pub fn values(&self, row: &AnyRow) -> sqlx::Result<Vec<Option<String>>> {
        self.kinds
            .iter()
            .enumerate()
            .map(|(i, k)| match k {
                ColumnKind::Text => row.try_get::<Option<String>, _>(i),
                ColumnKind::Number => row.try_get::<Option<f64>, _>(i).map(|v| v.map(format_number)),
            })
            .collect()
    }

    pub fn kinds(&self) -> &[ColumnKind] {
        &self.kinds
    }
}
