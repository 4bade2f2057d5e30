//! `permissions:` who may plan and apply, and what an apply requires.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Who may run commands, and what an apply requires.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Permissions {
    /// Who may run `/plan` and `/bootstrap plan`.
    #[serde(default)]
    pub plan: Principals,
    /// Who may run `/apply` and `/bootstrap apply`, and what must hold first.
    #[serde(default)]
    pub apply: ApplyPermission,
}

/// A set of people: anyone matching one of the three lists is in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Principals {
    /// The commenter's relationship to the repository, as GitHub reports it
    /// (`author_association`). Default: OWNER, MEMBER, COLLABORATOR.
    #[serde(default = "default_associations")]
    pub associations: Vec<Association>,
    /// GitHub logins allowed whatever their association (compared case-insensitively).
    #[serde(default)]
    pub users: Vec<String>,
    /// Team slugs of the repository's organization (`platform-admins` or
    /// `my-org/platform-admins`) whose members are allowed (compared case-insensitively).
    #[serde(default)]
    pub teams: Vec<String>,
}

impl Default for Principals {
    fn default() -> Self {
        Self {
            associations: default_associations(),
            users: Vec::new(),
            teams: Vec::new(),
        }
    }
}

/// Who may apply, and what must hold first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplyPermission {
    /// The commenter's relationship to the repository (`author_association`).
    /// Default: OWNER, MEMBER, COLLABORATOR.
    #[serde(default = "default_associations")]
    pub associations: Vec<Association>,
    /// GitHub logins allowed whatever their association (compared case-insensitively).
    #[serde(default)]
    pub users: Vec<String>,
    /// Team slugs whose members are allowed (compared case-insensitively).
    #[serde(default)]
    pub teams: Vec<String>,
    /// What must hold before an apply runs. Default: all five. An empty list removes these
    /// checks, which is rarely what you want; the rest of the apply gate (an allowed person
    /// asked, not a fork, a protected base, infra-ci's own plan of the head) always holds.
    #[serde(default = "Requirement::all")]
    pub requirements: Vec<Requirement>,
    /// The base branches a pull request may apply from. Default (empty): only the
    /// repository's default branch, so a pull request stacked on an unreviewed branch
    /// never applies.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub branches: Vec<String>,
}

impl Default for ApplyPermission {
    fn default() -> Self {
        Self {
            associations: default_associations(),
            users: Vec::new(),
            teams: Vec::new(),
            requirements: Requirement::all(),
            branches: Vec::new(),
        }
    }
}

impl ApplyPermission {
    /// The people part of the apply permission.
    pub fn principals(&self) -> Principals {
        Principals {
            associations: self.associations.clone(),
            users: self.users.clone(),
            teams: self.teams.clone(),
        }
    }
}

fn default_associations() -> Vec<Association> {
    vec![
        Association::Owner,
        Association::Member,
        Association::Collaborator,
    ]
}

/// GitHub's `author_association` of a comment or review author.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Association {
    /// Owner of the repository.
    Owner,
    /// Member of the organization that owns the repository.
    Member,
    /// Invited to collaborate on the repository.
    Collaborator,
    /// Has previously committed to the repository.
    Contributor,
    /// Has never contributed before.
    FirstTimer,
    /// Has not previously committed to the repository.
    FirstTimeContributor,
    /// A placeholder for an unclaimed user.
    Mannequin,
    /// No association with the repository.
    None,
}

impl Association {
    /// GitHub's spelling (`OWNER`, `FIRST_TIME_CONTRIBUTOR`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "OWNER",
            Self::Member => "MEMBER",
            Self::Collaborator => "COLLABORATOR",
            Self::Contributor => "CONTRIBUTOR",
            Self::FirstTimer => "FIRST_TIMER",
            Self::FirstTimeContributor => "FIRST_TIME_CONTRIBUTOR",
            Self::Mannequin => "MANNEQUIN",
            Self::None => "NONE",
        }
    }

    /// Parses GitHub's spelling; anything unknown is `None` (no association), the safe reading.
    pub fn parse(s: &str) -> Self {
        match s {
            "OWNER" => Self::Owner,
            "MEMBER" => Self::Member,
            "COLLABORATOR" => Self::Collaborator,
            "CONTRIBUTOR" => Self::Contributor,
            "FIRST_TIMER" => Self::FirstTimer,
            "FIRST_TIME_CONTRIBUTOR" => Self::FirstTimeContributor,
            "MANNEQUIN" => Self::Mannequin,
            _ => Self::None,
        }
    }
}

/// A condition an apply must meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Requirement {
    /// The pull request has an approving review and no outstanding request for changes.
    Approved,
    /// The pull request's head branch is in this repository (a fork never applies).
    SameRepo,
    /// Every plan stage of the head commit succeeded.
    PlansSucceeded,
    /// GitHub reports the pull request mergeable (no conflicts).
    Mergeable,
    /// The head branch contains the base branch's latest commit.
    Undiverged,
}

impl Requirement {
    /// All five, in the order they are checked.
    pub fn all() -> Vec<Self> {
        vec![
            Self::Approved,
            Self::SameRepo,
            Self::PlansSucceeded,
            Self::Mergeable,
            Self::Undiverged,
        ]
    }

    /// The name as written in the file.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approved => "approved",
            Self::SameRepo => "same_repo",
            Self::PlansSucceeded => "plans_succeeded",
            Self::Mergeable => "mergeable",
            Self::Undiverged => "undiverged",
        }
    }
}
