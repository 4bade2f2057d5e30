//! A run of legs (a `/plan` of N projects, ADR 0012): the routing job shows every leg's row
//! running in its one write and marks the run in the fence after it (`run of K`); each leg
//! then posts only its result, and renders only when the run's last result may be its own
//! or when the comment has not been rendered for a while.
//!
//! Why no row is lost: every leg posts its result and reads after it. The leg whose result
//! is the newest of the run reads all K results (a read that shows a status shows every
//! earlier one), so it counts K and renders (or leaves its render to a later writer of
//! ours, which renders). Any other leg may skip: its row is rendered by that last one.
//! Counting more than the run's legs (another stage's result after the mark, a repeated
//! result) only makes a leg render early, never skip a render the last one needs.

use infra_ci_github::CommitStatus;

use crate::fence::{FENCE_PREFIX, fence_description};
use crate::truth::{ANCHOR_CONTEXT, STAGE_CONTEXT_PREFIX, is_by};

/// How the fence marks a run: `… covers r<C>; run of <K>`.
const RUN_OF: &str = "; run of ";

/// How long a leg may leave the comment unrendered: a leg whose run is not complete still
/// renders when the newest render (fence) is older than this, by GitHub's clock.
pub const RENDER_LAG_S: i64 = 30;

/// The run mark: a fence that also says how many legs the run has.
pub fn mark_description(covered: u64, legs: usize) -> String {
    format!("{}{RUN_OF}{legs}", fence_description(covered))
}

/// The number of legs a fence's description marks, if it is a run mark.
pub fn legs_of(description: &str) -> Option<usize> {
    if !description.starts_with(FENCE_PREFIX) {
        return None;
    }
    description.rsplit_once(RUN_OF)?.1.parse().ok()
}

/// Whether a leg whose result is `mine` (posted at `posted_at`) may leave its render, given
/// `newest`: the newest statuses of the commit (newest first, at least down to `mine`),
/// read after it was posted. Returns the anchor's comment URL when it may.
///
/// It may when a later result of ours (a writer that renders) is in the read, or when the
/// newest run mark is in the read, fewer than its K stages have a result after it, and the
/// newest fence is less than [`RENDER_LAG_S`] older than our status.
pub fn may_leave(newest: &[CommitStatus], me: &str, mine: u64, posted_at: &str) -> Option<String> {
    let ours: Vec<&CommitStatus> = newest.iter().filter(|s| is_by(s, me)).collect();
    if !ours.iter().any(|s| s.id == mine) {
        return None; // the read lags our own status: it proves nothing
    }
    let anchor = ours
        .iter()
        .filter(|s| s.context == ANCHOR_CONTEXT)
        .max_by_key(|s| s.id)?;
    let url = anchor.target_url.clone()?;
    let terminal = |s: &&&CommitStatus| {
        s.context.starts_with(STAGE_CONTEXT_PREFIX)
            && infra_ci_core::status_line::decode(s.description.as_deref().unwrap_or(""))
                .is_some_and(|(st, _)| st.is_terminal())
    };
    if ours.iter().filter(terminal).any(|s| s.id > mine) {
        return Some(url); // a later result renders ours
    }
    let (mark, legs) = ours
        .iter()
        .filter(|s| s.context == ANCHOR_CONTEXT)
        .filter_map(|s| Some((s.id, legs_of(s.description.as_deref()?)?)))
        .max_by_key(|(id, _)| *id)?;
    let done: std::collections::BTreeSet<&str> = ours
        .iter()
        .filter(terminal)
        .filter(|s| s.id > mark)
        .map(|s| s.context.as_str())
        .collect();
    if done.len() >= legs {
        return None; // the run may be complete: ours may be its last result
    }
    let fence_at = anchor.created_at.parse::<jiff::Timestamp>().ok()?;
    let at = posted_at.parse::<jiff::Timestamp>().ok()?;
    let lag = at.duration_since(fence_at).as_secs();
    (lag < RENDER_LAG_S).then_some(url)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::truth::test_status_by as by;

    const ME: &str = "infra-ci[bot]";

    fn at(mut s: CommitStatus, t: &str) -> CommitStatus {
        s.created_at = t.into();
        s
    }

    const T0: &str = "2024-01-01T00:00:00Z";
    const T10: &str = "2024-01-01T00:00:10Z";
    const T60: &str = "2024-01-01T00:01:00Z";

    fn run_of(k: usize) -> Vec<CommitStatus> {
        vec![
            at(by(5, ANCHOR_CONTEXT, &mark_description(4, k), ME), T0),
            at(by(4, "infra-dashboard/plan-a", "success: old", ME), T0),
        ]
    }

    fn result(id: u64, stage: &str, word: &str) -> CommitStatus {
        at(by(id, &format!("infra-dashboard/{stage}"), word, ME), T10)
    }

    #[test]
    fn the_mark_reads_back() {
        assert_eq!(legs_of(&mark_description(7, 12)), Some(12));
        assert_eq!(legs_of(&fence_description(7)), None);
        assert_eq!(legs_of("success; run of 3"), None, "not a fence");
    }

    #[test]
    fn a_leg_leaves_its_render_while_its_run_is_incomplete_and_the_comment_fresh() {
        let mut read = run_of(3);
        read.insert(0, result(6, "plan-a", "success"));
        read.insert(0, result(7, "plan-b", "failure"));
        // 7 is a later result: 6 leaves its render to it.
        assert!(may_leave(&read, ME, 6, T10).is_some());
        // 7 is the newest, 2 of 3 done, the mark 10 s old: 7 leaves it to the last leg.
        assert!(may_leave(&read, ME, 7, T10).is_some());
        // …but not when the comment was last rendered a minute ago.
        assert!(may_leave(&read, ME, 7, T60).is_none());
        // The third result completes the run: it renders.
        read.insert(0, result(8, "plan-c", "success"));
        assert!(may_leave(&read, ME, 8, T10).is_none());
    }

    #[test]
    fn a_running_is_no_later_writer_and_a_lagging_read_proves_nothing() {
        let mut read = run_of(1);
        read.insert(0, result(6, "plan-a", "success"));
        read.insert(0, result(7, "plan-b", "running"));
        assert!(
            may_leave(&read, ME, 6, T10).is_none(),
            "the run is complete"
        );
        assert!(
            may_leave(&run_of(3), ME, 6, T10).is_none(),
            "6 not in the read"
        );
    }

    #[test]
    fn without_a_mark_or_with_another_identitys_results_a_leg_renders() {
        let mut read = vec![
            at(by(5, ANCHOR_CONTEXT, &fence_description(4), ME), T0),
            result(6, "plan-a", "success"),
        ];
        assert!(may_leave(&read, ME, 6, T10).is_none(), "no run mark");
        read = run_of(3);
        read.insert(0, result(6, "plan-a", "success"));
        read.insert(
            0,
            at(by(7, "infra-dashboard/plan-b", "success", "mallory"), T10),
        );
        read.insert(
            0,
            at(
                by(8, ANCHOR_CONTEXT, &mark_description(9, 9), "mallory"),
                T10,
            ),
        );
        // mallory's result is no later writer; the run (ours, 3 legs) has 1 result.
        assert!(may_leave(&read, ME, 6, T10).is_some());
        assert!(may_leave(&read, ME, 6, T60).is_none());
    }
}
