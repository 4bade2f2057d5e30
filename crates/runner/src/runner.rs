//! The [`Runner`]: a repository's configuration, its Terraform, its plans directory and the
//! forge, shared by every use case (plan, apply, unlock, verify, drift).

use std::path::{Path, PathBuf};

use infra_ci_config::{Config, Project, Runner as Who};
use infra_ci_engine::{Dashboards, Target, Tuning};
use infra_ci_github::{Forge, PullRequest, RepoId, Sha};

use crate::error::RunnerError;
use crate::plan_store::PlanStore;
use crate::process::Cwd;
use crate::report::StepSummary;
use crate::steps::ProjectResult;
use crate::tool::Tool;

/// Which projects a run covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// Every project infra-ci runs itself (`runner: native`), in dependency order.
    Native,
    /// Every configured project, whichever runner plans and applies it on pull requests, in
    /// dependency order: what post-merge verification and drift detection must cover (a
    /// Digger project left out would read as "no changes").
    All,
    /// These projects (any runner: naming one is asking for it).
    Named(Vec<String>),
    /// The bootstrap project (`/bootstrap plan|apply`).
    Bootstrap,
}

/// Everything a run needs besides the forge.
#[derive(Debug, Clone)]
pub struct Setup {
    /// The repository the run is for.
    pub repo: RepoId,
    /// The trusted configuration (the default branch's): projects, stages, permissions.
    pub config: Config,
    /// The Terraform (or OpenTofu) executable to run.
    pub tool: Tool,
    /// The repository root; project directories are relative to it.
    pub root: PathBuf,
    /// Where saved plans are written by a plan and read back by an apply.
    pub plans: PlanStore,
    /// The workflow run's URL, linked from every stage this run writes.
    pub run_url: Option<String>,
    /// The job summary file (`GITHUB_STEP_SUMMARY`) results are appended to; none outside CI.
    pub step_summary: StepSummary,
    /// Who asked for this run (the comment's author or the dispatch's sender) and whether
    /// GitHub says the account is a bot; `None` when the event names nobody (an apply is
    /// then refused).
    pub requester: Option<(infra_ci_route::Actor, bool)>,
    /// The repository's default branch when the event named it (else it is read).
    pub default_branch: Option<String>,
}

/// What a run came to, project by project, in dependency order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunReport {
    /// One result per project run.
    pub results: Vec<ProjectResult>,
}

impl RunReport {
    /// True when every project succeeded (the CLI exits 0).
    pub fn succeeded(&self) -> bool {
        self.results
            .iter()
            .all(|r| r.status == infra_ci_core::Status::Success)
    }
}

/// Runs Terraform for a repository and reports to its dashboards.
pub struct Runner<'f> {
    pub(crate) forge: &'f dyn Forge,
    pub(crate) setup: Setup,
    pub(crate) dashboards: Dashboards<'f>,
    /// Whether this job's plans are legs of a run the routing job opened (ADR 0012).
    pub(crate) in_run: bool,
    /// Where a leg's details go for the run's close job (ADR 0014), when one follows.
    pub(crate) details_dir: Option<PathBuf>,
}

impl std::fmt::Debug for Runner<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runner")
            .field("setup", &self.setup)
            .finish_non_exhaustive()
    }
}

impl<'f> Runner<'f> {
    /// A runner for `setup`'s repository, writing to the dashboards its configuration defines.
    pub fn new(forge: &'f dyn Forge, setup: Setup) -> Self {
        let dashboards = Dashboards::for_config(forge, &setup.config, Tuning::default());
        Self {
            forge,
            setup,
            dashboards,
            in_run: false,
            details_dir: None,
        }
    }

    /// Marks this job's plans as legs of a run the routing job opened (`parse`'s `in_run`
    /// output, ADR 0012): their rows already show running, so each project posts only its
    /// result (`Dashboards::update_in_run`). Applies, verify and drift are never legs.
    #[must_use]
    pub fn in_run(mut self, yes: bool) -> Self {
        self.in_run = yes;
        self
    }

    /// In a run whose close job follows (the reusable workflow's `close` job, ADR 0014): each
    /// plan's details are saved in `dir` as a record for the close job, which renders them,
    /// so they do not make the leg render. Outside a run it changes nothing.
    #[must_use]
    pub fn details_to(mut self, dir: Option<PathBuf>) -> Self {
        self.details_dir = dir;
        self
    }

    /// The projects of a selection, in dependency order.
    pub fn select(&self, sel: &Selection) -> Result<Vec<&Project>, RunnerError> {
        let cfg = &self.setup.config;
        match sel {
            Selection::Native => Ok(cfg
                .projects_in_order()
                .into_iter()
                .filter(|p| p.runner == Who::Native)
                .collect()),
            Selection::All => Ok(cfg.projects_in_order()),
            Selection::Bootstrap => Ok(vec![
                cfg.bootstrap_project().ok_or(RunnerError::NoBootstrap)?,
            ]),
            Selection::Named(names) => {
                for n in names {
                    if cfg.project(n).is_none() {
                        return Err(RunnerError::UnknownProject {
                            name: n.clone(),
                            known: cfg
                                .projects
                                .iter()
                                .map(|p| p.name.as_str())
                                .collect::<Vec<_>>()
                                .join(", "),
                        });
                    }
                }
                Ok(cfg
                    .projects_in_order()
                    .into_iter()
                    .filter(|p| names.iter().any(|n| n == p.name.as_str()))
                    .collect())
            }
        }
    }

    /// Where a project's commands run.
    pub(crate) fn cwd<'a>(&'a self, p: &'a Project, dir: &'a Path) -> Cwd<'a> {
        Cwd {
            tool: &self.setup.tool,
            dir,
            label: p.name.as_str(),
            workspace: p.workspace.as_deref(),
        }
    }

    /// The project's directory under the repository root; a missing one is a usage error.
    pub(crate) fn project_dir(&self, p: &Project) -> Result<PathBuf, RunnerError> {
        let dir = self.setup.root.join(p.dir.as_str());
        if dir.is_dir() {
            Ok(dir)
        } else {
            Err(RunnerError::Usage(format!(
                "project {}: directory {} does not exist (check `dir:` in .github/infra-ci.yml and that the repository is checked out)",
                p.name.as_str(),
                dir.display()
            )))
        }
    }

    /// The pull request's dashboard target on `sha` (its head when `None`) and the pull.
    pub(crate) async fn pull_target(
        &self,
        pr: u64,
        sha: Option<Sha>,
    ) -> Result<(Target, PullRequest), RunnerError> {
        let pull = self.forge.get_pull(&self.setup.repo, pr).await?;
        // `sha` is the commit the routed command was for (infra-ci's own route, not user
        // input): kept even when the head has moved since, so the refusal that follows is
        // reported on the commit it concerns.
        let sha = sha.map_or_else(
            || pull.head.sha.clone(),
            |s| Sha::new(s.to_ascii_lowercase()),
        );
        let target = Target {
            repo: self.setup.repo.clone(),
            pr,
            is_head: Some(pull.head.sha.is(&sha)),
            sha,
        };
        Ok((target, pull))
    }

    /// The base branch's tip now: its ref, else what the pull request says.
    pub(crate) async fn base_tip(&self, pull: &PullRequest) -> Result<Sha, RunnerError> {
        let r = self
            .forge
            .get_ref(&self.setup.repo, &format!("heads/{}", pull.base.git_ref))
            .await?;
        Ok(r.map_or_else(|| pull.base.sha.clone(), |r| r.object.sha))
    }
}
