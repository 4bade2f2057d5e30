//! `run verify`: post-merge plans mark the merge commit's dashboard.

use infra_ci_runner::VERIFY_STAGE;
use infra_ci_testkit::admin::PullFields;

use crate::common::{World, config, sha};

/// The pull request merged as `merge`.
fn merged(merge: &str) -> PullFields {
    PullFields {
        merged: Some(true),
        merge_commit_sha: Some(merge.to_owned()),
        ..PullFields::default()
    }
}

#[tokio::test]
async fn a_non_empty_plan_after_merge_fails_and_marks_the_dashboard() {
    let w = World::new(&config(&[("app", ""), ("db", "")])).await;
    w.fixture_project("app", "basic_0-create");
    w.fixture_project("db", "basic_4-empty");
    let merge = format!("{}1", &sha('9')[..39]);
    w.pull(21, &sha('5'), &sha('0')).await;
    w.edit_pull(21, &merged(&merge)).await;

    let report = w
        .runner()
        .verify(&infra_ci_github::Sha::new(&merge))
        .await
        .unwrap();
    assert!(!report.clean());
    assert_eq!(report.pr, Some(21));
    assert_eq!(report.line(), "app: +3 ~0 -0");
    let (state, description) = w
        .status(&merge, &format!("infra-dashboard/{VERIFY_STAGE}"))
        .await
        .unwrap();
    assert_eq!(state, "failure");
    assert!(description.contains("app: +3 ~0 -0"), "{description}");
    // The row is on the merge commit's dashboard, in the pull request's conversation.
    let state = w.state().await;
    let body = state["comments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| {
            c["deleted"] == false && c["body"].as_str().is_some_and(|b| b.contains(&merge[..7]))
        })
        .map(|c| c["body"].as_str().unwrap().to_owned())
        .unwrap();
    assert!(body.contains("app: +3 &#126;0 -0"), "{body}");
    // Per-project stages are not written on the merge commit: the verify row is the verdict.
    assert!(w.status(&merge, "infra-dashboard/plan-app").await.is_none());
}

#[tokio::test]
async fn a_clean_merge_verifies() {
    let w = World::new(&config(&[("app", "")])).await;
    w.fixture_project("app", "basic_4-empty");
    let merge = sha('7');
    w.pull(22, &sha('6'), &sha('0')).await;
    w.edit_pull(22, &merged(&merge)).await;
    let report = w
        .runner()
        .verify(&infra_ci_github::Sha::new(&merge))
        .await
        .unwrap();
    assert!(report.clean());
    let (state, description) = w
        .status(&merge, &format!("infra-dashboard/{VERIFY_STAGE}"))
        .await
        .unwrap();
    assert_eq!(
        (state.as_str(), description.as_str()),
        ("success", "success: no changes in 1 project(s)")
    );
}
