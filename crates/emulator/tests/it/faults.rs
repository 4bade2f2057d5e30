//! Fault injection: reproducible with a seed, secondary limits with Retry-After, resets,
//! lost responses (applied, then dropped) and stale reads.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{BOT, Env};

const COMMENTS: &str = "/repos/o/r/issues/1/comments";

async fn statuses_under(env: &Env, config: &serde_json::Value) -> Vec<u16> {
    env.admin(Method::POST, "/faults", Some(config)).await;
    let mut out = Vec::new();
    for _ in 0..40 {
        out.push(env.get(BOT, COMMENTS).await.status.as_u16());
    }
    out
}

#[tokio::test]
async fn the_same_seed_gives_the_same_faults() {
    let env = Env::new().await;
    let config = json!({"seed": 7, "rules": [{"method": "GET", "path": "/repos/*/*/issues/*/comments", "rate": 0.3, "kind": "502"}]});
    let a = statuses_under(&env, &config).await;
    let b = statuses_under(&env, &config).await;
    assert_eq!(a, b);
    assert!(a.contains(&502) && a.contains(&200), "{a:?}");
    let other = statuses_under(&env, &json!({"seed": 8, "rules": config["rules"]})).await;
    assert_ne!(a, other);
    env.admin(Method::DELETE, "/faults", None).await;
    assert!(
        statuses_under(&env, &json!({}))
            .await
            .iter()
            .all(|s| *s == 200)
    );
    let log = env.admin(Method::GET, "/requests", None).await;
    assert!(log.as_array().unwrap().iter().any(|e| e["fault"] == "502"));
}

#[tokio::test]
async fn secondary_rate_limits_carry_retry_after() {
    let env = Env::new().await;
    env.admin(Method::POST, "/faults", Some(&json!({"rules": [
        {"method": "POST", "path": "/repos/**", "kind": "secondary_429", "times": 1, "retry_after": 3},
        {"method": "POST", "path": "/repos/**", "kind": "secondary_403", "times": 1}
    ]}))).await;
    let first = env.post(BOT, COMMENTS, &json!({"body": "x"})).await;
    assert_eq!(first.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(first.header("retry-after"), Some("3"));
    assert!(
        first.body["message"]
            .as_str()
            .unwrap()
            .starts_with("You have exceeded a secondary rate limit")
    );
    let second = env.post(BOT, COMMENTS, &json!({"body": "x"})).await;
    assert_eq!(second.status, StatusCode::FORBIDDEN);
    assert_eq!(second.header("retry-after"), Some("60"));
    assert_ne!(second.header("x-ratelimit-remaining"), Some("0"));
    assert_eq!(
        env.post(BOT, COMMENTS, &json!({"body": "x"})).await.status,
        StatusCode::CREATED
    );
    let state = env.admin(Method::GET, "/state", None).await;
    assert_eq!(
        state["comments"].as_array().unwrap().len(),
        1,
        "limited requests must not apply"
    );
}

#[tokio::test]
async fn reset_drops_before_applying_and_lost_response_applies_then_drops() {
    let env = Env::new().await;
    env.admin(
        Method::POST,
        "/faults",
        Some(
            &json!({"rules": [{"method": "POST", "path": COMMENTS, "kind": "reset", "times": 1}]}),
        ),
    )
    .await;
    assert!(
        env.try_call(
            Method::POST,
            Some(BOT),
            COMMENTS,
            Some(&json!({"body": "a"}))
        )
        .await
        .is_err()
    );
    assert_eq!(
        env.admin(Method::GET, "/state", None).await["comments"],
        json!([])
    );

    env.admin(Method::POST, "/faults", Some(&json!({"rules": [{"method": "POST", "path": COMMENTS, "kind": "lost_response", "times": 1}]}))).await;
    assert!(
        env.try_call(
            Method::POST,
            Some(BOT),
            COMMENTS,
            Some(&json!({"body": "b"}))
        )
        .await
        .is_err()
    );
    let state = env.admin(Method::GET, "/state", None).await;
    assert_eq!(
        state["comments"][0]["body"], "b",
        "the write was applied before the drop"
    );
    // The server is still healthy afterwards.
    assert_eq!(env.get(BOT, COMMENTS).await.body[0]["body"], "b");
    let log = env.admin(Method::GET, "/requests", None).await;
    let faults: Vec<_> = log
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["fault"].as_str())
        .collect();
    assert_eq!(faults, ["reset", "lost_response"]);
}

/// A stale read answers as of some earlier instant: it may miss the newer comment, never
/// shows the newer without the older, and stops once faults are cleared. The lag is a
/// minute, so whether a read is stale does not depend on how fast this machine is.
#[tokio::test]
async fn stale_reads_can_miss_a_fresh_comment_until_faults_are_cleared() {
    let env = Env::new().await;
    env.post(BOT, COMMENTS, &json!({"body": "old"})).await;
    env.post(BOT, COMMENTS, &json!({"body": "new"})).await;
    env.admin(
        Method::POST,
        "/faults",
        Some(&json!({"seed": 1, "stale_ms": 60_000})),
    )
    .await;
    let mut seen = Vec::new();
    for _ in 0..20 {
        let page = env.get(BOT, COMMENTS).await.body;
        let bodies: Vec<String> = page
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["body"].as_str().unwrap().to_owned())
            .collect();
        seen.push(bodies);
    }
    let both = ["old".to_owned(), "new".to_owned()];
    assert!(
        seen.iter().all(|b| both.starts_with(b)),
        "a stale read is a snapshot: {seen:?}"
    );
    assert!(
        seen.iter().any(|b| b.len() < 2),
        "some reads are stale: {seen:?}"
    );
    env.admin(Method::DELETE, "/faults", None).await;
    assert_eq!(
        env.get(BOT, COMMENTS).await.body.as_array().unwrap().len(),
        2
    );
}
