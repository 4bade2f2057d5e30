//! The emulator's records: users, tokens, repositories, issues and pull requests, comments,
//! statuses, reviews and apps, as stored in memory (not as sent on the wire).

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use jiff::Timestamp;

/// Whether an account is a person or a bot (installation-style token).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserKind {
    User,
    Bot,
}

impl UserKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "User",
            Self::Bot => "Bot",
        }
    }
}

/// An account that can hold tokens.
#[derive(Debug, Clone)]
pub struct User {
    pub id: u64,
    pub login: String,
    pub kind: UserKind,
    /// Permission name → `read` | `write` | `none`; a missing name means `write`.
    pub permissions: BTreeMap<String, String>,
    /// `author_association` on repositories not named in `repo_associations` (admin
    /// `association`; `NONE` unless set).
    pub association: String,
    /// `author_association` per repository (lower-case `owner/name`): GitHub computes it
    /// from the user's relation to each repository, so one person can be a `MEMBER` of one
    /// and `NONE` on another (admin `repo_associations`).
    pub repo_associations: BTreeMap<String, String>,
    pub created_at: Timestamp,
}

/// A bearer token and whom it acts as.
#[derive(Debug, Clone)]
pub struct Token {
    pub user_id: u64,
    pub expires_at: Option<Timestamp>,
}

/// One version of a comment body, kept so stale reads can answer an older state.
#[derive(Debug, Clone)]
pub struct CommentVersion {
    pub at: Instant,
    pub body: String,
    pub updated_at: Timestamp,
}

/// An issue or pull request comment.
#[derive(Debug, Clone)]
pub struct Comment {
    pub id: u64,
    pub node_id: String,
    pub owner: String,
    pub repo: String,
    pub issue_number: u64,
    pub user_id: u64,
    pub created_at: Timestamp,
    pub created: Instant,
    /// Oldest first; never empty. The last one is the current body.
    pub versions: Vec<CommentVersion>,
    /// Set when deleted; kept as a tombstone so stale reads can still show it.
    pub deleted: Option<Instant>,
    /// GraphQL `minimizeComment` classifier, lower case (`outdated`, ...).
    pub minimized: Option<String>,
    pub reactions: Vec<Reaction>,
}

impl Comment {
    /// Whether the comment belongs to `owner/repo` (case-insensitive, as on GitHub).
    pub fn in_repo(&self, owner: &str, repo: &str) -> bool {
        self.owner.eq_ignore_ascii_case(owner) && self.repo.eq_ignore_ascii_case(repo)
    }

    pub fn current(&self) -> &CommentVersion {
        self.versions
            .last()
            .expect("a comment always has a version")
    }

    /// The comment as it was at `at`, or `None` if it did not exist then.
    pub fn as_of(&self, at: Option<Instant>) -> Option<&CommentVersion> {
        let Some(at) = at else {
            return if self.deleted.is_some() {
                None
            } else {
                Some(self.current())
            };
        };
        if self.created > at || self.deleted.is_some_and(|d| d <= at) {
            return None;
        }
        // Versions older than the kept history fall back to the oldest kept one.
        self.versions
            .iter()
            .rev()
            .find(|v| v.at <= at)
            .or_else(|| self.versions.first())
    }
}

/// A reaction on a comment.
#[derive(Debug, Clone)]
pub struct Reaction {
    pub id: u64,
    pub user_id: u64,
    pub content: String,
    pub created_at: Timestamp,
}

/// A commit status (append-only on GitHub).
#[derive(Debug, Clone)]
pub struct Status {
    pub id: u64,
    pub sha: String,
    pub state: String,
    pub target_url: Option<String>,
    pub description: Option<String>,
    pub context: String,
    pub creator_id: u64,
    pub created_at: Timestamp,
    pub created: Instant,
}

/// A pull request review.
#[derive(Debug, Clone)]
pub struct Review {
    pub id: u64,
    pub user_id: u64,
    pub state: String,
    pub body: String,
    pub commit_id: Option<String>,
    pub submitted_at: Timestamp,
}

/// The pull-request half of an issue number.
#[derive(Debug, Clone)]
pub struct Pull {
    pub id: u64,
    pub head_sha: String,
    pub base_sha: String,
    pub head_ref: String,
    pub base_ref: String,
    pub fork: bool,
    pub mergeable: Option<bool>,
    pub draft: bool,
    pub merged: bool,
    pub merged_at: Option<Timestamp>,
    pub merge_commit_sha: Option<String>,
    pub reviews: Vec<Review>,
}

/// An issue; a pull request is an issue with `pull` set (they share numbers, as on GitHub).
#[derive(Debug, Clone)]
pub struct Issue {
    pub id: u64,
    pub number: u64,
    pub title: String,
    pub body: Option<String>,
    pub state: String,
    pub state_reason: Option<String>,
    pub labels: Vec<String>,
    pub user_id: u64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub closed_at: Option<Timestamp>,
    pub pull: Option<Pull>,
}

/// A repository, created through the admin API.
#[derive(Debug, Clone)]
pub struct Repo {
    pub id: u64,
    pub owner: String,
    pub name: String,
    pub default_branch: String,
    /// Private repositories are hidden (404) from anonymous readers.
    pub private: bool,
    pub created_at: Timestamp,
    pub issues: BTreeMap<u64, Issue>,
    pub statuses: Vec<Status>,
    /// Full ref name (`refs/heads/x`) → sha.
    pub refs: BTreeMap<String, String>,
    /// Commit sha → parent shas, as declared through the admin API (for compare).
    pub parents: HashMap<String, Vec<String>>,
    /// (branch or commit, path) → file text, as seeded through the admin API (contents).
    pub files: BTreeMap<(String, String), String>,
}

impl Repo {
    pub fn next_number(&self) -> u64 {
        self.issues.keys().next_back().map_or(1, |n| n + 1)
    }

    /// Whether `sha` is a commit of this repository: declared through the admin API (as a
    /// commit or a parent), a pull request's head, base or merge commit, or a ref's target.
    pub fn knows(&self, sha: &str) -> bool {
        self.parents.contains_key(sha)
            || self.parents.values().flatten().any(|p| p == sha)
            || self.refs.values().any(|r| r == sha)
            || self
                .issues
                .values()
                .filter_map(|i| i.pull.as_ref())
                .any(|p| {
                    p.head_sha == sha
                        || p.base_sha == sha
                        || p.merge_commit_sha.as_deref() == Some(sha)
                })
    }

    /// The commit a ref names, as GitHub resolves `{ref}` in a path: a branch or tag
    /// (`main`, `heads/main`, `refs/heads/main`, `tags/v1`) or a known commit sha.
    /// `None` for anything else (GitHub's 422 `No commit found for SHA`).
    pub fn resolve(&self, reference: &str) -> Option<String> {
        let bare = reference.strip_prefix("refs/").unwrap_or(reference);
        [
            format!("refs/{bare}"),
            format!("refs/heads/{bare}"),
            format!("refs/tags/{bare}"),
        ]
        .iter()
        .find_map(|full| self.refs.get(full))
        .cloned()
        .or_else(|| self.knows(reference).then(|| reference.to_owned()))
    }
}

/// A registered GitHub App.
#[derive(Debug, Clone)]
pub struct App {
    pub id: u64,
    pub slug: String,
    pub public_key_pem: String,
    pub bot_user_id: u64,
    pub installations: Vec<Installation>,
    pub created_at: Timestamp,
}

/// An installation of an app on an account.
#[derive(Debug, Clone)]
pub struct Installation {
    pub id: u64,
    pub account: String,
}

/// An organization team (key: lower-case org and slug, in `World::teams`).
#[derive(Debug, Clone)]
pub struct Team {
    pub id: u64,
    /// Lower-case login → membership.
    pub members: BTreeMap<String, TeamMember>,
}

/// One person's membership of a team.
#[derive(Debug, Clone)]
pub struct TeamMember {
    /// The login as seeded.
    pub login: String,
    /// `member` or `maintainer`.
    pub role: String,
    /// `active` or `pending`.
    pub state: String,
}
