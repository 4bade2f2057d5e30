//! Running one scenario: a fresh embedded emulator, a PR and its commit, a foreign comment
//! with a fake marker, then every writer at once (each its own client, as separate jobs
//! would be) under the scenario's faults; faults cleared, the state is checked.

use std::time::Duration;

use infra_ci_core::default_stages;
use infra_ci_emulator::admin::{AdminClient, NewUser, PullFields};
use infra_ci_emulator::{DEFAULT_BOT_LOGIN, DEFAULT_BOT_TOKEN, EmulatorOptions, spawn};
use infra_ci_engine::{Dashboards, EngineError, Target, Tuning};
use infra_ci_github::{Auth, ClientConfig, GitHubClient, RepoId, RetryPolicy};
use rand::{Rng as _, SeedableRng as _};
use secrecy::SecretString;
use serde_json::json;
use tracing::instrument::WithSubscriber as _;

use super::check::{Facts, OpResult, Verdict, check, snapshot};
use super::engine::Engine;
use super::scenario::{MAX_STALE_MS, Scenario};
use crate::error::SoakError;

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

fn client(base: &str) -> Result<GitHubClient, SoakError> {
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

/// A commit SHA drawn from the scenario's seed.
fn sha_of(seed: u64, salt: u64) -> String {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed ^ salt);
    (0..40)
        .map(|_| char::from_digit(rng.random_range(0..16), 16).unwrap_or('0'))
        .collect()
}

/// Runs `s` on a fresh emulator with the real engine and checks it.
pub async fn run(s: &Scenario, quiet: bool) -> Result<Outcome, SoakError> {
    run_with(s, quiet, &[], false).await
}

/// Runs `s` with `engines[w]` as writer `w`'s engine (the real one past the end), all at
/// once or, with `sequential`, one writer after the other (planted-defect tests).
pub async fn run_with(
    s: &Scenario,
    quiet: bool,
    engines: &[Engine],
    sequential: bool,
) -> Result<Outcome, SoakError> {
    let opts = EmulatorOptions {
        rate_limit: Some(u32::MAX),
        // Bulk concurrent writers: GitHub's secondary limits would dominate every scenario.
        no_limits: true,
        repos: vec!["acme/infra".into()],
        ..EmulatorOptions::default()
    };
    let emu = spawn(([127, 0, 0, 1], 0).into(), opts)
        .await
        .map_err(|e| SoakError::failed(format!("cannot start the embedded emulator: {e}")))?;
    let base = emu.base_url();
    let admin = AdminClient::new(&base);
    let result = drive(s, &admin, &base, (quiet, engines, sequential)).await;
    emu.shutdown().await;
    result
}

async fn drive(
    s: &Scenario,
    admin: &AdminClient,
    base: &str,
    (quiet, engines, sequential): (bool, &[Engine], bool),
) -> Result<Outcome, SoakError> {
    let sha = sha_of(s.seed, 0x5A);
    let repo = RepoId::parse(REPO).ok_or_else(|| SoakError::failed("bad soak repo"))?;
    let target = Target {
        repo: repo.clone(),
        pr: PR,
        sha: sha.clone().into(),
        is_head: None,
    };
    let earlier = if s.earlier_dashboard {
        Some(seed_earlier(s, admin, base, &repo).await?)
    } else {
        let pull = PullFields::new(PR, sha.clone()).by("alice");
        admin.pull(REPO, &pull).await?;
        None
    };
    seed_foreign(admin, &sha).await?;
    let before = snapshot(&admin.state().await?);
    admin.clear_requests().await?;
    admin.faults(&s.faults).await?;

    let results = writers(s, base, &target, (quiet, engines, sequential)).await?;

    admin.clear_faults().await?;
    let log = admin.requests().await?;
    let state = admin.state().await?;
    let faults = log.iter().filter(|e| e.fault.is_some()).count() as u64;
    let facts = Facts {
        sha: &sha,
        pr: PR,
        bot: DEFAULT_BOT_LOGIN,
        before: &before,
        earlier,
        faults_injected: faults,
    };
    let verdict = check(&state, &facts, &results);
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
            .filter(|e| e.status.is_some() || e.fault.as_deref() == Some("reset"))
            .count() as u64,
        faults,
        verdict,
        errors: results.iter().filter_map(|r| r.error.clone()).collect(),
    })
}

/// The PR's earlier head with its own dashboard (written fault-free), then the new head.
async fn seed_earlier(
    s: &Scenario,
    admin: &AdminClient,
    base: &str,
    repo: &RepoId,
) -> Result<u64, SoakError> {
    let old = sha_of(s.seed, 0x01D);
    let pull = PullFields::new(PR, old.clone()).by("alice");
    admin.pull(REPO, &pull).await?;
    let forge = client(base)?;
    let target = Target {
        repo: repo.clone(),
        pr: PR,
        sha: old.into(),
        is_head: None,
    };
    let made = Dashboards::new(&forge, default_stages(), tuning())
        .init(&target)
        .await?;
    let pushed = PullFields {
        head_sha: Some(sha_of(s.seed, 0x5A)),
        ..PullFields::default()
    };
    admin.edit_pull(REPO, PR, &pushed).await?;
    Ok(made.comment_id)
}

/// A comment by someone else that carries this commit's marker on its first line.
async fn seed_foreign(admin: &AdminClient, sha: &str) -> Result<(), SoakError> {
    let mallory = NewUser::new("mallory").kind("User").token(FOREIGN_TOKEN);
    admin.user(&mallory).await?;
    let body = format!(
        "{}\n## ⚙️ Commit Dashboard (fake)\n| Stage | Status |\n|-|-|\n| CI Validate | ✅ success |",
        infra_ci_core::marker(sha)
    );
    let res = reqwest::Client::new()
        .post(format!(
            "{}/repos/{REPO}/issues/{PR}/comments",
            admin.base_url()
        ))
        .bearer_auth(FOREIGN_TOKEN)
        .header("user-agent", "infra-ci-soak")
        .json(&json!({ "body": body }))
        .send()
        .await
        .map_err(|e| SoakError::failed(format!("seeding the foreign comment: {e}")))?;
    if !res.status().is_success() {
        return Err(SoakError::failed(format!(
            "seeding the foreign comment: {}",
            res.status()
        )));
    }
    Ok(())
}

/// Every writer at once, each a tokio task with its own client; waits for all. A writer
/// stops at its first failed operation, as a CI job does.
async fn writers(
    s: &Scenario,
    base: &str,
    target: &Target,
    (quiet, engines, sequential): (bool, &[Engine], bool),
) -> Result<Vec<OpResult>, SoakError> {
    let mut tasks = Vec::new();
    let mut results = Vec::new();
    for (w, ops) in s.writers.iter().enumerate() {
        let forge = client(base)?;
        let target = target.clone();
        let ops = ops.clone();
        let engine = engines.get(w).copied().unwrap_or_default();
        let start_ms = if sequential {
            0
        } else {
            Scenario::seed_of(s.seed, w as u64) % 30
        };
        let task = async move {
            tokio::time::sleep(Duration::from_millis(start_ms)).await;
            let dashboards = Dashboards::new(&forge, default_stages(), tuning());
            let mut out = Vec::new();
            for op in ops {
                let error = engine.run(&dashboards, &forge, &target, &op).await.err();
                let failed = error.is_some();
                out.push(OpResult {
                    writer: w,
                    op,
                    contended: matches!(error, Some(EngineError::Contended { .. })),
                    error: error.map(|e| e.to_string()),
                });
                if failed {
                    break;
                }
            }
            out
        };
        let task = if quiet {
            tokio::spawn(task.with_subscriber(tracing::subscriber::NoSubscriber::default()))
        } else {
            tokio::spawn(task)
        };
        if sequential {
            results.extend(join(task).await?);
        } else {
            tasks.push(task);
        }
    }
    for t in tasks {
        results.extend(join(t).await?);
    }
    Ok(results)
}

async fn join(t: tokio::task::JoinHandle<Vec<OpResult>>) -> Result<Vec<OpResult>, SoakError> {
    t.await
        .map_err(|e| SoakError::failed(format!("a soak writer panicked: {e}")))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    //! Each rule shown catching a defect planted in the engine, over a real emulator; the
    //! same scenarios with the real engine pass. Writers run one after the other here so
    //! the outcome does not depend on the scheduler.

    use infra_ci_core::Status;
    use infra_ci_emulator::admin::FaultConfig;

    use super::*;
    use crate::soak::engine::Defect;
    use crate::soak::scenario::Op;

    fn update(w: usize, stage: &str, status: Status) -> Op {
        Op::Update {
            stage: stage.into(),
            status,
            output: format!("w{w}.0 a | b"),
            link: Some(format!(
                "https://github.com/acme/infra/actions/runs/{}",
                1000 + w
            )),
            leg: false,
        }
    }

    /// Two writers, no faults: `ci` then `apply`.
    fn scenario(earlier_dashboard: bool) -> Scenario {
        Scenario {
            seed: 11,
            writers: vec![
                vec![update(0, "ci", Status::Success)],
                vec![update(1, "apply", Status::Running)],
            ],
            faults: FaultConfig::new(11, Vec::new()),
            earlier_dashboard,
        }
    }

    async fn verdict(engines: &[Engine]) -> Verdict {
        run_with(&scenario(false), true, engines, true)
            .await
            .unwrap()
            .verdict
    }

    fn planted(d: Defect) -> Engine {
        Engine::Planted(d)
    }

    /// The rule that `v` broke, and that it is the only one `allowed` besides.
    fn assert_broke(v: &Verdict, rule: &str, allowed: &[&str]) {
        let broken: Vec<&str> = v
            .broken()
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .map(|(r, _)| r)
            .collect();
        assert!(
            broken.contains(&rule),
            "{rule} not caught: {:?}",
            v.problems
        );
        for r in &broken {
            assert!(
                *r == rule || allowed.contains(r),
                "{r} also broken: {:?}",
                v.problems
            );
        }
    }

    #[tokio::test]
    async fn the_real_engine_passes() {
        let v = verdict(&[]).await;
        assert!(!v.failed(), "{:?}", v.problems);
        let o = run_with(&scenario(true), true, &[], true).await.unwrap();
        assert!(!o.verdict.failed(), "{:?}", o.verdict.problems);
        assert_eq!(o.verdict.earlier_minimized, Some(true));
    }

    #[tokio::test]
    async fn an_engine_that_always_fails_is_caught() {
        let e = planted(Defect::FailAlways);
        let v = verdict(&[e, e]).await;
        assert_broke(&v, "failed_without_faults", &[]);
    }

    #[tokio::test]
    async fn giving_up_early_is_caught() {
        let v = verdict(&[Engine::Real, planted(Defect::GiveUpEarly)]).await;
        assert_broke(&v, "contended", &["failed_without_faults"]);
    }

    #[tokio::test]
    async fn skipping_the_reconcile_is_a_lost_update() {
        let v = verdict(&[Engine::Real, planted(Defect::SkipReconcile)]).await;
        assert_broke(&v, "lost_updates", &[]);
    }

    #[tokio::test]
    async fn a_wrong_word_is_caught() {
        let v = verdict(&[planted(Defect::WrongWord)]).await;
        assert_broke(&v, "wrong_statuses", &[]);
    }

    #[tokio::test]
    async fn a_wrong_link_is_caught() {
        let v = verdict(&[Engine::Real, planted(Defect::WrongLink)]).await;
        assert_broke(&v, "wrong_statuses", &[]);
    }

    #[tokio::test]
    async fn a_dropped_row_is_a_lost_update() {
        let v = verdict(&[Engine::Real, planted(Defect::DropRow)]).await;
        assert_broke(&v, "lost_updates", &[]);
    }

    #[tokio::test]
    async fn a_later_writer_that_hides_an_older_status_is_caught() {
        // Writer 0 posts and is killed; writer 1 reads it, then drops it from the comment.
        let v = verdict(&[planted(Defect::PostThenFail), planted(Defect::HideOthers)]).await;
        assert_broke(&v, "unshown_statuses", &["failed_without_faults"]);
        // With the real engine as writer 1, the killed writer's status is shown.
        let v = verdict(&[planted(Defect::PostThenFail)]).await;
        assert_broke(&v, "failed_without_faults", &[]);
    }

    #[tokio::test]
    async fn a_stray_status_is_caught() {
        let v = verdict(&[Engine::Real, planted(Defect::StrayStatus)]).await;
        assert_broke(&v, "unexplained_statuses", &[]);
    }

    #[tokio::test]
    async fn a_minimized_dashboard_is_caught() {
        let v = verdict(&[Engine::Real, planted(Defect::MinimizeCurrent)]).await;
        assert_broke(&v, "minimized_dashboards", &[]);
    }

    #[tokio::test]
    async fn a_duplicate_and_litter_are_caught() {
        let v = verdict(&[Engine::Real, planted(Defect::Duplicate)]).await;
        assert_broke(&v, "duplicate_dashboards", &[]);
        let v = verdict(&[Engine::Real, planted(Defect::Litter)]).await;
        assert_broke(&v, "foreign_edits", &[]);
    }
}
