//! One identity for the dashboards (`dashboard.identity`, issue 9 item 4): a job whose token
//! is another identity is refused before it writes anything.

use crate::support::{Gh, ok, sha};

fn config(dir: &tempfile::TempDir, identity: &str) -> String {
    let path = dir.path().join("infra-ci.yml");
    std::fs::write(
        &path,
        format!("version: 1\ndashboard:\n  identity: \"{identity}\"\n"),
    )
    .unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn a_token_that_is_not_the_configured_identity_writes_nothing() {
    let gh = Gh::start();
    let dir = tempfile::tempdir().unwrap();
    let head = sha(61);
    gh.pull(61, &head);
    let other = config(&dir, "acme-ci[bot]");
    gh.clear_requests();
    let out = gh.run(&[
        "update", "--config", &other, "--pr", "61", "--sha", &head, "--stage", "ci", "--status",
        "success",
    ]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("dashboard.identity: acme-ci[bot]") && err.contains("writes as"),
        "{err}"
    );
    let writes: Vec<_> = gh
        .requests()
        .into_iter()
        .filter(|r| r.method != "GET")
        .collect();
    assert!(writes.is_empty(), "a refused job wrote: {writes:#?}");
    assert!(gh.dashboards(61).is_empty());

    // The configured identity itself writes as usual.
    let same = config(&dir, crate::support::BOT);
    ok(&gh.run(&[
        "update", "--config", &same, "--pr", "61", "--sha", &head, "--stage", "ci", "--status",
        "success",
    ]));
    assert_eq!(gh.dashboards(61).len(), 1);
}
