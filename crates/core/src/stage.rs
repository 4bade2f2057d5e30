//! Stage definitions: the seed's eight by default.

use serde::{Deserialize, Serialize};

/// A dashboard row's identity: a stable key and the name people read.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StageDef {
    pub key: String,
    pub name: String,
}

impl StageDef {
    pub fn new(key: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            name: name.into(),
        }
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

/// Stage keys are short, lowercase, and safe in a status context and a Markdown cell:
/// `^[a-z0-9][a-z0-9._-]{0,39}$`.
pub fn is_valid_stage_key(key: &str) -> bool {
    let mut chars = key.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit())
        && key.len() <= 40
        && chars
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'))
}

#[cfg(test)]
mod tests {
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
        assert!(!is_valid_stage_key(&"a".repeat(41)));
    }
}
