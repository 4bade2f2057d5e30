//! GitHub App flow: RS256 JWT → repository installation → installation token acting as the
//! app's bot; bad signatures and expired or over-long JWTs are refused.

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::Env;

const APP_PRIVATE: &[u8] = include_bytes!("../keys/app-private.pem");
const APP_PUBLIC: &str = include_str!("../keys/app-public.pem");
const OTHER_PRIVATE: &[u8] = include_bytes!("../keys/other-private.pem");

fn jwt(key: &[u8], claims: &Value) -> String {
    jsonwebtoken::encode(
        &Header::new(Algorithm::RS256),
        claims,
        &EncodingKey::from_rsa_pem(key).unwrap(),
    )
    .unwrap()
}

fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

async fn env_with_app() -> Env {
    let env = Env::new().await;
    env.admin(
        Method::POST,
        "/apps",
        Some(&json!({"id": 4242, "slug": "infra-ci", "public_key_pem": APP_PUBLIC, "installations": [{"id": 77, "account": "o"}]})),
    )
    .await;
    env
}

#[tokio::test]
async fn a_valid_jwt_finds_the_installation_and_mints_a_bot_token() {
    let env = env_with_app().await;
    let token = jwt(
        APP_PRIVATE,
        &json!({"iss": "4242", "iat": now() - 30, "exp": now() + 500}),
    );
    let inst = env.get(&token, "/repos/o/r/installation").await;
    assert_eq!(inst.status, StatusCode::OK, "{}", inst.body);
    assert_eq!(inst.body["id"], 77);
    assert_eq!(inst.body["app_slug"], "infra-ci");
    assert_eq!(
        env.get(&token, "/repos/elsewhere/r/installation")
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    let numeric_iss = jwt(
        APP_PRIVATE,
        &json!({"iss": 4242, "iat": now(), "exp": now() + 60}),
    );
    let minted = env
        .post(
            &numeric_iss,
            "/app/installations/77/access_tokens",
            &json!({}),
        )
        .await;
    assert_eq!(minted.status, StatusCode::CREATED);
    let ghs = minted.body["token"].as_str().unwrap();
    assert!(ghs.starts_with("ghs_"));
    assert!(minted.body["expires_at"].is_string());

    assert_eq!(env.get(ghs, "/user").await.status, StatusCode::FORBIDDEN);
    let c = env
        .post(
            ghs,
            "/repos/o/r/issues/1/comments",
            &json!({"body": "from the app"}),
        )
        .await;
    assert_eq!(c.body["user"]["login"], "infra-ci[bot]");
    assert_eq!(c.body["user"]["type"], "Bot");
    // A JWT is not an API token.
    assert_eq!(
        env.get(&token, "/repos/o/r").await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn bad_signature_expired_and_too_long_jwts_are_refused() {
    let env = env_with_app().await;
    let cases = [
        (
            "bad signature",
            jwt(
                OTHER_PRIVATE,
                &json!({"iss": "4242", "iat": now(), "exp": now() + 60}),
            ),
        ),
        (
            "expired",
            jwt(
                APP_PRIVATE,
                &json!({"iss": "4242", "iat": now() - 700, "exp": now() - 100}),
            ),
        ),
        (
            "over ten minutes",
            jwt(
                APP_PRIVATE,
                &json!({"iss": "4242", "iat": now(), "exp": now() + 3600}),
            ),
        ),
        (
            "issued in the future",
            jwt(
                APP_PRIVATE,
                &json!({"iss": "4242", "iat": now() + 300, "exp": now() + 400}),
            ),
        ),
        (
            "no exp",
            jwt(APP_PRIVATE, &json!({"iss": "4242", "iat": now()})),
        ),
        (
            "unknown app",
            jwt(
                APP_PRIVATE,
                &json!({"iss": "1", "iat": now(), "exp": now() + 60}),
            ),
        ),
        ("not a jwt", "garbage".to_owned()),
    ];
    for (what, token) in cases {
        let res = env
            .post(&token, "/app/installations/77/access_tokens", &json!({}))
            .await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{what}: {}", res.body);
        assert!(res.body["message"].is_string(), "{what}");
    }
}
