//! The admin API's request bodies, one type per call. The server parses them strictly
//! (`deny_unknown_fields`: an unknown field is a typo in a test, not GitHub data); clients
//! serialize them, leaving out what is unset so the server applies its default.
//!
//! Values GitHub spells as strings (a user's `type`, an `author_association`, a review's
//! `state`) stay strings here: the server checks them and says which values it accepts.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};

/// `POST /_emulator/repos`: creates a repository (an existing one is answered as is).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewRepo {
    /// `owner/name` (letters, digits, `-`, `_`, `.`).
    pub full_name: String,
    /// The default branch; `main` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_branch: Option<String>,
    /// Private repositories are a 404 to anonymous readers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private: Option<bool>,
}

impl NewRepo {
    /// A public repository `owner/name` with default branch `main`.
    pub fn new(full_name: impl Into<String>) -> Self {
        Self {
            full_name: full_name.into(),
            ..Self::default()
        }
    }
}

/// `POST /_emulator/users`: creates a user or bot (or updates one), optionally with a token.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    /// The login.
    pub login: String,
    /// `User` (when unset) or `Bot` (acts like an installation: `GET /user` is a 403).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// A token that authenticates as this user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// Permission (`issues`, `statuses`, `pull_requests`, `contents`, `members`) → `read`,
    /// `write` or `none`; an unnamed permission is `write`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub permissions: BTreeMap<String, String>,
    /// The `author_association` shown on everything the user writes (`NONE` when unset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub association: Option<String>,
    /// `owner/name` → `author_association` on that repository only.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub repo_associations: BTreeMap<String, String>,
}

impl NewUser {
    /// A user `login` (type `User`) with nothing else set.
    pub fn new(login: impl Into<String>) -> Self {
        Self {
            login: login.into(),
            ..Self::default()
        }
    }

    /// The same, authenticating with `token`.
    #[must_use]
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// The same, of type `kind` (`User` or `Bot`).
    #[must_use]
    pub fn kind(mut self, kind: impl Into<String>) -> Self {
        self.kind = Some(kind.into());
        self
    }

    /// The same, with `author_association` `association` everywhere.
    #[must_use]
    pub fn association(mut self, association: impl Into<String>) -> Self {
        self.association = Some(association.into());
        self
    }

    /// The same, with `permission` set to `level` (`read`, `write`, `none`).
    #[must_use]
    pub fn permission(mut self, permission: impl Into<String>, level: impl Into<String>) -> Self {
        self.permissions.insert(permission.into(), level.into());
        self
    }
}

/// `POST /_emulator/apps`: registers a GitHub App (its bot is `<slug>[bot]`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewApp {
    /// The App id (the JWT's `iss`).
    pub id: u64,
    /// The App's slug.
    pub slug: String,
    /// The RSA public key JWTs are checked with, in PEM.
    pub public_key_pem: String,
    /// Where the App is installed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub installations: Vec<NewInstallation>,
}

/// One installation of a [`NewApp`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewInstallation {
    /// The installation id.
    pub id: u64,
    /// The account (user or organization) it is installed on.
    pub account: String,
}

/// Deserializes a present field (even `null`) as `Some`, so absent and `null` differ.
#[allow(clippy::option_option)]
fn some_nullable<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<bool>>, D::Error> {
    Option::<bool>::deserialize(d).map(Some)
}

/// `POST /_emulator/repos/{owner}/{repo}/pulls` (seed a pull request) and
/// `PATCH /_emulator/repos/{owner}/{repo}/pulls/{number}` (change one): every field is
/// optional; a seed's unset fields take GitHub's defaults, an edit's stay as they were.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PullFields {
    /// The number (a seed takes the next free one when unset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<u64>,
    /// The head commit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head_sha: Option<String>,
    /// The author's login (a seed's default: `octocat`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// The base commit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_sha: Option<String>,
    /// The head branch (a seed's default: `feature-<number>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head_ref: Option<String>,
    /// The base branch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_ref: Option<String>,
    /// Whether the head is in a fork.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fork: Option<bool>,
    /// `Some(None)` (`null` on the wire) means "not yet computed", as GitHub shows while it
    /// checks mergeability; `None` leaves it as it is.
    #[serde(
        default,
        deserialize_with = "some_nullable",
        skip_serializing_if = "Option::is_none"
    )]
    #[allow(clippy::option_option)] // absent (keep) vs null (unknown) vs a value
    pub mergeable: Option<Option<bool>>,
    /// Whether it is a draft.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub draft: Option<bool>,
    /// `open` or `closed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Merged (and so closed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged: Option<bool>,
    /// The merge commit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merge_commit_sha: Option<String>,
    /// The title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Label names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<Vec<String>>,
}

impl PullFields {
    /// Pull request `number` at `head_sha`, the rest unset.
    pub fn new(number: u64, head_sha: impl Into<String>) -> Self {
        Self {
            number: Some(number),
            head_sha: Some(head_sha.into()),
            ..Self::default()
        }
    }

    /// The same, by `user`.
    #[must_use]
    pub fn by(mut self, user: impl Into<String>) -> Self {
        self.user = Some(user.into());
        self
    }

    /// The same, onto `base_sha`.
    #[must_use]
    pub fn base(mut self, base_sha: impl Into<String>) -> Self {
        self.base_sha = Some(base_sha.into());
        self
    }
}

/// `POST /_emulator/repos/{owner}/{repo}/pulls/{number}/reviews`: a submitted review.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewReview {
    /// The reviewer's login.
    pub user: String,
    /// `APPROVED`, `CHANGES_REQUESTED`, `COMMENTED`, `DISMISSED` or `PENDING`.
    pub state: String,
    /// The commit reviewed (the head when unset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit_id: Option<String>,
    /// The review's text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

impl NewReview {
    /// A review by `user` in `state` of `commit_id`.
    pub fn new(
        user: impl Into<String>,
        state: impl Into<String>,
        commit_id: impl Into<String>,
    ) -> Self {
        Self {
            user: user.into(),
            state: state.into(),
            commit_id: Some(commit_id.into()),
            body: None,
        }
    }
}

/// `POST /_emulator/repos/{owner}/{repo}/issues/{number}/comments/bulk`: many comments at once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BulkComments {
    /// Their author.
    pub user: String,
    /// How many.
    pub count: usize,
    /// The text, `{i}` replaced by the comment's index (default `comment {i}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

/// `POST /_emulator/repos/{owner}/{repo}/commits`: declares a commit and its parents, as a
/// push would make it exist (compare and ancestry read them).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewCommit {
    /// The commit.
    pub sha: String,
    /// Its parents (none: a root commit).
    #[serde(default)]
    pub parents: Vec<String>,
}

impl NewCommit {
    /// Commit `sha` with `parents`.
    pub fn new<P: Into<String>>(
        sha: impl Into<String>,
        parents: impl IntoIterator<Item = P>,
    ) -> Self {
        Self {
            sha: sha.into(),
            parents: parents.into_iter().map(Into::into).collect(),
        }
    }
}

/// The branch an admin file seed without `ref` writes to.
const DEFAULT_REF: &str = "main";

fn default_ref() -> String {
    DEFAULT_REF.to_owned()
}

/// `PUT /_emulator/repos/{owner}/{repo}/contents/{path}`: seeds (or replaces) a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewFile {
    /// The branch (or commit) the file is on (default `main`).
    #[serde(rename = "ref", default = "default_ref")]
    pub git_ref: String,
    /// The file's text.
    pub content: String,
}

impl NewFile {
    /// `content` on branch `main`.
    pub fn new(content: impl Into<String>) -> Self {
        Self {
            git_ref: default_ref(),
            content: content.into(),
        }
    }
}

/// `POST /_emulator/orgs/{org}/teams/{team}/members`: creates the team if needed and sets
/// (or with state `none` removes) one membership.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewMember {
    /// The member's login.
    pub login: String,
    /// `active` (when unset) or `pending`; `none` removes the membership.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// `member` (when unset) or `maintainer`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

impl NewMember {
    /// An active `member` `login`.
    pub fn new(login: impl Into<String>) -> Self {
        Self {
            login: login.into(),
            ..Self::default()
        }
    }
}

/// `POST /_emulator/clock`: moves the emulator's clock forward (rate-limit windows, token
/// expiry), so no test sleeps through a minute.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Advance {
    /// How far.
    pub seconds: u64,
}

/// `POST /_emulator/limits`: every rate limit off (bulk tests, soaks), or back on with
/// fresh windows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Whether rate limits apply.
    pub enabled: bool,
}

/// `POST /_emulator/ratelimit`: replaces every primary limit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimit {
    /// Requests per hour.
    pub limit: u32,
    /// Reset every token's used count (when unset: yes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reset_used: Option<bool>,
}

/// `POST /_emulator/latency`: latency added to every API request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Latency {
    /// Milliseconds added to every request.
    #[serde(default)]
    pub ms: u64,
    /// Up to this many more, drawn per request.
    #[serde(default)]
    pub jitter_ms: u64,
}
