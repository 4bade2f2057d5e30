//! A spawned emulator and small HTTP helpers for the tests.
//!
//! These are the emulator's own tests: they speak raw HTTP to its admin API on purpose (the
//! bodies as JSON, invalid ones included, status codes checked), because that API's wire
//! surface is what they test. Every other crate's tests, the demo and the soak use the typed
//! client (`infra_ci_emulator::admin::AdminClient`, through `infra-ci-testkit`).

use infra_ci_emulator::{DEFAULT_BOT_TOKEN, EmulatorHandle, EmulatorOptions, spawn};
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::Value;

pub const BOT: &str = DEFAULT_BOT_TOKEN;

/// One emulator per test.
pub struct Env {
    /// Kept so the server lives as long as the test.
    #[allow(dead_code)]
    pub emu: EmulatorHandle,
    pub http: reqwest::Client,
    pub base: String,
}

/// A response: status, headers and JSON body (`Null` when empty).
pub struct Res {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Res {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

impl Env {
    pub async fn new() -> Self {
        Self::with(EmulatorOptions::default()).await
    }

    pub async fn with(opts: EmulatorOptions) -> Self {
        let emu = spawn("127.0.0.1:0".parse().unwrap(), opts).await.unwrap();
        let base = emu.base_url();
        let env = Self {
            emu,
            http: reqwest::Client::new(),
            base,
        };
        // Repositories, issues and commits exist only when created: every test here uses
        // `o/r`, its pull request #1 (head `aaaa...`) and the commit `abc`.
        env.admin(
            Method::POST,
            "/repos",
            Some(&serde_json::json!({ "full_name": "o/r" })),
        )
        .await;
        env.admin(
            Method::POST,
            "/repos/o/r/pulls",
            Some(&serde_json::json!({ "number": 1, "head_sha": "a".repeat(40) })),
        )
        .await;
        env.admin(
            Method::POST,
            "/repos/o/r/commits",
            Some(&serde_json::json!({ "sha": "abc" })),
        )
        .await;
        env
    }

    /// Sends `method path` with an optional token and JSON body.
    pub async fn call(
        &self,
        method: Method,
        token: Option<&str>,
        path: &str,
        body: Option<&Value>,
    ) -> Res {
        self.try_call(method, token, path, body).await.unwrap()
    }

    pub async fn try_call(
        &self,
        method: Method,
        token: Option<&str>,
        path: &str,
        body: Option<&Value>,
    ) -> reqwest::Result<Res> {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let res = req.send().await?;
        let status = res.status();
        let headers = res.headers().clone();
        let text = res.text().await?;
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Ok(Res {
            status,
            headers,
            body,
        })
    }

    pub async fn get(&self, token: &str, path: &str) -> Res {
        self.call(Method::GET, Some(token), path, None).await
    }

    pub async fn post(&self, token: &str, path: &str, body: &Value) -> Res {
        self.call(Method::POST, Some(token), path, Some(body)).await
    }

    pub async fn patch(&self, token: &str, path: &str, body: &Value) -> Res {
        self.call(Method::PATCH, Some(token), path, Some(body))
            .await
    }

    pub async fn delete(&self, token: &str, path: &str) -> Res {
        self.call(Method::DELETE, Some(token), path, None).await
    }

    /// An admin call under `/_emulator`; panics unless it succeeded.
    pub async fn admin(&self, method: Method, path: &str, body: Option<&Value>) -> Value {
        let res = self
            .call(method, None, &format!("/_emulator{path}"), body)
            .await;
        assert!(
            res.status.is_success(),
            "admin {path}: {} {}",
            res.status,
            res.body
        );
        res.body
    }

    /// Registers a user with a token.
    pub async fn user(&self, login: &str, token: &str) {
        self.admin(
            Method::POST,
            "/users",
            Some(&serde_json::json!({ "login": login, "token": token })),
        )
        .await;
    }
}
