//! Earlier commits' dashboards are minimized as outdated once, over HTTP against the emulator.
#![allow(clippy::unwrap_used)]

use infra_ci_core::default_stages;
use infra_ci_emulator::{DEFAULT_BOT_TOKEN, EmulatorOptions, spawn};
use infra_ci_engine::{Dashboards, OUTDATED_MARK, Target, Tuning};
use infra_ci_github::{Auth, ClientConfig, GitHubClient, RepoId};
use serde_json::{Value, json};

const PR: u64 = 5;

/// The pull request's head moves to `head`, as a push does (only the head's dashboard
/// hides the earlier ones).
async fn push(base: &str, head: &str) {
    let res = reqwest::Client::new()
        .patch(format!("{base}/_emulator/repos/acme/infra/pulls/{PR}"))
        .json(&json!({ "head_sha": head }))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "push: {}", res.status());
}

async fn post(base: &str, path: &str, token: Option<&str>, body: Value) -> Value {
    let mut req = reqwest::Client::new()
        .post(format!("{base}{path}"))
        .header("user-agent", "test")
        .json(&body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.unwrap();
    assert!(res.status().is_success(), "{path}: {}", res.status());
    res.json().await.unwrap_or(Value::Null)
}

async fn get(base: &str, path: &str) -> Value {
    reqwest::get(format!("{base}{path}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

fn comment(state: &Value, id: u64) -> Value {
    state["comments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .cloned()
        .unwrap()
}

fn sha(c: char) -> String {
    c.to_string().repeat(40)
}

async fn init(base: &str, head: &str) -> u64 {
    let cfg = ClientConfig::new(Auth::Token(DEFAULT_BOT_TOKEN.to_owned().into()))
        .with_base_url(base)
        .unwrap();
    let forge = GitHubClient::new(cfg).unwrap();
    let target = Target {
        repo: RepoId::parse("acme/infra").unwrap(),
        pr: PR,
        sha: head.to_owned().into(),
        is_head: None,
    };
    let tuning = Tuning {
        settle_ms: 0,
        ..Tuning::default()
    };
    Dashboards::new(&forge, default_stages(), tuning)
        .init(&target)
        .await
        .unwrap()
        .comment_id
}

fn graphql_calls(log: &Value) -> usize {
    log.as_array()
        .unwrap()
        .iter()
        .filter(|e| e["path"] == "/graphql" && e["status"] == 200)
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_head_minimizes_earlier_dashboards_once_and_nothing_else() {
    let emu = spawn(
        ([127, 0, 0, 1], 0).into(),
        EmulatorOptions {
            repos: vec!["acme/infra".into()],
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let base = emu.base_url();
    post(
        &base,
        "/_emulator/users",
        None,
        json!({"login": "mallory", "token": "m-token"}),
    )
    .await;
    post(
        &base,
        "/_emulator/repos/acme/infra/pulls",
        None,
        json!({"number": PR, "head_sha": sha('a'), "user": "mallory"}),
    )
    .await;
    // The pull request's next heads: b, then c, each pushed on top of the last.
    for (c, parent) in [(sha('b'), sha('a')), (sha('c'), sha('b'))] {
        post(
            &base,
            "/_emulator/repos/acme/infra/commits",
            None,
            json!({"sha": c, "parents": [parent]}),
        )
        .await;
    }
    let a = init(&base, &sha('a')).await;
    // Someone else's comment with commit a's marker: never ours to hide or edit.
    let fake = post(
        &base,
        &format!("/repos/acme/infra/issues/{PR}/comments"),
        Some("m-token"),
        json!({"body": "<!-- infra-dashboard:aaaaaaa -->\nfake"}),
    )
    .await["id"]
        .as_u64()
        .unwrap();
    // Re-initialising the same commit finds its dashboard: nothing is minimized.
    assert_eq!(init(&base, &sha('a')).await, a);
    assert_eq!(graphql_calls(&get(&base, "/_emulator/requests").await), 0);

    push(&base, &sha('b')).await;
    let b = init(&base, &sha('b')).await;
    let state = get(&base, "/_emulator/state").await;
    let old = comment(&state, a);
    assert_eq!(old["minimized"], "outdated", "{old:#}");
    assert!(
        old["body"]
            .as_str()
            .unwrap()
            .ends_with(&format!("{OUTDATED_MARK}\n"))
    );
    assert_eq!(old["edits"], 1);
    assert!(comment(&state, b)["minimized"].is_null());
    let foreign = comment(&state, fake);
    assert!(foreign["minimized"].is_null());
    assert_eq!(foreign["edits"], 0);
    assert_eq!(graphql_calls(&get(&base, "/_emulator/requests").await), 1);

    // The next head minimizes b only: a is marked and left alone.
    push(&base, &sha('c')).await;
    let c = init(&base, &sha('c')).await;
    let state = get(&base, "/_emulator/state").await;
    assert_eq!(comment(&state, a)["edits"], 1, "a was written again");
    assert_eq!(comment(&state, b)["minimized"], "outdated");
    assert!(comment(&state, c)["minimized"].is_null());
    assert_eq!(graphql_calls(&get(&base, "/_emulator/requests").await), 2);
    emu.shutdown().await;
}
