//! The dashboard use cases: `init`, `update`, `sync`, `show`; a run of legs in `runs`.

use infra_ci_config::{DashboardIdentity, Store};
use infra_ci_core::{
    Dashboard, StageDef, StageState, Status, escape::safe_link, is_valid_stage_key, status_line,
};
use infra_ci_github::{CommitStatus, Forge, StatusState};
use serde::Serialize;

use crate::adopt::adopt;
use crate::comment_store;
use crate::error::EngineError;
use crate::fence::Seen;
use crate::reconcile::{Ctx, Own, Tuning, reconcile};
use crate::target::Target;
use crate::truth::{STAGE_CONTEXT_PREFIX, Truth};

mod runs;

pub use runs::Closed;

/// The dashboards of a repository, as configured.
pub struct Dashboards<'f> {
    forge: &'f dyn Forge,
    stages: Vec<StageDef>,
    tuning: Tuning,
    store: Store,
    /// `dashboard` in the configuration: the one identity allowed to write, and the logins
    /// whose dashboards are adopted (`adopt.rs`).
    identity: DashboardIdentity,
}

impl std::fmt::Debug for Dashboards<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dashboards")
            .field("stages", &self.stages)
            .field("tuning", &self.tuning)
            .finish_non_exhaustive()
    }
}

/// One stage's new state, as a job reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageUpdate {
    /// The stage key (`plan-platform`, `apply.net`): the row, and the status context
    /// `infra-dashboard/<key>`.
    pub stage: String,
    /// Its new status word.
    pub status: Status,
    /// Where the row links (the job's or run's page); only `http(s)` is accepted.
    pub link: Option<String>,
    /// One line for the Output column (longer text is cut to fit).
    pub output: Option<String>,
    /// Longer text, shown collapsed under the table (budgeted).
    pub details: Option<String>,
}

/// What `init` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InitOutcome {
    /// The dashboard comment's id.
    pub comment_id: u64,
    /// The comment's address on GitHub.
    pub html_url: String,
}

/// What `update` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UpdateOutcome {
    /// The dashboard comment's id.
    pub comment_id: u64,
    /// The comment's address on GitHub.
    pub html_url: String,
    /// Reconcile rounds it took (1 when uncontended; 0 when a later writer renders it).
    pub rounds: u32,
    /// The stage key was not configured; a row was added for it.
    pub unknown_stage: bool,
    /// The stage status posted (`None` with `store: comment`): what a leg's details record
    /// names (ADR 0014).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_id: Option<u64>,
}

/// What `post_status` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Posted {
    /// The status posted (`None` with `store: comment`, where the comment was updated).
    pub status_id: Option<u64>,
    /// The stage key was not configured; it will be added as a row.
    pub unknown_stage: bool,
}

/// The dashboard as the truth tells it (`infra-ci show`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShownDashboard {
    /// The commit.
    pub sha: String,
    /// The dashboard comment, when the anchor points at one of ours that still exists.
    pub comment_id: Option<u64>,
    /// Every row, configured ones first, in dashboard order.
    pub stages: Vec<ShownStage>,
}

/// A row of [`ShownDashboard`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShownStage {
    /// The stage key.
    pub key: String,
    /// The name the row shows.
    pub name: String,
    /// Its status word.
    pub status: Status,
    /// Where the row links.
    pub link: Option<String>,
    /// Its one-line output.
    pub output: Option<String>,
    /// When its status was written (RFC 3339), if it has one.
    pub updated_at: Option<String>,
}

impl<'f> Dashboards<'f> {
    /// Dashboards with these rows, the truth in statuses, and no identity configured.
    pub fn new(forge: &'f dyn Forge, stages: Vec<StageDef>, tuning: Tuning) -> Self {
        Self {
            forge,
            stages,
            tuning,
            store: Store::Statuses,
            identity: DashboardIdentity::default(),
        }
    }

    /// The dashboards as a repository's configuration sets them up (stages and store).
    pub fn for_config(
        forge: &'f dyn Forge,
        config: &infra_ci_config::Config,
        tuning: Tuning,
    ) -> Self {
        Self::new(forge, config.stage_defs(), tuning)
            .with_store(config.store)
            .with_identity(config.dashboard.clone())
    }

    /// Who writes the dashboards and whose earlier ones are adopted (`dashboard:` in the
    /// configuration).
    #[must_use]
    pub fn with_identity(mut self, identity: DashboardIdentity) -> Self {
        self.identity = identity;
        self
    }

    /// Refuses, before any write, a token that is not the configured `dashboard.identity`:
    /// two identities leave two live dashboards on a commit. One request (cached by the
    /// client), only when an identity is configured.
    async fn check_identity(&self) -> Result<(), EngineError> {
        let Some(want) = &self.identity.identity else {
            return Ok(());
        };
        let me = self.forge.whoami().await?;
        if me.eq_ignore_ascii_case(want) {
            return Ok(());
        }
        Err(EngineError::Usage(format!(
            "this job's token writes as {me}, but .github/infra-ci.yml sets `dashboard.identity: {want}`: \
             give this job the same token as the others (for a GitHub App: GITHUB_APP_ID and \
             GITHUB_APP_PRIVATE_KEY), or change `dashboard.identity` (and list {me} under \
             `dashboard.predecessors` if its dashboards should be taken over)"
        )))
    }

    /// Where the truth lives (`store:` in the configuration). Statuses by default.
    #[must_use]
    pub fn with_store(mut self, store: Store) -> Self {
        self.store = store;
        self
    }

    /// The same dashboards with only `stages` as rows: a merge commit's dashboard shows the
    /// stages that run on it (post-merge verify), not the pull request's rows that no job
    /// will ever update there and would stay pending (issue 9, item 3).
    #[must_use]
    pub fn only(&self, stages: Vec<StageDef>) -> Self {
        Self {
            forge: self.forge,
            stages,
            tuning: self.tuning,
            store: self.store,
            identity: self.identity.clone(),
        }
    }

    /// The configured stages.
    pub fn stages(&self) -> &[StageDef] {
        &self.stages
    }

    fn ctx<'a>(&'a self, target: &'a Target, me: &'a str) -> Ctx<'a> {
        Ctx {
            forge: self.forge,
            target,
            me,
            stages: &self.stages,
            tuning: self.tuning,
        }
    }

    /// Finds or creates the commit's dashboard and brings it up to date.
    pub async fn init(&self, target: &Target) -> Result<InitOutcome, EngineError> {
        self.check_identity().await?;
        let me = self.forge.whoami().await?;
        if self.store == Store::Comment {
            let ctx = self.ctx(target, &me);
            let c = comment_store::find_or_create_pending(&ctx).await?;
            return Ok(InitOutcome {
                comment_id: c.id,
                html_url: c.html_url,
            });
        }
        let ctx = self.ctx(target, &me);
        let mut first = Seen::read(&ctx).await?;
        adopt(&ctx, &mut first, &self.identity.predecessors).await?;
        let r = reconcile(&ctx, first, &Own::default()).await?;
        Ok(InitOutcome {
            comment_id: r.comment_id,
            html_url: r.html_url,
        })
    }

    /// Re-renders the dashboard from the truth (repairs a damaged or deleted comment).
    pub async fn sync(&self, target: &Target) -> Result<InitOutcome, EngineError> {
        if self.store == Store::Comment {
            let me = self.forge.whoami().await?;
            let c = comment_store::sync(&self.ctx(target, &me)).await?;
            return Ok(InitOutcome {
                comment_id: c.id,
                html_url: c.html_url,
            });
        }
        self.init(target).await
    }

    /// What every write of a stage does first: the update as the configuration shows it
    /// (without details when `dashboard.details` is off: they stay in the job summary), its
    /// stage key and link checked (the safe link, and whether the stage is not configured),
    /// and the token checked against `dashboard.identity`.
    async fn begin(
        &self,
        mut u: StageUpdate,
    ) -> Result<(StageUpdate, Option<String>, bool), EngineError> {
        if !self.identity.details {
            u.details = None;
        }
        let (link, unknown_stage) = self.checked(&u)?;
        self.check_identity().await?;
        Ok((u, link, unknown_stage))
    }

    /// Who we are: the identity GitHub says wrote our status (no request), else `GET /user`.
    async fn writer(&self, posted: &CommitStatus) -> Result<String, EngineError> {
        match posted.creator.as_ref() {
            Some(c) if !c.login.is_empty() => Ok(c.login.clone()),
            _ => Ok(self.forge.whoami().await?),
        }
    }

    /// Posts a stage's status (`infra-dashboard/<stage>`, the status line as description):
    /// the one way a stage's truth is written.
    async fn post_stage_status(
        &self,
        target: &Target,
        u: &StageUpdate,
        link: Option<&str>,
    ) -> Result<CommitStatus, infra_ci_github::ForgeError> {
        self.forge
            .create_status(
                &target.repo,
                &target.sha,
                commit_state(u.status),
                &format!("{STAGE_CONTEXT_PREFIX}{}", u.stage),
                &status_line::encode(u.status, u.output.as_deref()),
                link,
            )
            .await
    }

    /// Checks an update's stage key and link; returns the safe link and whether the stage
    /// is not configured (it is then added as a row, with a warning).
    fn checked(&self, u: &StageUpdate) -> Result<(Option<String>, bool), EngineError> {
        if !is_valid_stage_key(&u.stage) {
            let hint = self
                .stages
                .iter()
                .find(|s| s.key == u.stage.to_ascii_lowercase().replace('_', "-"))
                .map(|s| format!(" Did you mean `{}`?", s.key))
                .unwrap_or_default();
            return Err(EngineError::Usage(format!(
                "stage key {:?} is not valid: stage keys are lowercase letters, digits and '-', at most 40 characters, as in .github/infra-ci.yml (or `stage.project` for a project's own row).{hint}",
                u.stage
            )));
        }
        let link = match u.link.as_deref() {
            Some(l) => Some(safe_link(l).ok_or_else(|| {
                EngineError::Usage(format!("--link {l:?} is not an http(s) URL"))
            })?),
            None => None,
        };
        let unknown_stage = !infra_ci_core::is_expected_key(&self.stages, &u.stage);
        if unknown_stage {
            tracing::warn!(stage = %u.stage, "stage is not configured; adding it as a row (check the workflow for a typo)");
        }
        Ok((link, unknown_stage))
    }

    /// Records a `pending` or `running` stage status **without rendering the comment**: one
    /// request. For a stage whose own result follows (a job's `running`): the result's
    /// update renders the comment, and with it this status if nothing newer replaced it;
    /// any other writer's render in between shows it too (ADR 0010). No writer leaves its
    /// render to such a status (`fence::renders`), so no other row waits on it.
    ///
    /// A final status (success, failure, skipped, cancelled) is refused: nothing would
    /// follow it to render it. With `store: comment` (no statuses) this is a full update.
    pub async fn post_status(
        &self,
        target: &Target,
        u: StageUpdate,
    ) -> Result<Posted, EngineError> {
        if u.status.is_terminal() {
            return Err(EngineError::Usage(format!(
                "status {} is a result: it must render the comment (post it with an update, not alone)",
                u.status
            )));
        }
        self.post_alone(target, u).await
    }

    /// A stage's status without a render, one request (`post_status`, and a run's result
    /// whose job posts another after it); with `store: comment` a full update.
    async fn post_alone(&self, target: &Target, u: StageUpdate) -> Result<Posted, EngineError> {
        if self.store == Store::Comment {
            let out = self.update(target, u).await?;
            return Ok(Posted {
                status_id: None,
                unknown_stage: out.unknown_stage,
            });
        }
        let (u, link, unknown_stage) = self.begin(u).await?;
        let posted = self.post_stage_status(target, &u, link.as_deref()).await?;
        Ok(Posted {
            status_id: Some(posted.id),
            unknown_stage,
        })
    }

    /// Records a stage's new state (its commit status) and reconciles the comment.
    /// Five round trips when uncontended, whatever the number of comments on the PR.
    pub async fn update(
        &self,
        target: &Target,
        u: StageUpdate,
    ) -> Result<UpdateOutcome, EngineError> {
        let (u, link, unknown_stage) = self.begin(u).await?;
        if self.store == Store::Comment {
            return self.update_in_comment(target, u, link, unknown_stage).await;
        }
        // Our status and the first read go out together: the read need not follow the
        // write (our own status is taken into account as posted; `reconcile` reads again
        // after it only when others are writing too). The read is the status list, of which
        // only our identity's statuses count once we know who we are (`Seen::of`, ADR 0006).
        let (posted, first) = tokio::try_join!(
            self.post_stage_status(target, &u, link.as_deref()),
            self.forge.list_statuses(&target.repo, &target.sha),
        )?;
        let me = self.writer(&posted).await?;
        let own = Own {
            status: Some(posted),
            details: u.details.map(|d| (u.stage.clone(), d)),
            ..Own::default()
        };
        let seen = Seen::of(&first, &me);
        self.reconciled(&self.ctx(target, &me), seen, &own, unknown_stage)
            .await
    }

    /// After our status: a predecessor's dashboard adopted if the commit has none of ours
    /// yet, then the comment reconciled with what `seen` shows and our own write.
    async fn reconciled(
        &self,
        ctx: &Ctx<'_>,
        mut seen: Seen,
        own: &Own,
        unknown_stage: bool,
    ) -> Result<UpdateOutcome, EngineError> {
        adopt(ctx, &mut seen, &self.identity.predecessors).await?;
        let r = reconcile(ctx, seen, own).await?;
        Ok(UpdateOutcome {
            comment_id: r.comment_id,
            html_url: r.html_url,
            rounds: r.rounds,
            unknown_stage,
            status_id: own.status.as_ref().map(|s| s.id),
        })
    }

    /// `update` with `store: comment`: the row goes into the comment, verified after writing.
    async fn update_in_comment(
        &self,
        target: &Target,
        u: StageUpdate,
        link: Option<String>,
        unknown_stage: bool,
    ) -> Result<UpdateOutcome, EngineError> {
        let me = self.forge.whoami().await?;
        let now = jiff::Timestamp::now();
        let name = self
            .stages
            .iter()
            .find(|s| s.key == u.stage)
            .map_or_else(|| u.stage.clone(), |s| s.name.clone());
        let row = StageState {
            key: u.stage,
            name,
            status: u.status,
            link,
            output: u.output,
            updated_at: Some(now.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()),
            details: u.details,
            revision: Some(u64::try_from(now.as_millisecond()).unwrap_or(0)),
        };
        let r = comment_store::update(&self.ctx(target, &me), &row).await?;
        Ok(UpdateOutcome {
            comment_id: r.comment_id,
            html_url: r.html_url,
            rounds: r.rounds,
            unknown_stage,
            status_id: None,
        })
    }

    /// The dashboard as the statuses tell it (or, with `store: comment`, as the comment
    /// shows it). One request with statuses (two past 100 contexts); writes nothing.
    pub async fn show(&self, target: &Target) -> Result<ShownDashboard, EngineError> {
        if self.store == Store::Comment {
            let me = self.forge.whoami().await?;
            let ctx = self.ctx(target, &me);
            return Ok(match comment_store::find(&ctx).await? {
                Some(c) => shown(&comment_store::read(&ctx, &c), Some(c.id)),
                None => shown(&Dashboard::new(target.sha.clone(), &self.stages), None),
            });
        }
        // Our own statuses only: a status anyone else wrote is never shown as ours.
        let me = self.forge.whoami().await?;
        let truth = Truth::read(self.forge, &target.repo, &target.sha, &me).await?;
        let d = crate::reconcile::project(&self.ctx(target, &me), &truth, None, &Own::default());
        let comment_id = match truth.anchor {
            Some(id) => crate::locate::anchored(self.forge, target, &me, Some(id))
                .await?
                .map(|c| c.id),
            None => None,
        };
        Ok(shown(&d, comment_id))
    }
}

/// The commit status state for a stage status. The exact word is in the description;
/// the state is what GitHub's merge box shows.
pub fn commit_state(s: Status) -> StatusState {
    match s {
        Status::Pending | Status::Running => StatusState::Pending,
        Status::Success | Status::Skipped => StatusState::Success,
        Status::Failure => StatusState::Failure,
        Status::Cancelled => StatusState::Error,
    }
}

fn shown(d: &Dashboard, comment_id: Option<u64>) -> ShownDashboard {
    ShownDashboard {
        sha: d.sha.clone(),
        comment_id,
        stages: d
            .stages
            .iter()
            .map(|s| ShownStage {
                key: s.key.clone(),
                name: s.name.clone(),
                status: s.status,
                link: s.link.clone(),
                output: s.output.clone(),
                updated_at: s.updated_at.clone(),
            })
            .collect(),
    }
}
