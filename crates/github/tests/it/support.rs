//! A fresh emulator per test, an admin helper, and clients with test-sized retry delays.

use std::time::Duration;

use infra_ci_emulator::{DEFAULT_BOT_TOKEN, EmulatorHandle, EmulatorOptions};
use infra_ci_github::{Auth, ClientConfig, GitHubClient, RepoId, RetryPolicy};
use secrecy::SecretString;
use serde_json::{Value, json};

/// A running emulator and the repository tests use.
pub struct Emu {
    pub handle: EmulatorHandle,
    pub admin: reqwest::Client,
    pub repo: RepoId,
}

/// Millisecond-sized retry delays, so retry tests take milliseconds.
pub fn fast_policy() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
        secondary_rate_limit_wait: Duration::from_millis(50),
        rate_limit_window: Duration::from_secs(5),
    }
}

impl Emu {
    pub async fn start() -> Self {
        let handle = infra_ci_emulator::spawn(
            "127.0.0.1:0".parse().unwrap(),
            EmulatorOptions {
                repos: vec!["octo/infra".into()],
                ..Default::default()
            },
        )
        .await
        .expect("emulator starts");
        Self {
            handle,
            admin: reqwest::Client::new(),
            repo: RepoId::parse("octo/infra").unwrap(),
        }
    }

    pub fn base_url(&self) -> String {
        self.handle.base_url()
    }

    /// A config for `token` against this emulator, with fast retries.
    pub fn config(&self, token: &str) -> ClientConfig {
        let mut cfg = ClientConfig::new(Auth::Token(SecretString::from(token.to_owned())))
            .with_base_url(&self.base_url())
            .unwrap();
        cfg.retry = fast_policy();
        cfg.request_timeout = Duration::from_secs(5);
        cfg.deadline = Duration::from_secs(20);
        cfg
    }

    /// A client authenticated as the default bot (`github-actions[bot]`).
    pub fn bot(&self) -> GitHubClient {
        GitHubClient::new(self.config(DEFAULT_BOT_TOKEN)).unwrap()
    }

    /// `method /_emulator{path}` with a JSON body; panics unless 2xx.
    pub async fn admin(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let res = self
            .admin
            .request(method, format!("{}/_emulator{path}", self.base_url()))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = res.status();
        let text = res.text().await.unwrap();
        assert!(
            status.is_success(),
            "admin {path} answered {status}: {text}"
        );
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    pub async fn post(&self, path: &str, body: Value) -> Value {
        self.admin(reqwest::Method::POST, path, body).await
    }

    /// A user with a token; `permissions` like `{"statuses": "read"}` (unset = write).
    pub async fn user(&self, login: &str, kind: &str, token: &str, permissions: Value) {
        self.post(
            "/users",
            json!({ "login": login, "type": kind, "token": token, "permissions": permissions }),
        )
        .await;
    }

    /// Declares commit `sha` (no parents), as a push would make it exist on GitHub.
    pub async fn commit(&self, sha: &str) {
        self.post(
            &self.repo_path("/commits"),
            json!({ "sha": sha, "parents": [] }),
        )
        .await;
    }

    /// Seeds pull request `number` of `self.repo` at `head_sha`.
    pub async fn pull(&self, number: u64, head_sha: &str) {
        let path = format!("/repos/{}/{}/pulls", self.repo.owner, self.repo.name);
        self.post(
            &path,
            json!({ "number": number, "head_sha": head_sha, "user": "octocat" }),
        )
        .await;
    }

    /// The request log (GitHub API requests only), oldest first.
    pub async fn requests(&self) -> Vec<Value> {
        let res = self
            .admin
            .get(format!("{}/_emulator/requests", self.base_url()))
            .send()
            .await
            .unwrap();
        res.json::<Value>()
            .await
            .unwrap()
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// Log entries whose method and path match.
    pub async fn requests_to(&self, method: &str, path: &str) -> Vec<Value> {
        self.requests()
            .await
            .into_iter()
            .filter(|r| r["method"] == method && r["path"] == path)
            .collect()
    }

    /// Installs fault rules.
    pub async fn faults(&self, rules: Value) {
        self.post("/faults", json!({ "seed": 1, "rules": rules }))
            .await;
    }

    pub fn repo_path(&self, tail: &str) -> String {
        format!("/repos/{}/{}{tail}", self.repo.owner, self.repo.name)
    }
}

pub const SHA: &str = "0123456789abcdef0123456789abcdef01234567";
