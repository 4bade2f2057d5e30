//! Replays every file of the fuzz corpora (`fuzz/corpus/<target>/`) through the same checks
//! the fuzz targets run, so the corpus guards against regressions in a plain `cargo test`
//! on stable. The fuzzer runs on stable too (`fuzz/run.sh`): see docs/reliability.md.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

#[path = "../../../../fuzz/src/core_checks.rs"]
mod core_checks;

fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no corpus in {}", dir.display());
    files
}

fn replay(target: &str, check: fn(&[u8])) {
    for (path, bytes) in corpus(target) {
        let outcome = std::panic::catch_unwind(|| check(&bytes));
        assert!(outcome.is_ok(), "{target}: {} fails", path.display());
    }
}

#[test]
fn parse_dashboard_corpus() {
    replay("parse_dashboard", core_checks::parse_dashboard);
}

#[test]
fn render_budget_corpus() {
    replay("render_budget", core_checks::render_budget);
}

#[test]
fn status_line_corpus() {
    replay("status_line", core_checks::status_line);
}

/// The first byte scales the texts, so a short input reaches past the budget.
#[test]
fn the_first_byte_blows_the_texts_up() {
    let d = core_checks::dashboard_from(&[255, b'x', 0xFF, b'y']);
    assert_eq!(d.stages.len(), 9);
    assert!(d.stages[8].output.as_ref().unwrap().len() > 2000);
}
