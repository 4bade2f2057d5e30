//! `infra-ci demo`: the seed's two sequences on an embedded emulator, no setup, no network.
//!
//! Every event goes through the real `parse` job (routing, permissions, reactions, replies,
//! dashboard init); the Digger and native jobs' Terraform runs are played by posting the
//! updates those jobs would post.
//! 1. `/plan`: 👀, and the three Digger plan stages run in parallel (the case that loses
//!    updates in comment-editing tools).
//! 2. `/bootstrap apply`: refused while unapproved and unplanned (👎 and a reply that says
//!    why), then `/bootstrap plan`, an approving review, and `/bootstrap apply` again.

use std::time::Duration;

use infra_ci_config::Config;
use infra_ci_core::Status;
use infra_ci_emulator::admin::{AdminClient, NewCommit, NewReview, NewUser, PullFields};
use infra_ci_emulator::{DEFAULT_BOT_TOKEN, EmulatorOptions, spawn};
use infra_ci_engine::{Dashboards, ParseRequest, StageUpdate, Target, route_event};
use infra_ci_github::{Auth, ClientConfig, Forge, GitHubClient, RepoId, Sha};
use infra_ci_route::{Route, RouteContext};
use secrecy::SecretString;
use serde_json::{Value, json};

use crate::args::DemoArgs;
use crate::exit::CliError;

const REPO: &str = "acme/infra";
const PR: u64 = 1;
const TITLE: &str = "Add the data-prod network";
const HEAD: &str = "3f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39";
/// The base branch `main`'s tip, the head's parent: the apply gate compares them.
const BASE: &str = "9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c";
/// The sha256 of the plan file the (played) native job saved for bootstrap.
const PLAN_DIGEST: &str = "5e1f0c7a3b9d2e4f6a8c0b1d3e5f7a9c2b4d6e8f0a1c3e5b7d9f2a4c6e8b0d1f";

/// Everything the demo drives.
struct Demo {
    forge: GitHubClient,
    repo: RepoId,
    target: Target,
    config: Config,
    admin: Admin,
    step: Duration,
}

pub async fn run(a: DemoArgs) -> Result<(), CliError> {
    let emu = spawn(
        ([127, 0, 0, 1], a.port).into(),
        EmulatorOptions {
            repos: vec![REPO.into()],
            ..Default::default()
        },
    )
    .await
    .map_err(|e| {
        CliError::failed(format!(
            "cannot start the embedded emulator on port {}: {e} (choose another --port, or 0 for any free one)",
            a.port
        ))
    })?;
    let base = emu.base_url();
    println!("GitHub API emulator listening on {base}");
    let page = format!("{base}/{REPO}/pull/{PR}");
    let admin = Admin {
        http: reqwest::Client::new(),
        base: base.clone(),
        emulator: AdminClient::new(&base),
    };
    // alice opens the pull request; bob, a member of the organization, may approve applies.
    for (login, token) in [("alice", "alice-token"), ("bob", "bob-token")] {
        let user = NewUser::new(login)
            .kind("User")
            .token(token)
            .association("MEMBER");
        admin.emulator.user(&user).await?;
    }
    // As on GitHub: the head is one commit ahead of `main`, which exists.
    for (sha, parents) in [(BASE, vec![]), (HEAD, vec![BASE])] {
        let commit = NewCommit::new(sha, parents);
        admin.emulator.commit(REPO, &commit).await?;
    }
    let pull = PullFields {
        title: Some(TITLE.to_owned()),
        head_ref: Some("feature".to_owned()),
        base_ref: Some("main".to_owned()),
        ..PullFields::new(PR, HEAD).base(BASE).by("alice")
    };
    admin.emulator.pull(REPO, &pull).await?;
    if a.serve {
        // Printed before the demo plays, so a browser can watch it (the page reloads itself).
        println!("Watch the pull request: {page}?refresh=2");
    }
    let cfg = ClientConfig::new(Auth::Token(SecretString::from(DEFAULT_BOT_TOKEN)))
        .with_base_url(&base)?;
    let repo = RepoId::parse(REPO).ok_or_else(|| CliError::failed("bad demo repo"))?;
    let forge = GitHubClient::new(cfg)?;
    if forge.get_ref(&repo, "heads/main").await?.is_none() {
        forge
            .create_ref(&repo, "refs/heads/main", &Sha::new(BASE))
            .await?;
    }
    let d = Demo {
        forge,
        target: Target {
            repo: repo.clone(),
            pr: PR,
            sha: Sha::new(HEAD),
            is_head: None,
        },
        repo,
        config: Config::default(),
        admin,
        step: Duration::from_millis(a.step_ms),
    };
    d.play().await?;
    if a.serve {
        println!("\nThe pull request's page: {page}");
        println!("The emulator keeps running at {base} (Ctrl-C to stop).");
        let _ = tokio::signal::ctrl_c().await;
    }
    emu.shutdown().await;
    Ok(())
}

impl Demo {
    async fn play(&self) -> Result<(), CliError> {
        println!(
            "\n── PR #{PR} opened by alice, head {}",
            infra_ci_github::short_sha(HEAD)
        );
        let opened =
            json!({"action": "opened", "pull_request": pull_json(), "repository": repo_json()});
        self.event("pull_request", &opened).await?;

        println!("\n── alice comments \"/plan\"");
        let route = self.comment("alice", "/plan").await?;
        let link = Some(format!("https://github.com/{REPO}/actions/runs/101"));
        let plans = [
            ("plan-platform", "+3 ~1 -0"),
            ("plan-data-staging", "no changes"),
            ("plan-data-prod", "+1 ~0 -1 ⚠️"),
        ];
        self.parallel(
            &plans.map(|(k, _)| (k, Status::Running, None)),
            link.clone(),
        )
        .await?;
        self.show(&format!(
            "{} job: three plans running in parallel",
            route.mode.as_str()
        ))
        .await?;
        self.parallel(&plans.map(|(k, o)| (k, Status::Success, Some(o))), link)
            .await?;
        self.show("three plans finished in parallel: none lost")
            .await?;

        println!("\n── alice comments \"/bootstrap apply\" (nothing planned, nobody approved)");
        self.comment("alice", "/bootstrap apply").await?;
        println!("\n── alice comments \"/bootstrap plan\"");
        self.comment("alice", "/bootstrap plan").await?;
        let link = Some(format!("https://github.com/{REPO}/actions/runs/102"));
        self.update("plan-bootstrap", Status::Running, None, link.clone())
            .await?;
        self.update("plan-bootstrap", Status::Success, Some("+2 ~0 -0"), link)
            .await?;
        // The native job's plan record: the digest of the plan file it saved, on this head
        // and this base, which the apply gate asks for (ADR 0006).
        infra_ci_engine::provenance::record(
            &self.forge,
            &self.repo,
            &Sha::new(HEAD),
            "bootstrap",
            Status::Success,
            Some(PLAN_DIGEST),
            Some(&Sha::new(BASE)),
        )
        .await?;
        self.show("native job: plan-bootstrap planned").await?;

        println!("\n── bob approves the pull request");
        let approval = NewReview::new("bob", "APPROVED", HEAD);
        self.admin.emulator.review(REPO, PR, &approval).await?;
        let review = json!({"action": "submitted", "review": {"state": "approved", "commit_id": HEAD, "user": {"login": "bob", "type": "User"}}, "pull_request": pull_json(), "repository": repo_json()});
        self.event("pull_request_review", &review).await?;

        println!("\n── alice comments \"/bootstrap apply\" again");
        let route = self.comment("alice", "/bootstrap apply").await?;
        if !route.should_run {
            return Err(CliError::failed(format!(
                "the demo's approved /bootstrap apply was refused: {}",
                route.reason
            )));
        }
        let link = Some(format!("https://github.com/{REPO}/actions/runs/103"));
        // The apply row, and bootstrap's own row under it (each project's apply is a row).
        let mut stages = route.stages.clone();
        stages.push("apply.bootstrap".to_owned());
        for stage in &stages {
            self.update(stage, Status::Running, None, link.clone())
                .await?;
            self.update(
                stage,
                Status::Success,
                Some("applied: +2 ~0 -0"),
                link.clone(),
            )
            .await?;
        }
        self.show("native job: bootstrap applied").await?;
        self.summary().await
    }

    /// A comment by `login`, then the `parse` job on its `issue_comment` event.
    async fn comment(&self, login: &str, body: &str) -> Result<Route, CliError> {
        let id = self.admin.comment(&format!("{login}-token"), body).await?;
        let event = json!({
            "action": "created",
            "issue": {"number": PR, "state": "open", "pull_request": {"url": format!("https://api.github.com/repos/{REPO}/pulls/{PR}")}},
            "comment": {"id": id, "body": body, "user": {"login": login, "type": "User"}, "author_association": "MEMBER"},
            "repository": repo_json(),
        });
        let route = self.event("issue_comment", &event).await?;
        let reactions = self.admin.reactions(id).await?;
        println!(
            "    reactions on the comment: {}",
            if reactions.is_empty() {
                "none".into()
            } else {
                reactions.join(" ")
            }
        );
        if let Some(reply) = &route.reply {
            println!(
                "    infra-ci replies: {}",
                reply.replace('\n', "\n                      ")
            );
        }
        Ok(route)
    }

    /// The `parse` job on one event; prints its decision and the dashboard.
    async fn event(&self, name: &str, payload: &Value) -> Result<Route, CliError> {
        let bytes = serde_json::to_vec(payload).map_err(|e| CliError::failed(e.to_string()))?;
        let req = ParseRequest {
            repo: self.repo.clone(),
            event_name: name,
            payload: &bytes,
            config: &self.config,
            context: RouteContext::default(),
            run_link: None,
            run_id: None,
        };
        let route = route_event(&self.forge, req).await?;
        println!(
            "  parse: mode={} command={} should_run={} stages={:?}\n         {}",
            route.mode.as_str(),
            route.command.map_or("-", |c| c.as_str()),
            route.should_run,
            route.stages,
            route.reason
        );
        self.show("dashboard").await?;
        Ok(route)
    }

    async fn update(
        &self,
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
        Dashboards::for_config(
            &self.forge,
            &self.config,
            crate::commands::dashboard::tuning(),
        )
        .update(&self.target, u)
        .await?;
        Ok(())
    }

    async fn parallel(
        &self,
        updates: &[(&str, Status, Option<&str>)],
        link: Option<String>,
    ) -> Result<(), CliError> {
        let futures = updates
            .iter()
            .map(|(k, s, o)| self.update(k, *s, *o, link.clone()));
        for r in futures::future::join_all(futures).await {
            r?;
        }
        Ok(())
    }

    async fn show(&self, what: &str) -> Result<(), CliError> {
        tokio::time::sleep(self.step).await;
        let shown = Dashboards::for_config(
            &self.forge,
            &self.config,
            crate::commands::dashboard::tuning(),
        )
        .show(&self.target)
        .await?;
        let row: Vec<String> = shown
            .stages
            .iter()
            .map(|s| format!("{} {}", s.status.emoji(), s.key))
            .collect();
        println!("    {what}: {}", row.join("  "));
        Ok(())
    }

    async fn summary(&self) -> Result<(), CliError> {
        let shown = Dashboards::for_config(
            &self.forge,
            &self.config,
            crate::commands::dashboard::tuning(),
        )
        .show(&self.target)
        .await?;
        let id = shown
            .comment_id
            .ok_or_else(|| CliError::failed("the demo ended without a dashboard"))?;
        let body = self
            .forge
            .get_comment(&self.repo, id)
            .await?
            .body
            .unwrap_or_default();
        let comments = self
            .forge
            .list_comments_page(&self.repo, PR, 1, 100)
            .await?
            .comments;
        let dashboards = comments
            .iter()
            .filter(|c| c.body().starts_with("<!-- infra-dashboard:"))
            .count();
        println!(
            "\n── {} comments on the PR, {dashboards} of them a dashboard; the dashboard comment:\n\n{body}",
            comments.len()
        );
        Ok(())
    }
}

fn repo_json() -> Value {
    json!({"full_name": REPO, "name": "infra", "owner": {"login": "acme"}, "default_branch": "main"})
}

fn pull_json() -> Value {
    let side = |r: &str, sha: &str| json!({"ref": r, "sha": sha, "repo": repo_json()});
    json!({"number": PR, "state": "open", "draft": false, "head": side("feature", HEAD), "base": side("main", BASE)})
}

/// The emulator's admin API, and what people do with their own tokens.
struct Admin {
    http: reqwest::Client,
    base: String,
    emulator: AdminClient,
}

impl Admin {
    async fn comment(&self, token: &str, body: &str) -> Result<u64, CliError> {
        let v = self
            .send(
                reqwest::Method::POST,
                Some(token),
                &format!("/repos/{REPO}/issues/{PR}/comments"),
                Some(json!({"body": body})),
            )
            .await?;
        v["id"]
            .as_u64()
            .ok_or_else(|| CliError::failed("the emulator returned a comment without an id"))
    }

    async fn reactions(&self, comment: u64) -> Result<Vec<String>, CliError> {
        let v = self
            .send(
                reqwest::Method::GET,
                Some(DEFAULT_BOT_TOKEN),
                &format!("/repos/{REPO}/issues/comments/{comment}/reactions"),
                None,
            )
            .await?;
        Ok(v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|r| r["content"].as_str())
                    .map(emoji)
                    .collect()
            })
            .unwrap_or_default())
    }

    async fn send(
        &self,
        method: reqwest::Method,
        token: Option<&str>,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, CliError> {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(b) = body {
            req = req.json(&b);
        }
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let res = req
            .send()
            .await
            .map_err(|e| CliError::failed(format!("emulator: {e}")))?;
        let status = res.status();
        let v: Value = res.json().await.unwrap_or_default();
        if !status.is_success() {
            return Err(CliError::failed(format!(
                "emulator answered {status} to {path}: {v}"
            )));
        }
        Ok(v)
    }
}

fn emoji(content: &str) -> String {
    match content {
        "eyes" => "👀".into(),
        "-1" => "👎".into(),
        "confused" => "😕".into(),
        other => other.to_owned(),
    }
}
