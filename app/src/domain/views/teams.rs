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
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TeamDetail {
    pub team: TeamSummary,
    pub members: Vec<TeamMember>,
    /// Managed by the IdP while provisioning is off: an admin may release it.
    pub can_release: bool,
}
