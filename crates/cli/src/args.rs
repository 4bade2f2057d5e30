//! Command-line arguments (clap). Drop-in for the seed's `python -m ci init|update`.

#[cfg(feature = "emulator")]
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use infra_ci_github::Sha;

/// What `-h` ends with; `--help` adds every environment variable (`env_vars::help`).
pub const AFTER_HELP: &str = "Environment: GITHUB_TOKEN (or GITHUB_APP_ID + GITHUB_APP_PRIVATE_KEY), GITHUB_REPOSITORY, \
GITHUB_API_URL (GitHub Enterprise Server); every variable: --help. Configuration: .github/infra-ci.yml.\n\
Exit codes: 0 ok, 1 the operation failed, 2 bad usage or input.\n\
Try it locally: infra-ci demo";

/// One living dashboard comment per commit for Terraform/OpenTofu CI on GitHub Actions.
///
/// Exit codes: 0 ok, 1 the operation failed, 2 bad usage or input.
#[derive(Debug, Parser)]
#[command(
    name = "infra-ci",
    version,
    about,
    long_about = None,
    propagate_version = true,
    after_help = AFTER_HELP
)]
pub struct Cli {
    /// More logging on stderr (-v info, -vv debug). RUST_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Find or create the commit's dashboard comment (the seed's `ci init`).
    Init(InitArgs),
    /// Set one stage's status, link and output, and update the dashboard in place.
    Update(UpdateArgs),
    /// Print the commit's dashboard as its commit statuses tell it.
    Show(ShowArgs),
    /// Re-render the dashboard from the commit statuses (repairs an edited or deleted one).
    Sync(InitArgs),
    /// Route a GitHub event (the `parse` job): decide what runs, write it to GITHUB_OUTPUT,
    /// react to command comments and initialise the dashboard.
    Parse(ParseArgs),
    /// Summarise a Terraform/OpenTofu plan (JSON or text) for the dashboard or a PR comment.
    Summarize(SummarizeArgs),
    /// Run Terraform/OpenTofu: plan|apply [PROJECT…], bootstrap plan|apply, unlock, verify.
    Run(crate::commands::run::RunArgs),
    /// Plan every project and keep the "Infrastructure drift" issue in step (exit 1 on drift).
    Drift(crate::commands::drift::DriftArgs),
    /// The apply gate: may these projects be applied on the PR's head now? (Before a Digger
    /// apply; the native `run apply` asks it itself.) Exit 0 yes, 1 no, with the reasons.
    Gate(crate::commands::gate::GateArgs),
    /// Stage `ci`: terraform fmt -check, then init -backend=false and validate of every
    /// project; the first error line in the Output column.
    Validate(crate::commands::pipeline::ValidateArgs),
    /// Report a job's outcome on the rows it owns (a Digger leg; a job that ended early).
    Report(crate::commands::pipeline::ReportArgs),
    /// Find the one run that saved the plans an apply needs (writes `run_id` to GITHUB_OUTPUT).
    PlanRun(crate::commands::pipeline::PlanRunArgs),
    /// Which pull request a job started by a push or by hand reports on (e2e after a
    /// merge): writes `pr`, `sha`, `ref` and `dashboard` to GITHUB_OUTPUT.
    PrTarget(crate::commands::pr_target::PrTargetArgs),
    /// Serve the GitHub API emulator (for trying infra-ci locally and for tests).
    #[cfg(feature = "emulator")]
    Emulator(EmulatorArgs),
    /// Play the seed's `/plan` and `/bootstrap apply` sequences on an embedded emulator.
    #[cfg(feature = "emulator")]
    Demo(DemoArgs),
}

/// How to reach GitHub.
#[derive(Debug, Args, Clone)]
pub struct ConnArgs {
    /// Token (default: GITHUB_TOKEN). Prefer the environment: arguments show in process lists.
    #[arg(long, hide_env_values = true)]
    pub token: Option<String>,
    /// REST API base URL (default: GITHUB_API_URL, else https://api.github.com; GHES: https://HOST/api/v3).
    #[arg(long, value_name = "URL")]
    pub api_url: Option<String>,
}

/// Which dashboard.
#[derive(Debug, Args, Clone)]
pub struct TargetArgs {
    /// Pull request number.
    #[arg(long, value_name = "N")]
    pub pr: u64,
    /// Commit SHA (default: the PR's head commit; never the merge commit GITHUB_SHA points at).
    #[arg(long, value_name = "SHA", value_parser = parse_sha)]
    pub sha: Option<Sha>,
    /// Repository OWNER/NAME.
    #[arg(long, value_name = "OWNER/NAME", env = crate::actions_env::GITHUB_REPOSITORY)]
    pub repo: Option<String>,
    /// Configuration file (default: .github/infra-ci.yml when it exists; else the seed's stages).
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    #[command(flatten)]
    pub conn: ConnArgs,
}

#[derive(Debug, Args)]
pub struct UpdateArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    #[command(flatten)]
    pub conn: ConnArgs,
    /// Stage key (e.g. plan-platform). An unknown key is added as a row, with a warning.
    #[arg(long, value_name = "KEY")]
    pub stage: String,
    /// pending, running, success, failure, skipped or cancelled (GitHub's job.status and
    /// steps.<id>.outcome words are accepted as they are).
    #[arg(long, value_name = "WORD")]
    pub status: String,
    /// Link shown in the Output column (e.g. the run URL; http(s) only).
    #[arg(long, value_name = "URL")]
    pub link: Option<String>,
    /// One-line output for the Output column.
    #[arg(long, value_name = "TEXT", conflicts_with = "output_file")]
    pub output: Option<String>,
    /// Read the output from a file (`-` for stdin): its first line (a failure's first error
    /// line) goes in the Output column, the whole text in a collapsed details section. A
    /// long output never has to fit in an argument. A missing file is a warning, not an
    /// error: the status is still reported.
    #[arg(long, value_name = "PATH")]
    pub output_file: Option<String>,
    /// Summarise a plan (`terraform show -json` output, a `plan -json` stream or a plan log;
    /// `-` for stdin) into the Output column (`+2 ~1 -0`), with the counts as details.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["output", "output_file"])]
    pub plan: Option<String>,
    /// This job reports the stage's result later (`pending` or `running` only): post the
    /// status alone, one request, and leave the comment to the result's update, which
    /// renders it (ADR 0010). The row shows it at the next render of any stage.
    #[arg(long)]
    pub result_follows: bool,
}

#[derive(Debug, Args)]
pub struct ParseArgs {
    /// Event name (default: GITHUB_EVENT_NAME).
    #[arg(long, value_name = "NAME")]
    pub event_name: Option<String>,
    /// Event payload file (default: GITHUB_EVENT_PATH).
    #[arg(long, value_name = "PATH")]
    pub event_path: Option<PathBuf>,
    /// Repository OWNER/NAME.
    #[arg(long, value_name = "OWNER/NAME", env = crate::actions_env::GITHUB_REPOSITORY)]
    pub repo: Option<String>,
    /// Configuration file (default: .github/infra-ci.yml when it exists).
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Print the route as one JSON object instead of name=value lines.
    #[arg(long)]
    pub json: bool,
    /// Decide only: no GitHub requests (no lookups, reactions, replies or dashboard), so a
    /// route can be checked locally without a token. Lookups stay unresolved.
    #[arg(long)]
    pub offline: bool,
    #[command(flatten)]
    pub conn: ConnArgs,
}

#[derive(Debug, Args)]
pub struct SummarizeArgs {
    /// A plan: `terraform show -json` output, a `terraform plan -json` stream, or a plan's
    /// text log (detected). `-` reads stdin.
    #[arg(value_name = "FILE")]
    pub file: String,
    /// Print one JSON object with the counts (create, update, delete, replace, read, import,
    /// move, forget, output_changes, drift) and the lists deleted and replaced.
    #[arg(long, conflicts_with = "line")]
    pub json: bool,
    /// Print only the one-line summary (`+2 ~1 -0`), as the dashboard's Output column shows it.
    #[arg(long)]
    pub line: bool,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    #[command(flatten)]
    pub conn: ConnArgs,
    /// Print one JSON object: {"sha","comment_id","stages":[{"key","name","status","link","output","updated_at"}]}.
    #[arg(long)]
    pub json: bool,
}

#[cfg(feature = "emulator")]
#[derive(Debug, Args)]
pub struct EmulatorArgs {
    /// Address to listen on; port 0 picks a free one. The first line printed is
    /// `listening on http://HOST:PORT`.
    #[arg(long, default_value = "127.0.0.1:8787", value_name = "ADDR")]
    pub listen: SocketAddr,
    /// Base of html_url links in responses.
    #[arg(long, value_name = "URL")]
    pub web_base: Option<String>,
    /// Create this repository at start (repeatable); others need `POST /_emulator/repos`.
    #[arg(long = "repo", value_name = "OWNER/NAME", value_parser = parse_repo)]
    pub repos: Vec<String>,
}

#[cfg(feature = "emulator")]
fn parse_repo(s: &str) -> Result<String, String> {
    match s.split_once('/') {
        Some((o, n)) if !o.is_empty() && !n.is_empty() && !n.contains('/') => Ok(s.to_owned()),
        _ => Err(format!("expected OWNER/NAME, got {s:?}")),
    }
}

#[cfg(feature = "emulator")]
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Pause between steps, so the dashboard can be watched changing.
    #[arg(long, default_value_t = 0, value_name = "MS")]
    pub step_ms: u64,
    /// Serve the pull request's page while the demo plays and keep it up afterwards (until
    /// Ctrl-C): open the printed address to watch the dashboard change as GitHub shows it.
    #[arg(long, alias = "keep")]
    pub serve: bool,
    /// Port for the emulator and the page (0: any free port).
    #[arg(long, default_value_t = 0, value_name = "PORT")]
    pub port: u16,
}

/// `--in-run`: `parse`'s `in_run` output, `true` or `false`; empty (an older `parse` that
/// does not write it) is `false`: the leg then reports as it always did.
pub fn parse_in_run(text: &str) -> Result<bool, String> {
    match text.trim() {
        "true" => Ok(true),
        "false" | "" => Ok(false),
        other => Err(format!("expected true or false, got {other:?}")),
    }
}

/// `--sha`: 7 to 64 hexadecimal characters (a typo is a usage error, exit 2).
pub fn parse_sha(text: &str) -> Result<Sha, String> {
    Sha::parse(text).map_err(|e| e.to_string())
}
