//! Shared by the emulator-backed tests: [`infra_ci_testkit`]'s emulator with this suite's
//! repositories and App token, and a PR comment event to route.
#![allow(clippy::unwrap_used, dead_code)]

use std::ops::Deref;

use infra_ci_config::Config;
use infra_ci_engine::{ParseRequest, route_event};
use infra_ci_github::{GitHubClient, RepoId};
use infra_ci_route::{Route, RouteContext};
use infra_ci_testkit::TestEmulator;
use infra_ci_testkit::admin::NewUser;
use serde_json::{Value, json};

pub use infra_ci_testkit::sha;

/// The fixture's repository (`runatlantis/atlantis-tests`) and pull request number.
pub const OWNER: &str = "runatlantis";
pub const REPO: &str = "runatlantis/atlantis-tests";
pub const PR: u64 = 1;

/// A token acting like a GitHub App installation token (may read org teams).
pub const APP_TOKEN: &str = "app-token";

pub struct Env {
    kit: TestEmulator,
}

impl Deref for Env {
    type Target = TestEmulator;
    fn deref(&self) -> &TestEmulator {
        &self.kit
    }
}

impl Env {
    /// An emulator with its defaults only (the default bot and its token).
    pub async fn bare() -> Self {
        Self {
            kit: TestEmulator::start(&["acme/infra", REPO]).await,
        }
    }

    /// An emulator that also knows [`APP_TOKEN`], the installation-like token.
    pub async fn start() -> Self {
        let env = Self::bare().await;
        let app = NewUser::new("infra-ci[bot]").kind("Bot").token(APP_TOKEN);
        env.admin().user(&app).await.unwrap();
        env
    }

    /// Stops the emulator.
    pub async fn shutdown(self) {
        self.kit.shutdown().await;
    }

    /// Comment bodies on the pull request.
    pub async fn comments(&self) -> Vec<String> {
        self.state().await["comments"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["issue_number"] == PR && c["deleted"] == false)
            .map(|c| c["body"].as_str().unwrap().to_owned())
            .collect()
    }

    pub fn client(&self, token: &str) -> GitHubClient {
        let mut cfg = self.config(token);
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
            run_id: None,
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
