//! Documents: saved table views over a dataset (chosen columns, filters, sort),
//! and the export formats. Filters are values of these types, never SQL text;
//! the store turns them into bound SQL.
use super::Invalid;
use serde::{Deserialize, Serialize};

/// Text columns a dataset can have (slots t1..t12) and number columns (n1..n8).
pub const MAX_TEXT_COLUMNS: usize = 12;
pub const MAX_NUMBER_COLUMNS: usize = 8;
pub const MAX_FILTERS: usize = 10;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnKind {
    Text,
    Number,
}

/// A column of a dataset and the storage slot it lives in ("t3", "n1").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatasetColumn {
    pub name: String,
    pub kind: ColumnKind,
    pub slot: String,
}

/// Gives columns their slots in order; `None` when there are too many of a kind.
pub fn assign_slots(columns: &[(String, ColumnKind)]) -> Option<Vec<DatasetColumn>> {
    let (mut t, mut n) = (0, 0);
    let mut out = Vec::with_capacity(columns.len());
    for (name, kind) in columns {
        let slot = match kind {
            ColumnKind::Text => {
                t += 1;
                format!("t{t}")
            }
            ColumnKind::Number => {
                n += 1;
                format!("n{n}")
            }
        };
        out.push(DatasetColumn { name: name.clone(), kind: *kind, slot });
    }
    (t <= MAX_TEXT_COLUMNS && n <= MAX_NUMBER_COLUMNS).then_some(out)
}

/// True for the slot names the rows table has; the store only ever puts these in SQL.
pub fn is_slot(s: &str) -> bool {
    let ok = |prefix: char, max: usize| s.strip_prefix(prefix).and_then(|d| d.parse::<usize>().ok()).is_some_and(|i| (1..=max).contains(&i)) && !s[1..].starts_with('0');
    ok('t', MAX_TEXT_COLUMNS) || ok('n', MAX_NUMBER_COLUMNS)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FilterOp {
    Eq,
    Ne,
    Contains,
    Gt,
    Ge,
    Lt,
    Le,
}

impl FilterOp {
    pub const ALL: [FilterOp; 7] = [FilterOp::Eq, FilterOp::Ne, FilterOp::Contains, FilterOp::Gt, FilterOp::Ge, FilterOp::Lt, FilterOp::Le];
    pub fn key(self) -> &'static str {
        match self {
            FilterOp::Eq => "eq",
            FilterOp::Ne => "ne",
            FilterOp::Contains => "contains",
            FilterOp::Gt => "gt",
            FilterOp::Ge => "ge",
            FilterOp::Lt => "lt",
            FilterOp::Le => "le",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            FilterOp::Eq => "is",
            FilterOp::Ne => "is not",
            FilterOp::Contains => "contains",
            FilterOp::Gt => ">",
            FilterOp::Ge => "≥",
            FilterOp::Lt => "<",
            FilterOp::Le => "≤",
        }
    }
    pub fn from_key(k: &str) -> Option<FilterOp> {
        FilterOp::ALL.into_iter().find(|o| o.key() == k)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Filter {
    pub column: String,
    pub op: FilterOp,
    pub value: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sort {
    pub column: String,
    pub desc: bool,
}

/// What a document shows of its dataset.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TableView {
    pub columns: Vec<String>,
    pub filters: Vec<Filter>,
    pub sort: Option<Sort>,
}

impl TableView {
    /// Checks the view against the dataset's columns: every name exists, number
    /// filters have numbers, "contains" is for text. Bad input names the field.
    pub fn check(&self, dataset: &[DatasetColumn]) -> Result<(), Invalid> {
        let find = |name: &str| dataset.iter().find(|c| c.name == name);
        if self.columns.is_empty() {
            return Err(Invalid::new("columns", "Choose at least one column to show."));
        }
        for c in &self.columns {
            if find(c).is_none() {
                return Err(Invalid::new("columns", format!("The dataset has no column “{c}”.")));
            }
        }
        if self.filters.len() > MAX_FILTERS {
            return Err(Invalid::new("filters", format!("Use at most {MAX_FILTERS} filters.")));
        }
        for f in &self.filters {
            let col = find(&f.column).ok_or_else(|| Invalid::new("filters", format!("The dataset has no column “{}” to filter on.", f.column)))?;
            match col.kind {
                ColumnKind::Number if f.op == FilterOp::Contains => {
                    return Err(Invalid::new("filters", format!("“{}” holds numbers: use is, is not, >, ≥, < or ≤.", f.column)));
                }
                ColumnKind::Number if parse_number(&f.value).is_none() => {
                    return Err(Invalid::new("filters", format!("“{}” holds numbers, and “{}” is not a number.", f.column, f.value)));
                }
                _ => {}
            }
            if f.value.chars().count() > 200 {
                return Err(Invalid::new("filters", "A filter value can be at most 200 characters."));
            }
        }
        if let Some(s) = &self.sort {
            if find(&s.column).is_none() {
                return Err(Invalid::new("sort", format!("The dataset has no column “{}” to sort by.", s.column)));
            }
        }
        Ok(())
    }
}

/// A number as people type it: "1234.5", " -3 ", "1,234.50".
pub fn parse_number(s: &str) -> Option<f64> {
    let t: String = s.trim().chars().filter(|c| *c != ',').collect();
    if t.is_empty() {
        return None;
    }
    t.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// How a stored number reads: integers without ".0", others as Rust prints them.
pub fn format_number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// Where a document lives for its owner.
pub fn location_label(team: Option<&str>, folder: Option<&str>) -> String {
    match (team, folder) {
        (Some(t), _) => format!("Team workspace: {t}"),
        (None, Some(f)) => format!("My documents > Archived users > {f}"),
        (None, None) => "My documents".into(),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    Csv,
    Xlsx,
    Pdf,
    Webhook,
}

impl ExportFormat {
    pub const ALL: [ExportFormat; 4] = [ExportFormat::Csv, ExportFormat::Xlsx, ExportFormat::Pdf, ExportFormat::Webhook];
    pub fn key(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Xlsx => "xlsx",
            ExportFormat::Pdf => "pdf",
            ExportFormat::Webhook => "webhook",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            ExportFormat::Csv => "Download CSV",
            ExportFormat::Xlsx => "Download Excel (.xlsx)",
            ExportFormat::Pdf => "Export to PDF",
            ExportFormat::Webhook => "Export to webhook",
        }
    }
    /// The permission each format needs (the Exports group of the permission catalog).
    pub fn permission(self) -> crate::domain::Permission {
        use crate::domain::Permission;
        match self {
            ExportFormat::Csv | ExportFormat::Xlsx => Permission::DownloadData,
            ExportFormat::Pdf => Permission::ExportPdfPng,
            ExportFormat::Webhook => Permission::ExportWebhook,
        }
    }
    /// The download file's extension, for the formats that are files.
    pub fn from_extension(ext: &str) -> Option<ExportFormat> {
        match ext {
            "csv" => Some(ExportFormat::Csv),
            "xlsx" => Some(ExportFormat::Xlsx),
            "pdf" => Some(ExportFormat::Pdf),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols() -> Vec<DatasetColumn> {
        assign_slots(&[("Region".into(), ColumnKind::Text), ("Amount".into(), ColumnKind::Number)]).unwrap()
    }

    #[test]
    fn slots_and_checks() {
        let c = cols();
        assert_eq!((c[0].slot.as_str(), c[1].slot.as_str()), ("t1", "n1"));
        assert!(is_slot("t12") && is_slot("n8") && !is_slot("t13") && !is_slot("n0") && !is_slot("t01") && !is_slot("x1; DROP"));
        let ok = TableView { columns: vec!["Region".into()], filters: vec![Filter { column: "Amount".into(), op: FilterOp::Ge, value: "1,000".into() }], sort: None };
        assert!(ok.check(&c).is_ok());
        let bad = TableView { filters: vec![Filter { column: "Amount".into(), op: FilterOp::Contains, value: "1".into() }], ..ok.clone() };
        assert_eq!(bad.check(&c).unwrap_err().field, "filters");
        let bad = TableView { filters: vec![Filter { column: "Amount".into(), op: FilterOp::Eq, value: "lots".into() }], ..ok.clone() };
        assert!(bad.check(&c).is_err());
        let bad = TableView { columns: vec!["Nope".into()], ..ok };
        assert_eq!(bad.check(&c).unwrap_err().field, "columns");
        let too_many: Vec<_> = (0..13).map(|i| (format!("c{i}"), ColumnKind::Text)).collect();
        assert!(assign_slots(&too_many).is_none());
    }

    #[test]
    fn numbers_read_and_print() {
        assert_eq!(parse_number(" 1,234.5 "), Some(1234.5));
        assert_eq!(parse_number("abc"), None);
        assert_eq!(parse_number("inf"), None);
        assert_eq!(format_number(42.0), "42");
        assert_eq!(format_number(12.75), "12.75");
    }
}
