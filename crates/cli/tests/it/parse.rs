//! The seed's two sequence diagrams through `parse` → `init` → `update`, against the emulator.

use std::path::Path;

use infra_ci_testkit::admin::NewUser;
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{BOT_TOKEN, Gh, REPO, ok, sha};

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/github-webhooks/other-sources/runatlantis-atlantis/githubIssueCommentEvent.json"
);

/// The real Atlantis capture of a PR comment, pointed at our repo, PR and comment.
fn comment_event(pr: u64, comment_id: u64, body: &str, login: &str, association: &str) -> Value {
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(FIXTURE).unwrap()).unwrap();
    v["repository"]["full_name"] = json!(REPO);
    v["repository"]["name"] = json!("infra");
    v["repository"]["owner"]["login"] = json!("acme");
    v["issue"]["number"] = json!(pr);
    v["comment"]["id"] = json!(comment_id);
    v["comment"]["body"] = json!(body);
    v["comment"]["user"]["login"] = json!(login);
    v["comment"]["user"]["type"] = json!("User");
    v["comment"]["author_association"] = json!(association);
    v
}

/// Posts `body` as `login`, then runs `parse` on the event; returns (outputs, stdout).
fn say(
    gh: &Gh,
    dir: &Path,
    pr: u64,
    login: &str,
    body: &str,
) -> (Vec<(String, String)>, std::process::Output) {
    let token = format!("{login}-token");
    let (s, c) = gh.api(
        Method::POST,
        &token,
        &format!("/repos/{REPO}/issues/{pr}/comments"),
        Some(json!({"body": body})),
    );
    assert_eq!(s, 201);
    let event = dir.join(format!("event-{}.json", c["id"]));
    std::fs::write(
        &event,
        comment_event(pr, c["id"].as_u64().unwrap(), body, login, "MEMBER").to_string(),
    )
    .unwrap();
    let output_file = dir.join(format!("output-{}", c["id"]));
    let out = gh
        .command(&["parse"])
        .env("GITHUB_EVENT_NAME", "issue_comment")
        .env("GITHUB_EVENT_PATH", &event)
        .env("GITHUB_OUTPUT", &output_file)
        .output()
        .unwrap();
    let text = std::fs::read_to_string(&output_file).unwrap_or_default();
    let pairs = text
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    (pairs, out)
}

fn get<'a>(pairs: &'a [(String, String)], k: &str) -> &'a str {
    pairs
        .iter()
        .find(|(n, _)| n == k)
        .map_or("", |(_, v)| v.as_str())
}

fn reactions(gh: &Gh, comment_id: &Value) -> Vec<String> {
    let (_, v) = gh.api(
        Method::GET,
        BOT_TOKEN,
        &format!("/repos/{REPO}/issues/comments/{comment_id}/reactions"),
        None,
    );
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| r["content"].as_str().unwrap().to_owned())
        .collect()
}

fn dashboard_body(gh: &Gh, pr: u64) -> String {
    let d = gh.dashboards(pr);
    assert_eq!(d.len(), 1, "expected one dashboard");
    d[0]["body"].as_str().unwrap().to_owned()
}

#[test]
fn plan_then_bootstrap_apply_as_in_the_seed() {
    let gh = Gh::start();
    let dir = tempfile::tempdir().unwrap();
    let head = sha(21);
    gh.pull(30, &head);
    gh.user("alice");

    // User types /plan: parse finds/creates the dashboard, reacts 👀, routes to digger.
    let (out, proc) = say(&gh, dir.path(), 30, "alice", "/plan");
    ok(&proc);
    assert_eq!(get(&out, "mode"), "digger");
    assert_eq!(get(&out, "command"), "plan");
    assert_eq!(get(&out, "should_run"), "true");
    assert_eq!(get(&out, "pr_number"), "30");
    assert_eq!(
        get(&out, "sha"),
        head,
        "the dashboard's commit is the PR head"
    );
    let stages: Vec<String> = serde_json::from_str(get(&out, "stages")).unwrap();
    assert!(stages.contains(&"plan-platform".to_owned()), "{stages:?}");
    // Each runner's share of the stages (the bootstrap project is not in /plan).
    assert_eq!(
        get(&out, "digger_stages"),
        r#"["plan-platform","plan-data-staging","plan-data-prod"]"#
    );
    assert_eq!(get(&out, "native_stages"), "[]");
    let plan_comment = &gh
        .comments(30)
        .iter()
        .find(|c| c["body"] == "/plan")
        .unwrap()["id"]
        .clone();
    assert_eq!(reactions(&gh, plan_comment), vec!["eyes"]);
    // The plan's legs are one run (`dashboard.runs`, on by default; ADR 0012, 0014):
    // parse's one write shows their rows running, and the legs post only their results.
    assert_eq!(get(&out, "in_run"), "true");
    let body = dashboard_body(&gh, 30);
    assert!(body.contains("| Plan: platform | 🔄 running |"), "{body}");

    // Digger's jobs report their stages (seed known issue #1 fixed: they do report).
    for (stage, status, output) in [
        ("plan-platform", "success", "+3 ~1 -0"),
        ("plan-data-staging", "success", "no changes"),
        ("plan-data-prod", "failure", "Error: bad"),
    ] {
        ok(&gh.run(&[
            "update", "--pr", "30", "--sha", &head, "--stage", stage, "--status", status,
            "--output", output,
        ]));
    }
    let body = dashboard_body(&gh, 30);
    assert!(
        body.contains("| Plan: data-prod | ❌ failure | Error: bad |"),
        "{body}"
    );

    // /bootstrap plan, then /bootstrap apply once approved.
    let (out, proc) = say(&gh, dir.path(), 30, "alice", "/bootstrap plan");
    ok(&proc);
    assert_eq!(get(&out, "mode"), "native");
    assert_eq!(get(&out, "command"), "bootstrap-plan");
    ok(&gh.run(&[
        "update",
        "--pr",
        "30",
        "--sha",
        &head,
        "--stage",
        "plan-bootstrap",
        "--status",
        "success",
        "--output",
        "+2 ~0 -0",
    ]));
    // What `infra-ci run bootstrap plan` records (tested in the runner's tests): infra-ci's
    // own record of the plan file's digest on the head.
    let (s, _) = gh.api(
        Method::POST,
        BOT_TOKEN,
        &format!("/repos/{REPO}/statuses/{head}"),
        Some(json!({
            "state": "success",
            "context": "infra-ci/plan/bootstrap",
            "description": format!("sha256:{} base:{}", "a".repeat(64), "0".repeat(40)),
        })),
    );
    assert_eq!(s, 201);
    let bob = NewUser::new("bob")
        .kind("User")
        .token("bob-token")
        .association("COLLABORATOR");
    gh.approve(30, &bob, &head);
    let (out, proc) = say(&gh, dir.path(), 30, "alice", "/bootstrap apply");
    ok(&proc);
    assert_eq!(get(&out, "mode"), "native", "{out:?}");
    assert_eq!(get(&out, "command"), "bootstrap-apply");
    assert_eq!(get(&out, "should_run"), "true");
    // An apply writes the apply row, never the plan row (docs/routes.md).
    assert_eq!(get(&out, "stages"), r#"["apply"]"#);
    assert_eq!(get(&out, "native_stages"), r#"["apply"]"#);
    assert_eq!(get(&out, "digger_stages"), "[]");
    // The native runner's updates, on the stage the route gave it.
    ok(&gh.run(&[
        "update", "--pr", "30", "--sha", &head, "--stage", "apply", "--status", "running",
    ]));
    ok(&gh.run(&[
        "update", "--pr", "30", "--sha", &head, "--stage", "apply", "--status", "success",
        "--output", "applied",
    ]));
    let body = dashboard_body(&gh, 30);
    assert!(body.contains("| Apply | ✅ success | applied |"), "{body}");
    assert!(
        body.contains("| Plan: bootstrap | ✅ success | +2 &#126;0 -0 |"),
        "{body}"
    );
}

#[test]
fn an_unapproved_apply_is_refused_visibly() {
    let gh = Gh::start();
    let dir = tempfile::tempdir().unwrap();
    gh.pull(31, &sha(22));
    gh.user("alice");
    let (out, proc) = say(&gh, dir.path(), 31, "alice", "/apply");
    ok(&proc);
    assert_eq!(get(&out, "should_run"), "false");
    assert_eq!(get(&out, "mode"), "none");
    let comments = gh.comments(31);
    let cmd = comments.iter().find(|c| c["body"] == "/apply").unwrap();
    assert_eq!(reactions(&gh, &cmd["id"]), vec!["-1"]);
    let reply = comments.iter().find(|c| {
        c["user"]["login"] == "github-actions[bot]"
            && !c["body"].as_str().unwrap().starts_with("<!--")
    });
    let reply = reply.expect("a reply that says why").to_string();
    assert!(reply.contains("approv"), "{reply}");
}

#[test]
fn malformed_events_exit_2_and_post_nothing() {
    let gh = Gh::start();
    let dir = tempfile::tempdir().unwrap();
    let event = dir.path().join("bad.json");
    std::fs::write(&event, "{not json").unwrap();
    gh.clear_requests();
    let out = gh
        .command(&["parse"])
        .env("GITHUB_EVENT_NAME", "issue_comment")
        .env("GITHUB_EVENT_PATH", &event)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(gh.requests().is_empty(), "a malformed event made requests");
}

#[test]
fn parse_writes_every_fixture_route_offline() {
    // The real octokit payloads route without a token, and never fail. What each decides is
    // written out from the payload (merged: false, an issue that is not a PR, a deleted ref,
    // no `command` input, a COMMENTED review), not just "some reason".
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/github-webhooks");
    let gh = Gh::start();
    let head = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
    for (event, file, pr, sha, reason) in [
        (
            "pull_request",
            "pull_request/opened.payload.json",
            json!(2),
            json!(head),
            "PR #2 opened at ec26c3e:",
        ),
        (
            "pull_request",
            "pull_request/closed.payload.json",
            json!(2),
            json!(head),
            "PR #2 closed without merging: nothing runs",
        ),
        (
            "issue_comment",
            "issue_comment/created.payload.json",
            Value::Null,
            Value::Null,
            "comment on issue #1, which is not a pull request",
        ),
        (
            "push",
            "push/payload.json",
            Value::Null,
            Value::Null,
            "push deleted a ref: nothing runs",
        ),
        (
            "workflow_dispatch",
            "workflow_dispatch/payload.json",
            Value::Null,
            Value::Null,
            "workflow_dispatch without a `command` input: nothing runs",
        ),
        (
            "pull_request_review",
            "pull_request_review/submitted.payload.json",
            Value::Null,
            Value::Null,
            "review comment on PR #2: no stage changes",
        ),
    ] {
        gh.clear_requests();
        let out = gh
            .command(&[
                "parse",
                "--offline",
                "--json",
                "--event-name",
                event,
                "--event-path",
            ])
            .arg(root.join(file))
            .output()
            .unwrap();
        let route: Value = serde_json::from_str(&ok(&out)).unwrap();
        assert_eq!(route["mode"], "none", "{file}: {route}");
        assert_eq!(route["should_run"], false, "{file}: {route}");
        assert_eq!(route["command"], Value::Null, "{file}: {route}");
        assert_eq!((&route["pr_number"], &route["sha"]), (&pr, &sha), "{file}");
        let said = route["reason"].as_str().unwrap_or("");
        assert!(said.starts_with(reason), "{file}: {said:?}");
        assert!(gh.requests().is_empty(), "{file}: --offline made requests");
    }
}
