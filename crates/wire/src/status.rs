//! Commit statuses.

use serde::{Deserialize, Serialize};

use crate::account::User;
use crate::sha::Sha;

/// The state of a commit status, as GitHub's API names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StatusState {
    /// Not finished yet (queued or running).
    Pending,
    /// Finished and passed.
    Success,
    /// Finished and failed (the checked thing is wrong).
    Failure,
    /// Could not finish (the check itself broke).
    Error,
}

impl StatusState {
    /// The lowercase name GitHub's API uses (`pending`, `success`, `failure`, `error`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Success => "success",
            Self::Failure => "failure",
            Self::Error => "error",
        }
    }
}

impl std::str::FromStr for StatusState {
    type Err = String;
    /// GitHub's word (`success`), in any case.
    fn from_str(word: &str) -> Result<Self, String> {
        match word.to_ascii_lowercase().as_str() {
            "pending" => Ok(Self::Pending),
            "success" => Ok(Self::Success),
            "failure" => Ok(Self::Failure),
            "error" => Ok(Self::Error),
            _ => Err(format!("{word:?} is not a commit status state")),
        }
    }
}

impl std::fmt::Display for StatusState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A commit status as returned by `POST statuses/{sha}` (`status` schema).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitStatus {
    /// GitHub's id for this status; each POST makes a new one, even for the same context.
    pub id: u64,
    /// `pending`, `success`, `failure` or `error`: the four GitHub documents for statuses.
    pub state: StatusState,
    /// The status's name on the commit (e.g. `infra-dashboard/plan`); the latest per context wins.
    pub context: String,
    /// The short text shown beside the status (at most 140 characters); `None` when unset.
    pub description: Option<String>,
    /// The link behind the status's "Details"; `None` when unset.
    pub target_url: Option<String>,
    /// When it was created (ISO 8601 timestamp); empty when absent.
    #[serde(default)]
    pub created_at: String,
    /// When it was last updated (ISO 8601 timestamp); empty when absent.
    #[serde(default)]
    pub updated_at: String,
    /// Who created it; on a POST this is the token's own identity.
    pub creator: Option<User>,
}

/// `GET commits/{ref}/status` (`combined-commit-status`); `statuses` holds the latest per context.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CombinedStatus {
    /// The commit's overall state: `failure` if any context failed or errored, `pending` if any is
    /// pending or there are none, else `success`.
    pub state: StatusState,
    /// The full commit SHA the `ref` resolved to.
    pub sha: Sha,
    /// How many contexts the commit has, over all pages.
    pub total_count: u64,
    /// The latest status of each context on this page.
    pub statuses: Vec<CommitStatus>,
}
