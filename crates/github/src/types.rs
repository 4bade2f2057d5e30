//! GitHub's payloads, modelled with only the fields infra-ci reads. Never
//! `deny_unknown_fields`: GitHub adds fields without notice.

use serde::{Deserialize, Serialize};

/// A GitHub account (user, bot or organization).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub login: String,
    #[serde(default)]
    pub id: u64,
    /// `User`, `Bot` or `Organization`.
    #[serde(rename = "type", default)]
    pub kind: String,
}

/// An issue or pull-request comment (`issue-comment`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    pub id: u64,
    #[serde(default)]
    pub node_id: String,
    #[serde(default)]
    pub body: Option<String>,
    pub user: Option<User>,
    #[serde(default)]
    pub html_url: String,
    #[serde(default)]
    pub created_at: String,
    #[serde(default)]
    pub updated_at: String,
    /// `…/repos/{o}/{r}/issues/{n}`: the issue or pull request the comment is on.
    #[serde(default)]
    pub issue_url: String,
}

impl Comment {
    /// The author's login, or `""` for a deleted ("ghost") account.
    pub fn author(&self) -> &str {
        self.user.as_ref().map_or("", |u| u.login.as_str())
    }
    /// The body, or `""` when GitHub sent none.
    pub fn body(&self) -> &str {
        self.body.as_deref().unwrap_or("")
    }
    /// The number of the issue or pull request the comment is on, read from `issue_url`.
    pub fn issue_number(&self) -> Option<u64> {
        self.issue_url.rsplit_once("/issues/")?.1.parse().ok()
    }
}

impl User {
    /// A bot account: GitHub's `type` says `Bot`, or the login is an App's `<slug>[bot]`.
    pub fn is_bot(&self) -> bool {
        self.kind.eq_ignore_ascii_case("bot") || self.login.ends_with("[bot]")
    }
}

/// One page of comments and where the list ends.
#[derive(Debug, Clone, Default)]
pub struct CommentPage {
    pub comments: Vec<Comment>,
    /// The `last` page from the `Link` header; `None` when this is the only or last page.
    pub last_page: Option<u32>,
}

/// A reaction on a comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reaction {
    pub id: u64,
    pub content: String,
}

/// The state of a commit status, as GitHub's API names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StatusState {
    Pending,
    Success,
    Failure,
    Error,
}

impl StatusState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Success => "success",
            Self::Failure => "failure",
            Self::Error => "error",
        }
    }
}

/// A commit status as returned by `POST statuses/{sha}` (`status` schema).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitStatus {
    pub id: u64,
    pub state: String,
    pub context: String,
    pub description: Option<String>,
    pub target_url: Option<String>,
    #[serde(default)]
    pub created_at: String,
    #[serde(default)]
    pub updated_at: String,
    /// Who created it; on a POST this is the token's own identity.
    pub creator: Option<User>,
}

/// `GET commits/{ref}/status` (`combined-commit-status`); `statuses` holds the latest per context.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CombinedStatus {
    pub state: String,
    pub sha: String,
    pub total_count: u64,
    pub statuses: Vec<CommitStatus>,
}

/// A pull request (fields read from both `pull-request` and `pull-request-simple`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullRequest {
    pub number: u64,
    pub state: String,
    #[serde(default)]
    pub merged: Option<bool>,
    #[serde(default)]
    pub mergeable: Option<bool>,
    #[serde(default)]
    pub mergeable_state: Option<String>,
    #[serde(default)]
    pub draft: Option<bool>,
    pub user: Option<User>,
    pub head: GitSide,
    pub base: GitSide,
    #[serde(default)]
    pub html_url: String,
    #[serde(default)]
    pub merge_commit_sha: Option<String>,
}

/// `head` or `base` of a pull request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GitSide {
    #[serde(rename = "ref")]
    pub git_ref: String,
    pub sha: String,
    /// `None` when the fork was deleted.
    pub repo: Option<RepoRef>,
}

/// The few repository fields read from a PR side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepoRef {
    pub full_name: String,
    #[serde(default)]
    pub fork: bool,
}

/// A pull request review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    pub id: u64,
    pub user: Option<User>,
    /// `APPROVED`, `CHANGES_REQUESTED`, `COMMENTED`, `DISMISSED`, `PENDING`.
    pub state: String,
    #[serde(default)]
    pub commit_id: Option<String>,
    /// The reviewer's relationship to the repository (`OWNER`, `COLLABORATOR`, `NONE`, ...).
    #[serde(default)]
    pub author_association: Option<String>,
}

/// An issue (the drift issue).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issue {
    pub number: u64,
    pub state: String,
    pub title: String,
    #[serde(default)]
    pub body: Option<String>,
    pub user: Option<User>,
    #[serde(default)]
    pub html_url: String,
}

/// `open` or `closed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IssueState {
    Open,
    Closed,
}

/// A git reference (`git-ref`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GitRef {
    #[serde(rename = "ref")]
    pub full_ref: String,
    pub object: GitObject,
}

/// The object a ref points at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GitObject {
    pub sha: String,
    #[serde(rename = "type", default)]
    pub kind: String,
}

/// `GET orgs/{org}/teams/{team_slug}/memberships/{username}` (`team-membership`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamMembership {
    /// `member` or `maintainer` (organization owners show as `maintainer`).
    #[serde(default)]
    pub role: String,
    /// `active`, or `pending` while an invitation is not accepted yet.
    pub state: String,
}

/// How `head` relates to `base` (`GET compare/{base}...{head}`, `commit-comparison`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comparison {
    /// `identical`, `ahead`, `behind` or `diverged`.
    pub status: String,
    /// Commits of `head` that `base` lacks.
    pub ahead_by: u64,
    /// Commits of `base` that `head` lacks: 0 means `head` contains `base`.
    pub behind_by: u64,
}

/// `GET contents/{path}` for a file (`content-file`): base64 text, wrapped at 60 columns.
#[derive(Debug, Clone, Deserialize)]
pub struct FileContents {
    /// `file`, `dir`, `symlink` or `submodule`.
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub encoding: String,
    #[serde(default)]
    pub content: String,
}

impl FileContents {
    /// The file's UTF-8 text. A directory, a symlink or an undecodable body is an error
    /// (a configuration must be a regular file; a symlink is never followed).
    pub fn text(&self, what: &str) -> Result<String, crate::ForgeError> {
        use base64::Engine as _;
        let bad = |message: String| crate::ForgeError::Decode {
            what: what.to_owned(),
            message,
        };
        if self.kind != "file" {
            return Err(bad(format!("it is a {}, not a file", self.kind)));
        }
        if self.encoding != "base64" {
            return Err(bad(format!("unexpected encoding {:?}", self.encoding)));
        }
        let compact: String = self.content.split_ascii_whitespace().collect();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(compact)
            .map_err(|e| bad(format!("not base64: {e}")))?;
        String::from_utf8(bytes).map_err(|_| bad("not UTF-8 text".to_owned()))
    }
}
