//! A running emulator ([`infra_ci_testkit`]'s), its admin API, and a way to run the binary
//! against it.

use std::process::{Child, Output, Stdio};
use std::sync::Arc;

use infra_ci_testkit::BlockingEmulator;
use infra_ci_testkit::admin::{AdminClient, AdminError, LogEntry, NewFile, NewReview, NewUser};
use serde_json::Value;

pub const REPO: &str = "acme/infra";
pub const BOT: &str = "github-actions[bot]";
pub const BOT_TOKEN: &str = "emulator-bot-token";

/// An emulator on a free port, with the admin API at hand.
pub struct Gh {
    /// Shared with the pipeline player (`life`), which moves its clock.
    pub emu: Arc<BlockingEmulator>,
    pub base: String,
    http: reqwest::blocking::Client,
}

impl Gh {
    /// Starts an emulator on its own runtime (tests run the binary synchronously).
    pub fn start() -> Self {
        let emu = BlockingEmulator::start(&[REPO]);
        let base = emu.base_url().to_owned();
        Self {
            emu: Arc::new(emu),
            base,
            http: reqwest::blocking::Client::new(),
        }
    }

    /// Admin calls, run to completion: `gh.admin(async |a| a.user(&user).await)`.
    pub fn admin<T>(&self, calls: impl AsyncFnOnce(&AdminClient) -> Result<T, AdminError>) -> T {
        self.emu.admin(calls)
    }

    pub fn user(&self, login: &str) -> String {
        let token = format!("{login}-token");
        let user = NewUser::new(login).kind("User").token(&token);
        self.admin(async |a| a.user(&user).await);
        token
    }

    /// The default branch's `.github/infra-ci.yml` is `config`, as the contents API serves it.
    pub fn config(&self, config: &str) {
        let file = NewFile::new(config);
        self.admin(async |a| a.file(REPO, ".github/infra-ci.yml", &file).await);
    }

    /// `user` (created or updated) submits `review` on pull request `number`.
    pub fn review(&self, number: u64, user: &NewUser, review: &NewReview) {
        self.admin(async |a| {
            a.user(user).await?;
            a.review(REPO, number, review).await
        });
    }

    /// `user` approves pull request `number` at `head`.
    pub fn approve(&self, number: u64, user: &NewUser, head: &str) {
        self.review(number, user, &NewReview::new(&user.login, "APPROVED", head));
    }

    pub fn pull(&self, number: u64, head_sha: &str) {
        let base = "0".repeat(40);
        let kit = self.emu.emulator();
        self.emu
            .run(kit.open_pull(REPO, number, head_sha, &base, "alice"));
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

    pub fn requests(&self) -> Vec<LogEntry> {
        self.admin(async |a| a.requests().await)
    }

    pub fn clear_requests(&self) {
        self.admin(async |a| a.clear_requests().await);
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

/// A 40-hex SHA made from a seed (`infra_ci_testkit::sha` repeats one character; these
/// tests need more distinct commits than there are hex digits).
pub fn sha(seed: u32) -> String {
    format!("{seed:08x}").repeat(5)
}
