//! Which dashboard: repository, pull request and commit.

use infra_ci_github::{Forge, RepoId};

use crate::error::EngineError;

/// The repository, pull request and commit a dashboard belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub repo: RepoId,
    pub pr: u64,
    /// The full head SHA.
    pub sha: String,
}

impl Target {
    /// Uses `sha` when given; otherwise the PR's head commit (never `GITHUB_SHA`, which is a
    /// merge commit on `pull_request` events). One request when `sha` is `None`.
    pub async fn resolve(
        forge: &dyn Forge,
        repo: RepoId,
        pr: u64,
        sha: Option<String>,
    ) -> Result<Self, EngineError> {
        let sha = match sha {
            Some(s) => {
                if s.len() < 7 || s.len() > 64 || !s.chars().all(|c| c.is_ascii_hexdigit()) {
                    return Err(EngineError::Usage(format!(
                        "--sha {s:?} is not a commit SHA (7 to 64 hex digits)"
                    )));
                }
                s.to_ascii_lowercase()
            }
            None => forge.get_pull(&repo, pr).await?.head.sha,
        };
        Ok(Self { repo, pr, sha })
    }
}
