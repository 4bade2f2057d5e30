//! `infra-ci run apply [PROJECT…]` and `run bootstrap apply`: refuse unless the apply gate
//! allows it (see [`infra_ci_route::gate`]) and the project's lock is ours, then apply the
//! saved plan. `infra-ci run unlock --pr N` releases the pull request's locks.

use std::collections::BTreeMap;

use infra_ci_config::well_known;
use infra_ci_core::{LOCKS_STAGE, Status};
use infra_ci_engine::gate::{self, GateRequest};
use infra_ci_engine::lock::{self, LockOutcome};
use infra_ci_github::{PullRequest, Sha};
use infra_ci_route::{CommandKind, PlanFile};

use crate::error::RunnerError;
use crate::plan_store::sha256_file;
use crate::report::Reporter;
use crate::runner::{RunReport, Runner, Selection};
use crate::schedule::run_all;
use crate::steps::{self, ProjectResult};

impl Runner<'_> {
    /// Applies the saved plans of the selected projects of pull request `pr`. The apply
    /// gate ([`infra_ci_route::may_apply`], the one `parse` and `infra-ci gate apply` ask)
    /// decides first, with the plan files' digests as evidence: a refused project never
    /// reaches Terraform. Reports to the `apply` stage, `/bootstrap apply` too.
    pub async fn apply(
        &self,
        pr: u64,
        sha: Option<Sha>,
        sel: &Selection,
    ) -> Result<RunReport, RunnerError> {
        let projects = self.select(sel)?;
        if projects.is_empty() {
            return Err(RunnerError::Usage(
                "no project to apply: name projects, or set `runner: native` on the ones infra-ci runs".into(),
            ));
        }
        let stage = well_known::APPLY;
        let (target, pull) = self.pull_target(pr, sha).await?;
        let me = self.forge.whoami().await?;
        let store = &self.setup.plans;
        let mut files = BTreeMap::new();
        for p in &projects {
            let planfile = store.plan_path(&target.sha, p.name.as_str())?;
            files.insert(
                p.name.to_string(),
                PlanFile {
                    digest: sha256_file(&planfile).ok(),
                },
            );
        }
        let gated = self.gate(&me, sel, &projects, files, pull).await?;
        // The head the gate saw must be the commit asked for.
        let moved = (gated.input.pull.head_sha != target.sha).then(|| {
            format!(
                "the head moved from {} to {} since the plan: run /plan again",
                short(&target.sha),
                short(&gated.input.pull.head_sha)
            )
        });
        let reporter = Reporter {
            dashboards: &self.dashboards,
            target: Some(&target),
            link: self.setup.run_url.as_deref(),
            run: None,
        };
        reporter.running(stage).await?;
        let results = run_all(&projects, |p, blocked| {
            let (gated, me, moved, target, reporter) = (&gated, &me, &moved, &target, &reporter);
            async move {
                let name = p.name.as_str();
                if let Some(reason) = blocked {
                    return Ok(ProjectResult::skipped(name, reason));
                }
                let mut reasons: Vec<String> = moved.iter().cloned().collect();
                reasons.extend(
                    gated
                        .decision
                        .for_project(name)
                        .iter()
                        .map(|r| r.why.clone()),
                );
                let r = if reasons.is_empty() {
                    self.locked_apply(p, me, target.pr, &target.sha).await?
                } else {
                    refusal(name, &reasons)
                };
                self.setup.step_summary.project("Apply", &r)?;
                // Each project's apply is a row of its own under `apply` (issue 9): a later
                // apply of another project never hides what this one did.
                reporter.result(&project_row(name), &r).await?;
                Ok(r)
            }
        })
        .await?;
        let (status, output) = aggregate(&results);
        reporter.set(stage, status, Some(output), None).await?;
        let held = self.held_locks(&me, target.pr).await?;
        if !held.is_empty() {
            reporter
                .set(
                    LOCKS_STAGE,
                    Status::Success,
                    Some(locks_line(target.pr, &held)),
                    None,
                )
                .await?;
        }
        Ok(RunReport { results })
    }

    /// The configured projects whose apply lock pull request `pr` holds, in configuration
    /// order (two reads a project: the lock ref, then our record of its holder).
    async fn held_locks(&self, me: &str, pr: u64) -> Result<Vec<String>, RunnerError> {
        let mut held = Vec::new();
        for p in &self.setup.config.projects {
            if let Some((Some(holder), _)) =
                lock::holder(self.forge, &self.setup.repo, me, p.name.as_str()).await?
                && holder == pr
            {
                held.push(p.name.to_string());
            }
        }
        Ok(held)
    }

    /// Asks the apply gate about `projects`, with the plan `files` as evidence.
    async fn gate(
        &self,
        me: &str,
        sel: &Selection,
        projects: &[&infra_ci_config::Project],
        files: BTreeMap<String, PlanFile>,
        pull: PullRequest,
    ) -> Result<gate::Gated, RunnerError> {
        let default_branch = match &self.setup.default_branch {
            Some(b) => b.clone(),
            None => self.forge.default_branch(&self.setup.repo).await?,
        };
        let (actor, actor_is_bot) = match &self.setup.requester {
            Some((a, bot)) => (Some(a.clone()), *bot),
            None => (None, false),
        };
        let kind = if *sel == Selection::Bootstrap {
            CommandKind::BootstrapApply
        } else {
            CommandKind::Apply
        };
        Ok(gate::check(
            self.forge,
            GateRequest {
                repo: &self.setup.repo,
                config: &self.setup.config,
                default_branch: &default_branch,
                kind,
                actor,
                actor_is_bot,
                projects: projects.iter().map(|p| p.name.to_string()).collect(),
                files,
                me,
            },
            pull,
        )
        .await?)
    }

    /// Takes the project's lock (ours already, or free) and applies its saved plan.
    async fn locked_apply(
        &self,
        p: &infra_ci_config::Project,
        me: &str,
        pr: u64,
        sha: &Sha,
    ) -> Result<ProjectResult, RunnerError> {
        let name = p.name.as_str();
        match lock::acquire(self.forge, &self.setup.repo, me, name, pr, sha).await? {
            LockOutcome::Acquired | LockOutcome::AlreadyOurs => {
                let store = &self.setup.plans;
                let planfile = store.plan_path(sha, name)?;
                let summary = store
                    .load(sha, name)?
                    .map(|r| r.summary)
                    .unwrap_or_default();
                let dir = self.project_dir(p)?;
                steps::apply(self.cwd(p, &dir), name, &planfile, &summary).await
            }
            LockOutcome::HeldBy { pr, sha } => Ok(refusal(
                name,
                &[match pr {
                    Some(n) => format!("locked by #{n} until it is merged or closed"),
                    None => format!(
                        "its lock (at {}) was not recorded by infra-ci, so its holder is unknown",
                        short(&sha)
                    ),
                }],
            )),
        }
    }

    /// Releases the locks pull request `pr` holds (the workflow calls this when it is
    /// merged or closed, and on `/unlock`). Every project is attempted; see
    /// [`lock::Release`] for what was released and what failed.
    pub async fn unlock(&self, pr: u64) -> Result<lock::Release, RunnerError> {
        let me = self.forge.whoami().await?;
        let names: Vec<&str> = self
            .setup
            .config
            .projects
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        Ok(lock::release(self.forge, &self.setup.repo, &me, &names, pr).await)
    }

    /// Shows what [`Runner::unlock`] came to in the `Apply locks` row of the head's
    /// dashboard: released, or still held where releasing failed. A pull request that held
    /// no lock gets no row and costs no request.
    pub async fn show_released(&self, pr: u64, release: &lock::Release) -> Result<(), RunnerError> {
        let held: Vec<String> = release
            .failures
            .iter()
            .filter(|f| !f.lock_released)
            .map(|f| f.project.clone())
            .collect();
        if release.released.is_empty() && held.is_empty() {
            return Ok(());
        }
        let (target, _) = self.pull_target(pr, None).await?;
        let reporter = Reporter {
            dashboards: &self.dashboards,
            target: Some(&target),
            link: self.setup.run_url.as_deref(),
            run: None,
        };
        let (status, line) = if held.is_empty() {
            (Status::Success, released_line(&release.released))
        } else {
            // A lock that could not be released is still held: say so, not "released".
            (Status::Failure, locks_line(pr, &held))
        };
        reporter.set(LOCKS_STAGE, status, Some(line), None).await
    }
}

/// The row of one project's apply under `apply` (`Apply: <project>`).
fn project_row(project: &str) -> String {
    format!("{}.{project}", well_known::APPLY)
}

/// The `Apply locks` row while pull request `pr` holds `held`.
fn locks_line(pr: u64, held: &[String]) -> String {
    format!(
        "🔒 {}: held by #{pr} until it is merged or closed, or /unlock",
        held.join(", ")
    )
}

/// The `Apply locks` row once they are released.
fn released_line(released: &[String]) -> String {
    format!("🔓 released: {}", released.join(", "))
}

fn short(sha: &str) -> String {
    infra_ci_github::short_sha(sha).to_owned()
}

/// A project the gate refused: not run, with every reason. Shown as skipped, not failed:
/// a refusal is the gate working, and a failure status would turn the commit red in the
/// merge box as if the infrastructure were broken (issue 9, item 8). The command still
/// exits 1: nothing was applied.
fn refusal(project: &str, reasons: &[String]) -> ProjectResult {
    let lines: Vec<String> = reasons.iter().map(|r| format!("refused: {r}")).collect();
    let first = lines.first().cloned().unwrap_or_else(|| "refused".into());
    let mut r = ProjectResult::skipped(project, first);
    r.details = (lines.len() > 1).then(|| lines.join("\n"));
    r
}

/// One stage for all applied projects: success when all succeeded, and one output line
/// (each project's details are on its own row).
fn aggregate(results: &[ProjectResult]) -> (Status, String) {
    let status = if results.iter().all(|r| r.status == Status::Success) {
        Status::Success
    } else if results.iter().any(|r| r.status == Status::Failure) {
        Status::Failure
    } else {
        Status::Skipped // refused or blocked, nothing failed
    };
    let output = match results {
        [one] => one.output.clone(),
        many => many
            .iter()
            .map(|r| format!("{}: {}", r.project, r.output))
            .collect::<Vec<_>>()
            .join("; "),
    };
    (status, output)
}
