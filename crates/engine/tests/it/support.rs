//! Shared by the emulator-backed tests: an emulator and its admin API, a client, and a PR
//! comment event to route.
#![allow(clippy::unwrap_used, dead_code)]

use infra_ci_config::Config;
use infra_ci_emulator::{EmulatorHandle, EmulatorOptions, spawn};
use infra_ci_engine::{ParseRequest, route_event};
use infra_ci_github::{Auth, ClientConfig, GitHubClient, RepoId};
use infra_ci_route::{Route, RouteContext};
use serde_json::{Value, json};

/// The fixture's repository (`runatlantis/atlantis-tests`) and pull request number.
pub const OWNER: &str = "runatlantis";
pub const REPO: &str = "runatlantis/atlantis-tests";
pub const PR: u64 = 1;

/// A token acting like a GitHub App installation token (may read org teams).
pub const APP_TOKEN: &str = "app-token";

pub struct Env {
    pub emu: EmulatorHandle,
    pub base: String,
    http: reqwest::Client,
}

impl Env {
    /// An emulator with its defaults only (the default bot and its token).
    pub async fn bare() -> Self {
        let emu = spawn(
            ([127, 0, 0, 1], 0).into(),
            EmulatorOptions {
                repos: vec!["acme/infra".into(), REPO.into()],
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let base = emu.base_url();
        Self {
            emu,
            base,
            http: reqwest::Client::new(),
        }
    }

    /// An emulator that also knows [`APP_TOKEN`], the installation-like token.
    pub async fn start() -> Self {
        let env = Self::bare().await;
        env.admin(
            "/users",
            json!({ "login": "infra-ci[bot]", "type": "Bot", "token": APP_TOKEN }),
        )
        .await;
        env
    }

    /// `POST /_emulator{path}`; panics unless 2xx.
    pub async fn admin(&self, path: &str, body: Value) -> Value {
        let res = self
            .http
            .post(format!("{}/_emulator{path}", self.base))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success(), "{path}: {}", res.status());
        res.json().await.unwrap_or(Value::Null)
    }

    pub async fn get(&self, path: &str) -> Value {
        self.http
            .get(format!("{}/_emulator{path}", self.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// API requests logged so far whose path starts with `prefix`.
    pub async fn requests_under(&self, prefix: &str) -> Vec<Value> {
        self.get("/requests")
            .await
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["path"].as_str().unwrap().starts_with(prefix))
            .cloned()
            .collect()
    }

    /// Comment bodies on the pull request.
    pub async fn comments(&self) -> Vec<String> {
        self.get("/state").await["comments"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["issue_number"] == PR && c["deleted"] == false)
            .map(|c| c["body"].as_str().unwrap().to_owned())
            .collect()
    }

    pub fn client(&self, token: &str) -> GitHubClient {
        let mut cfg = ClientConfig::new(Auth::Token(token.to_owned().into()))
            .with_base_url(&self.base)
            .unwrap();
        // An installation token cannot ask `GET /user` who it is: the App's bot login is
        // configured, as the CLI does from the App's slug.
        if token == APP_TOKEN {
            cfg.bot_login = Some("infra-ci[bot]".to_owned());
        }
        GitHubClient::new(cfg).unwrap()
    }

    /// Routes `/…` commented on the PR by `login` with `association`, as `token`.
    pub async fn comment(
        &self,
        token: &str,
        cfg: &Config,
        body: &str,
        login: &str,
        association: &str,
    ) -> Route {
        let payload = comment_event(body, login, association);
        let forge = self.client(token);
        let req = ParseRequest {
            repo: RepoId::parse(REPO).unwrap(),
            event_name: "issue_comment",
            payload: &payload,
            config: cfg,
            context: RouteContext::default(),
            run_link: None,
        };
        route_event(&forge, req).await.unwrap()
    }
}

/// The Atlantis issue_comment fixture with `body`, author `login` and `association`.
pub fn comment_event(body: &str, login: &str, association: &str) -> Vec<u8> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/github-webhooks/other-sources/runatlantis-atlantis/githubIssueCommentEvent.json"
    );
    let mut v: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    v["comment"]["body"] = json!(body);
    v["comment"]["user"]["login"] = json!(login);
    v["comment"]["author_association"] = json!(association);
    v["sender"]["login"] = json!(login);
    serde_json::to_vec(&v).unwrap()
}

pub fn sha(c: char) -> String {
    c.to_string().repeat(40)
}
