//! Replays the route fuzz corpora (`fuzz/corpus/route_*`) through the same checks the fuzz
//! targets run. It lives here because the engine depends on the router and the route crate's
//! own tests belong to its owner.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

#[path = "../../../../fuzz/src/route_checks.rs"]
mod route_checks;

fn replay(target: &str, check: fn(&[u8])) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target);
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let outcome = std::panic::catch_unwind(|| check(&bytes));
        assert!(outcome.is_ok(), "{target}: {} fails", path.display());
        n += 1;
    }
    assert!(n > 0, "no corpus in {}", dir.display());
}

#[test]
fn route_command_corpus() {
    replay("route_command", route_checks::route_command);
}

#[test]
fn route_event_corpus() {
    replay("route_event", route_checks::route_event);
}
