//! Earlier commits' dashboards are minimized as outdated once, over HTTP against the emulator.
#![allow(clippy::unwrap_used)]

use infra_ci_core::default_stages;
use infra_ci_engine::{Dashboards, OUTDATED_MARK, Target, Tuning};
use infra_ci_github::{Forge, RepoId};
use infra_ci_testkit::admin::{LogEntry, NewCommit, NewUser, PullFields};
use infra_ci_testkit::{DEFAULT_BOT_TOKEN, TestEmulator, sha};
use serde_json::Value;

const PR: u64 = 5;
const REPO: &str = "acme/infra";

/// The pull request's head moves to `head`, as a push does (only the head's dashboard
/// hides the earlier ones).
async fn push(emu: &TestEmulator, head: &str) {
    let fields = PullFields {
        head_sha: Some(head.to_owned()),
        ..PullFields::default()
    };
    emu.admin().edit_pull(REPO, PR, &fields).await.unwrap();
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

async fn init(emu: &TestEmulator, head: &str) -> u64 {
    let forge = emu.client(DEFAULT_BOT_TOKEN);
    let target = Target {
        repo: RepoId::parse(REPO).unwrap(),
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

fn graphql_calls(log: &[LogEntry]) -> usize {
    log.iter()
        .filter(|e| e.path == "/graphql" && e.status == Some(200))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_head_minimizes_earlier_dashboards_once_and_nothing_else() {
    let emu = TestEmulator::start(&[REPO]).await;
    let admin = emu.admin();
    admin
        .user(&NewUser::new("mallory").token("m-token"))
        .await
        .unwrap();
    let pull = PullFields::new(PR, sha('a')).by("mallory");
    admin.pull(REPO, &pull).await.unwrap();
    // The pull request's next heads: b, then c, each pushed on top of the last.
    for (c, parent) in [(sha('b'), sha('a')), (sha('c'), sha('b'))] {
        admin
            .commit(REPO, &NewCommit::new(c, [parent]))
            .await
            .unwrap();
    }
    let a = init(&emu, &sha('a')).await;
    // Someone else's comment with commit a's marker: never ours to hide or edit.
    let fake = emu
        .client("m-token")
        .create_comment(
            &RepoId::parse(REPO).unwrap(),
            PR,
            "<!-- infra-dashboard:aaaaaaa -->\nfake",
        )
        .await
        .unwrap()
        .id;
    // Re-initialising the same commit finds its dashboard: nothing is minimized.
    assert_eq!(init(&emu, &sha('a')).await, a);
    assert_eq!(graphql_calls(&emu.requests().await), 0);

    push(&emu, &sha('b')).await;
    let b = init(&emu, &sha('b')).await;
    let state = emu.state().await;
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
    assert_eq!(graphql_calls(&emu.requests().await), 1);

    // The next head minimizes b only: a is marked and left alone.
    push(&emu, &sha('c')).await;
    let c = init(&emu, &sha('c')).await;
    let state = emu.state().await;
    assert_eq!(comment(&state, a)["edits"], 1, "a was written again");
    assert_eq!(comment(&state, b)["minimized"], "outdated");
    assert!(comment(&state, c)["minimized"].is_null());
    assert_eq!(graphql_calls(&emu.requests().await), 2);
    emu.shutdown().await;
}
