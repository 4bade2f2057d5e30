//! Building the GitHub client and the target dashboard from flags and environment.

use infra_ci_engine::Target;
use infra_ci_github::{
    Auth, ClientConfig, GitHubClient, RepoId, mint_installation_token_with_login,
};
use secrecy::{ExposeSecret as _, SecretString};

use crate::args::{ConnArgs, TargetArgs};
use crate::exit::CliError;

/// The client for `conn`: environment first, flags on top.
///
/// With GitHub App credentials inside Actions, the installation token is minted once here
/// and registered with `::add-mask::`, so GitHub hides it from every later line of the log
/// (ours never print it; a user's step might), and the client knows the App's bot login.
pub async fn github(conn: &ConnArgs) -> Result<GitHubClient, CliError> {
    let token = conn.token.clone().map(SecretString::from);
    let mut cfg = ClientConfig::from_lookup_with_token(|name| std::env::var(name).ok(), token).map_err(|e| {
        CliError::usage(format!(
            "{e}\nhint: in a workflow, pass `GITHUB_TOKEN: ${{{{ secrets.GITHUB_TOKEN }}}}` in the step's env"
        ))
    })?;
    if let Some(url) = &conn.api_url {
        cfg = cfg.with_base_url(url)?;
    }
    let app_repo = match &cfg.auth {
        Auth::App(app) => app.repo.clone().or_else(|| repo(None).ok()),
        Auth::Token(_) => None,
    };
    let in_actions = std::env::var(crate::actions_env::GITHUB_ACTIONS).is_ok_and(|v| v == "true");
    if let (Some(app_repo), true) = (app_repo, in_actions) {
        let minted = mint_installation_token_with_login(&cfg, &app_repo).await?;
        // On stderr: the runner reads workflow commands from both streams, and stdout stays
        // what the command prints (`show --json | jq`, `x=$(infra-ci …)` never capture the
        // token).
        eprintln!("::add-mask::{}", minted.token.expose_secret());
        if cfg.bot_login.is_none() {
            cfg.bot_login = minted.bot_login;
        }
        cfg.auth = Auth::Token(minted.token);
    }
    Ok(GitHubClient::new(cfg)?)
}

/// `--repo` (which clap fills from `GITHUB_REPOSITORY`: `env_vars`).
pub fn repo(arg: Option<&str>) -> Result<RepoId, CliError> {
    let Some(raw) = arg.map(str::to_owned) else {
        return Err(CliError::usage("no repository")
            .with_hint("pass --repo OWNER/NAME or set GITHUB_REPOSITORY"));
    };
    RepoId::parse(&raw).ok_or_else(|| CliError::usage(format!("--repo {raw:?} is not OWNER/NAME")))
}

/// The dashboard a run's leg names with `parse`'s outputs, unchecked (`is_head` unknown):
/// `Dashboards::update_in_run_as_routed` checks it against `parse`'s run mark, and asks
/// GitHub only when that does not vouch for it. Without a full `--sha`, as [`target`].
pub async fn routed_target(forge: &GitHubClient, t: &TargetArgs) -> Result<Target, CliError> {
    match &t.sha {
        Some(sha) if sha.as_str().len() == 40 => Ok(Target {
            repo: repo(t.repo.as_deref())?,
            pr: t.pr,
            sha: sha.clone(),
            is_head: None,
        }),
        _ => target(forge, t).await,
    }
}

/// The dashboard the flags name (one request when `--sha` is absent: the PR's head).
pub async fn target(forge: &GitHubClient, t: &TargetArgs) -> Result<Target, CliError> {
    let repo = repo(t.repo.as_deref())?;
    Ok(Target::resolve(forge, repo, t.pr, t.sha.as_deref()).await?)
}
