//! Knowing instead of waiting: what a combined-status read proves about its own freshness,
//! and which later writer a write may leave its render to.
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

use infra_ci_github::CombinedStatus;

use crate::error::EngineError;
use crate::reconcile::{Ctx, pause};
use crate::truth::{ANCHOR_CONTEXT, STAGE_CONTEXT_PREFIX, Truth};

/// The anchor description a fence carries: the newest revision the comment covers.
pub const FENCE_PREFIX: &str = "dashboard comment; covers r";
/// Reads of a lagging combined status before giving up.
const FRESH_READS: u32 = 10;
/// First pause before reading a lagging combined status again (doubled each time).
const FIRST_PAUSE_MS: u64 = 25;

/// One combined-status read, with what it proves.
#[derive(Debug, Clone, Default)]
pub struct Seen {
    pub truth: Truth,
    /// The newest status id of any context: the read is as of after that write.
    pub newest: u64,
    /// The newest id among our dashboard writes: stage statuses and fences.
    pub newest_write: u64,
    /// The newest id among anchors and fences (0 when none).
    pub newest_anchor: u64,
    /// The anchor's comment URL.
    pub anchor_url: Option<String>,
}

impl Seen {
    /// What a combined status shows.
    pub fn of(c: &CombinedStatus) -> Self {
        let mut s = Self {
            truth: Truth::from_combined(c),
            ..Self::default()
        };
        for st in &c.statuses {
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
                && s.truth.stages.get(key).is_some_and(|t| t.revision == st.id)
            {
                s.newest_write = s.newest_write.max(st.id);
            }
        }
        s
    }

    /// Stage statuses other than `mine` newer than every anchor: other writers are at work.
    pub fn others_in_flight(&self, mine: u64) -> bool {
        self.truth
            .stages
            .values()
            .any(|t| t.revision > self.newest_anchor && t.revision != mine)
    }

    /// A later writer of ours will make a fenced read after `mine` and render what it shows.
    pub fn later_writer_than(&self, mine: u64) -> bool {
        mine > 0 && self.newest_write > mine
    }
}

/// The fence's anchor description.
pub fn fence_description(covered: u64) -> String {
    format!("{FENCE_PREFIX}{covered}")
}

/// Reads the combined status until the read shows `write` (a status id) or anything newer.
/// Pauses only when a read lags, each time a little longer, at most `settle_ms` each.
pub async fn read_after(ctx: &Ctx<'_>, write: u64) -> Result<Seen, EngineError> {
    for attempt in 0..FRESH_READS {
        let seen = Seen::of(
            &ctx.forge
                .combined_status(&ctx.target.repo, &ctx.target.sha)
                .await?,
        );
        if seen.newest >= write {
            return Ok(seen);
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

    fn status(id: u64, context: &str, description: &str) -> CommitStatus {
        CommitStatus {
            id,
            state: "pending".into(),
            context: context.into(),
            description: Some(description.into()),
            target_url: Some("https://github.com/o/r/pull/1#issuecomment-77".into()),
            created_at: String::new(),
            updated_at: String::new(),
            creator: None,
        }
    }

    fn combined(statuses: Vec<CommitStatus>) -> CombinedStatus {
        CombinedStatus {
            state: "pending".into(),
            sha: "a".repeat(40),
            total_count: statuses.len() as u64,
            statuses,
        }
    }

    #[test]
    fn a_fence_and_stage_statuses_are_writes_a_plain_anchor_and_other_contexts_are_not() {
        let s = Seen::of(&combined(vec![
            status(3, "infra-dashboard/plan", "running"),
            status(4, ANCHOR_CONTEXT, "dashboard comment"),
            status(9, "ci/other", "success"),
        ]));
        assert_eq!((s.newest, s.newest_write, s.newest_anchor), (9, 3, 4));
        assert!(!s.others_in_flight(0));
        assert!(s.later_writer_than(2));
        assert!(!s.later_writer_than(3));
        assert!(!s.later_writer_than(0), "init has no write to leave");

        let s = Seen::of(&combined(vec![
            status(3, "infra-dashboard/plan", "running"),
            status(5, "infra-dashboard/apply", "not a status word"),
            status(7, ANCHOR_CONTEXT, &fence_description(3)),
            status(8, "infra-dashboard/e2e", "success"),
        ]));
        assert_eq!((s.newest_write, s.newest_anchor), (8, 7));
        assert!(s.others_in_flight(3), "e2e was posted after the last fence");
        assert!(
            !s.others_in_flight(8),
            "only our own status is newer than the fence"
        );
    }
}
