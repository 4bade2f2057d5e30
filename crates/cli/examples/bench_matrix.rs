//! Updates at scale, one client per job as separate jobs would be, 50 ms emulated latency:
//! an uncontended `update` and `init` (wall time and round trips), 50 parallel writers on
//! one PR (requests and content-creating requests per writer, rows right, refusals), and a
//! whole `/plan` of N projects (the parse job's `init`, then each job's running and result).
//!
//! Run: `cargo run --release -p infra-ci --example bench_matrix` (prints Markdown tables).

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::cast_precision_loss)]

use std::time::{Duration, Instant};

use infra_ci_core::{Status, default_stages};
use infra_ci_emulator::{DEFAULT_BOT_TOKEN, EmulatorOptions, spawn};
use infra_ci_engine::{Dashboards, StageUpdate, Target, Tuning};
use infra_ci_github::{Auth, ClientConfig, Forge, GitHubClient, RepoId};
use secrecy::SecretString;
use serde_json::{Value, json};

const LATENCY_MS: u64 = 50;
const WRITERS: u32 = 50;
const PROJECTS: [u32; 3] = [10, 50, 100];

/// Requests the emulator logged since the last call: (all, content-creating, refused).
#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    all: usize,
    creating: usize,
    refused: usize,
}

struct Bench {
    base: String,
    http: reqwest::Client,
    repo: RepoId,
    next_pr: u64,
}

impl Bench {
    async fn admin(&self, path: &str, body: Value) {
        let r = self
            .http
            .post(format!("{}/_emulator{path}", self.base))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{path}: {}", r.status());
    }

    async fn counts(&self) -> Counts {
        let v: Value = self
            .http
            .get(format!("{}/_emulator/requests", self.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        self.http
            .delete(format!("{}/_emulator/requests", self.base))
            .send()
            .await
            .unwrap();
        let log = v.as_array().unwrap();
        let creating = log
            .iter()
            .filter(|e| {
                matches!(
                    e["method"].as_str(),
                    Some("POST" | "PATCH" | "PUT" | "DELETE")
                )
            })
            .filter(|e| e["path"] != "/graphql")
            .count();
        let refused = log
            .iter()
            .filter(|e| matches!(e["status"].as_u64(), Some(403 | 429)))
            .count();
        Counts {
            all: log.len(),
            creating,
            refused,
        }
    }

    /// A job's own client, as a separate job would have.
    fn client(&self) -> GitHubClient {
        let cfg = ClientConfig::new(Auth::Token(SecretString::from(DEFAULT_BOT_TOKEN)))
            .with_base_url(&self.base)
            .unwrap();
        GitHubClient::new(cfg).unwrap()
    }

    async fn open_pr(&mut self) -> Target {
        self.next_pr += 1;
        let pr = self.next_pr;
        let sha = format!("{:040x}", 0x5eed_0000_u64 + pr);
        self.admin(
            "/repos/acme/bench/pulls",
            json!({"number": pr, "head_sha": sha, "user": "alice"}),
        )
        .await;
        Target {
            repo: self.repo.clone(),
            pr,
            sha,
            is_head: None,
        }
    }

    async fn latency(&self, ms: u64) {
        self.admin("/latency", json!({"ms": ms, "jitter_ms": 0}))
            .await;
    }
}

fn update(stage: String, status: Status) -> StageUpdate {
    StageUpdate {
        output: Some(format!("{stage} {}", status.word())),
        stage,
        status,
        link: None,
        details: None,
    }
}

#[tokio::main]
async fn main() {
    // GitHub's limits stay on (the emulator's default): a design that meets the secondary
    // limit pays its retry-after here as it would on GitHub, and the refused column shows it.
    let emu = spawn(
        ([127, 0, 0, 1], 0).into(),
        EmulatorOptions {
            repos: vec!["acme/bench".into()],
            ..EmulatorOptions::default()
        },
    )
    .await
    .unwrap();
    let mut b = Bench {
        base: emu.base_url(),
        http: reqwest::Client::new(),
        repo: RepoId::parse("acme/bench").unwrap(),
        next_pr: 0,
    };
    // Each experiment starts an hour after the last, as separate runs would: fresh limit
    // windows, so one experiment's writes do not slow the next.
    uncontended(&mut b).await;
    b.admin("/clock", json!({"seconds": 3600})).await;
    parallel(&mut b).await;
    b.admin("/clock", json!({"seconds": 3600})).await;
    plan(&mut b).await;
    emu.shutdown().await;
}

/// Goal 1: an uncontended update's and init's wall time and requests.
async fn uncontended(b: &mut Bench) {
    const N: u32 = 5;
    let target = b.open_pr().await;
    let forge = b.client();
    let dashboards = Dashboards::new(&forge, default_stages(), Tuning::default());
    b.latency(LATENCY_MS).await;
    b.counts().await;
    let t0 = Instant::now();
    dashboards.init(&target).await.unwrap();
    let init_ms = t0.elapsed().as_secs_f64() * 1000.0;
    let init = b.counts().await;
    let mut took = Duration::ZERO;
    for u in 0..N {
        let s = if u % 2 == 0 {
            Status::Running
        } else {
            Status::Success
        };
        let t0 = Instant::now();
        dashboards
            .update(&target, update("plan-platform".into(), s))
            .await
            .unwrap();
        took += t0.elapsed();
    }
    let upd = b.counts().await;
    let per = |x: usize| x as f64 / f64::from(N);
    println!("| uncontended ({LATENCY_MS} ms per request) | requests | content-creating | ms |");
    println!("|---|---:|---:|---:|");
    println!(
        "| `init` creating the dashboard | {} | {} | {init_ms:.0} |",
        init.all, init.creating
    );
    println!(
        "| `update` (mean of {N}) | {:.1} | {:.1} | {:.0} |",
        per(upd.all),
        per(upd.creating),
        took.as_secs_f64() * 1000.0 / f64::from(N)
    );
}

/// Goal 2: WRITERS jobs update one PR at once, each with its own client.
async fn parallel(b: &mut Bench) {
    let target = b.open_pr().await;
    b.latency(0).await;
    let setup = b.client();
    Dashboards::new(&setup, default_stages(), Tuning::default())
        .init(&target)
        .await
        .unwrap();
    b.latency(LATENCY_MS).await;
    b.counts().await;
    let clients: Vec<GitHubClient> = (0..WRITERS).map(|_| b.client()).collect();
    let t0 = Instant::now();
    let jobs = clients.iter().enumerate().map(|(i, forge)| {
        let target = target.clone();
        async move {
            Dashboards::new(forge, default_stages(), Tuning::default())
                .update(&target, update(format!("project-{i}"), Status::Success))
                .await
        }
    });
    let failed = futures::future::join_all(jobs)
        .await
        .iter()
        .filter(|r| r.is_err())
        .count();
    let wall = t0.elapsed().as_secs_f64();
    let c = b.counts().await;
    b.latency(0).await;
    let shown = Dashboards::new(&setup, default_stages(), Tuning::default())
        .show(&target)
        .await
        .unwrap();
    let body = setup
        .get_comment(&target.repo, shown.comment_id.unwrap())
        .await
        .unwrap();
    let right = (0..WRITERS)
        .filter(|i| {
            body.body()
                .contains(&format!("| project-{i} | ✅ success |"))
        })
        .count();
    let per = |x: usize| x as f64 / f64::from(WRITERS);
    println!("\n| {WRITERS} parallel writers on one PR | figure |");
    println!("|---|---:|");
    println!("| rows right in the comment | {right} of {WRITERS} |");
    println!("| writers failed | {failed} |");
    println!("| requests per writer | {:.2} |", per(c.all));
    println!(
        "| content-creating requests per writer | {:.2} |",
        per(c.creating)
    );
    println!("| content-creating requests in all | {} |", c.creating);
    println!("| requests refused (403/429) | {} |", c.refused);
    println!("| wall time of the burst | {wall:.2} s |");
}

/// Goal 3: a `/plan` of N projects: the parse job's `init`, then every job's running and
/// result (jobs start together, each with its own client).
async fn plan(b: &mut Bench) {
    println!(
        "\n| `/plan` of N projects | requests | per project | content-creating | refused (403/429) | jobs failed | rows right |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    for &n in &PROJECTS {
        let target = b.open_pr().await;
        b.latency(LATENCY_MS).await;
        b.counts().await;
        let parse = b.client();
        Dashboards::new(&parse, default_stages(), Tuning::default())
            .init(&target)
            .await
            .unwrap();
        let clients: Vec<GitHubClient> = (0..n).map(|_| b.client()).collect();
        let jobs = clients.iter().enumerate().map(|(i, forge)| {
            let target = target.clone();
            async move {
                let d = Dashboards::new(forge, default_stages(), Tuning::default());
                let stage = format!("plan-{i}");
                d.update(&target, update(stage.clone(), Status::Running))
                    .await?;
                d.update(&target, update(stage, Status::Success)).await
            }
        });
        let failed = futures::future::join_all(jobs)
            .await
            .iter()
            .filter(|r| r.is_err())
            .count();
        // A job that fails is a result, not a crash of the bench: with GitHub's secondary
        // limits on, a burst of writes from one token is refused after its retries.
        let c = b.counts().await;
        b.latency(0).await;
        let shown = Dashboards::new(&parse, default_stages(), Tuning::default())
            .show(&target)
            .await
            .unwrap();
        let body = parse
            .get_comment(&target.repo, shown.comment_id.unwrap())
            .await
            .unwrap();
        let right = (0..n)
            .filter(|i| body.body().contains(&format!("| plan-{i} | ✅ success |")))
            .count();
        println!(
            "| {n} | {} | {:.2} | {} | {} | {failed} | {right} of {n} |",
            c.all,
            c.all as f64 / f64::from(n),
            c.creating,
            c.refused
        );
    }
}
