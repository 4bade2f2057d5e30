//! Concurrent first writers converge on one dashboard even when list reads lag (stale
//! reads), over HTTP against the emulator.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use crate::support::Env;
use infra_ci_core::{StageDef, Status, default_stages, marker::is_dashboard_of};
use infra_ci_engine::{Dashboards, StageUpdate, Target, Tuning};
use infra_ci_github::{Forge as _, RepoId};
use infra_ci_testkit::admin::{FaultConfig, FaultKind, PullFields, Rule};
use infra_ci_testkit::{DEFAULT_BOT_LOGIN, DEFAULT_BOT_TOKEN};
use serde_json::Value;

const STALE_MS: u64 = 300;

fn tuning() -> Tuning {
    Tuning {
        jitter_ms: 10,
        settle_ms: STALE_MS + 50,
        ..Tuning::default()
    }
}

/// A stage's new state as a job reports it, linking nowhere.
fn update(
    stage: impl Into<String>,
    status: Status,
    output: Option<String>,
    details: Option<String>,
) -> StageUpdate {
    StageUpdate {
        stage: stage.into(),
        status,
        link: None,
        output,
        details,
    }
}

/// Commit `n`'s 40-hex sha (seven significant digits, so each round gets its own marker).
fn round_sha(n: u64) -> String {
    format!("{n:07x}{}", "0".repeat(33))
}

/// The seed's stages and `n` project rows `plan-0`…`plan-{n-1}` ("Plan: p0", …).
fn with_plans(n: usize) -> Vec<StageDef> {
    let mut stages = default_stages();
    stages.extend((0..n).map(|i| StageDef::new(format!("plan-{i}"), format!("Plan: p{i}"))));
    stages
}

/// Opens pull request `pr` on `sha` in `acme/infra` and returns the dashboard target.
async fn open_pr(env: &Env, pr: u64, sha: &str) -> Target {
    env.admin()
        .pull("acme/infra", &PullFields::new(pr, sha).by("alice"))
        .await
        .unwrap();
    Target {
        repo: RepoId::parse("acme/infra").unwrap(),
        pr,
        sha: sha.to_owned().into(),
        is_head: None,
    }
}

fn dashboards_of(state: &Value, sha: &str) -> Vec<Value> {
    state["comments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["user"] == DEFAULT_BOT_LOGIN && c["deleted"] == false)
        .filter(|c| is_dashboard_of(c["body"].as_str().unwrap_or(""), sha))
        .cloned()
        .collect()
}

/// Eight jobs start at once on a fresh commit while list reads lag by up to 300 ms: the
/// later creator must still see the earlier one (it waits out the lag before looking), so
/// exactly one dashboard remains and no job fails on a duplicate deleted under it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_first_writers_converge_under_stale_reads() {
    let env = Env::bare().await;
    env.admin()
        .faults(&FaultConfig {
            stale_ms: STALE_MS,
            ..FaultConfig::new(3, vec![])
        })
        .await
        .unwrap();
    for round in 0..4u64 {
        // Rounds are a minute apart, as separate pushes would be: the writes of one round
        // stay under GitHub's 80-per-minute secondary limit (on in the emulator).
        env.admin().advance_clock(61).await.unwrap();
        let sha = round_sha(0x0abc_0000 + round);
        let target = open_pr(&env, 10 + round, &sha).await;
        let jobs: Vec<_> = (0..8)
            .map(|i| {
                let forge = env.client(DEFAULT_BOT_TOKEN);
                let target = target.clone();
                tokio::spawn(async move {
                    let d = Dashboards::new(&forge, default_stages(), tuning());
                    if i % 2 == 0 {
                        d.init(&target).await.map(|_| ())
                    } else {
                        d.update(
                            &target,
                            update(
                                default_stages()[i].key.clone(),
                                Status::Running,
                                Some(format!("job {i}")),
                                None,
                            ),
                        )
                        .await
                        .map(|_| ())
                    }
                })
            })
            .collect();
        for j in jobs {
            j.await.unwrap().unwrap();
        }
        let ours = dashboards_of(&env.state().await, &sha);
        assert_eq!(ours.len(), 1, "round {round}: {ours:#?}");
        // The updating jobs' rows are there too (written out, not computed).
        let body = ours[0]["body"].as_str().unwrap();
        for row in [
            "| Plan: bootstrap | 🔄 running | job 1 |",
            "| Plan: data-staging | 🔄 running | job 3 |",
            "| Apply | 🔄 running | job 5 |",
            "| AI Review | 🔄 running | job 7 |",
        ] {
            assert!(
                body.contains(row),
                "round {round}: {row:?} missing from {body}"
            );
        }
    }
    env.shutdown().await;
}

/// Eight jobs update eight stages at once on an existing dashboard while status reads lag
/// by up to 300 ms: every job's status must be on the dashboard when all have returned.
/// (A read-back right after a PATCH can miss a status posted just before it, so the job
/// whose PATCH overwrote another's rows would stop too early.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_updates_are_not_lost_under_stale_reads() {
    let env = Env::bare().await;
    for round in 0..4u64 {
        env.admin().advance_clock(61).await.unwrap();
        let sha = round_sha(0x0def_0000 + round);
        let target = open_pr(&env, 20 + round, &sha).await;
        let first = env.client(DEFAULT_BOT_TOKEN);
        Dashboards::new(&first, default_stages(), tuning())
            .init(&target)
            .await
            .unwrap();
        env.admin()
            .faults(&FaultConfig {
                stale_ms: STALE_MS,
                ..FaultConfig::new(round, vec![])
            })
            .await
            .unwrap();
        let jobs: Vec<_> = default_stages()
            .into_iter()
            .map(|stage| {
                let forge = env.client(DEFAULT_BOT_TOKEN);
                let target = target.clone();
                tokio::spawn(async move {
                    Dashboards::new(&forge, default_stages(), tuning())
                        .update(
                            &target,
                            update(
                                stage.key.clone(),
                                Status::Success,
                                Some(format!("done {}", stage.key)),
                                None,
                            ),
                        )
                        .await
                })
            })
            .collect();
        for j in jobs {
            j.await.unwrap().unwrap();
        }
        env.admin().clear_faults().await.unwrap();
        let ours = dashboards_of(&env.state().await, &sha);
        assert_eq!(ours.len(), 1);
        let shown =
            infra_ci_core::parse(ours[0]["body"].as_str().unwrap(), &default_stages()).unwrap();
        for stage in default_stages() {
            let row = shown.stage(&stage.key).unwrap();
            assert_eq!(
                (row.status, row.output.clone()),
                (Status::Success, Some(format!("done {}", stage.key))),
                "round {round}: {} lost",
                stage.key
            );
        }
    }
    env.shutdown().await;
}

/// A `/plan` of sixteen projects while status reads lag by up to 300 ms: each job posts its
/// `running` alone (no render, ADR 0010), then, a moment later, its result through a full
/// update, the jobs interleaved (some results land before other jobs' runnings). When all
/// have returned, every project's row shows its result and no row is left running.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runnings_posted_alone_then_results_lose_no_row_under_stale_reads() {
    const JOBS: usize = 16;
    let env = Env::bare().await;
    let stages = with_plans(JOBS);
    for round in 0..3u64 {
        env.admin().advance_clock(61).await.unwrap();
        let sha = round_sha(0x0ace_0000 + round);
        let target = open_pr(&env, 40 + round, &sha).await;
        let parse = env.client(DEFAULT_BOT_TOKEN);
        Dashboards::new(&parse, stages.clone(), tuning())
            .init(&target)
            .await
            .unwrap();
        env.admin()
            .faults(&FaultConfig {
                stale_ms: STALE_MS,
                ..FaultConfig::new(7 + round, vec![])
            })
            .await
            .unwrap();
        let jobs: Vec<_> = (0..JOBS)
            .map(|i| {
                let forge = env.client(DEFAULT_BOT_TOKEN);
                let target = target.clone();
                let stages = stages.clone();
                let spread = u64::try_from(i).unwrap();
                tokio::spawn(async move {
                    let d = Dashboards::new(&forge, stages, tuning());
                    let stage = format!("plan-{i}");
                    tokio::time::sleep(Duration::from_millis((spread * 37 + round * 11) % 60))
                        .await;
                    let posted = d
                        .post_status(&target, update(stage.clone(), Status::Running, None, None))
                        .await?;
                    assert!(posted.status_id.is_some());
                    tokio::time::sleep(Duration::from_millis((spread * 53) % 90)).await;
                    let status = if i % 3 == 0 {
                        Status::Failure
                    } else {
                        Status::Success
                    };
                    d.update(
                        &target,
                        update(stage, status, Some(format!("result {i}")), None),
                    )
                    .await
                })
            })
            .collect();
        for j in jobs {
            j.await.unwrap().unwrap();
        }
        env.admin().clear_faults().await.unwrap();
        assert_plan_rows_ended_right(&env, &sha, &stages, JOBS, round).await;
    }
    env.shutdown().await;
}

/// A `/plan` of twelve projects as a run (ADR 0012) while status reads lag by up to 300 ms:
/// the routing job shows every row running in its one write and marks the run; each leg
/// posts only its result (`update_in_run`), the legs interleaved in round 0, one after
/// another in round 1 (most leave their render to the run's last). When all have returned,
/// every row shows its result and none is left running.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_runs_legs_post_results_only_and_lose_no_row_under_stale_reads() {
    const LEGS: usize = 12;
    let env = Env::bare().await;
    let stages = with_plans(LEGS);
    let keys: Vec<String> = (0..LEGS).map(|i| format!("plan-{i}")).collect();
    for round in 0..2u64 {
        env.admin().advance_clock(61).await.unwrap();
        let sha = round_sha(0x0bce_0000 + round);
        let target = open_pr(&env, 60 + round, &sha).await;
        let parse = env.client(DEFAULT_BOT_TOKEN);
        Dashboards::new(&parse, stages.clone(), tuning())
            .open_run(
                &target,
                &keys,
                Some("https://github.com/acme/infra/actions/runs/9".into()),
                Some(9),
            )
            .await
            .unwrap();
        let ours = dashboards_of(&env.state().await, &sha);
        let body = ours[0]["body"].as_str().unwrap();
        assert_eq!(
            body.matches("🔄").count(),
            LEGS,
            "every leg's row running: {body}"
        );
        env.admin()
            .faults(&FaultConfig {
                stale_ms: STALE_MS,
                ..FaultConfig::new(17 + round, vec![])
            })
            .await
            .unwrap();
        let leg = |i: usize| {
            let forge = env.client(DEFAULT_BOT_TOKEN);
            let target = target.clone();
            let stages = stages.clone();
            async move {
                let status = if i.is_multiple_of(3) {
                    Status::Failure
                } else {
                    Status::Success
                };
                Dashboards::new(&forge, stages, tuning())
                    .update_in_run(
                        &target,
                        update(
                            format!("plan-{i}"),
                            status,
                            Some(format!("result {i}")),
                            None,
                        ),
                        false,
                    )
                    .await
            }
        };
        if round == 0 {
            let jobs: Vec<_> = (0..LEGS)
                .map(|i| {
                    let job = leg(i);
                    let spread = u64::try_from(i).unwrap();
                    tokio::spawn(async move {
                        tokio::time::sleep(Duration::from_millis((spread * 53) % 90)).await;
                        job.await
                    })
                })
                .collect();
            for j in jobs {
                j.await.unwrap().unwrap();
            }
        } else {
            for i in 0..LEGS {
                leg(i).await.unwrap();
            }
        }
        env.admin().clear_faults().await.unwrap();
        assert_plan_rows_ended_right(&env, &sha, &stages, LEGS, round).await;
    }
    env.shutdown().await;
}

/// A result is never posted alone: nothing would follow it to render it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_result_cannot_be_posted_alone() {
    let env = Env::bare().await;
    let target = open_pr(&env, 50, &round_sha(0x0ace_0100)).await;
    let forge = env.client(DEFAULT_BOT_TOKEN);
    let err = Dashboards::new(&forge, default_stages(), tuning())
        .post_status(&target, update("ci", Status::Success, None, None))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("must render"), "{err}");
    env.shutdown().await;
}

/// A 5xx answer to creating the dashboard may hide a create GitHub performed: the engine
/// looks for the marker and tries again instead of failing the job, and never leaves two.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_error_on_create_is_looked_up_and_retried() {
    let env = Env::bare().await;
    for (i, kind) in [
        (0u64, FaultKind::Http502),
        (1, FaultKind::Http500),
        (2, FaultKind::Http503),
    ] {
        let sha = round_sha(0x0fee_0001 + i);
        let target = open_pr(&env, 30 + i, &sha).await;
        let rule = Rule::new(kind).on("POST", "/repos/*/*/issues/*/comments");
        env.admin()
            .faults(&FaultConfig::new(0, vec![rule.times(1)]))
            .await
            .unwrap();
        let forge = env.client(DEFAULT_BOT_TOKEN);
        Dashboards::new(&forge, default_stages(), tuning())
            .init(&target)
            .await
            .unwrap_or_else(|e| panic!("{} on create failed the init: {e}", kind.name()));
        assert_eq!(dashboards_of(&env.state().await, &sha).len(), 1);
    }
    env.shutdown().await;
}

/// One dashboard for `sha`, and rows `plan-0`…`plan-{n-1}` showing their results (every
/// third a failure, as the tests post them), none left running.
async fn assert_plan_rows_ended_right(
    env: &Env,
    sha: &str,
    stages: &[StageDef],
    n: usize,
    round: u64,
) {
    let ours = dashboards_of(&env.state().await, sha);
    assert_eq!(ours.len(), 1, "round {round}");
    let body = ours[0]["body"].as_str().unwrap();
    let shown = infra_ci_core::parse(body, stages).unwrap();
    for i in 0..n {
        let row = shown.stage(&format!("plan-{i}")).unwrap();
        let want = if i.is_multiple_of(3) {
            Status::Failure
        } else {
            Status::Success
        };
        assert_eq!(
            (row.status, row.output.clone()),
            (want, Some(format!("result {i}"))),
            "round {round}: plan-{i} lost in {body}"
        );
    }
    assert!(
        !body.contains("🔄"),
        "round {round}: a row stays running: {body}"
    );
}

/// With `dashboard.details: false`, a run's leg that brings details (a plan's summary)
/// leaves its render to the run's last like any other: its result and one read, two
/// requests, and the comment is not written (ADR 0012; the details stay in the job summary).
/// With details on, the same leg renders itself (they live only in the comment).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_leg_with_details_leaves_its_render_only_when_details_are_off() {
    let env = Env::bare().await;
    let stages = with_plans(3);
    let keys: Vec<String> = (0..3).map(|i| format!("plan-{i}")).collect();
    for (n, details_shown) in [(80u64, false), (81, true)] {
        let sha = round_sha(0x0de7_0000 + n);
        let target = open_pr(&env, n, &sha).await;
        let forge = env.client(DEFAULT_BOT_TOKEN);
        let identity = infra_ci_config::DashboardIdentity {
            details: details_shown,
            runs: true,
            ..infra_ci_config::DashboardIdentity::default()
        };
        let d = Dashboards::new(&forge, stages.clone(), tuning()).with_identity(identity);
        d.open_run(&target, &keys, None, None).await.unwrap();
        env.admin().clear_requests().await.unwrap();
        d.update_in_run(
            &target,
            update(
                "plan-0",
                Status::Success,
                Some("+1 ~0 -0".into()),
                Some("To create (1): aws_s3_bucket.logs".into()),
            ),
            false,
        )
        .await
        .unwrap();
        let log = env.requests().await;
        let patches = log.iter().filter(|r| r.method == "PATCH").count();
        if details_shown {
            assert_eq!(
                patches, 1,
                "details on: the leg renders its details: {log:?}"
            );
        } else {
            assert_eq!(log.len(), 2, "details off: result and one read: {log:?}");
            assert_eq!(patches, 0, "{log:?}");
        }
    }
    env.shutdown().await;
}

/// The close job of a run (ADR 0014) over HTTP: a leg's details reach the comment through
/// it and only beside the result they describe; a newer run on the same commit owns the
/// rows, so an older run's close job cancels nothing; the newer run's close job cancels its
/// legs that never reported. A leg given `parse`'s outputs is vouched for by the run's mark
/// (no pull request read); without a mark on its pull request it is checked, and refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_runs_close_job_cancels_only_its_own_unreported_legs_and_brings_their_details() {
    let env = Env::bare().await;
    let stages = with_plans(2);
    let keys: Vec<String> = (0..2).map(|i| format!("plan-{i}")).collect();
    let sha = round_sha(0x0c10_5e00);
    let target = open_pr(&env, 90, &sha).await;
    let forge = env.client(DEFAULT_BOT_TOKEN);
    let d = Dashboards::new(&forge, stages.clone(), tuning());
    let result = |stage: &str, details: &str| {
        update(
            stage,
            Status::Success,
            Some("+1 ~0 -0".into()),
            Some(details.into()),
        )
    };
    let body = async || {
        let ours = dashboards_of(&env.state().await, &sha);
        assert_eq!(ours.len(), 1);
        ours[0]["body"].as_str().unwrap().to_owned()
    };

    // Run 1: both legs report; their details are left to the close job.
    d.open_run(&target, &keys, None, Some(1)).await.unwrap();
    env.admin().clear_requests().await.unwrap();
    let mut records = Vec::new();
    for (key, text) in [
        ("plan-0", "To create (1): aws_s3_bucket.zero"),
        ("plan-1", "To create (1): aws_s3_bucket.one"),
    ] {
        let out = d
            .update_in_run_as_routed(&target, result(key, text), true)
            .await
            .unwrap();
        records.push(infra_ci_engine::LegDetails {
            stage: key.into(),
            status_id: out.status_id.unwrap(),
            details: text.into(),
        });
    }
    let log = env.requests().await;
    assert!(
        !log.iter().any(|r| r.path.ends_with("/pulls/90")),
        "the run's mark vouches for the legs' pull request: {log:?}"
    );
    let closed = d
        .close_run(&target, &keys, 1, None, records.clone())
        .await
        .unwrap();
    assert!(closed.cancelled.is_empty(), "{closed:?}");
    assert_eq!(closed.details, 2);
    let shown = body().await;
    assert!(
        shown.contains("aws_s3_bucket.zero") && shown.contains("aws_s3_bucket.one"),
        "{shown}"
    );

    // Run 2 opens; run 1's close job, re-run now, cancels nothing (run 2 owns the rows).
    d.open_run(&target, &keys, None, Some(2)).await.unwrap();
    let closed = d
        .close_run(&target, &keys, 1, None, Vec::new())
        .await
        .unwrap();
    assert!(closed.cancelled.is_empty(), "{closed:?}");
    assert_eq!(body().await.matches("🔄").count(), 2);
    // Run 2's legs never report: its close job cancels both; run 1's records name older
    // results, so they label nothing.
    let closed = d.close_run(&target, &keys, 2, None, records).await.unwrap();
    assert_eq!(closed.cancelled, keys);
    assert_eq!(closed.details, 0);
    let shown = body().await;
    assert!(!shown.contains('🔄'), "{shown}");
    assert!(!shown.contains("aws_s3_bucket.zero"), "{shown}");

    // A leg whose pull request no mark vouches for is checked against GitHub: refused.
    let elsewhere = Target {
        pr: 91,
        ..target.clone()
    };
    env.admin()
        .pull(
            "acme/infra",
            &PullFields::new(91, round_sha(0x0c10_5e01)).by("alice"),
        )
        .await
        .unwrap();
    let err = d
        .update_in_run_as_routed(&elsewhere, result("plan-0", "x"), true)
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("is not a commit of pull request #91"),
        "{err}"
    );
    let comments = env.state().await["comments"].as_array().unwrap().len();
    assert_eq!(
        comments, 1,
        "run 1's dashboard only: none on a pull request the commit is not in"
    );
    env.shutdown().await;
}

/// A run of more legs than a status page holds (ADR 0014): a hundred statuses after the
/// run's mark push it off the newest page, and a leg reads one page further to find it
/// (one request) rather than rendering because it sees no mark (four or more).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_leg_finds_its_runs_mark_past_the_newest_page() {
    let env = Env::bare().await;
    let keys: Vec<String> = (0..3).map(|i| format!("plan-{i}")).collect();
    let stages = with_plans(3);
    let sha = round_sha(0x0ba9_e200);
    let target = open_pr(&env, 95, &sha).await;
    let forge = env.client(DEFAULT_BOT_TOKEN);
    let d = Dashboards::new(&forge, stages, tuning());
    d.open_run(&target, &keys, None, Some(7)).await.unwrap();
    // 110 statuses after the mark, by two other integrations (a commit's statuses are
    // everyone's: theirs push our mark down the list too), within GitHub's 80 a minute
    // each and within the 30 s a leg may leave the comment unrendered.
    for (who, token) in [("ci-a[bot]", "ci-a-token"), ("ci-b[bot]", "ci-b-token")] {
        let user = infra_ci_testkit::admin::NewUser::new(who)
            .kind("Bot")
            .token(token);
        env.admin().user(&user).await.unwrap();
        let other = env.client(token);
        for i in 0..55 {
            other
                .create_status(
                    &target.repo,
                    &target.sha,
                    infra_ci_github::StatusState::Pending,
                    &format!("ci/{who}-{i}"),
                    "pending",
                    None,
                )
                .await
                .unwrap();
        }
    }
    env.admin().clear_requests().await.unwrap();
    let out = d
        .update_in_run_as_routed(
            &target,
            update(
                "plan-0",
                Status::Success,
                Some("+1 ~0 -0".into()),
                Some("To create (1): x".into()),
            ),
            true,
        )
        .await
        .unwrap();
    let log = env.requests().await;
    assert_eq!(out.rounds, 0, "left to the run's last: {log:#?}");
    let pages: Vec<&str> = log
        .iter()
        .filter(|r| r.method == "GET")
        .map(|r| r.path.as_str())
        .collect();
    assert_eq!(
        log.len(),
        3,
        "its result, the newest page, the next: {log:#?}"
    );
    assert!(!pages.iter().any(|p| p.contains("/pulls/")), "{pages:?}");
    env.shutdown().await;
}

/// A run as the workflow plays it, under stale reads (ADR 0014): twelve legs given
/// `parse`'s outputs post their results at once with their details left to the close job,
/// two legs never start, then the close job (reads still lagging) marks those two cancelled
/// and renders every leg's details. Every row ends right, none running, every detail shown.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_run_ends_right_with_every_detail_under_stale_reads() {
    const LEGS: usize = 12;
    const NEVER_START: [usize; 2] = [4, 11];
    let env = Env::bare().await;
    let stages = with_plans(LEGS);
    let keys: Vec<String> = (0..LEGS).map(|i| format!("plan-{i}")).collect();
    for round in 0..2u64 {
        // Each round a few minutes after the last, as two pushes would be (GitHub's
        // per-minute limits see them apart).
        env.admin().advance_clock(300).await.unwrap();
        let sha = round_sha(0x0c10_5ed0 + round);
        let target = open_pr(&env, 98 + round, &sha).await;
        let parse = env.client(DEFAULT_BOT_TOKEN);
        Dashboards::new(&parse, stages.clone(), tuning())
            .open_run(&target, &keys, None, Some(500 + round))
            .await
            .unwrap();
        env.admin()
            .faults(&FaultConfig {
                stale_ms: STALE_MS,
                ..FaultConfig::new(31 + round, vec![])
            })
            .await
            .unwrap();
        let jobs: Vec<_> = (0..LEGS)
            .filter(|i| !NEVER_START.contains(i))
            .map(|i| {
                let forge = env.client(DEFAULT_BOT_TOKEN);
                let target = target.clone();
                let stages = stages.clone();
                let spread = u64::try_from(i).unwrap();
                tokio::spawn(async move {
                    if round == 0 {
                        tokio::time::sleep(Duration::from_millis((spread * 53) % 90)).await;
                    } else {
                        tokio::time::sleep(Duration::from_millis(spread * 120)).await;
                    }
                    let status = if i.is_multiple_of(3) {
                        Status::Failure
                    } else {
                        Status::Success
                    };
                    let details = format!("To create (1): aws_s3_bucket.leg{i}");
                    let out = Dashboards::new(&forge, stages, tuning())
                        .update_in_run_as_routed(
                            &target,
                            update(
                                format!("plan-{i}"),
                                status,
                                Some(format!("result {i}")),
                                Some(details.clone()),
                            ),
                            true,
                        )
                        .await
                        .unwrap();
                    infra_ci_engine::LegDetails {
                        stage: format!("plan-{i}"),
                        status_id: out.status_id.unwrap(),
                        details,
                    }
                })
            })
            .collect();
        let mut records = Vec::new();
        for j in jobs {
            records.push(j.await.unwrap());
        }
        let close = env.client(DEFAULT_BOT_TOKEN);
        let closed = Dashboards::new(&close, stages.clone(), tuning())
            .close_run(&target, &keys, 500 + round, None, records)
            .await
            .unwrap();
        env.admin().clear_faults().await.unwrap();
        let want: Vec<String> = NEVER_START.iter().map(|i| format!("plan-{i}")).collect();
        assert_eq!(closed.cancelled, want, "round {round}");
        let ours = dashboards_of(&env.state().await, &sha);
        assert_eq!(ours.len(), 1, "round {round}");
        let body = ours[0]["body"].as_str().unwrap();
        let shown = infra_ci_core::parse(body, &stages).unwrap();
        for i in 0..LEGS {
            let row = shown.stage(&format!("plan-{i}")).unwrap();
            if NEVER_START.contains(&i) {
                assert_eq!(
                    row.status,
                    Status::Cancelled,
                    "round {round}: plan-{i} in {body}"
                );
                continue;
            }
            let want = if i.is_multiple_of(3) {
                Status::Failure
            } else {
                Status::Success
            };
            assert_eq!(
                (row.status, row.output.clone()),
                (want, Some(format!("result {i}"))),
                "round {round}: plan-{i} in {body}"
            );
            assert!(
                body.contains(&format!("aws_s3_bucket.leg{i}")),
                "round {round}: plan-{i}'s details in {body}"
            );
        }
        assert!(!body.contains("🔄"), "round {round}: {body}");
    }
    env.shutdown().await;
}
