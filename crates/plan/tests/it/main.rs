//! Integration tests of infra-ci-plan over the real plans in tests/fixtures/terraform.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod bounded;
mod fixtures;
mod properties;
mod snapshots;

use std::fs::File;
use std::path::PathBuf;

use infra_ci_plan::Summary;

/// The shared fixtures directory (never edited: the plans are copied unchanged).
pub fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/terraform")
}

/// Summarizes a fixture through format detection, as `infra-ci summarize` does.
pub fn summarize(name: &str) -> Summary {
    let file = File::open(fixture_dir().join(name)).unwrap();
    infra_ci_plan::detect_and_summarize(file).unwrap()
}
