//! Team membership: seeded through the admin API, read as GitHub answers it.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{BOT, Env};

const PATH: &str = "/orgs/acme/teams/platform/memberships";

#[tokio::test]
async fn active_pending_and_strangers_answer_like_github() {
    let env = Env::new().await;
    env.admin(
        Method::POST,
        "/users",
        Some(&json!({ "login": "app[bot]", "type": "Bot", "token": "app" })),
    )
    .await;
    let seed = |login: &str, state: &str| json!({ "login": login, "state": state });
    env.admin(
        Method::POST,
        "/orgs/acme/teams/platform/members",
        Some(&seed("Ada", "active")),
    )
    .await;
    env.admin(
        Method::POST,
        "/orgs/acme/teams/platform/members",
        Some(&seed("bob", "pending")),
    )
    .await;

    // Org and slug and login are case-insensitive.
    let ada = env
        .get("app", "/orgs/ACME/teams/Platform/memberships/ada")
        .await;
    assert_eq!(ada.status, StatusCode::OK, "{}", ada.body);
    assert_eq!(ada.body["state"], "active");
    assert_eq!(ada.body["role"], "member");
    assert!(ada.body["url"].as_str().unwrap().contains("/teams/"));

    let bob = env.get("app", &format!("{PATH}/bob")).await;
    assert_eq!(
        (bob.status, bob.body["state"].as_str()),
        (StatusCode::OK, Some("pending"))
    );

    let eve = env.get("app", &format!("{PATH}/eve")).await;
    assert_eq!(eve.status, StatusCode::NOT_FOUND);
    let other = env
        .get("app", "/orgs/acme/teams/nope/memberships/ada")
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);

    // Removing a membership.
    env.admin(
        Method::POST,
        "/orgs/acme/teams/platform/members",
        Some(&seed("ada", "none")),
    )
    .await;
    let gone = env.get("app", &format!("{PATH}/ada")).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn github_token_and_tokens_without_members_permission_get_403() {
    let env = Env::new().await;
    env.admin(
        Method::POST,
        "/orgs/acme/teams/platform/members",
        Some(&json!({ "login": "ada" })),
    )
    .await;
    let res = env.get(BOT, &format!("{PATH}/ada")).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(
        res.body["message"],
        "Resource not accessible by integration"
    );
    assert_eq!(
        res.header("x-accepted-github-permissions"),
        Some("members=read")
    );

    env.admin(
        Method::POST,
        "/users",
        Some(&json!({ "login": "ro[bot]", "type": "Bot", "token": "ro", "permissions": { "members": "none" } })),
    )
    .await;
    assert_eq!(
        env.get("ro", &format!("{PATH}/ada")).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn the_admin_seed_rejects_unknown_states() {
    let env = Env::new().await;
    let res = env
        .call(
            Method::POST,
            None,
            "/_emulator/orgs/acme/teams/platform/members",
            Some(&json!({ "login": "ada", "state": "maybe" })),
        )
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert!(
        res.body["message"]
            .as_str()
            .unwrap()
            .contains("active, pending or none")
    );
}
