//! `infra-ci demo`: the seed's two sequences on an embedded emulator, no setup, no network.
//!
//! 1. `/plan`: the dashboard is initialised, the comment gets 👀, and the three Digger plan
//!    stages run in parallel (the case that loses updates in comment-editing tools).
//! 2. `/bootstrap apply`: the native runner moves `plan-bootstrap` to running, then success.

use std::time::Duration;

use infra_ci_core::{Status, default_stages};
use infra_ci_emulator::{DEFAULT_BOT_TOKEN, EmulatorOptions, spawn};
use infra_ci_engine::{Dashboards, StageUpdate, Target, Tuning};
use infra_ci_github::{Auth, ClientConfig, Forge, GitHubClient, RepoId};
use secrecy::SecretString;
use serde_json::json;

use crate::args::DemoArgs;
use crate::exit::CliError;

const REPO: &str = "acme/infra";
const PR: u64 = 1;
const HEAD: &str = "3f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39";

pub async fn run(a: DemoArgs) -> Result<(), CliError> {
    let emu = spawn(([127, 0, 0, 1], 0).into(), EmulatorOptions::default())
        .await
        .map_err(|e| CliError::failed(format!("cannot start the embedded emulator: {e}")))?;
    let base = emu.base_url();
    println!("GitHub API emulator listening on {base}");
    let admin = Admin {
        http: reqwest::Client::new(),
        base: base.clone(),
    };
    admin
        .post(
            "/_emulator/users",
            json!({"login": "alice", "type": "User", "token": "alice-token"}),
        )
        .await?;
    admin
        .post(
            &format!("/_emulator/repos/{REPO}/pulls"),
            json!({"number": PR, "head_sha": HEAD, "user": "alice"}),
        )
        .await?;

    let cfg = ClientConfig::new(Auth::Token(SecretString::from(DEFAULT_BOT_TOKEN)))
        .with_base_url(&base)?;
    let forge = GitHubClient::new(cfg)?;
    let repo = RepoId::parse(REPO).ok_or_else(|| CliError::failed("bad demo repo"))?;
    let target = Target::resolve(&forge, repo.clone(), PR, None).await?;
    let dashboards = Dashboards::new(&forge, default_stages(), Tuning::default());
    let link = |n: u32| Some(format!("https://github.com/{REPO}/actions/runs/{n}"));
    let pause = || tokio::time::sleep(Duration::from_millis(a.step_ms));

    println!("\n── PR #{PR} opened by alice, head {}", &HEAD[..7]);
    println!("\n── alice comments \"/plan\"");
    let comment = admin.comment("alice-token", "/plan").await?;
    forge.add_reaction(&repo, comment, "eyes").await?;
    dashboards.init(&target).await?;
    step(
        &dashboards,
        &target,
        "parse: 👀 on the comment, dashboard initialised",
    )
    .await?;
    pause().await;

    let plans = [
        ("plan-platform", "+3 ~1 -0"),
        ("plan-data-staging", "no changes"),
        ("plan-data-prod", "+1 ~0 -1 ⚠️"),
    ];
    parallel(
        &dashboards,
        &target,
        plans
            .iter()
            .map(|(k, _)| (*k, Status::Running, None))
            .collect(),
        link(101),
    )
    .await?;
    step(
        &dashboards,
        &target,
        "digger: three plans running in parallel",
    )
    .await?;
    pause().await;
    parallel(
        &dashboards,
        &target,
        plans
            .iter()
            .map(|(k, o)| (*k, Status::Success, Some(*o)))
            .collect(),
        link(101),
    )
    .await?;
    step(
        &dashboards,
        &target,
        "digger: three plans finished in parallel, none lost",
    )
    .await?;
    pause().await;

    println!("\n── alice comments \"/bootstrap apply\"");
    let comment = admin.comment("alice-token", "/bootstrap apply").await?;
    forge.add_reaction(&repo, comment, "eyes").await?;
    dashboards.init(&target).await?;
    step(
        &dashboards,
        &target,
        "parse: 👀, dashboard found by its marker (not re-created)",
    )
    .await?;
    update(
        &dashboards,
        &target,
        "plan-bootstrap",
        Status::Running,
        None,
        link(102),
    )
    .await?;
    step(&dashboards, &target, "native run: plan-bootstrap running").await?;
    pause().await;
    update(
        &dashboards,
        &target,
        "plan-bootstrap",
        Status::Success,
        Some("applied: +2 ~0 -0"),
        link(102),
    )
    .await?;
    step(&dashboards, &target, "native run: plan-bootstrap success").await?;

    let shown = dashboards.show(&target).await?;
    let id = shown
        .comment_id
        .ok_or_else(|| CliError::failed("the demo ended without a dashboard"))?;
    let body = forge.get_comment(&repo, id).await?.body.unwrap_or_default();
    let comments = forge.list_comments_page(&repo, PR, 1, 100).await?.comments;
    let ours = comments
        .iter()
        .filter(|c| c.author() == "github-actions[bot]")
        .count();
    println!(
        "\n── the dashboard comment ({} comments on the PR, {ours} of them ours):\n\n{body}",
        comments.len()
    );
    if a.keep {
        println!("The emulator keeps running at {base} (see docs/emulator.md). Ctrl-C to stop.");
        let _ = tokio::signal::ctrl_c().await;
    }
    emu.shutdown().await;
    Ok(())
}

async fn update(
    d: &Dashboards<'_>,
    t: &Target,
    stage: &str,
    status: Status,
    output: Option<&str>,
    link: Option<String>,
) -> Result<(), CliError> {
    let u = StageUpdate {
        stage: stage.into(),
        status,
        link,
        output: output.map(str::to_owned),
        details: None,
    };
    d.update(t, u).await?;
    Ok(())
}

async fn parallel(
    d: &Dashboards<'_>,
    t: &Target,
    updates: Vec<(&str, Status, Option<&str>)>,
    link: Option<String>,
) -> Result<(), CliError> {
    let futures = updates
        .into_iter()
        .map(|(k, s, o)| update(d, t, k, s, o, link.clone()));
    for r in futures::future::join_all(futures).await {
        r?;
    }
    Ok(())
}

async fn step(d: &Dashboards<'_>, t: &Target, what: &str) -> Result<(), CliError> {
    let shown = d.show(t).await?;
    let row: Vec<String> = shown
        .stages
        .iter()
        .map(|s| format!("{} {}", s.status.emoji(), s.key))
        .collect();
    println!("  {what}\n    {}", row.join("  "));
    Ok(())
}

/// The emulator's admin API, and comments by people (made with their own tokens).
struct Admin {
    http: reqwest::Client,
    base: String,
}

impl Admin {
    async fn post(
        &self,
        path: &str,
        body: serde_json::Value,
    ) -> Result<serde_json::Value, CliError> {
        self.send(None, path, body).await
    }

    async fn comment(&self, token: &str, body: &str) -> Result<u64, CliError> {
        let v = self
            .send(
                Some(token),
                &format!("/repos/{REPO}/issues/{PR}/comments"),
                json!({"body": body}),
            )
            .await?;
        v["id"]
            .as_u64()
            .ok_or_else(|| CliError::failed("the emulator returned a comment without an id"))
    }

    async fn send(
        &self,
        token: Option<&str>,
        path: &str,
        body: serde_json::Value,
    ) -> Result<serde_json::Value, CliError> {
        let mut req = self.http.post(format!("{}{path}", self.base)).json(&body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let res = req
            .send()
            .await
            .map_err(|e| CliError::failed(format!("emulator: {e}")))?;
        let status = res.status();
        let v: serde_json::Value = res.json().await.unwrap_or_default();
        if !status.is_success() {
            return Err(CliError::failed(format!(
                "emulator answered {status} to {path}: {v}"
            )));
        }
        Ok(v)
    }
}
