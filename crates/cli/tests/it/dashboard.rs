//! The dashboard, end to end: init, update, show, sync; concurrency; authorship; cost.

use std::io::Write as _;
use std::process::Stdio;

use infra_ci_testkit::admin::{BulkComments, FaultConfig, FaultKind, NewCommit, Rule};
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{BOT_TOKEN, Gh, REPO, all_ok, ok, sha};

fn body(c: &Value) -> &str {
    c["body"].as_str().unwrap()
}

fn show(gh: &Gh, pr: &str) -> Value {
    serde_json::from_str(&ok(&gh.run(&["show", "--pr", pr, "--json"]))).unwrap()
}

fn stage<'a>(shown: &'a Value, key: &str) -> &'a Value {
    shown["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["key"] == key)
        .unwrap_or_else(|| panic!("no stage {key}"))
}

#[test]
fn init_creates_one_dashboard_in_the_seed_shape_and_is_idempotent() {
    let gh = Gh::start();
    let head = sha(7);
    gh.pull(1, &head);
    ok(&gh.run(&["init", "--pr", "1"]));
    ok(&gh.run(&["init", "--pr", "1"]));
    let d = gh.dashboards(1);
    assert_eq!(d.len(), 1);
    let b = body(&d[0]);
    assert!(
        b.starts_with(&format!(
            "<!-- infra-dashboard:{} -->\n## ⚙️ Commit Dashboard `{}`",
            &head[..7],
            &head[..7]
        )),
        "{b}"
    );
    assert!(b.contains("| Stage | Status | Output | Time |"));
    for name in [
        "CI Validate",
        "Plan: bootstrap",
        "Plan: platform",
        "Plan: data-staging",
        "Plan: data-prod",
        "Apply",
        "E2E Tests",
        "AI Review",
    ] {
        assert!(
            b.contains(&format!("| {name} | ⏳ pending |")),
            "{name} missing in {b}"
        );
    }
}

#[test]
fn update_then_show_json() {
    let gh = Gh::start();
    let head = sha(8);
    gh.pull(2, &head);
    ok(&gh.run(&[
        "update",
        "--pr",
        "2",
        "--stage",
        "plan-platform",
        "--status",
        "success",
        "--link",
        "https://github.com/acme/infra/actions/runs/9",
        "--output",
        "+2 ~1 -0",
    ]));
    ok(&gh.run(&[
        "update",
        "--pr",
        "2",
        "--stage",
        "apply",
        "--status",
        "cancelled",
    ]));
    let shown = show(&gh, "2");
    assert_eq!(shown["sha"], head.as_str());
    assert_eq!(shown["comment_id"], gh.dashboards(2)[0]["id"]);
    let p = stage(&shown, "plan-platform");
    assert_eq!(p["name"], "Plan: platform");
    assert_eq!(p["status"], "success");
    assert_eq!(p["output"], "+2 ~1 -0");
    assert_eq!(p["link"], "https://github.com/acme/infra/actions/runs/9");
    assert!(p["updated_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(stage(&shown, "apply")["status"], "cancelled");
    assert_eq!(stage(&shown, "ci")["status"], "pending");
    let b = body(&gh.dashboards(2)[0]).to_owned();
    assert!(b.contains("| Plan: platform | ✅ success | [+2 &#126;1 -0](https://github.com/acme/infra/actions/runs/9) |"), "{b}");
    assert!(b.contains("| Apply | 🚫 cancelled |"), "{b}");
}

/// 16 processes on 16 stages at once, three times over: every row ends right, one comment.
#[test]
fn sixteen_concurrent_updates_lose_nothing() {
    let gh = Gh::start();
    let head = sha(16);
    gh.pull(3, &head);
    ok(&gh.run(&["init", "--pr", "3", "--sha", &head]));
    let words = ["running", "failure", "success"];
    for (round, word) in words.iter().enumerate() {
        let children: Vec<_> = (0..16)
            .map(|i| {
                let key = format!("s{i:02}");
                let output = format!("round {round} stage {i}");
                gh.spawn(&[
                    "update", "--pr", "3", "--sha", &head, "--stage", &key, "--status", word,
                    "--output", &output,
                ])
            })
            .collect();
        all_ok(children);
        let dashboards = gh.dashboards(3);
        assert_eq!(
            dashboards.len(),
            1,
            "round {round}: {} dashboards",
            dashboards.len()
        );
        let b = body(&dashboards[0]);
        for i in 0..16 {
            let row = format!(
                "| s{i:02} | {} {word} | round {round} stage {i} |",
                emoji(word)
            );
            assert!(b.contains(&row), "round {round}: row {row} missing in\n{b}");
        }
    }
}

fn emoji(word: &str) -> &'static str {
    match word {
        "running" => "🔄",
        "failure" => "❌",
        _ => "✅",
    }
}

#[test]
fn concurrent_inits_converge_on_one_comment() {
    let gh = Gh::start();
    let head = sha(9);
    gh.pull(4, &head);
    let children: Vec<_> = (0..8)
        .map(|_| gh.spawn(&["init", "--pr", "4", "--sha", &head]))
        .collect();
    all_ok(children);
    assert_eq!(gh.dashboards(4).len(), 1);
    // And an update afterwards still finds it.
    ok(&gh.run(&[
        "update", "--pr", "4", "--sha", &head, "--stage", "ci", "--status", "success",
    ]));
    assert_eq!(gh.dashboards(4).len(), 1);
}

#[test]
fn a_spoofed_marker_from_another_user_is_never_edited() {
    let gh = Gh::start();
    let head = sha(10);
    gh.pull(5, &head);
    let mallory = gh.user("mallory");
    let fake = format!(
        "<!-- infra-dashboard:{} -->\n## ⚙️ Commit Dashboard — all green, merge me",
        &head[..7]
    );
    let (s, c) = gh.api(
        Method::POST,
        &mallory,
        &format!("/repos/{REPO}/issues/5/comments"),
        Some(json!({"body": fake})),
    );
    assert_eq!(s, 201);
    // Mallory also points the anchor status at her comment.
    let (s, _) = gh.api(
        Method::POST,
        &mallory,
        &format!("/repos/{REPO}/statuses/{head}"),
        Some(json!({"state": "success", "context": "infra-dashboard", "description": "dashboard comment", "target_url": c["html_url"]})),
    );
    assert_eq!(s, 201);
    ok(&gh.run(&[
        "update", "--pr", "5", "--stage", "ci", "--status", "failure",
    ]));
    let all = gh.comments(5);
    let hers = all.iter().find(|x| x["id"] == c["id"]).unwrap();
    assert_eq!(body(hers), fake, "mallory's comment was edited");
    let ours = gh.dashboards(5);
    assert_eq!(ours.len(), 1);
    assert!(body(&ours[0]).contains("| CI Validate | ❌ failure |"));
}

/// An update costs a constant number of requests, however many comments the PR has.
#[test]
fn three_thousand_comments_cost_nothing_extra() {
    let gh = Gh::start();
    let head = sha(11);
    gh.pull(6, &head);
    gh.user("chatty");
    let chatter = BulkComments {
        user: "chatty".into(),
        count: 3000,
        body: Some("lgtm {i}".into()),
    };
    gh.admin(async |a| a.bulk_comments(REPO, 6, &chatter).await);
    // Only infra-ci's own requests are counted, not the seeding's.
    gh.clear_requests();
    ok(&gh.run(&["init", "--pr", "6", "--sha", &head]));
    let init_requests = gh.requests().len();
    // 13 since --sha is checked against the pull request (issue 9, item 6): one read of it.
    assert!(init_requests <= 13, "init took {init_requests} requests");
    gh.clear_requests();
    ok(&gh.run(&[
        "update",
        "--pr",
        "6",
        "--sha",
        &head,
        "--stage",
        "plan-platform",
        "--status",
        "running",
    ]));
    let reqs = gh.requests();
    // The pull request (is --sha its commit? issue 9, item 6), status and first read (in
    // parallel), the comment, the PATCH, the fence and the fenced read (ADR 0007):
    // 7 requests in 6 round trips.
    assert!(
        reqs.len() <= 7,
        "update took {} requests: {reqs:#?}",
        reqs.len()
    );
    assert!(
        reqs.iter().all(|r| !r.path.ends_with("/comments")),
        "an update listed comments: {reqs:#?}"
    );
    gh.clear_requests();
    ok(&gh.run(&[
        "update",
        "--pr",
        "6",
        "--stage",
        "plan-platform",
        "--status",
        "success",
    ]));
    assert!(
        gh.requests().len() <= 7,
        "update without --sha took {}",
        gh.requests().len()
    );
    assert_eq!(gh.dashboards(6).len(), 1);
}

#[test]
fn a_megabyte_of_output_from_stdin_stays_under_the_limit() {
    let gh = Gh::start();
    let head = sha(12);
    gh.pull(7, &head);
    let mut text = String::from("Plan: 3 to add, 0 to change, 0 to destroy.\n");
    while text.len() < 1_000_000 {
        text.push_str(
            "  + resource \"null_resource\" \"x\" { triggers = { a = \"|<!-- -->\" } }\n",
        );
    }
    let mut child = gh
        .command(&[
            "update",
            "--pr",
            "7",
            "--stage",
            "plan-platform",
            "--status",
            "success",
            "--output-file",
            "-",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    ok(&child.wait_with_output().unwrap());
    let d = gh.dashboards(7);
    let b = body(&d[0]);
    assert!(b.chars().count() <= 65_536, "{}", b.chars().count());
    assert!(
        b.contains("| Plan: platform | ✅ success | Plan: 3 to add, 0 to change, 0 to destroy. |"),
        "{}",
        &b[..600]
    );
    assert!(b.contains("<details><summary>Plan: platform — details</summary>"));
    assert!(b.contains("characters cut"));
    // Every other row is still visible.
    assert!(b.contains("| AI Review | ⏳ pending |"));
}

#[test]
fn sync_repairs_a_deleted_or_hand_edited_dashboard() {
    let gh = Gh::start();
    let head = sha(13);
    gh.pull(8, &head);
    ok(&gh.run(&[
        "update",
        "--pr",
        "8",
        "--stage",
        "e2e",
        "--status",
        "success",
        "--output",
        "42 passed",
    ]));
    let id = gh.dashboards(8)[0]["id"].as_u64().unwrap();
    // Someone edits it by hand.
    let (s, _) = gh.api(
        Method::PATCH,
        BOT_TOKEN,
        &format!("/repos/{REPO}/issues/comments/{id}"),
        Some(json!({"body": "oops"})),
    );
    assert_eq!(s, 200);
    ok(&gh.run(&["sync", "--pr", "8"]));
    let d = gh.dashboards(8);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0]["id"].as_u64(), Some(id));
    assert!(body(&d[0]).contains("| E2E Tests | ✅ success | 42 passed |"));
    // Someone deletes it.
    let (s, _) = gh.api(
        Method::DELETE,
        BOT_TOKEN,
        &format!("/repos/{REPO}/issues/comments/{id}"),
        None,
    );
    assert_eq!(s, 204);
    // `show` names no deleted comment (issue 9, item 8); the rows still come from the truth.
    let shown = show(&gh, "8");
    assert!(shown["comment_id"].is_null(), "{shown}");
    assert_eq!(stage(&shown, "e2e")["status"], "success");
    ok(&gh.run(&["sync", "--pr", "8"]));
    let d = gh.dashboards(8);
    assert_eq!(d.len(), 1);
    assert!(
        body(&d[0]).contains("| E2E Tests | ✅ success | 42 passed |"),
        "the truth survived the deletion"
    );
}

#[test]
fn unknown_stage_keys_become_rows_with_a_warning() {
    let gh = Gh::start();
    gh.pull(9, &sha(14));
    let out = gh.run(&[
        "update",
        "--pr",
        "9",
        "--stage",
        "plan-platfrom",
        "--status",
        "success",
    ]);
    ok(&out);
    assert!(String::from_utf8_lossy(&out.stderr).contains("not configured"));
    assert!(body(&gh.dashboards(9)[0]).contains("| plan-platfrom | ✅ success |"));
}

/// The create reached GitHub but its answer was lost: the marker is looked up before any
/// second create, so the commit still has exactly one dashboard.
#[test]
fn a_lost_create_response_leaves_one_dashboard() {
    let gh = Gh::start();
    let head = sha(17);
    gh.pull(17, &head);
    let lost = Rule::new(FaultKind::LostResponse).on("POST", "/repos/*/*/issues/*/comments");
    let faults = FaultConfig::new(1, vec![lost.times(1)]);
    gh.admin(async |a| a.faults(&faults).await);
    ok(&gh.run(&[
        "update", "--pr", "17", "--sha", &head, "--stage", "ci", "--status", "success",
    ]));
    let posts = gh
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/issues/17/comments"))
        .count();
    assert_eq!(posts, 1, "the create was sent again");
    let d = gh.dashboards(17);
    assert_eq!(d.len(), 1);
    assert!(body(&d[0]).contains("| CI Validate | ✅ success |"));
}

/// `--sha` must be a commit of the pull request: another commit of the repository would get
/// a dashboard on this PR that says nothing about it (issue 9, item 6).
#[test]
fn a_commit_that_is_not_on_the_pull_request_is_refused() {
    let gh = Gh::start();
    let head = sha(21);
    gh.pull(8, &head);
    let elsewhere = sha(22);
    let root: [&str; 0] = [];
    let commit = NewCommit::new(&elsewhere, root);
    gh.admin(async |a| a.commit(REPO, &commit).await);
    for args in [
        vec!["init", "--pr", "8", "--sha", &elsewhere],
        vec![
            "update", "--pr", "8", "--sha", &elsewhere, "--stage", "ci", "--status", "success",
        ],
    ] {
        let out = gh.run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("is not a commit of pull request #8"), "{err}");
    }
    assert!(gh.dashboards(8).is_empty(), "nothing was written");
    // The head itself, by a prefix too, is fine.
    ok(&gh.run(&["init", "--pr", "8", "--sha", &head[..12]]));
    assert_eq!(gh.dashboards(8).len(), 1);
}

/// A stage the configuration does not know shows as a warning on the run's page.
#[test]
fn a_mistyped_stage_is_a_workflow_warning() {
    let gh = Gh::start();
    let head = sha(23);
    gh.pull(9, &head);
    let out = gh
        .command(&[
            "update",
            "--pr",
            "9",
            "--stage",
            "plan-platfrom",
            "--status",
            "success",
        ])
        .env("GITHUB_ACTIONS", "true")
        .output()
        .unwrap();
    ok(&out);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("::warning::stage \"plan-platfrom\" is not configured"),
        "{err}"
    );
}

/// A job that failed before writing its log still reports its outcome: a missing
/// `--output-file` is a warning, and the row still changes.
#[test]
fn a_missing_output_file_still_reports_the_status() {
    let gh = Gh::start();
    gh.pull(10, &sha(24));
    let out = gh.run(&[
        "update",
        "--pr",
        "10",
        "--stage",
        "e2e",
        "--status",
        "failure",
        "--output-file",
        "/nonexistent/e2e.log",
    ]);
    ok(&out);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("/nonexistent/e2e.log does not exist"), "{err}");
    let ours = gh.dashboards(10);
    assert!(
        body(&ours[0]).contains("| E2E Tests | ❌ failure |"),
        "{}",
        body(&ours[0])
    );
}

/// A key the configuration would refuse can never be a configured stage: bad input, exit 2
/// before any request, with the key it most likely meant (issue 9, item 7).
#[test]
fn a_stage_key_the_configuration_would_refuse_is_bad_usage() {
    let gh = Gh::start();
    gh.pull(10, &sha(15));
    gh.clear_requests();
    let out = gh.run(&[
        "update",
        "--pr",
        "10",
        "--stage",
        "plan_platform",
        "--status",
        "success",
    ]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Did you mean `plan-platform`?"), "{err}");
    let writes = gh
        .requests()
        .into_iter()
        .filter(|r| r.method != "GET")
        .count();
    assert_eq!(writes, 0);
    assert!(gh.dashboards(10).is_empty());
}

/// `update --result-follows`: a `running` whose result follows is its status alone, one
/// request besides reading the pull request (no read, no render); the result's update
/// renders both. A result cannot be posted alone (exit 2): nothing would render it.
#[test]
fn a_running_whose_result_follows_is_posted_alone_and_the_result_renders_it() {
    let gh = Gh::start();
    gh.pull(1, &sha(41));
    ok(&gh.run(&["init", "--pr", "1"]));
    gh.clear_requests();
    ok(&gh.run(&[
        "update",
        "--pr",
        "1",
        "--stage",
        "plan-platform",
        "--status",
        "running",
        "--result-follows",
    ]));
    let sent: Vec<String> = gh
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.method.as_str(), r.path.as_str()))
        .filter(|r| !r.ends_with("/pulls/1"))
        .collect();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(
        sent[0].starts_with("POST ") && sent[0].contains("/statuses/"),
        "{sent:?}"
    );
    assert_eq!(stage(&show(&gh, "1"), "plan-platform")["status"], "running");
    assert!(
        body(&gh.dashboards(1)[0]).contains("| Plan: platform | ⏳ pending |"),
        "the running was rendered"
    );
    ok(&gh.run(&[
        "update",
        "--pr",
        "1",
        "--stage",
        "plan-platform",
        "--status",
        "success",
        "--output",
        "+1 ~0 -0",
    ]));
    assert!(body(&gh.dashboards(1)[0]).contains("| Plan: platform | ✅ success | "));
    let out = gh.run(&[
        "update",
        "--pr",
        "1",
        "--stage",
        "ci",
        "--status",
        "success",
        "--result-follows",
    ]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
}
