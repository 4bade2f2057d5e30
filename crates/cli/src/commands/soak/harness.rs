//! Running one scenario: a fresh embedded emulator, a PR and its commit, a foreign comment
//! with a fake marker, then every writer at once (each its own client, as separate jobs
//! would be) under the scenario's faults; faults cleared, the state is checked.

use std::time::Duration;

use infra_ci_core::default_stages;
use infra_ci_emulator::{DEFAULT_BOT_LOGIN, DEFAULT_BOT_TOKEN, EmulatorOptions, spawn};
use infra_ci_engine::{Dashboards, StageUpdate, Target, Tuning};
use infra_ci_github::{Auth, ClientConfig, GitHubClient, RepoId, RetryPolicy};
use rand::{Rng as _, SeedableRng as _};
use secrecy::SecretString;
use serde_json::{Value, json};
use tracing::instrument::WithSubscriber as _;

use super::check::{OpResult, Verdict, check, foreign_snapshot};
use super::scenario::{MAX_STALE_MS, Op, Scenario};
use crate::exit::CliError;

const REPO: &str = "acme/infra";
const PR: u64 = 7;
const FOREIGN_TOKEN: &str = "mallory-token";

/// What one scenario did and what its checks found.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub writers: u64,
    pub ops: u64,
    pub failed_ops: u64,
    pub failed_writers: u64,
    /// API requests the writers sent (the request log, setup excluded).
    pub requests: u64,
    /// Faults the emulator injected.
    pub faults: u64,
    pub verdict: Verdict,
    /// The errors of failed operations.
    pub errors: Vec<String>,
}

/// Client and engine knobs for a soak: short waits so a scenario takes well under a second,
/// and a settle pause longer than the longest stale read.
pub fn tuning() -> Tuning {
    Tuning {
        jitter_ms: 10,
        settle_ms: MAX_STALE_MS + 50,
        ..Tuning::default()
    }
}

fn client(base: &str) -> Result<GitHubClient, CliError> {
    let mut cfg = ClientConfig::new(Auth::Token(SecretString::from(DEFAULT_BOT_TOKEN)))
        .with_base_url(base)?;
    cfg.retry = RetryPolicy {
        max_attempts: 6,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(80),
        secondary_rate_limit_wait: Duration::from_millis(200),
        rate_limit_window: Duration::from_secs(5),
    };
    cfg.request_timeout = Duration::from_secs(10);
    cfg.deadline = Duration::from_mins(2);
    Ok(GitHubClient::new(cfg)?)
}

/// The emulator's admin API.
struct Admin {
    http: reqwest::Client,
    base: String,
}

impl Admin {
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, CliError> {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req
            .send()
            .await
            .map_err(|e| CliError::failed(format!("emulator admin {path}: {e}")))?;
        if !res.status().is_success() {
            return Err(CliError::failed(format!(
                "emulator admin {path}: {}",
                res.status()
            )));
        }
        Ok(res.json().await.unwrap_or(Value::Null))
    }
    async fn post(&self, path: &str, body: Value) -> Result<Value, CliError> {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }
}

/// A commit SHA drawn from the scenario's seed.
fn sha_of(seed: u64, salt: u64) -> String {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed ^ salt);
    (0..40)
        .map(|_| char::from_digit(rng.random_range(0..16), 16).unwrap_or('0'))
        .collect()
}

/// Runs `s` on a fresh emulator and checks it.
pub async fn run(s: &Scenario, quiet: bool) -> Result<Outcome, CliError> {
    let opts = EmulatorOptions {
        rate_limit: Some(u32::MAX),
        // Bulk concurrent writers: GitHub's secondary limits would dominate every scenario.
        no_limits: true,
        repos: vec!["acme/infra".into()],
        ..EmulatorOptions::default()
    };
    let emu = spawn(([127, 0, 0, 1], 0).into(), opts)
        .await
        .map_err(|e| CliError::failed(format!("cannot start the embedded emulator: {e}")))?;
    let base = emu.base_url();
    let admin = Admin {
        http: reqwest::Client::new(),
        base: base.clone(),
    };
    let result = drive(s, &admin, &base, quiet).await;
    emu.shutdown().await;
    result
}

async fn drive(s: &Scenario, admin: &Admin, base: &str, quiet: bool) -> Result<Outcome, CliError> {
    let sha = sha_of(s.seed, 0x5A);
    let repo = RepoId::parse(REPO).ok_or_else(|| CliError::failed("bad soak repo"))?;
    let target = Target {
        repo: repo.clone(),
        pr: PR,
        sha: sha.clone(),
    };
    let earlier = if s.earlier_dashboard {
        Some(seed_earlier(s, admin, base, &repo).await?)
    } else {
        admin
            .post(
                &format!("/_emulator/repos/{REPO}/pulls"),
                json!({"number": PR, "head_sha": sha, "user": "alice"}),
            )
            .await?;
        None
    };
    seed_foreign(admin, &sha).await?;
    let before = foreign_snapshot(&state(admin).await?, DEFAULT_BOT_LOGIN);
    admin
        .send(reqwest::Method::DELETE, "/_emulator/requests", None)
        .await?;
    admin.post("/_emulator/faults", s.faults.clone()).await?;

    let results = writers(s, base, &target, quiet).await?;

    admin
        .send(reqwest::Method::DELETE, "/_emulator/faults", None)
        .await?;
    let log = admin
        .send(reqwest::Method::GET, "/_emulator/requests", None)
        .await?;
    let state = state(admin).await?;
    let verdict = check(&state, &sha, DEFAULT_BOT_LOGIN, &results, &before, earlier);
    let log = log.as_array().map_or(&[][..], Vec::as_slice);
    let mut failed_writers: Vec<usize> = results
        .iter()
        .filter(|r| r.error.is_some())
        .map(|r| r.writer)
        .collect();
    failed_writers.dedup();
    Ok(Outcome {
        writers: s.writers.len() as u64,
        ops: results.len() as u64,
        failed_ops: results.iter().filter(|r| r.error.is_some()).count() as u64,
        failed_writers: failed_writers.len() as u64,
        // A dropped connection is logged twice (the drop, then the unsent answer).
        requests: log
            .iter()
            .filter(|e| !e["status"].is_null() || e["fault"] == "reset")
            .count() as u64,
        faults: log.iter().filter(|e| !e["fault"].is_null()).count() as u64,
        verdict,
        errors: results.iter().filter_map(|r| r.error.clone()).collect(),
    })
}

async fn state(admin: &Admin) -> Result<Value, CliError> {
    admin
        .send(reqwest::Method::GET, "/_emulator/state", None)
        .await
}

/// The PR's earlier head with its own dashboard (written fault-free), then the new head.
async fn seed_earlier(
    s: &Scenario,
    admin: &Admin,
    base: &str,
    repo: &RepoId,
) -> Result<u64, CliError> {
    let old = sha_of(s.seed, 0x01D);
    admin
        .post(
            &format!("/_emulator/repos/{REPO}/pulls"),
            json!({"number": PR, "head_sha": old, "user": "alice"}),
        )
        .await?;
    let forge = client(base)?;
    let target = Target {
        repo: repo.clone(),
        pr: PR,
        sha: old,
    };
    let made = Dashboards::new(&forge, default_stages(), tuning())
        .init(&target)
        .await?;
    admin
        .send(
            reqwest::Method::PATCH,
            &format!("/_emulator/repos/{REPO}/pulls/{PR}"),
            Some(json!({"head_sha": sha_of(s.seed, 0x5A)})),
        )
        .await?;
    Ok(made.comment_id)
}

/// A comment by someone else that carries this commit's marker on its first line.
async fn seed_foreign(admin: &Admin, sha: &str) -> Result<(), CliError> {
    admin
        .post(
            "/_emulator/users",
            json!({"login": "mallory", "type": "User", "token": FOREIGN_TOKEN}),
        )
        .await?;
    let body = format!(
        "{}\n## ⚙️ Commit Dashboard (fake)\n| Stage | Status |\n|-|-|\n| CI Validate | ✅ success |",
        infra_ci_core::marker(sha)
    );
    let res = admin
        .http
        .post(format!("{}/repos/{REPO}/issues/{PR}/comments", admin.base))
        .bearer_auth(FOREIGN_TOKEN)
        .header("user-agent", "infra-ci-soak")
        .json(&json!({ "body": body }))
        .send()
        .await
        .map_err(|e| CliError::failed(format!("seeding the foreign comment: {e}")))?;
    if !res.status().is_success() {
        return Err(CliError::failed(format!(
            "seeding the foreign comment: {}",
            res.status()
        )));
    }
    Ok(())
}

/// Every writer at once, each a tokio task with its own client; waits for all.
async fn writers(
    s: &Scenario,
    base: &str,
    target: &Target,
    quiet: bool,
) -> Result<Vec<OpResult>, CliError> {
    let mut tasks = Vec::new();
    for (w, ops) in s.writers.iter().enumerate() {
        let forge = client(base)?;
        let target = target.clone();
        let ops = ops.clone();
        let start_ms = Scenario::seed_of(s.seed, w as u64) % 30;
        let task = async move {
            tokio::time::sleep(Duration::from_millis(start_ms)).await;
            let dashboards = Dashboards::new(&forge, default_stages(), tuning());
            let mut out = Vec::new();
            for op in ops {
                let error = match &op {
                    Op::Init => dashboards.init(&target).await.err(),
                    Op::Update {
                        stage,
                        status,
                        output,
                        link,
                    } => dashboards
                        .update(
                            &target,
                            StageUpdate {
                                stage: stage.clone(),
                                status: *status,
                                link: link.clone(),
                                output: Some(output.clone()),
                                details: None,
                            },
                        )
                        .await
                        .err(),
                };
                out.push(OpResult {
                    writer: w,
                    op,
                    error: error.map(|e| e.to_string()),
                });
            }
            out
        };
        tasks.push(if quiet {
            tokio::spawn(task.with_subscriber(tracing::subscriber::NoSubscriber::default()))
        } else {
            tokio::spawn(task)
        });
    }
    let mut results = Vec::new();
    for t in tasks {
        results.extend(
            t.await
                .map_err(|e| CliError::failed(format!("a soak writer panicked: {e}")))?,
        );
    }
    Ok(results)
}
