//! The retry rules, observed through the emulator's faults and request log.

use std::time::{Duration, Instant};

use infra_ci_github::{Forge, ForgeError, GitHubClient};
use infra_ci_testkit::admin::{FaultConfig, FaultKind, RateLimit, Rule};

use crate::support::{Emu, SHA};

#[tokio::test]
async fn a_502_then_success_takes_two_attempts() {
    let emu = Emu::start().await;
    emu.pull(5, SHA).await;
    emu.fail_next_pull_read_with_502().await;
    let pr = emu.bot().get_pull(&emu.repo, 5).await.unwrap();
    assert_eq!(pr.number, 5);
    let log = emu.requests_to("GET", &emu.repo_path("/pulls/5")).await;
    let statuses: Vec<_> = log.iter().map(|r| r.status).collect();
    assert_eq!(statuses, vec![Some(502), Some(200)]);
}

#[tokio::test]
async fn persistent_5xx_gives_up_after_max_attempts() {
    let emu = Emu::start().await;
    emu.admin()
        .faults(&FaultConfig::new(
            1,
            vec![Rule::new(FaultKind::Http503).on("GET", "/repos/*/*/pulls/*")],
        ))
        .await
        .unwrap();
    let err = emu.bot().get_pull(&emu.repo, 5).await.unwrap_err();
    assert!(
        matches!(err, ForgeError::Unavailable { attempts: 6, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("503"), "{err}");
    assert_eq!(emu.requests().await.len(), 6, "the product's 6 attempts");
}

#[tokio::test]
async fn retry_after_is_obeyed() {
    let emu = Emu::start().await;
    emu.pull(5, SHA).await;
    emu.admin()
        .faults(&FaultConfig::new(
            1,
            vec![Rule {
                retry_after: Some(1),
                ..Rule::new(FaultKind::Secondary429)
                    .on("GET", "/repos/*/*/pulls/*")
                    .times(1)
            }],
        ))
        .await
        .unwrap();
    let started = Instant::now();
    emu.bot().get_pull(&emu.repo, 5).await.unwrap();
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(1),
        "waited only {waited:?} despite Retry-After: 1"
    );
    assert_eq!(emu.requests().await.len(), 2);
}

#[tokio::test]
async fn secondary_403_on_a_create_is_retried_because_github_did_not_apply_it() {
    let emu = Emu::start().await;
    emu.pull(6, SHA).await;
    emu.admin()
        .faults(&FaultConfig::new(
            1,
            vec![Rule {
                retry_after: Some(0),
                ..Rule::new(FaultKind::Secondary403)
                    .on("POST", "/repos/*/*/issues/*/comments")
                    .times(1)
            }],
        ))
        .await
        .unwrap();
    emu.bot()
        .create_comment(&emu.repo, 6, "once")
        .await
        .unwrap();
    let posts = emu
        .requests_to("POST", &emu.repo_path("/issues/6/comments"))
        .await;
    assert_eq!(
        posts.iter().map(|r| r.status).collect::<Vec<_>>(),
        vec![Some(403), Some(201)]
    );
}

#[tokio::test]
async fn exhausted_primary_limit_with_a_far_reset_fails_fast() {
    let emu = Emu::start().await;
    emu.pull(5, SHA).await;
    emu.admin()
        .rate_limit(&RateLimit {
            limit: 1,
            reset_used: None,
        })
        .await
        .unwrap();
    let gh = emu.bot();
    gh.get_pull(&emu.repo, 5).await.unwrap();
    // Not waiting for the reset an hour away shows as failing at once with the reset time
    // and without a second try (no wall-clock bound: it would flake on a busy machine).
    let err = gh.get_pull(&emu.repo, 5).await.unwrap_err();
    assert!(matches!(err, ForgeError::RateLimited { .. }), "{err:?}");
    assert!(
        err.to_string().contains("rate limit exhausted until 20"),
        "{err}"
    );
    assert_eq!(
        emu.requests().await.len(),
        2,
        "the limited request is not repeated"
    );
}

/// A secondary limit met on every attempt is reported as one, with what to do about a
/// burst, not as the exhausted hourly budget (the soak's failures read as the latter).
#[tokio::test]
async fn a_secondary_limit_on_every_attempt_says_secondary() {
    let emu = Emu::start().await;
    emu.pull(7, SHA).await;
    emu.admin()
        .faults(&FaultConfig::new(
            1,
            vec![Rule {
                retry_after: Some(0),
                ..Rule::new(FaultKind::Secondary403).on("GET", "/repos/*/*/pulls/*")
            }],
        ))
        .await
        .unwrap();
    let err = emu.bot().get_pull(&emu.repo, 7).await.unwrap_err();
    assert!(
        matches!(
            err,
            ForgeError::RateLimited {
                secondary: true,
                ..
            }
        ),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(
        text.contains("secondary rate limit refused every retry"),
        "{text}"
    );
    assert!(text.contains("parallel jobs"), "{text}");
}

#[tokio::test]
async fn a_create_whose_response_is_lost_is_not_retried() {
    let emu = Emu::start().await;
    emu.pull(8, SHA).await;
    emu.admin()
        .faults(&FaultConfig::new(
            1,
            vec![
                Rule::new(FaultKind::LostResponse)
                    .on("POST", "/repos/*/*/issues/*/comments")
                    .times(1),
            ],
        ))
        .await
        .unwrap();
    let gh = emu.bot();
    let err = gh
        .create_comment(&emu.repo, 8, "dashboard")
        .await
        .unwrap_err();
    assert!(
        matches!(err, ForgeError::Unavailable { attempts: 1, .. }),
        "{err:?}"
    );
    assert_eq!(
        emu.requests_to("POST", &emu.repo_path("/issues/8/comments"))
            .await
            .len(),
        1
    );
    // GitHub did create it: a retry would have made a duplicate.
    let page = gh.list_comments_page(&emu.repo, 8, 1, 100).await.unwrap();
    assert_eq!(page.comments.len(), 1);
}

#[tokio::test]
async fn a_5xx_on_a_create_is_not_retried() {
    let emu = Emu::start().await;
    emu.pull(8, SHA).await;
    emu.admin()
        .faults(&FaultConfig::new(
            1,
            vec![
                Rule::new(FaultKind::Http502)
                    .on("POST", "/repos/*/*/git/refs")
                    .times(1),
            ],
        ))
        .await
        .unwrap();
    let err = emu
        .bot()
        .create_ref(
            &emu.repo,
            "refs/heads/lock",
            &infra_ci_github::Sha::new(SHA),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, ForgeError::Unexpected { status: 502, .. }),
        "{err:?}"
    );
    assert_eq!(emu.requests().await.len(), 1);
}

#[tokio::test]
async fn an_update_whose_response_is_lost_is_retried() {
    let emu = Emu::start().await;
    emu.pull(8, SHA).await;
    let gh = emu.bot();
    let c = gh.create_comment(&emu.repo, 8, "v1").await.unwrap();
    emu.admin()
        .faults(&FaultConfig::new(
            1,
            vec![
                Rule::new(FaultKind::LostResponse)
                    .on("PATCH", "/repos/*/*/issues/comments/*")
                    .times(1),
            ],
        ))
        .await
        .unwrap();
    assert_eq!(
        gh.update_comment(&emu.repo, c.id, "v2")
            .await
            .unwrap()
            .body(),
        "v2"
    );
    assert_eq!(
        emu.requests_to(
            "PATCH",
            &emu.repo_path(&format!("/issues/comments/{}", c.id))
        )
        .await
        .len(),
        2
    );
}

#[tokio::test]
async fn connect_errors_are_retried_even_for_creates() {
    // Nothing listens on a port we just released: every attempt fails to connect.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let emu = Emu::start().await;
    let cfg = emu
        .config("t")
        .with_base_url(&format!("http://127.0.0.1:{port}"))
        .unwrap();
    let err = GitHubClient::new(cfg)
        .unwrap()
        .create_comment(&emu.repo, 1, "x")
        .await
        .unwrap_err();
    assert!(
        matches!(err, ForgeError::Unavailable { attempts: 6, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("could not connect"), "{err}");
}

#[tokio::test]
async fn the_deadline_bounds_the_whole_command() {
    let emu = Emu::start().await;
    emu.admin()
        .faults(&FaultConfig::new(
            1,
            vec![Rule::new(FaultKind::Http503).on("*", "/repos/**")],
        ))
        .await
        .unwrap();
    let mut cfg = emu.config(infra_ci_testkit::DEFAULT_BOT_TOKEN);
    cfg.retry.max_attempts = 1000;
    cfg.retry.base_delay = Duration::from_millis(40);
    cfg.retry.max_delay = Duration::from_millis(40);
    cfg.deadline = Duration::from_millis(400);
    let gh = GitHubClient::new(cfg).unwrap();
    let err = gh.get_pull(&emu.repo, 1).await.unwrap_err();
    assert!(matches!(err, ForgeError::Unavailable { .. }), "{err:?}");
    assert!(err.to_string().contains("deadline"), "{err}");
    // The deadline, not the 1,000 attempts, ended it (counted, not timed).
    let sent = emu.requests().await.len();
    assert!((1..1000).contains(&sent), "{sent} requests");
    // Once the budget is spent, calls fail without sending anything.
    tokio::time::sleep(Duration::from_millis(400)).await;
    let before = emu.requests().await.len();
    let err = gh.get_comment(&emu.repo, 1).await.unwrap_err();
    assert!(
        matches!(err, ForgeError::Unavailable { attempts: 0, .. }),
        "{err:?}"
    );
    assert_eq!(emu.requests().await.len(), before);
}
