//! The permission catalog an account type chooses from (docs/architecture.md, "Account types").
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    ViewDocuments,
    ExploreDocuments,
    CreateDocuments,
    UploadCsv,
    ShareDocuments,
    DownloadData,
    ExportPdfPng,
    ExportEmail,
    ExportSlack,
    ExportCloud,
    ExportWebhook,
    ScheduleExports,
    Administer,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PermissionGroup {
    Content,
    Sharing,
    Exports,
    Administration,
}

impl PermissionGroup {
    pub fn label(self) -> &'static str {
        match self {
            PermissionGroup::Content => "Content",
            PermissionGroup::Sharing => "Sharing",
            PermissionGroup::Exports => "Exports",
            PermissionGroup::Administration => "Administration",
        }
    }
}

impl Permission {
    pub const ALL: [Permission; 13] = [
        Permission::ViewDocuments,
        Permission::ExploreDocuments,
        Permission::CreateDocuments,
        Permission::UploadCsv,
        Permission::ShareDocuments,
        Permission::DownloadData,
        Permission::ExportPdfPng,
        Permission::ExportEmail,
        Permission::ExportSlack,
        Permission::ExportCloud,
        Permission::ExportWebhook,
        Permission::ScheduleExports,
        Permission::Administer,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Permission::ViewDocuments => "view_documents",
            Permission::ExploreDocuments => "explore_documents",
            Permission::CreateDocuments => "create_documents",
            Permission::UploadCsv => "upload_csv",
            Permission::ShareDocuments => "share_documents",
            Permission::DownloadData => "download_data",
            Permission::ExportPdfPng => "export_pdf_png",
            Permission::ExportEmail => "export_email",
            Permission::ExportSlack => "export_slack",
            Permission::ExportCloud => "export_cloud",
            Permission::ExportWebhook => "export_webhook",
            Permission::ScheduleExports => "schedule_exports",
            Permission::Administer => "administer",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Permission::ViewDocuments => "View documents",
            Permission::ExploreDocuments => "Explore documents (filter, sort, pivot)",
            Permission::CreateDocuments => "Create, edit and publish documents",
            Permission::UploadCsv => "Upload CSV",
            Permission::ShareDocuments => "Share documents",
            Permission::DownloadData => "Download data (CSV, Excel)",
            Permission::ExportPdfPng => "Export to PDF and PNG",
            Permission::ExportEmail => "Export by email",
            Permission::ExportSlack => "Export to Slack",
            Permission::ExportCloud => "Export to cloud storage",
            Permission::ExportWebhook => "Export to webhook",
            Permission::ScheduleExports => "Schedule exports and alerts",
            Permission::Administer => "Administer the organization",
        }
    }

    /// Whether Gatehouse has the feature this permission controls. The
    /// others are kept on account types (Sigma has them, and an organization
    /// may want them set before they exist) but allow nothing yet; the
    /// editor says so.
    pub fn has_feature(self) -> bool {
        !matches!(self, Permission::ExportEmail | Permission::ExportSlack | Permission::ExportCloud | Permission::ScheduleExports)
    }

    pub fn group(self) -> PermissionGroup {
        use Permission::*;
        match self {
            ViewDocuments | ExploreDocuments | CreateDocuments | UploadCsv => PermissionGroup::Content,
            ShareDocuments => PermissionGroup::Sharing,
            DownloadData | ExportPdfPng | ExportEmail | ExportSlack | ExportCloud | ExportWebhook | ScheduleExports => PermissionGroup::Exports,
            Administer => PermissionGroup::Administration,
        }
    }

    pub fn from_key(key: &str) -> Option<Permission> {
        Permission::ALL.into_iter().find(|p| p.key() == key)
    }
}

/// What an account type allows.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermissionSet(BTreeSet<Permission>);

impl PermissionSet {
    pub fn all() -> Self {
        PermissionSet(Permission::ALL.into_iter().collect())
    }
    pub fn viewer() -> Self {
        use Permission::*;
        PermissionSet([ViewDocuments, ExploreDocuments, DownloadData, ExportPdfPng].into_iter().collect())
    }
    pub fn creator() -> Self {
        PermissionSet(Permission::ALL.into_iter().filter(|p| *p != Permission::Administer).collect())
    }
    pub fn contains(&self, p: Permission) -> bool {
        self.0.contains(&p)
    }
    /// Whether holders administer the organization. The store keeps this as
    /// `account_types.administers` beside the list, so the database can count
    /// administrators without reading the list.
    pub fn administers(&self) -> bool {
        self.contains(Permission::Administer)
    }
    pub fn iter(&self) -> impl Iterator<Item = Permission> + '_ {
        self.0.iter().copied()
    }
    /// The stored form: a JSON array of keys.
    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.0.iter().map(|p| p.key()).collect::<Vec<_>>()).expect("keys serialize")
    }
    /// Reads the stored form; keys this version does not know are dropped.
    pub fn from_json(s: &str) -> Self {
        let keys: Vec<String> = serde_json::from_str(s).unwrap_or_default();
        PermissionSet(keys.iter().filter_map(|k| Permission::from_key(k)).collect())
    }
}

impl FromIterator<Permission> for PermissionSet {
    fn from_iter<T: IntoIterator<Item = Permission>>(iter: T) -> Self {
        PermissionSet(iter.into_iter().collect())
    }
}

/// The account types every organization has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BuiltIn {
    Viewer,
    Creator,
    Admin,
}

impl BuiltIn {
    pub const ALL: [BuiltIn; 3] = [BuiltIn::Viewer, BuiltIn::Creator, BuiltIn::Admin];

    pub fn key(self) -> &'static str {
        match self {
            BuiltIn::Viewer => "viewer",
            BuiltIn::Creator => "creator",
            BuiltIn::Admin => "admin",
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            BuiltIn::Viewer => "Viewer",
            BuiltIn::Creator => "Creator",
            BuiltIn::Admin => "Admin",
        }
    }
    pub fn description(self) -> &'static str {
        match self {
            BuiltIn::Viewer => "Views and explores documents, downloads data and exports PDF or PNG.",
            BuiltIn::Creator => "Creates, edits, shares and exports documents.",
            BuiltIn::Admin => "Every permission, including administering the organization.",
        }
    }
    pub fn from_key(key: &str) -> Option<BuiltIn> {
        BuiltIn::ALL.into_iter().find(|b| b.key() == key)
    }
    pub fn default_permissions(self) -> PermissionSet {
        match self {
            BuiltIn::Viewer => PermissionSet::viewer(),
            BuiltIn::Creator => PermissionSet::creator(),
            BuiltIn::Admin => PermissionSet::all(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_round_trips() {
        for p in Permission::ALL {
            assert_eq!(Permission::from_key(p.key()), Some(p));
        }
        let s = PermissionSet::creator();
        assert_eq!(PermissionSet::from_json(&s.to_json()), s);
        assert!(!s.contains(Permission::Administer));
        assert!(PermissionSet::viewer().contains(Permission::DownloadData));
        assert!(!PermissionSet::viewer().contains(Permission::ExportEmail));
        assert_eq!(PermissionSet::from_json(r#"["administer","no_such_key"]"#).iter().count(), 1);
    }
}
