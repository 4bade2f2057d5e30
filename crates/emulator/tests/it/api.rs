//! REST behaviour: pagination, limits, authorship, error shapes, reactions, statuses,
//! refs, issues, rate limit, GraphQL minimize and the HTML view.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{BOT, Env};

const COMMENTS: &str = "/repos/o/r/issues/1/comments";

#[tokio::test]
async fn pagination_defaults_to_30_caps_at_100_and_links_like_github() {
    let env = Env::new().await;
    env.admin(
        Method::POST,
        "/repos/o/r/issues/1/comments/bulk",
        Some(&json!({"user": "alice", "count": 250, "body": "c{i}"})),
    )
    .await;
    let b = &env.base;

    let first = env.get(BOT, COMMENTS).await;
    assert_eq!(first.body.as_array().unwrap().len(), 30);
    assert_eq!(first.body[0]["body"], "c0");
    assert_eq!(
        first.header("link").unwrap(),
        format!("<{b}{COMMENTS}?page=2>; rel=\"next\", <{b}{COMMENTS}?page=9>; rel=\"last\"")
    );

    let capped = env.get(BOT, &format!("{COMMENTS}?per_page=500")).await;
    assert_eq!(capped.body.as_array().unwrap().len(), 100);

    let middle = env
        .get(BOT, &format!("{COMMENTS}?per_page=100&page=2"))
        .await;
    assert_eq!(middle.body[0]["body"], "c100");
    assert_eq!(
        middle.header("link").unwrap(),
        format!(
            "<{b}{COMMENTS}?per_page=100&page=1>; rel=\"prev\", <{b}{COMMENTS}?per_page=100&page=3>; rel=\"next\", \
             <{b}{COMMENTS}?per_page=100&page=3>; rel=\"last\", <{b}{COMMENTS}?per_page=100&page=1>; rel=\"first\""
        )
    );
    let last = env
        .get(BOT, &format!("{COMMENTS}?per_page=100&page=3"))
        .await;
    assert_eq!(last.body.as_array().unwrap().len(), 50);
    assert!(!last.header("link").unwrap().contains("rel=\"next\""));
}

#[tokio::test]
async fn comment_body_limit_is_65536_characters_on_create_and_edit() {
    let env = Env::new().await;
    let ok = env
        .post(BOT, COMMENTS, &json!({"body": "é".repeat(65_536)}))
        .await;
    assert_eq!(ok.status, StatusCode::CREATED);
    let too_long = env
        .post(BOT, COMMENTS, &json!({"body": "a".repeat(65_537)}))
        .await;
    assert_eq!(too_long.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(too_long.body["message"], "Validation Failed");
    assert_eq!(
        too_long.body["errors"],
        json!([{"resource": "IssueComment", "code": "unprocessable", "field": "data", "message": "Body is too long (maximum is 65536 characters)"}])
    );
    assert!(
        too_long.body["documentation_url"]
            .as_str()
            .unwrap()
            .starts_with("https://docs.github.com/")
    );
    let id = ok.body["id"].as_u64().unwrap();
    let edit = env
        .patch(
            BOT,
            &format!("/repos/o/r/issues/comments/{id}"),
            &json!({"body": "b".repeat(65_537)}),
        )
        .await;
    assert_eq!(edit.status, StatusCode::UNPROCESSABLE_ENTITY);
    let missing = env.post(BOT, COMMENTS, &json!({})).await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn comments_are_authored_by_the_token_user_and_anyone_with_write_may_edit() {
    let env = Env::new().await;
    env.user("alice", "alice-token").await;
    let mine = env.post(BOT, COMMENTS, &json!({"body": "bot"})).await;
    assert_eq!(mine.body["user"]["login"], "github-actions[bot]");
    assert_eq!(mine.body["user"]["type"], "Bot");
    let hers = env
        .post("alice-token", COMMENTS, &json!({"body": "alice"}))
        .await;
    assert_eq!(hers.body["user"]["login"], "alice");
    assert!(hers.body["id"].as_u64() > mine.body["id"].as_u64());
    assert_eq!(
        hers.body["html_url"],
        format!(
            "https://github.com/o/r/pull/1#issuecomment-{}",
            hers.body["id"]
        )
    );
    // GitHub lets a collaborator edit someone else's comment: refusing is the client's job.
    let path = format!("/repos/o/r/issues/comments/{}", hers.body["id"]);
    let edited = env.patch(BOT, &path, &json!({"body": "hijacked"})).await;
    assert_eq!(edited.status, StatusCode::OK);
    assert_eq!(edited.body["user"]["login"], "alice");
    assert_eq!(env.get(BOT, &path).await.body["body"], "hijacked");
    assert_eq!(env.delete(BOT, &path).await.status, StatusCode::NO_CONTENT);
    assert_eq!(env.get(BOT, &path).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn error_shapes_for_401_403_404() {
    let env = Env::new().await;
    let bad = env
        .call(
            Method::GET,
            Some("nope"),
            "/repos/o/r/issues/1/comments",
            None,
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
    assert_eq!(bad.body["message"], "Bad credentials");
    assert!(bad.body["documentation_url"].is_string());
    // No token: a public repository is readable, anything else requires authentication.
    let anonymous = env
        .call(Method::GET, None, "/repos/o/r/issues/1/comments", None)
        .await;
    assert_eq!(anonymous.status, StatusCode::OK);
    assert_eq!(anonymous.header("x-ratelimit-limit"), Some("60"));
    for (method, path) in [
        (Method::POST, "/repos/o/r/issues/1/comments"),
        (Method::GET, "/user"),
    ] {
        let res = env
            .call(method, None, path, Some(&json!({"body": "x"})))
            .await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(res.body["message"], "Requires authentication");
    }
    let me = env.get(BOT, "/user").await;
    assert_eq!(me.status, StatusCode::FORBIDDEN);
    assert_eq!(me.body["message"], "Resource not accessible by integration");
    env.user("alice", "alice-token").await;
    assert_eq!(env.get("alice-token", "/user").await.body["login"], "alice");

    let missing = env.get(BOT, "/repos/o/r/issues/comments/42").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.body["message"], "Not Found");
    assert!(missing.headers.get("x-github-request-id").is_some());
    assert_eq!(
        missing.header("content-type"),
        Some("application/json; charset=utf-8")
    );

    env.admin(Method::POST, "/users", Some(&json!({"login": "ro[bot]", "type": "Bot", "token": "ro", "permissions": {"statuses": "read", "issues": "none"}}))).await;
    let denied = env
        .post(
            "ro",
            "/repos/o/r/statuses/abc",
            &json!({"state": "success"}),
        )
        .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    assert_eq!(
        denied.body["message"],
        "Resource not accessible by integration"
    );
    assert_eq!(
        denied.header("x-accepted-github-permissions"),
        Some("statuses=write")
    );
    assert_eq!(
        env.get("ro", "/repos/o/r/commits/abc/status").await.status,
        StatusCode::OK
    );
    assert_eq!(env.get("ro", COMMENTS).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn reactions_are_idempotent_per_user_and_content() {
    let env = Env::new().await;
    let c = env.post(BOT, COMMENTS, &json!({"body": "x"})).await;
    let path = format!("/repos/o/r/issues/comments/{}/reactions", c.body["id"]);
    let first = env.post(BOT, &path, &json!({"content": "rocket"})).await;
    assert_eq!(first.status, StatusCode::CREATED);
    let again = env.post(BOT, &path, &json!({"content": "rocket"})).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.body["id"], first.body["id"]);
    assert_eq!(
        env.post(BOT, &path, &json!({"content": "thumbsup"}))
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(env.get(BOT, &path).await.body.as_array().unwrap().len(), 1);
    let comment = env
        .get(BOT, &format!("/repos/o/r/issues/comments/{}", c.body["id"]))
        .await;
    assert_eq!(comment.body["reactions"]["rocket"], 1);
    assert_eq!(comment.body["reactions"]["total_count"], 1);
}

#[tokio::test]
async fn statuses_validate_like_github_and_combine_latest_per_context() {
    let env = Env::new().await;
    let sha = "a".repeat(40);
    let post = |body: Value| {
        let path = format!("/repos/o/r/statuses/{sha}");
        let env = &env;
        async move { env.post(BOT, &path, &body).await }
    };
    let created =
        post(json!({"state": "pending", "context": "ci", "description": "d".repeat(140)})).await;
    assert_eq!(created.status, StatusCode::CREATED);
    assert_eq!(created.body["creator"]["login"], "github-actions[bot]");
    let long =
        post(json!({"state": "pending", "context": "ci", "description": "d".repeat(141)})).await;
    assert_eq!(long.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        long.body["errors"][0]["message"],
        "description is too long (maximum is 140 characters)"
    );
    assert_eq!(
        post(json!({"state": "done"})).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        post(json!({"state": "success"})).await.body["context"],
        "default"
    );
    post(json!({"state": "success", "context": "ci"})).await;

    let combined = env
        .get(BOT, &format!("/repos/o/r/commits/{sha}/status"))
        .await;
    assert_eq!(combined.body["state"], "success");
    assert_eq!(combined.body["total_count"], 2);
    post(json!({"state": "pending", "context": "plan"})).await;
    assert_eq!(
        env.get(BOT, &format!("/repos/o/r/commits/{sha}/status"))
            .await
            .body["state"],
        "pending"
    );
    post(json!({"state": "error", "context": "apply"})).await;
    assert_eq!(
        env.get(BOT, &format!("/repos/o/r/commits/{sha}/status"))
            .await
            .body["state"],
        "failure"
    );

    let all = env
        .get(BOT, &format!("/repos/o/r/commits/{sha}/statuses"))
        .await;
    let contexts: Vec<&str> = all
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["context"].as_str().unwrap())
        .collect();
    assert_eq!(contexts, ["apply", "plan", "ci", "default", "ci"]);
}

#[tokio::test]
async fn a_sha_and_context_hold_at_most_1000_statuses() {
    // 1,000 writes at once: over the secondary limits, so they are switched off here.
    let env = Env::with(infra_ci_emulator::EmulatorOptions {
        no_limits: true,
        ..Default::default()
    })
    .await;
    for _ in 0..1000 {
        let res = env
            .post(
                BOT,
                "/repos/o/r/statuses/abc",
                &json!({"state": "success", "context": "c"}),
            )
            .await;
        assert_eq!(res.status, StatusCode::CREATED);
    }
    let over = env
        .post(
            BOT,
            "/repos/o/r/statuses/abc",
            &json!({"state": "success", "context": "c"}),
        )
        .await;
    assert_eq!(over.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        over.body["errors"][0]["message"],
        "This SHA and context has reached the maximum number of statuses."
    );
    let other = env
        .post(
            BOT,
            "/repos/o/r/statuses/abc",
            &json!({"state": "success", "context": "d"}),
        )
        .await;
    assert_eq!(other.status, StatusCode::CREATED);
}

#[tokio::test]
async fn refs_conflict_and_missing() {
    let env = Env::new().await;
    let (a, d) = ("a".repeat(40), "d".repeat(40));
    let body = json!({"ref": "refs/heads/lock", "sha": a});
    assert_eq!(
        env.post(BOT, "/repos/o/r/git/refs", &body).await.status,
        StatusCode::CREATED
    );
    let again = env.post(BOT, "/repos/o/r/git/refs", &body).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(again.body["message"], "Reference already exists");
    assert_eq!(
        env.post(
            BOT,
            "/repos/o/r/git/refs",
            &json!({"ref": "heads/x", "sha": a})
        )
        .await
        .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let short = env
        .post(
            BOT,
            "/repos/o/r/git/refs",
            &json!({"ref": "refs/heads/y", "sha": "abc"}),
        )
        .await;
    assert_eq!(short.body["message"], "Object does not exist");
    assert_eq!(
        env.get(BOT, "/repos/o/r/git/ref/heads/lock").await.body["object"]["sha"],
        a
    );
    let moved = env
        .patch(
            BOT,
            "/repos/o/r/git/refs/heads/lock",
            &json!({"sha": d, "force": true}),
        )
        .await;
    assert_eq!(moved.body["object"]["sha"], d);
    let path = "/repos/o/r/git/refs/heads/lock";
    assert_eq!(env.delete(BOT, path).await.status, StatusCode::NO_CONTENT);
    let gone = env.delete(BOT, path).await;
    assert_eq!(gone.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(gone.body["message"], "Reference does not exist");
    let missing = env.get(BOT, "/repos/o/r/git/ref/heads/lock").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.body["message"], "Not Found");
}

#[tokio::test]
async fn issues_and_pulls_share_numbers_and_filter() {
    let env = Env::new().await;
    env.admin(
        Method::POST,
        "/repos/o/r/pulls",
        Some(&json!({"number": 5, "head_sha": "h5", "user": "alice"})),
    )
    .await;
    let issue = env
        .post(
            BOT,
            "/repos/o/r/issues",
            &json!({"title": "drift", "labels": ["drift"]}),
        )
        .await;
    assert_eq!(issue.body["number"], 6);
    env.post(BOT, "/repos/o/r/issues", &json!({"title": "other"}))
        .await;
    let drift = env.get(BOT, "/repos/o/r/issues?labels=drift").await;
    assert_eq!(drift.body.as_array().unwrap().len(), 1);
    let closed = env
        .patch(BOT, "/repos/o/r/issues/6", &json!({"state": "closed"}))
        .await;
    assert_eq!(closed.body["state"], "closed");
    assert_eq!(
        env.get(BOT, "/repos/o/r/issues?labels=drift").await.body,
        json!([])
    );
    assert_eq!(
        env.get(BOT, "/repos/o/r/issues?creator=alice").await.body[0]["number"],
        5
    );
    let pr = env.get(BOT, "/repos/o/r/pulls/5").await;
    assert_eq!(pr.body["head"]["sha"], "h5");
    assert_eq!(
        env.get(BOT, "/repos/o/r/commits/h5/pulls").await.body[0]["number"],
        5
    );
    assert_eq!(
        env.get(BOT, "/repos/o/r/pulls/6").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn primary_rate_limit_answers_403_with_zero_remaining() {
    let env = Env::new().await;
    env.admin(Method::POST, "/ratelimit", Some(&json!({"limit": 2})))
        .await;
    let first = env.get(BOT, "/repos/o/r").await;
    assert_eq!(first.header("x-ratelimit-remaining"), Some("1"));
    assert_eq!(first.header("x-ratelimit-limit"), Some("2"));
    assert_eq!(first.header("x-ratelimit-resource"), Some("core"));
    env.get(BOT, "/repos/o/r").await;
    let limited = env.get(BOT, "/repos/o/r").await;
    assert_eq!(limited.status, StatusCode::FORBIDDEN);
    assert_eq!(limited.header("x-ratelimit-remaining"), Some("0"));
    assert!(
        limited.body["message"]
            .as_str()
            .unwrap()
            .starts_with("API rate limit exceeded for")
    );
    let reset: i64 = limited
        .header("x-ratelimit-reset")
        .unwrap()
        .parse()
        .unwrap();
    assert!(reset > jiff::Timestamp::now().as_second());
}

#[tokio::test]
async fn minimize_shows_in_state_and_html_escapes_bodies() {
    let env = Env::new().await;
    let c = env
        .post(
            BOT,
            COMMENTS,
            &json!({"body": "<script>alert(1)</script> & \"q\""}),
        )
        .await;
    let query = "mutation($id: ID!) { minimizeComment(input: {subjectId: $id, classifier: OUTDATED}) { minimizedComment { isMinimized minimizedReason } } }";
    let res = env
        .post(
            BOT,
            "/graphql",
            &json!({"query": query, "variables": {"id": c.body["node_id"]}}),
        )
        .await;
    assert_eq!(
        res.body,
        json!({"data": {"minimizeComment": {"minimizedComment": {"isMinimized": true, "minimizedReason": "outdated"}}}})
    );
    let unknown = env
        .post(BOT, "/graphql", &json!({"query": "{ viewer { login } }"}))
        .await;
    assert!(unknown.body["errors"][0]["message"].is_string());
    let state = env.admin(Method::GET, "/state", None).await;
    assert_eq!(state["comments"][0]["minimized"], "outdated");

    let html = env
        .http
        .get(format!("{}/o/r/pull/1", env.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // Rendered as GitHub does: the script goes with its content, the text stays escaped.
    assert!(html.contains("&amp; \"q\""), "{html}");
    assert!(!html.contains("<script>") && !html.contains("alert(1)"));
    assert!(html.contains("marked as outdated"));
}

#[tokio::test]
async fn request_log_records_method_path_status_and_login() {
    let env = Env::new().await;
    env.get(BOT, "/repos/o/r/issues/1/comments?per_page=5")
        .await;
    env.call(Method::GET, None, "/user", None).await;
    let log = env.admin(Method::GET, "/requests", None).await;
    assert_eq!(
        log[0],
        json!({"method": "GET", "path": "/repos/o/r/issues/1/comments", "query": "per_page=5", "status": 200, "login": "github-actions[bot]", "fault": null})
    );
    assert_eq!(log[1]["status"], 401);
    env.admin(Method::DELETE, "/requests", None).await;
    assert_eq!(env.admin(Method::GET, "/requests", None).await, json!([]));
}
