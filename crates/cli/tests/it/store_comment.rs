//! `store: comment`: no commit statuses; the comment is the truth, verified after writing.

use serde_json::Value;

use crate::support::{Gh, all_ok, ok, sha};

fn config(dir: &tempfile::TempDir) -> String {
    let path = dir.path().join("infra-ci.yml");
    std::fs::write(&path, "version: 1\nstore: comment\n").unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn updates_write_no_statuses_and_parallel_rows_survive() {
    let gh = Gh::start();
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(&dir);
    let head = sha(40);
    gh.pull(40, &head);
    gh.clear_requests();
    let children: Vec<_> = [
        "plan-platform",
        "plan-data-staging",
        "plan-data-prod",
        "e2e",
    ]
    .iter()
    .map(|stage| {
        gh.spawn(&[
            "update", "--config", &cfg, "--pr", "40", "--sha", &head, "--stage", stage, "--status",
            "success", "--output", stage,
        ])
    })
    .collect();
    all_ok(children);
    let reqs = gh.requests();
    assert!(
        !reqs.iter().any(|r| r.path.contains("/statuses/")),
        "store: comment posted a status: {reqs:#?}"
    );
    let d = gh.dashboards(40);
    assert_eq!(d.len(), 1);
    let body = d[0]["body"].as_str().unwrap();
    for stage in [
        "Plan: platform",
        "Plan: data-staging",
        "Plan: data-prod",
        "E2E Tests",
    ] {
        assert!(
            body.contains(&format!("| {stage} | ✅ success |")),
            "{stage} missing:\n{body}"
        );
    }
    let shown: Value = serde_json::from_str(&ok(&gh.run(&[
        "show", "--config", &cfg, "--pr", "40", "--sha", &head, "--json",
    ])))
    .unwrap();
    assert_eq!(shown["comment_id"], d[0]["id"]);
    let e2e = shown["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["key"] == "e2e")
        .unwrap();
    assert_eq!(e2e["status"], "success");
    assert_eq!(e2e["output"], "e2e");
}
