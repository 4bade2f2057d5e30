//! `infra-ci pr-target`: the pull request and commit e2e reports on after a push or by
//! hand, written to GITHUB_OUTPUT (the e2e workflow's step, with no `gh api --jq`).

use std::collections::BTreeMap;

use infra_ci_testkit::admin::{NewCommit, PullFields};

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
    let commit = NewCommit::new(&merge, ["0".repeat(40), head.clone()]);
    let pull = PullFields::new(5, sha(33)).by("alice");
    gh.admin(async |a| {
        a.commit(REPO, &commit).await?;
        a.pull(REPO, &pull).await
    });
    let merged = PullFields {
        state: Some("closed".into()),
        merged: Some(true),
        merge_commit_sha: Some(merge.clone()),
        ..PullFields::default()
    };
    gh.admin(async |a| a.edit_pull(REPO, 4, &merged).await);

    let out = outputs(&gh, &["--commit", &merge, "--event", "push"]);
    assert_eq!(out["pr"], "4");
    assert_eq!(out["sha"], head, "the head's dashboard, where people look");
    assert_eq!(out["ref"], merge, "the merged code is tested");
    assert_eq!(out["dashboard"], "true");

    // A push no pull request was merged into has no dashboard, even when an open PR
    // (a fork's, say) has that commit as its head: GitHub lists it, we do not report on it.
    let pushed = sha(34);
    let pull = PullFields::new(6, &pushed).by("mallory");
    gh.admin(async |a| a.pull(REPO, &pull).await);
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
