//! Administration > Teams and a team's page.
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TeamSummary {
    pub id: String,
    pub name: String,
    pub description: String,
    pub member_count: i64,
    pub status: crate::domain::Status,
    pub origin: crate::domain::Origin,
    #[serde(default)]
    pub visibility: crate::domain::Visibility,
    /// The caller is one of this team's team admins.
    #[serde(default)]
    pub you_administer: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TeamMember {
    pub user_id: String,
    pub name: String,
    pub email: String,
    pub account_type: String,
    pub status: crate::domain::Status,
    /// Invited and not yet signed in: shown "Invited", as on Users.
    pub invite_pending: bool,
    /// Managed by the identity provider: a team admin cannot add or remove them.
    #[serde(default)]
    pub managed_by_idp: bool,
    /// One of the team's team admins.
    #[serde(default)]
    pub team_admin: bool,
}

/// What the caller may do with a team: the page draws only these controls,
/// and the server refuses the rest whoever asks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamPowers {
    /// Rename it and change its description.
    pub edit: bool,
    /// Add and remove members (a team admin: only people Gatehouse manages).
    pub members: bool,
    pub deactivate: bool,
    pub reactivate: bool,
    /// Make members team admins, and take it back (administrators only).
    pub team_admins: bool,
    /// Make it public or private (administrators only).
    pub visibility: bool,
    /// Open a member's page in Users (administrators only).
    pub open_people: bool,
    /// Add or remove people the identity provider manages (administrators only).
    pub managed_people: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TeamDetail {
    pub team: TeamSummary,
    pub members: Vec<TeamMember>,
    /// Managed by the IdP while provisioning is off: an admin may release it.
    pub can_release: bool,
    #[serde(default)]
    pub may: TeamPowers,
}
