//! Fidelity: every emulated endpoint's response body must validate against its response
//! schema in GitHub's OpenAPI description (tests/fixtures/github-openapi/github-rest-subset.json),
//! with formats (uri, date-time) checked. This keeps the emulator from drifting from GitHub.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{Map, Value, json};

use crate::common::{BOT, Env, Res};

const OPENAPI: &str =
    include_str!("../../../../tests/fixtures/github-openapi/github-rest-subset.json");

/// Endpoints of the subset the emulator deliberately does not implement.
const NOT_EMULATED: &[(&str, &str)] = &[
    ("post", "/repos/{owner}/{repo}/check-runs"),
    ("patch", "/repos/{owner}/{repo}/check-runs/{check_run_id}"),
];

/// OpenAPI 3.0 → JSON Schema 2020-12: `nullable: true` becomes `anyOf [schema, null]`.
fn convert(v: &Value) -> Value {
    match v {
        Value::Array(items) => Value::Array(items.iter().map(convert).collect()),
        Value::Object(map) => {
            let nullable = map.get("nullable") == Some(&Value::Bool(true));
            let mut out = Map::new();
            for (k, val) in map {
                if k == "nullable" && val.is_boolean() {
                    continue;
                }
                // OpenAPI-only keywords that JSON Schema would misread.
                if k == "discriminator" || k == "example" {
                    continue;
                }
                out.insert(k.clone(), convert(val));
            }
            if nullable {
                json!({ "anyOf": [Value::Object(out), { "type": "null" }] })
            } else {
                Value::Object(out)
            }
        }
        other => other.clone(),
    }
}

struct Checker {
    doc: Value,
    components: Value,
    seen: BTreeSet<(String, String)>,
    failures: Vec<String>,
}

impl Checker {
    fn new() -> Self {
        let doc: Value = serde_json::from_str(OPENAPI).unwrap();
        let components = convert(&doc["components"]);
        Self {
            doc,
            components,
            seen: BTreeSet::new(),
            failures: Vec::new(),
        }
    }

    /// Validates `res` against the schema of `method template` for its status code.
    fn check(&mut self, method: &str, template: &str, res: &Res) {
        let code = res.status.as_u16().to_string();
        let op = &self.doc["paths"][template][method];
        assert!(
            op.is_object(),
            "{method} {template} is not in the OpenAPI subset"
        );
        let mut response = op["responses"][&code].clone();
        if let Some(r) = response.get("$ref").and_then(Value::as_str) {
            let name = r.rsplit('/').next().unwrap();
            response = self.doc["components"]["responses"][name].clone();
        }
        if response.is_null() {
            self.failures.push(format!(
                "{method} {template}: status {code} is not documented ({})",
                res.body
            ));
            return;
        }
        self.seen.insert((method.to_owned(), template.to_owned()));
        let Some(schema) = response.pointer("/content/application~1json/schema") else {
            // GitHub sends its JSON error body even where the description documents none.
            if res.status.is_success() && !res.body.is_null() {
                self.failures.push(format!(
                    "{method} {template} {code}: expected no body, got {}",
                    res.body
                ));
            }
            return;
        };
        let mut root = convert(schema);
        root.as_object_mut()
            .unwrap()
            .insert("components".to_owned(), self.components.clone());
        let validator = jsonschema::options()
            .should_validate_formats(true)
            .build(&root)
            .unwrap();
        for err in validator.iter_errors(&res.body) {
            self.failures.push(format!(
                "{method} {template} {code}: {err} at {}",
                err.instance_path()
            ));
        }
    }
}

#[tokio::test]
async fn every_endpoint_matches_githubs_openapi_schemas() {
    let env = Env::new().await;
    let mut ck = Checker::new();
    env.user("alice", "alice-token").await;
    env.admin(Method::POST, "/repos/o/r/pulls", Some(&json!({"number": 7, "head_sha": "h7", "user": "alice", "fork": true, "labels": ["infra"]}))).await;
    env.admin(Method::POST, "/repos/o/r/pulls", Some(&json!({"number": 8, "head_sha": "h8", "user": "alice", "merged": true, "merge_commit_sha": "m8", "mergeable": null}))).await;
    env.admin(
        Method::POST,
        "/repos/o/r/pulls/7/reviews",
        Some(&json!({"user": "bob", "state": "APPROVED"})),
    )
    .await;
    env.admin(
        Method::POST,
        "/repos/o/r/commits",
        Some(&json!({"sha": "b", "parents": ["a"]})),
    )
    .await;
    env.admin(
        Method::POST,
        "/repos/o/r/commits",
        Some(&json!({"sha": "c", "parents": ["b"]})),
    )
    .await;

    // Comments and reactions.
    let c = env
        .post(
            BOT,
            "/repos/o/r/issues/7/comments",
            &json!({"body": "dash"}),
        )
        .await;
    ck.check(
        "post",
        "/repos/{owner}/{repo}/issues/{issue_number}/comments",
        &c,
    );
    let id = c.body["id"].as_u64().unwrap();
    let one = format!("/repos/o/r/issues/comments/{id}");
    ck.check(
        "get",
        "/repos/{owner}/{repo}/issues/{issue_number}/comments",
        &env.get(BOT, "/repos/o/r/issues/7/comments").await,
    );
    ck.check(
        "get",
        "/repos/{owner}/{repo}/issues/comments/{comment_id}",
        &env.get(BOT, &one).await,
    );
    ck.check(
        "get",
        "/repos/{owner}/{repo}/issues/comments/{comment_id}",
        &env.get(BOT, "/repos/o/r/issues/comments/1").await,
    );
    ck.check(
        "patch",
        "/repos/{owner}/{repo}/issues/comments/{comment_id}",
        &env.patch(BOT, &one, &json!({"body": "dash 2"})).await,
    );
    ck.check(
        "patch",
        "/repos/{owner}/{repo}/issues/comments/{comment_id}",
        &env.patch(BOT, &one, &json!({"body": "x".repeat(70_000)}))
            .await,
    );
    let reactions = format!("{one}/reactions");
    ck.check(
        "post",
        "/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions",
        &env.post(BOT, &reactions, &json!({"content": "eyes"})).await,
    );
    ck.check(
        "post",
        "/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions",
        &env.post(BOT, &reactions, &json!({"content": "eyes"})).await,
    );
    ck.check(
        "post",
        "/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions",
        &env.post(BOT, &reactions, &json!({"content": "nope"})).await,
    );
    ck.check(
        "get",
        "/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions",
        &env.get(BOT, &reactions).await,
    );
    ck.check(
        "delete",
        "/repos/{owner}/{repo}/issues/comments/{comment_id}",
        &env.delete(BOT, &one).await,
    );

    // Statuses.
    ck.check("post", "/repos/{owner}/{repo}/statuses/{sha}", &env.post(BOT, "/repos/o/r/statuses/h7", &json!({"state": "success", "context": "infra-dashboard/plan", "target_url": "https://example.com/run/1", "description": "ok"})).await);
    env.post(BOT, "/repos/o/r/statuses/h7", &json!({"state": "pending"}))
        .await;
    ck.check(
        "get",
        "/repos/{owner}/{repo}/commits/{ref}/status",
        &env.get(BOT, "/repos/o/r/commits/h7/status").await,
    );
    ck.check(
        "get",
        "/repos/{owner}/{repo}/commits/{ref}/statuses",
        &env.get(BOT, "/repos/o/r/commits/h7/statuses").await,
    );

    // Pull requests.
    ck.check(
        "get",
        "/repos/{owner}/{repo}/pulls/{pull_number}",
        &env.get(BOT, "/repos/o/r/pulls/7").await,
    );
    ck.check(
        "get",
        "/repos/{owner}/{repo}/pulls/{pull_number}",
        &env.get(BOT, "/repos/o/r/pulls/8").await,
    );
    ck.check(
        "get",
        "/repos/{owner}/{repo}/pulls/{pull_number}",
        &env.get(BOT, "/repos/o/r/pulls/99").await,
    );
    ck.check(
        "get",
        "/repos/{owner}/{repo}/commits/{commit_sha}/pulls",
        &env.get(BOT, "/repos/o/r/commits/h7/pulls").await,
    );
    ck.check(
        "get",
        "/repos/{owner}/{repo}/commits/{commit_sha}/pulls",
        &env.get(BOT, "/repos/o/r/commits/m8/pulls").await,
    );
    ck.check(
        "get",
        "/repos/{owner}/{repo}/pulls/{pull_number}/reviews",
        &env.get(BOT, "/repos/o/r/pulls/7/reviews").await,
    );

    // Refs.
    let refs = "/repos/o/r/git/refs";
    ck.check(
        "post",
        "/repos/{owner}/{repo}/git/refs",
        &env.post(
            BOT,
            refs,
            &json!({"ref": "refs/heads/lock", "sha": "a".repeat(40)}),
        )
        .await,
    );
    ck.check(
        "post",
        "/repos/{owner}/{repo}/git/refs",
        &env.post(
            BOT,
            refs,
            &json!({"ref": "refs/heads/lock", "sha": "a".repeat(40)}),
        )
        .await,
    );
    ck.check(
        "get",
        "/repos/{owner}/{repo}/git/ref/{ref}",
        &env.get(BOT, "/repos/o/r/git/ref/heads/lock").await,
    );
    ck.check(
        "get",
        "/repos/{owner}/{repo}/git/ref/{ref}",
        &env.get(BOT, "/repos/o/r/git/ref/heads/none").await,
    );
    ck.check(
        "patch",
        "/repos/{owner}/{repo}/git/refs/{ref}",
        &env.patch(
            BOT,
            "/repos/o/r/git/refs/heads/lock",
            &json!({"sha": "b".repeat(40), "force": true}),
        )
        .await,
    );
    ck.check(
        "delete",
        "/repos/{owner}/{repo}/git/refs/{ref}",
        &env.delete(BOT, "/repos/o/r/git/refs/heads/lock").await,
    );
    ck.check(
        "delete",
        "/repos/{owner}/{repo}/git/refs/{ref}",
        &env.delete(BOT, "/repos/o/r/git/refs/heads/lock").await,
    );

    // Issues.
    let issue = env
        .post(
            "alice-token",
            "/repos/o/r/issues",
            &json!({"title": "drift", "body": "b", "labels": ["drift"]}),
        )
        .await;
    ck.check("post", "/repos/{owner}/{repo}/issues", &issue);
    let n = issue.body["number"].as_u64().unwrap();
    ck.check(
        "get",
        "/repos/{owner}/{repo}/issues",
        &env.get(BOT, "/repos/o/r/issues?state=all").await,
    );
    ck.check(
        "get",
        "/repos/{owner}/{repo}/issues/{issue_number}",
        &env.get(BOT, &format!("/repos/o/r/issues/{n}")).await,
    );
    ck.check(
        "get",
        "/repos/{owner}/{repo}/issues/{issue_number}",
        &env.get(BOT, "/repos/o/r/issues/7").await,
    );
    ck.check(
        "patch",
        "/repos/{owner}/{repo}/issues/{issue_number}",
        &env.patch(
            BOT,
            &format!("/repos/o/r/issues/{n}"),
            &json!({"state": "closed"}),
        )
        .await,
    );

    // Repository, user, rate limit, compare.
    ck.check(
        "get",
        "/repos/{owner}/{repo}",
        &env.get(BOT, "/repos/o/r").await,
    );
    ck.check("get", "/user", &env.get("alice-token", "/user").await);
    ck.check("get", "/user", &env.get(BOT, "/user").await);
    ck.check("get", "/user", &env.get("bad", "/user").await);
    ck.check("get", "/rate_limit", &env.get(BOT, "/rate_limit").await);
    ck.check(
        "get",
        "/repos/{owner}/{repo}/compare/{basehead}",
        &env.get(BOT, "/repos/o/r/compare/a...c").await,
    );
    ck.check(
        "get",
        "/repos/{owner}/{repo}/compare/{basehead}",
        &env.get(BOT, "/repos/o/r/compare/x...y").await,
    );

    // GitHub App endpoints.
    let app = json!({"id": 1, "slug": "app", "public_key_pem": include_str!("../keys/app-public.pem"), "installations": [{"id": 5, "account": "o"}]});
    env.admin(Method::POST, "/apps", Some(&app)).await;
    let now = jiff::Timestamp::now().as_second();
    let key =
        jsonwebtoken::EncodingKey::from_rsa_pem(include_bytes!("../keys/app-private.pem")).unwrap();
    let jwt = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256),
        &json!({"iss": "1", "iat": now, "exp": now + 60}),
        &key,
    )
    .unwrap();
    ck.check(
        "get",
        "/repos/{owner}/{repo}/installation",
        &env.get(&jwt, "/repos/o/r/installation").await,
    );
    ck.check(
        "post",
        "/app/installations/{installation_id}/access_tokens",
        &env.post(&jwt, "/app/installations/5/access_tokens", &json!({}))
            .await,
    );
    ck.check(
        "post",
        "/app/installations/{installation_id}/access_tokens",
        &env.post(&jwt, "/app/installations/6/access_tokens", &json!({}))
            .await,
    );

    assert!(
        ck.failures.is_empty(),
        "{} schema failures:\n{}",
        ck.failures.len(),
        ck.failures.join("\n")
    );
    let documented: BTreeSet<(String, String)> = ck.doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(p, ops)| {
            ops.as_object()
                .unwrap()
                .keys()
                .map(move |m| (m.clone(), p.clone()))
        })
        .filter(|(m, p)| !NOT_EMULATED.contains(&(m.as_str(), p.as_str())))
        .collect();
    let missed: Vec<_> = documented.difference(&ck.seen).collect();
    assert!(missed.is_empty(), "endpoints never exercised: {missed:?}");
}

#[test]
fn the_converter_makes_nullable_fields_accept_null_and_only_null_extra() {
    let schema = convert(
        &json!({"type": "object", "required": ["a"], "properties": {"a": {"type": "string", "nullable": true}}}),
    );
    let v = jsonschema::validator_for(&schema).unwrap();
    assert!(v.is_valid(&json!({"a": null})));
    assert!(v.is_valid(&json!({"a": "x"})));
    assert!(!v.is_valid(&json!({"a": 1})));
    assert!(!v.is_valid(&json!({})));
}
