//! Loading `.github/infra-ci.yml`: an explicit `--config` must exist; the default path is
//! optional (no file means the seed's pipeline).

use std::path::Path;

use infra_ci_config::{CONFIG_PATH, Config};

use crate::exit::CliError;

/// Where the workflow put the default branch's configuration (`.github/infra-ci.yml` of a
/// second, trusted checkout), so that a pull request never sets its own rules. Optional like
/// the default path: a repository without the file gets the seed's pipeline.
pub const INFRA_CI_CONFIG: &str = "INFRA_CI_CONFIG";

/// The configuration for this run: `--config`, else `INFRA_CI_CONFIG`, else the default path.
pub fn load(explicit: Option<&Path>) -> Result<Config, CliError> {
    let from_env = std::env::var_os(INFRA_CI_CONFIG).filter(|v| !v.is_empty());
    let (path, required) = match (explicit, from_env) {
        (Some(p), _) => (p.to_path_buf(), true),
        (None, Some(p)) => (p.into(), false),
        (None, None) => (Path::new(CONFIG_PATH).to_path_buf(), false),
    };
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
