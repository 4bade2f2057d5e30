//! The life of a pull request, end to end: each event is played through the jobs of the
//! reusable workflow `.github/workflows/pipeline.yml` (read from the file, see `play.rs`),
//! with the real binary against the emulator and the stand-in Terraform; after each step
//! the test reads the dashboard a person would see.
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

use crate::support;

mod expr;
mod play;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use infra_ci_testkit::admin::{LogEntry, NewCommit, NewUser, PullFields};
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{BOT_TOKEN, Gh, REPO, sha};
use play::{Event, Machine, Run};

const CONFIG: &str = "version: 1\nautoplan: false\n\
stages:\n  - {key: ci, name: CI Validate}\n  - {key: plan-bootstrap, name: \"Plan: bootstrap\"}\n  - {key: plan-net, name: \"Plan: net\"}\n  - {key: plan-app, name: \"Plan: app\"}\n  - {key: apply, name: Apply}\n  - {key: e2e, name: E2E Tests}\n  - {key: review, name: Review}\n\
projects:\n  - {name: bootstrap, dir: bootstrap, stage: plan-bootstrap, runner: native}\n  - {name: net, dir: net, stage: plan-net, runner: native}\n  - {name: app, dir: app, stage: plan-app, runner: digger}\n\
bootstrap:\n  project: bootstrap\n";

const PR: u64 = 7;

/// A tree of the repository: the configuration and three projects replaying real plans;
/// `broken` projects fail `init` (a failing plan) .
fn tree(root: &Path, name: &str, config: &str, broken: &[&str]) -> PathBuf {
    let dir = root.join(format!("tree-{name}"));
    std::fs::create_dir_all(dir.join(".github")).unwrap();
    std::fs::write(dir.join(".github/infra-ci.yml"), config).unwrap();
    for (project, fixture) in [
        ("bootstrap", "basic_0-create"),
        ("net", "basic_1-modify"),
        ("app", "basic_2-delete"),
    ] {
        std::fs::create_dir_all(dir.join(project)).unwrap();
        let mut standin = format!(
            "json=terraform-plan-comment/{fixture}.plan.json\ntext=terraform-plan-comment/{fixture}.plan.txt\n"
        );
        if broken.contains(&project) {
            standin.push_str("init_exit=1\ninit_error=Unsupported argument \"bogus\"\n");
        }
        std::fs::write(dir.join(project).join(".standin"), standin).unwrap();
    }
    // The repository's end-to-end tests (e2e-tests.yml runs them): they pass, and try to
    // reach GitHub with whatever token the job left them (none, if the job is right).
    std::fs::create_dir_all(dir.join("tests/e2e")).unwrap();
    std::fs::write(
        dir.join("tests/e2e/run.sh"),
        "echo \"e2e: 12 passed\"\nif [ -n \"${GITHUB_TOKEN:-}${GH_TOKEN:-}\" ]; then echo 'a token reached the tests' >&2; exit 3; fi\n",
    )
    .unwrap();
    dir
}

struct Life {
    gh: Gh,
    m: Machine,
    comment_id: u64,
    config: String,
}

impl Life {
    fn start() -> Self {
        Self::start_with(CONFIG)
    }

    /// A repository whose default branch holds `config`.
    fn start_with(config: &str) -> Self {
        let gh = Gh::start();
        let scratch = tempfile::tempdir().unwrap();
        let main_tree = tree(scratch.path(), "main", config, &[]);
        // The default branch holds the configuration, as GitHub's contents API serves it
        // (in Actions, `parse` reads it from there rather than from any checkout).
        gh.config(config);
        let has_gate = std::process::Command::new(assert_cmd::cargo::cargo_bin!("infra-ci"))
            .args(["gate", "--help"])
            .output()
            .is_ok_and(|o| o.status.success());
        let m = Machine {
            api: gh.base.clone(),
            emu: gh.emu.clone(),
            repo: REPO.into(),
            default_branch: "main".into(),
            trees: BTreeMap::from([("main".to_owned(), main_tree)]),
            artifacts: BTreeMap::new(),
            next_run: 0,
            scratch,
            has_gate,
            cancel_before_start: std::collections::BTreeSet::new(),
        };
        Self {
            gh,
            m,
            comment_id: 500,
            config: config.to_owned(),
        }
    }

    fn commit(&mut self, sha: &str, broken: &[&str]) {
        // The emulator knows a commit and its ancestry only when declared, as GitHub knows
        // only pushed commits: each is a child of the pull request's base.
        let commit = NewCommit::new(sha, ["0".repeat(40)]);
        self.gh.admin(async |a| a.commit(REPO, &commit).await);
        let t = tree(self.m.scratch.path(), sha, &self.config, broken);
        self.m.trees.insert(sha.to_owned(), t);
    }

    fn repository() -> Value {
        json!({"full_name": REPO, "name": "infra", "owner": {"login": "acme", "type": "Organization"},
               "default_branch": "main", "private": false})
    }

    fn pull_payload(action: &str, head: &str, fork: bool, merged: bool) -> Value {
        let head_repo = if fork {
            json!({"full_name": "mallory/infra", "name": "infra", "owner": {"login": "mallory"}})
        } else {
            Self::repository()
        };
        json!({
            "action": action,
            "number": PR,
            "pull_request": {
                "number": PR, "state": if action == "closed" { "closed" } else { "open" },
                "draft": false, "merged": merged,
                "user": {"login": "alice", "type": "User"},
                "head": {"sha": head, "ref": "feature", "repo": head_repo},
                "base": {"sha": sha(1), "ref": "main", "repo": Self::repository()},
            },
            "repository": Self::repository(),
            "sender": {"login": "alice", "type": "User"},
        })
    }

    fn event(name: &'static str, payload: Value) -> Event {
        Event {
            name,
            payload,
            token: BOT_TOKEN.into(),
        }
    }

    /// Changes the PR as GitHub would after a push or a merge.
    fn edit_pull(&self, fields: &PullFields) {
        self.gh.admin(async |a| a.edit_pull(REPO, PR, fields).await);
    }

    /// `login`, a member, comments `body` on the PR, then the pipeline runs for the comment.
    fn say(&mut self, login: &str, body: &str) -> Run {
        self.say_as(login, "MEMBER", body)
    }

    /// `login` comments `body` on the PR with the given `author_association`, then the
    /// pipeline runs for the comment.
    fn say_as(&mut self, login: &str, association: &str, body: &str) -> Run {
        let (s, c) = self.gh.api(
            Method::POST,
            &format!("{login}-token"),
            &format!("/repos/{REPO}/issues/{PR}/comments"),
            Some(json!({ "body": body })),
        );
        assert_eq!(s, 201, "{c}");
        self.comment_id = c["id"].as_u64().unwrap();
        let payload = json!({
            "action": "created",
            "issue": {"number": PR, "pull_request": {"url": format!("{}/repos/{REPO}/pulls/{PR}", self.gh.base)},
                      "state": "open", "user": {"login": "alice", "type": "User"}},
            "comment": {"id": self.comment_id, "body": body, "user": {"login": login, "type": "User"},
                        "author_association": association},
            "repository": Self::repository(),
            "sender": {"login": login, "type": "User"},
        });
        let e = Self::event("issue_comment", payload);
        self.m.play(&e)
    }

    /// The dashboards of the PR as a person sees them, whoever wrote them (commit marker,
    /// minimized, body).
    fn dashboards(&self) -> Vec<(String, bool, String)> {
        self.gh
            .comments(PR)
            .iter()
            .filter(|c| {
                c["body"]
                    .as_str()
                    .unwrap_or("")
                    .starts_with("<!-- infra-dashboard:")
            })
            .map(|c| {
                let body = c["body"].as_str().unwrap().to_owned();
                let marker = body
                    .trim_start_matches("<!-- infra-dashboard:")
                    .chars()
                    .take(7)
                    .collect();
                let state = self.gh.admin_state();
                let minimized = state.is_some_and(|s| minimized(&s, c["id"].as_u64().unwrap()));
                (marker, minimized, body)
            })
            .collect()
    }

    /// The one dashboard that is not minimized.
    fn visible(&self) -> String {
        let live: Vec<_> = self.dashboards().into_iter().filter(|d| !d.1).collect();
        assert_eq!(live.len(), 1, "one visible dashboard: {live:#?}");
        live[0].2.clone()
    }
}

/// Every status of ours on `sha` for `stage`, oldest first, as `state: description`.
fn statuses_of(gh: &Gh, sha: &str, stage: &str) -> Vec<String> {
    let (s, list) = gh.api(
        Method::GET,
        BOT_TOKEN,
        &format!("/repos/{REPO}/commits/{sha}/statuses?per_page=100"),
        None,
    );
    assert_eq!(s, 200, "{list}");
    let mut mine: Vec<String> = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|st| st["context"] == format!("infra-dashboard/{stage}"))
        .map(|st| {
            format!(
                "{}: {}",
                st["state"].as_str().unwrap_or(""),
                st["description"].as_str().unwrap_or("")
            )
        })
        .collect();
    mine.reverse();
    assert!(mine.len() < 100, "more than a page of {stage}");
    mine
}

/// What infra-ci's requests of one played event cost, from the emulator's request log.
#[derive(Debug)]
#[allow(dead_code)] // read through Debug in the test's output
struct PlanCost {
    /// Every request infra-ci made (the bot's token).
    requests: usize,
    /// Of which content-creating (POST, PATCH, PUT, DELETE).
    writes: usize,
    /// Of which commit statuses posted.
    status_posts: usize,
    /// Of which comment edits (renders).
    renders: usize,
}

impl PlanCost {
    fn of(log: &[LogEntry]) -> Self {
        let ours: Vec<&LogEntry> = log
            .iter()
            .filter(|r| r.login.as_deref() == Some(support::BOT))
            .collect();
        Self {
            requests: ours.len(),
            writes: ours.iter().filter(|r| r.method != "GET").count(),
            status_posts: ours
                .iter()
                .filter(|r| r.method == "POST" && r.path.contains("/statuses/"))
                .count(),
            renders: ours
                .iter()
                .filter(|r| r.method == "PATCH" && r.path.contains("/issues/comments/"))
                .count(),
        }
    }
}

/// Whether the emulator's state marks comment `id` minimized.
fn minimized(state: &Value, id: u64) -> bool {
    fn walk(v: &Value, id: u64) -> Option<bool> {
        match v {
            Value::Object(o) => {
                if o.get("id").and_then(Value::as_u64) == Some(id)
                    && let Some(m) = o.get("minimized").or_else(|| o.get("is_minimized"))
                {
                    return Some(m.as_bool().unwrap_or(!m.is_null()));
                }
                o.values().find_map(|x| walk(x, id))
            }
            Value::Array(a) => a.iter().find_map(|x| walk(x, id)),
            _ => None,
        }
    }
    walk(state, id).unwrap_or(false)
}

trait AdminState {
    fn admin_state(&self) -> Option<Value>;
}

impl AdminState for Gh {
    fn admin_state(&self) -> Option<Value> {
        self.emu.run(self.emu.emulator().admin().state()).ok()
    }
}

fn row<'a>(body: &'a str, name: &str) -> &'a str {
    body.lines()
        .find(|l| l.starts_with(&format!("| {name} |")))
        .unwrap_or_else(|| panic!("no row {name} in\n{body}"))
}

fn assert_row(body: &str, name: &str, want: &[&str]) {
    let r = row(body, name);
    for w in want {
        assert!(r.contains(w), "row {name}: {r:?} lacks {w:?}\n{body}");
    }
}

#[test]
fn a_pull_request_from_open_to_merge() {
    let mut life = Life::start();
    let (h1, h2, merge) = ("a1".repeat(20), "b2".repeat(20), "c3".repeat(20));
    life.gh.user("alice");
    life.gh.user("bob");
    life.gh.pull(PR, &h1);
    life.commit(&h1, &["net"]);

    // Open → parse creates the dashboard, validate owns `ci`.
    let e = Life::event(
        "pull_request",
        Life::pull_payload("opened", &h1, false, false),
    );
    let run = life.m.play(&e);
    assert_eq!(run.result("parse"), "success", "{}", run.log());
    assert_eq!(
        run.result("validate"),
        "failure",
        "net is broken: {}",
        run.log()
    );
    for job in [
        "digger",
        "native",
        "native-apply",
        "post-merge",
        "drift",
        "unlock",
    ] {
        assert_eq!(run.result(job), "skipped", "{job}: {}", run.log());
    }
    let body = life.visible();
    assert_row(
        &body,
        "CI Validate",
        &["❌ failure", "Unsupported argument"],
    );
    // Rows no job of this run will update say what will (issue 9).
    assert_row(&body, "Plan: app", &["⏳ pending", "updated by /plan"]);
    assert_row(
        &body,
        "Plan: bootstrap",
        &["⏳ pending", "updated by /bootstrap plan"],
    );
    assert_row(
        &body,
        "Apply",
        &["⏳ pending", "updated by /apply (once approved)"],
    );
    assert_row(&body, "E2E Tests", &["⏳ pending", "updated by the merge"]);
    assert_row(&body, "Review", &["⏳ pending", "updated by reviews"]);

    // /plan: a Digger leg (app) and a native job (bootstrap is not in /plan; net fails).
    let run = life.say("alice", "/plan");
    assert_eq!(run.output("parse", "digger"), "true", "{}", run.log());
    assert_eq!(run.result("digger"), "success", "{}", run.log());
    assert_eq!(run.result("native"), "failure", "{}", run.log());
    assert_eq!(run.result("native-apply"), "skipped");
    let body = life.visible();
    // Digger's own plan, summarised from the plan file it saved: app destroys.
    assert_row(&body, "Plan: app", &["✅ success", "+0 &#126;0 -2 ⚠"]);
    assert!(
        body.contains("<summary>Plan: app") && body.contains("To destroy (2):"),
        "Digger's plan has its details, destroys by name first: {body}"
    );
    assert_row(&body, "Plan: net", &["❌ failure"]);

    // A push fixes net: a new dashboard for the new head, the old one minimized.
    life.commit(&h2, &[]);
    life.edit_pull(&PullFields {
        head_sha: Some(h2.clone()),
        ..PullFields::default()
    });
    let e = Life::event(
        "pull_request",
        Life::pull_payload("synchronize", &h2, false, false),
    );
    let run = life.m.play(&e);
    assert_eq!(run.result("validate"), "success", "{}", run.log());
    let all = life.dashboards();
    assert_eq!(all.len(), 2, "{all:#?}");
    let body = life.visible();
    assert!(
        body.starts_with(&format!("<!-- infra-dashboard:{}", &h2[..7])),
        "{body}"
    );
    assert_row(&body, "CI Validate", &["✅ success"]);
    // ... and it says what happened on the previous head, whose dashboard is now hidden.
    let previous = |body: &str| {
        body.lines()
            .find(|l| l.starts_with("**Previous commit**"))
            .map_or_else(|| panic!("no previous-commit line: {body}"), str::to_owned)
    };
    let before = previous(&body);
    assert!(
        before.contains(&format!("[`{}`](", &h1[..7]))
            && before.contains("❌ CI Validate")
            && before.contains("✅ Plan: app")
            && before.contains("❌ Plan: net"),
        "{before}"
    );

    life.gh.clear_requests();
    let run = life.say("alice", "/plan");
    // What the /plan cost, before the test's own reads below.
    let cost = PlanCost::of(&life.gh.requests());
    assert_eq!(run.result("digger"), "success", "{}", run.log());
    assert_eq!(run.result("native"), "success", "{}", run.log());
    let plan_run = run.id;
    let body = life.visible();
    assert_row(&body, "Plan: net", &["✅ success"]);
    assert_row(&body, "Plan: app", &["✅ success"]);
    // The run of legs (ADR 0012): parse showed both plan rows running and marked the run;
    // each leg posted its result only, no `running` of its own, and no row is left 🔄.
    assert_eq!(run.output("parse", "in_run"), "true", "{}", run.log());
    assert!(!body.contains('🔄'), "a row left running: {body}");
    for stage in ["plan-net", "plan-app"] {
        let posted = statuses_of(&life.gh, &h2, stage);
        assert_eq!(
            posted.len(),
            1,
            "{stage}: one status, the result: {posted:?}"
        );
        assert!(posted[0].starts_with("success"), "{stage}: {posted:?}");
    }
    eprintln!("/plan of 2 projects (net native, app Digger): {cost:?}");
    // The run's close job (ADR 0014) ran after both legs: nothing to cancel, and it brought
    // the legs' details, which no leg rendered for: app's Digger plan summary is there.
    assert_eq!(run.result("close"), "success", "{}", run.log());
    assert!(
        body.contains("<summary>Plan: app") && body.contains("<summary>Plan: net"),
        "both legs' details, through the close job: {body}"
    );
    // The statuses a `/plan` posts: parse's run mark (the fence after its one write); net's
    // plan record (`infra-ci/plan/net`) and result; app's result; the fence after the last
    // leg's render (net's: the run's last result renders); the close job's anchor (posted
    // so that its read shows every leg's result, ADR 0014) and its fence.
    assert_eq!(cost.status_posts, 1 + 2 + 1 + 1 + 2, "{cost:?}");
    assert_eq!(
        cost.renders, 3,
        "parse's, the last leg's, the close job's: {cost:?}"
    );
    // 28 requests: parse 9; app's Digger leg 2 (its result and one read: no pull request
    // read, parse's mark vouches for it; no render, the close job brings its details); net's
    // job 9 (the pull request, the base ref, the plan record, its result, the read, and the
    // run's last render of 4); the close job 8 (who we are, the statuses, its anchor and the
    // read after it, a render of 4). So 2 requests a project plus a constant of about 24
    // (BENCHMARKS.md, issue 10).
    assert!(cost.requests <= 28, "{cost:?}");
    assert_eq!(previous(&body), before, "later renders keep the line");

    // /apply before anyone approved: refused by parse, nothing runs, the reason is replied.
    let run = life.say("alice", "/apply");
    assert_eq!(run.output("parse", "digger"), "false", "{}", run.log());
    assert_eq!(run.result("digger"), "skipped", "{}", run.log());
    assert_eq!(run.result("native-apply"), "skipped", "{}", run.log());
    let replies: Vec<String> = life
        .gh
        .comments(PR)
        .iter()
        .filter(|c| c["user"]["login"] == support::BOT)
        .filter_map(|c| c["body"].as_str().map(str::to_owned))
        .filter(|b| !b.starts_with("<!--") && b.contains("approv"))
        .collect();
    assert_eq!(replies.len(), 1, "one reply says why: {replies:?}");

    // eve, an outsider, approves the head: the gate will not count it, and neither does
    // the review row (it names her and says why).
    let eve = NewUser::new("eve")
        .kind("User")
        .token("eve-token")
        .association("NONE");
    life.gh.approve(PR, &eve, &h2);
    let by_eve = json!({
        "action": "submitted",
        "review": {"state": "approved", "user": {"login": "eve", "type": "User"}, "commit_id": h2,
                   "author_association": "NONE"},
        "pull_request": Life::pull_payload("opened", &h2, false, false)["pull_request"],
        "repository": Life::repository(),
        "sender": {"login": "eve", "type": "User"},
    });
    let run = life.m.play(&Life::event("pull_request_review", by_eve));
    assert_eq!(run.result("parse"), "success", "{}", run.log());
    assert_row(
        &life.visible(),
        "Review",
        &["⏳ pending", "&#64;eve (not allowed to apply)"],
    );

    // bob, a member, approves the head; the review row says so.
    let bob = NewUser::new("bob")
        .kind("User")
        .token("bob-token")
        .association("MEMBER");
    life.gh.approve(PR, &bob, &h2);
    let review = json!({
        "action": "submitted",
        "review": {"state": "approved", "user": {"login": "bob", "type": "User"}, "commit_id": h2,
                   "author_association": "MEMBER"},
        "pull_request": Life::pull_payload("opened", &h2, false, false)["pull_request"],
        "repository": Life::repository(),
        "sender": {"login": "bob", "type": "User"},
    });
    let e = Life::event("pull_request_review", review);
    let run = life.m.play(&e);
    assert_eq!(run.result("parse"), "success", "{}", run.log());
    assert_row(
        &life.visible(),
        "Review",
        &[
            "✅ success",
            &format!("approved by &#64;bob at {}", &h2[..7]),
        ],
    );

    // /apply once approved: the Digger leg applies app, then the native job applies net
    // with the plans the /plan run saved (found by `infra-ci plan-run`).
    let run = life.say("alice", "/apply");
    assert_eq!(run.result("digger"), "success", "{}", run.log());
    assert_eq!(run.result("native-apply"), "success", "{}", run.log());
    assert_eq!(
        run.output("parse", "in_run"),
        "false",
        "an apply is no run of legs"
    );
    assert!(
        run.log().contains(&format!("(from run {plan_run})")),
        "{}",
        run.log()
    );
    // Each project's apply has its row under Apply, and the lock net's apply took shows.
    let body = life.visible();
    assert_row(&body, "Apply", &["✅ success"]);
    assert_row(&body, "Apply: app", &["✅ success", "apply app: success"]);
    assert_row(&body, "Apply: net", &["✅ success"]);
    assert_row(&body, "Apply locks", &["🔒 net", "held by &#35;7"]);
    let rows: Vec<&str> = body.lines().filter(|l| l.starts_with("| ")).collect();
    let at = rows
        .iter()
        .position(|l| l.starts_with("| Apply |"))
        .unwrap();
    assert!(
        rows[at + 1].starts_with("| Apply: ") && rows[at + 2].starts_with("| Apply: "),
        "project rows follow Apply: {body}"
    );

    // /unlock: eve (an outsider) is refused; alice, the author, releases net's lock.
    let run = life.say_as("eve", "NONE", "/unlock");
    assert_eq!(
        run.output("parse", "release_locks"),
        "false",
        "{}",
        run.log()
    );
    assert_eq!(run.result("unlock"), "skipped", "{}", run.log());
    assert_row(&life.visible(), "Apply locks", &["🔒 net"]);
    let run = life.say("alice", "/unlock");
    assert_eq!(run.result("unlock"), "success", "{}", run.log());
    assert_row(&life.visible(), "Apply locks", &["🔓 released: net"]);

    // /bootstrap plan, then /bootstrap apply (native, with that run's saved plan).
    let run = life.say("alice", "/bootstrap plan");
    assert_eq!(run.result("native"), "success", "{}", run.log());
    assert_eq!(run.output("parse", "in_run"), "true", "{}", run.log());
    assert!(!life.visible().contains('🔄'), "{}", life.visible());
    let bootstrap_run = run.id;
    assert_row(&life.visible(), "Plan: bootstrap", &["✅ success", "+3"]);
    let run = life.say("alice", "/bootstrap apply");
    assert_eq!(run.result("digger"), "skipped", "{}", run.log());
    assert_eq!(run.result("native-apply"), "success", "{}", run.log());
    assert!(
        run.log().contains(&format!("(from run {bootstrap_run})")),
        "{}",
        run.log()
    );
    assert_row(&life.visible(), "Apply", &["✅ success"]);
    assert_row(&life.visible(), "Apply: bootstrap", &["✅ success"]);
    assert_row(&life.visible(), "Apply locks", &["🔒 bootstrap"]);

    // Closed (merged): its locks are released.
    let e = Life::event(
        "pull_request",
        Life::pull_payload("closed", &h2, false, true),
    );
    let run = life.m.play(&e);
    assert_eq!(run.result("unlock"), "success", "{}", run.log());
    assert_eq!(run.result("validate"), "skipped");
    assert!(
        run.log().contains("infra-ci run unlock: success"),
        "{}",
        run.log()
    );
    assert_row(&life.visible(), "Apply locks", &["🔓 released: bootstrap"]);

    // The merge commit on main: post-merge verify of every project.
    life.commit(&merge, &[]);
    life.edit_pull(&PullFields {
        state: Some("closed".into()),
        merged: Some(true),
        merge_commit_sha: Some(merge.clone()),
        ..PullFields::default()
    });
    let push = json!({
        "ref": "refs/heads/main", "after": merge, "before": sha(1),
        "head_commit": {"id": merge},
        "repository": Life::repository(),
        "sender": {"login": "alice", "type": "User"},
    });
    let mut e = Life::event("push", push);
    e.payload["repository"]["master_branch"] = json!("main");
    let run = life.m.play(&e);
    assert_eq!(run.output("parse", "post_merge"), "true", "{}", run.log());
    // Every project is planned on the merge commit, the Digger one too; the stand-in's
    // plans still show changes, so the verdict is "not fully applied".
    assert_eq!(run.result("post-merge"), "failure", "{}", run.log());
    for p in ["bootstrap:", "net:", "app:"] {
        assert!(run.log().contains(p), "{p} not verified: {}", run.log());
    }
    // Where people look after the merge: the head's dashboard with the PR's results stays
    // visible (the merge commit's does not hide it), and the merge commit's dashboard has
    // only its verdict, no row left pending that no job will ever update (issue 9, item 3).
    let live: Vec<_> = life.dashboards().into_iter().filter(|d| !d.1).collect();
    assert_eq!(live.len(), 2, "{live:#?}");
    let of = |sha: &str| {
        &live
            .iter()
            .find(|d| d.0 == sha[..7])
            .unwrap_or_else(|| panic!("no visible dashboard of {sha}: {live:#?}"))
            .2
    };
    assert_row(of(&h2), "Apply", &["✅ success"]);
    let verdict = of(&merge);
    assert_row(verdict, "Post-merge verify", &["❌ failure"]);
    assert!(
        !verdict.contains('⏳'),
        "a pending row on the merge commit: {verdict}"
    );

    // The same push runs e2e-tests.yml: the merged code is tested in a job without a
    // token, and `e2e` is reported where people look, the merged pull request's head.
    let e2e = life.m.play_file(play::E2E, &e);
    assert_eq!(e2e.result("target"), "success", "{}", e2e.log());
    assert_eq!(e2e.output("target", "pr"), PR.to_string(), "{}", e2e.log());
    assert_eq!(e2e.result("e2e"), "success", "{}", e2e.log());
    assert_eq!(e2e.result("report"), "success", "{}", e2e.log());
    let live: Vec<_> = life.dashboards().into_iter().filter(|d| !d.1).collect();
    let head = &live.iter().find(|d| d.0 == h2[..7]).unwrap().2;
    assert_row(head, "E2E Tests", &["✅ success", "e2e: 12 passed"]);
    assert_eq!(
        verdict.matches("\n| ").count(),
        2,
        "header and one row: {verdict}"
    );
}

/// A plan leg GitHub cancels before its first step (a pending job replaced in its
/// concurrency group, a run cancelled while it queued) reports nothing: the run's close job
/// marks it cancelled, so no row is left running, and still brings the other legs' details
/// (ADR 0014). The next run's leg reports it again.
#[test]
fn a_plan_leg_cancelled_before_it_starts_is_closed_by_the_runs_close_job() {
    let mut life = Life::start();
    let h1 = "d4".repeat(20);
    life.gh.user("alice");
    life.gh.pull(PR, &h1);
    life.commit(&h1, &[]);
    let e = Life::event(
        "pull_request",
        Life::pull_payload("opened", &h1, false, false),
    );
    let run = life.m.play(&e);
    assert_eq!(run.result("parse"), "success", "{}", run.log());

    life.m.cancel_before_start.insert(("digger".into(), 0));
    let run = life.say("alice", "/plan");
    assert_eq!(run.output("parse", "in_run"), "true", "{}", run.log());
    assert_eq!(run.result("digger"), "cancelled", "{}", run.log());
    assert_eq!(run.result("native"), "success", "{}", run.log());
    assert_eq!(run.result("close"), "success", "{}", run.log());
    let body = life.visible();
    assert!(!body.contains('🔄'), "a row left running: {body}");
    assert_row(
        &body,
        "Plan: app",
        &["cancelled", "the job ended before it reported"],
    );
    assert_row(&body, "Plan: net", &["✅ success"]);
    assert!(body.contains("<summary>Plan: net"), "{body}");
    let posted = statuses_of(&life.gh, &h1, "plan-app");
    assert_eq!(posted.len(), 1, "only the close job's: {posted:?}");
    assert!(posted[0].contains("cancelled: the job ended"), "{posted:?}");

    // The next /plan is a newer run: app's leg reports, its close job cancels nothing.
    let run = life.say("alice", "/plan");
    assert_eq!(run.result("digger"), "success", "{}", run.log());
    assert_eq!(run.result("close"), "success", "{}", run.log());
    let body = life.visible();
    assert_row(&body, "Plan: app", &["✅ success"]);
    assert!(!body.contains('🔄'), "{body}");
    assert_eq!(statuses_of(&life.gh, &h1, "plan-app").len(), 2);
}

#[test]
fn a_fork_is_validated_with_a_read_only_token_and_gets_no_dashboard() {
    let mut life = Life::start();
    let head = "d4".repeat(20);
    life.gh.user("alice");
    let fork = PullFields {
        fork: Some(true),
        ..PullFields::new(PR, &head).by("alice")
    };
    life.gh.admin(async |a| a.pull(REPO, &fork).await);
    life.commit(&head, &[]);
    let runner = ["issues", "statuses", "contents", "pull_requests"]
        .into_iter()
        .fold(NewUser::new("fork-runner[bot]"), |u, p| {
            u.permission(p, "read")
        })
        .kind("Bot")
        .token("fork-token");
    life.gh.admin(async |a| a.user(&runner).await);
    let mut e = Life::event(
        "pull_request",
        Life::pull_payload("opened", &head, true, false),
    );
    e.token = "fork-token".into();
    let run = life.m.play(&e);
    assert_eq!(run.result("parse"), "success", "{}", run.log());
    assert_eq!(run.output("parse", "dashboard"), "false");
    assert_eq!(run.result("validate"), "success", "{}", run.log());
    assert!(life.gh.dashboards(PR).is_empty());
}

#[test]
fn a_schedule_plays_drift_of_every_project() {
    let mut life = Life::start();
    let e = Event {
        name: "schedule",
        payload: json!({"schedule": "17 6 * * 1-5"}),
        token: BOT_TOKEN.into(),
    };
    let run = life.m.play(&e);
    assert_eq!(run.output("parse", "drift"), "true", "{}", run.log());
    // Every project replays a plan with changes: drift found, exit 1, issue opened.
    assert_eq!(run.result("drift"), "failure", "{}", run.log());
    let (_, issues) = life.gh.api(
        Method::GET,
        BOT_TOKEN,
        &format!("/repos/{REPO}/issues?state=open"),
        None,
    );
    let drift = issues
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["title"].as_str().unwrap_or("").contains("drift"))
        .cloned()
        .unwrap_or_else(|| panic!("no drift issue: {issues}"));
    let body = drift["body"].as_str().unwrap();
    for p in ["bootstrap", "net", "app"] {
        assert!(body.contains(p), "{p} not in the drift issue:\n{body}");
    }
    let _ = &mut life;
}

/// Migrating from the seed: its GitHub App wrote the dashboards of this pull request's
/// commits. With the App named in `dashboard.predecessors`, the pipeline (GITHUB_TOKEN)
/// adopts the head's dashboard (its rows carried into ours, which replaces it) and hides
/// the earlier commit's: one live dashboard, never two (issue 9, item 4).
#[test]
fn a_pull_request_begun_by_the_seeds_app_keeps_one_dashboard() {
    // With `dashboard.runs: false`: this pull request's plans take the path without runs
    // (each leg posts its running and renders its result; no close job).
    let config = format!("{CONFIG}dashboard:\n  runs: false\n  predecessors: [\"seed-ci[bot]\"]\n");
    let mut life = Life::start_with(&config);
    let (h0, h1) = ("e5".repeat(20), "f6".repeat(20));
    life.gh.user("alice");
    let seed_ci = NewUser::new("seed-ci[bot]").kind("Bot").token("seed-token");
    life.gh.admin(async |a| a.user(&seed_ci).await);
    life.gh.pull(PR, &h1);
    life.commit(&h1, &[]);
    // The seed's dashboards, as its Python tool rendered them, for h0 and for the head h1.
    for (sha, plan) in [(&h0, "❌ failure"), (&h1, "✅ success")] {
        let body = format!(
            "<!-- infra-dashboard:{} -->\n## ⚙️ Commit Dashboard `{}`\n\n| Stage | Status | Output | Time |\n|-------|--------|--------|------|\n| CI Validate | ✅ success | - | 10:00 |\n| Plan: net | {plan} | +1 ~0 -0 | 10:02 |\n| Apply | ⏳ pending | - | - |\n",
            &sha[..7],
            &sha[..7]
        );
        let (s, c) = life.gh.api(
            Method::POST,
            "seed-token",
            &format!("/repos/{REPO}/issues/{PR}/comments"),
            Some(json!({ "body": body })),
        );
        assert_eq!(s, 201, "{c}");
    }
    assert_eq!(life.dashboards().len(), 2);

    // The first job under infra-ci: a push's synchronize event, with GITHUB_TOKEN.
    let e = Life::event(
        "pull_request",
        Life::pull_payload("synchronize", &h1, false, false),
    );
    let run = life.m.play(&e);
    assert_eq!(run.result("parse"), "success", "{}", run.log());
    assert_eq!(run.result("validate"), "success", "{}", run.log());
    let all = life.dashboards();
    assert_eq!(all.len(), 3, "the seed's two and ours: {all:#?}");
    let body = life.visible();
    assert!(
        body.starts_with(&format!("<!-- infra-dashboard:{}", &h1[..7])),
        "{body}"
    );
    // Ours: validate's own result, and the seed's plan carried over until a plan of ours.
    assert_row(&body, "CI Validate", &["✅ success", "actions/runs/"]);
    assert_row(&body, "Plan: net", &["✅ success", "+1 &#126;0 -0"]);
    let ours: Vec<_> = life
        .gh
        .comments(PR)
        .into_iter()
        .filter(|c| c["user"]["login"] == support::BOT)
        .filter(|c| {
            c["body"]
                .as_str()
                .unwrap_or("")
                .starts_with("<!-- infra-dashboard:")
        })
        .collect();
    assert_eq!(ours.len(), 1, "one dashboard of ours: {ours:#?}");

    // A /plan of ours replaces the carried row; still one live dashboard.
    let run = life.say("alice", "/plan net");
    assert_eq!(run.result("native"), "success", "{}", run.log());
    assert_row(
        &life.visible(),
        "Plan: net",
        &["✅ success", "actions/runs/"],
    );
    assert_eq!(life.dashboards().len(), 3);
}

/// The e2e job runs the repository's own code: it holds no write permission and no token,
/// so code that tampers with its runner (PATH, GITHUB_ENV) reaches no step that could write
/// a status as infra-ci; the jobs that write run no repository code.
#[test]
fn e2e_tests_run_in_a_job_that_can_write_nothing() {
    let wf: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(&std::fs::read_to_string(play::E2E).unwrap()).unwrap();
    let mut runs_tests = 0;
    for (name, job) in wf["jobs"].as_mapping().unwrap() {
        let text = serde_yaml_ng::to_string(job).unwrap();
        let tests = text.contains("tests/e2e/run.sh");
        let checks_out = text.contains("actions/checkout");
        if !(tests || checks_out) {
            continue;
        }
        runs_tests += 1;
        assert!(
            !text.contains("github.token") && !text.contains("secrets."),
            "{name:?} runs repository code and holds a token:\n{text}"
        );
        for (scope, level) in job["permissions"].as_mapping().unwrap() {
            assert_eq!(
                level.as_str(),
                Some("read"),
                "{name:?} runs repository code with {scope:?}: {level:?}"
            );
        }
    }
    assert_eq!(runs_tests, 1, "one job checks out and runs the tests");
}
