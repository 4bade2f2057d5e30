//! A running emulator, its admin API, and a way to run the binary against it.

use std::process::{Child, Output, Stdio};

use infra_ci_emulator::{EmulatorHandle, EmulatorOptions, spawn};
use serde_json::{Value, json};

pub const REPO: &str = "acme/infra";
pub const BOT: &str = "github-actions[bot]";
pub const BOT_TOKEN: &str = "emulator-bot-token";

/// An emulator on a free port, with the admin API at hand.
pub struct Gh {
    /// Kept so the emulator lives as long as the test.
    _handle: EmulatorHandle,
    pub base: String,
    http: reqwest::blocking::Client,
}

impl Gh {
    /// Starts an emulator on its own runtime thread (tests run the binary synchronously).
    pub fn start() -> Self {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let handle = spawn(
                    ([127, 0, 0, 1], 0).into(),
                    EmulatorOptions {
                        repos: vec!["acme/infra".into()],
                        ..Default::default()
                    },
                )
                .await
                .unwrap();
                tx.send(handle).unwrap();
                std::future::pending::<()>().await;
            });
        });
        let handle = rx.recv().unwrap();
        let base = handle.base_url();
        Self {
            _handle: handle,
            base,
            http: reqwest::blocking::Client::new(),
        }
    }

    pub fn admin(&self, path: &str, body: &Value) -> Value {
        let body = body.clone();
        let res = self
            .http
            .post(format!("{}/_emulator{path}", self.base))
            .json(&body)
            .send()
            .unwrap();
        assert!(res.status().is_success(), "admin {path}: {}", res.status());
        res.json().unwrap_or(Value::Null)
    }

    pub fn user(&self, login: &str) -> String {
        let token = format!("{login}-token");
        self.admin(
            "/users",
            &json!({"login": login, "type": "User", "token": token}),
        );
        token
    }

    pub fn pull(&self, number: u64, head_sha: &str) {
        self.admin(
            &format!("/repos/{REPO}/pulls"),
            &json!({"number": number, "head_sha": head_sha, "user": "alice"}),
        );
        // The head is one commit ahead of the pull request's base (the emulator knows
        // only declared ancestry; compare on unknown commits is a 404, as on GitHub).
        self.admin(
            &format!("/repos/{REPO}/commits"),
            &json!({"sha": head_sha, "parents": ["0".repeat(40)]}),
        );
        // The base branch `main` exists at that base (422 "already exists" after the first).
        self.api(
            reqwest::Method::POST,
            infra_ci_emulator::DEFAULT_BOT_TOKEN,
            &format!("/repos/{REPO}/git/refs"),
            Some(json!({"ref": "refs/heads/main", "sha": "0".repeat(40)})),
        );
    }

    /// A REST call with a token, as any client would.
    pub fn api(
        &self,
        method: reqwest::Method,
        token: &str,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().unwrap();
        let status = res.status().as_u16();
        (status, res.json().unwrap_or(Value::Null))
    }

    /// Every comment on the PR (as the bot sees them), oldest first.
    pub fn comments(&self, pr: u64) -> Vec<Value> {
        let mut all = Vec::new();
        for page in 1.. {
            let (s, v) = self.api(
                reqwest::Method::GET,
                BOT_TOKEN,
                &format!("/repos/{REPO}/issues/{pr}/comments?per_page=100&page={page}"),
                None,
            );
            assert_eq!(s, 200);
            let v = v.as_array().unwrap().clone();
            if v.is_empty() {
                break;
            }
            all.extend(v);
        }
        all
    }

    /// Our dashboards on the PR.
    pub fn dashboards(&self, pr: u64) -> Vec<Value> {
        self.comments(pr)
            .into_iter()
            .filter(|c| {
                c["user"]["login"] == BOT
                    && c["body"]
                        .as_str()
                        .unwrap_or("")
                        .starts_with("<!-- infra-dashboard:")
            })
            .collect()
    }

    pub fn requests(&self) -> Vec<Value> {
        let v: Value = self
            .http
            .get(format!("{}/_emulator/requests", self.base))
            .send()
            .unwrap()
            .json()
            .unwrap();
        v.as_array().unwrap().clone()
    }

    pub fn clear_requests(&self) {
        self.http
            .delete(format!("{}/_emulator/requests", self.base))
            .send()
            .unwrap();
    }

    /// Runs `infra-ci ARGS` with the bot's token against this emulator.
    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    /// Starts `infra-ci ARGS` without waiting, its output captured: one of several
    /// concurrent jobs, to be awaited with [`all_ok`].
    pub fn spawn(&self, args: &[&str]) -> Child {
        self.command(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    }

    pub fn command(&self, args: &[&str]) -> std::process::Command {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin!("infra-ci"));
        cmd.args(args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("GITHUB_API_URL", &self.base)
            .env("GITHUB_TOKEN", BOT_TOKEN)
            .env("GITHUB_REPOSITORY", REPO);
        cmd
    }
}

/// Asserts success and returns stdout.
pub fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Waits for every spawned job and asserts each one succeeded.
pub fn all_ok(children: Vec<Child>) {
    for c in children {
        ok(&c.wait_with_output().unwrap());
    }
}

/// A 40-hex SHA made from a seed.
pub fn sha(seed: u32) -> String {
    format!("{seed:08x}").repeat(5)
}
