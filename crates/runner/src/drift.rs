//! `infra-ci drift`: plan every project and keep ONE issue, "Infrastructure drift", in step
//! with the result: opened (or reopened) listing what drifted, updated in place, closed
//! when everything is clean. The issue is found by its label, a hidden marker in its body
//! and its author (us): a marker in someone else's issue is ignored.

use std::fmt::Write as _;

use infra_ci_core::Status;
use infra_ci_github::{Issue, IssueState, Sha};

use crate::error::RunnerError;
use crate::plan_store::PlanStore;
use crate::report::Reporter;
use crate::runner::{Runner, Selection};
use crate::steps::ProjectResult;
use crate::text;

/// The issue's title.
pub const DRIFT_TITLE: &str = "Infrastructure drift";
/// The hidden marker that identifies the issue (with its author).
pub const DRIFT_MARKER: &str = "<!-- infra-ci:drift -->";
/// The label the issue carries and is listed by.
pub const DRIFT_LABEL: &str = "infra-ci-drift";
/// Characters of one project's section in the issue body.
const SECTION_CHARS: usize = 8_000;
/// The body stays below GitHub's 65,536-character limit.
const BODY_CHARS: usize = 60_000;
/// The plans of a drift check are not kept: they live in a temporary directory under this name.
const SCRATCH: &str = "0000000000000000000000000000000000000000";

/// What the drift check found and did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DriftReport {
    /// One plan result per project, in dependency order.
    pub results: Vec<ProjectResult>,
    /// The issue after the check (`None` when there was none and nothing drifted).
    pub issue: Option<(u64, IssueState)>,
}

impl DriftReport {
    /// Every project planned with nothing to change (exit 0); otherwise exit 1.
    pub fn clean(&self) -> bool {
        self.results.iter().all(is_clean)
    }
}

/// Planned without error, with changes: real drift (a failed plan says nothing either way).
fn is_drifted(r: &ProjectResult) -> bool {
    r.status == Status::Success && !is_clean(r)
}

fn is_clean(r: &ProjectResult) -> bool {
    r.status == Status::Success
        && r.summary
            .as_ref()
            .is_some_and(infra_ci_plan::Summary::is_empty)
}

impl Runner<'_> {
    /// Plans every project (Digger's too) and updates the drift issue.
    pub async fn drift(&self) -> Result<DriftReport, RunnerError> {
        let projects = self.select(&Selection::All)?;
        if projects.is_empty() {
            return Err(RunnerError::Usage(
                "no project to plan: nothing could be checked".into(),
            ));
        }
        let scratch = tempfile::tempdir()
            .map_err(|e| RunnerError::io("cannot create a temporary directory", e))?;
        let store = PlanStore::new(scratch.path())?;
        let quiet = Reporter {
            dashboards: &self.dashboards,
            target: None,
            link: None,
            run: None,
        };
        let results = self
            .plan_projects(&projects, &Sha::new(SCRATCH), false, None, &quiet, &store)
            .await?;
        let mut report = DriftReport {
            results,
            issue: None,
        };
        let existing = self.drift_issue().await?;
        let repo = &self.setup.repo;
        let body = self.drift_body(&report.results);
        // A project whose plan failed (its `init`, credentials, …) says nothing about drift:
        // it never opens the issue, and never lets it be closed (issue 9, item 8). The
        // check still exits 1.
        let drifted = report.results.iter().any(is_drifted);
        let failed = report.results.iter().any(|r| r.status != Status::Success);
        let after: Option<Issue> = match (drifted, failed, existing) {
            (true, _, Some(i)) => Some(
                self.forge
                    .update_issue(repo, i.number, Some(&body), Some(IssueState::Open))
                    .await?,
            ),
            (true, _, None) => Some(
                self.forge
                    .create_issue(repo, DRIFT_TITLE, &body, &[DRIFT_LABEL.to_owned()])
                    .await?,
            ),
            (false, true, Some(i)) if i.state == IssueState::Open => Some(
                self.forge
                    .update_issue(repo, i.number, Some(&body), None)
                    .await?,
            ),
            (false, false, Some(i)) if i.state == IssueState::Open => Some(
                self.forge
                    .update_issue(repo, i.number, Some(&body), Some(IssueState::Closed))
                    .await?,
            ),
            (false, _, other) => other,
        };
        report.issue = after.map(|i| (i.number, i.state));
        Ok(report)
    }

    /// Our drift issue: labelled, authored by us, carrying the marker; the oldest if several.
    async fn drift_issue(&self) -> Result<Option<Issue>, RunnerError> {
        let me = self.forge.whoami().await?;
        let mut ours: Vec<Issue> = self
            .forge
            .list_issues(&self.setup.repo, DRIFT_LABEL, None)
            .await?
            .into_iter()
            .filter(|i| {
                i.user
                    .as_ref()
                    .is_some_and(|u| u.login.eq_ignore_ascii_case(&me))
                    && i.body.as_deref().is_some_and(|b| b.contains(DRIFT_MARKER))
            })
            .collect();
        ours.sort_by_key(|i| i.number);
        Ok(ours.into_iter().next())
    }

    fn drift_body(&self, results: &[ProjectResult]) -> String {
        let mut body = format!("{DRIFT_MARKER}\n## {DRIFT_TITLE}\n\n");
        let when = jiff::Timestamp::now().strftime("%Y-%m-%d %H:%M UTC");
        let _ = write!(body, "Last checked {when}");
        if let Some(url) = &self.setup.run_url {
            let _ = write!(body, " ([run]({url}))");
        }
        body.push_str(".\n\n| Project | Status | Plan |\n|---|---|---|\n");
        for r in results {
            let icon = if is_clean(r) {
                "✅"
            } else if r.status == Status::Success {
                "⚠️"
            } else {
                r.status.emoji()
            };
            let _ = writeln!(
                body,
                "| `{}` | {icon} | {} |",
                r.project,
                text::escape_line(&r.output)
            );
        }
        if results.iter().all(is_clean) {
            body.push_str("\nEverything matches the code: closing.\n");
        } else if !results.iter().any(is_drifted) {
            body.push_str("\nThe last check failed before it could tell: see the run.\n");
        }
        for r in results.iter().filter(|r| !is_clean(r)) {
            let section = match &r.summary {
                Some(s) => s.to_markdown(),
                None => r.details.as_deref().map_or_else(String::new, |d| {
                    let d = text::first_chars(d, SECTION_CHARS);
                    let f = text::fence(&d);
                    format!("{f}text\n{d}\n{f}\n")
                }),
            };
            let section = format!("\n### `{}`\n\n{section}\n", r.project);
            if body.chars().count() + section.chars().count() > BODY_CHARS {
                body.push_str("\n… (more projects in the run's job summary)\n");
                break;
            }
            body.push_str(&section);
        }
        body
    }
}
