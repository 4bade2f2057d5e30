//! `drift`: one issue, opened, updated in place, closed; someone else's marker ignored.

use infra_ci_github::Forge;
use infra_ci_runner::{DRIFT_LABEL, DRIFT_MARKER, DRIFT_TITLE};
use infra_ci_testkit::admin::NewUser;

use crate::common::{World, config};

#[tokio::test]
async fn the_drift_issue_is_opened_updated_and_closed() {
    let w = World::new(&config(&[("app", ""), ("db", "")])).await;
    w.fixture_project("app", "basic_1-modify");
    w.fixture_project("db", "basic_4-empty");

    // A decoy: someone else's issue carrying our marker and label.
    w.user(&NewUser::new("mallory").token("mallory-token"))
        .await;
    let mallory = w.emu.client("mallory-token");
    let decoy = mallory
        .create_issue(
            &w.repo(),
            DRIFT_TITLE,
            &format!("{DRIFT_MARKER}\nnot ours"),
            &[DRIFT_LABEL.to_owned()],
        )
        .await
        .unwrap();

    let first = w.runner().drift().await.unwrap();
    assert!(!first.clean());
    let (number, state) = first.issue.unwrap();
    assert_ne!(number, decoy.number);
    assert_eq!(state, infra_ci_github::IssueState::Open);
    let opened = issue(&w, number).await;
    assert_eq!(opened["title"], DRIFT_TITLE);
    let body = opened["body"].as_str().unwrap();
    assert!(body.starts_with(DRIFT_MARKER));
    assert!(body.contains("| `app` | ⚠️ | +2 ~0 -2 ⚠️ |"), "{body}");
    assert!(body.contains("| `db` | ✅ | no changes |"), "{body}");
    assert!(body.contains("### `app`"));

    // Still drifted: the same issue is updated, never a second one.
    w.fixture_project("db", "basic_0-create");
    let second = w.runner().drift().await.unwrap();
    assert_eq!(second.issue.as_ref().map(|i| i.0), Some(number));
    assert!(
        issue(&w, number).await["body"]
            .as_str()
            .unwrap()
            .contains("| `db` | ⚠️ | +3 ~0 -0 |")
    );
    assert_eq!(ours(&w).await, 1);

    // Clean: closed in place.
    w.fixture_project("app", "basic_4-empty");
    w.fixture_project("db", "basic_4-empty");
    let third = w.runner().drift().await.unwrap();
    assert!(third.clean());
    assert_eq!(
        third.issue,
        Some((number, infra_ci_github::IssueState::Closed))
    );
    assert!(
        issue(&w, number).await["body"]
            .as_str()
            .unwrap()
            .contains("Everything matches the code")
    );

    // Drift again: the closed issue is reopened, not duplicated.
    w.fixture_project("app", "basic_2-delete");
    let fourth = w.runner().drift().await.unwrap();
    assert_eq!(
        fourth.issue,
        Some((number, infra_ci_github::IssueState::Open))
    );
    assert_eq!(ours(&w).await, 1);
    // The decoy was never touched.
    let decoy_now = issue(&w, decoy.number).await;
    assert_eq!(decoy_now["body"], format!("{DRIFT_MARKER}\nnot ours"));
    assert_eq!(decoy_now["state"], "open");
}

#[tokio::test]
async fn a_clean_repository_opens_no_issue() {
    let w = World::new(&config(&[("app", "")])).await;
    w.fixture_project("app", "basic_4-empty");
    let report = w.runner().drift().await.unwrap();
    assert!(report.clean());
    assert_eq!(report.issue, None);
    assert_eq!(ours(&w).await, 0);
}

/// A plan that fails (here its `init`) is not drift: no issue is opened for it, and an
/// open one is not closed by a check that could not tell (issue 9, item 8).
#[tokio::test]
async fn a_failed_check_is_not_drift() {
    let w = World::new(&config(&[("app", "")])).await;
    w.project("app", &[("init_exit", "1")]);
    let report = w.runner().drift().await.unwrap();
    assert!(!report.clean(), "a failed check exits 1");
    assert_eq!(report.issue, None, "no drift issue for a failed init");
    assert_eq!(ours(&w).await, 0);

    // Real drift opens it; a later failed check leaves it open.
    w.fixture_project("app", "basic_1-modify");
    let (number, state) = w.runner().drift().await.unwrap().issue.unwrap();
    assert_eq!(state, infra_ci_github::IssueState::Open);
    w.project("app", &[("init_exit", "1")]);
    let failed = w.runner().drift().await.unwrap();
    assert_eq!(
        failed.issue,
        Some((number, infra_ci_github::IssueState::Open))
    );
    let body = issue(&w, number).await["body"].as_str().unwrap().to_owned();
    assert!(body.contains("failed before it could tell"), "{body}");
}

async fn issue(w: &World, number: u64) -> serde_json::Value {
    reqwest::Client::new()
        .get(format!(
            "{}/repos/acme/infra/issues/{number}",
            w.emu.base_url()
        ))
        .bearer_auth(infra_ci_testkit::DEFAULT_BOT_TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Issues by the bot carrying the marker.
async fn ours(w: &World) -> usize {
    let me = w.client.whoami().await.unwrap();
    w.client
        .list_issues(&w.repo(), DRIFT_LABEL, None)
        .await
        .unwrap()
        .iter()
        .filter(|i| {
            i.user.as_ref().is_some_and(|u| u.login == me)
                && i.body.as_deref().is_some_and(|b| b.contains(DRIFT_MARKER))
        })
        .count()
}
