//! Project locks, atomic on GitHub itself.
//!
//! The lock of project P is the git ref `refs/infra-ci/locks/P`. Creating a ref that exists
//! fails with 422, so exactly one of two concurrent creators wins: that is the atomic part.
//! The ref points at the holder's head commit at the time it locked; who holds it is
//! recorded as a commit status on that commit (context `infra-ci/lock/P`, description
//! `locked by #N`) by our own identity, which also shows the lock in the pull request's
//! checks. Anyone with `contents: write` can create such a ref and anyone with
//! `statuses: write` can post such a status, so the holder counts only when our identity
//! wrote it; a lock ref without our record has an unknown holder and is never free. The one
//! exception, for a crash between the two writes: a pull request whose own head the ref
//! points at may claim it (nobody else is harmed by that).

use infra_ci_github::{Forge, ForgeError, RepoId, Sha, StatusState};

use crate::error::EngineError;
use crate::truth::is_by;

/// The status context recording a lock's holder.
pub const LOCK_CONTEXT_PREFIX: &str = "infra-ci/lock/";

/// The lock ref of a project, without `refs/` (as `get_ref`/`delete_ref` take it).
pub fn lock_ref(project: &str) -> String {
    format!("infra-ci/locks/{project}")
}

/// What trying to lock came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LockOutcome {
    /// We created the lock.
    Acquired,
    /// We held it already (an earlier apply of this pull request).
    AlreadyOurs,
    /// Another pull request holds it (`None`: a holder we could not identify).
    HeldBy {
        /// The holding pull request, from our `locked by #N` status on the lock's commit.
        pr: Option<u64>,
        /// The commit the lock ref points at (the holder's head when it locked).
        sha: Sha,
    },
}

/// Takes the lock of `project` for pull request `pr` at `head`; `me` is our identity.
pub async fn acquire(
    forge: &dyn Forge,
    repo: &RepoId,
    me: &str,
    project: &str,
    pr: u64,
    head: &Sha,
) -> Result<LockOutcome, EngineError> {
    let short = lock_ref(project);
    for _ in 0..3 {
        match forge.create_ref(repo, &format!("refs/{short}"), head).await {
            Ok(_) => {
                record_holder(forge, repo, project, pr, head).await?;
                return Ok(LockOutcome::Acquired);
            }
            Err(ForgeError::AlreadyExists { .. }) => {}
            Err(e) => return Err(e.into()),
        }
        // Someone holds it, or held it and released it just now (then try again).
        if let Some((holder, sha)) = holder(forge, repo, me, project).await? {
            return Ok(match holder {
                Some(h) if h == pr => LockOutcome::AlreadyOurs,
                // Our crash between the two writes: the ref is at our own head, unrecorded.
                None if sha == *head => {
                    record_holder(forge, repo, project, pr, head).await?;
                    LockOutcome::Acquired
                }
                other => LockOutcome::HeldBy { pr: other, sha },
            });
        }
    }
    Err(EngineError::Usage(format!(
        "the lock of {project} kept appearing and disappearing; try again"
    )))
}

/// Records (as our identity) that pull request `pr` holds the lock of `project` at `head`.
async fn record_holder(
    forge: &dyn Forge,
    repo: &RepoId,
    project: &str,
    pr: u64,
    head: &Sha,
) -> Result<(), EngineError> {
    forge
        .create_status(
            repo,
            head,
            StatusState::Success,
            &format!("{LOCK_CONTEXT_PREFIX}{project}"),
            &format!("locked by #{pr}"),
            None,
        )
        .await?;
    Ok(())
}

/// The lock of `project`: `None` when unlocked, else the holder as our own newest record on
/// the lock's commit says (`None` when we recorded none: unknown, never free) and the commit.
pub async fn holder(
    forge: &dyn Forge,
    repo: &RepoId,
    me: &str,
    project: &str,
) -> Result<Option<(Option<u64>, Sha)>, EngineError> {
    let Some(r) = forge.get_ref(repo, &lock_ref(project)).await? else {
        return Ok(None);
    };
    let sha = r.object.sha;
    let context = format!("{LOCK_CONTEXT_PREFIX}{project}");
    let statuses = forge.list_statuses(repo, &sha).await?;
    let recorded = statuses
        .iter()
        .filter(|s| s.context == context && is_by(s, me))
        .max_by_key(|s| s.id)
        .and_then(|s| s.description.as_deref())
        .and_then(parse_holder);
    Ok(Some((recorded, sha)))
}

/// What releasing a pull request's locks came to. Every project is attempted: one
/// project's failure never leaves another's lock held.
#[derive(Debug, Default)]
pub struct Release {
    /// Projects whose lock ref was deleted (including those whose `released by #N` status
    /// could not be written afterwards: the lock itself is gone).
    pub released: Vec<String>,
    /// What went wrong, project by project, in the order attempted.
    pub failures: Vec<ReleaseFailure>,
}

impl Release {
    /// True when every attempt succeeded (the CLI exits 0).
    pub fn succeeded(&self) -> bool {
        self.failures.is_empty()
    }
}

/// One project's failed step while releasing.
#[derive(Debug)]
pub struct ReleaseFailure {
    /// The project whose lock was being released.
    pub project: String,
    /// True when the ref was deleted and only the bookkeeping status failed.
    pub lock_released: bool,
    /// What failed (deleting the lock ref, or the status that records it).
    pub error: EngineError,
}

impl std::fmt::Display for ReleaseFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.lock_released {
            write!(
                f,
                "{}: lock released, but its `released by` status could not be written: {}",
                self.project, self.error
            )
        } else {
            write!(f, "{}: lock NOT released: {}", self.project, self.error)
        }
    }
}

/// Releases every lock among `projects` that pull request `pr` holds. Locks held by others
/// are left alone. Each project is attempted whatever happened to the others; errors are
/// collected in [`Release::failures`].
pub async fn release(
    forge: &dyn Forge,
    repo: &RepoId,
    me: &str,
    projects: &[&str],
    pr: u64,
) -> Release {
    let mut out = Release::default();
    for project in projects {
        let failure = |lock_released, error| ReleaseFailure {
            project: (*project).to_owned(),
            lock_released,
            error,
        };
        let sha = match holder(forge, repo, me, project).await {
            Ok(Some((Some(holder_pr), sha))) if holder_pr == pr => sha,
            Ok(_) => continue,
            Err(e) => {
                out.failures.push(failure(false, e));
                continue;
            }
        };
        match forge.delete_ref(repo, &lock_ref(project)).await {
            Ok(()) => {}
            Err(e) if e.is_not_found() => continue,
            Err(e) => {
                out.failures.push(failure(false, e.into()));
                continue;
            }
        }
        out.released.push((*project).to_owned());
        // Bookkeeping only: the lock is gone with its ref (`holder` reads the ref first), so
        // a failure here is reported but never stops the remaining releases.
        if let Err(e) = forge
            .create_status(
                repo,
                &sha,
                StatusState::Success,
                &format!("{LOCK_CONTEXT_PREFIX}{project}"),
                &format!("released by #{pr}"),
                None,
            )
            .await
        {
            out.failures.push(failure(true, e.into()));
        }
    }
    out
}

/// `locked by #12` → 12.
fn parse_holder(description: &str) -> Option<u64> {
    description.strip_prefix("locked by #")?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holder_descriptions() {
        assert_eq!(parse_holder("locked by #12"), Some(12));
        assert_eq!(parse_holder("released by #12"), None);
        assert_eq!(parse_holder("locked by #x"), None);
        assert_eq!(lock_ref("platform"), "infra-ci/locks/platform");
    }
}
