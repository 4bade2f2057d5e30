//! Loading `.github/infra-ci.yml`: an explicit `--config` must exist; the default path is
//! optional (no file means the seed's pipeline).

use std::path::Path;

use infra_ci_config::{CONFIG_PATH, Config};

use crate::exit::CliError;

/// The configuration for this run.
pub fn load(explicit: Option<&Path>) -> Result<Config, CliError> {
    let (path, required) = match explicit {
        Some(p) => (p.to_path_buf(), true),
        None => (Path::new(CONFIG_PATH).to_path_buf(), false),
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
