//! The truth: commit statuses `infra-dashboard/<stage>` and the anchor `infra-dashboard`.

use std::collections::BTreeMap;

use infra_ci_core::{Status, status_line};
use infra_ci_github::{CombinedStatus, CommitStatus};

/// The anchor status's context: its target URL is the dashboard comment.
pub const ANCHOR_CONTEXT: &str = "infra-dashboard";
/// Prefix of each stage's status context.
pub const STAGE_CONTEXT_PREFIX: &str = "infra-dashboard/";

/// One stage as its latest commit status tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageTruth {
    pub status: Status,
    pub output: Option<String>,
    pub link: Option<String>,
    pub updated_at: String,
    /// The commit status id; ids only grow, so it orders two views of a stage.
    pub revision: u64,
}

/// Everything the statuses of one commit say about its dashboard.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Truth {
    pub stages: BTreeMap<String, StageTruth>,
    /// The comment id the anchor points at.
    pub anchor: Option<u64>,
}

impl Truth {
    /// Reads our statuses out of a combined status; other contexts are ignored, and so are
    /// descriptions we did not write.
    pub fn from_combined(c: &CombinedStatus) -> Self {
        let mut t = Self::default();
        for s in &c.statuses {
            t.absorb(s);
        }
        t
    }

    /// Takes one status into account, keeping the newer view of its stage.
    pub fn absorb(&mut self, s: &CommitStatus) {
        if s.context == ANCHOR_CONTEXT {
            if let Some(id) = s.target_url.as_deref().and_then(comment_id_from_url) {
                self.anchor = Some(id);
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
        if other.anchor.is_some() {
            self.anchor = other.anchor;
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

/// `…#issuecomment-123` → 123.
pub fn comment_id_from_url(url: &str) -> Option<u64> {
    url.rsplit_once("#issuecomment-")?.1.parse().ok()
}

#[cfg(test)]
mod tests {
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
