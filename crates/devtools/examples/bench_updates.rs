//! Requests and wall time per dashboard `update` at 10, 300 and 3,000 existing comments,
//! with 50 ms emulated latency, beside a naive baseline that finds the comment by scanning
//! oldest-first (what sticky-comment actions do) and then edits it.
//!
//! Run: `cargo run --release -p infra-ci-devtools --example bench_updates` (prints a Markdown table).

#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::time::{Duration, Instant};

use infra_ci_core::{Status, default_stages, marker};
use infra_ci_emulator::admin::{AdminClient, BulkComments, Latency, NewUser, PullFields};
use infra_ci_emulator::{DEFAULT_BOT_TOKEN, EmulatorOptions, spawn};
use infra_ci_engine::{Dashboards, StageUpdate, Target, Tuning};
use infra_ci_github::{Auth, ClientConfig, Forge, GitHubClient, RepoId};
use secrecy::SecretString;

const SIZES: [u32; 3] = [10, 300, 3_000];
const UPDATES: u32 = 5;
const LATENCY_MS: u64 = 50;

#[tokio::main]
async fn main() {
    let emu = spawn(
        ([127, 0, 0, 1], 0).into(),
        EmulatorOptions {
            repos: vec!["acme/bench".into()],
            no_limits: true,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let base = emu.base_url();
    let admin = AdminClient::new(&base);
    // The API requests since the last call.
    let requests = async || {
        let n = admin.requests().await.unwrap().len();
        admin.clear_requests().await.unwrap();
        n
    };
    let cfg = ClientConfig::new(Auth::Token(SecretString::from(DEFAULT_BOT_TOKEN)))
        .with_base_url(&base)
        .unwrap();
    let forge = GitHubClient::new(cfg).unwrap();
    let repo = RepoId::parse("acme/bench").unwrap();
    let chatty = NewUser::new("chatty").kind("User").token("chatty-token");
    admin.user(&chatty).await.unwrap();

    println!(
        "| comments on the PR | dashboard placed | infra-ci requests/update | infra-ci ms/update | naive requests/update | naive ms/update | naive/infra-ci requests |"
    );
    println!("|---:|---|---:|---:|---:|---:|---:|");
    let mut pr = 100;
    for &n in &SIZES {
        // "first": the dashboard predates the chatter (the naive scan's best case);
        // "last": a new commit on a busy PR (its dashboard comes after the chatter).
        for dashboard_first in [true, false] {
            pr += 1;
            let sha = format!("{:040x}", 0xabc0_u64 + pr);
            admin.latency(&Latency::default()).await.unwrap();
            let pull = PullFields::new(pr, sha.clone()).by("chatty");
            admin.pull("acme/bench", &pull).await.unwrap();
            let target = Target {
                repo: repo.clone(),
                pr,
                sha: sha.clone().into(),
                is_head: None,
            };
            let dashboards = Dashboards::new(&forge, default_stages(), Tuning::default());
            let chatter = BulkComments {
                user: "chatty".into(),
                count: usize::try_from(n).unwrap(),
                body: Some("comment {i}".into()),
            };
            if dashboard_first {
                dashboards.init(&target).await.unwrap();
            }
            admin
                .bulk_comments("acme/bench", pr, &chatter)
                .await
                .unwrap();
            if !dashboard_first {
                dashboards.init(&target).await.unwrap();
            }
            let latency = Latency {
                ms: LATENCY_MS,
                jitter_ms: 0,
            };
            admin.latency(&latency).await.unwrap();
            requests().await;

            let (mut ours_reqs, mut ours_time) = (0, Duration::ZERO);
            for u in 0..UPDATES {
                let t0 = Instant::now();
                let status = if u % 2 == 0 {
                    Status::Running
                } else {
                    Status::Success
                };
                let upd = StageUpdate {
                    stage: "plan-platform".into(),
                    status,
                    link: None,
                    output: Some(format!("update {u}")),
                    details: None,
                };
                dashboards.update(&target, upd).await.unwrap();
                ours_time += t0.elapsed();
                ours_reqs += requests().await;
            }
            let (mut naive_reqs, mut naive_time) = (0, Duration::ZERO);
            for u in 0..UPDATES {
                let t0 = Instant::now();
                naive_update(&forge, &repo, pr, &sha, u).await;
                naive_time += t0.elapsed();
                naive_reqs += requests().await;
            }
            let per = |x: usize| f64::from(u32::try_from(x).unwrap()) / f64::from(UPDATES);
            let ms = |d: Duration| d.as_secs_f64() * 1000.0 / f64::from(UPDATES);
            println!(
                "| {n} | {} | {:.1} | {:.0} | {:.1} | {:.0} | {:.1}× |",
                if dashboard_first {
                    "before the comments"
                } else {
                    "after the comments"
                },
                per(ours_reqs),
                ms(ours_time),
                per(naive_reqs),
                ms(naive_time),
                per(naive_reqs) / per(ours_reqs)
            );
        }
    }
    println!(
        "\n{UPDATES} updates per size, {LATENCY_MS} ms latency per request, emulator in-process on loopback."
    );
    parallel_writers(&forge, &repo, &admin).await;
    emu.shutdown().await;
}

/// Parallel jobs (a plan matrix): WRITERS writers each set their own stage at once, TRIALS
/// times. Counts the rows that are missing afterwards, for infra-ci and for the naive
/// read-modify-write of the comment.
async fn parallel_writers(forge: &GitHubClient, repo: &RepoId, admin: &AdminClient) {
    const WRITERS: u32 = 8;
    const TRIALS: u64 = 5;
    let (mut ours_lost, mut naive_lost) = (0, 0);
    for trial in 0..TRIALS {
        let pr = 900 + trial;
        let sha = format!("{:040x}", 0xfeed_u64 + pr);
        let pull = PullFields::new(pr, sha.clone()).by("chatty");
        admin.pull("acme/bench", &pull).await.unwrap();
        let target = Target {
            repo: repo.clone(),
            pr,
            sha: sha.clone().into(),
            is_head: None,
        };
        let dashboards = Dashboards::new(forge, default_stages(), Tuning::default());
        dashboards.init(&target).await.unwrap();
        let jobs = (0..WRITERS).map(|i| {
            let upd = StageUpdate {
                stage: format!("job-{i}"),
                status: Status::Success,
                link: None,
                output: None,
                details: None,
            };
            dashboards.update(&target, upd)
        });
        for r in futures::future::join_all(jobs).await {
            r.unwrap();
        }
        let body = forge
            .get_comment(
                repo,
                dashboards.show(&target).await.unwrap().comment_id.unwrap(),
            )
            .await
            .unwrap();
        ours_lost += (0..WRITERS)
            .filter(|i| !body.body().contains(&format!("| job-{i} | ✅ success |")))
            .count();

        let naive = (0..WRITERS).map(|i| naive_set_row(forge, repo, pr, &sha, i));
        futures::future::join_all(naive).await;
        let p = forge.list_comments_page(repo, pr, 1, 100).await.unwrap();
        let c = p
            .comments
            .iter()
            .find(|c| c.body().starts_with(&marker(&sha)))
            .unwrap();
        naive_lost += (0..WRITERS)
            .filter(|i| !c.body().contains(&format!("naive job-{i} done")))
            .count();
    }
    let total = u64::from(WRITERS) * TRIALS;
    println!(
        "\n| {WRITERS} parallel writers × {TRIALS} trials | rows written | rows missing afterwards |"
    );
    println!("|---|---:|---:|");
    println!("| infra-ci | {total} | {ours_lost} |");
    println!("| naive read-modify-write | {total} | {naive_lost} |");
}

/// One naive job: find the comment, add its line to the body as read, write it back.
async fn naive_set_row(forge: &GitHubClient, repo: &RepoId, pr: u64, sha: &str, i: u32) {
    let m = marker(sha);
    let p = forge.list_comments_page(repo, pr, 1, 100).await.unwrap();
    let c = p
        .comments
        .iter()
        .find(|c| c.body().starts_with(&m))
        .unwrap();
    let body = format!("{}\nnaive job-{i} done", c.body());
    forge.update_comment(repo, c.id, &body).await.unwrap();
}

/// The sticky-comment approach: list comments oldest first (100 per page) until the marker
/// is found, then overwrite the body. No status, no read-back (and so it loses updates under
/// concurrency: see `parallel_writers`).
async fn naive_update(forge: &GitHubClient, repo: &RepoId, pr: u64, sha: &str, u: u32) {
    let m = marker(sha);
    let mut page = 1;
    let found = loop {
        let p = forge.list_comments_page(repo, pr, page, 100).await.unwrap();
        if let Some(c) = p.comments.iter().find(|c| c.body().starts_with(&m)) {
            break c.clone();
        }
        assert!(p.last_page.is_some_and(|l| l > page), "marker not found");
        page += 1;
    };
    let body = format!("{}\nnaive update {u}", found.body());
    forge.update_comment(repo, found.id, &body).await.unwrap();
}
