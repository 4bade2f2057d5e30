//! `infra-ci run plan|apply [PROJECT…]`, `run bootstrap plan|apply`, `run unlock`,
//! `run verify`: arguments and the Actions environment in, `infra_ci_runner` out.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};
use infra_ci_runner::{
    ENV_PLANS_DIR, PlanStore, ProjectResult, RunReport, Runner, RunnerError, Selection, Setup,
    StepSummary, Tool,
};

use infra_ci_github::{Forge, Sha};

use crate::actions_env;
use crate::args::ConnArgs;
use crate::client;
use crate::exit::CliError;

/// `infra-ci run …`.
#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(subcommand)]
    pub what: RunCommand,
}

/// What to run.
#[derive(Debug, Subcommand)]
pub enum RunCommand {
    /// Plan projects on the pull request's head; save each plan for a later apply.
    Plan(ProjectsArgs),
    /// Apply the saved plans, after every safety check and with the projects' locks.
    Apply(ProjectsArgs),
    /// `/bootstrap plan|apply`: the configured bootstrap project; its plan on its own stage,
    /// its apply on `apply`.
    Bootstrap(BootstrapArgs),
    /// Release the locks a pull request holds (call on `pull_request` closed).
    Unlock(UnlockArgs),
    /// Post-merge: plan every project on the merged commit; exit 1 if anything would change.
    Verify(VerifyArgs),
    /// What `parse` routed: `--command` and `--projects` as its outputs say (a workflow
    /// step passes them through; no shell decides between plan, apply and bootstrap).
    Routed(RoutedArgs),
}

#[derive(Debug, Args)]
pub struct RoutedArgs {
    /// `parse`'s `command` output: plan, apply, bootstrap-plan or bootstrap-apply.
    #[arg(long, value_name = "COMMAND")]
    pub command: String,
    /// `parse`'s `native_projects` output (a JSON list).
    #[arg(long, value_name = "JSON")]
    pub projects: String,
    /// Pull request number.
    #[arg(long, value_name = "N")]
    pub pr: u64,
    /// The commit (default: the pull request's head).
    #[arg(long, value_name = "SHA", value_parser = crate::args::parse_sha)]
    pub sha: Option<Sha>,
    /// `parse`'s `in_run` output: a plan's projects are legs of the run `parse` opened (their
    /// rows already show running): each posts only its result (ADR 0012). Ignored by applies.
    #[arg(long, value_name = "BOOL", default_value = "false", value_parser = crate::args::parse_in_run, action = clap::ArgAction::Set)]
    pub in_run: bool,
    /// In a run (`--in-run true`) whose close job follows (`infra-ci report close`): save
    /// each plan's details (its summary) in DIR, which the workflow uploads as an artifact
    /// for the close job, instead of rendering the comment for them (ADR 0014). Ignored
    /// outside a run.
    #[arg(long, value_name = "DIR")]
    pub details_dir: Option<PathBuf>,
    #[command(flatten)]
    pub common: CommonArgs,
}

/// Repository, configuration, plans directory and connection.
#[derive(Debug, Args, Clone)]
pub struct CommonArgs {
    /// Repository OWNER/NAME.
    #[arg(long, value_name = "OWNER/NAME", env = crate::actions_env::GITHUB_REPOSITORY)]
    pub repo: Option<String>,
    /// Configuration file (default: .github/infra-ci.yml when it exists).
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Where plans are saved and read: <DIR>/<sha>/<project>.tfplan (+ .json record).
    #[arg(long, value_name = "DIR", env = ENV_PLANS_DIR, default_value = infra_ci_runner::DEFAULT_PLANS_DIR)]
    pub plans_dir: PathBuf,
    #[command(flatten)]
    pub conn: ConnArgs,
}

#[derive(Debug, Args)]
pub struct ProjectsArgs {
    /// Projects to run (default: every `runner: native` project), in dependency order.
    #[arg(value_name = "PROJECT")]
    pub projects: Vec<String>,
    /// Pull request number.
    #[arg(long, value_name = "N")]
    pub pr: u64,
    /// The commit (default: the pull request's head). An apply refuses when the head moved.
    #[arg(long, value_name = "SHA", value_parser = crate::args::parse_sha)]
    pub sha: Option<Sha>,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum BootstrapAction {
    Plan,
    Apply,
}

#[derive(Debug, Args)]
pub struct BootstrapArgs {
    /// plan or apply.
    pub action: BootstrapAction,
    /// Pull request number.
    #[arg(long, value_name = "N")]
    pub pr: u64,
    /// The commit (default: the pull request's head).
    #[arg(long, value_name = "SHA", value_parser = crate::args::parse_sha)]
    pub sha: Option<Sha>,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Args)]
pub struct UnlockArgs {
    /// The pull request whose locks are released (locks held by others are left alone).
    #[arg(long, value_name = "N")]
    pub pr: u64,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The merged commit on the default branch (default: GITHUB_SHA).
    #[arg(long, value_name = "SHA", env = crate::env_vars::GITHUB_SHA, value_parser = crate::args::parse_sha)]
    pub sha: Sha,
    #[command(flatten)]
    pub common: CommonArgs,
}

pub async fn run(a: RunArgs) -> Result<(), CliError> {
    match a.what {
        RunCommand::Routed(r) => routed(r).await,
        RunCommand::Plan(p) => projects(p, false).await,
        RunCommand::Apply(p) => projects(p, true).await,
        RunCommand::Bootstrap(b) => {
            let forge = client::github(&b.common.conn).await?;
            let runner = Runner::new(&forge, setup(&b.common, &forge).await?);
            let report = match b.action {
                BootstrapAction::Plan => runner.plan(b.pr, b.sha, &Selection::Bootstrap).await,
                BootstrapAction::Apply => runner.apply(b.pr, b.sha, &Selection::Bootstrap).await,
            };
            finish(&report.map_err(cli)?)
        }
        RunCommand::Unlock(u) => {
            let forge = client::github(&u.common.conn).await?;
            let runner = Runner::new(&forge, setup_without_tool(&u.common, &forge).await?);
            let release = runner.unlock(u.pr).await.map_err(cli)?;
            if release.released.is_empty() && release.succeeded() {
                println!("#{} holds no lock", u.pr);
            }
            for p in &release.released {
                println!("released the lock of {p}");
            }
            // The locks are what matters; a dashboard that could not show them is a warning.
            if let Err(e) = runner.show_released(u.pr, &release).await {
                actions_env::annotate(
                    "warning",
                    &format!("the dashboard could not show the released locks: {e}"),
                );
            }
            if release.succeeded() {
                return Ok(());
            }
            let failures: Vec<String> = release.failures.iter().map(ToString::to_string).collect();
            Err(CliError::failed(format!(
                "unlocking #{} failed for {} project(s):\n{}",
                u.pr,
                failures.len(),
                failures.join("\n")
            )))
        }
        RunCommand::Verify(v) => {
            let forge = client::github(&v.common.conn).await?;
            let report = Runner::new(&forge, setup(&v.common, &forge).await?)
                .verify(&v.sha)
                .await
                .map_err(cli)?;
            print_results(&report.results);
            if report.clean() {
                println!("verified: {}", report.line());
                Ok(())
            } else {
                Err(CliError::failed(format!(
                    "the merged commit is not fully applied: {}",
                    report.line()
                )))
            }
        }
    }
}

async fn routed(r: RoutedArgs) -> Result<(), CliError> {
    let projects: Vec<String> = serde_json::from_str(&r.projects).map_err(|e| {
        CliError::usage(format!(
            "--projects {:?} is not a JSON list ({e}): pass parse's native_projects as it is",
            r.projects
        ))
    })?;
    let forge = client::github(&r.common.conn).await?;
    let runner =
        Runner::new(&forge, setup(&r.common, &forge).await?).details_to(r.details_dir.clone());
    let sel = if projects.is_empty() {
        Selection::Native
    } else {
        Selection::Named(projects)
    };
    let report = match r.command.as_str() {
        "plan" => runner.in_run(r.in_run).plan(r.pr, r.sha, &sel).await,
        "apply" => runner.apply(r.pr, r.sha, &sel).await,
        "bootstrap-plan" => {
            runner
                .in_run(r.in_run)
                .plan(r.pr, r.sha, &Selection::Bootstrap)
                .await
        }
        "bootstrap-apply" => runner.apply(r.pr, r.sha, &Selection::Bootstrap).await,
        other => {
            return Err(CliError::usage(format!(
                "--command {other:?}: expected plan, apply, bootstrap-plan or bootstrap-apply"
            )));
        }
    };
    finish(&report.map_err(cli)?)
}

async fn projects(p: ProjectsArgs, apply: bool) -> Result<(), CliError> {
    let forge = client::github(&p.common.conn).await?;
    let runner = Runner::new(&forge, setup(&p.common, &forge).await?);
    let sel = if p.projects.is_empty() {
        Selection::Native
    } else {
        Selection::Named(p.projects)
    };
    let report = if apply {
        runner.apply(p.pr, p.sha, &sel).await
    } else {
        runner.plan(p.pr, p.sha, &sel).await
    };
    finish(&report.map_err(cli)?)
}

/// Everything a run needs, from flags, the Actions environment and (in Actions) the
/// default branch's configuration.
pub async fn setup(c: &CommonArgs, forge: &dyn Forge) -> Result<Setup, CliError> {
    let mut s = setup_without_tool(c, forge).await?;
    s.tool = Tool::from_env(s.config.terraform.binary).map_err(cli)?;
    Ok(s)
}

/// A setup for commands that never run Terraform (`unlock`).
async fn setup_without_tool(c: &CommonArgs, forge: &dyn Forge) -> Result<Setup, CliError> {
    let repo = client::repo(c.repo.as_deref())?;
    let event = crate::requester::from_env();
    let config = crate::config::trusted(
        c.config.as_deref(),
        forge,
        &repo,
        event.default_branch.as_deref(),
    )
    .await?;
    let root = std::env::current_dir()
        .map_err(|e| CliError::failed(format!("cannot read the current directory: {e}")))?;
    Ok(Setup {
        repo,
        tool: Tool {
            program: PathBuf::from(config.terraform.binary.as_str()),
            env: Vec::new(),
        },
        config,
        plans: PlanStore::new(root.join(&c.plans_dir)).map_err(cli)?,
        root,
        run_url: actions_env::job_url(),
        step_summary: StepSummary::new(
            std::env::var_os(actions_env::GITHUB_STEP_SUMMARY)
                .filter(|p| !p.is_empty())
                .map(PathBuf::from),
        ),
        requester: event.requester,
        default_branch: event.default_branch,
    })
}

fn finish(report: &RunReport) -> Result<(), CliError> {
    print_results(&report.results);
    if report.succeeded() {
        Ok(())
    } else {
        let failed = report
            .results
            .iter()
            .filter(|r| r.status != infra_ci_core::Status::Success)
            .count();
        Err(CliError::failed(format!(
            "{failed} of {} project(s) did not succeed",
            report.results.len()
        )))
    }
}

pub fn print_results(results: &[ProjectResult]) {
    for r in results {
        println!(
            "{} {:<20} {:<8} {}",
            r.status.emoji(),
            r.project,
            r.status.word(),
            r.output
        );
    }
}

/// Runner errors through the one mapping (`exit.rs`); by value so it reads `.map_err(cli)`.
#[allow(clippy::needless_pass_by_value)]
pub fn cli(e: RunnerError) -> CliError {
    CliError::from(e)
}
