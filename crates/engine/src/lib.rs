//! Use cases over the [`Forge`](infra_ci_github::Forge): the dashboard's init, update, sync
//! and show, built on "truth and projection" (docs/adr/0001-truth-in-commit-statuses.md).
//!
//! The truth of stage S on commit C is a commit status `infra-dashboard/S` on C; the anchor
//! status `infra-dashboard` points at the comment; the comment is a projection rendered from
//! the statuses and reconciled until it covers every status it read.
//!
//! The seed's "Python API" shape, for Rust callers:
//!
//! ```no_run
//! # async fn demo(forge: &dyn infra_ci_github::Forge) -> Result<(), infra_ci_engine::EngineError> {
//! use infra_ci_core::{default_stages, Status};
//! use infra_ci_engine::{LiveDashboard, Target};
//! use infra_ci_github::RepoId;
//!
//! let repo = RepoId::parse("acme/infra").expect("valid");
//! let target = Target::resolve(forge, repo, 123, None).await?; // the PR's head commit
//! let mut dashboard = LiveDashboard::load(forge, target, default_stages()).await?;
//! dashboard.update_stage("plan-bootstrap", Status::Running, Some("https://github.com/acme/infra/actions/runs/1".into()));
//! dashboard.save().await?;
//! # Ok(()) }
//! ```

mod adopt;
mod comment_store;
mod error;
mod fence;
pub mod gate;
mod live;
mod locate;
pub mod lock;
mod minimize;
pub mod provenance;
mod reconcile;
mod route_job;
mod run;
mod service;
mod target;
mod truth;

pub use error::EngineError;
pub use live::LiveDashboard;
pub use minimize::{Minimized, OUTDATED_MARK, minimize_earlier};
pub use reconcile::Tuning;
pub use route_job::{ParseRequest, route_event, run_stages};
pub use run::LegDetails;
pub use service::{
    Closed, Dashboards, InitOutcome, Posted, ShownDashboard, ShownStage, StageUpdate, UpdateOutcome,
};
pub use target::Target;
pub use truth::{ANCHOR_CONTEXT, STAGE_CONTEXT_PREFIX, Truth, is_by};
