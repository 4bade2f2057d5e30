//! The shape of `.github/infra-ci.yml`: every field, its default, its documentation.
//!
//! The `///` comments here become the descriptions in `docs/infra-ci.schema.json`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::names::{ProjectDir, ProjectName, StageKey};
use crate::permissions::Permissions;

/// The repository configuration of infra-ci, read from `.github/infra-ci.yml`.
///
/// Every field is optional: an absent file or an empty one gives the default, the
/// seed's pipeline (eight stages, four projects, comment commands for owners, members and
/// collaborators).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "infra-ci configuration (.github/infra-ci.yml)")]
pub struct Config {
    /// Version of this file's format. Only `1` exists.
    #[serde(default = "one")]
    #[schemars(range(min = 1, max = 1))]
    pub version: u32,
    /// How Terraform is run.
    #[serde(default)]
    pub terraform: Terraform,
    /// Where the dashboard's truth lives.
    #[serde(default)]
    pub store: Store,
    /// The rows of the dashboard, in display order. Default: the seed's eight stages
    /// (ci, plan-bootstrap, plan-platform, plan-data-staging, plan-data-prod, apply, e2e, review).
    #[serde(default = "crate::defaults::stages")]
    pub stages: Vec<Stage>,
    /// The Terraform root modules infra-ci plans and applies. Default: bootstrap (native),
    /// platform, data-staging and data-prod (digger), each in `terraform/<name>`.
    #[serde(default = "crate::defaults::projects")]
    pub projects: Vec<Project>,
    /// Which project `/bootstrap plan|apply` targets. When absent, the project named
    /// `bootstrap` if there is one; otherwise `/bootstrap` is not available.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bootstrap: Option<Bootstrap>,
    /// Plan automatically when a pull request is opened, reopened, marked ready for review or
    /// receives new commits (draft pull requests are never planned automatically).
    #[serde(default)]
    pub autoplan: bool,
    /// Who may run commands, and what an apply requires.
    #[serde(default)]
    pub permissions: Permissions,
    /// Which identity writes the dashboards, and whose earlier dashboards it takes over.
    #[serde(default, skip_serializing_if = "DashboardIdentity::is_default")]
    pub dashboard: DashboardIdentity,
}

/// One identity for the dashboards (issue 9, item 4): jobs that write with another token
/// would ignore each other's dashboards and leave two live ones on a commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DashboardIdentity {
    /// The login every job writes dashboards as: `github-actions[bot]` for `GITHUB_TOKEN`,
    /// `<app-slug>[bot]` for a GitHub App. When set, a job whose token is another identity
    /// is refused before it writes anything (exit 2, naming both). When absent, the job's
    /// token decides.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[A-Za-z0-9][A-Za-z0-9-]{0,38}(\[bot\])?$"))]
    pub identity: Option<String>,
    /// Logins that wrote dashboards before this identity (the seed's GitHub App, a previous
    /// token): a commit's dashboard by one of them is adopted (its rows carried into
    /// infra-ci's own dashboard, which replaces it; theirs is minimized as outdated), never
    /// kept beside a second one. Their statuses, comments and approvals are never evidence
    /// for an apply.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub predecessors: Vec<String>,
    /// A routed plan's legs as one run (ADR 0012, 0014): the routing job shows their rows
    /// running in its one write, each leg posts only its result (no `running`) and one read,
    /// and the run's close job (after every leg) marks legs that never reported cancelled
    /// and renders every leg's details once: about 2 requests a project instead of 7.
    /// Default `true`. `false`: each leg posts its `running` and renders its own result (for
    /// hand-written workflows without the close job: without it, a leg cancelled before it
    /// starts would leave its row running).
    #[serde(default = "yes", skip_serializing_if = "is_yes")]
    #[schemars(default = "yes")]
    pub runs: bool,
    /// Each stage's details (a plan's summary with its destroys by name, an error's tail)
    /// shown collapsed under the table. `false`: they stay in the job summary (the row keeps
    /// its one-line output and links to the job). In a run, the legs' details reach the
    /// comment through the run's close job. Default `true`.
    #[serde(default = "yes", skip_serializing_if = "is_yes")]
    #[schemars(default = "yes")]
    pub details: bool,
}

fn yes() -> bool {
    true
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
fn is_yes(b: &bool) -> bool {
    *b
}

impl Default for DashboardIdentity {
    fn default() -> Self {
        Self {
            identity: None,
            predecessors: Vec::new(),
            runs: true,
            details: true,
        }
    }
}

impl DashboardIdentity {
    /// True when nothing is configured (the section is left out when serialized).
    pub fn is_default(&self) -> bool {
        *self == Self::default()
    }
}

fn one() -> u32 {
    1
}

/// How Terraform is run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Terraform {
    /// The executable: `terraform` or `tofu` (OpenTofu).
    #[serde(default)]
    pub binary: TerraformBinary,
}

/// The Terraform executable.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum TerraformBinary {
    /// HashiCorp Terraform (`terraform`).
    #[default]
    Terraform,
    /// OpenTofu (`tofu`).
    Tofu,
}

impl TerraformBinary {
    /// The executable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Terraform => "terraform",
            Self::Tofu => "tofu",
        }
    }
}

/// Where the dashboard's truth lives.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Store {
    /// One commit status per stage (`infra-dashboard/<stage>`); the comment is rendered from
    /// them. Safe under parallel jobs.
    #[default]
    Statuses,
    /// State embedded in the comment itself, verified after each write. Best effort under
    /// parallel jobs; for repositories that want no commit statuses.
    Comment,
}

/// A row of the dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Stage {
    /// The stage key used by `infra-ci update --stage`, job matrices and the commit-status
    /// context `infra-dashboard/<key>`. Unique.
    pub key: StageKey,
    /// The name shown in the dashboard's Stage column.
    pub name: String,
}

/// A Terraform root module.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Project {
    /// The name typed in commands (`/plan platform`). Unique.
    pub name: ProjectName,
    /// The module's directory, relative to the repository root, without `..`.
    pub dir: ProjectDir,
    /// The key of the stage (listed in `stages`) this project's plan reports to.
    pub stage: StageKey,
    /// Who runs it: `digger` (the Digger job) or `native` (infra-ci runs Terraform itself).
    #[serde(default)]
    pub runner: Runner,
    /// Projects that must be applied before this one; runs list projects in this order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<ProjectName>,
    /// The Terraform workspace to select, if not `default`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workspace: Option<String>,
}

/// Who runs a project's Terraform.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Runner {
    /// The `digger` job (Digger orchestrates plan and apply).
    #[default]
    Digger,
    /// The `native` job: infra-ci runs `terraform`/`tofu` itself (the seed's `python` mode).
    Native,
}

impl Runner {
    /// The runner's name as written in the file.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Digger => "digger",
            Self::Native => "native",
        }
    }
}

/// The target of `/bootstrap plan|apply`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Bootstrap {
    /// The name of the project `/bootstrap` plans and applies (listed in `projects`).
    pub project: ProjectName,
}
