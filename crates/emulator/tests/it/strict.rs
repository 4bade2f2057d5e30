//! The emulator behaves like GitHub, not only looks like it (issue 11): each test here
//! fails against the lenient emulator it replaced. Rows of the table in `docs/emulator.md`.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{BOT, Env};

const SHA: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

#[tokio::test]
async fn repositories_exist_only_when_created_and_names_ignore_case() {
    let env = Env::new().await;
    let unknown = env
        .get(BOT, "/repos/nobody/nothing/issues/1/comments")
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.body["message"], "Not Found");
    let seeding = env
        .call(
            Method::POST,
            None,
            "/_emulator/repos/nobody/nothing/pulls",
            Some(&json!({})),
        )
        .await;
    assert_eq!(
        seeding.status,
        StatusCode::NOT_FOUND,
        "seeding does not create repos"
    );
    assert!(
        seeding.body["message"]
            .as_str()
            .unwrap()
            .contains("POST /_emulator/repos")
    );
    // Same repository whatever the case; its canonical name is the created one.
    let repo = env.get(BOT, "/repos/O/R").await;
    assert_eq!(repo.status, StatusCode::OK);
    assert_eq!(repo.body["full_name"], "o/r");
    let made = env
        .post(BOT, "/repos/O/R/issues/1/comments", &json!({"body": "hi"}))
        .await;
    assert_eq!(made.status, StatusCode::CREATED);
    let listed = env.get(BOT, "/repos/o/r/issues/1/comments").await;
    assert_eq!(listed.body.as_array().unwrap().len(), 1);
    let created = env
        .call(
            Method::POST,
            None,
            "/_emulator/repos",
            Some(&json!({"full_name": "Acme/Infra", "default_branch": "trunk"})),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    assert_eq!(
        env.get(BOT, "/repos/acme/infra").await.body["default_branch"],
        "trunk"
    );
}

#[tokio::test]
async fn a_comment_on_an_issue_that_does_not_exist_is_a_404_and_creates_nothing() {
    let env = Env::new().await;
    for n in [0, 2, 99] {
        let res = env
            .post(
                BOT,
                &format!("/repos/o/r/issues/{n}/comments"),
                &json!({"body": "x"}),
            )
            .await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "issue {n}");
        assert_eq!(
            env.get(BOT, &format!("/repos/o/r/pulls/{n}")).await.status,
            StatusCode::NOT_FOUND,
            "no phantom pull request {n}"
        );
    }
}

#[tokio::test]
async fn statuses_validate_target_url_context_length_and_case() {
    let env = Env::new().await;
    let path = format!("/repos/o/r/statuses/{SHA}");
    for url in ["javascript:alert(1)", "ftp://example.com/x", "not a url"] {
        let res = env
            .post(BOT, &path, &json!({"state": "success", "target_url": url}))
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{url}");
        assert_eq!(res.body["errors"][0]["field"], "target_url");
    }
    let long = env
        .post(
            BOT,
            &path,
            &json!({"state": "success", "context": "c".repeat(256)}),
        )
        .await;
    assert_eq!(long.status, StatusCode::UNPROCESSABLE_ENTITY);
    let ok = env
        .post(BOT, &path, &json!({"state": "success", "context": "c".repeat(255), "target_url": "https://example.com/1"}))
        .await;
    assert_eq!(ok.status, StatusCode::CREATED);
    env.post(BOT, &path, &json!({"state": "failure", "context": "lint"}))
        .await;
    env.post(BOT, &path, &json!({"state": "success", "context": "LINT"}))
        .await;
    let combined = env
        .get(BOT, &format!("/repos/o/r/commits/{SHA}/status"))
        .await;
    assert_eq!(
        combined.body["total_count"], 2,
        "LINT and lint are one context"
    );
    assert_eq!(combined.body["state"], "success");
    let contexts: Vec<&str> = combined.body["statuses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["context"].as_str().unwrap())
        .collect();
    assert_eq!(
        contexts,
        vec!["c".repeat(255).as_str(), "LINT"],
        "oldest first"
    );
}

#[tokio::test]
async fn refs_resolve_and_unknown_commits_fail() {
    let env = Env::new().await;
    let created = env
        .post(
            BOT,
            "/repos/o/r/git/refs",
            &json!({"ref": "refs/heads/main", "sha": SHA}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    env.post(
        BOT,
        &format!("/repos/o/r/statuses/{SHA}"),
        &json!({"state": "success"}),
    )
    .await;
    // Clients send a ref with a slash percent-encoded (octokit: `heads%2Fmain`).
    for r in ["main", "heads%2Fmain", SHA] {
        let res = env
            .get(BOT, &format!("/repos/o/r/commits/{r}/status"))
            .await;
        assert_eq!(res.body["sha"], SHA, "{r}");
        assert_eq!(res.body["total_count"], 1, "{r}");
        let commit = env.get(BOT, &format!("/repos/o/r/commits/{r}")).await;
        assert_eq!(commit.body["sha"], SHA, "{r}");
        let legacy = env.get(BOT, &format!("/repos/o/r/statuses/{r}")).await;
        assert_eq!(legacy.body.as_array().unwrap().len(), 1, "{r}");
    }
    let unknown = "b".repeat(40);
    for path in [
        format!("/repos/o/r/commits/{unknown}/status"),
        format!("/repos/o/r/commits/{unknown}"),
        "/repos/o/r/commits/heads%2Fnope/status".to_owned(),
    ] {
        let res = env.get(BOT, &path).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{path}");
        assert!(
            res.body["message"]
                .as_str()
                .unwrap()
                .starts_with("No commit found for SHA")
        );
    }
    let post = env
        .post(
            BOT,
            &format!("/repos/o/r/statuses/{unknown}"),
            &json!({"state": "success"}),
        )
        .await;
    assert_eq!(post.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        env.get(BOT, &format!("/repos/o/r/compare/{SHA}...{unknown}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_ref_moves_only_forward_without_force() {
    let env = Env::new().await;
    let (c1, c2, other) = ("1".repeat(40), "2".repeat(40), "3".repeat(40));
    env.admin(
        Method::POST,
        "/repos/o/r/commits",
        Some(&json!({"sha": c2, "parents": [c1]})),
    )
    .await;
    env.admin(
        Method::POST,
        "/repos/o/r/commits",
        Some(&json!({"sha": other, "parents": []})),
    )
    .await;
    env.post(
        BOT,
        "/repos/o/r/git/refs",
        &json!({"ref": "refs/heads/x", "sha": c1}),
    )
    .await;
    let path = "/repos/o/r/git/refs/heads/x";
    let sideways = env.patch(BOT, path, &json!({"sha": other})).await;
    assert_eq!(sideways.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(sideways.body["message"], "Update is not a fast forward");
    assert_eq!(
        env.patch(BOT, path, &json!({"sha": c2})).await.status,
        StatusCode::OK
    );
    assert_eq!(
        env.patch(BOT, path, &json!({"sha": other, "force": true}))
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn unsupported_methods_answer_githubs_json_404() {
    let env = Env::new().await;
    let res = env
        .call(
            Method::PUT,
            Some(BOT),
            "/repos/o/r/issues/1/comments",
            Some(&json!({})),
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert_eq!(res.body["message"], "Not Found");
}

#[tokio::test]
async fn etag_answers_304_which_is_not_charged() {
    let env = Env::new().await;
    let first = env.get(BOT, "/repos/o/r/issues/1/comments").await;
    let etag = first.header("etag").expect("an ETag").to_owned();
    let used = first.header("x-ratelimit-used").unwrap().to_owned();
    let again = env
        .http
        .get(format!("{}/repos/o/r/issues/1/comments", env.base))
        .bearer_auth(BOT)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(
        again.headers()["x-ratelimit-used"].to_str().unwrap(),
        used,
        "a 304 is not counted"
    );
    assert!(again.text().await.unwrap().is_empty());
    env.post(BOT, "/repos/o/r/issues/1/comments", &json!({"body": "new"}))
        .await;
    let changed = env
        .http
        .get(format!("{}/repos/o/r/issues/1/comments", env.base))
        .bearer_auth(BOT)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), StatusCode::OK);
    assert_ne!(changed.headers()["etag"].to_str().unwrap(), etag);
}

#[tokio::test]
async fn installation_tokens_get_1000_an_hour_per_repository() {
    let env = Env::new().await;
    env.admin(
        Method::POST,
        "/repos",
        Some(&json!({"full_name": "o/other"})),
    )
    .await;
    let first = env.get(BOT, "/repos/o/r").await;
    assert_eq!(first.header("x-ratelimit-limit"), Some("1000"));
    for i in 1..1000 {
        if i % 450 == 0 {
            // Stay under the 900 points a minute of one endpoint.
            env.admin(Method::POST, "/clock", Some(&json!({"seconds": 61})))
                .await;
        }
        assert_eq!(
            env.get(BOT, "/repos/o/r").await.status,
            StatusCode::OK,
            "{i}"
        );
    }
    let limited = env.get(BOT, "/repos/o/r").await;
    assert_eq!(limited.status, StatusCode::FORBIDDEN);
    assert_eq!(limited.header("x-ratelimit-remaining"), Some("0"));
    assert!(
        limited.body["message"]
            .as_str()
            .unwrap()
            .starts_with("API rate limit exceeded for installation ID")
    );
    assert_eq!(
        env.get(BOT, "/repos/o/other").await.status,
        StatusCode::OK,
        "per repository"
    );
    env.admin(Method::POST, "/clock", Some(&json!({"seconds": 3600})))
        .await;
    assert_eq!(
        env.get(BOT, "/repos/o/r").await.status,
        StatusCode::OK,
        "a new hour"
    );
    env.user("alice", "alice-token").await;
    assert_eq!(
        env.get("alice-token", "/repos/o/r")
            .await
            .header("x-ratelimit-limit"),
        Some("5000")
    );
}

#[tokio::test]
async fn the_81st_comment_in_a_minute_meets_the_secondary_limit() {
    let env = Env::new().await;
    for i in 0..80 {
        let res = env
            .post(
                BOT,
                "/repos/o/r/issues/1/comments",
                &json!({"body": format!("c{i}")}),
            )
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{i}");
    }
    let limited = env
        .post(
            BOT,
            "/repos/o/r/issues/1/comments",
            &json!({"body": "one too many"}),
        )
        .await;
    assert_eq!(limited.status, StatusCode::FORBIDDEN);
    assert!(
        limited.body["message"]
            .as_str()
            .unwrap()
            .starts_with("You have exceeded a secondary rate limit")
    );
    let wait: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    assert_ne!(limited.header("x-ratelimit-remaining"), Some("0"));
    let listed = env
        .get(BOT, "/repos/o/r/issues/1/comments?per_page=100")
        .await;
    assert_eq!(listed.body.as_array().unwrap().len(), 80, "nothing applied");
    env.admin(Method::POST, "/clock", Some(&json!({"seconds": 60})))
        .await;
    let later = env
        .post(
            BOT,
            "/repos/o/r/issues/1/comments",
            &json!({"body": "later"}),
        )
        .await;
    assert_eq!(later.status, StatusCode::CREATED);
}

#[tokio::test]
async fn limits_can_be_switched_off_for_bulk_tests() {
    let env = Env::new().await;
    env.admin(Method::POST, "/limits", Some(&json!({"enabled": false})))
        .await;
    for i in 0..90 {
        let res = env
            .post(
                BOT,
                "/repos/o/r/issues/1/comments",
                &json!({"body": format!("c{i}")}),
            )
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{i}");
    }
}

#[tokio::test]
async fn private_repositories_are_hidden_from_anonymous_readers() {
    let env = Env::new().await;
    env.admin(
        Method::POST,
        "/repos",
        Some(&json!({"full_name": "o/secret", "private": true})),
    )
    .await;
    let anonymous = env.call(Method::GET, None, "/repos/o/secret", None).await;
    assert_eq!(anonymous.status, StatusCode::NOT_FOUND);
    assert_eq!(env.get(BOT, "/repos/o/secret").await.status, StatusCode::OK);
}

#[tokio::test]
async fn author_association_is_per_repository_and_bot_comments_name_their_app() {
    let env = Env::new().await;
    env.admin(
        Method::POST,
        "/repos",
        Some(&json!({"full_name": "o/other"})),
    )
    .await;
    env.admin(
        Method::POST,
        "/repos/o/other/pulls",
        Some(&json!({"number": 1})),
    )
    .await;
    env.admin(
        Method::POST,
        "/users",
        Some(&json!({"login": "maria", "token": "maria-token",
                "repo_associations": {"O/R": "MEMBER"}})),
    )
    .await;
    let refused = env
        .call(
            Method::POST,
            None,
            "/_emulator/users",
            Some(&json!({"login": "x", "association": "ADMIN"})),
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::BAD_REQUEST,
        "unknown association"
    );
    for (repo, expected) in [("o/r", "MEMBER"), ("o/other", "NONE")] {
        let made = env
            .post(
                "maria-token",
                &format!("/repos/{repo}/issues/1/comments"),
                &json!({"body": "hi"}),
            )
            .await;
        assert_eq!(made.status, StatusCode::CREATED);
        assert_eq!(made.body["author_association"], expected, "{repo}");
        assert_eq!(
            made.body["performed_via_github_app"],
            serde_json::Value::Null
        );
    }
    let by_bot = env
        .post(BOT, "/repos/o/r/issues/1/comments", &json!({"body": "bot"}))
        .await;
    let app = &by_bot.body["performed_via_github_app"];
    assert_eq!(app["slug"], "github-actions", "{app}");
    assert_eq!(app["id"], 15368);
}
