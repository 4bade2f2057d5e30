//! Engine errors: a forge error, or a use-case rule the caller broke.

use infra_ci_github::ForgeError;

/// What can make a dashboard operation fail.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// A GitHub request failed; its message says what to do.
    #[error(transparent)]
    Forge(#[from] ForgeError),
    /// Bad input from the caller (exit code 2).
    #[error("{0}")]
    Usage(String),
    /// The comment could not be brought up to date within the bounded number of rounds.
    #[error(
        "the dashboard kept changing under us for {rounds} rounds; the commit statuses hold the truth, run `infra-ci sync --pr {pr}` to re-render"
    )]
    Contended {
        /// How many rounds were tried.
        rounds: u32,
        /// The pull request whose dashboard it is (named in the `sync` advice).
        pr: u64,
    },
    /// Status reads kept lagging our own write (GitHub's replicas far behind).
    #[error(
        "{reads} reads of the commit statuses in a row did not show our own latest write yet; the commit statuses hold the truth, run `infra-ci sync --pr {pr}` to re-render once GitHub catches up"
    )]
    Stale {
        /// How many reads in a row lagged.
        reads: u32,
        /// The pull request whose dashboard it is (named in the `sync` advice).
        pr: u64,
    },
}

impl EngineError {
    /// True when the caller (not GitHub) was wrong: the CLI exits 2.
    pub fn is_usage(&self) -> bool {
        matches!(self, Self::Usage(_))
    }
}
