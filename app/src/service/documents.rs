//! Who may do what with a document, checked on the server for pages, server
//! functions and export downloads alike; and moving documents to a new owner.
use super::access::Caller;
use super::{Actor, Error, Result};
use crate::domain::documents::ExportFormat;
use crate::domain::{audit, Permission};
use crate::store::{self, datasets::DatasetRow, documents::{Access, DocumentRow}, Conn, Db};

pub struct Opened {
    pub doc: DocumentRow,
    pub dataset: DatasetRow,
    pub access: Access,
}

impl Opened {
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
    Ok(Opened { doc, dataset, access })
}

/// The export formats `c` may use, in menu order.
pub fn exports(c: &Caller) -> Vec<ExportFormat> {
    ExportFormat::ALL.into_iter().filter(|f| c.can(f.permission())).collect()
}

/// Refuses an export the caller's account type does not allow (403), and writes the refusal to the audit log.
pub async fn require_export(db: &Db, c: &Caller, format: ExportFormat, document: &str) -> Result<()> {
    if let Err(e) = c.require(format.permission()) {
        store::audit::record_now(db, c.actor().event(audit::ACCESS_DENIED, document, format!("export {}: account type {} lacks “{}”", format.key(), c.user.account_type_name, format.permission().label()))).await?;
        return Err(e);
    }
    Ok(())
}

/// The archived-user folder name for a person.
pub fn folder_name(first: &str, last: &str, email: &str) -> String {
    let n = format!("{first} {last}").trim().to_string();
    if n.is_empty() { email.to_string() } else { n }
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
