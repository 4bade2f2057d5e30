//! `store: comment`: the dashboard's truth is the comment itself, for repositories that
//! cannot grant `statuses: write`.
//!
//! Best effort (docs/config.md, `store`): GitHub has no compare-and-swap on comments. A writer
//! reads the comment, applies its row, writes, waits (settle + jitter), reads it back and
//! re-applies its row when a concurrent writer overwrote it. Rows carry revisions (the
//! writer's clock in milliseconds), so an older row never replaces a newer one. Without the
//! anchor status the comment is found by scanning the newest pages of the conversation.

use infra_ci_core::{Dashboard, StageState, parse, render};
use infra_ci_github::Comment;

use crate::error::EngineError;
use crate::locate::{find_or_create, ours_of, scan_newest};
use crate::reconcile::{Ctx, Reconciled, pause};

/// The commit's dashboard comment, if there is one among the newest pages.
pub async fn find(ctx: &Ctx<'_>) -> Result<Option<Comment>, EngineError> {
    let seen = scan_newest(ctx.forge, ctx.target, ctx.tuning.scan_pages).await?;
    Ok(ours_of(&seen, ctx.target, ctx.me).into_iter().next())
}

/// The commit's dashboard comment, created with pending rows when there is none.
pub async fn find_or_create_pending(ctx: &Ctx<'_>) -> Result<Comment, EngineError> {
    if let Some(c) = find(ctx).await? {
        return Ok(c);
    }
    let pending = Dashboard::new(ctx.target.sha.to_string(), ctx.stages);
    find_or_create(ctx, &pending, false).await
}

/// The dashboard a comment shows (configured rows first, as rendered).
pub fn read(ctx: &Ctx<'_>, c: &Comment) -> Dashboard {
    let mut d = parse(c.body(), ctx.stages)
        .unwrap_or_else(|_| Dashboard::new(ctx.target.sha.clone(), ctx.stages));
    d.sha = ctx.target.sha.to_string();
    for def in ctx.stages {
        let _ = d.stage_mut_or_insert(&def.key);
    }
    d
}

/// Puts `row` into `d` unless `d` already holds a newer view of that stage.
fn apply(d: &mut Dashboard, row: &StageState) {
    let (have, _) = d.stage_mut_or_insert(&row.key);
    if have.revision.is_none_or(|r| r < row.revision.unwrap_or(0)) {
        // The row's name is the dashboard's (a derived row is named by its place).
        let name = std::mem::take(&mut have.name);
        *have = row.clone();
        have.name = name;
    }
}

/// Writes `row` into the comment and verifies it after writing.
pub async fn update(ctx: &Ctx<'_>, row: &StageState) -> Result<Reconciled, EngineError> {
    let mut comment = find_or_create_pending(ctx).await?;
    for round in 1..=ctx.tuning.max_rounds {
        let mut d = read(ctx, &comment);
        apply(&mut d, row);
        let body = render(&d, ctx.tuning.budget);
        if body != comment.body() {
            ctx.forge
                .update_comment(&ctx.target.repo, comment.id, &body)
                .await?;
        }
        pause(ctx.tuning.settle_ms, ctx.tuning.jitter_ms).await;
        comment = ctx.forge.get_comment(&ctx.target.repo, comment.id).await?;
        let back = read(ctx, &comment);
        if back.stage(&row.key).and_then(|r| r.revision) >= row.revision {
            return Ok(Reconciled {
                comment_id: comment.id,
                html_url: comment.html_url,
                rounds: round,
            });
        }
        tracing::info!(round, stage = %row.key, "a concurrent writer overwrote our row; writing it again");
    }
    Err(EngineError::Contended {
        rounds: ctx.tuning.max_rounds,
        pr: ctx.target.pr,
    })
}

/// Re-renders the comment from what it shows (repairs formatting; a deleted comment's
/// content is gone, since the comment was the truth).
pub async fn sync(ctx: &Ctx<'_>) -> Result<Comment, EngineError> {
    let c = find_or_create_pending(ctx).await?;
    let body = render(&read(ctx, &c), ctx.tuning.budget);
    if body == c.body() {
        return Ok(c);
    }
    Ok(ctx
        .forge
        .update_comment(&ctx.target.repo, c.id, &body)
        .await?)
}
