//! Which dashboard: repository, pull request and commit.

use infra_ci_github::{Forge, RepoId, Sha};

use crate::error::EngineError;

/// The repository, pull request and commit a dashboard belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The repository the pull request is in.
    pub repo: RepoId,
    /// The pull request's number; its conversation holds the dashboard comment.
    pub pr: u64,
    /// The full commit SHA (usually the PR's head).
    pub sha: Sha,
    /// Whether `sha` is the PR's head, when known ([`Target::resolve`] knows; `None` makes
    /// the one step that needs it, hiding earlier dashboards, ask GitHub).
    pub is_head: Option<bool>,
}

impl Target {
    /// Uses `sha` when given; otherwise the PR's head commit (never `GITHUB_SHA`, which is a
    /// merge commit on `pull_request` events). One request, two when `sha` is neither the
    /// head nor the merge commit.
    ///
    /// A given `sha` must belong to the pull request: its head, its merge commit (post-merge
    /// jobs), or an earlier commit the head contains (a late job of a previous push). Any
    /// other commit would get a dashboard on this PR that says nothing about it (issue 9,
    /// item 6), so it is refused as bad input.
    pub async fn resolve(
        forge: &dyn Forge,
        repo: RepoId,
        pr: u64,
        sha: Option<&str>,
    ) -> Result<Self, EngineError> {
        let pull = forge.get_pull(&repo, pr).await?;
        let Some(given) = sha else {
            return Ok(Self {
                repo,
                pr,
                sha: pull.head.sha,
                is_head: Some(true),
            });
        };
        let given = Sha::parse(given).map_err(|e| EngineError::Usage(format!("--sha {e}")))?;
        let is = |full: &str| full.to_ascii_lowercase().starts_with(given.as_str());
        if is(&pull.head.sha) {
            return Ok(Self {
                repo,
                pr,
                sha: pull.head.sha,
                is_head: Some(true),
            });
        }
        if let Some(sha) = pull.merge_commit_sha.clone().filter(|m| is(m)) {
            return Ok(Self {
                repo,
                pr,
                sha,
                is_head: Some(false),
            });
        }
        let not_ours = || {
            EngineError::Usage(format!(
                "--sha {given} is not a commit of pull request #{pr} (its head is {}): pass the head, the merge commit or an earlier commit of the pull request, or omit --sha for the head",
                pull.head.sha
            ))
        };
        match forge.compare(&repo, &given, &pull.head.sha).await {
            Ok(c) if c.status == "ahead" || c.status == "identical" => Ok(Self {
                repo,
                pr,
                sha: given,
                is_head: Some(false),
            }),
            Ok(_) => Err(not_ours()),
            Err(e) if e.is_not_found() => Err(not_ours()),
            Err(e) => Err(e.into()),
        }
    }
}
