//! GitHub's payloads, modelled with only the fields infra-ci reads. Never
//! `deny_unknown_fields`: GitHub adds fields without notice.

use serde::{Deserialize, Serialize};

/// A GitHub account (user, bot or organization).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// The account name; an App's bot ends in `[bot]`, a deleted account is `ghost`.
    pub login: String,
    /// GitHub's numeric account id; 0 when the payload left it out.
    #[serde(default)]
    pub id: u64,
    /// `User`, `Bot` or `Organization`.
    #[serde(rename = "type", default)]
    pub kind: String,
}

/// An issue or pull-request comment (`issue-comment`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    /// The REST id, used to edit, delete or react to the comment.
    pub id: u64,
    /// The GraphQL id, needed to minimize the comment; empty when GitHub sent none.
    #[serde(default)]
    pub node_id: String,
    /// The Markdown body; `None` when GitHub sent `null` or left it out ([`Comment::body`]
    /// reads it as `""`).
    #[serde(default)]
    pub body: Option<String>,
    /// The author; `None` when GitHub sent `null`.
    pub user: Option<User>,
    /// The comment's page on github.com, for links; empty when absent.
    #[serde(default)]
    pub html_url: String,
    /// When it was created (ISO 8601 timestamp, as GitHub sends it); empty when absent.
    #[serde(default)]
    pub created_at: String,
    /// When it was last edited (ISO 8601 timestamp); empty when absent.
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
    /// The comments on this page, oldest first as GitHub lists them.
    pub comments: Vec<Comment>,
    /// The `last` page from the `Link` header; `None` when this is the only or last page.
    pub last_page: Option<u32>,
}

/// A reaction on a comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reaction {
    /// The REST id, used to delete the reaction.
    pub id: u64,
    /// The emoji name: `+1`, `-1`, `laugh`, `confused`, `heart`, `hooray`, `rocket` or `eyes`.
    pub content: String,
}

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

/// A commit status as returned by `POST statuses/{sha}` (`status` schema).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitStatus {
    /// GitHub's id for this status; each POST makes a new one, even for the same context.
    pub id: u64,
    /// `pending`, `success`, `failure` or `error` (see [`StatusState`]); a string, so a state
    /// GitHub adds later still parses.
    pub state: String,
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
    pub state: String,
    /// The full commit SHA the `ref` resolved to.
    pub sha: String,
    /// How many contexts the commit has, over all pages.
    pub total_count: u64,
    /// The latest status of each context on this page.
    pub statuses: Vec<CommitStatus>,
}

/// A pull request (fields read from both `pull-request` and `pull-request-simple`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullRequest {
    /// The pull request's number in its repository.
    pub number: u64,
    /// `open` or `closed` (a merged pull request is `closed` with `merged` true).
    pub state: String,
    /// Whether it was merged; `None` in list responses (`pull-request-simple`), which omit it.
    #[serde(default)]
    pub merged: Option<bool>,
    /// Whether GitHub can merge it cleanly; `None` while GitHub is still computing it, or in lists.
    #[serde(default)]
    pub mergeable: Option<bool>,
    /// Why it can or cannot merge (`clean`, `blocked`, `behind`, `dirty`, `unknown`, ...);
    /// `None` in lists.
    #[serde(default)]
    pub mergeable_state: Option<String>,
    /// Whether it is a draft; `None` when GitHub left the field out.
    #[serde(default)]
    pub draft: Option<bool>,
    /// The author; `None` when GitHub sent `null`.
    pub user: Option<User>,
    /// The branch and commit being merged.
    pub head: GitSide,
    /// The branch it merges into.
    pub base: GitSide,
    /// The pull request's page on github.com; empty when absent.
    #[serde(default)]
    pub html_url: String,
    /// The test merge commit while open, the merge commit once merged; `None` when there is none.
    #[serde(default)]
    pub merge_commit_sha: Option<String>,
}

/// `head` or `base` of a pull request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GitSide {
    /// The branch name, without `refs/heads/` (GitHub's `ref`).
    #[serde(rename = "ref")]
    pub git_ref: String,
    /// The commit the branch pointed at when GitHub built the response.
    pub sha: String,
    /// `None` when the fork was deleted.
    pub repo: Option<RepoRef>,
}

/// The few repository fields read from a PR side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepoRef {
    /// `owner/name`.
    pub full_name: String,
    /// Whether the repository is a fork; false when absent.
    #[serde(default)]
    pub fork: bool,
}

/// A pull request review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    /// GitHub's id for the review.
    pub id: u64,
    /// The reviewer; `None` when GitHub sent `null`.
    pub user: Option<User>,
    /// `APPROVED`, `CHANGES_REQUESTED`, `COMMENTED`, `DISMISSED`, `PENDING`.
    pub state: String,
    /// The commit the review was made on, to tell an approval of the head from an older one;
    /// `None` when absent.
    #[serde(default)]
    pub commit_id: Option<String>,
    /// The reviewer's relationship to the repository (`OWNER`, `COLLABORATOR`, `NONE`, ...).
    #[serde(default)]
    pub author_association: Option<String>,
}

/// An issue (the drift issue).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issue {
    /// The issue's number in its repository.
    pub number: u64,
    /// `open` or `closed` (see [`IssueState`]).
    pub state: String,
    /// The issue's title.
    pub title: String,
    /// The Markdown body; `None` when GitHub sent `null` (an issue opened without one).
    #[serde(default)]
    pub body: Option<String>,
    /// The author; `None` when GitHub sent `null`.
    pub user: Option<User>,
    /// The issue's page on github.com; empty when absent.
    #[serde(default)]
    pub html_url: String,
}

/// `open` or `closed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IssueState {
    /// Still open.
    Open,
    /// Closed, whether completed or not planned.
    Closed,
}

/// A git reference (`git-ref`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GitRef {
    /// The full name, e.g. `refs/heads/main` (GitHub's `ref`).
    #[serde(rename = "ref")]
    pub full_ref: String,
    /// What the ref points at.
    pub object: GitObject,
}

/// The object a ref points at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GitObject {
    /// The object's SHA.
    pub sha: String,
    /// `commit`, or `tag` for an annotated tag; empty when absent (GitHub's `type`).
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
    /// How `content` is encoded: `base64` for a file; empty when absent (a directory).
    #[serde(default)]
    pub encoding: String,
    /// The encoded file body, with line breaks GitHub inserts; empty when absent.
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
