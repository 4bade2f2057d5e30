//! `/apply` with the `undiverged` requirement: the parse job compares the base branch's tip
//! with the head over HTTP (emulator) instead of trusting `mergeable_state`.
#![allow(clippy::unwrap_used)]

use crate::support::{APP_TOKEN, Env, PR, REPO, sha};
use infra_ci_config::Config;
use infra_ci_github::Forge;
use infra_ci_testkit::admin::{NewCommit, PullFields};

const CONFIG: &str = "\
stages:
  - {key: plan-net, name: \"Plan: net\"}
  - {key: apply, name: Apply}
projects:
  - {name: net, dir: net, stage: plan-net}
permissions:
  apply:
    requirements: [undiverged]
";

/// `main` at `b` (child of `0`); the pull request's head has parent `head_parent`.
async fn world(head: &str, head_parent: &str) -> Env {
    let env = Env::start().await;
    for (c, parents) in [
        (sha('0'), vec![]),
        (sha('b'), vec![sha('0')]),
        (head.to_owned(), vec![head_parent.to_owned()]),
    ] {
        env.admin()
            .commit(REPO, &NewCommit::new(c, parents))
            .await
            .unwrap();
    }
    env.client(APP_TOKEN)
        .create_ref(
            &infra_ci_github::RepoId::parse(REPO).unwrap(),
            "refs/heads/main",
            &infra_ci_github::Sha::new(sha('b')),
        )
        .await
        .unwrap();
    // infra-ci planned `net` on the head (its own stage status, the project's only one).
    env.client(APP_TOKEN)
        .create_status(
            &infra_ci_github::RepoId::parse(REPO).unwrap(),
            &infra_ci_github::Sha::new(head),
            infra_ci_github::StatusState::Success,
            "infra-dashboard/plan-net",
            "success: +1 ~0 -0",
            None,
        )
        .await
        .unwrap();
    // GitHub leaves `base.sha` where it was: only the branch's tip tells the truth.
    let pull = PullFields {
        base_ref: Some("main".into()),
        mergeable: Some(Some(true)),
        ..PullFields::new(PR, head).base(sha('0'))
    };
    env.admin().pull(REPO, &pull).await.unwrap();
    env
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_apply_behind_the_base_is_refused_with_merge_or_rebase_advice() {
    let env = world(&sha('a'), &sha('0')).await;
    let cfg = Config::from_yaml(CONFIG).unwrap();
    let route = env.comment(APP_TOKEN, &cfg, "/apply", "ada", "OWNER").await;
    assert!(!route.should_run, "{}", route.reason);
    let reply = route.reply.unwrap();
    assert!(
        reply.contains("the branch is 1 commit behind `main`"),
        "{reply}"
    );
    assert!(
        reply.contains("merge `main` into the branch (or rebase it onto `main`)"),
        "{reply}"
    );
    let compares = env.requests_under(&format!("/repos/{REPO}/compare/")).await;
    assert_eq!(compares.len(), 1);
    assert_eq!(
        compares[0].path,
        format!("/repos/{REPO}/compare/main...{}", sha('a'))
    );
    assert!(
        env.comments()
            .await
            .iter()
            .any(|c| c.contains("merge `main`"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_apply_containing_the_base_tip_is_allowed() {
    let env = world(&sha('c'), &sha('b')).await;
    let cfg = Config::from_yaml(CONFIG).unwrap();
    let route = env.comment(APP_TOKEN, &cfg, "/apply", "ada", "OWNER").await;
    assert!(route.should_run, "{}", route.reason);
    assert_eq!(route.reply, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_comparison_when_undiverged_is_not_required() {
    let env = world(&sha('a'), &sha('0')).await;
    let cfg = Config::from_yaml(&CONFIG.replace("[undiverged]", "[mergeable]")).unwrap();
    let route = env.comment(APP_TOKEN, &cfg, "/apply", "ada", "OWNER").await;
    assert!(route.should_run, "{}", route.reason);
    assert!(
        env.requests_under(&format!("/repos/{REPO}/compare/"))
            .await
            .is_empty()
    );
}
