//! `run apply`: the safety matrix, locks under contention, unlock.

use infra_ci_core::Status;
use infra_ci_engine::{Dashboards, StageUpdate, Target, Tuning};
use infra_ci_github::Forge;
use infra_ci_runner::{PlanStore, RunReport, Selection, lock};
use infra_ci_testkit::admin::{NewUser, PullFields};

use crate::common::{World, config, sha};

/// A world with project `app`, pull request `n` on `head`, approved and planned.
async fn planned(n: u64, head: &str) -> World {
    let w = World::new(&config(&[("app", "")])).await;
    w.fixture_project("app", "basic_0-create");
    ready(&w, n, head).await;
    w
}

async fn ready(w: &World, n: u64, head: &str) {
    w.pull(n, head, &sha('0')).await;
    w.review(n, "reviewer", "APPROVED", head).await;
    let plan = w.runner().plan(n, None, &Selection::Native).await.unwrap();
    assert!(plan.succeeded(), "{plan:#?}");
}

async fn apply(w: &World, n: u64, sha: Option<String>) -> RunReport {
    w.runner()
        .apply(n, sha.map(infra_ci_github::Sha::new), &Selection::Native)
        .await
        .unwrap()
}

/// The apply was refused with `reason`: output, the `apply` stage, and no `terraform apply`.
async fn assert_refused(w: &World, report: &RunReport, head: &str, reason: &str) {
    assert!(!report.succeeded());
    let r = &report.results[0];
    // Refused is not failed: the row says skipped with the reason, and the commit is not
    // turned red as if the infrastructure were broken (issue 9, item 8).
    assert_eq!(r.status, Status::Skipped);
    assert!(
        r.output.starts_with(&format!("refused: {reason}")),
        "{}",
        r.output
    );
    let (state, description) = w.status(head, "infra-dashboard/apply").await.unwrap();
    assert_eq!(state, "success", "{description}");
    assert!(description.starts_with("skipped: refused"), "{description}");
    assert!(description.contains(reason), "{description}");
    assert!(
        !w.calls().iter().any(|l| l.contains(" apply ")),
        "terraform apply must not run"
    );
}

#[tokio::test]
async fn an_approved_planned_mergeable_head_applies_and_takes_the_lock() {
    let head = sha('a');
    let w = planned(1, &head).await;
    let report = apply(&w, 1, None).await;
    assert!(report.succeeded(), "{report:#?}");
    assert_eq!(report.results[0].output, "applied +3 ~0 -0");
    let (state, description) = w.status(&head, "infra-dashboard/apply").await.unwrap();
    assert_eq!(
        (state.as_str(), description.as_str()),
        ("success", "success: applied +3 ~0 -0")
    );
    assert!(w.calls().iter().any(|l| l == "app apply end"));
    let held = lock::holder(&w.client, &w.repo(), &w.me().await, "app")
        .await
        .unwrap();
    assert_eq!(
        held,
        Some((Some(1), infra_ci_github::Sha::new(head.clone())))
    );
    // The lock shows in the pull request's checks.
    let (_, d) = w.status(&head, "infra-ci/lock/app").await.unwrap();
    assert_eq!(d, "locked by #1");
}

#[tokio::test]
async fn no_saved_plan_is_refused() {
    let w = World::new(&config(&[("app", "")])).await;
    w.fixture_project("app", "basic_0-create");
    let head = sha('b');
    w.pull(2, &head, &sha('0')).await;
    w.review(2, "reviewer", "APPROVED", &head).await;
    let report = apply(&w, 2, None).await;
    assert_refused(&w, &report, &head, "infra-ci has no plan of it on bbbbbbb").await;
}

#[tokio::test]
async fn a_moved_head_is_refused() {
    let head = sha('c');
    let w = planned(3, &head).await;
    let moved = PullFields {
        head_sha: Some(sha('d')),
        ..PullFields::default()
    };
    w.edit_pull(3, &moved).await;
    let report = apply(&w, 3, Some(head.clone())).await;
    assert_refused(&w, &report, &head, "the head moved from ccccccc to ddddddd").await;
}

#[tokio::test]
async fn an_altered_plan_file_is_refused() {
    let head = sha('e');
    let w = planned(4, &head).await;
    let path = PlanStore::new(w.plans())
        .unwrap()
        .plan_path(&head, "app")
        .unwrap();
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.extend_from_slice(b"tampered\n");
    std::fs::write(&path, bytes).unwrap();
    let report = apply(&w, 4, None).await;
    assert_refused(
        &w,
        &report,
        &head,
        "the saved plan file is not the one infra-ci planned (digest differs)",
    )
    .await;
}

#[tokio::test]
async fn a_plan_stage_that_did_not_succeed_is_refused() {
    let head = sha('f');
    let w = planned(5, &head).await;
    // A later plan of the same commit failed (its status is the truth the check reads).
    let target = Target::resolve(&w.client, w.repo(), 5, Some(&head))
        .await
        .unwrap();
    Dashboards::new(&w.client, w.config.stage_defs(), Tuning::default())
        .update(
            &target,
            StageUpdate {
                stage: "plan-app".into(),
                status: Status::Failure,
                link: None,
                output: Some("error: x".into()),
                details: None,
            },
        )
        .await
        .unwrap();
    let report = apply(&w, 5, None).await;
    assert_refused(
        &w,
        &report,
        &head,
        "its plan (stage plan-app) failed on fffffff",
    )
    .await;
}

#[tokio::test]
async fn without_an_approval_of_the_head_it_is_refused() {
    let w = World::new(&config(&[("app", "")])).await;
    w.fixture_project("app", "basic_0-create");
    let head = sha('1');
    w.pull(6, &head, &sha('0')).await;
    // An approval of an earlier commit does not count.
    w.review(6, "reviewer", "APPROVED", &sha('9')).await;
    assert!(
        w.runner()
            .plan(6, None, &Selection::Native)
            .await
            .unwrap()
            .succeeded()
    );
    let report = apply(&w, 6, None).await;
    assert_refused(
        &w,
        &report,
        &head,
        "approved on 9999999, not on the head 1111111",
    )
    .await;
}

#[tokio::test]
async fn an_unmergeable_pull_request_is_refused() {
    let head = sha('2');
    let w = planned(7, &head).await;
    let conflicted = PullFields {
        mergeable: Some(Some(false)),
        ..PullFields::default()
    };
    w.edit_pull(7, &conflicted).await;
    let report = apply(&w, 7, None).await;
    assert_refused(
        &w,
        &report,
        &head,
        "the pull request has conflicts with its base",
    )
    .await;
}

#[tokio::test]
async fn a_base_that_moved_since_the_plan_is_refused() {
    let head = sha('3');
    let w = planned(8, &head).await;
    // `main` moves on to a commit after the plan's base.
    w.commit(&sha('4'), &[&sha('0')]).await;
    w.client.delete_ref(&w.repo(), "heads/main").await.unwrap();
    w.client
        .create_ref(
            &w.repo(),
            "refs/heads/main",
            &infra_ci_github::Sha::new(sha('4')),
        )
        .await
        .unwrap();
    let report = apply(&w, 8, None).await;
    assert_refused(
        &w,
        &report,
        &head,
        "the base branch moved from 0000000 to 4444444 since the plan",
    )
    .await;
}

#[tokio::test]
async fn a_fork_is_refused() {
    let head = sha('5');
    let w = planned(9, &head).await;
    let forked = PullFields {
        fork: Some(true),
        ..PullFields::default()
    };
    w.edit_pull(9, &forked).await;
    let report = apply(&w, 9, None).await;
    assert_refused(
        &w,
        &report,
        &head,
        "the head branch is in a fork; forks never apply",
    )
    .await;
}

#[tokio::test]
async fn two_pull_requests_race_for_the_lock_and_exactly_one_wins() {
    let w = World::new(&config(&[("app", "")])).await;
    w.fixture_project("app", "basic_0-create");
    let (h1, h2) = (sha('6'), sha('7'));
    ready(&w, 11, &h1).await;
    ready(&w, 12, &h2).await;
    let (r1, r2) = tokio::join!(apply(&w, 11, None), apply(&w, 12, None));
    let (winner, loser, loser_head, loser_report) = match (r1.succeeded(), r2.succeeded()) {
        (true, false) => (11, 12, &h2, &r2),
        (false, true) => (12, 11, &h1, &r1),
        other => panic!("exactly one apply must win, got {other:?}: {r1:#?} {r2:#?}"),
    };
    assert_eq!(
        loser_report.results[0].output,
        format!("refused: locked by #{winner} until it is merged or closed")
    );
    let winner_head = if winner == 11 { h1.clone() } else { h2.clone() };
    // A lock held by another PR is a refusal, not a failure: the loser's commit stays green.
    let (state, description) = w.status(loser_head, "infra-dashboard/apply").await.unwrap();
    assert_eq!(state, "success", "{description}");
    assert!(
        description.starts_with("skipped: refused: locked"),
        "{description}"
    );
    assert_eq!(
        w.calls().iter().filter(|l| *l == "app apply start").count(),
        1
    );

    // Only the holder releases; then the other may apply.
    let none = w.runner().unlock(loser).await.unwrap();
    assert!(none.released.is_empty() && none.succeeded(), "{none:#?}");
    assert!(
        lock::holder(&w.client, &w.repo(), &w.me().await, "app")
            .await
            .unwrap()
            .is_some()
    );
    let released = w.runner().unlock(winner).await.unwrap();
    assert!(released.succeeded(), "{released:#?}");
    assert_eq!(released.released, ["app"]);
    let (_, description) = w.status(&winner_head, "infra-ci/lock/app").await.unwrap();
    assert_eq!(description, format!("released by #{winner}"));
    assert_eq!(
        lock::holder(&w.client, &w.repo(), &w.me().await, "app")
            .await
            .unwrap(),
        None
    );
    let again = apply(&w, loser, None).await;
    assert!(again.succeeded(), "{again:#?}");
}

#[tokio::test]
async fn the_holder_applies_again_after_a_failed_apply() {
    let head = sha('8');
    let w = planned(13, &head).await;
    w.project(
        "app",
        &[
            ("json", "terraform-plan-comment/basic_0-create.plan.json"),
            ("text", "terraform-plan-comment/basic_0-create.plan.txt"),
            ("apply_exit", "1"),
        ],
    );
    let first = apply(&w, 13, None).await;
    assert!(!first.succeeded());
    assert_eq!(first.results[0].output, "error: apply failed (stand-in)");
    // The lock stays with the pull request (the state may be half applied).
    assert_eq!(
        lock::holder(&w.client, &w.repo(), &w.me().await, "app")
            .await
            .unwrap(),
        Some((Some(13), infra_ci_github::Sha::new(head.clone())))
    );
    w.fixture_project("app", "basic_0-create");
    let second = apply(&w, 13, None).await;
    assert!(second.succeeded(), "{second:#?}");
}

#[tokio::test]
async fn unlock_deletes_every_lock_even_when_the_status_writes_fail() {
    let w = World::new(&config(&[("app", ""), ("net", ""), ("db", "")])).await;
    for p in ["app", "net", "db"] {
        w.fixture_project(p, "basic_0-create");
    }
    let head = sha('9');
    ready(&w, 14, &head).await;
    let applied = apply(&w, 14, None).await;
    assert!(applied.succeeded(), "{applied:#?}");
    for p in ["app", "net", "db"] {
        assert_eq!(
            lock::holder(&w.client, &w.repo(), &w.me().await, p)
                .await
                .unwrap(),
            Some((Some(14), infra_ci_github::Sha::new(head.clone()))),
            "{p}"
        );
    }

    // A token that may delete refs but not write statuses (`statuses: read`).
    let ro_bot = NewUser::new("ro[bot]")
        .kind("Bot")
        .token("ro-token")
        .permission("statuses", "read");
    w.user(&ro_bot).await;
    let ro = w.emu.client("ro-token");
    let release = infra_ci_runner::Runner::new(&ro, w.setup())
        .unlock(14)
        .await
        .unwrap();

    // Every lock is gone, each failure is reported, none stopped the others.
    let mut released = release.released.clone();
    released.sort();
    assert_eq!(released, ["app", "db", "net"], "{release:#?}");
    for p in ["app", "net", "db"] {
        assert_eq!(
            lock::holder(&w.client, &w.repo(), &w.me().await, p)
                .await
                .unwrap(),
            None,
            "{p}"
        );
    }
    assert!(!release.succeeded());
    assert_eq!(release.failures.len(), 3, "{release:#?}");
    for f in &release.failures {
        assert!(f.lock_released, "{f}");
        assert!(f.to_string().contains("lock released"), "{f}");
    }
    // The next apply of another pull request is not blocked by a stale lock.
    let other = sha('b');
    ready(&w, 15, &other).await;
    let again = apply(&w, 15, None).await;
    assert!(again.succeeded(), "{again:#?}");
}

#[tokio::test]
async fn bootstrap_apply_reports_to_the_apply_stage_and_leaves_the_plan_row_alone() {
    let w = World::new(&format!(
        "{}bootstrap: {{project: seed}}\n",
        config(&[("seed", ""), ("rest", "")])
    ))
    .await;
    w.fixture_project("seed", "basic_0-create");
    w.fixture_project("rest", "basic_0-create");
    let head = sha('c');
    w.pull(16, &head, &sha('0')).await;
    w.review(16, "reviewer", "APPROVED", &head).await;
    let plan = w
        .runner()
        .plan(16, None, &Selection::Bootstrap)
        .await
        .unwrap();
    assert!(plan.succeeded(), "{plan:#?}");
    let planned = w.status(&head, "infra-dashboard/plan-seed").await.unwrap();

    let report = w
        .runner()
        .apply(16, None, &Selection::Bootstrap)
        .await
        .unwrap();
    assert!(report.succeeded(), "{report:#?}");
    assert_eq!(report.results[0].project, "seed");
    let (state, description) = w.status(&head, "infra-dashboard/apply").await.unwrap();
    assert_eq!(
        (state.as_str(), description.as_str()),
        ("success", "success: applied +3 ~0 -0")
    );
    // The plan row still shows the plan, not the apply.
    assert_eq!(
        w.status(&head, "infra-dashboard/plan-seed").await.unwrap(),
        planned
    );
    assert!(!w.calls().iter().any(|l| l.starts_with("rest ")));
}
