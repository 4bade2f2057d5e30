//! Attacks from docs/security.md, played over HTTP against the emulator with an attacker
//! identity that writes exactly what GitHub would let it write: `mallory`, a collaborator
//! with `statuses: write` and `contents: write` (so: statuses under any context, refs,
//! comments). Each test shows the attack changes nothing infra-ci decides or shows.

use std::path::Path;

use infra_ci_testkit::admin::{NewReview, NewUser};
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{BOT_TOKEN, Gh, REPO, ok, sha};

/// `mallory`, a collaborator: her token may write statuses and refs.
fn mallory(gh: &Gh) -> String {
    let mallory = NewUser::new("mallory")
        .kind("User")
        .token("mallory-token")
        .association("COLLABORATOR");
    gh.admin(async |a| a.user(&mallory).await);
    "mallory-token".to_owned()
}

fn status(
    gh: &Gh,
    token: &str,
    sha: &str,
    context: &str,
    state: &str,
    description: &str,
    url: Option<&str>,
) {
    let mut body = json!({"state": state, "context": context, "description": description});
    if let Some(u) = url {
        body["target_url"] = json!(u);
    }
    let (s, v) = gh.api(
        Method::POST,
        token,
        &format!("/repos/{REPO}/statuses/{sha}"),
        Some(body),
    );
    assert_eq!(s, 201, "{v}");
}

fn show(gh: &Gh, pr: u64) -> Value {
    serde_json::from_str(&ok(&gh.run(&["show", "--pr", &pr.to_string(), "--json"]))).unwrap()
}

fn stage<'a>(shown: &'a Value, key: &str) -> &'a Value {
    shown["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["key"] == key)
        .unwrap()
}

/// A `/apply` comment event by `login` with `association`, written to `dir`.
fn apply_event(dir: &Path, pr: u64, login: &str, association: &str) -> std::path::PathBuf {
    let path = dir.join(format!("event-{login}.json"));
    let event = json!({
        "action": "created",
        "issue": { "number": pr, "pull_request": {}, "state": "open" },
        "comment": {
            "id": 99, "body": "/apply platform",
            "user": { "login": login, "type": "User" },
            "author_association": association
        },
        "repository": { "full_name": REPO, "default_branch": "main" }
    });
    std::fs::write(&path, event.to_string()).unwrap();
    path
}

/// Runs `parse` on `event`; returns the outputs file's text.
fn parse(
    gh: &Gh,
    dir: &Path,
    event: &Path,
    extra_env: &[(&str, &str)],
) -> (String, std::process::Output) {
    let outputs = dir.join("outputs");
    let _ = std::fs::remove_file(&outputs);
    let mut cmd = gh.command(&["parse"]);
    cmd.current_dir(dir)
        .env("GITHUB_EVENT_NAME", "issue_comment")
        .env("GITHUB_EVENT_PATH", event)
        .env("GITHUB_OUTPUT", &outputs);
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    (std::fs::read_to_string(&outputs).unwrap_or_default(), out)
}

#[test]
fn forged_plan_statuses_are_ignored_by_show_parse_and_apply() {
    let gh = Gh::start();
    let head = sha(70);
    gh.pull(7, &head);
    let evil = mallory(&gh);
    ok(&gh.run(&["init", "--pr", "7"]));
    // Mallory "plans" platform: a success status in our namespace, linking her own run.
    status(
        &gh,
        &evil,
        &head,
        "infra-dashboard/plan-platform",
        "success",
        "success: +0 ~0 -0",
        Some("https://github.com/acme/infra/actions/runs/666"),
    );
    let shown = show(&gh, 7);
    let row = stage(&shown, "plan-platform");
    assert_eq!(row["status"], "pending", "{shown}");
    assert!(row["link"].is_null(), "{shown}");

    // A member's `/apply` after an allowed reviewer approved the head: refused, because
    // infra-ci never planned platform.
    gh.approve(7, &NewUser::new("rev").association("COLLABORATOR"), &head);
    let dir = tempfile::tempdir().unwrap();
    let event = apply_event(dir.path(), 7, "maintainer", "MEMBER");
    let (outputs, out) = parse(&gh, dir.path(), &event, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(outputs.contains("should_run=false"), "{outputs}");
    assert!(
        outputs.contains("platform: infra-ci has no plan of it on"),
        "{outputs}"
    );
    // The dashboard itself never showed her row as ours either.
    let body = gh.dashboards(7)[0]["body"].as_str().unwrap().to_owned();
    assert!(!body.contains("runs/666"), "{body}");

    // Our own report counts; her later, newer forgery still does not.
    ok(&gh.run(&[
        "update",
        "--pr",
        "7",
        "--stage",
        "plan-platform",
        "--status",
        "failure",
        "--output",
        "Error: x",
    ]));
    status(
        &gh,
        &evil,
        &head,
        "infra-dashboard/plan-platform",
        "success",
        "success",
        None,
    );
    assert_eq!(stage(&show(&gh, 7), "plan-platform")["status"], "failure");
}

#[test]
fn a_foreign_anchor_never_redirects_our_writes() {
    let gh = Gh::start();
    let (h1, h2) = (sha(11), sha(12));
    gh.pull(1, &h1);
    gh.pull(2, &h2);
    let evil = mallory(&gh);
    ok(&gh.run(&["init", "--pr", "1"]));
    let d1 = gh.dashboards(1)[0].clone();
    let d1_url = d1["html_url"].as_str().unwrap().to_owned();
    // Mallory anchors PR 2's head at PR 1's dashboard.
    status(
        &gh,
        &evil,
        &h2,
        "infra-dashboard",
        "success",
        "dashboard comment",
        Some(&d1_url),
    );
    ok(&gh.run(&[
        "update", "--pr", "2", "--stage", "ci", "--status", "success",
    ]));
    assert_eq!(
        gh.dashboards(1)[0]["body"],
        d1["body"],
        "PR 1's dashboard was rewritten"
    );
    assert_eq!(gh.dashboards(2).len(), 1);
    // Even an anchor of ours pointing at another pull request's comment is not followed.
    status(
        &gh,
        BOT_TOKEN,
        &h2,
        "infra-dashboard",
        "success",
        "dashboard comment",
        Some(&d1_url),
    );
    ok(&gh.run(&[
        "update", "--pr", "2", "--stage", "ci", "--status", "failure",
    ]));
    assert_eq!(
        gh.dashboards(1)[0]["body"],
        d1["body"],
        "PR 1's dashboard was rewritten"
    );
    let body = gh.dashboards(2)[0]["body"].as_str().unwrap().to_owned();
    assert!(body.contains("❌"), "{body}");
}

#[test]
fn a_forged_lock_holder_neither_releases_nor_takes_a_lock() {
    let gh = Gh::start();
    let evil = mallory(&gh);
    let (ours, hers) = (sha(31), sha(32));
    gh.pull(3, &ours);
    gh.pull(4, &hers);
    // infra-ci locked `app` for #3 (the ref, then our record on its commit).
    let (s, _) = gh.api(
        Method::POST,
        BOT_TOKEN,
        &format!("/repos/{REPO}/git/refs"),
        Some(json!({"ref": "refs/infra-ci/locks/app", "sha": ours})),
    );
    assert_eq!(s, 201);
    status(
        &gh,
        BOT_TOKEN,
        &ours,
        "infra-ci/lock/app",
        "success",
        "locked by #3",
        None,
    );
    // Mallory records, newer, that #4 holds it: #4's unlock must not release it.
    status(
        &gh,
        &evil,
        &ours,
        "infra-ci/lock/app",
        "success",
        "locked by #4",
        None,
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".github")).unwrap();
    std::fs::write(
        dir.path().join(".github/infra-ci.yml"),
        "projects:\n  - {name: app, dir: app, stage: plan-app, runner: native}\nstages:\n  - {key: plan-app, name: App}\n  - {key: apply, name: Apply}\n",
    )
    .unwrap();
    let unlock = |pr: &str| {
        gh.command(&["run", "unlock", "--pr", pr])
            .current_dir(dir.path())
            .output()
            .unwrap()
    };
    let out = ok(&unlock("4"));
    assert!(out.contains("#4 holds no lock"), "{out}");
    let (s, _) = gh.api(
        Method::GET,
        BOT_TOKEN,
        &format!("/repos/{REPO}/git/ref/infra-ci/locks/app"),
        None,
    );
    assert_eq!(s, 200, "the lock was released by a forged holder");
    // The real holder releases it.
    let out = ok(&unlock("3"));
    assert!(out.contains("released the lock of app"), "{out}");

    // A lock ref Mallory created, with her own record: its holder is unknown, never #4.
    let (s, _) = gh.api(
        Method::POST,
        &evil,
        &format!("/repos/{REPO}/git/refs"),
        Some(json!({"ref": "refs/infra-ci/locks/app", "sha": hers})),
    );
    assert_eq!(s, 201);
    status(
        &gh,
        &evil,
        &hers,
        "infra-ci/lock/app",
        "success",
        "locked by #4",
        None,
    );
    let out = ok(&unlock("4"));
    assert!(out.contains("#4 holds no lock"), "{out}");
}

#[test]
fn the_pull_requests_own_configuration_never_decides_an_apply() {
    let gh = Gh::start();
    let head = sha(80);
    gh.pull(8, &head);
    mallory(&gh);
    // The default branch's configuration: the seed's defaults (no file).
    // The pull request's checkout lets mallory apply with no requirement at all.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".github")).unwrap();
    std::fs::write(
        dir.path().join(".github/infra-ci.yml"),
        "permissions:\n  apply: {associations: [NONE, CONTRIBUTOR], users: [mallory], requirements: []}\n",
    )
    .unwrap();
    let event = apply_event(dir.path(), 8, "mallory", "CONTRIBUTOR");
    let (outputs, out) = parse(&gh, dir.path(), &event, &[("GITHUB_ACTIONS", "true")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(outputs.contains("should_run=false"), "{outputs}");
    assert!(
        outputs.contains("@mallory (CONTRIBUTOR) is not allowed"),
        "{outputs}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("::notice"), "{stdout}");

    // The default branch's file, seeded on `main`, is what decides.
    gh.config("permissions:\n  apply: {users: [mallory]}\n");
    let (outputs, _) = parse(&gh, dir.path(), &event, &[("GITHUB_ACTIONS", "true")]);
    assert!(!outputs.contains("is not allowed"), "{outputs}");
    // Allowed to ask, the gate still wants a plan and an approval.
    assert!(outputs.contains("infra-ci has no plan of it"), "{outputs}");
}

#[test]
fn a_symlinked_configuration_is_refused_without_naming_its_target() {
    let gh = Gh::start();
    gh.pull(9, &sha(90));
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("secret-target-file");
    std::fs::write(&secret, "not: yaml: [").unwrap();
    std::fs::create_dir_all(dir.path().join(".github")).unwrap();
    std::os::unix::fs::symlink(&secret, dir.path().join(".github/infra-ci.yml")).unwrap();
    let out = gh
        .command(&["init", "--pr", "9"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("symbolic link"), "{err}");
    assert!(!err.contains("secret-target-file"), "{err}");
}

#[test]
fn dot_dot_is_not_a_repository() {
    let gh = Gh::start();
    for bad in ["acme/..", "acme/.", "../infra"] {
        let out = gh.run(&["show", "--pr", "1", "--repo", bad]);
        assert_eq!(out.status.code(), Some(2), "{bad}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("is not OWNER/NAME"),
            "{bad}"
        );
    }
    assert!(gh.requests().is_empty(), "no request may be made");
}

#[test]
fn an_unreadable_plan_is_not_no_changes() {
    let gh = Gh::start();
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [
        ("empty.json", "{}"),
        ("object.json", r#"{"format_version": "1.2"}"#),
        ("binary.tfplan", "PK\u{3}\u{4}\u{0}\u{0}binary"),
        ("empty.txt", ""),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let out = gh.run(&["summarize", path.to_str().unwrap()]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_ne!(out.status.code(), Some(0), "{name}: {stdout}");
        assert!(!stdout.contains("no changes"), "{name}: {stdout}");
    }
}

#[test]
fn outsiders_bots_and_the_author_never_approve_and_outsiders_never_block() {
    let gh = Gh::start();
    let head = sha(50);
    gh.pull(5, &head); // authored by alice
    ok(&gh.run(&[
        "update",
        "--pr",
        "5",
        "--stage",
        "plan-platform",
        "--status",
        "success",
    ]));
    let review = |login: &str, kind: &str, association: &str, state: &str| {
        let user = NewUser::new(login)
            .kind(kind)
            .token(format!("{login}-token"))
            .association(association);
        gh.review(5, &user, &NewReview::new(login, state, &head));
    };
    review("rando", "User", "NONE", "APPROVED");
    review("helper[bot]", "Bot", "COLLABORATOR", "APPROVED");
    review("alice", "User", "COLLABORATOR", "APPROVED");
    let dir = tempfile::tempdir().unwrap();
    let event = apply_event(dir.path(), 5, "maintainer", "MEMBER");
    let (outputs, out) = parse(&gh, dir.path(), &event, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(outputs.contains("should_run=false"), "{outputs}");
    assert!(
        outputs.contains("no approval of") && outputs.contains("(not the author, not a bot)"),
        "{outputs}"
    );
    // An allowed reviewer approves; an outsider's change request blocks nothing.
    review("rev", "User", "COLLABORATOR", "APPROVED");
    review("troll", "User", "NONE", "CHANGES_REQUESTED");
    let (outputs, _) = parse(&gh, dir.path(), &event, &[]);
    assert!(!outputs.contains("no approval of"), "{outputs}");
    assert!(!outputs.contains("changes requested"), "{outputs}");
    // An allowed reviewer's change request does block.
    review("lead", "User", "OWNER", "CHANGES_REQUESTED");
    let (outputs, _) = parse(&gh, dir.path(), &event, &[]);
    assert!(outputs.contains("changes requested by @lead"), "{outputs}");
}
