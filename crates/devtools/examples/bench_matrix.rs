//! Updates at scale, one client per job as separate jobs would be, 50 ms emulated latency:
//! an uncontended `update` and `init` (wall time and round trips), 50 parallel writers on
//! one PR (requests and content-creating requests per writer, rows right, refusals), and a
//! whole `/plan` of N projects (the parse job, then each job's running and result, each
//! result with its details as a real plan's), reported as the previous default (ADR 0010:
//! the running posted alone, every result rendering its details) and as now (ADR 0014: a
//! run of legs posting results only, the run's close job rendering every leg's details),
//! with the results right after the runnings, a minute later at once, or one by one.
//!
//! Run: `cargo run --release -p infra-ci-devtools --example bench_matrix [uncontended|parallel|plan]`
//! (prints Markdown tables; with a name, that experiment alone).

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::cast_precision_loss)]

use std::time::{Duration, Instant};

use infra_ci_core::{Status, default_stages};
use infra_ci_emulator::admin::{AdminClient, Latency, PullFields};
use infra_ci_emulator::{DEFAULT_BOT_TOKEN, EmulatorOptions, spawn};
use infra_ci_engine::{Dashboards, LegDetails, StageUpdate, Target, Tuning};
use infra_ci_github::{Auth, ClientConfig, Forge, GitHubClient, RepoId};
use secrecy::SecretString;

const LATENCY_MS: u64 = 50;
const WRITERS: u32 = 50;
const BURSTS: u32 = 5;
const PROJECTS: [u32; 3] = [10, 50, 100];
/// The workflow run a `/plan`'s run mark names (its close job's `GITHUB_RUN_ID`).
const RUN_ID: u64 = 1;

/// Requests the emulator logged since the last call: (all, content-creating, refused).
#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    all: usize,
    creating: usize,
    refused: usize,
    /// `304 Not Modified` answers: GitHub does not count them against the primary limit.
    not_modified: usize,
}

struct Bench {
    base: String,
    admin: AdminClient,
    repo: RepoId,
    next_pr: u64,
}

impl Bench {
    async fn counts(&self) -> Counts {
        let log = self.admin.requests().await.unwrap();
        self.admin.clear_requests().await.unwrap();
        let creating = log
            .iter()
            .filter(|e| matches!(e.method.as_str(), "POST" | "PATCH" | "PUT" | "DELETE"))
            .filter(|e| e.path != "/graphql")
            .count();
        let refused = log
            .iter()
            .filter(|e| matches!(e.status, Some(403 | 429)))
            .count();
        let not_modified = log.iter().filter(|e| e.status == Some(304)).count();
        Counts {
            all: log.len(),
            creating,
            refused,
            not_modified,
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
        let pull = PullFields::new(pr, sha.clone()).by("alice");
        self.admin.pull("acme/bench", &pull).await.unwrap();
        Target {
            repo: self.repo.clone(),
            pr,
            sha: sha.into(),
            is_head: None,
        }
    }

    async fn latency(&self, ms: u64) {
        let latency = Latency { ms, jitter_ms: 0 };
        self.admin.latency(&latency).await.unwrap();
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

/// A plan's result as a real plan brings it: with details (its summary, by name).
fn with_details(mut u: StageUpdate) -> StageUpdate {
    u.details = Some(format!("To create (1): aws_s3_bucket.{}", u.stage));
    u
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
        admin: AdminClient::new(&emu.base_url()),
        repo: RepoId::parse("acme/bench").unwrap(),
        next_pr: 0,
    };
    // Each experiment starts an hour after the last, as separate runs would: fresh limit
    // windows, so one experiment's writes do not slow the next.
    // `bench_matrix parallel` or `bench_matrix plan` runs that experiment alone.
    let only = std::env::args().nth(1);
    let runs = |name: &str| only.as_deref().is_none_or(|o| o == name);
    if runs("uncontended") {
        uncontended(&mut b).await;
    }
    if runs("parallel") {
        parallel(&mut b).await;
    }
    if runs("plan") {
        b.admin.advance_clock(3600).await.unwrap();
        plan(&mut b).await;
    }
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
    // One burst's interleaving decides how many writers see a later one before rendering:
    // BURSTS of them, each an hour after the last, and their mean.
    println!(
        "\n| {WRITERS} parallel writers on one PR | rows right | writers failed | requests per writer | charged per writer (not 304) | content-creating per writer | content-creating in all | refused (403/429) | wall time |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for legs in [false, true] {
        let name = if legs {
            "legs of a run (now: default)"
        } else {
            "plain `update`"
        };
        let (mut all, mut charged, mut creating) = (0, 0, 0);
        for run in 1..=BURSTS {
            b.admin.advance_clock(3600).await.unwrap();
            let (c, right, failed, wall) = parallel_once(b, legs).await;
            all += c.all;
            charged += c.all - c.not_modified;
            creating += c.creating;
            println!(
                "| {name}, burst {run} | {right} of {WRITERS} | {failed} | {:.2} | {:.2} | {:.2} | {} | {} | {wall:.2} s |",
                per_writer(c.all),
                per_writer(c.all - c.not_modified),
                per_writer(c.creating),
                c.creating,
                c.refused
            );
        }
        println!(
            "| **{name}, mean of {BURSTS}** | | | **{:.2}** | {:.2} | **{:.2}** | | | |",
            per_writer(all) / f64::from(BURSTS),
            per_writer(charged) / f64::from(BURSTS),
            per_writer(creating) / f64::from(BURSTS)
        );
    }
}

fn per_writer(x: usize) -> f64 {
    x as f64 / f64::from(WRITERS)
}

/// One burst: (counts, rows right, writers failed, wall seconds).
/// `legs`: the writers are a run's legs (the routing job opened the run, each posts its
/// result with `update_in_run`); otherwise each makes an `update` after a plain `init`.
async fn parallel_once(b: &mut Bench, legs: bool) -> (Counts, usize, usize, f64) {
    let target = b.open_pr().await;
    b.latency(0).await;
    let setup = b.client();
    let setup_d = Dashboards::new(&setup, default_stages(), Tuning::default());
    if legs {
        let keys: Vec<String> = (0..WRITERS).map(|i| format!("project-{i}")).collect();
        setup_d.open_run(&target, &keys, None, None).await.unwrap();
    } else {
        setup_d.init(&target).await.unwrap();
    }
    b.latency(LATENCY_MS).await;
    b.counts().await;
    let clients: Vec<GitHubClient> = (0..WRITERS).map(|_| b.client()).collect();
    let t0 = Instant::now();
    let jobs = clients.iter().enumerate().map(|(i, forge)| {
        let target = target.clone();
        async move {
            let d = Dashboards::new(forge, default_stages(), Tuning::default());
            let u = update(format!("project-{i}"), Status::Success);
            if legs {
                // As the workflow's legs: `parse`'s outputs, their details left to the close job.
                let u = with_details(u);
                d.update_in_run_as_routed(&target, u, true).await
            } else {
                d.update(&target, u).await
            }
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
    (c, right, failed, wall)
}

/// How a `/plan`'s jobs report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Design {
    /// The `running` posted alone (`post_status`), the result an `update` that renders its
    /// details (ADR 0010; the default until ADR 0014 for real plans).
    RunningAlone,
    /// The parse job opens the run (`open_run`: every row running in its one write, the
    /// run marked in its fence); each job posts only its result and one read
    /// (`update_in_run_as_routed`, its details left to the close job), and the run's close
    /// job renders every leg's details once (`close_run`, ADR 0014; the default now).
    RunClosed,
}

/// When the jobs' results come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Timing {
    /// Each job's result right after its running, all jobs at once (the bench until now).
    Burst,
    /// All runnings at once; a minute later (the plans) all results at once.
    AMinuteApart,
    /// All runnings at once; a minute later the results one after another (plans of
    /// different lengths: every result alone, nothing to coalesce).
    OneByOne,
}

/// Goal 3: a `/plan` of N projects: the parse job's `init`, then every job's running and
/// result, each job with its own client; each run an hour after the last (fresh limits).
async fn plan(b: &mut Bench) {
    println!(
        "\n| `/plan` of N projects, real plans (details) | results | N | requests | charged (not 304) | charged per project | parse job (constant) | jobs' charged per project | close job (constant) | content-creating | refused (403/429) | jobs failed | rows right | details shown | rows left running | s |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for timing in [Timing::Burst, Timing::AMinuteApart, Timing::OneByOne] {
        for design in [Design::RunningAlone, Design::RunClosed] {
            for &n in &PROJECTS {
                if n > 50 && design != Design::RunClosed {
                    // ADR 0010's 100-project runs meet the hour's 1,000 requests or the
                    // secondary limit and wait out minutes of Retry-After (BENCHMARKS.md
                    // has their figures); the bench keeps its run short.
                    continue;
                }
                b.admin.advance_clock(3600).await.unwrap();
                plan_once(b, n, design, timing).await;
            }
        }
    }
}

async fn plan_once(b: &mut Bench, n: u32, design: Design, timing: Timing) {
    let target = b.open_pr().await;
    b.latency(LATENCY_MS).await;
    b.counts().await;
    let t0 = Instant::now();
    let parse = b.client();
    let parse_d = Dashboards::new(&parse, default_stages(), Tuning::default());
    let keys: Vec<String> = (0..n).map(|i| format!("plan-{i}")).collect();
    if design == Design::RunClosed {
        parse_d
            .open_run(&target, &keys, None, Some(RUN_ID))
            .await
            .unwrap();
    } else {
        parse_d.init(&target).await.unwrap();
    }
    let parse_c = b.counts().await;
    let clients: Vec<GitHubClient> = (0..n).map(|_| b.client()).collect();
    // The legs' details records, as the workflow's artifacts carry them to the close job.
    let records = std::sync::Mutex::new(Vec::new());
    let report = |i: usize, status: Status| {
        let forge = &clients[i];
        let target = target.clone();
        let records = &records;
        async move {
            let d = Dashboards::new(forge, default_stages(), Tuning::default());
            let mut u = update(format!("plan-{i}"), status);
            if status.is_terminal() {
                u = with_details(u);
            }
            match (design, status) {
                // The run's rows were shown running by the parse job: no running to post.
                (Design::RunClosed, Status::Running) => Ok(()),
                (Design::RunClosed, _) => {
                    let details = u.details.clone().unwrap_or_default();
                    let out = d.update_in_run_as_routed(&target, u, true).await?;
                    records.lock().unwrap().push(LegDetails {
                        stage: format!("plan-{i}"),
                        status_id: out.status_id.unwrap_or(0),
                        details,
                    });
                    Ok(())
                }
                (Design::RunningAlone, Status::Running) => {
                    d.post_status(&target, u).await.map(|_| ())
                }
                _ => d.update(&target, u).await.map(|_| ()),
            }
        }
    };
    // A job that fails is a result, not a crash of the bench: with GitHub's secondary
    // limits on, a burst of writes from one token is refused after its retries.
    let mut failed = 0;
    if timing == Timing::Burst {
        let jobs = (0..n as usize).map(|i| async move {
            report(i, Status::Running).await?;
            report(i, Status::Success).await
        });
        failed += futures::future::join_all(jobs)
            .await
            .iter()
            .filter(|r| r.is_err())
            .count();
    } else {
        let runnings = (0..n as usize).map(|i| report(i, Status::Running));
        failed += futures::future::join_all(runnings)
            .await
            .iter()
            .filter(|r| r.is_err())
            .count();
        b.admin.advance_clock(60).await.unwrap();
        if timing == Timing::AMinuteApart {
            let results = (0..n as usize).map(|i| report(i, Status::Success));
            failed += futures::future::join_all(results)
                .await
                .iter()
                .filter(|r| r.is_err())
                .count();
        } else {
            for i in 0..n as usize {
                failed += usize::from(report(i, Status::Success).await.is_err());
            }
        }
    }
    let jobs_c = b.counts().await;
    // The run's close job, after every leg (its own client).
    if design == Design::RunClosed {
        let close = b.client();
        let records = std::mem::take(&mut *records.lock().unwrap());
        if let Err(e) = Dashboards::new(&close, default_stages(), Tuning::default())
            .close_run(&target, &keys, RUN_ID, None, records)
            .await
        {
            eprintln!("close job failed: {e}");
            failed += 1;
        }
    }
    let close_c = b.counts().await;
    let secs = t0.elapsed().as_secs_f64();
    let c = Counts {
        all: parse_c.all + jobs_c.all + close_c.all,
        creating: parse_c.creating + jobs_c.creating + close_c.creating,
        refused: parse_c.refused + jobs_c.refused + close_c.refused,
        not_modified: parse_c.not_modified + jobs_c.not_modified + close_c.not_modified,
    };
    b.latency(0).await;
    // Checking is no part of the run: an hour later, so it never meets the run's limits.
    b.admin.advance_clock(3600).await.unwrap();
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
    let detailed = (0..n)
        .filter(|i| body.body().contains(&format!("aws_s3_bucket.plan-{i}")))
        .count();
    let running = body.body().matches("🔄").count();
    let charged = c.all - c.not_modified;
    let jobs_charged = jobs_c.all - jobs_c.not_modified;
    println!(
        "| {} | {} | {n} | {} | {charged} | {:.2} | {} | {:.2} | {} | {} | {} | {failed} | {right} of {n} | {detailed} of {n} | {running} | {secs:.0} |",
        match design {
            Design::RunningAlone => "previous default (ADR 0010)",
            Design::RunClosed => "run and close job (now, ADR 0014)",
        },
        match timing {
            Timing::Burst => "right after each running",
            Timing::AMinuteApart => "a minute later, all at once",
            Timing::OneByOne => "a minute later, one by one",
        },
        c.all,
        charged as f64 / f64::from(n),
        parse_c.all - parse_c.not_modified,
        jobs_charged as f64 / f64::from(n),
        close_c.all - close_c.not_modified,
        c.creating,
        c.refused
    );
}
