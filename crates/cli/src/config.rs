//! Loading `.github/infra-ci.yml`.
//!
//! Two sources, and which one decides:
//! - **In GitHub Actions** (`GITHUB_ACTIONS=true`, no `--config`): the default branch's
//!   file, read through the API (`GET contents/.github/infra-ci.yml?ref=<default branch>`).
//!   A pull request's own copy of the file is its author's to write; who may apply, what an
//!   apply requires, the locks and the project→stage map must not be. A pull request's
//!   change to the file takes effect when it is merged (docs/security.md).
//! - **A named file**: `--config PATH`, or `INFRA_CI_CONFIG` (the reusable pipeline points it
//!   at its own checkout of the default branch's `.github`, saving the API read).
//! - **Elsewhere** (outside Actions): the working tree's.
//!
//! An explicit `--config` must exist; the default path is optional (no file means the
//! seed's pipeline). A configuration that is a symlink is refused, and its target is never
//! named (it could be any file on the runner).

use std::path::Path;

use infra_ci_config::{CONFIG_PATH, Config};
use infra_ci_github::{Forge, RepoId};
use tracing::{info, warn};

use crate::exit::CliError;

/// Where the workflow put the default branch's configuration (`.github/infra-ci.yml` of a
/// second, trusted checkout), so that a pull request never sets its own rules. Optional like
/// the default path: a repository without the file gets the seed's pipeline.
pub use crate::env_vars::INFRA_CI_CONFIG;

/// The configuration file of this run: `--config`, else `INFRA_CI_CONFIG`, else the default path.
pub fn load(explicit: Option<&Path>) -> Result<Config, CliError> {
    let from_env = std::env::var_os(INFRA_CI_CONFIG).filter(|v| !v.is_empty());
    let (path, required) = match (explicit, from_env) {
        (Some(p), _) => (p.to_path_buf(), true),
        (None, Some(p)) => (p.into(), false),
        (None, None) => (Path::new(CONFIG_PATH).to_path_buf(), false),
    };
    match std::fs::symlink_metadata(&path) {
        Ok(m) if m.file_type().is_symlink() => {
            return Err(CliError::usage(format!(
                "{} is a symbolic link: infra-ci reads its configuration only from a regular file",
                path.display()
            )));
        }
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => {
            return Ok(Config::default());
        }
        Err(e) => {
            return Err(CliError::usage(format!(
                "cannot read the configuration {}: {e}",
                path.display()
            )));
        }
    }
    match std::fs::read_to_string(&path) {
        Ok(text) => Config::from_yaml(&text)
            .map_err(|e| CliError::usage(format!("{}: {e}", path.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => Ok(Config::default()),
        Err(e) => Err(CliError::usage(format!(
            "cannot read the configuration {}: {e}",
            path.display()
        ))),
    }
}

/// True when the trusted configuration must be read from the default branch through the
/// API: in Actions, unless a file was named (`--config`, or `INFRA_CI_CONFIG`, which the
/// reusable pipeline points at its checkout of the default branch's `.github`).
pub fn from_default_branch(explicit: Option<&Path>) -> bool {
    explicit.is_none()
        && std::env::var_os(INFRA_CI_CONFIG).is_none_or(|v| v.is_empty())
        && std::env::var(crate::actions_env::GITHUB_ACTIONS).is_ok_and(|v| v == "true")
}

/// The configuration that decides plans and applies: the default branch's in Actions,
/// else the working tree's (or `explicit`'s).
pub async fn trusted(
    explicit: Option<&Path>,
    forge: &dyn Forge,
    repo: &RepoId,
    default_branch: Option<&str>,
) -> Result<Config, CliError> {
    if !from_default_branch(explicit) {
        return load(explicit);
    }
    let branch = match default_branch {
        Some(b) => b.to_owned(),
        None => forge.default_branch(repo).await?,
    };
    let config = match forge.file_contents(repo, CONFIG_PATH, &branch).await? {
        Some(text) => Config::from_yaml(&text).map_err(|e| {
            CliError::failed(format!(
                "{CONFIG_PATH} on the default branch `{branch}` is invalid: {e}"
            ))
        })?,
        None => Config::default(),
    };
    info!(branch = %branch, "configuration read from the default branch");
    if let Ok(local) = load(None)
        && local != config
    {
        warn!(
            "this checkout's {CONFIG_PATH} differs from the default branch's; the default branch's decides (a pull request's change takes effect when merged)"
        );
        println!(
            "::notice title=infra-ci::{CONFIG_PATH} differs from the default branch's; the default branch's configuration is used until this change is merged"
        );
    }
    Ok(config)
}
