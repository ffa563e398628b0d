//! What the documents pages receive from the server, with what the caller may do.
use super::documents::{DatasetColumn, ExportFormat, Filter, Sort, TableView};
use super::views::Choice;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DocumentSummary {
    pub id: String,
    pub name: String,
    pub dataset: String,
    pub owner: String,
    pub updated_at: String,
}

/// A folder of documents: an archived person's, or a team's workspace.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DocumentFolder {
    pub name: String,
    pub documents: Vec<DocumentSummary>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DatasetChoice {
    pub id: String,
    pub name: String,
    pub row_count: i64,
    pub columns: Vec<DatasetColumn>,
}

/// The documents landing page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DocumentsHome {
    pub mine: Vec<DocumentSummary>,
    /// "My documents > Archived users > <name>".
    pub archived: Vec<DocumentFolder>,
    /// One folder per team the caller belongs to (empty workspaces too).
    pub teams: Vec<DocumentFolder>,
    pub shared: Vec<DocumentSummary>,
    pub can_create: bool,
    pub can_upload: bool,
    pub datasets: Vec<DatasetChoice>,
    /// The caller's teams, where a new document may be placed.
    pub my_teams: Vec<Choice>,
}

/// Filter and sort chosen while exploring, instead of the document's own.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Exploration {
    pub filters: Vec<Filter>,
    pub sort: Option<Sort>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DocumentQuery {
    pub page: u32,
    /// `None`: the document as saved. `Some`: needs "Explore documents".
    pub explore: Option<Exploration>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DocumentPage {
    pub id: String,
    pub name: String,
    pub dataset: String,
    pub owner: String,
    pub location: String,
    pub all_columns: Vec<DatasetColumn>,
    /// The document as saved, and what this page shows (saved, or explored).
    pub saved: TableView,
    pub shown: TableView,
    pub rows: Vec<Vec<String>>,
    pub total: i64,
    pub page: u32,
    pub page_count: u32,
    pub can_edit: bool,
    pub can_share: bool,
    pub can_explore: bool,
    /// The export formats the caller may use; empty means no export menu.
    pub exports: Vec<ExportFormat>,
    pub shared_with: Vec<String>,
    /// Teams a document can be shared with (when the caller may share).
    pub share_teams: Vec<Choice>,
    /// Allowed webhook destinations (when the caller may export to webhook).
    pub webhooks: Vec<Choice>,
    /// May save a copy into their own documents.
    pub can_copy: bool,
    /// May set the dataset's row rule (administrators), with the attributes to choose from.
    pub can_set_rule: bool,
    pub rule_attributes: Vec<Choice>,
    /// The dataset's row rule and the reader's value, when one limits the rows.
    pub rule: Option<crate::domain::attributes::RowRuleView>,
}

/// What a webhook export did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WebhookResult {
    pub rows: u64,
    pub status: u16,
}
