//! `infra-ci run plan [PROJECT…]` and `run bootstrap plan`: plan each project on the pull
//! request's head, save the plan with its record, and report each project's stage.

use infra_ci_config::Project;
use infra_ci_core::Status;
use infra_ci_engine::provenance;
use infra_ci_github::Sha;

use crate::error::RunnerError;
use crate::plan_store::{PlanRecord, PlanStore, sha256_file};
use crate::report::{Reporter, RunLegs};
use crate::runner::{RunReport, Runner, Selection};
use crate::schedule::run_all;
use crate::steps::{self, ProjectResult};

impl Runner<'_> {
    /// Plans the selected projects of pull request `pr` on `sha` (default: its head).
    pub async fn plan(
        &self,
        pr: u64,
        sha: Option<Sha>,
        sel: &Selection,
    ) -> Result<RunReport, RunnerError> {
        let projects = self.select(sel)?;
        if projects.is_empty() {
            return Err(RunnerError::Usage(
                "no project to plan: name projects, or set `runner: native` on the ones infra-ci runs".into(),
            ));
        }
        let (target, pull) = self.pull_target(pr, sha).await?;
        let base = self.base_tip(&pull).await?;
        let legs = self
            .in_run
            .then(|| RunLegs::new(projects.len(), self.details_dir.clone()));
        let reporter = Reporter {
            dashboards: &self.dashboards,
            target: Some(&target),
            link: self.setup.run_url.as_deref(),
            run: legs.as_ref(),
        };
        let planned = self
            .plan_projects(
                &projects,
                &target.sha,
                true,
                Some(base),
                &reporter,
                &self.setup.plans,
            )
            .await;
        if let (Err(e), Some(legs)) = (&planned, &legs) {
            self.fail_unreported(&reporter, legs, &projects, e).await;
        }
        Ok(RunReport { results: planned? })
    }

    /// A run's legs that stopped on an error without their result: each gets a failure,
    /// rendered (a plain update). Otherwise the run would never count its K results, its
    /// last leg could leave its render to a result that never comes, and these rows would
    /// show the routing job's running for good. Best effort: the error is what the job
    /// reports; a failure to post here is a warning.
    async fn fail_unreported(
        &self,
        reporter: &Reporter<'_>,
        legs: &RunLegs,
        projects: &[&Project],
        error: &RunnerError,
    ) {
        let line = error.to_string();
        let line = line.lines().next().unwrap_or("error");
        for p in projects {
            let stage = p.stage.as_str();
            if legs.has_reported(stage) {
                continue;
            }
            let output = format!("plan {}: {line}", p.name.as_str());
            if let Err(e) = reporter
                .set(stage, Status::Failure, Some(output), None)
                .await
            {
                eprintln!("::warning::could not report the failed leg {stage}: {e}");
            }
        }
    }

    /// Plans `projects` on commit `sha` into `store`, each reported on its own stage.
    /// `record_provenance`: whether `sha` is a real commit that gets infra-ci's plan record (a
    /// drift check plans under a scratch name that is no commit: GitHub would refuse it).
    pub(crate) async fn plan_projects(
        &self,
        projects: &[&Project],
        sha: &Sha,
        record_provenance: bool,
        base: Option<Sha>,
        reporter: &Reporter<'_>,
        store: &PlanStore,
    ) -> Result<Vec<ProjectResult>, RunnerError> {
        for p in projects {
            self.project_dir(p)?;
        }
        store.prepare(sha)?;
        run_all(projects, |p, blocked| {
            let base = base.clone();
            async move {
                let stage = p.stage.as_str();
                let name = p.name.as_str();
                if let Some(reason) = blocked {
                    let r = ProjectResult::skipped(name, reason);
                    reporter.result(stage, &r).await?;
                    return Ok(r);
                }
                reporter.running_result_follows(stage).await?;
                let dir = self.project_dir(p)?;
                let planfile = store.plan_path(sha, name)?;
                let r = steps::plan(self.cwd(p, &dir), name, &planfile).await?;
                let digest = if r.status == Status::Success {
                    Some(self.record(store, &r, sha, base.as_ref(), &planfile)?)
                } else {
                    None
                };
                // infra-ci's own record of this plan: what the apply gate will trust.
                if record_provenance {
                    provenance::record(
                        self.forge,
                        &self.setup.repo,
                        sha,
                        name,
                        r.status,
                        digest.as_deref(),
                        base.as_ref(),
                    )
                    .await?;
                }
                self.setup.step_summary.project("Plan", &r)?;
                reporter.result(stage, &r).await?;
                Ok(r)
            }
        })
        .await
    }

    fn record(
        &self,
        store: &PlanStore,
        r: &ProjectResult,
        sha: &Sha,
        base: Option<&Sha>,
        planfile: &std::path::Path,
    ) -> Result<String, RunnerError> {
        let checksum = sha256_file(planfile)
            .map_err(|e| RunnerError::io(format!("cannot read {}", planfile.display()), e))?;
        store.write_record(&PlanRecord {
            version: 1,
            project: r.project.clone(),
            head_sha: sha.clone(),
            base_sha: base.cloned(),
            plan_sha256: checksum.clone(),
            summary: r.output.clone(),
            destructive: r
                .summary
                .as_ref()
                .is_some_and(infra_ci_plan::Summary::has_destructive),
            binary: self.setup.tool.name(),
            created_at: jiff::Timestamp::now().to_string(),
        })?;
        Ok(checksum)
    }
}
