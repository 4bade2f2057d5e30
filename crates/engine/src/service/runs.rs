//! The dashboards of a run of legs (ADR 0012, 0014): the routing job opens the run, each
//! leg posts its result, and the run's close job ends it.

use infra_ci_config::Store;
use infra_ci_core::{Status, escape::safe_link};
use infra_ci_github::{CommitStatus, StatusState};
use serde::Serialize;

use super::{Dashboards, InitOutcome, Posted, StageUpdate, UpdateOutcome};
use crate::adopt::adopt;
use crate::comment_store;
use crate::error::EngineError;
use crate::fence::Seen;
use crate::reconcile::{Own, RunRows, reconcile};
use crate::target::Target;
use crate::truth::ANCHOR_CONTEXT;

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

impl Dashboards<'_> {
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
    /// comment has not been rendered for `run::RENDER_LAG_S`
    /// seconds, when it brings details that no close job will bring (they are in no
    /// status), or when the read cannot tell; otherwise the run's last result renders it
    /// (ADR 0012). Two requests for most legs (one more page when a hundred statuses pushed
    /// the mark off the newest one). Without a run mark it is an `update` whose read
    /// follows its status.
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
        self.post_alone(target, u).await
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
    /// Statuses read, the anchor posted again and read after (so the read that decides
    /// shows every leg's result, however far reads lag), one `cancelled` per unreported leg
    /// (usually none), and a render: about eight requests however many legs the run had.
    /// `target` may be unchecked (`parse`'s outputs): it is taken when the run's mark
    /// vouches for it (`run::routed_here`), else checked as [`Target::resolve`] checks it.
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
        let first = self.forge.list_statuses(&target.repo, &target.sha).await?;
        // Reads may lag writes: a leg's result posted a moment ago may be missing from this
        // read, and a leg taken for unreported would be cancelled over its result. A status
        // of ours first (the anchor again, pointing at the same comment; no fence, it claims
        // no render), then a read that shows it: that read shows every earlier status, so
        // every leg's result (the legs ended before this job began).
        let all = match crate::run::newest_anchor_url(&first, &me) {
            Some(url) => {
                let closing = self
                    .forge
                    .create_status(
                        &target.repo,
                        &target.sha,
                        StatusState::Success,
                        ANCHOR_CONTEXT,
                        &crate::run::closing_description(run_id),
                        Some(&url),
                    )
                    .await?;
                crate::fence::statuses_after(&self.ctx(target, &me), closing.id).await?
            }
            None => first,
        };
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
}
