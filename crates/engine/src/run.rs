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

use std::path::{Path, PathBuf};

use infra_ci_github::CommitStatus;

use crate::fence::{FENCE_PREFIX, fence_description};
use crate::truth::{ANCHOR_CONTEXT, STAGE_CONTEXT_PREFIX, is_by};

/// How the fence marks a run: `… covers r<C>; run of <K>`.
const RUN_OF: &str = "; run of ";
/// How a run mark names its workflow run (`…; run of <K>; run id <N>`), so the run's close
/// job knows the mark as its own (ADR 0014).
const RUN_ID: &str = "; run id ";

/// How long a leg may leave the comment unrendered: a leg whose run is not complete still
/// renders when the newest render (fence) is older than this, by GitHub's clock.
pub const RENDER_LAG_S: i64 = 30;

/// The run mark: a fence that also says how many legs the run has and, when known, which
/// workflow run it is.
pub fn mark_description(covered: u64, legs: usize, run_id: Option<u64>) -> String {
    match run_id {
        Some(id) => format!("{}{RUN_OF}{legs}{RUN_ID}{id}", fence_description(covered)),
        None => format!("{}{RUN_OF}{legs}", fence_description(covered)),
    }
}

/// A run mark's legs and workflow run id (`None` for a mark that names no run).
fn mark_of(description: &str) -> Option<(usize, Option<u64>)> {
    if !description.starts_with(FENCE_PREFIX) {
        return None;
    }
    let after = description.rsplit_once(RUN_OF)?.1;
    match after.split_once(RUN_ID) {
        Some((legs, id)) => Some((legs.parse().ok()?, Some(id.parse().ok()?))),
        None => Some((after.parse().ok()?, None)),
    }
}

/// The anchor description the run's close job posts before the read that decides which
/// legs never reported: an anchor (it points at the comment), not a fence (it claims no
/// render).
pub fn closing_description(run_id: u64) -> String {
    format!("dashboard comment; closing run {run_id}")
}

/// The comment our newest anchor (or fence) in `statuses` points at.
pub fn newest_anchor_url(statuses: &[CommitStatus], me: &str) -> Option<String> {
    statuses
        .iter()
        .filter(|s| s.context == ANCHOR_CONTEXT && is_by(s, me))
        .max_by_key(|s| s.id)?
        .target_url
        .clone()
}

/// How many pages of the newest statuses a leg reads at most to find its run's mark: a
/// run of up to about 290 legs keeps its mark within reach.
pub const MARK_PAGES: u32 = 3;

/// Whether `statuses` hold a run mark of ours.
pub fn has_mark(statuses: &[CommitStatus], me: &str) -> bool {
    newest_mark(statuses, me).is_some()
}

/// A run mark as a status list shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mark {
    /// The mark's status id: results after it are the run's.
    pub id: u64,
    /// How many legs the run has (K).
    pub legs: usize,
    /// The workflow run it names, if it names one.
    pub run_id: Option<u64>,
}

/// The newest run mark of ours in `statuses` (any order).
pub fn newest_mark(statuses: &[CommitStatus], me: &str) -> Option<Mark> {
    statuses
        .iter()
        .filter(|s| s.context == ANCHOR_CONTEXT && is_by(s, me))
        .filter_map(|s| {
            let (legs, run_id) = mark_of(s.description.as_deref()?)?;
            Some(Mark {
                id: s.id,
                legs,
                run_id,
            })
        })
        .max_by_key(|m| m.id)
}

/// Whether `newest` (a leg's read after its result) shows that the routing job opened a
/// run on this commit for this pull request: a run mark of ours, and our newest anchor
/// pointing at a comment on `target`'s pull request. `parse` checked the commit against
/// the pull request before it wrote them, so a leg given `parse`'s outputs need not ask
/// GitHub for the pull request again (one request a leg, ADR 0014).
pub fn routed_here(newest: &[CommitStatus], me: &str, target: &crate::Target) -> bool {
    has_mark(newest, me) && newest_anchor_url(newest, me).is_some_and(|url| on_pull(&url, target))
}

/// Whether a comment URL (`…/<owner>/<repo>/pull/<n>#issuecomment-<id>`) is on the
/// target's repository and pull request.
fn on_pull(url: &str, t: &crate::Target) -> bool {
    let Some((page, _)) = url.split_once("#issuecomment-") else {
        return false;
    };
    let repo = format!("/{}/{}/", t.repo.owner, t.repo.name);
    [
        format!("{repo}pull/{}", t.pr),
        format!("{repo}issues/{}", t.pr),
    ]
    .iter()
    .any(|tail| {
        page.to_ascii_lowercase()
            .ends_with(&tail.to_ascii_lowercase())
    })
}

/// The legs of `stages` that a run's close job marks cancelled (ADR 0014): those with no
/// result of ours after the run's mark, when that mark is the newest (workflow run
/// `run_id`'s). A newer run's mark means a newer run shows those rows running (a pending
/// leg is cancelled when a newer run's leg replaces it in its concurrency group): its legs
/// and its own close job report them, so none is cancelled here.
pub fn unreported<'s>(
    statuses: &[CommitStatus],
    me: &str,
    run_id: u64,
    stages: &'s [String],
) -> Vec<&'s str> {
    let Some(mark) = newest_mark(statuses, me).filter(|m| m.run_id == Some(run_id)) else {
        return Vec::new();
    };
    stages
        .iter()
        .filter(|key| {
            let context = format!("{STAGE_CONTEXT_PREFIX}{key}");
            !statuses
                .iter()
                .any(|s| s.id > mark.id && s.context == context && is_by(s, me) && is_result(s))
        })
        .map(String::as_str)
        .collect()
}

/// A stage status whose word is a result (success, failure, skipped, cancelled).
fn is_result(s: &CommitStatus) -> bool {
    s.context.starts_with(STAGE_CONTEXT_PREFIX)
        && infra_ci_core::status_line::decode(s.description.as_deref().unwrap_or(""))
            .is_some_and(|(st, _)| st.is_terminal())
}

/// A leg's details left to its run's close job (ADR 0014): the text the leg would have
/// rendered under its row, and the id of the result status it describes. The close job
/// attaches it only while that very status is the row's newest, so a record never labels
/// another result (a re-run's, a later run's). Display only, like every details text: a
/// record is written in the leg's job, where the pull request's code may have run.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LegDetails {
    /// The stage key.
    pub stage: String,
    /// The id of the leg's result status.
    pub status_id: u64,
    /// The details text.
    pub details: String,
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
    let terminal = |s: &&&CommitStatus| is_result(s);
    if ours.iter().filter(terminal).any(|s| s.id > mine) {
        return Some(url); // a later result renders ours
    }
    let mark = newest_mark(newest, me)?;
    let done: std::collections::BTreeSet<&str> = ours
        .iter()
        .filter(terminal)
        .filter(|s| s.id > mark.id)
        .map(|s| s.context.as_str())
        .collect();
    if done.len() >= mark.legs {
        return None; // the run may be complete: ours may be its last result
    }
    let fence_at = anchor.created_at.parse::<jiff::Timestamp>().ok()?;
    let at = posted_at.parse::<jiff::Timestamp>().ok()?;
    let lag = at.duration_since(fence_at).as_secs();
    (lag < RENDER_LAG_S).then_some(url)
}

impl LegDetails {
    /// The largest record file read back; a leg's details are cut far below this.
    const MAX_FILE: u64 = 256 * 1024;
    /// The most records a close job reads (a run has at most a few hundred legs).
    const MAX_RECORDS: usize = 2_000;

    /// Saves the record in `dir` (created if missing) as `leg-<status id>.json`, the folder
    /// the workflow uploads as the leg's artifact for the close job.
    pub fn save(&self, dir: &Path) -> std::io::Result<PathBuf> {
        std::fs::create_dir_all(dir)?;
        let path = dir.join(format!("leg-{}.json", self.status_id));
        std::fs::write(
            &path,
            serde_json::to_vec(self).map_err(std::io::Error::other)?,
        )?;
        Ok(path)
    }

    /// Every record under `dir`: its files and those of its folders (an artifact per folder
    /// when downloaded without merging). A missing `dir` is none (no leg had details); a
    /// file that is not a record (too big, not JSON) is skipped with a warning, never fatal:
    /// details are display, the rows are right without them.
    pub fn load_all(dir: &Path) -> Vec<Self> {
        let mut out = Vec::new();
        let mut folders = vec![(dir.to_path_buf(), 0)];
        while let Some((folder, depth)) = folders.pop() {
            let Ok(entries) = std::fs::read_dir(&folder) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                let Ok(meta) = entry.metadata() else { continue };
                if meta.is_dir() && depth == 0 {
                    folders.push((path, depth + 1));
                } else if meta.is_file()
                    && path.extension().is_some_and(|e| e == "json")
                    && out.len() < Self::MAX_RECORDS
                {
                    if let Some(r) = Self::load(&path, meta.len()) {
                        out.push(r);
                    } else {
                        tracing::warn!(file = %path.display(), "not a leg's details record; skipped");
                    }
                }
            }
        }
        out.sort_by_key(|r| r.status_id);
        out
    }

    fn load(path: &Path, len: u64) -> Option<Self> {
        if len > Self::MAX_FILE {
            return None;
        }
        serde_json::from_slice(&std::fs::read(path).ok()?).ok()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

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
            at(by(5, ANCHOR_CONTEXT, &mark_description(4, k, None), ME), T0),
            at(by(4, "infra-dashboard/plan-a", "success: old", ME), T0),
        ]
    }

    fn result(id: u64, stage: &str, word: &str) -> CommitStatus {
        at(by(id, &format!("infra-dashboard/{stage}"), word, ME), T10)
    }

    #[test]
    fn the_mark_reads_back() {
        assert_eq!(mark_of(&mark_description(7, 12, None)), Some((12, None)));
        assert_eq!(
            mark_of(&mark_description(7, 12, Some(99))),
            Some((12, Some(99)))
        );
        assert_eq!(
            mark_of("dashboard comment; covers r7; run of 12; run id x"),
            None
        );
        assert_eq!(mark_of(&fence_description(7)), None);
        // The close job's anchor is neither a mark nor a fence: it claims no render.
        assert_eq!(mark_of(&closing_description(7)), None);
        assert!(!closing_description(7).starts_with(FENCE_PREFIX));
        assert_eq!(mark_of("success; run of 3"), None, "not a fence");
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
                by(8, ANCHOR_CONTEXT, &mark_description(9, 9, None), "mallory"),
                T10,
            ),
        );
        // mallory's result is no later writer; the run (ours, 3 legs) has 1 result.
        assert!(may_leave(&read, ME, 6, T10).is_some());
        assert!(may_leave(&read, ME, 6, T60).is_none());
    }

    #[test]
    fn the_close_job_cancels_only_its_own_runs_unreported_legs() {
        let stages: Vec<String> = ["plan-a", "plan-b", "plan-c"].map(String::from).to_vec();
        let mark = |id: u64, run: Option<u64>| {
            at(by(id, ANCHOR_CONTEXT, &mark_description(4, 3, run), ME), T0)
        };
        let mut read = vec![
            result(3, "plan-b", "success"), // before the mark: an earlier run's
            mark(5, Some(77)),
            result(6, "plan-a", "success"),
            result(7, "plan-c", "running"), // not a result
            at(by(8, "infra-dashboard/plan-c", "failure", "mallory"), T10),
        ];
        assert_eq!(unreported(&read, ME, 77, &stages), ["plan-b", "plan-c"]);
        assert!(
            unreported(&read, ME, 78, &stages).is_empty(),
            "another run's close job"
        );
        // A newer run (its mark) owns the rows now: nothing is cancelled.
        read.push(mark(9, Some(78)));
        assert!(unreported(&read, ME, 77, &stages).is_empty());
        // A mark that names no run (an older parse) is never taken for ours.
        assert!(unreported(&[mark(5, None)], ME, 77, &stages).is_empty());
        // A forged mark naming our run is not ours.
        let forged = at(
            by(
                10,
                ANCHOR_CONTEXT,
                &mark_description(4, 3, Some(77)),
                "mallory",
            ),
            T10,
        );
        read.push(forged);
        assert!(unreported(&read, ME, 77, &stages).is_empty());
    }

    #[test]
    fn records_round_trip_through_a_folder_and_junk_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let a = LegDetails {
            stage: "plan-a".into(),
            status_id: 7,
            details: "To destroy (1): aws_s3_bucket.logs".into(),
        };
        a.save(dir.path()).unwrap();
        let nested = dir.path().join("infra-ci-details-digger-1");
        let b = LegDetails {
            stage: "plan-b".into(),
            status_id: 9,
            details: "x".into(),
        };
        b.save(&nested).unwrap();
        std::fs::write(dir.path().join("junk.json"), b"{not json").unwrap();
        std::fs::write(dir.path().join("notes.txt"), b"ignored").unwrap();
        assert_eq!(LegDetails::load_all(dir.path()), vec![a, b]);
        assert!(LegDetails::load_all(&dir.path().join("missing")).is_empty());
    }

    #[test]
    fn a_leg_knows_its_run_by_the_mark_and_the_anchor_on_its_pull_request() {
        const ON_7: &str = "https://github.com/acme/infra/pull/7#issuecomment-77";
        let t = |pr: u64| crate::Target {
            repo: infra_ci_github::RepoId::parse("acme/infra").unwrap(),
            pr,
            sha: infra_ci_github::Sha::new("a".repeat(40)),
            is_head: None,
        };
        let anchored = |id: u64, d: &str, url: &str, who: &str| {
            let mut s = by(id, ANCHOR_CONTEXT, d, who);
            s.target_url = Some(url.into());
            s
        };
        let mark = anchored(5, &mark_description(4, 2, Some(1)), ON_7, ME);
        assert!(routed_here(std::slice::from_ref(&mark), ME, &t(7)));
        assert!(
            !routed_here(std::slice::from_ref(&mark), ME, &t(70)),
            "another pull request"
        );
        let fence = anchored(5, &fence_description(4), ON_7, ME);
        assert!(!routed_here(&[fence], ME, &t(7)), "no run mark");
        let theirs = anchored(5, &mark_description(4, 2, Some(1)), ON_7, "mallory");
        assert!(!routed_here(&[theirs], ME, &t(7)), "not ours");
        let other_repo = anchored(
            5,
            &mark_description(4, 2, Some(1)),
            "https://github.com/evil/infra/pull/7#issuecomment-77",
            ME,
        );
        assert!(!routed_here(&[other_repo], ME, &t(7)));
    }
}
