//! The reconcile loop: render the comment from the truth until it covers every status read.
//!
//! Why it is lossless: every writer posts its status (append-only, no conflict) before it
//! reads, and stops only after a read that follows its last write shows nothing newer than
//! what it wrote. So the last write to the comment is followed by a read that covered every
//! status posted before it, and any status posted after it has a writer still to come.
//! Status reads may lag writes (GitHub's replicas; the emulator's stale reads), so that
//! read-back waits `settle_ms` after the write: it must not miss a status posted just before.
//! Rows carry revisions (status ids), so a stale read never regresses what the comment shows.

use std::time::Duration;

use infra_ci_core::{Budget, Dashboard, StageDef, parse, render};
use infra_ci_github::{CommitStatus, Forge};
use rand::Rng;
use tracing::debug;

use crate::error::EngineError;
use crate::locate::{anchored, find_or_create};
use crate::target::Target;
use crate::truth::Truth;

/// Knobs of the reconcile loop.
#[derive(Debug, Clone, Copy)]
pub struct Tuning {
    /// Rounds before giving up (the statuses still hold the truth).
    pub max_rounds: u32,
    /// Base of the randomized pause between rounds.
    pub jitter_ms: u64,
    /// How long reads may lag writes: the read-back after a write waits this long, and
    /// after contention was seen, one more read does too. Also the pause before a new
    /// dashboard looks for concurrent creators.
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

/// Brings the comment up to date with `truth` (already read) and returns it.
pub async fn reconcile(
    ctx: &Ctx<'_>,
    mut truth: Truth,
    own: &Own,
) -> Result<Reconciled, EngineError> {
    let mut contended = false;
    let mut settled = false;
    for round in 1..=ctx.tuning.max_rounds {
        if let Some(s) = &own.status {
            truth.absorb(s);
        }
        let comment = if let Some(c) = anchored(ctx.forge, ctx.target, ctx.me, truth.anchor).await?
        {
            c
        } else {
            let body = render(&project(ctx, &truth, None, own), ctx.tuning.budget);
            let c = find_or_create(
                ctx.forge,
                ctx.target,
                ctx.me,
                &body,
                ctx.tuning.scan_pages,
                ctx.tuning.settle_ms,
                true,
            )
            .await?;
            truth.anchor = Some(c.id);
            c
        };
        let shown = parse(comment.body(), ctx.stages).ok();
        let dashboard = project(ctx, &truth, shown.as_ref(), own);
        let body = render(&dashboard, ctx.tuning.budget);
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
            // Read back only once reads have caught up with our write: a status posted just
            // before it (whose row we may have overwritten) must show in the read-back.
            pause(ctx.tuning.settle_ms, 0).await;
            settled = true;
        } else if !contended || settled {
            return Ok(done(comment.id, comment.html_url, round));
        }
        // Read back: did anything newer than what we rendered arrive meanwhile?
        let after = Truth::read(ctx.forge, &ctx.target.repo, &ctx.target.sha, ctx.me).await?;
        let newer = after.stages.iter().any(|(k, t)| {
            dashboard
                .stage(k)
                .and_then(|r| r.revision)
                .is_none_or(|r| r < t.revision)
        });
        if !newer && (!contended || settled) {
            return Ok(done(comment.id, comment.html_url, round));
        }
        if !newer {
            // Others were writing: look once more after reads have had time to catch up.
            settled = true;
            pause(ctx.tuning.settle_ms, ctx.tuning.jitter_ms).await;
            let again = Truth::read(ctx.forge, &ctx.target.repo, &ctx.target.sha, ctx.me).await?;
            truth.merge(&again);
            continue;
        }
        contended = true;
        truth.merge(&after);
        pause(0, ctx.tuning.jitter_ms << round.min(4)).await;
    }
    Err(EngineError::Contended {
        rounds: ctx.tuning.max_rounds,
        pr: ctx.target.pr,
    })
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
    if let Some((key, text)) = &own.details
        && let Some(row) = d.stages.iter_mut().find(|r| &r.key == key)
    {
        row.details = Some(text.clone());
    }
    d
}
