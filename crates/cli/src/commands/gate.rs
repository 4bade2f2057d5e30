//! `infra-ci gate apply --pr N [PROJECT…]`: the apply gate on its own, for the step right
//! before a Digger apply (the native runner asks the same gate itself). Exit 0 when every
//! project may be applied on the pull request's head now; 1 with the reasons when not.
//! Writes `allowed=true|false` and `reason` to `GITHUB_OUTPUT`.

use clap::{Args, Subcommand};
use infra_ci_engine::gate::{self, GateRequest};
use infra_ci_github::Forge as _;
use infra_ci_route::CommandKind;

use crate::actions_env::{self, GITHUB_OUTPUT};
use crate::args::ConnArgs;
use crate::exit::CliError;

/// `infra-ci gate …`.
#[derive(Debug, Args)]
pub struct GateArgs {
    #[command(subcommand)]
    pub what: GateCommand,
}

/// What to ask the gate.
#[derive(Debug, Subcommand)]
pub enum GateCommand {
    /// May these projects be applied on the pull request's head now? (Exit 0 yes, 1 no.)
    Apply(GateApplyArgs),
}

#[derive(Debug, Args)]
pub struct GateApplyArgs {
    /// Pull request number.
    #[arg(long, value_name = "N")]
    pub pr: u64,
    /// Projects to apply (default: every project but the bootstrap one, as `/apply`).
    #[arg(value_name = "PROJECT")]
    pub projects: Vec<String>,
    /// Ask for `/bootstrap apply` (the configured bootstrap project).
    #[arg(long, conflicts_with = "projects")]
    pub bootstrap: bool,
    /// Repository OWNER/NAME.
    #[arg(long, value_name = "OWNER/NAME", env = crate::actions_env::GITHUB_REPOSITORY)]
    pub repo: Option<String>,
    /// Configuration file (default: in Actions, the default branch's; else .github/infra-ci.yml).
    #[arg(long, value_name = "PATH")]
    pub config: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub conn: ConnArgs,
}

pub async fn run(a: GateArgs) -> Result<(), CliError> {
    let GateCommand::Apply(a) = a.what;
    let repo = crate::client::repo(a.repo.as_deref())?;
    let forge = crate::client::github(&a.conn).await?;
    let event = crate::requester::from_env();
    let config = crate::config::trusted(
        a.config.as_deref(),
        &forge,
        &repo,
        event.default_branch.as_deref(),
    )
    .await?;
    let (kind, projects) = if a.bootstrap {
        let p = config.bootstrap_project().ok_or_else(|| {
            CliError::usage("no bootstrap project is configured (`bootstrap.project`)")
        })?;
        (CommandKind::BootstrapApply, vec![p.name.to_string()])
    } else if a.projects.is_empty() {
        let bootstrap = config.bootstrap_project().map(|p| p.name.to_string());
        let all = config
            .projects_in_order()
            .into_iter()
            .map(|p| p.name.to_string())
            .filter(|n| Some(n) != bootstrap.as_ref())
            .collect();
        (CommandKind::Apply, all)
    } else {
        (CommandKind::Apply, a.projects.clone())
    };
    let default_branch = match event.default_branch.clone() {
        Some(b) => b,
        None => forge.default_branch(&repo).await?,
    };
    let me = forge.whoami().await?;
    let pull = forge.get_pull(&repo, a.pr).await?;
    let (actor, actor_is_bot) = match event.requester {
        Some((actor, bot)) => (Some(actor), bot),
        None => (None, false),
    };
    let gated = gate::check(
        &forge,
        GateRequest {
            repo: &repo,
            config: &config,
            default_branch: &default_branch,
            kind,
            actor,
            actor_is_bot,
            projects,
            files: std::collections::BTreeMap::new(),
            me: &me,
        },
        pull,
    )
    .await?;
    let decision = gated.decision.to_decision(kind);
    let outputs = [
        ("allowed", decision.allowed.to_string()),
        ("reason", decision.reason.clone()),
    ];
    actions_env::append_to(GITHUB_OUTPUT, &actions_env::format_outputs(&outputs))
        .map_err(|e| CliError::failed(format!("cannot write GITHUB_OUTPUT: {e}")))?;
    println!("{}", decision.reason);
    if decision.allowed {
        return Ok(());
    }
    println!("{}", decision.how_to_allow);
    for note in &gated.notes {
        println!("{note}");
    }
    Err(CliError::failed(format!(
        "apply refused for #{}: nothing was applied",
        a.pr
    )))
}
