//! Terraform/OpenTofu runs: plan, apply with safety checks and locks, post-merge verify,
//! drift. The CLI maps `infra-ci run …` and `infra-ci drift` onto [`Runner`]'s methods.
//!
//! Terraform is spawned with an explicit argument vector (never a shell), in each project's
//! directory, with the inherited environment plus `TF_IN_AUTOMATION=1`, `TF_INPUT=0` and
//! `TF_WORKSPACE` when the project selects a workspace. No text from a comment ever reaches
//! the argument vector: only fixed flags and paths this crate builds. See `docs/runs.md`.
//!
//! ```no_run
//! # async fn demo(forge: &dyn infra_ci_github::Forge) -> Result<(), infra_ci_runner::RunnerError> {
//! use infra_ci_runner::{PlanStore, Runner, Selection, Setup, StepSummary, Tool};
//! let config = infra_ci_config::Config::default();
//! let setup = Setup {
//!     repo: infra_ci_github::RepoId::parse("acme/infra").expect("valid"),
//!     tool: Tool::from_env(config.terraform.binary)?,
//!     config,
//!     root: ".".into(),
//!     plans: PlanStore::new(".infra-ci/plans")?,
//!     run_url: None,
//!     step_summary: StepSummary::new(None),
//!     requester: None,
//!     default_branch: None,
//! };
//! let report = Runner::new(forge, setup).plan(12, None, &Selection::Native).await?;
//! assert!(report.succeeded());
//! # Ok(()) }
//! ```

mod apply;
mod drift;
mod error;
/// Project locks (they live in the engine, beside the gate that reads them).
pub use infra_ci_engine::lock;
mod plan;
pub mod plan_store;
mod process;
mod report;
mod runner;
mod schedule;
mod steps;
mod text;
mod tool;
mod verify;

pub use drift::{DRIFT_LABEL, DRIFT_MARKER, DRIFT_TITLE, DriftReport};
pub use error::RunnerError;
pub use plan_store::{PlanRecord, PlanStore};
pub use report::{StepSummary, keep_details};
pub use runner::{RunReport, Runner, Selection, Setup};
pub use steps::{ProjectResult, summarize_saved};
pub use tool::{DEFAULT_PLANS_DIR, ENV_PLANS_DIR, ENV_TERRAFORM, Tool};
pub use verify::{VERIFY_STAGE, VerifyReport};
