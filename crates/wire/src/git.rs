//! Refs, comparisons and team memberships.

use serde::{Deserialize, Serialize};

use crate::sha::Sha;

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
    pub sha: Sha,
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
