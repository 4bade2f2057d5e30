//! Where results go: the commit's dashboard (a stage per project, through the engine) and
//! the job summary file (`GITHUB_STEP_SUMMARY`, appended).

use std::collections::BTreeSet;
use std::io::Write as _;
use std::path::PathBuf;
use std::sync::Mutex;

use infra_ci_core::Status;
use infra_ci_engine::{Dashboards, LegDetails, StageUpdate, Target};

use crate::error::RunnerError;
use crate::steps::ProjectResult;
use crate::text;

/// Writes stages of one commit's dashboard; without a target (drift, a push without a pull
/// request) it writes nothing.
pub(crate) struct Reporter<'a> {
    pub dashboards: &'a Dashboards<'a>,
    pub target: Option<&'a Target>,
    pub link: Option<&'a str>,
    /// `Some` when the stages are legs of a run the routing job opened (ADR 0012): their
    /// rows already show running, so no `running` is posted, and each result goes through
    /// [`Dashboards::update_in_run`]. `None`: every report as before (ADR 0010).
    pub run: Option<&'a RunLegs>,
}

/// The legs of an opened run this job reports, and which of them have posted a result.
#[derive(Debug, Default)]
pub(crate) struct RunLegs {
    reported: Mutex<BTreeSet<String>>,
    /// Where the legs' details go for the run's close job (ADR 0014), when one follows.
    details_dir: Option<PathBuf>,
    /// Results this job has still to post. Held while a result is posted, so the job's
    /// results are posted one after another: the last one's status (and its read) come
    /// after every other one's answer.
    to_post: tokio::sync::Mutex<usize>,
}

impl RunLegs {
    /// The legs of a job that will post `legs` results.
    pub(crate) fn new(legs: usize, details_dir: Option<PathBuf>) -> Self {
        Self {
            details_dir,
            to_post: tokio::sync::Mutex::new(legs),
            ..Self::default()
        }
    }

    fn reported(&self, stage: &str) {
        if let Ok(mut r) = self.reported.lock() {
            r.insert(stage.to_owned());
        }
    }

    /// Whether `stage`'s result was posted.
    pub(crate) fn has_reported(&self, stage: &str) -> bool {
        self.reported.lock().is_ok_and(|r| r.contains(stage))
    }
}

impl std::fmt::Debug for Reporter<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reporter")
            .field("target", &self.target)
            .finish_non_exhaustive()
    }
}

impl Reporter<'_> {
    /// Sets `stage` to `status` with a one-line output and optional details.
    pub async fn set(
        &self,
        stage: &str,
        status: Status,
        output: Option<String>,
        details: Option<String>,
    ) -> Result<(), RunnerError> {
        let Some(target) = self.target else {
            return Ok(());
        };
        self.dashboards
            .update(
                target,
                StageUpdate {
                    stage: stage.to_owned(),
                    status,
                    link: self.link.map(str::to_owned),
                    output,
                    details: details.map(|d| text::first_chars(&d, text::DETAILS_CHARS)),
                },
            )
            .await?;
        Ok(())
    }

    /// `running`, with the run link, rendered: for a stage alone in its job (an apply, a
    /// verify), whose row is the only sign of life for minutes.
    pub async fn running(&self, stage: &str) -> Result<(), RunnerError> {
        self.set(stage, Status::Running, None, None).await
    }

    /// `running`, with the run link: the status alone, one request, for a project among
    /// others (a plan). The project's result (`result`, which every path after this one
    /// reports) renders the comment, this row with it, and so does any other project's
    /// render in between (ADR 0010).
    /// In an opened run nothing is posted: the routing job's write shows the row running.
    pub async fn running_result_follows(&self, stage: &str) -> Result<(), RunnerError> {
        let Some(target) = self.target else {
            return Ok(());
        };
        if self.run.is_some() {
            return Ok(());
        }
        self.dashboards
            .post_status(
                target,
                StageUpdate {
                    stage: stage.to_owned(),
                    status: Status::Running,
                    link: self.link.map(str::to_owned),
                    output: None,
                    details: None,
                },
            )
            .await?;
        Ok(())
    }

    /// A project's result on its stage. In an opened run: the status and one read, and a
    /// render only when the run's last result may be this one, the comment is stale, or
    /// the result brings details (a plan's summary always does: details are in no status)
    /// and no close job follows to bring them (ADR 0014; with one, they are saved for it).
    pub async fn result(&self, stage: &str, r: &ProjectResult) -> Result<(), RunnerError> {
        let (Some(run), Some(target)) = (self.run, self.target) else {
            return self
                .set(stage, r.status, Some(r.output.clone()), r.details.clone())
                .await;
        };
        let details = r
            .details
            .as_deref()
            .map(|d| text::first_chars(d, text::DETAILS_CHARS));
        let u = StageUpdate {
            stage: stage.to_owned(),
            status: r.status,
            link: self.link.map(str::to_owned),
            output: Some(r.output.clone()),
            details: details.clone(),
        };
        let details_follow = run.details_dir.is_some();
        let mut to_post = run.to_post.lock().await;
        *to_post = to_post.saturating_sub(1);
        // Another result of this job follows (posted after this one's answer, its read
        // shows this one): the status alone, unless this result must render its details.
        let status_id = if *to_post > 0 && (details_follow || details.is_none()) {
            self.dashboards
                .post_result_followed(target, u)
                .await?
                .status_id
        } else {
            drop(to_post);
            self.dashboards
                .update_in_run(target, u, details_follow)
                .await?
                .status_id
        };
        run.reported(stage);
        if let (Some(dir), Some(details), Some(status_id)) = (&run.details_dir, details, status_id)
        {
            keep_details(dir, stage, status_id, details);
        }
        Ok(())
    }
}

/// Saves a leg's details in `dir` for the run's close job (ADR 0014), naming the result
/// status they describe. A failure is a warning, never the job's: details are display,
/// the row is right without them, and the job summary has them.
pub fn keep_details(dir: &std::path::Path, stage: &str, status_id: u64, details: String) {
    let record = LegDetails {
        stage: stage.to_owned(),
        status_id,
        details,
    };
    if let Err(e) = record.save(dir) {
        eprintln!("::warning::could not save {stage}'s details for the run's close job: {e}");
    }
}

/// The job summary file, appended to (never truncated: other steps write to it too).
#[derive(Debug, Clone, Default)]
pub struct StepSummary {
    path: Option<PathBuf>,
}

impl StepSummary {
    /// Appends to `path` when given.
    pub fn new(path: Option<PathBuf>) -> Self {
        Self { path }
    }

    /// Appends one project's section.
    pub(crate) fn project(&self, verb: &str, r: &ProjectResult) -> Result<(), RunnerError> {
        self.append(&text::step_summary(verb, r))
    }

    /// Appends text (one write, so parallel projects do not interleave within a section).
    pub(crate) fn append(&self, text: &str) -> Result<(), RunnerError> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .and_then(|mut f| f.write_all(text.as_bytes()))
            .map_err(|e| RunnerError::io(format!("cannot append to {}", path.display()), e))
    }
}
