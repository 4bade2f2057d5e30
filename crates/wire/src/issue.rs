//! Issues (a pull request is one too).

use serde::{Deserialize, Serialize};

use crate::account::User;

/// `open` or `closed`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IssueState {
    /// Still open.
    #[default]
    Open,
    /// Closed, whether completed or not planned (or merged, for a pull request).
    Closed,
}

impl IssueState {
    /// GitHub's word: `open` or `closed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Closed => "closed",
        }
    }
}

impl std::fmt::Display for IssueState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The `pull_request` marker an issue carries when it is a pull request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuePullRef {
    /// API URL of the pull request.
    #[serde(default)]
    pub url: Option<String>,
}

/// An issue, or a pull request seen as an issue (REST `issue`; the `issue` of an
/// `issue_comment` event).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issue {
    /// The number (the pull request's number when it is one).
    pub number: u64,
    /// Open or closed.
    pub state: IssueState,
    /// The title; empty when left out.
    #[serde(default)]
    pub title: String,
    /// The Markdown body; `None` when GitHub sent `null` (an issue opened without one).
    #[serde(default)]
    pub body: Option<String>,
    /// The author; `None` when GitHub sent `null`.
    #[serde(default)]
    pub user: Option<User>,
    /// The issue's page on github.com; empty when absent.
    #[serde(default)]
    pub html_url: String,
    /// Present only when the issue is a pull request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pull_request: Option<IssuePullRef>,
}
