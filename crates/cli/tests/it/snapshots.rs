//! Snapshots of what users read: `--help` texts and the `parse` job's outputs file.

use std::path::Path;

use crate::support::{Gh, ok};

#[test]
fn help_texts() {
    let gh = Gh::start();
    for cmd in [
        &["--help"][..],
        &["update", "--help"],
        &["parse", "--help"],
        &["summarize", "--help"],
    ] {
        let text = ok(&gh.run(cmd));
        insta::assert_snapshot!(format!("help_{}", cmd[0].trim_start_matches('-')), text);
    }
}

#[test]
fn parse_outputs_file_for_a_pull_request_opened() {
    let gh = Gh::start();
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("output");
    let event = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/github-webhooks/pull_request/opened.payload.json");
    gh.clear_requests();
    let out = gh
        .command(&["parse", "--offline"])
        .env("GITHUB_EVENT_NAME", "pull_request")
        .env("GITHUB_EVENT_PATH", &event)
        .env("GITHUB_OUTPUT", &output)
        .output()
        .unwrap();
    ok(&out);
    assert!(gh.requests().is_empty(), "--offline made requests");
    insta::assert_snapshot!(std::fs::read_to_string(&output).unwrap());
}
