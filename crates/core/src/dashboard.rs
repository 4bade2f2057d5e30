//! The dashboard model: one commit, its stages in order.

use serde::{Deserialize, Serialize};

use crate::stage::StageDef;
use crate::status::Status;

/// One row of the dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageState {
    /// The stage's key ([`StageDef::key`]), which matches the row to its commit status.
    pub key: String,
    /// The name shown in the Stage column.
    pub name: String,
    /// Where the stage stands.
    pub status: Status,
    /// Where to look (a run URL). Only `http(s)` links are rendered.
    pub link: Option<String>,
    /// A one-line summary (`+2 ~1 -0`, the first error line).
    pub output: Option<String>,
    /// When the stage last changed, as the forge reported it (RFC 3339).
    pub updated_at: Option<String>,
    /// Longer text (a plan, an error tail) shown collapsed under the table, budgeted.
    pub details: Option<String>,
    /// The id of the commit status this row was rendered from. Status ids only grow, so
    /// of two views of a row the higher revision is the newer one.
    pub revision: Option<u64>,
}

impl StageState {
    /// A pending row with nothing else known but what updates it.
    pub fn pending(def: &StageDef) -> Self {
        Self {
            key: def.key.clone(),
            name: def.name.clone(),
            status: Status::Pending,
            link: None,
            output: def.updated_by.as_ref().map(|w| format!("updated by {w}")),
            updated_at: None,
            details: None,
            revision: None,
        }
    }
}

/// The dashboard of one commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dashboard {
    /// The commit (full SHA when known; the marker uses its first 7 characters).
    pub sha: String,
    /// The rows, in the configured stage order.
    pub stages: Vec<StageState>,
    /// What the previous commit's stages came to, shown under the table of a new head's
    /// dashboard ([`crate::previous`]); written when the dashboard is created, then kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<String>,
}

impl Dashboard {
    /// Every configured stage, pending.
    pub fn new(sha: impl Into<String>, defs: &[StageDef]) -> Self {
        Self {
            sha: sha.into(),
            stages: defs.iter().map(StageState::pending).collect(),
            previous: None,
        }
    }

    /// The row of `key`.
    pub fn stage(&self, key: &str) -> Option<&StageState> {
        self.stages.iter().find(|s| s.key == key)
    }

    /// The row of `key`. A row infra-ci derives (a project's apply under `apply`, the apply
    /// locks: [`crate::stage::derived_row`]) is added in its place; any other key is added at
    /// the end, named by its key, when the configuration does not know it: a typo in a
    /// workflow must show up on the dashboard, not fail the build. The flag is true when
    /// such an unknown row was added.
    pub fn stage_mut_or_insert(&mut self, key: &str) -> (&mut StageState, bool) {
        if let Some(i) = self.stages.iter().position(|s| s.key == key) {
            return (&mut self.stages[i], false);
        }
        let rows = self
            .stages
            .iter()
            .map(|s| (s.key.as_str(), s.name.as_str()));
        let (name, at, unknown) = match crate::stage::derived_row(rows, key) {
            Some((name, at)) => (name, at, false),
            None => (key.to_owned(), self.stages.len(), true),
        };
        self.stages
            .insert(at, StageState::pending(&StageDef::new(key, name)));
        (&mut self.stages[at], unknown)
    }

    /// Sets a stage's status, link and output (the seed's `update_stage`). Returns true when
    /// the key was unknown and a row was added.
    pub fn update_stage(
        &mut self,
        key: &str,
        status: Status,
        link: Option<String>,
        output: Option<String>,
    ) -> bool {
        let (row, added) = self.stage_mut_or_insert(key);
        row.status = status;
        row.link = link;
        row.output = output;
        added
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::stage::default_stages;

    #[test]
    fn unknown_keys_become_rows() {
        let mut d = Dashboard::new("abc1234", &default_stages());
        assert!(!d.update_stage("apply", Status::Running, None, None));
        assert!(d.update_stage("plan-typo", Status::Success, None, None));
        assert_eq!(d.stages.len(), 9);
        assert_eq!(
            d.stage("plan-typo").map(|s| s.name.as_str()),
            Some("plan-typo")
        );
        assert_eq!(d.stage("apply").map(|s| s.status), Some(Status::Running));
    }

    #[test]
    fn derived_rows_are_placed_not_appended() {
        let mut d = Dashboard::new("abc1234", &default_stages());
        assert!(!d.update_stage("apply.net", Status::Success, None, None));
        assert!(!d.update_stage("locks", Status::Success, None, None));
        assert!(!d.update_stage("apply.app", Status::Failure, None, None));
        let keys: Vec<&str> = d.stages.iter().map(|s| s.key.as_str()).collect();
        let at = keys.iter().position(|k| *k == "apply").unwrap();
        assert_eq!(
            keys[at..at + 4],
            ["apply", "apply.net", "apply.app", "locks"]
        );
        assert_eq!(d.stage("apply.app").unwrap().name, "Apply: app");
        assert_eq!(d.stage("locks").unwrap().name, "Apply locks");
    }
}
