//! `infra-ci run apply [PROJECT…]` and `run bootstrap apply`: refuse unless every safety
//! check passes (see [`crate::checks`]) and the project's lock is ours, then apply the
//! saved plan. `infra-ci run unlock --pr N` releases the pull request's locks.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use infra_ci_config::{Requirement, well_known};
use infra_ci_core::Status;
use infra_ci_github::PullRequest;

use crate::checks::{self, ApplyFacts, PlanEvidence, Refusal};
use crate::error::RunnerError;
use crate::lock::{self, LockOutcome};
use crate::plans::sha256_file;
use crate::report::Reporter;
use crate::runner::{RunReport, Runner, Selection};
use crate::schedule::run_all;
use crate::steps::{self, ProjectResult};

impl Runner<'_> {
    /// Applies the saved plans of the selected projects of pull request `pr`, planned on
    /// `sha` (default: its head). Reports to the `apply` stage, `/bootstrap apply` too: the
    /// route's choice, so a failed apply never shows as a failed plan (docs/routes.md).
    pub async fn apply(
        &self,
        pr: u64,
        sha: Option<String>,
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
        let facts = self.facts(&target, pull).await?;
        let reporter = Reporter {
            dashboards: &self.dashboards,
            target: Some(&target),
            link: self.setup.run_url.as_deref(),
        };
        reporter.running(stage).await?;
        let cfg = &self.setup.config;
        let plan_stages: Vec<&str> = cfg.projects.iter().map(|p| p.stage.as_str()).collect();
        let requirements = &cfg.permissions.apply.requirements;
        let results = run_all(&projects, |p, blocked| {
            let (facts, plan_stages) = (&facts, &plan_stages);
            async move {
                let name = p.name.as_str();
                if let Some(reason) = blocked {
                    return Ok(ProjectResult::skipped(name, reason));
                }
                let store = &self.setup.plans;
                let record = store.load(&facts.sha, name)?;
                let planfile = store.plan_path(&facts.sha, name)?;
                let checksum = sha256_file(&planfile).ok();
                let evidence = PlanEvidence {
                    stage: p.stage.as_str(),
                    record: record.as_ref(),
                    checksum: checksum.as_deref(),
                };
                let refused = checks::refusals(facts, &evidence, plan_stages, requirements);
                let r = match (refused.is_empty(), record) {
                    (true, Some(record)) => match lock::acquire(
                        self.forge,
                        &self.setup.repo,
                        name,
                        target.pr,
                        &facts.sha,
                    )
                    .await?
                    {
                        LockOutcome::Acquired | LockOutcome::AlreadyOurs => {
                            let dir = self.project_dir(p)?;
                            steps::apply(self.cwd(p, &dir), name, &planfile, &record.summary)
                                .await?
                        }
                        LockOutcome::HeldBy { pr, sha } => refusal(
                            name,
                            &[Refusal::Locked {
                                project: name.to_owned(),
                                holder: pr.map_or_else(
                                    || {
                                        format!(
                                            "an unidentified pull request (lock at {})",
                                            &sha[..7.min(sha.len())]
                                        )
                                    },
                                    |n| format!("#{n}"),
                                ),
                            }],
                        ),
                    },
                    _ => refusal(name, &refused),
                };
                self.setup.step_summary.project("Apply", &r)?;
                Ok(r)
            }
        })
        .await?;
        let (status, output, details) = aggregate(&results);
        reporter.set(stage, status, Some(output), details).await?;
        Ok(RunReport { results })
    }

    /// Releases the locks pull request `pr` holds (the workflow calls this when it is
    /// merged or closed). Every project is attempted; see [`lock::Release`] for what was
    /// released and what failed.
    pub async fn unlock(&self, pr: u64) -> lock::Release {
        let names: Vec<&str> = self
            .setup
            .config
            .projects
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        lock::release(self.forge, &self.setup.repo, &names, pr).await
    }

    /// Reads what the checks need, before anything is written.
    async fn facts(
        &self,
        target: &infra_ci_engine::Target,
        mut pull: PullRequest,
    ) -> Result<ApplyFacts, RunnerError> {
        let repo = &self.setup.repo;
        let wants_mergeable = self
            .setup
            .config
            .permissions
            .apply
            .requirements
            .contains(&Requirement::Mergeable);
        // GitHub computes mergeability in the background after a push: ask again briefly.
        for wait in [1, 3] {
            if !wants_mergeable || pull.mergeable.is_some() {
                break;
            }
            tokio::time::sleep(Duration::from_secs(wait)).await;
            pull = self.forge.get_pull(repo, target.pr).await?;
        }
        let reviews = self.forge.list_reviews(repo, target.pr).await?;
        let shown = self.dashboards.show(target).await?;
        let stages: BTreeMap<String, Status> = shown
            .stages
            .iter()
            .map(|s| (s.key.clone(), s.status))
            .collect();
        let base_tip = self.base_tip(&pull).await?;
        // GitHub's answer to "does the head contain the base's tip?" (`mergeable_state`
        // says `behind` only when branch protection requires up-to-date branches).
        let behind_by = if self
            .setup
            .config
            .permissions
            .apply
            .requirements
            .contains(&Requirement::Undiverged)
        {
            Some(
                self.forge
                    .compare(repo, &base_tip, &target.sha)
                    .await?
                    .behind_by,
            )
        } else {
            None
        };
        let base_tip = Some(base_tip);
        Ok(ApplyFacts {
            repo: repo.to_string(),
            sha: target.sha.clone(),
            pull,
            reviews,
            stages,
            base_tip,
            behind_by,
        })
    }
}

fn refusal(project: &str, reasons: &[Refusal]) -> ProjectResult {
    let lines: Vec<String> = reasons.iter().map(|r| format!("refused: {r}")).collect();
    let first = lines.first().cloned().unwrap_or_else(|| "refused".into());
    ProjectResult::failed(project, first, &lines)
}

/// One stage for all applied projects: success when all succeeded, one output line, and
/// each project's details.
fn aggregate(results: &[ProjectResult]) -> (Status, String, Option<String>) {
    let status = if results.iter().all(|r| r.status == Status::Success) {
        Status::Success
    } else {
        Status::Failure
    };
    let output = match results {
        [one] => one.output.clone(),
        many => many
            .iter()
            .map(|r| format!("{}: {}", r.project, r.output))
            .collect::<Vec<_>>()
            .join("; "),
    };
    let mut details = String::new();
    for r in results {
        if let Some(d) = r.details.as_deref().filter(|d| !d.trim().is_empty()) {
            let _ = writeln!(details, "== {} ==\n{d}\n", r.project);
        }
    }
    (status, output, (!details.is_empty()).then_some(details))
}
