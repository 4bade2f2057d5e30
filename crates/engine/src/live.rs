//! The seed's preferred "Python API" shape: load, `update_stage`, `save`.

use infra_ci_core::{StageDef, Status};
use infra_ci_github::Forge;

use crate::error::EngineError;
use crate::reconcile::Tuning;
use crate::service::{Dashboards, InitOutcome, StageUpdate};
use crate::target::Target;

/// A commit's dashboard with pending stage changes, saved together.
///
/// `update_stage` only records the change; `save` posts each changed stage's status and
/// reconciles the comment (the same lossless path as `infra-ci update`).
pub struct LiveDashboard<'f> {
    dashboards: Dashboards<'f>,
    target: Target,
    comment: InitOutcome,
    pending: Vec<StageUpdate>,
}

impl std::fmt::Debug for LiveDashboard<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveDashboard")
            .field("target", &self.target)
            .field("pending", &self.pending)
            .finish_non_exhaustive()
    }
}

impl<'f> LiveDashboard<'f> {
    /// Finds the commit's dashboard by its marker (creating it when there is none).
    pub async fn load(
        forge: &'f dyn Forge,
        target: Target,
        stages: Vec<StageDef>,
    ) -> Result<Self, EngineError> {
        let dashboards = Dashboards::new(forge, stages, Tuning::default());
        let comment = dashboards.init(&target).await?;
        Ok(Self {
            dashboards,
            target,
            comment,
            pending: Vec::new(),
        })
    }

    /// The dashboard comment's id.
    pub fn comment_id(&self) -> u64 {
        self.comment.comment_id
    }

    /// Records a stage change; nothing is sent until [`LiveDashboard::save`].
    pub fn update_stage(&mut self, key: &str, status: Status, link: Option<String>) {
        self.pending.retain(|u| u.stage != key);
        self.pending.push(StageUpdate {
            stage: key.to_owned(),
            status,
            link,
            output: None,
            details: None,
        });
    }

    /// Like [`LiveDashboard::update_stage`], with an output line.
    pub fn update_stage_with_output(
        &mut self,
        key: &str,
        status: Status,
        link: Option<String>,
        output: Option<String>,
    ) {
        self.update_stage(key, status, link);
        if let Some(u) = self.pending.last_mut() {
            u.output = output;
        }
    }

    /// Sends the recorded changes and brings the comment up to date.
    pub async fn save(&mut self) -> Result<(), EngineError> {
        for u in std::mem::take(&mut self.pending) {
            let out = self.dashboards.update(&self.target, u).await?;
            self.comment = InitOutcome {
                comment_id: out.comment_id,
                html_url: out.html_url,
            };
        }
        Ok(())
    }
}
