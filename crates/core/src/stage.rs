//! Stage definitions: the seed's eight by default.

use serde::{Deserialize, Serialize};

/// A dashboard row's identity: a stable key and the name people read.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StageDef {
    /// The stable identity (`plan-platform`): names the stage's commit status
    /// (`infra-dashboard/<key>`) and matches it to its row.
    pub key: String,
    /// What the Stage column shows (`Plan: platform`); free to change.
    pub name: String,
    /// What updates the row, shown while it is pending (`updated by /plan`): a row no job
    /// of the current run will update says what will (issue 9).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_by: Option<String>,
}

impl StageDef {
    /// A row with this key and display name, and nothing saying what updates it.
    pub fn new(key: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            name: name.into(),
            updated_by: None,
        }
    }

    /// The same row, saying what updates it while it is pending.
    #[must_use]
    pub fn updated_by(mut self, what: impl Into<String>) -> Self {
        self.updated_by = Some(what.into());
        self
    }
}

/// The seed's stages (`tools/ci/core/dashboard.py`), in its order.
pub fn default_stages() -> Vec<StageDef> {
    [
        ("ci", "CI Validate"),
        ("plan-bootstrap", "Plan: bootstrap"),
        ("plan-platform", "Plan: platform"),
        ("plan-data-staging", "Plan: data-staging"),
        ("plan-data-prod", "Plan: data-prod"),
        ("apply", "Apply"),
        ("e2e", "E2E Tests"),
        ("review", "AI Review"),
    ]
    .into_iter()
    .map(|(k, n)| StageDef::new(k, n))
    .collect()
}

/// The row of the apply locks a pull request holds: not configured, shown once written
/// (after the apply rows), so a lock is visible before an `/apply` is refused for it.
pub const LOCKS_STAGE: &str = "locks";

/// The apply stage's key (the seed's), whose rows [`LOCKS_STAGE`] follows.
const APPLY_STAGE: &str = "apply";

/// The name people read for [`LOCKS_STAGE`].
pub const LOCKS_NAME: &str = "Apply locks";

/// Stage keys are short, lowercase, and safe in a status context and a Markdown cell:
/// `^[a-z0-9][a-z0-9-]{0,39}$` as the configuration has them, or a sub-row `parent.child`
/// whose two halves each are
/// (a project's own row under a stage, e.g. `apply.platform`: see [`derived_row`]).
pub fn is_valid_stage_key(key: &str) -> bool {
    is_simple_key(key)
        || key
            .split_once('.')
            .is_some_and(|(parent, child)| is_simple_key(parent) && is_simple_key(child))
}

/// A key the configuration accepts (`^[a-z0-9][a-z0-9-]{0,39}$`): a key it would refuse
/// (`plan_platform`) can never name a configured row, so it is bad input, not a row.
fn is_simple_key(key: &str) -> bool {
    let mut chars = key.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit())
        && key.len() <= 40
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// A row the configuration does not list but infra-ci writes on purpose: its name and the
/// index it goes to among `rows` (keys and names in dashboard order). Sub-rows
/// `parent.child` of a listed `parent` are named `<parent's name>: child` and follow the
/// parent and its earlier sub-rows (each project's apply under `apply`); [`LOCKS_STAGE`]
/// follows the apply rows. `None` for anything else (a mistyped stage, shown at the end).
pub fn derived_row<'a>(
    rows: impl IntoIterator<Item = (&'a str, &'a str)>,
    key: &str,
) -> Option<(String, usize)> {
    let rows: Vec<(&str, &str)> = rows.into_iter().collect();
    let block_end = |parent: &str| {
        rows.iter()
            .rposition(|(k, _)| {
                *k == parent || k.strip_prefix(parent).is_some_and(|r| r.starts_with('.'))
            })
            .map(|i| i + 1)
    };
    if key == LOCKS_STAGE {
        let at = block_end(APPLY_STAGE).unwrap_or(rows.len());
        return Some((LOCKS_NAME.to_owned(), at));
    }
    let (parent, child) = key.split_once('.')?;
    if !is_simple_key(child) || parent.contains('.') {
        return None;
    }
    let (_, parent_name) = rows.iter().find(|(k, _)| *k == parent)?;
    Some((format!("{parent_name}: {child}"), block_end(parent)?))
}

/// True when `key` is a configured stage or a row infra-ci derives from one
/// ([`derived_row`]): anything else is worth a warning (a typo in a workflow).
pub fn is_expected_key(defs: &[StageDef], key: &str) -> bool {
    defs.iter().any(|d| d.key == key)
        || derived_row(defs.iter().map(|d| (d.key.as_str(), d.name.as_str())), key).is_some()
}

/// The key of the row named `name`, as [`derived_row`] and the configuration name rows;
/// a name nothing explains is taken as the key (that is how unknown stages are rendered).
pub fn key_for_name(defs: &[StageDef], name: &str) -> String {
    if let Some(d) = defs.iter().find(|d| d.name == name) {
        return d.key.clone();
    }
    if name == LOCKS_NAME {
        return LOCKS_STAGE.to_owned();
    }
    defs.iter()
        .find_map(|d| {
            let child = name.strip_prefix(d.name.as_str())?.strip_prefix(": ")?;
            is_simple_key(child).then(|| format!("{}.{child}", d.key))
        })
        .unwrap_or_else(|| name.to_owned())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn seed_stages_are_valid_and_unique() {
        let stages = default_stages();
        assert_eq!(stages.len(), 8);
        let mut keys: Vec<_> = stages.iter().map(|s| s.key.as_str()).collect();
        assert!(keys.iter().all(|k| is_valid_stage_key(k)));
        keys.dedup();
        assert_eq!(keys.len(), 8);
    }

    #[test]
    fn key_validation() {
        assert!(is_valid_stage_key("plan-data-prod"));
        assert!(!is_valid_stage_key("Plan"));
        assert!(!is_valid_stage_key(""));
        assert!(!is_valid_stage_key("a|b"));
        // What the configuration would refuse is no stage (issue 9, item 7).
        assert!(!is_valid_stage_key("plan_platform"));
        assert!(!is_valid_stage_key("a.b.c"));
        assert!(!is_valid_stage_key(&"a".repeat(41)));
        // A sub-row: two valid halves, each up to 40 characters.
        assert!(is_valid_stage_key(&format!("apply.{}", "p".repeat(40))));
        assert!(!is_valid_stage_key(&format!("apply.{}", "p".repeat(41))));
        assert!(!is_valid_stage_key("apply.Platform"));
    }

    #[test]
    fn derived_rows_follow_their_parent_and_name_themselves() {
        let defs = default_stages();
        let rows: Vec<(&str, &str)> = defs
            .iter()
            .map(|d| (d.key.as_str(), d.name.as_str()))
            .collect();
        let apply = rows.iter().position(|(k, _)| *k == "apply").unwrap();
        assert_eq!(
            derived_row(rows.clone(), "apply.platform"),
            Some(("Apply: platform".to_owned(), apply + 1))
        );
        let mut with_sub = rows.clone();
        with_sub.insert(apply + 1, ("apply.platform", "Apply: platform"));
        assert_eq!(
            derived_row(with_sub.clone(), "apply.data"),
            Some(("Apply: data".to_owned(), apply + 2))
        );
        assert_eq!(
            derived_row(with_sub, LOCKS_STAGE),
            Some((LOCKS_NAME.to_owned(), apply + 2))
        );
        assert_eq!(derived_row(rows.clone(), "aply.platform"), None);
        assert_eq!(derived_row(rows, "plan-typo"), None);
        assert!(is_expected_key(&defs, "apply.platform"));
        assert!(is_expected_key(&defs, LOCKS_STAGE));
        assert!(!is_expected_key(&defs, "plan-typo"));
    }

    #[test]
    fn names_map_back_to_keys() {
        let defs = default_stages();
        assert_eq!(key_for_name(&defs, "Plan: platform"), "plan-platform");
        assert_eq!(key_for_name(&defs, "Apply: platform"), "apply.platform");
        assert_eq!(key_for_name(&defs, LOCKS_NAME), LOCKS_STAGE);
        assert_eq!(key_for_name(&defs, "plan-typo"), "plan-typo");
        assert_eq!(
            key_for_name(&defs, "Apply: Not A Name"),
            "Apply: Not A Name"
        );
    }
}
