//! Finding the dashboard comment of a commit, and creating it exactly once.
//!
//! The anchor status is the index: one request finds the comment. Scanning comments is the
//! fallback for a dashboard whose anchor was never written (a crash between create and
//! anchor, a lost response); such a comment is among the newest, so the scan reads the
//! last pages only, newest first, and never the whole conversation.

use infra_ci_core::marker::is_dashboard_of;
use infra_ci_core::{Dashboard, parse, previous_line, render};
use infra_ci_github::{Comment, Forge, ForgeError, StatusState};
use tracing::{info, warn};

use crate::error::EngineError;
use crate::minimize::is_other_commits_dashboard;
use crate::reconcile::Ctx;
use crate::target::Target;
use crate::truth::ANCHOR_CONTEXT;

/// Comments per page when scanning (GitHub's maximum).
const PER_PAGE: u8 = 100;
/// How many times a create is attempted when its response is lost.
const CREATE_ATTEMPTS: u32 = 3;

/// Is this comment ours? Only comments authored by our own identity count: a marker pasted
/// by someone else is a hijack attempt, never a dashboard.
pub fn is_ours(c: &Comment, me: &str) -> bool {
    c.author().eq_ignore_ascii_case(me)
}

/// The comment the anchor points at, when it still exists, is ours, is on this pull request
/// and is this commit's dashboard. An anchor is only a hint: even one of ours may point at
/// a comment edited since, and a comment of ours on another pull request (or another
/// commit's dashboard) must never be overwritten with this commit's rows.
pub async fn anchored(
    forge: &dyn Forge,
    t: &Target,
    me: &str,
    anchor: Option<u64>,
) -> Result<Option<Comment>, EngineError> {
    let Some(id) = anchor else { return Ok(None) };
    match forge.get_comment(&t.repo, id).await {
        Ok(c) if is_ours(&c, me) && is_dashboard_here(&c, t) => Ok(Some(c)),
        Ok(c) if is_ours(&c, me) => {
            warn!(
                comment = id,
                on = ?c.issue_number(),
                "the anchor points at a comment of ours that is not this commit's dashboard on this pull request; ignoring it"
            );
            Ok(None)
        }
        Ok(c) => {
            warn!(
                comment = id,
                author = c.author(),
                "the anchor points at a comment that is not ours; ignoring it"
            );
            Ok(None)
        }
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// On pull request `t.pr`, and not another commit's dashboard: it carries commit `t.sha`'s
/// marker, or no dashboard marker at all (a dashboard of ours someone edited by hand, which
/// `sync` repairs in place).
fn is_dashboard_here(c: &Comment, t: &Target) -> bool {
    c.issue_number() == Some(t.pr)
        && (is_dashboard_of(c.body(), &t.sha) || !c.body().contains("<!-- infra-dashboard:"))
}

/// Every comment on the newest `pages` pages (the first page is always read: it tells
/// where the list ends), in no particular order.
pub async fn scan_newest(
    forge: &dyn Forge,
    t: &Target,
    pages: u32,
) -> Result<Vec<Comment>, EngineError> {
    let first = forge.list_comments_page(&t.repo, t.pr, 1, PER_PAGE).await?;
    let last = first.last_page.unwrap_or(1).max(1);
    let lowest = last.saturating_sub(pages.max(1)) + 1;
    let mut found: Vec<Comment> = Vec::new();
    for page in (lowest.max(2)..=last).rev() {
        found.extend(
            forge
                .list_comments_page(&t.repo, t.pr, page, PER_PAGE)
                .await?
                .comments,
        );
    }
    if lowest <= 1 {
        found.extend(first.comments);
    }
    Ok(found)
}

/// Our dashboards of this commit among `comments`, oldest first.
pub fn ours_of(comments: &[Comment], t: &Target, me: &str) -> Vec<Comment> {
    let mut found: Vec<Comment> = comments
        .iter()
        .filter(|c| is_ours(c, me) && is_dashboard_of(c.body(), &t.sha))
        .cloned()
        .collect();
    found.sort_by_key(|c| c.id);
    found.dedup_by_key(|c| c.id);
    found
}

/// Finds our dashboard of this commit or creates it showing `new` (with the line saying
/// what the previous commit's stages came to, when there is one), converges concurrent
/// creators on the lowest comment id (deleting our own duplicates), and anchors it with
/// the anchor status unless `anchor_status` is false (`store: comment` posts no statuses).
///
/// After creating, it looks again: the later of two creators must see the earlier one's
/// comment, or both keep their own and the commit ends with two dashboards. List reads may
/// lag writes, so a list that does not show our new comment is read again after
/// `settle_ms` (as is the list after a create whose answer was lost).
pub async fn find_or_create(
    ctx: &Ctx<'_>,
    new: &Dashboard,
    anchor_status: bool,
) -> Result<Comment, EngineError> {
    let (forge, t, me) = (ctx.forge, ctx.target, ctx.me);
    let (scan_pages, settle_ms) = (ctx.tuning.scan_pages, ctx.tuning.settle_ms);
    let settle = || tokio::time::sleep(std::time::Duration::from_millis(settle_ms));
    let mut seen = scan_newest(forge, t, scan_pages).await?;
    let mut ours = ours_of(&seen, t, me);
    let mut attempts = 0;
    // What this writer created, and whether a create of its own may have happened unseen
    // (its answer lost): see the duplicate rule below.
    let mut created_ids = Vec::new();
    let mut unseen_create = false;
    let body = if ours.is_empty() {
        let mut d = new.clone();
        d.previous = previous_commit(&seen, t, me);
        render(&d, ctx.tuning.budget)
    } else {
        String::new() // never written: the dashboard exists
    };
    while ours.is_empty() {
        attempts += 1;
        match forge.create_comment(&t.repo, t.pr, &body).await {
            Ok(created) => {
                info!(comment = created.id, "created the dashboard comment");
                created_ids.push(created.id);
                // Look again: a concurrent `init` may have created one too. A list that
                // shows our new comment shows every comment created before it; one that
                // lags is read again after the settle pause.
                seen = scan_newest(forge, t, scan_pages).await?;
                if !seen.iter().any(|c| c.id == created.id) {
                    settle().await;
                    seen = scan_newest(forge, t, scan_pages).await?;
                }
                ours = ours_of(&seen, t, me);
                if !ours.iter().any(|c| c.id == created.id) {
                    ours.push(created); // the list may lag the create
                }
            }
            Err(e) if attempts < CREATE_ATTEMPTS && may_have_been_applied(&e) => {
                // The create may have happened with its response lost: look before retrying.
                warn!(error = %e, "creating the dashboard comment failed; looking for it before trying again");
                unseen_create = true;
                settle().await;
                seen = scan_newest(forge, t, scan_pages).await?;
                ours = ours_of(&seen, t, me);
            }
            Err(e) => return Err(e.into()),
        }
    }
    ours.sort_by_key(|c| c.id);
    let winner = ours.remove(0);
    // Concurrent creators each delete only their own losing comment: the lowest id wins,
    // and every loser's creator sees it (a list showing a comment shows every earlier
    // one), so each duplicate is deleted once instead of once per writer (eight racing
    // jobs otherwise sent 56 deletes, 49 of them 404s, and met GitHub's 80-writes-a-minute
    // secondary limit). A writer that created nothing, or whose create may have happened
    // unseen, cannot tell a racer's comment from a leftover, so it deletes them all.
    let deletes_all = attempts == 0 || unseen_create;
    for dup in ours
        .into_iter()
        .filter(|d| deletes_all || created_ids.contains(&d.id))
    {
        info!(
            comment = dup.id,
            kept = winner.id,
            "deleting a duplicate dashboard of ours"
        );
        match forge.delete_comment(&t.repo, dup.id).await {
            Ok(()) => {}
            Err(e) if e.is_not_found() => {} // a concurrent writer deleted it first
            Err(e) => return Err(e.into()),
        }
    }
    if anchor_status {
        anchor(forge, t, &winner).await?;
    }
    if attempts > 0 {
        // This commit's dashboard is new: hide the earlier commits' ones (found in the
        // scan that followed the create, so at no extra request).
        crate::minimize::minimize_earlier_best_effort(forge, t, me, &seen).await;
    }
    Ok(winner)
}

/// The line about the previous commit for a new dashboard of `t`: what the newest of our
/// dashboards of another commit on this pull request shows (it is the one a push or a merge
/// replaces; read from the scan already made, at no extra request). None for a commit known
/// not to be the head (a late job on an earlier commit must not call a later one previous)
/// and when there is no other dashboard. Display only, like the dashboard it reads.
fn previous_commit(seen: &[Comment], t: &Target, me: &str) -> Option<String> {
    if t.is_head == Some(false) {
        return None;
    }
    let prev = seen
        .iter()
        .filter(|c| c.issue_number() == Some(t.pr) && is_other_commits_dashboard(c, me, t))
        .max_by_key(|c| c.id)?;
    let shown = parse(prev.body(), &[]).ok()?;
    Some(previous_line(&shown, Some(&prev.html_url)))
}

/// Points the anchor status at the comment.
pub async fn anchor(forge: &dyn Forge, t: &Target, c: &Comment) -> Result<(), EngineError> {
    forge
        .create_status(
            &t.repo,
            &t.sha,
            StatusState::Success,
            ANCHOR_CONTEXT,
            "dashboard comment",
            Some(&c.html_url),
        )
        .await?;
    Ok(())
}

/// Errors after which the request may have reached GitHub and been applied: no answer, or
/// a server error (a 5xx may hide a create that happened; the client does not retry it).
fn may_have_been_applied(e: &ForgeError) -> bool {
    matches!(
        e,
        ForgeError::Unavailable { .. }
            | ForgeError::Unexpected {
                status: 500..=599,
                ..
            }
    )
}
