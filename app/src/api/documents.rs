//! Documents: the landing page, a document's table, creating, saving, sharing,
//! uploading a CSV. Each function checks the caller's permission first.
use crate::domain::document_views::{DocumentPage, DocumentQuery, DocumentsHome};
use crate::domain::documents::TableView;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

pub const PAGE_SIZE: u32 = 50;

#[cfg(feature = "ssr")]
mod ssr {
    pub use super::super::request;
    pub use crate::service::access::Caller;
    pub use crate::service::documents as docs;
    pub use crate::domain::document_views::{DatasetChoice, DocumentFolder, DocumentSummary};
    pub use crate::domain::documents::{location_label, ExportFormat};
    pub use crate::domain::views::Choice;
    pub use crate::domain::{audit, Permission};
    pub use crate::error::{AppError, AppResult};
    pub use crate::store::{self, documents::DocumentRow};

    pub fn summary(d: &DocumentRow) -> DocumentSummary {
        DocumentSummary { id: d.id.clone(), name: d.name.clone(), dataset: d.dataset_name.clone(), owner: d.owner_name(), updated_at: d.updated_at.clone() }
    }

    pub fn document_name(raw: &str) -> AppResult<String> {
        let n = raw.trim();
        if n.is_empty() {
            return Err(AppError::invalid("name", "Give the document a name."));
        }
        if n.chars().count() > 200 || n.chars().any(char::is_control) {
            return Err(AppError::invalid("name", "A document name is at most 200 characters, on one line."));
        }
        Ok(n.to_string())
    }

    pub async fn my_teams(c: &Caller) -> AppResult<Vec<Choice>> {
        let db = &request::state().db;
        let ids = store::teams::ids_for_user(db, &c.org.id, &c.user.id).await?;
        let mut out = Vec::new();
        for id in ids {
            if let Some(t) = store::teams::get(db, &c.org.id, &id).await?.filter(|t| t.status.is_active()) {
                out.push(Choice { id: t.id, label: t.name });
            }
        }
        out.sort_by(|a, b| a.label.to_lowercase().cmp(&b.label.to_lowercase()));
        Ok(out)
    }
}

/// The landing page: My documents (with archived folders), team workspaces, shared with me.
#[server(endpoint = "documents")]
pub async fn load_documents(org: String) -> Result<DocumentsHome, AppError> {
    use self::ssr::*;
    let c = request::caller(&org).await?;
    c.require(Permission::ViewDocuments)?;
    let db = &request::state().db;
    let owned = store::documents::owned(db, &c.org.id, &c.user.id).await?;
    let mut mine = Vec::new();
    let mut archived: Vec<DocumentFolder> = Vec::new();
    for d in &owned {
        match &d.folder {
            None => mine.push(summary(d)),
            Some(f) => match archived.last_mut().filter(|a| &a.name == f) {
                Some(a) => a.documents.push(summary(d)),
                None => archived.push(DocumentFolder { name: f.clone(), documents: vec![summary(d)] }),
            },
        }
    }
    let my_teams = my_teams(&c).await?;
    let in_teams = store::documents::in_my_teams(db, &c.org.id, &c.user.id).await?;
    let teams = my_teams
        .iter()
        .map(|t| DocumentFolder {
            name: t.label.clone(),
            documents: in_teams.iter().filter(|d| d.team_id.as_deref() == Some(&t.id)).map(summary).collect(),
        })
        .collect();
    let shared = store::documents::shared_with(db, &c.org.id, &c.user.id)
        .await?
        .iter()
        .filter(|d| !in_teams.iter().any(|t| t.id == d.id))
        .map(summary)
        .collect();
    let can_create = c.can(Permission::CreateDocuments);
    let datasets = if can_create {
        store::datasets::list(db, &c.org.id)
            .await?
            .into_iter()
            .map(|d| DatasetChoice { columns: d.columns(), id: d.id, name: d.name, row_count: d.row_count })
            .collect()
    } else {
        Vec::new()
    };
    Ok(DocumentsHome { mine, archived, teams, shared, can_create, can_upload: c.can(Permission::UploadCsv), datasets, my_teams })
}

/// One document: its table paged on the server, with what the caller may do.
/// Exploring (own filters and sort) needs `explore_documents`.
#[server(endpoint = "document", input = Json)]
pub async fn load_document(org: String, id: String, query: DocumentQuery) -> Result<DocumentPage, AppError> {
    use self::ssr::*;
    let c = request::caller(&org).await?;
    let db = &request::state().db;
    let o = docs::open(db, &c, &id).await?;
    let saved = o.doc.view();
    let shown = match query.explore {
        None => saved.clone(),
        Some(x) => {
            c.require(Permission::ExploreDocuments)?;
            TableView { columns: saved.columns.clone(), filters: x.filters, sort: x.sort }
        }
    };
    let all_columns = o.dataset.columns();
    shown.check(&all_columns)?;
    let q = store::datasets::RowQuery::new(&o.dataset.id, &all_columns, &shown);
    let total = q.count(db).await?;
    let page_count = ((total as u32).div_ceil(PAGE_SIZE)).max(1);
    let page = query.page.clamp(1, page_count);
    let rows = q.page(db, PAGE_SIZE as i64, ((page - 1) * PAGE_SIZE) as i64).await?;
    let can_share = o.can_share(&c);
    let share_teams = if can_share {
        store::teams::list(db, &c.org.id, "", false).await?.into_iter().map(|t| Choice { id: t.id, label: t.name }).collect()
    } else {
        Vec::new()
    };
    let exports = docs::exports(&c);
    let webhooks = if exports.contains(&ExportFormat::Webhook) {
        crate::service::webhooks::list_for_export(db, &c).await?
    } else {
        Vec::new()
    };
    Ok(DocumentPage {
        id: o.doc.id.clone(),
        name: o.doc.name.clone(),
        dataset: o.dataset.name.clone(),
        owner: o.doc.owner_name(),
        location: location_label(o.doc.team_name.as_deref(), o.doc.folder.as_deref()),
        all_columns,
        saved,
        shown,
        rows,
        total,
        page,
        page_count,
        can_edit: o.can_edit(&c),
        can_share,
        can_explore: c.can(Permission::ExploreDocuments),
        exports,
        shared_with: store::documents::shares(db, &c.org.id, &o.doc.id).await?,
        share_teams,
        webhooks,
    })
}

/// Creates a document over a dataset, showing all its columns, in the
/// caller's documents or in the workspace of one of their teams.
#[server(endpoint = "create_document")]
pub async fn create_document(org: String, name: String, dataset_id: String, team_id: Option<String>) -> Result<String, AppError> {
    use self::ssr::*;
    let c = request::caller(&org).await?;
    c.require(Permission::CreateDocuments)?;
    let name = document_name(&name)?;
    let db = &request::state().db;
    let ds = store::datasets::get(db, &c.org.id, &dataset_id).await?.ok_or_else(|| AppError::invalid("dataset", "Choose a dataset."))?;
    let team_id = team_id.filter(|t| !t.is_empty());
    if let Some(t) = &team_id {
        if store::documents::member_of(db, &c.org.id, &c.user.id, std::slice::from_ref(t)).await?.is_empty() {
            return Err(AppError::forbidden("You can only put documents in the workspace of a team you belong to."));
        }
    }
    let view = TableView { columns: ds.columns().into_iter().map(|c| c.name).collect(), filters: vec![], sort: None };
    let mut tx = crate::store::begin(db).await?;
    let id = store::documents::insert(
        &mut *tx,
        store::documents::NewDocument { org_id: &c.org.id, name: &name, dataset_id: &ds.id, view: &view, owner_id: &c.user.id, team_id: team_id.as_deref() },
    )
    .await?;
    store::audit::record(&mut *tx, c.actor().event(audit::DOCUMENT_CREATED, &name, format!("dataset {}", ds.name))).await?;
    tx.commit().await?;
    Ok(id)
}

/// Saves a document's name and view (columns, filters, sort).
#[server(endpoint = "save_document", input = Json)]
pub async fn save_document(org: String, id: String, name: String, view: TableView) -> Result<(), AppError> {
    use self::ssr::*;
    let c = request::caller(&org).await?;
    c.require(Permission::CreateDocuments)?;
    let db = &request::state().db;
    let o = docs::open(db, &c, &id).await?;
    if !o.can_edit(&c) {
        return Err(AppError::forbidden("Only the owner, or members of the team whose workspace holds it, can change this document."));
    }
    let name = document_name(&name)?;
    view.check(&o.dataset.columns())?;
    let mut tx = crate::store::begin(db).await?;
    store::documents::update(&mut *tx, &c.org.id, &o.doc.id, &name, &view).await?;
    store::audit::record(&mut *tx, c.actor().event(audit::DOCUMENT_UPDATED, &name, format!("{} column(s), {} filter(s)", view.columns.len(), view.filters.len()))).await?;
    tx.commit().await?;
    Ok(())
}

/// Shares a document with a person (by email) or a team.
#[server(endpoint = "share_document")]
pub async fn share_document(org: String, id: String, email: Option<String>, team_id: Option<String>) -> Result<(), AppError> {
    use self::ssr::*;
    let c = request::caller(&org).await?;
    c.require(Permission::ShareDocuments)?;
    let db = &request::state().db;
    let o = docs::open(db, &c, &id).await?;
    if !o.can_share(&c) {
        return Err(AppError::forbidden("Only the owner, or members of the team whose workspace holds it, can share this document."));
    }
    let (kind, grantee, label) = match (email.filter(|e| !e.trim().is_empty()), team_id.filter(|t| !t.is_empty())) {
        (Some(e), None) => {
            let u = store::users::by_email(db, &c.org.id, &e).await?.filter(|u| u.status.is_active())
                .ok_or_else(|| AppError::invalid("email", format!("No active person has the email “{}” here.", e.trim())))?;
            ("user", u.id, u.email)
        }
        (None, Some(t)) => {
            let t = store::teams::get(db, &c.org.id, &t).await?.filter(|t| t.status.is_active()).ok_or_else(|| AppError::invalid("team", "Choose an active team."))?;
            ("team", t.id, format!("team {}", t.name))
        }
        _ => return Err(AppError::invalid("email", "Share with one person (their email) or one team.")),
    };
    let mut tx = crate::store::begin(db).await?;
    if store::documents::share(&mut tx, &c.org.id, &o.doc.id, kind, &grantee, &c.user.id).await? {
        store::audit::record(&mut *tx, c.actor().event(audit::DOCUMENT_SHARED, &o.doc.name, format!("with {label}"))).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Uploads a CSV file as a new dataset. A malformed file is refused with the
/// line that is wrong, and nothing is stored.
#[server(endpoint = "upload_csv")]
pub async fn upload_csv(org: String, name: String, csv: String) -> Result<String, AppError> {
    use self::ssr::*;
    use crate::domain::documents::{parse_number, ColumnKind};
    use crate::store::datasets::Cell;
    let c = request::caller(&org).await?;
    c.require(Permission::UploadCsv)?;
    let name = document_name(&name)?;
    let parsed = crate::domain::csv::parse(&csv).map_err(|m| AppError::invalid("csv", m))?;
    let rows: Vec<Vec<Cell>> = parsed
        .rows
        .into_iter()
        .map(|r| {
            r.into_iter()
                .zip(&parsed.columns)
                .map(|(v, col)| match col.kind {
                    ColumnKind::Text => Cell::Text(v),
                    ColumnKind::Number => Cell::Number(v.as_deref().and_then(parse_number)),
                })
                .collect()
        })
        .collect();
    let db = &request::state().db;
    let mut tx = crate::store::begin(db).await?;
    let id = store::datasets::insert(&mut tx, &c.org.id, &name, &parsed.columns, "csv", Some(&c.user.id)).await?;
    store::datasets::insert_rows(&mut tx, &id, &parsed.columns, 1, &rows).await?;
    store::audit::record(&mut *tx, c.actor().event(audit::DATASET_UPLOADED, &name, format!("{} rows, {} columns", rows.len(), parsed.columns.len()))).await?;
    tx.commit().await?;
    Ok(id)
}
