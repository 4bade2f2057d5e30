//! Which Terraform executable runs, and the environment it runs in.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use infra_ci_config::TerraformBinary;

use crate::error::RunnerError;

/// Overrides `terraform.binary`: a name looked up on `PATH`, or a path.
pub const ENV_TERRAFORM: &str = "INFRA_CI_TERRAFORM";
/// Where plan files are kept (default [`DEFAULT_PLANS_DIR`]).
pub const ENV_PLANS_DIR: &str = "INFRA_CI_PLANS_DIR";
/// The default plans directory, relative to the repository root.
pub const DEFAULT_PLANS_DIR: &str = ".infra-ci/plans";

/// The resolved Terraform (or OpenTofu) executable and extra environment for it.
/// The child inherits our environment; `env` adds to it (`TF_IN_AUTOMATION` is always set).
#[derive(Debug, Clone)]
pub struct Tool {
    /// Absolute path of the executable.
    pub program: PathBuf,
    /// Extra variables for every child (on top of the inherited environment).
    pub env: Vec<(OsString, OsString)>,
}

impl Tool {
    /// Finds `name_or_path` (a bare name is looked up in `path_var`, like a shell would;
    /// anything with a separator is used as a path). `path_var` is normally `$PATH`.
    pub fn locate(name_or_path: &str, path_var: Option<&OsString>) -> Result<Self, RunnerError> {
        let candidate = Path::new(name_or_path);
        if candidate.components().count() > 1 {
            return if is_executable(candidate) {
                Ok(Self::at(candidate.to_path_buf()))
            } else {
                Err(RunnerError::BinaryNotFound {
                    binary: name_or_path.to_owned(),
                    where_: "",
                })
            };
        }
        path_var
            .into_iter()
            .flat_map(std::env::split_paths)
            .flat_map(|dir| exe_names(name_or_path).map(move |n| dir.join(n)))
            .find(|p| is_executable(p))
            .map(Self::at)
            .ok_or_else(|| RunnerError::BinaryNotFound {
                binary: name_or_path.to_owned(),
                where_: " on PATH",
            })
    }

    /// The configured binary, or [`ENV_TERRAFORM`] when set, looked up on this process's PATH.
    pub fn from_env(configured: TerraformBinary) -> Result<Self, RunnerError> {
        let name = std::env::var(ENV_TERRAFORM)
            .ok()
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| configured.as_str().to_owned());
        Self::locate(&name, std::env::var_os("PATH").as_ref())
    }

    fn at(program: PathBuf) -> Self {
        Self {
            program,
            env: Vec::new(),
        }
    }

    /// Adds a variable for every child.
    #[must_use]
    pub fn with_env(mut self, key: impl Into<OsString>, value: impl Into<OsString>) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }

    /// The executable's file name, for messages (`terraform`, `tofu`).
    pub fn name(&self) -> String {
        self.program.file_stem().map_or_else(
            || "terraform".to_owned(),
            |s| s.to_string_lossy().into_owned(),
        )
    }
}

fn exe_names(name: &str) -> impl Iterator<Item = String> {
    let windows = cfg!(windows) && Path::new(name).extension().is_none();
    std::iter::once(name.to_owned()).chain(windows.then(|| format!("{name}.exe")))
}

#[cfg(unix)]
fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt as _;
    p.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(p: &Path) -> bool {
    p.is_file()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_binary_names_itself_and_the_fixes() {
        let err = Tool::locate("tofu", Some(&OsString::from("/nonexistent-dir"))).unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("`tofu` was not found on PATH"), "{msg}");
        assert!(msg.contains("INFRA_CI_TERRAFORM"), "{msg}");
        assert!(msg.contains("binary: tofu"), "{msg}");
    }

    #[cfg(unix)]
    #[test]
    fn finds_sh_on_the_path() {
        let tool = Tool::locate("sh", Some(&OsString::from("/nonexistent:/bin:/usr/bin"))).unwrap();
        assert!(tool.program.is_absolute());
        assert_eq!(tool.name(), "sh");
    }
}
