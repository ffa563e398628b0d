//! Documents: who may do what with one, checked on the server for pages,
//! server functions and export downloads alike; the landing page and a
//! document's table; creating, saving, sharing, uploading a CSV; and moving
//! documents to a new owner.
use super::access::Caller;
use super::{Actor, Error, Result};
use crate::domain::attributes::RowRuleView;
use crate::domain::audit::{self, detail::Changes};
use crate::domain::document_views::{DatasetChoice, DocumentFolder, DocumentPage, DocumentQuery, DocumentSummary, DocumentsHome};
use crate::domain::documents::{location_label, ExportFormat, TableView};
use crate::domain::views::Choice;
use crate::domain::{words::plural, Permission};
use crate::service::store::{
    self,
    datasets::{DatasetRow, RowQuery, RowScope},
    documents::{Access, DocumentRow},
    Conn, Db,
};

/// Rows a document's page shows at a time.
pub const PAGE_SIZE: u32 = 50;

/// A document as one reader opened it. Its rows are read only through
/// `rows`, which applies the reader's row scope (the dataset's row rule and
/// their attribute value): the table, its filters and sort, every export.
pub struct Opened {
    pub doc: DocumentRow,
    pub dataset: DatasetRow,
    pub access: Access,
    scope: RowScope,
    /// The dataset's row rule, as the page shows it.
    pub rule: Option<RowRuleView>,
}

impl Opened {
    /// The rows of `view` this reader may see. `view` must have passed `TableView::check`.
    pub fn rows(&self, view: &TableView) -> RowQuery {
        RowQuery::new(&self.dataset.id, &self.dataset.columns(), view, &self.scope)
    }
    /// Editing and publishing: `create_documents`, and the document is theirs or in their team's workspace.
    pub fn can_edit(&self, c: &Caller) -> bool {
        c.can(Permission::CreateDocuments) && matches!(self.access, Access::Owner | Access::Team)
    }
    pub fn can_share(&self, c: &Caller) -> bool {
        c.can(Permission::ShareDocuments) && matches!(self.access, Access::Owner | Access::Team)
    }
}

fn not_found() -> Error {
    Error::not_found("This document does not exist, or it is not shared with you. Ask its owner to share it.")
}

/// The document `id` as `c` may see it: `view_documents` (403) and access as
/// owner, team member or through a share (404 otherwise, so ids reveal nothing).
pub async fn open(db: &Db, c: &Caller, id: &str) -> Result<Opened> {
    c.require(Permission::ViewDocuments)?;
    let doc = store::documents::get(db, &c.org.id, id).await?.ok_or_else(not_found)?;
    let access = store::documents::access(db, &c.org.id, &c.user.id, &doc).await?.ok_or_else(not_found)?;
    let dataset = store::datasets::get(db, &c.org.id, &doc.dataset_id).await?.ok_or_else(Error::internal)?;
    let (scope, rule) = super::attributes::scope(db, c, &dataset).await?;
    Ok(Opened { doc, dataset, access, scope, rule })
}

/// The export formats `c` may use, in menu order.
pub fn exports(c: &Caller) -> Vec<ExportFormat> {
    ExportFormat::ALL.into_iter().filter(|f| c.can(f.permission())).collect()
}

/// Refuses an export the caller's account type does not allow (403), and writes the refusal to the audit log.
pub async fn require_export(db: &Db, c: &Caller, format: ExportFormat, document: &str) -> Result<()> {
    if let Err(e) = c.require(format.permission()) {
        store::audit::record_now(
            db,
            c.actor().event(audit::ACCESS_DENIED, document, format!("export {}: account type {} lacks “{}”", format.key(), c.user.account_type_name, format.permission().label())),
        )
        .await?;
        return Err(e);
    }
    Ok(())
}

/// The archived-user folder name for a person.
pub fn folder_name(first: &str, last: &str, email: &str) -> String {
    let n = format!("{first} {last}").trim().to_string();
    if n.is_empty() {
        email.to_string()
    } else {
        n
    }
}

/// Moves a deactivated person's documents to `to_id` and writes what moved to
/// the audit log (the detail ends with `detail`). Part of the deactivation's
/// transaction. `from` is (id, first name, last name, email).
pub async fn transfer_user(tx: &mut Conn, actor: &Actor, from: (&str, &str, &str, &str), to_id: &str, detail: &str) -> Result<()> {
    let folder = folder_name(from.1, from.2, from.3);
    let moved = store::documents::transfer_from_user(tx, &actor.org_id, from.0, &folder, to_id).await?;
    if !moved.is_empty() {
        let event = actor.event(audit::DOCUMENTS_TRANSFERRED, from.3, format!("{} → {detail}", store::documents::moved_detail(&moved)));
        store::audit::record(&mut *tx, event).await?;
    }
    Ok(())
}

/// Moves a deleted team's workspace documents to `to_id`.
pub async fn transfer_team(tx: &mut Conn, actor: &Actor, team_id: &str, team_name: &str, to_id: &str, detail: &str) -> Result<()> {
    let moved = store::documents::transfer_from_team(tx, &actor.org_id, team_id, &format!("{team_name} (team)"), to_id).await?;
    if !moved.is_empty() {
        let event = actor.event(audit::DOCUMENTS_TRANSFERRED, team_name, format!("{} → {detail}", store::documents::moved_detail(&moved)));
        store::audit::record(&mut *tx, event).await?;
    }
    Ok(())
}

fn summary(d: &DocumentRow) -> DocumentSummary {
    DocumentSummary { id: d.id.clone(), name: d.name.clone(), dataset: d.dataset_name.clone(), owner: d.owner_name(), updated_at: d.updated_at.clone() }
}

fn document_name(raw: &str) -> Result<String> {
    let n = raw.trim();
    if n.is_empty() {
        return Err(Error::invalid("name", "Give the document a name."));
    }
    if n.chars().count() > 200 || n.chars().any(char::is_control) {
        return Err(Error::invalid("name", "A document name is at most 200 characters, on one line."));
    }
    Ok(n.to_string())
}

/// The active teams `c` belongs to, by name.
async fn my_teams(db: &Db, c: &Caller) -> Result<Vec<Choice>> {
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

/// The landing page: My documents (with archived folders), team workspaces, shared with me.
pub async fn home(db: &Db, c: &Caller) -> Result<DocumentsHome> {
    c.require(Permission::ViewDocuments)?;
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
    let my_teams = my_teams(db, c).await?;
    let in_teams = store::documents::in_my_teams(db, &c.org.id, &c.user.id).await?;
    let teams = my_teams.iter().map(|t| DocumentFolder { name: t.label.clone(), documents: in_teams.iter().filter(|d| d.team_id.as_deref() == Some(&t.id)).map(summary).collect() }).collect();
    let shared = store::documents::shared_with(db, &c.org.id, &c.user.id).await?.iter().filter(|d| !in_teams.iter().any(|t| t.id == d.id)).map(summary).collect();
    let can_create = c.can(Permission::CreateDocuments);
    let datasets = if can_create {
        store::datasets::list(db, &c.org.id).await?.into_iter().map(|d| DatasetChoice { columns: d.columns(), id: d.id, name: d.name, row_count: d.row_count }).collect()
    } else {
        Vec::new()
    };
    Ok(DocumentsHome { mine, archived, teams, shared, can_create, can_upload: c.can(Permission::UploadCsv), datasets, my_teams })
}

/// One document: its table paged on the server, with what the caller may do.
/// Exploring (own filters and sort) needs `explore_documents`.
pub async fn page(db: &Db, c: &Caller, id: &str, query: DocumentQuery) -> Result<DocumentPage> {
    let o = open(db, c, id).await?;
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
    let q = o.rows(&shown);
    let total = q.count(db).await?;
    let page_count = ((total as u32).div_ceil(PAGE_SIZE)).max(1);
    let page = query.page.clamp(1, page_count);
    let rows = q.page(db, PAGE_SIZE as i64, ((page - 1) * PAGE_SIZE) as i64).await?;
    let can_share = o.can_share(c);
    // The teams the person may see (a private team is not offered to people outside it).
    let share_teams = if can_share { super::teams::list(db, c, "", false).await?.into_iter().map(|t| Choice { id: t.id, label: t.name }).collect() } else { Vec::new() };
    let exports = exports(c);
    let webhooks = if exports.contains(&ExportFormat::Webhook) { super::webhooks::list_for_export(db, c).await? } else { Vec::new() };
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
        can_edit: o.can_edit(c),
        can_share,
        can_explore: c.can(Permission::ExploreDocuments),
        exports,
        shared_with: store::documents::shares(db, &c.org.id, &o.doc.id).await?,
        share_teams,
        webhooks,
        can_copy: c.can(Permission::CreateDocuments),
        can_set_rule: c.is_admin(),
        rule_attributes: if c.is_admin() { super::attributes::choices(db, c).await? } else { Vec::new() },
        rule: o.rule.clone(),
    })
}

/// Creates a document over a dataset, showing all its columns, in the
/// caller's documents or in the workspace of a team they belong to.
pub async fn create(db: &Db, c: &Caller, name: &str, dataset_id: &str, team_id: Option<&str>) -> Result<String> {
    c.require(Permission::CreateDocuments)?;
    let name = document_name(name)?;
    let ds = store::datasets::get(db, &c.org.id, dataset_id).await?.ok_or_else(|| Error::invalid("dataset", "Choose a dataset."))?;
    let team_id = team_id.filter(|t| !t.is_empty());
    let view = TableView { columns: ds.columns().into_iter().map(|c| c.name).collect(), filters: vec![], sort: None };
    let mut tx = super::begin(db).await?;
    if let Some(t) = team_id {
        // Checked in the transaction that writes: a membership removed meanwhile counts.
        if store::documents::member_of(&mut tx, &c.org.id, &c.user.id, &[t.to_string()]).await?.is_empty() {
            return Err(Error::forbidden("You can only put documents in the workspace of a team you belong to."));
        }
    }
    let id = store::documents::insert(&mut *tx, store::documents::NewDocument { org_id: &c.org.id, name: &name, dataset_id: &ds.id, view: &view, owner_id: &c.user.id, team_id }).await?;
    store::audit::record(&mut tx, c.actor().event(audit::DOCUMENT_CREATED, &name, format!("dataset {}", ds.name))).await?;
    tx.commit().await?;
    Ok(id)
}

/// Saves a document's name and view (columns, filters, sort).
pub async fn save(db: &Db, c: &Caller, id: &str, name: &str, view: TableView) -> Result<()> {
    c.require(Permission::CreateDocuments)?;
    let o = open(db, c, id).await?;
    if !o.can_edit(c) {
        return Err(Error::forbidden("Only the owner, or members of the team whose workspace holds it, can change this document."));
    }
    let name = document_name(name)?;
    view.check(&o.dataset.columns())?;
    let changes = Changes::new().name(&o.doc.name, &name).view(&o.doc.view(), &view);
    // A save that changes nothing writes nothing, and is not in the audit log.
    if changes.is_empty() {
        return Ok(());
    }
    let mut tx = super::begin(db).await?;
    store::documents::update(&mut *tx, &c.org.id, &o.doc.id, &name, &view).await?;
    store::audit::record(&mut tx, c.actor().event(audit::DOCUMENT_UPDATED, &name, changes.detail())).await?;
    tx.commit().await?;
    Ok(())
}

/// Shares a document with a person (by email) or a team.
pub async fn share(db: &Db, c: &Caller, id: &str, email: Option<&str>, team_id: Option<&str>) -> Result<()> {
    c.require(Permission::ShareDocuments)?;
    let o = open(db, c, id).await?;
    if !o.can_share(c) {
        return Err(Error::forbidden("Only the owner, or members of the team whose workspace holds it, can share this document."));
    }
    let mut tx = super::begin(db).await?;
    let (kind, grantee, label) = match (email.filter(|e| !e.trim().is_empty()), team_id.filter(|t| !t.is_empty())) {
        (Some(e), None) => {
            let u = store::users::by_email(&mut *tx, &c.org.id, e)
                .await?
                .filter(|u| u.status.is_active())
                .ok_or_else(|| Error::invalid("email", format!("No active person has the email “{}” here.", e.trim())))?;
            ("user", u.id, u.email)
        }
        (None, Some(t)) => {
            let choose = || Error::invalid("team", "Choose an active team.");
            let t = store::teams::get(&mut *tx, &c.org.id, t).await?.filter(|t| t.status.is_active()).ok_or_else(choose)?;
            // A private team is as unknown to people outside it as a team that does not exist.
            if t.visibility.is_private() && !c.is_admin() && store::teams::membership(&mut *tx, &c.org.id, &t.id, &c.user.id).await?.is_none() {
                return Err(choose());
            }
            ("team", t.id, format!("team {}", t.name))
        }
        _ => return Err(Error::invalid("email", "Share with one person (their email) or one team.")),
    };
    if store::documents::share(&mut tx, &c.org.id, &o.doc.id, kind, &grantee, &c.user.id).await? {
        store::audit::record(&mut tx, c.actor().event(audit::DOCUMENT_SHARED, &o.doc.name, format!("with {label}"))).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Uploads a CSV file as a new dataset. A malformed file is refused with the
/// line that is wrong, and nothing is stored.
pub async fn upload_csv(db: &Db, c: &Caller, name: &str, csv: &str) -> Result<String> {
    use crate::domain::documents::{parse_number, ColumnKind};
    use store::datasets::Cell;
    c.require(Permission::UploadCsv)?;
    let name = document_name(name)?;
    let parsed = crate::domain::csv::parse(csv).map_err(|m| Error::invalid("csv", m))?;
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
    let mut tx = super::begin(db).await?;
    let id = store::datasets::insert(&mut tx, &c.org.id, &name, &parsed.columns, "csv", Some(&c.user.id)).await?;
    store::datasets::insert_rows(&mut tx, &id, &parsed.columns, 1, &rows).await?;
    let detail = format!("{}, {}", plural(rows.len() as i64, "row", "rows"), plural(parsed.columns.len() as i64, "column", "columns"));
    store::audit::record(&mut tx, c.actor().event(audit::DATASET_UPLOADED, &name, detail)).await?;
    tx.commit().await?;
    Ok(id)
}

/// Copies a document the caller can open into their own documents: same
/// dataset and view. The dataset's row rule binds the copy as it binds every
/// document over the dataset.
pub async fn copy(db: &Db, c: &Caller, id: &str, name: &str) -> Result<String> {
    c.require(Permission::CreateDocuments)?;
    let o = open(db, c, id).await?;
    let name = document_name(name)?;
    let view = o.doc.view();
    let mut tx = super::begin(db).await?;
    let id = store::documents::insert(&mut *tx, store::documents::NewDocument { org_id: &c.org.id, name: &name, dataset_id: &o.dataset.id, view: &view, owner_id: &c.user.id, team_id: None }).await?;
    store::audit::record(&mut tx, c.actor().event(audit::DOCUMENT_CREATED, &name, format!("dataset {}", o.dataset.name))).await?;
    tx.commit().await?;
    Ok(id)
}
