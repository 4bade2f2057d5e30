//! The dashboard use cases: `init`, `update`, `sync`, `show`.

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
use crate::reconcile::{Ctx, Own, RunRows, Tuning, reconcile};
use crate::target::Target;
use crate::truth::{STAGE_CONTEXT_PREFIX, Truth};

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

/// What a run's close job did ([`Dashboards::close_run`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Closed {
    /// The dashboard comment's id.
    pub comment_id: u64,
    /// The comment's address on GitHub.
    pub html_url: String,
    /// The legs marked cancelled: they ended without reporting.
    pub cancelled: Vec<String>,
    /// How many legs' details it brought to the comment (records whose result is still
    /// their row's newest).
    pub details: usize,
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

    /// `init` for a run of legs (ADR 0012): finds or creates the dashboard and, in the same
    /// write, shows each of `stages` running (linking to `link`), then marks the run in the
    /// fence after it (`run of K`). The legs then post their results with
    /// [`Dashboards::update_in_run`] and no `running` of their own. The rows' running is
    /// the comment's, backed by the mark: a render keeps it until the leg's result (a newer
    /// revision) replaces it. With `store: comment`, or no stage, this is `init`.
    ///
    /// `run_id`, the workflow run, is named in the mark so that the run's close job
    /// ([`Dashboards::close_run`]) knows it as its own.
    pub async fn open_run(
        &self,
        target: &Target,
        stages: &[String],
        link: Option<String>,
        run_id: Option<u64>,
    ) -> Result<InitOutcome, EngineError> {
        if self.store == Store::Comment || stages.is_empty() {
            return self.init(target).await;
        }
        for key in stages {
            self.checked(&StageUpdate {
                stage: key.clone(),
                status: Status::Running,
                link: link.clone(),
                output: None,
                details: None,
            })?;
        }
        let link = match link.as_deref() {
            Some(l) => Some(safe_link(l).ok_or_else(|| {
                EngineError::Usage(format!("--link {l:?} is not an http(s) URL"))
            })?),
            None => None,
        };
        self.check_identity().await?;
        let me = self.forge.whoami().await?;
        let ctx = self.ctx(target, &me);
        let mut first = Seen::read(&ctx).await?;
        adopt(&ctx, &mut first, &self.identity.predecessors).await?;
        let own = Own {
            run: Some(RunRows {
                stages: stages.to_vec(),
                link,
                revision: first.newest + 1,
                run_id,
            }),
            ..Own::default()
        };
        let r = reconcile(&ctx, first, &own).await?;
        Ok(InitOutcome {
            comment_id: r.comment_id,
            html_url: r.html_url,
        })
    }

    /// A leg's result in a run that [`Dashboards::open_run`] marked: its status, then one
    /// read of the newest statuses (one page, however long the list), after which the leg
    /// renders only when the run may be complete (its result may be the last), when the
    /// comment has not been rendered for [`RENDER_LAG_S`](crate::run::RENDER_LAG_S)
    /// seconds, when it brings details (they are in no status), or when the read cannot
    /// tell; otherwise the run's last result renders it (ADR 0012). Two requests for most
    /// legs. Without a run mark it is an `update` whose
    /// read follows its status.
    ///
    /// `details_follow`: the run's close job brings this leg's details (the caller keeps
    /// them as a [`LegDetails`](crate::LegDetails) record naming the returned `status_id`,
    /// ADR 0014), so they do not make the leg render; a leg that renders anyway shows them.
    pub async fn update_in_run(
        &self,
        target: &Target,
        u: StageUpdate,
        details_follow: bool,
    ) -> Result<UpdateOutcome, EngineError> {
        self.leg_result(target, u, details_follow, true).await
    }

    /// A leg's result whose own job posts another result of the same run after it (a
    /// native job's projects but the last to finish): its status alone, one request. The
    /// job's later result is posted after this one's answer, so its read (one request
    /// after it) shows this one, and that result's render, the run's last, or the run's
    /// close job covers it (ADR 0014). The caller must post that later result through
    /// [`Dashboards::update_in_run`]; a job that stops on an error renders its unreported
    /// legs' failures, which covers it too.
    pub async fn post_result_followed(
        &self,
        target: &Target,
        u: StageUpdate,
    ) -> Result<Posted, EngineError> {
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

    /// [`Dashboards::update_in_run`] for a leg given `parse`'s outputs (pull request and
    /// commit) without asking GitHub for the pull request: `target` (with `is_head: None`)
    /// is taken as `parse` resolved it when the leg's read shows `parse`'s run mark and our
    /// anchor on this pull request (`run::routed_here`); otherwise it is checked as
    /// [`Target::resolve`] checks it before the comment is touched. One request fewer a leg.
    pub async fn update_in_run_as_routed(
        &self,
        target: &Target,
        u: StageUpdate,
        details_follow: bool,
    ) -> Result<UpdateOutcome, EngineError> {
        self.leg_result(target, u, details_follow, false).await
    }

    async fn leg_result(
        &self,
        target: &Target,
        u: StageUpdate,
        details_follow: bool,
        resolved: bool,
    ) -> Result<UpdateOutcome, EngineError> {
        let (u, link, unknown_stage) = self.begin(u).await?;
        if self.store == Store::Comment {
            let target = self.resolved(target, resolved).await?;
            return self
                .update_in_comment(&target, u, link, unknown_stage)
                .await;
        }
        // A status on a commit is no dashboard: it may go out before the target is
        // checked; nothing touches a comment before it is.
        let posted = self.post_stage_status(target, &u, link.as_deref()).await?;
        let me = self.writer(&posted).await?;
        let (mut newest, all) = self
            .forge
            .list_statuses_newest(&target.repo, &target.sha)
            .await?;
        if !all {
            self.reach_the_mark(target, &me, &mut newest).await?;
        }
        let checked = resolved || crate::run::routed_here(&newest, &me, target);
        let target = &self.resolved(target, checked).await?;
        if u.status.is_terminal()
            && (u.details.is_none() || details_follow)
            && let Some(url) = crate::run::may_leave(&newest, &me, posted.id, &posted.created_at)
            && let Some(comment_id) = crate::truth::comment_id_from_url(&url)
        {
            tracing::debug!(stage = %u.stage, "the run's last result renders this one");
            return Ok(UpdateOutcome {
                comment_id,
                html_url: url,
                rounds: 0,
                unknown_stage,
                status_id: Some(posted.id),
            });
        }
        let ctx = self.ctx(target, &me);
        let seen = if all {
            Seen::of(&newest, &me)
        } else {
            Seen::read(&ctx).await?
        };
        let own = Own {
            status: Some(posted),
            details: u.details.map(|d| (u.stage.clone(), d)),
            read_after_post: true,
            ..Own::default()
        };
        self.reconciled(&ctx, seen, &own, unknown_stage).await
    }

    /// A leg's read when the newest page holds no run mark of ours (a hundred results
    /// pushed it off): the next pages, up to [`MARK_PAGES`](crate::run::MARK_PAGES) in all,
    /// until one shows a mark, merged into `newest`. One request a page, instead of the
    /// render a leg that sees no mark must make. Statuses posted between two pages shift
    /// the list, so a page may repeat some (merged once) and skip some older ones; a mark
    /// found on a later page was read with every status newer than it, a mark skipped is
    /// not found (and the leg renders). `newest` is then not the whole list: a render reads
    /// it again in full.
    async fn reach_the_mark(
        &self,
        target: &Target,
        me: &str,
        newest: &mut Vec<CommitStatus>,
    ) -> Result<(), EngineError> {
        let mut page = 1;
        while page < crate::run::MARK_PAGES && !crate::run::has_mark(newest, me) {
            page += 1;
            let (more, last) = self
                .forge
                .list_statuses_page(&target.repo, &target.sha, page)
                .await?;
            for s in more {
                if !newest.iter().any(|n| n.id == s.id) {
                    newest.push(s);
                }
            }
            if last {
                break;
            }
        }
        Ok(())
    }

    /// `target` itself when `checked`, else as [`Target::resolve`] finds it (the pull
    /// request read; a commit that is not the pull request's is refused).
    async fn resolved(&self, target: &Target, checked: bool) -> Result<Target, EngineError> {
        if checked {
            return Ok(target.clone());
        }
        Target::resolve(
            self.forge,
            target.repo.clone(),
            target.pr,
            Some(target.sha.as_str()),
        )
        .await
    }

    /// The close job of a run of legs (ADR 0014), after every leg: marks `cancelled` each
    /// of the run's `stages` that has no result of ours after the run's mark (a leg
    /// cancelled before its first step, or whose runner was lost, reports nothing), then
    /// renders once with the legs' details (`legs`, each attached only while the result it
    /// names is its row's newest). Nothing is cancelled when the newest mark is not the
    /// mark of workflow run `run_id` (a newer run shows those rows; it closes them).
    ///
    /// Statuses read, one `cancelled` per unreported leg (usually none), and a render:
    /// about six requests however many legs the run had. `target` may be unchecked
    /// (`parse`'s outputs): it is taken when the run's mark vouches for it
    /// (`run::routed_here`), else checked as [`Target::resolve`] checks it.
    pub async fn close_run(
        &self,
        target: &Target,
        stages: &[String],
        run_id: u64,
        link: Option<String>,
        legs: Vec<crate::run::LegDetails>,
    ) -> Result<Closed, EngineError> {
        const ENDED: &str = "the job ended before it reported (cancelled, or its runner lost)";
        let mut link_checked = None;
        for key in stages {
            let (link, _) = self.checked(&StageUpdate {
                stage: key.clone(),
                status: Status::Cancelled,
                link: link.clone(),
                output: None,
                details: None,
            })?;
            link_checked = link;
        }
        self.check_identity().await?;
        let me = self.forge.whoami().await?;
        if self.store == Store::Comment {
            // Runs are never opened with `store: comment` (`run_stages`): nothing to close.
            let c = comment_store::sync(&self.ctx(target, &me)).await?;
            return Ok(Closed {
                comment_id: c.id,
                html_url: c.html_url,
                cancelled: Vec::new(),
                details: 0,
            });
        }
        let all = self.forge.list_statuses(&target.repo, &target.sha).await?;
        // Given `parse`'s outputs: its run mark vouches for the pull request and commit.
        let checked = crate::run::routed_here(&all, &me, target);
        let target = &self.resolved(target, checked).await?;
        let cancelled: Vec<String> = crate::run::unreported(&all, &me, run_id, stages)
            .into_iter()
            .map(str::to_owned)
            .collect();
        let mut last = None;
        for key in &cancelled {
            let u = StageUpdate {
                stage: key.clone(),
                status: Status::Cancelled,
                link: link_checked.clone(),
                output: Some(ENDED.to_owned()),
                details: None,
            };
            last = Some(
                self.post_stage_status(target, &u, link_checked.as_deref())
                    .await?,
            );
        }
        let ctx = self.ctx(target, &me);
        let seen = match &last {
            // A read that shows our last `cancelled` shows the others before it.
            Some(s) => crate::fence::read_after(&ctx, s.id).await?,
            None => Seen::of(&all, &me),
        };
        let legs = if self.identity.details {
            legs.into_iter()
                .filter(|l| {
                    seen.truth
                        .stages
                        .get(&l.stage)
                        .is_some_and(|t| t.revision == l.status_id)
                })
                .collect()
        } else {
            Vec::new()
        };
        let details = legs.len();
        let own = Own {
            status: last,
            leg_details: legs,
            read_after_post: true,
            ..Own::default()
        };
        let r = self.reconciled(&ctx, seen, &own, false).await?;
        Ok(Closed {
            comment_id: r.comment_id,
            html_url: r.html_url,
            cancelled,
            details,
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
