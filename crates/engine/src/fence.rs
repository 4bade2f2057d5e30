//! Knowing instead of waiting: what a status read proves about its own freshness, and which
//! later writer a write may leave its render to.
//!
//! Reads are of the full list (`GET commits/{ref}/statuses`), and only statuses whose
//! creator is our identity count (`truth.rs`, ADR 0006): the combined status names no
//! creator, so a forged newer status there would hide ours, fences included.
//!
//! Status ids only grow, and a replica's read is a consistent past snapshot: a read that
//! shows a status with id ≥ F shows every status posted before F. So after writing the
//! comment, a writer posts a **fence** (the anchor status again, its description carrying
//! the revision the comment now covers) and reads until the read shows the fence or
//! anything newer: that read covers every status posted before the comment write. A read
//! that lags is read again (short, growing pauses), never a fixed wait on every update.
//!
//! The same ids coalesce renders: a write of ours newer than a writer's own last write
//! (a stage status or a fence) belongs to a writer that will still make a fenced read and
//! render whatever that read shows, so the earlier writer may stop.

use infra_ci_core::Status;
use infra_ci_github::CommitStatus;
use tracing::warn;

use crate::error::EngineError;
use crate::reconcile::{Ctx, pause};
use crate::truth::{ANCHOR_CONTEXT, STAGE_CONTEXT_PREFIX, Truth, is_by};

/// The anchor description a fence carries: the newest revision the comment covers.
pub const FENCE_PREFIX: &str = "dashboard comment; covers r";
/// Reads of a lagging status list before giving up.
const FRESH_READS: u32 = 10;
/// First pause before reading a lagging status list again (doubled each time).
const FIRST_PAUSE_MS: u64 = 25;

/// One read of the status list, with what our own statuses in it prove.
#[derive(Debug, Clone, Default)]
pub struct Seen {
    /// The truth: our statuses only (`Truth::from_statuses`, as `Truth::read` does).
    pub truth: Truth,
    /// The newest id among our statuses, any context: the read is as of after that write.
    pub newest: u64,
    /// The newest id among our dashboard writes: stage statuses and fences.
    pub newest_write: u64,
    /// The newest id among our anchors and fences (0 when none).
    pub newest_anchor: u64,
    /// The anchor's comment URL.
    pub anchor_url: Option<String>,
}

impl Seen {
    /// Reads the status list of the target's commit: what our identity's statuses show.
    pub async fn read(ctx: &Ctx<'_>) -> Result<Self, EngineError> {
        let all = ctx
            .forge
            .list_statuses(&ctx.target.repo, &ctx.target.sha)
            .await?;
        Ok(Self::of(&all, ctx.me))
    }

    /// What a status list (any order) shows, counting only statuses created by `me`; the
    /// others are ignored (`truth.ignored`), never believed, never taken as a fence.
    pub fn of(statuses: &[CommitStatus], me: &str) -> Self {
        let mut s = Self {
            truth: Truth::from_statuses(statuses, me),
            ..Self::default()
        };
        if s.truth.ignored > 0 {
            warn!(
                ignored = s.truth.ignored,
                "ignored dashboard statuses written by another identity than ours ({me})"
            );
        }
        for st in statuses.iter().filter(|st| is_by(st, me)) {
            s.newest = s.newest.max(st.id);
            let description = st.description.as_deref().unwrap_or("");
            if st.context == ANCHOR_CONTEXT {
                if st.id > s.newest_anchor {
                    s.newest_anchor = st.id;
                    s.anchor_url.clone_from(&st.target_url);
                }
                if description.starts_with(FENCE_PREFIX) {
                    s.newest_write = s.newest_write.max(st.id);
                }
            } else if let Some(key) = st.context.strip_prefix(STAGE_CONTEXT_PREFIX)
                && s.truth
                    .stages
                    .get(key)
                    .is_some_and(|t| t.revision == st.id && renders(t.status))
            {
                s.newest_write = s.newest_write.max(st.id);
            }
        }
        s
    }

    /// Stage statuses other than `mine` newer than every anchor, of writers that will
    /// render: other writers are at work, and one of them may take our render over.
    pub fn others_in_flight(&self, mine: u64) -> bool {
        self.truth
            .stages
            .values()
            .any(|t| t.revision > self.newest_anchor && t.revision != mine && renders(t.status))
    }

    /// A later writer of ours will make a fenced read after `mine` and render what it shows.
    pub fn later_writer_than(&self, mine: u64) -> bool {
        mine > 0 && self.newest_write > mine
    }
}

/// Whether the writer of a stage status with this word is known to render the comment.
/// A final word always is (`Dashboards::update`); `pending` and `running` may have been
/// posted alone (`Dashboards::post_status`: a `running` whose own result follows), so no
/// writer leaves its render to them (ADR 0010): only the stage's result, maybe minutes
/// later, would render it. Counting them out costs renders, never a row.
fn renders(status: Status) -> bool {
    status.is_terminal()
}

/// The fence's anchor description.
pub fn fence_description(covered: u64) -> String {
    format!("{FENCE_PREFIX}{covered}")
}

/// Reads the status list until the read shows `write` (the id of a status of ours) or a
/// newer status of ours. Pauses only when a read lags, each time a little longer, at most
/// `settle_ms` each.
pub async fn read_after(ctx: &Ctx<'_>, write: u64) -> Result<Seen, EngineError> {
    Ok(Seen::of(&statuses_after(ctx, write).await?, ctx.me))
}

/// [`read_after`]'s statuses as GitHub listed them: every status of the commit, read until
/// the read shows `write` or a newer status of ours.
pub async fn statuses_after(ctx: &Ctx<'_>, write: u64) -> Result<Vec<CommitStatus>, EngineError> {
    for attempt in 0..FRESH_READS {
        let all = ctx
            .forge
            .list_statuses(&ctx.target.repo, &ctx.target.sha)
            .await?;
        let newest = all
            .iter()
            .filter(|s| is_by(s, ctx.me))
            .map(|s| s.id)
            .max()
            .unwrap_or(0);
        if newest >= write {
            return Ok(all);
        }
        tracing::debug!(
            attempt,
            write,
            "the status read lags our write; reading again"
        );
        let ms = (FIRST_PAUSE_MS << attempt.min(8)).min(ctx.tuning.settle_ms.max(FIRST_PAUSE_MS));
        pause(ms, ctx.tuning.jitter_ms.min(ms)).await;
    }
    Err(EngineError::Stale {
        reads: FRESH_READS,
        pr: ctx.target.pr,
    })
}

#[cfg(test)]
mod tests {
    use infra_ci_github::CommitStatus;

    use super::*;

    const ME: &str = "infra-ci[bot]";

    use crate::truth::test_status_by as by;

    fn status(id: u64, context: &str, description: &str) -> CommitStatus {
        by(id, context, description, ME)
    }

    #[test]
    fn a_fence_and_stage_statuses_are_writes_a_plain_anchor_and_other_contexts_are_not() {
        let s = Seen::of(
            &[
                status(9, "ci/other", "success"),
                status(4, ANCHOR_CONTEXT, "dashboard comment"),
                status(3, "infra-dashboard/plan", "success"),
            ],
            ME,
        );
        assert_eq!((s.newest, s.newest_write, s.newest_anchor), (9, 3, 4));
        assert!(!s.others_in_flight(0));
        assert!(s.later_writer_than(2));
        assert!(!s.later_writer_than(3));
        assert!(!s.later_writer_than(0), "init has no write to leave");

        let s = Seen::of(
            &[
                status(8, "infra-dashboard/e2e", "success"),
                status(7, ANCHOR_CONTEXT, &fence_description(3)),
                status(5, "infra-dashboard/apply", "not a status word"),
                status(3, "infra-dashboard/plan", "running"),
            ],
            ME,
        );
        assert_eq!((s.newest_write, s.newest_anchor), (8, 7));
        assert!(s.others_in_flight(3), "e2e was posted after the last fence");
        assert!(
            !s.others_in_flight(8),
            "only our own status is newer than the fence"
        );
    }

    /// A `running` (or `pending`) may have been posted without a render (its result
    /// follows, maybe minutes later): no writer leaves its render to it, and it is not a
    /// writer at work that a read should wait for.
    #[test]
    fn a_running_or_pending_status_is_not_a_later_writer() {
        let s = Seen::of(
            &[
                status(9, "infra-dashboard/plan-b", "running"),
                status(8, "infra-dashboard/plan-c", "pending: queued"),
                status(7, "infra-dashboard/plan-a", "success"),
                status(4, ANCHOR_CONTEXT, &fence_description(3)),
            ],
            ME,
        );
        assert_eq!((s.newest, s.newest_write), (9, 7));
        assert!(!s.later_writer_than(7), "only runnings came after 7");
        assert!(s.later_writer_than(6));
        assert!(!s.others_in_flight(7), "the runnings will not render");
        assert_eq!(s.truth.stages["plan-b"].status, Status::Running);
    }

    /// Another identity's statuses prove nothing: not freshness, not a fence, not a write
    /// to leave our render to, not an anchor.
    #[test]
    fn statuses_by_another_identity_are_neither_fences_nor_writes_nor_freshness() {
        let s = Seen::of(
            &[
                by(20, ANCHOR_CONTEXT, &fence_description(19), "mallory"),
                by(19, "infra-dashboard/plan", "success: forged", "mallory"),
                by(18, "ci/other", "success", "mallory"),
                status(4, ANCHOR_CONTEXT, &fence_description(3)),
                status(3, "infra-dashboard/plan", "running"),
            ],
            ME,
        );
        assert_eq!(
            (s.newest, s.newest_write, s.newest_anchor),
            (4, 4, 4),
            "{s:?}"
        );
        assert_eq!(s.truth.stages["plan"].revision, 3);
        assert_eq!(s.truth.ignored, 2);
        assert!(
            !s.later_writer_than(4),
            "a forged fence takes no render over"
        );
        assert!(!s.others_in_flight(0));
    }
}
