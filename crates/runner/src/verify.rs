//! `infra-ci run verify --sha SHA`: after a merge to the default branch, plan every project
//! on the merged commit. Anything left to change means the merge was not (fully) applied:
//! the `verify` stage of the merge commit's dashboard (on the pull request that brought it)
//! turns `failure`, and the command exits 1.

use infra_ci_core::{StageDef, Status};
use infra_ci_engine::Target;
use infra_ci_github::Sha;

use crate::error::RunnerError;
use crate::report::Reporter;
use crate::runner::{Runner, Selection};
use crate::steps::ProjectResult;

/// The dashboard stage post-merge verification reports to. Not among the seed's stages:
/// the engine adds it as a row (add `{key: verify, name: Verify}` to `stages` to place it).
pub const VERIFY_STAGE: &str = "verify";

/// What verification found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// The merge commit that was planned.
    pub sha: Sha,
    /// The pull request whose dashboard was marked, when the commit came from one.
    pub pr: Option<u64>,
    /// One plan result per project, in dependency order.
    pub results: Vec<ProjectResult>,
}

impl VerifyReport {
    /// Every project planned cleanly with nothing to change.
    pub fn clean(&self) -> bool {
        self.results.iter().all(|r| {
            r.status == Status::Success
                && r.summary
                    .as_ref()
                    .is_some_and(infra_ci_plan::Summary::is_empty)
        })
    }

    /// One line for the Output column.
    pub fn line(&self) -> String {
        if self.clean() {
            return format!("no changes in {} project(s)", self.results.len());
        }
        self.results
            .iter()
            .filter(|r| {
                !(r.status == Status::Success
                    && r.summary
                        .as_ref()
                        .is_some_and(infra_ci_plan::Summary::is_empty))
            })
            .map(|r| format!("{}: {}", r.project, r.output))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

impl Runner<'_> {
    /// Plans every project (Digger's too) on `sha` and marks the merge commit's dashboard.
    pub async fn verify(&self, sha: &Sha) -> Result<VerifyReport, RunnerError> {
        let projects = self.select(&Selection::All)?;
        if projects.is_empty() {
            return Err(RunnerError::Usage(
                "no project to plan: nothing could be checked".into(),
            ));
        }
        let pulls = self.forge.pulls_for_commit(&self.setup.repo, sha).await?;
        let pr = pulls
            .iter()
            .find(|p| p.merge_commit_sha.as_deref() == Some(sha))
            .or_else(|| pulls.first())
            .map(|p| p.number);
        let target = match pr {
            Some(n) => {
                Some(Target::resolve(self.forge, self.setup.repo.clone(), n, Some(sha)).await?)
            }
            None => None,
        };
        let link = self.setup.run_url.as_deref();
        // The merge commit's dashboard has one row, the verdict: the PR's other stages never
        // run on it. The head's dashboard stays visible beside it (it is not minimized).
        let verify_def = self
            .dashboards
            .stages()
            .iter()
            .find(|s| s.key == VERIFY_STAGE)
            .cloned()
            .unwrap_or_else(|| StageDef::new(VERIFY_STAGE, "Post-merge verify"));
        let merge_dashboards = self.dashboards.only(vec![verify_def]);
        let stage = Reporter {
            dashboards: &merge_dashboards,
            target: target.as_ref(),
            link,
            run: None,
        };
        stage.running(VERIFY_STAGE).await?;
        // Projects are not reported one by one: the merge commit's row is the verdict.
        let quiet = Reporter {
            dashboards: &self.dashboards,
            target: None,
            link,
            run: None,
        };
        let results = self
            .plan_projects(
                &projects,
                &Sha::new(sha.to_ascii_lowercase()),
                true,
                None,
                &quiet,
                &self.setup.plans,
            )
            .await?;
        let report = VerifyReport {
            sha: sha.clone(),
            pr,
            results,
        };
        let details: String = report
            .results
            .iter()
            .filter_map(|r| {
                r.details
                    .as_deref()
                    .map(|d| format!("== {} ==\n{d}\n", r.project))
            })
            .collect();
        let status = if report.clean() {
            Status::Success
        } else {
            Status::Failure
        };
        stage
            .set(
                VERIFY_STAGE,
                status,
                Some(report.line()),
                (!details.is_empty()).then_some(details),
            )
            .await?;
        Ok(report)
    }
}
