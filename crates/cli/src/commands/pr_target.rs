//! `infra-ci pr-target`: which pull request and commit a job that is not started by a pull
//! request reports on (e2e after a push to the default branch, a manual run), so that its
//! workflow holds no `gh api --jq` or shell (issue 9).
//!
//! After a push, the pull request is the one whose merge commit is the pushed commit, and no
//! other: GitHub also lists a pull request whose head merely contains that commit (anyone
//! can open one from a fork), and reporting onto it would write our evidence on a PR of
//! their choosing. Its dashboard is the head's, the one people look at
//! after the merge (the merge commit's holds only the post-merge verdict). The tests check
//! out the pushed commit; on a manual run with `--pr`, the PR's head.

use clap::Args;
use infra_ci_github::{GitHubClient, Sha};

use crate::actions_env::{self, GITHUB_EVENT_NAME, GITHUB_OUTPUT};
use crate::args::ConnArgs;
use crate::client;
use crate::exit::CliError;

use crate::env_vars::GITHUB_SHA;

#[derive(Debug, Args)]
pub struct PrTargetArgs {
    /// The pull request to report on; empty (a manual run's blank input) means: the one the
    /// pushed commit was merged from, on a push; none otherwise.
    #[arg(long, value_name = "N", default_value = "")]
    pub pr: String,
    /// The commit the run is for (default: GITHUB_SHA).
    #[arg(long, value_name = "SHA", env = GITHUB_SHA, value_parser = crate::args::parse_sha)]
    pub commit: Sha,
    /// The event that started the run (default: GITHUB_EVENT_NAME).
    #[arg(long, value_name = "NAME", env = GITHUB_EVENT_NAME, default_value = "workflow_dispatch")]
    pub event: String,
    /// Repository OWNER/NAME.
    #[arg(long, value_name = "OWNER/NAME", env = crate::actions_env::GITHUB_REPOSITORY)]
    pub repo: Option<String>,
    #[command(flatten)]
    pub conn: ConnArgs,
}

/// What a job reports on: written to GITHUB_OUTPUT as `pr`, `sha`, `ref` and `dashboard`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrTarget {
    /// The pull request, if any.
    pub pr: Option<u64>,
    /// Its head: the commit whose dashboard the job updates.
    pub sha: Option<Sha>,
    /// What the job checks out.
    pub checkout: Sha,
}

pub async fn run(a: PrTargetArgs) -> Result<(), CliError> {
    let pr = match a.pr.trim() {
        "" => None,
        n => Some(
            n.parse::<u64>()
                .map_err(|_| CliError::usage(format!("--pr {n:?} is not a pull request number")))?,
        ),
    };
    if a.commit.len() < 7 || !a.commit.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(CliError::usage(format!(
            "--commit {:?} is not a commit SHA (set GITHUB_SHA or pass --commit)",
            a.commit
        )));
    }
    let forge = client::github(&a.conn).await?;
    let t = find(&forge, a.repo.as_deref(), pr, &a.commit, &a.event).await?;
    match (t.pr, &t.sha) {
        (Some(n), Some(sha)) => println!("reporting on pull request #{n} (dashboard of {sha})"),
        _ => println!("no pull request to report on: the run has no dashboard"),
    }
    let out = actions_env::format_outputs(&[
        ("pr", t.pr.map(|n| n.to_string()).unwrap_or_default()),
        ("sha", t.sha.clone().map(String::from).unwrap_or_default()),
        ("ref", t.checkout.to_string()),
        ("dashboard", t.pr.is_some().to_string()),
    ]);
    actions_env::append_to(GITHUB_OUTPUT, &out)
        .map_err(|e| CliError::failed(format!("cannot write GITHUB_OUTPUT: {e}")))?;
    Ok(())
}

async fn find(
    forge: &GitHubClient,
    repo: Option<&str>,
    pr: Option<u64>,
    commit: &Sha,
    event: &str,
) -> Result<PrTarget, CliError> {
    use infra_ci_github::Forge as _;
    let repo = client::repo(repo)?;
    let push = event == "push";
    let pull = match pr {
        Some(n) => Some(forge.get_pull(&repo, n).await?),
        None if push => {
            let pulls = forge.pulls_for_commit(&repo, commit).await?;
            pulls
                .into_iter()
                .find(|p| p.merge_commit_sha.as_deref().is_some_and(|m| commit.is(m)))
        }
        None => None,
    };
    let sha = pull.as_ref().map(|p| p.head.sha.clone());
    let checkout = match (&sha, push) {
        (Some(head), false) => head.clone(),
        _ => commit.clone(),
    };
    Ok(PrTarget {
        pr: pull.map(|p| p.number),
        sha,
        checkout,
    })
}
