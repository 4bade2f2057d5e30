//! `infra-ci pr-target`: the pull request and commit e2e reports on after a push or by
//! hand, written to GITHUB_OUTPUT (the e2e workflow's step, with no `gh api --jq`).

use std::collections::BTreeMap;

use serde_json::json;

use crate::support::{Gh, REPO, ok, sha};

/// Runs `pr-target ARGS` and returns what it wrote to GITHUB_OUTPUT.
fn outputs(gh: &Gh, args: &[&str]) -> BTreeMap<String, String> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("output");
    let mut full = vec!["pr-target"];
    full.extend_from_slice(args);
    ok(&gh
        .command(&full)
        .env("GITHUB_OUTPUT", &file)
        .output()
        .unwrap());
    std::fs::read_to_string(&file)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

#[test]
fn after_a_push_it_names_the_merged_pull_requests_head_and_checks_out_the_push() {
    let gh = Gh::start();
    let (head, merge) = (sha(31), sha(32));
    gh.pull(4, &head);
    gh.admin(
        &format!("/repos/{REPO}/commits"),
        &json!({"sha": merge, "parents": ["0".repeat(40), head]}),
    );
    gh.admin(
        &format!("/repos/{REPO}/pulls"),
        &json!({"number": 5, "head_sha": sha(33), "user": "alice"}),
    );
    let res = reqwest::blocking::Client::new()
        .patch(format!("{}/_emulator/repos/{REPO}/pulls/4", gh.base))
        .json(&json!({"state": "closed", "merged": true, "merge_commit_sha": merge}))
        .send()
        .unwrap();
    assert!(res.status().is_success());

    let out = outputs(&gh, &["--commit", &merge, "--event", "push"]);
    assert_eq!(out["pr"], "4");
    assert_eq!(out["sha"], head, "the head's dashboard, where people look");
    assert_eq!(out["ref"], merge, "the merged code is tested");
    assert_eq!(out["dashboard"], "true");

    // A push no pull request was merged into has no dashboard, even when an open PR
    // (a fork's, say) has that commit as its head: GitHub lists it, we do not report on it.
    let pushed = sha(34);
    gh.admin(
        &format!("/repos/{REPO}/pulls"),
        &json!({"number": 6, "head_sha": pushed, "user": "mallory"}),
    );
    let out = outputs(&gh, &["--commit", &pushed, "--event", "push"]);
    assert_eq!(out["pr"], "", "{out:?}");
    assert_eq!(out["dashboard"], "false");
    assert_eq!(out["ref"], pushed);

    // By hand with a number: that PR's head is tested and reported on.
    let out = outputs(
        &gh,
        &[
            "--pr",
            "5",
            "--commit",
            &merge,
            "--event",
            "workflow_dispatch",
        ],
    );
    assert_eq!(
        (out["pr"].as_str(), out["sha"].as_str()),
        ("5", sha(33).as_str())
    );
    assert_eq!(out["ref"], sha(33));

    // By hand without one: the chosen ref, no dashboard.
    let out = outputs(
        &gh,
        &[
            "--pr",
            "",
            "--commit",
            &merge,
            "--event",
            "workflow_dispatch",
        ],
    );
    assert_eq!(out["pr"], "");
    assert_eq!(out["dashboard"], "false");
    assert_eq!(out["ref"], merge);
}

#[test]
fn a_pull_request_that_is_not_a_number_is_bad_input() {
    let gh = Gh::start();
    let out = gh
        .command(&["pr-target", "--pr", "4; rm -rf /", "--commit", &sha(1)])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a pull request number"));
}
