//! The reconcile loop: render the comment from the truth until it covers every status read.
//!
//! Why it is lossless: every writer posts its status (append-only, no conflict), and a
//! writer that writes the comment then posts a fence (`fence.rs`) and reads until the read
//! shows it; it stops only when that read shows nothing newer than what it wrote. So the
//! last write to the comment is followed by a read that covers every status posted before
//! it, and any status posted after it has a writer still to come. Status reads may lag
//! writes (GitHub's replicas; the emulator's stale reads): a read is known fresh by the ids
//! it shows, and read again only when it lags, instead of waiting a fixed pause every time.
//! A writer that sees a later write of ours than its own leaves the render to that writer
//! (coalescing). Rows carry revisions (status ids), so a stale read never regresses what
//! the comment shows.

use std::time::Duration;

use infra_ci_core::{Budget, Dashboard, StageDef, parse, render};
use infra_ci_github::{CommitStatus, Forge, StatusState};
use rand::Rng;
use tracing::debug;

use crate::error::EngineError;
use crate::fence::{Seen, fence_description, read_after};
use crate::locate::{anchored, find_or_create};
use crate::target::Target;
use crate::truth::{ANCHOR_CONTEXT, Truth, comment_id_from_url};

/// Knobs of the reconcile loop.
#[derive(Debug, Clone, Copy)]
pub struct Tuning {
    /// Rounds before giving up (the statuses still hold the truth).
    pub max_rounds: u32,
    /// Base of the randomized pause between rounds.
    pub jitter_ms: u64,
    /// How long reads may lag writes: the longest pause before reading a lagging status
    /// read again (reads that show our write are never waited for), and the pause of
    /// `store: comment` and of a create whose answer was lost before they look again.
    pub settle_ms: u64,
    /// How many of the newest comment pages a marker scan reads.
    pub scan_pages: u32,
    /// The comment's size budget.
    pub budget: Budget,
}

impl Default for Tuning {
    fn default() -> Self {
        Self {
            max_rounds: 10,
            jitter_ms: 100,
            settle_ms: 750,
            scan_pages: 3,
            budget: Budget::default(),
        }
    }
}

/// What a writer brings besides the truth: its own status (which a lagging read may not
/// show yet) and the details text of its stage.
#[derive(Debug, Clone, Default)]
pub struct Own {
    pub status: Option<CommitStatus>,
    pub details: Option<(String, String)>,
    /// A run's rows to show running (the routing job's one write for a run, ADR 0012).
    pub run: Option<RunRows>,
    /// Details a run's close job brings for its legs' results (ADR 0014), each attached only
    /// while the result it describes is its row's newest.
    pub leg_details: Vec<crate::run::LegDetails>,
    /// The first read was made after our status was posted (a run's leg): it already shows
    /// every earlier writer, so no second read is made for a later one.
    pub read_after_post: bool,
}

impl Own {
    /// Details live in the comment only: a writer that brings some writes them itself and
    /// never leaves its render to a later writer.
    fn brings_details(&self) -> bool {
        self.details.is_some() || !self.leg_details.is_empty()
    }
}

/// The rows a run will report, shown running by the routing job's render; the fence after
/// it carries `run of K` (the run mark, `run.rs`).
#[derive(Debug, Clone)]
pub struct RunRows {
    /// The stage keys of the run's legs.
    pub stages: Vec<String>,
    /// Where the rows link (the run).
    pub link: Option<String>,
    /// The rows' revision: above every status of theirs the routing job read, below every
    /// result a leg posts after it (the legs start after the routing job).
    pub revision: u64,
    /// The workflow run, named in the mark so that the run's close job knows it (ADR 0014).
    pub run_id: Option<u64>,
}

/// The comment after reconciling.
#[derive(Debug, Clone)]
pub struct Reconciled {
    pub comment_id: u64,
    pub html_url: String,
    pub rounds: u32,
}

/// Everything a reconcile needs to know.
pub struct Ctx<'a> {
    pub forge: &'a dyn Forge,
    pub target: &'a Target,
    pub me: &'a str,
    pub stages: &'a [StageDef],
    pub tuning: Tuning,
}

impl std::fmt::Debug for Ctx<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ctx")
            .field("target", self.target)
            .field("me", &self.me)
            .finish_non_exhaustive()
    }
}

/// Brings the comment up to date with what `first` (a status read) shows and returns it.
pub async fn reconcile(ctx: &Ctx<'_>, first: Seen, own: &Own) -> Result<Reconciled, EngineError> {
    // Our newest write: our own stage status, then each fence we post.
    let mut mine = own.status.as_ref().map_or(0, |s| s.id);
    let mut seen = first;
    let shows_mine = own.read_after_post && seen.newest >= mine;
    if mine > 0 && !shows_mine && seen.others_in_flight(mine) && !seen.later_writer_than(mine) {
        // Others are writing and the first read (made with our status, not after it) shows
        // none later than us: read once more, after our status, so that a later writer it
        // shows can take our render over. Uncontended updates skip this.
        seen = read_after(ctx, mine).await?;
    }
    let mut truth = seen.truth.clone();
    // Only a writer that has not written the comment may leave it to a later writer: one
    // that has may have overwritten rows, and only its own fenced read can tell.
    let mut wrote = false;
    for round in 1..=ctx.tuning.max_rounds {
        // Details live in the comment only: a writer that brings some writes them itself.
        if !wrote
            && !own.brings_details()
            && let Some(r) = left_to_later_writer(&seen, mine, round)
        {
            return Ok(r);
        }
        if let Some(s) = &own.status {
            truth.absorb(s);
        }
        let comment = if let Some(c) = anchored(ctx.forge, ctx.target, ctx.me, truth.anchor).await?
        {
            c
        } else {
            let c = find_or_create(ctx, &project(ctx, &truth, None, own), true).await?;
            truth.anchor = Some(c.id);
            c
        };
        let shown = parse(comment.body(), ctx.stages).ok();
        let dashboard = project(ctx, &truth, shown.as_ref(), own);
        let body = render(&dashboard, ctx.tuning.budget);
        // A run's mark is its fence: posted even when the rows already showed running.
        let mark = own.run.is_some() && !wrote;
        if body != comment.body() || mark {
            if body != comment.body() {
                debug!(round, comment = comment.id, "writing the dashboard");
                match ctx
                    .forge
                    .update_comment(&ctx.target.repo, comment.id, &body)
                    .await
                {
                    Ok(_) => {}
                    // A concurrent creator converged on another comment and deleted this one
                    // after we read it: locate the dashboard again.
                    Err(e) if e.is_not_found() => {
                        truth.anchor = None;
                        continue;
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            wrote = true;
            let run = own.run.as_ref().map(|r| (r.stages.len(), r.run_id));
            mine = post_fence(ctx, &dashboard, &comment.html_url, run).await?;
        } else if mine == 0 || seen.newest >= mine {
            // The comment already shows everything a read after our last write showed.
            return Ok(done(comment.id, comment.html_url, round));
        }
        // A read after our last write: did a status we did not render arrive before it?
        seen = read_after(ctx, mine).await?;
        let newer = seen.truth.stages.iter().any(|(k, t)| {
            dashboard
                .stage(k)
                .and_then(|r| r.revision)
                .is_none_or(|r| r < t.revision)
        });
        if !newer {
            return Ok(done(comment.id, comment.html_url, round));
        }
        truth.merge(&seen.truth);
        pause(0, ctx.tuning.jitter_ms << round.min(4)).await;
    }
    Err(EngineError::Contended {
        rounds: ctx.tuning.max_rounds,
        pr: ctx.target.pr,
    })
}

/// A later write of ours than `mine` means a writer that will make a fenced read and render
/// what it shows, ours included: stop here (when the anchor says where the comment is).
fn left_to_later_writer(seen: &Seen, mine: u64, round: u32) -> Option<Reconciled> {
    if !seen.later_writer_than(mine) {
        return None;
    }
    let url = seen.anchor_url.clone()?;
    let id = comment_id_from_url(&url)?;
    debug!(
        mine,
        later = seen.newest_write,
        "a later writer will render our status"
    );
    Some(done(id, url, round))
}

/// Posts the fence after a comment write: the anchor again, carrying the newest revision
/// the comment covers. Returns its id.
async fn post_fence(
    ctx: &Ctx<'_>,
    dashboard: &Dashboard,
    html_url: &str,
    run: Option<(usize, Option<u64>)>,
) -> Result<u64, EngineError> {
    let covered = dashboard
        .stages
        .iter()
        .filter_map(|r| r.revision)
        .max()
        .unwrap_or(0);
    let fence = ctx
        .forge
        .create_status(
            &ctx.target.repo,
            &ctx.target.sha,
            StatusState::Success,
            ANCHOR_CONTEXT,
            &match run {
                Some((k, id)) => crate::run::mark_description(covered, k, id),
                None => fence_description(covered),
            },
            Some(html_url),
        )
        .await?;
    Ok(fence.id)
}

fn done(comment_id: u64, html_url: String, rounds: u32) -> Reconciled {
    Reconciled {
        comment_id,
        html_url,
        rounds,
    }
}

pub(crate) async fn pause(base_ms: u64, jitter_ms: u64) {
    let jitter = if jitter_ms == 0 {
        0
    } else {
        rand::rng().random_range(0..=jitter_ms)
    };
    let ms = base_ms + jitter;
    if ms > 0 {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
}

/// The dashboard to show: configured stages, the truth's rows, rows the comment shows newer
/// than the truth read (a lagging read), every stage's details kept, ours replaced.
pub fn project(ctx: &Ctx<'_>, truth: &Truth, shown: Option<&Dashboard>, own: &Own) -> Dashboard {
    let mut d = Dashboard::new(ctx.target.sha.clone(), ctx.stages);
    for (key, t) in &truth.stages {
        let (row, _) = d.stage_mut_or_insert(key);
        row.status = t.status;
        row.output.clone_from(&t.output);
        row.link.clone_from(&t.link);
        row.updated_at = Some(t.updated_at.clone());
        row.revision = Some(t.revision);
    }
    if let Some(shown) = shown {
        d.previous.clone_from(&shown.previous);
        for old in &shown.stages {
            let newer = old
                .revision
                .is_some_and(|r| truth.stages.get(&old.key).is_none_or(|t| t.revision < r));
            if newer {
                let (row, _) = d.stage_mut_or_insert(&old.key);
                let details = row.details.take();
                *row = old.clone();
                row.details = details;
            }
            if old.details.is_some()
                && let Some(row) = d.stages.iter_mut().find(|r| r.key == old.key)
            {
                row.details.clone_from(&old.details);
            }
        }
    }
    if let Some(run) = &own.run {
        for key in &run.stages {
            let (row, _) = d.stage_mut_or_insert(key);
            if row.revision.is_none_or(|r| r < run.revision) {
                row.status = infra_ci_core::Status::Running;
                row.output = None;
                row.link.clone_from(&run.link);
                row.updated_at = None;
                row.details = None;
                row.revision = Some(run.revision);
            }
        }
    }
    if let Some((key, text)) = &own.details
        && let Some(row) = d.stages.iter_mut().find(|r| &r.key == key)
    {
        row.details = Some(text.clone());
    }
    for leg in &own.leg_details {
        if let Some(row) = d
            .stages
            .iter_mut()
            .find(|r| r.key == leg.stage && r.revision == Some(leg.status_id))
        {
            row.details = Some(leg.details.clone());
        }
    }
    d
}

/// Over HTTP against the emulator, like every dashboard test; here because `reconcile` and
/// its first read are private.
#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use infra_ci_core::{Status, default_stages, status_line};
    use infra_ci_github::{GitHubClient, RepoId, StatusState};
    use infra_ci_testkit::admin::{NewRepo, PullFields};
    use infra_ci_testkit::{DEFAULT_BOT_LOGIN, DEFAULT_BOT_TOKEN, TestEmulator};

    use super::*;
    use crate::fence::Seen;
    use crate::truth::STAGE_CONTEXT_PREFIX;

    async fn post(forge: &GitHubClient, t: &Target, stage: &str) -> CommitStatus {
        forge
            .create_status(
                &t.repo,
                &t.sha,
                StatusState::Success,
                &format!("{STAGE_CONTEXT_PREFIX}{stage}"),
                &status_line::encode(Status::Success, Some(stage)),
                None,
            )
            .await
            .unwrap()
    }

    /// An emulator with `acme/infra` and pull request 7 on a fresh commit, a client of
    /// the default bot, and the target.
    async fn setup() -> (TestEmulator, GitHubClient, Target) {
        let emu = TestEmulator::start(&[]).await;
        let sha = "c0ffee".repeat(6) + "c0ff";
        // Like GitHub, the repository and the pull request exist only once created.
        let admin = emu.admin();
        admin.repo(&NewRepo::new("acme/infra")).await.unwrap();
        let pull = PullFields::new(7, sha.clone()).by("alice");
        admin.pull("acme/infra", &pull).await.unwrap();
        let forge = emu.client(DEFAULT_BOT_TOKEN);
        let target = Target {
            repo: RepoId::parse("acme/infra").unwrap(),
            pr: 7,
            sha: sha.into(),
            is_head: None,
        };
        (emu, forge, target)
    }

    /// What a writer authenticated as the default bot works with.
    fn bot_ctx<'a>(forge: &'a GitHubClient, target: &'a Target, stages: &'a [StageDef]) -> Ctx<'a> {
        Ctx {
            forge,
            target,
            me: DEFAULT_BOT_LOGIN,
            stages,
            tuning: Tuning::default(),
        }
    }

    /// The status list of the target's commit, as the default bot sees it.
    async fn read_as_bot(forge: &GitHubClient, target: &Target) -> Seen {
        Seen::of(
            &forge
                .list_statuses(&target.repo, &target.sha)
                .await
                .unwrap(),
            DEFAULT_BOT_LOGIN,
        )
    }

    /// Writer A posted its status, then writer B posted its own: A's read shows B's later
    /// write, so A leaves its row to B without a request; B renders both rows.
    #[tokio::test]
    async fn an_earlier_writer_leaves_its_render_to_a_later_one() {
        let (emu, forge, target) = setup().await;
        let stages = default_stages();
        let ctx = bot_ctx(&forge, &target, &stages);
        let read = || read_as_bot(&forge, &target);
        reconcile(&ctx, read().await, &Own::default())
            .await
            .unwrap();
        let a = post(&forge, &target, "ci").await;
        let b = post(&forge, &target, "e2e").await;
        let seen = read().await;
        emu.admin().clear_requests().await.unwrap();

        let own_a = Own {
            status: Some(a),
            ..Own::default()
        };
        reconcile(&ctx, seen.clone(), &own_a).await.unwrap();
        let after_a = emu.requests().await;
        assert_eq!(after_a, [], "A made requests though B comes later");

        let own_b = Own {
            status: Some(b),
            ..Own::default()
        };
        let r = reconcile(&ctx, seen, &own_b).await.unwrap();
        let body = forge.get_comment(&target.repo, r.comment_id).await.unwrap();
        assert!(
            body.body().contains("| CI Validate | ✅ success |"),
            "{}",
            body.body()
        );
        assert!(
            body.body().contains("| E2E Tests | ✅ success |"),
            "{}",
            body.body()
        );
        let mut fences = emu.requests().await;
        fences.retain(|e| e.method == "POST" && e.path.contains("/statuses/"));
        assert_eq!(fences.len(), 1, "B writes the comment once, then one fence");
        emu.shutdown().await;
    }

    /// Writer A posted its result, then job B posted a `running` alone (its own result
    /// follows, maybe minutes later): A's read shows B's status as the newest, yet A must
    /// render its row itself, not leave it to B (ADR 0010).
    #[tokio::test]
    async fn a_result_is_not_left_to_a_later_running_posted_alone() {
        let (emu, forge, target) = setup().await;
        let stages = default_stages();
        let ctx = bot_ctx(&forge, &target, &stages);
        let read = || read_as_bot(&forge, &target);
        reconcile(&ctx, read().await, &Own::default())
            .await
            .unwrap();
        let a = post(&forge, &target, "ci").await;
        let b = forge
            .create_status(
                &target.repo,
                &target.sha,
                StatusState::Pending,
                &format!("{STAGE_CONTEXT_PREFIX}e2e"),
                &status_line::encode(Status::Running, None),
                None,
            )
            .await
            .unwrap();
        assert!(b.id > a.id);
        let own_a = Own {
            status: Some(a),
            ..Own::default()
        };
        let r = reconcile(&ctx, read().await, &own_a).await.unwrap();
        let body = forge.get_comment(&target.repo, r.comment_id).await.unwrap();
        assert!(
            body.body().contains("| CI Validate | ✅ success |"),
            "A left its row to a running: {}",
            body.body()
        );
        assert!(
            body.body().contains("| E2E Tests | 🔄 running |"),
            "{}",
            body.body()
        );
        emu.shutdown().await;
    }
}
