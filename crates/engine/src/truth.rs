//! The truth: commit statuses `infra-dashboard/<stage>` and the anchor `infra-dashboard`,
//! as our own identity wrote them.
//!
//! Any token with `statuses: write` can post a status with our contexts, and the combined
//! status (`GET commits/{ref}/status`) names no author and shows only the newest status of
//! each context, so a forged status there hides ours. The truth is therefore read from the
//! full list (`GET commits/{ref}/statuses`, each status with its `creator`): only statuses
//! whose creator is our identity count, the newest of each context winning; the others are
//! counted (and logged) as ignored, never believed.

use std::collections::BTreeMap;

use infra_ci_core::{Status, status_line};
use infra_ci_github::{CommitStatus, Forge, RepoId, Sha};
use tracing::warn;

use crate::error::EngineError;

/// The anchor status's context: its target URL is the dashboard comment.
pub const ANCHOR_CONTEXT: &str = "infra-dashboard";
/// Prefix of each stage's status context.
pub const STAGE_CONTEXT_PREFIX: &str = "infra-dashboard/";

/// One stage as its latest commit status tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageTruth {
    /// The status decoded from the description's leading word.
    pub status: Status,
    /// The one-line summary after `<word>: ` in the description; `None` when there is none.
    pub output: Option<String>,
    /// The status's target URL (the run to look at); `None` when unset.
    pub link: Option<String>,
    /// When GitHub last updated the status (ISO 8601), as it sent it.
    pub updated_at: String,
    /// The commit status id; ids only grow, so it orders two views of a stage.
    pub revision: u64,
}

/// Everything the statuses of one commit say about its dashboard.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Truth {
    /// Each stage's newest view, by stage key (the context after `infra-dashboard/`).
    pub stages: BTreeMap<String, StageTruth>,
    /// The comment id the anchor points at.
    pub anchor: Option<u64>,
    /// Statuses in our namespaces (`infra-dashboard*`) written by another identity, ignored.
    pub ignored: usize,
    /// The status id of the anchor read (the newest anchor wins).
    pub anchor_revision: u64,
}

impl Truth {
    /// Reads the truth of commit `sha`: our own statuses only (see the module doc).
    pub async fn read(
        forge: &dyn Forge,
        repo: &RepoId,
        sha: &Sha,
        me: &str,
    ) -> Result<Self, EngineError> {
        let all = forge.list_statuses(repo, sha).await?;
        let t = Self::from_statuses(&all, me);
        if t.ignored > 0 {
            warn!(
                sha = sha.as_str(),
                ignored = t.ignored,
                "ignored dashboard statuses written by another identity than ours ({me})"
            );
        }
        Ok(t)
    }

    /// The truth among `statuses` (any order): those whose creator is `me` count; other
    /// contexts are ignored, and so are descriptions we did not write.
    pub fn from_statuses(statuses: &[CommitStatus], me: &str) -> Self {
        let mut t = Self::default();
        for s in statuses {
            if is_by(s, me) {
                t.absorb(s);
            } else if s.context.starts_with(ANCHOR_CONTEXT) {
                t.ignored += 1;
            }
        }
        t
    }

    /// Takes one status (ours: the caller checked) into account, keeping the newer view of
    /// its stage, and the newest anchor.
    pub fn absorb(&mut self, s: &CommitStatus) {
        if s.context == ANCHOR_CONTEXT {
            if let Some(id) = s.target_url.as_deref().and_then(comment_id_from_url)
                && s.id >= self.anchor_revision
            {
                self.anchor = Some(id);
                self.anchor_revision = s.id;
            }
            return;
        }
        let Some(key) = s.context.strip_prefix(STAGE_CONTEXT_PREFIX) else {
            return;
        };
        let Some((status, output)) = status_line::decode(s.description.as_deref().unwrap_or(""))
        else {
            return;
        };
        let candidate = StageTruth {
            status,
            output,
            link: s.target_url.clone(),
            updated_at: s.updated_at.clone(),
            revision: s.id,
        };
        self.keep_newer(key, candidate);
    }

    /// Takes another read into account (a read-back), stage by stage, newer views winning.
    pub fn merge(&mut self, other: &Truth) {
        for (key, t) in &other.stages {
            self.keep_newer(key, t.clone());
        }
        if other.anchor.is_some() && other.anchor_revision >= self.anchor_revision {
            self.anchor = other.anchor;
            self.anchor_revision = other.anchor_revision;
        }
    }

    /// The one rule for two views of a stage: the higher revision (status id) wins.
    fn keep_newer(&mut self, key: &str, candidate: StageTruth) {
        if self
            .stages
            .get(key)
            .is_none_or(|have| have.revision < candidate.revision)
        {
            self.stages.insert(key.to_owned(), candidate);
        }
    }
}

/// True when our identity `me` created status `s` (logins compare case-insensitively, as
/// GitHub's do). A status without a creator is nobody's.
pub fn is_by(s: &CommitStatus, me: &str) -> bool {
    !me.is_empty()
        && s.creator
            .as_ref()
            .is_some_and(|c| c.login.eq_ignore_ascii_case(me))
}

/// `…#issuecomment-123` → 123.
pub fn comment_id_from_url(url: &str) -> Option<u64> {
    url.rsplit_once("#issuecomment-")?.1.parse().ok()
}

/// A pending status by the bot `login`, pointing at comment 77 (the truth's and the
/// fence's unit tests).
#[cfg(test)]
pub(crate) fn test_status_by(
    id: u64,
    context: &str,
    description: &str,
    login: &str,
) -> CommitStatus {
    CommitStatus {
        id,
        state: infra_ci_github::StatusState::Pending,
        context: context.into(),
        description: Some(description.into()),
        target_url: Some("https://github.com/o/r/pull/1#issuecomment-77".into()),
        created_at: String::new(),
        updated_at: String::new(),
        creator: Some(infra_ci_github::User {
            login: login.into(),
            id: 1,
            kind: "Bot".into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(id: u64, context: &str, description: &str) -> CommitStatus {
        by(id, context, description, "infra-ci[bot]")
    }

    use super::test_status_by as by;

    #[test]
    fn newest_revision_wins_and_foreign_statuses_are_ignored() {
        let mut t = Truth::default();
        t.absorb(&status(5, "infra-dashboard/apply", "success: done"));
        t.absorb(&status(3, "infra-dashboard/apply", "running"));
        t.absorb(&status(9, "ci/circleci", "success"));
        t.absorb(&status(10, "infra-dashboard/e2e", "Build finished"));
        t.absorb(&status(11, "infra-dashboard", "dashboard"));
        assert_eq!(t.stages.len(), 1);
        assert_eq!(t.stages["apply"].status, Status::Success);
        assert_eq!(t.stages["apply"].output.as_deref(), Some("done"));
        assert_eq!(t.anchor, Some(77));
    }
}

#[cfg(test)]
mod ours_only {
    use super::*;
    use infra_ci_github::User;

    fn by(id: u64, context: &str, description: &str, login: Option<&str>) -> CommitStatus {
        CommitStatus {
            id,
            state: infra_ci_github::StatusState::Success,
            context: context.into(),
            description: Some(description.into()),
            target_url: Some(format!("https://github.com/o/r/pull/1#issuecomment-{id}")),
            created_at: String::new(),
            updated_at: String::new(),
            creator: login.map(|l| User {
                login: l.into(),
                id: 1,
                kind: "User".into(),
            }),
        }
    }

    #[test]
    fn statuses_by_others_are_ignored_even_when_newer() {
        let all = [
            by(
                9,
                "infra-dashboard/plan-a",
                "success: forged",
                Some("mallory"),
            ),
            by(8, "infra-dashboard", "dashboard", Some("mallory")),
            by(
                7,
                "infra-dashboard/plan-a",
                "failure: real",
                Some("Infra-CI[bot]"),
            ),
            by(6, "infra-dashboard", "dashboard", Some("infra-ci[bot]")),
            by(5, "infra-dashboard/plan-b", "success", None),
        ];
        let t = Truth::from_statuses(&all, "infra-ci[bot]");
        assert_eq!(t.stages.len(), 1);
        assert_eq!(t.stages["plan-a"].status, Status::Failure);
        assert_eq!(t.stages["plan-a"].output.as_deref(), Some("real"));
        assert_eq!(t.anchor, Some(6));
        assert_eq!(t.ignored, 3);
        // Nobody is "" : an unknown identity trusts nothing.
        assert!(Truth::from_statuses(&all, "").stages.is_empty());
    }
}
