//! `undiverged` reads GitHub's compare of the base branch's tip with the head, not
//! `mergeable_state` (which says `behind` only under branch protection).

use infra_ci_core::Status;
use infra_ci_github::Forge;
use infra_ci_runner::Selection;

use crate::common::{World, config, sha};

/// Project `app`; `main` at `base_tip`; pull request `n` on `head`, approved and planned.
/// Ancestry: `0` ← `base_tip`, and `head`'s parent as given.
async fn planned(n: u64, head: &str, head_parent: &str) -> World {
    let w = World::new(&config(&[("app", "")])).await;
    w.fixture_project("app", "basic_0-create");
    let base_tip = sha('b');
    for (c, parents) in [
        (sha('0'), vec![]),
        (base_tip.clone(), vec![sha('0')]),
        (head.to_owned(), vec![head_parent.to_owned()]),
    ] {
        let parents: Vec<&str> = parents.iter().map(String::as_str).collect();
        w.commit(&c, &parents).await;
    }
    w.client
        .create_ref(
            &w.repo(),
            "refs/heads/main",
            &infra_ci_github::Sha::new(&base_tip),
        )
        .await
        .unwrap();
    w.pull(n, head, &sha('0')).await;
    w.review(n, "reviewer", "APPROVED", head).await;
    let plan = w.runner().plan(n, None, &Selection::Native).await.unwrap();
    assert!(plan.succeeded(), "{plan:#?}");
    w
}

#[tokio::test]
async fn a_head_behind_its_base_is_refused_with_merge_or_rebase_advice() {
    let head = sha('a');
    // Branched from `0`; `main` has moved on to `b` (before the plan, so the plan record's
    // base is current and only the comparison can tell).
    let w = planned(1, &head, &sha('0')).await;
    let report = w.runner().apply(1, None, &Selection::Native).await.unwrap();
    let r = &report.results[0];
    assert_eq!(
        r.status,
        Status::Skipped,
        "refused, not failed: {report:#?}"
    );
    assert!(
        r.output
            .starts_with("refused: the branch is 1 commit behind `main`"),
        "{}",
        r.output
    );
    assert!(!w.calls().iter().any(|l| l.contains(" apply ")));
}

#[tokio::test]
async fn a_head_that_contains_the_base_tip_applies() {
    let head = sha('c');
    let w = planned(2, &head, &sha('b')).await;
    let report = w.runner().apply(2, None, &Selection::Native).await.unwrap();
    assert!(report.succeeded(), "{report:#?}");
}
