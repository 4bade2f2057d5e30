//! The runner's errors: what stopped a run as a whole (a project's own failure is a result,
//! not an error), each with a message that says what to do.

use infra_ci_engine::EngineError;
use infra_ci_github::ForgeError;

/// Why a run could not be carried out.
#[derive(Debug, thiserror::Error)]
pub enum RunnerError {
    /// The Terraform executable is not installed (or not where it was said to be).
    #[error(
        "`{binary}` was not found{where_}: install it (Terraform: https://developer.hashicorp.com/terraform/install, \
         OpenTofu: https://opentofu.org/docs/intro/install/, e.g. with hashicorp/setup-terraform or \
         opentofu/setup-opentofu in the workflow), choose the other one with `terraform: {{ binary: tofu }}` \
         in .github/infra-ci.yml, or set INFRA_CI_TERRAFORM to the executable's path"
    )]
    BinaryNotFound {
        /// The name or path that was looked for.
        binary: String,
        /// `" on PATH"` or `""`.
        where_: &'static str,
    },
    /// A project name that the configuration does not list.
    #[error("no project named {name:?} in the configuration; configured projects: {known}")]
    UnknownProject {
        /// The name asked for.
        name: String,
        /// The configured project names, comma-separated, to pick from.
        known: String,
    },
    /// `/bootstrap` without a bootstrap project.
    #[error(
        "no bootstrap project: add `bootstrap: {{ project: NAME }}` to .github/infra-ci.yml or name a project `bootstrap`"
    )]
    NoBootstrap,
    /// Bad input from the caller (exit code 2).
    #[error("{0}")]
    Usage(String),
    /// A local file could not be read or written.
    #[error("{what}: {source}; check that the directory exists and is writable")]
    Io {
        /// What was being done, e.g. "waiting for terraform".
        what: String,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// A dashboard operation failed (writing a stage, reading statuses, the apply gate).
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// A GitHub request the runner made itself failed (e.g. reading the pull request).
    #[error(transparent)]
    Forge(#[from] ForgeError),
}

impl RunnerError {
    /// True when the caller was wrong (the CLI exits 2).
    pub fn is_usage(&self) -> bool {
        match self {
            Self::UnknownProject { .. } | Self::NoBootstrap | Self::Usage(_) => true,
            Self::Engine(e) => e.is_usage(),
            _ => false,
        }
    }

    pub(crate) fn io(what: impl Into<String>, source: std::io::Error) -> Self {
        Self::Io {
            what: what.into(),
            source,
        }
    }
}
