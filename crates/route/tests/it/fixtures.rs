//! Every real webhook payload in tests/fixtures/github-webhooks, with the route expected of it.

use infra_ci_config::Config;
use infra_ci_core::Status;
use infra_ci_route::{
    CommandKind, Lookup, Mode, Reaction, ReactionContent, Route, RouteContext, decide,
};
use serde_json::{Value, json};

use crate::support::{fixture, pr_comment, route, route_with, strings, webhooks_dir};

const HEAD: &str = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
const PUSHED: &str = "6113728f27ae82c7b1a177c8d03f9e96e0adf246";

/// What a fixture must route to (the fields that matter for it).
struct Expect {
    mode: Mode,
    should_run: bool,
    command: Option<CommandKind>,
    pr: Option<u64>,
    sha: Option<&'static str>,
    init: bool,
    release_locks: bool,
    needs: Option<Lookup>,
    reason: &'static str,
}

const NONE: Expect = Expect {
    mode: Mode::None,
    should_run: false,
    command: None,
    pr: None,
    sha: None,
    init: false,
    release_locks: false,
    needs: None,
    reason: "",
};

/// The event name GitHub would give each file, and the expected route.
fn expectations() -> Vec<(&'static str, &'static str, Expect)> {
    let new_head = |reason| Expect {
        pr: Some(2),
        sha: Some(HEAD),
        init: true,
        reason,
        ..NONE
    };
    vec![
        (
            "check_run/completed.payload.json",
            "check_run",
            Expect {
                reason: "event `check_run` does not route",
                ..NONE
            },
        ),
        (
            "check_run/created.payload.json",
            "check_run",
            Expect {
                reason: "does not route",
                ..NONE
            },
        ),
        (
            "check_run/rerequested.payload.json",
            "check_run",
            Expect {
                reason: "does not route",
                ..NONE
            },
        ),
        (
            "status/payload.json",
            "status",
            Expect {
                reason: "event `status` does not route",
                ..NONE
            },
        ),
        (
            "issue_comment/created.payload.json",
            "issue_comment",
            Expect {
                reason: "issue #1, which is not a pull request",
                ..NONE
            },
        ),
        (
            "issue_comment/created.with-installation.payload.json",
            "issue_comment",
            Expect {
                reason: "not a pull request",
                ..NONE
            },
        ),
        (
            "issue_comment/edited.payload.json",
            "issue_comment",
            Expect {
                reason: "comment edited: only new comments",
                ..NONE
            },
        ),
        (
            "issue_comment/deleted.payload.json",
            "issue_comment",
            Expect {
                reason: "comment deleted: only new comments",
                ..NONE
            },
        ),
        (
            "other-sources/runatlantis-atlantis/githubIssueCommentEvent.json",
            "issue_comment",
            Expect {
                reason: "comment on PR #1 is not an infra-ci command",
                ..NONE
            },
        ),
        (
            "pull_request/opened.payload.json",
            "pull_request",
            new_head("PR #2 opened at ec26c3e: dashboard ready; autoplan is off"),
        ),
        (
            "pull_request/opened.with-null-body.json",
            "pull_request",
            new_head("PR #2 opened"),
        ),
        (
            "pull_request/synchronize.payload.json",
            "pull_request",
            new_head("PR #2 synchronize at ec26c3e"),
        ),
        (
            "pull_request/reopened.payload.json",
            "pull_request",
            new_head("PR #2 reopened"),
        ),
        (
            "pull_request/ready_for_review.payload.json",
            "pull_request",
            new_head("PR #2 ready_for_review"),
        ),
        (
            "pull_request/closed.payload.json",
            "pull_request",
            Expect {
                pr: Some(2),
                sha: Some(HEAD),
                release_locks: true,
                reason: "PR #2 closed without merging: nothing runs",
                ..NONE
            },
        ),
        (
            "pull_request_review/submitted.payload.json",
            "pull_request_review",
            Expect {
                reason: "review comment on PR #2: no stage changes",
                ..NONE
            },
        ),
        (
            "push/payload.json",
            "push",
            Expect {
                reason: "push deleted a ref",
                ..NONE
            },
        ),
        (
            "push/with-new-branch.payload.json",
            "push",
            Expect {
                mode: Mode::PostMerge,
                should_run: true,
                command: Some(CommandKind::Verify),
                sha: Some(PUSHED),
                needs: Some(Lookup::PullsForCommit {
                    sha: PUSHED.to_owned().into(),
                }),
                reason: "push to the default branch at 6113728: post-merge verify of bootstrap, platform, data-staging, data-prod",
                ..NONE
            },
        ),
        (
            "workflow_dispatch/payload.json",
            "workflow_dispatch",
            Expect {
                reason: "workflow_dispatch without a `command` input",
                ..NONE
            },
        ),
    ]
}

fn files() -> Vec<String> {
    fn walk(dir: &std::path::Path, base: &std::path::Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, base, out);
            } else if path.extension().is_some_and(|e| e == "json") {
                out.push(
                    path.strip_prefix(base)
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/"),
                );
            }
        }
    }
    let base = webhooks_dir();
    let mut out = Vec::new();
    walk(&base, &base, &mut out);
    out.sort();
    out
}

#[test]
fn every_fixture_routes_as_expected() {
    let table = expectations();
    let on_disk = files();
    let listed: Vec<String> = {
        let mut v: Vec<String> = table.iter().map(|(f, _, _)| (*f).to_owned()).collect();
        v.sort();
        v
    };
    assert_eq!(
        listed, on_disk,
        "every fixture needs an expectation (and only fixtures)"
    );

    for (file, event, want) in table {
        let bytes = std::fs::read(webhooks_dir().join(file)).unwrap();
        let got = decide(event, &bytes, &Config::default(), &RouteContext::default())
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        let summary = |r: &Route| {
            (
                r.mode,
                r.should_run,
                r.command,
                r.pr_number,
                r.sha.clone(),
                r.init_dashboard,
                r.release_locks,
                r.needs.clone(),
            )
        };
        assert_eq!(
            summary(&got),
            (
                want.mode,
                want.should_run,
                want.command,
                want.pr,
                want.sha.map(infra_ci_wire::Sha::new),
                want.init,
                want.release_locks,
                want.needs
            ),
            "{file}: {got:#?}"
        );
        assert!(
            got.reason.contains(want.reason),
            "{file}: reason {:?} lacks {:?}",
            got.reason,
            want.reason
        );
        assert!(!got.reason.contains('\n'), "{file}: a reason is one line");
        // Nothing here is a command, so nothing reacts, replies or asks for authorization.
        assert_eq!(
            (got.react, got.reply.as_deref(), got.authorize),
            (None, None, false),
            "{file}"
        );
    }
}

#[test]
fn new_pull_request_heads_autoplan_when_configured() {
    let cfg = Config::from_yaml("autoplan: true").unwrap();
    for file in [
        "opened.payload.json",
        "synchronize.payload.json",
        "reopened.payload.json",
        "ready_for_review.payload.json",
    ] {
        let r = route_with(
            "pull_request",
            &fixture(&format!("pull_request/{file}")),
            &cfg,
            &RouteContext::default(),
        );
        assert_eq!(
            (r.mode, r.should_run, r.command),
            (Mode::Digger, true, Some(CommandKind::Plan)),
            "{file}"
        );
        assert_eq!(
            r.projects,
            strings(&["platform", "data-staging", "data-prod"]),
            "bootstrap is never autoplanned"
        );
        assert_eq!(r.digger_projects, r.projects);
        assert!(r.native_projects.is_empty());
        assert_eq!(
            r.stages,
            strings(&["plan-platform", "plan-data-staging", "plan-data-prod"])
        );
        assert_eq!(
            (r.pr_number, r.sha.as_deref(), r.init_dashboard),
            (Some(2), Some(HEAD), true)
        );
        assert!(
            !r.authorize,
            "autoplan runs for the PR itself, as configured"
        );
    }
    // A draft is not planned, but still gets its dashboard.
    let mut draft = fixture("pull_request/opened.payload.json");
    draft["pull_request"]["draft"] = json!(true);
    let r = route_with("pull_request", &draft, &cfg, &RouteContext::default());
    assert_eq!(
        (r.mode, r.should_run, r.init_dashboard),
        (Mode::None, false, true)
    );
    assert!(r.reason.contains("draft"), "{}", r.reason);
    // Other actions route nowhere.
    let mut labeled = fixture("pull_request/opened.payload.json");
    labeled["action"] = json!("labeled");
    let r = route_with("pull_request", &labeled, &cfg, &RouteContext::default());
    assert_eq!((r.mode, r.init_dashboard), (Mode::None, false));
}

#[test]
fn a_project_mix_splits_by_runner() {
    let cfg = Config::from_yaml(
        "autoplan: true\nbootstrap: {project: seed}\nprojects:\n  - {name: seed, dir: seed, stage: plan-bootstrap, runner: native}\n  - {name: net, dir: net, stage: plan-platform, runner: native}\n  - {name: app, dir: app, stage: plan-data-prod, depends_on: [net]}\n",
    )
    .unwrap();
    let r = route_with(
        "pull_request",
        &fixture("pull_request/opened.payload.json"),
        &cfg,
        &RouteContext::default(),
    );
    assert_eq!(
        r.mode,
        Mode::Digger,
        "digger leads when any digger project runs"
    );
    assert_eq!(r.projects, strings(&["net", "app"]));
    assert_eq!(r.digger_projects, strings(&["app"]));
    assert_eq!(r.native_projects, strings(&["net"]));
    assert_eq!(r.stages, strings(&["plan-platform", "plan-data-prod"]));

    let r = route_with(
        "issue_comment",
        &pr_comment("/plan net"),
        &cfg,
        &RouteContext::default(),
    );
    assert_eq!(
        (r.mode, r.native_projects.clone()),
        (Mode::Native, strings(&["net"]))
    );
}

#[test]
fn merged_pull_requests_leave_post_merge_to_the_push() {
    let mut v = fixture("pull_request/closed.payload.json");
    v["pull_request"]["merged"] = json!(true);
    let r = route("pull_request", &v);
    assert!(r.release_locks && !r.should_run);
    assert!(r.reason.contains("merged"), "{}", r.reason);
}

#[test]
fn pushes_route_only_from_the_default_branch() {
    let base = fixture("push/with-new-branch.payload.json");
    let mut feature = base.clone();
    feature["ref"] = json!("refs/heads/feature/`$(id)`");
    let r = route("push", &feature);
    assert_eq!(r.mode, Mode::None);
    assert!(
        !r.reason.contains("$(id)"),
        "branch names never reach outputs: {}",
        r.reason
    );

    let mut tag = base.clone();
    tag["ref"] = json!("refs/tags/v1");
    assert!(route("push", &tag).reason.contains("tag push"));

    let mut deleted = base.clone();
    deleted["deleted"] = json!(true);
    assert!(route("push", &deleted).reason.contains("deleted"));

    // The context's default branch overrides the payload's.
    let ctx = RouteContext {
        default_branch: Some("main".into()),
        ..RouteContext::default()
    };
    assert_eq!(
        route_with("push", &base, &Config::default(), &ctx).mode,
        Mode::None
    );
    let mut main = base.clone();
    main["ref"] = json!("refs/heads/main");
    let r = route_with("push", &main, &Config::default(), &ctx);
    assert_eq!(r.mode, Mode::PostMerge);
    assert_eq!(
        r.stages,
        strings(&[
            "plan-bootstrap",
            "plan-platform",
            "plan-data-staging",
            "plan-data-prod"
        ])
    );
}

#[test]
fn reviews_set_the_review_stage() {
    let base = fixture("pull_request_review/submitted.payload.json");
    for (state, status) in [
        ("approved", Status::Success),
        ("APPROVED", Status::Success),
        ("changes_requested", Status::Failure),
    ] {
        let mut v = base.clone();
        v["review"]["state"] = json!(state);
        let r = route("pull_request_review", &v);
        assert_eq!(
            (r.mode, r.should_run, r.review),
            (Mode::Review, true, Some(status)),
            "{state}"
        );
        assert_eq!(r.stages, strings(&["review"]));
        assert_eq!((r.pr_number, r.sha.as_deref()), (Some(2), Some(HEAD)));
    }
    let mut older = base.clone();
    older["review"]["state"] = json!("approved");
    older["review"]["commit_id"] = json!("1111111111111111111111111111111111111111");
    // A review of an earlier commit changes no dashboard: writing to that commit's
    // (outdated) dashboard would create one and hide the live one.
    let r = route("pull_request_review", &older);
    assert_eq!((r.should_run, r.sha.as_deref()), (false, None), "{r:?}");
    assert!(r.reason.contains("not the head"), "{}", r.reason);

    let mut dismissed = base.clone();
    dismissed["action"] = json!("dismissed");
    assert_eq!(route("pull_request_review", &dismissed).mode, Mode::None);

    let cfg = Config::from_yaml("stages: [{key: plan-bootstrap, name: b}, {key: plan-platform, name: p}, {key: plan-data-staging, name: s}, {key: plan-data-prod, name: d}]").unwrap();
    let r = route_with(
        "pull_request_review",
        &older,
        &cfg,
        &RouteContext::default(),
    );
    assert_eq!(r.mode, Mode::None);
    assert!(r.reason.contains("no `review` stage"), "{}", r.reason);
}

#[test]
fn workflow_dispatch_runs_the_command_input() {
    let base = fixture("workflow_dispatch/payload.json");
    let with = |inputs: Value| {
        let mut v = base.clone();
        v["inputs"] = inputs;
        v
    };
    let ctx = RouteContext {
        sha: Some(PUSHED.into()),
        ..RouteContext::default()
    };
    let go =
        |inputs: Value| route_with("workflow_dispatch", &with(inputs), &Config::default(), &ctx);

    let r = go(json!({"command": "plan", "pr": "2"}));
    assert_eq!(
        (r.mode, r.command, r.pr_number, r.needs.clone()),
        (
            Mode::Digger,
            Some(CommandKind::Plan),
            Some(2),
            Some(Lookup::PullHead { pr: 2 })
        )
    );
    assert!(r.authorize);
    let actor = r.actor.unwrap();
    assert_eq!(
        (actor.login.as_str(), actor.association),
        ("Codertocat", infra_ci_config::Association::Collaborator)
    );

    let r = go(json!({"command": "bootstrap-apply", "pr": 7}));
    assert_eq!(
        (r.mode, r.command, r.projects.clone(), r.stages.clone()),
        (
            Mode::Native,
            Some(CommandKind::BootstrapApply),
            strings(&["bootstrap"]),
            strings(&["apply"])
        )
    );

    let r = go(json!({"command": "/plan data-prod", "pr": "#3"}));
    assert_eq!(
        (r.projects.clone(), r.pr_number),
        (strings(&["data-prod"]), Some(3))
    );

    let r = go(json!({"command": "drift"}));
    assert_eq!(
        (r.mode, r.sha.as_deref(), r.init_dashboard, r.authorize),
        (Mode::Drift, Some(PUSHED), false, false)
    );

    let r = go(json!({"command": "verify"}));
    assert_eq!(
        (r.mode, r.needs.clone()),
        (
            Mode::PostMerge,
            Some(Lookup::PullsForCommit { sha: PUSHED.into() })
        )
    );

    let r = go(json!({"command": "plan"}));
    assert_eq!(r.mode, Mode::None);
    assert!(r.reason.contains("needs the `pr` input"), "{}", r.reason);

    let r = go(json!({"command": "plan", "pr": "two"}));
    assert!(
        r.reason.contains("not a pull request number"),
        "{}",
        r.reason
    );

    let r = go(json!({"command": "bootstrap destroy", "pr": "2"}));
    assert_eq!(r.mode, Mode::None);
    assert!(r.reply.unwrap().contains("Usage"));

    let r = go(json!({"command": "rm -rf /"}));
    assert_eq!((r.mode, r.reply.as_deref()), (Mode::None, None));
}

#[test]
fn schedules_check_drift_everywhere() {
    let ctx = RouteContext {
        sha: Some(PUSHED.into()),
        ..RouteContext::default()
    };
    let r = decide(
        "schedule",
        br#"{"schedule": "0 6 * * *"}"#,
        &Config::default(),
        &ctx,
    )
    .unwrap();
    assert_eq!(
        (r.mode, r.command, r.should_run),
        (Mode::Drift, Some(CommandKind::Drift), true)
    );
    assert_eq!(r.projects.len(), 4);
    assert!(r.stages.is_empty() && !r.init_dashboard && r.pr_number.is_none());
    assert_eq!(r.sha.as_deref(), Some(PUSHED));
}

#[test]
fn broken_payloads_are_errors() {
    let cfg = Config::default();
    let ctx = RouteContext::default();
    for (event, payload) in [
        ("pull_request", &b"{not json"[..]),
        ("pull_request", br#"{"action": "opened"}"#),
        (
            "pull_request",
            br#"{"action": "opened", "pull_request": {"number": 1, "head": {}}}"#,
        ),
        (
            "issue_comment",
            br#"{"action": "created", "issue": {"number": 1}, "comment": {"id": 1}}"#,
        ),
        ("push", br#"{"after": "abc"}"#),
        (
            "pull_request_review",
            br#"{"action": "submitted", "review": {}}"#,
        ),
        ("schedule", b"nope"),
        ("workflow_dispatch", b""),
    ] {
        let err = decide(event, payload, &cfg, &ctx).expect_err(event);
        let text = err.to_string();
        assert!(
            text.contains(event) && text.contains("GITHUB_EVENT_PATH"),
            "{text}"
        );
    }
    // Nullable fields GitHub documents as such are fine.
    let mut v = fixture("pull_request/opened.payload.json");
    v["pull_request"]["head"]["repo"] = Value::Null;
    v["pull_request"]["draft"] = Value::Null;
    assert_eq!(route("pull_request", &v).pr_number, Some(2));
    let mut c = pr_comment("/plan");
    c["comment"]["body"] = Value::Null;
    assert_eq!(route("issue_comment", &c).mode, Mode::None);
}

#[test]
fn pr_comment_commands_route_to_their_job() {
    let r = route("issue_comment", &pr_comment("/plan"));
    assert_eq!(
        (
            r.mode,
            r.command,
            r.should_run,
            r.pr_number,
            r.sha.as_deref()
        ),
        (Mode::Digger, Some(CommandKind::Plan), true, Some(1), None)
    );
    assert_eq!(
        r.needs,
        Some(Lookup::PullHead { pr: 1 }),
        "comment payloads carry no head SHA"
    );
    assert_eq!(
        r.react,
        Some(Reaction {
            comment_id: 396_926_483,
            content: ReactionContent::Eyes
        })
    );
    assert!(r.init_dashboard && r.authorize && r.reply.is_none());
    let actor = r.actor.clone().unwrap();
    assert_eq!(
        (actor.login.as_str(), actor.association),
        ("runatlantis", infra_ci_config::Association::Owner)
    );
    assert_eq!(
        r.reason,
        "`/plan` on PR #1 by @runatlantis: plan of platform, data-staging, data-prod"
    );

    let r = route("issue_comment", &pr_comment("/apply"));
    assert_eq!(
        (r.mode, r.command, r.stages.clone()),
        (Mode::Digger, Some(CommandKind::Apply), strings(&["apply"]))
    );

    let r = route("issue_comment", &pr_comment("/bootstrap plan"));
    assert_eq!(
        (r.mode, r.projects.clone(), r.stages.clone()),
        (
            Mode::Native,
            strings(&["bootstrap"]),
            strings(&["plan-bootstrap"])
        )
    );

    let r = route("issue_comment", &pr_comment("  /Bootstrap APPLY\r\nplease"));
    assert_eq!(
        (r.mode, r.command, r.stages.clone()),
        (
            Mode::Native,
            Some(CommandKind::BootstrapApply),
            strings(&["apply"])
        )
    );

    let r = route(
        "issue_comment",
        &pr_comment("/plan data-prod platform -p data-prod"),
    );
    assert_eq!(
        r.projects,
        strings(&["platform", "data-prod"]),
        "dependency (file) order, no duplicates"
    );
    assert_eq!(r.stages, strings(&["plan-platform", "plan-data-prod"]));

    let r = route("issue_comment", &pr_comment("/bootstrap destroy"));
    assert_eq!(
        (r.mode, r.should_run, r.needs.clone()),
        (Mode::None, false, None)
    );
    assert_eq!(r.react.unwrap().content, ReactionContent::Confused);
    assert!(
        r.reply
            .unwrap()
            .contains("`/bootstrap` takes `plan` or `apply`")
    );

    let mut closed = pr_comment("/apply");
    closed["issue"]["state"] = json!("closed");
    let r = route("issue_comment", &closed);
    assert_eq!(
        (r.mode, r.should_run, r.react.unwrap().content),
        (Mode::None, false, ReactionContent::Confused)
    );
    assert!(r.reply.unwrap().contains("closed"));
}

#[test]
fn hostile_comments_run_nothing() {
    let mb = "a".repeat(1 << 20);
    let cases: Vec<(String, &str)> = vec![
        ("> /apply".into(), "quoted"),
        (">/apply".into(), "quoted without a space"),
        ("```\n/apply\n```".into(), "fenced"),
        ("~~~\n/apply\n~~~".into(), "tilde fence"),
        ("`/apply`".into(), "inline code"),
        ("please /apply".into(), "mid-line"),
        ("LGTM\n/apply".into(), "second line"),
        ("\u{FF0F}apply".into(), "fullwidth solidus"),
        ("/\u{FF41}pply".into(), "fullwidth a"),
        ("/\u{0430}pply".into(), "Cyrillic a"),
        ("/pl\u{0430}n".into(), "Cyrillic a in plan"),
        ("\u{200B}/apply".into(), "zero-width space first"),
        ("/apply\u{0000}".into(), "NUL glued to the word"),
        ("\u{0000}/apply".into(), "NUL first"),
        ("/ apply".into(), "space after the slash"),
        ("/applyx".into(), "longer word"),
        ("/assign @someone".into(), "another bot's command"),
        (format!("{mb}\n/apply"), "1 MB first line"),
        (format!("x{mb}"), "1 MB of text"),
        ("/".into(), "bare slash"),
        (String::new(), "empty"),
    ];
    for (body, why) in &cases {
        let r = route("issue_comment", &pr_comment(body));
        assert_eq!(
            (r.mode, r.should_run, r.react, r.reply.as_deref()),
            (Mode::None, false, None, None),
            "{why}: {r:#?}"
        );
    }

    // Known commands with poisoned arguments are refused without echoing them.
    for (body, why) in [
        ("/plan plat\u{0000}form".to_owned(), "NUL in a project"),
        ("/apply <img src=x onerror=alert(1)>".to_owned(), "HTML"),
        ("/plan @everyone".to_owned(), "mention"),
        (format!("/apply {mb}"), "1 MB argument"),
    ] {
        let r = route("issue_comment", &pr_comment(&body));
        assert_eq!((r.mode, r.should_run), (Mode::None, false), "{why}");
        let reply = r.reply.unwrap();
        assert!(reply.len() < 1000, "{why}: reply stays short");
        for bad in ["\u{0000}", "<img", "@everyone", "aaaa"] {
            assert!(!reply.contains(bad), "{why}: {reply:?} echoes {bad:?}");
        }
    }

    // A bot repeating a command (ours included) is never obeyed.
    for (login, kind) in [
        ("infra-flash[bot]", "Bot"),
        ("github-actions[bot]", "User"),
        ("renovate", "Bot"),
    ] {
        let mut v = pr_comment("/apply");
        v["comment"]["user"]["login"] = json!(login);
        v["comment"]["user"]["type"] = json!(kind);
        let r = route("issue_comment", &v);
        assert_eq!((r.mode, r.react), (Mode::None, None), "{login}");
        assert!(r.reason.contains("bots never run commands"), "{}", r.reason);
    }
    let ctx = RouteContext {
        self_login: Some("infra-flash".into()),
        ..RouteContext::default()
    };
    let mut ours = pr_comment("/apply");
    ours["comment"]["user"]["login"] = json!("infra-flash");
    assert_eq!(
        route_with("issue_comment", &ours, &Config::default(), &ctx).mode,
        Mode::None
    );

    // Edited comments and plain issues never run, whatever they say.
    let mut edited = pr_comment("/apply");
    edited["action"] = json!("edited");
    assert_eq!(route("issue_comment", &edited).mode, Mode::None);
    let mut issue = pr_comment("/apply");
    issue.as_object_mut().unwrap()["issue"]
        .as_object_mut()
        .unwrap()
        .remove("pull_request");
    assert_eq!(route("issue_comment", &issue).mode, Mode::None);
}

/// A megabyte after `/apply` is refused as bad arguments without echoing it. How long a
/// decision takes is a bench's business, not a test's (a time bound flakes on a busy machine).
#[test]
fn a_megabyte_comment_is_refused_without_echoing_it() {
    let body = format!("/apply {}", "a".repeat(1 << 20));
    let payload = serde_json::to_vec(&pr_comment(&body)).unwrap();
    let r = decide(
        "issue_comment",
        &payload,
        &Config::default(),
        &RouteContext::default(),
    )
    .unwrap();
    assert_eq!(r.mode, Mode::None);
    assert!(!r.should_run);
    assert!(r.reason.len() < 1024, "{} bytes of reason", r.reason.len());
    assert!(!r.reason.contains("aaaaaaaaaaaaaaaa"), "{}", r.reason);
}
