//! The [`Route`]: what the `parse` job decided, and the two pure steps after it:
//! [`complete`] (fill in what a GitHub lookup found) and [`refuse`] (apply an authorization
//! refusal).

use std::fmt::Write as _;

use infra_ci_core::Status;
use infra_ci_wire::Sha;
use serde::{Deserialize, Serialize};

use crate::command::{Command, CommandKind};
use crate::policy::{Actor, Decision};

/// Which job runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// The Digger job (plans and applies of `runner: digger` projects).
    Digger,
    /// infra-ci runs Terraform itself (`runner: native` projects; the seed's `python`).
    Native,
    /// After a merge to the default branch: verify.
    PostMerge,
    /// A pull request review: write the review stage.
    Review,
    /// Scheduled drift detection.
    Drift,
    /// Nothing runs.
    None,
}

impl Mode {
    /// The `mode` output.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Digger => "digger",
            Self::Native => "native",
            Self::PostMerge => "post-merge",
            Self::Review => "review",
            Self::Drift => "drift",
            Self::None => "none",
        }
    }
}

/// A reaction to put on the command's comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reaction {
    /// The comment.
    pub comment_id: u64,
    /// Which reaction.
    pub content: ReactionContent,
}

/// The reactions infra-ci uses (GitHub's names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReactionContent {
    /// 👀 seen, running.
    #[serde(rename = "eyes")]
    Eyes,
    /// 👎 refused by policy.
    #[serde(rename = "-1")]
    MinusOne,
    /// 😕 a known command with bad arguments, or on a closed pull request.
    #[serde(rename = "confused")]
    Confused,
}

impl ReactionContent {
    /// GitHub's `content` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Eyes => "eyes",
            Self::MinusOne => "-1",
            Self::Confused => "confused",
        }
    }
}

/// A GitHub lookup the route still needs (the engine does it, then calls [`complete`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Lookup {
    /// `GET /repos/{o}/{r}/pulls/{pr}`: comment payloads carry no head SHA.
    PullHead {
        /// The pull request.
        pr: u64,
    },
    /// `GET /repos/{o}/{r}/commits/{sha}/pulls`: the pull request a merge commit came from.
    PullsForCommit {
        /// The commit pushed to the default branch.
        sha: Sha,
    },
}

/// What a [`Lookup`] found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Facts {
    /// Answer to [`Lookup::PullHead`].
    PullHead {
        /// `head.sha`: the commit the dashboard belongs to (never the merge ref).
        sha: Sha,
        /// `state == "open"`.
        open: bool,
    },
    /// Answer to [`Lookup::PullsForCommit`]: pull request numbers, as GitHub listed them.
    PullsForCommit {
        /// The pull requests that contain the commit.
        prs: Vec<u64>,
    },
}

/// What the `parse` job decided. Serialized, it is the job's outputs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Route {
    /// Which job runs.
    pub mode: Mode,
    /// What it runs.
    pub command: Option<CommandKind>,
    /// Every project the run touches, in dependency order.
    pub projects: Vec<String>,
    /// The subset run by the Digger job (`runner: digger`).
    pub digger_projects: Vec<String>,
    /// The subset infra-ci runs itself (`runner: native`).
    pub native_projects: Vec<String>,
    /// The pull request whose dashboard is updated.
    pub pr_number: Option<u64>,
    /// The commit: the pull request head (never a merge ref), or the pushed commit.
    pub sha: Option<Sha>,
    /// Gate for the jobs after `parse`.
    pub should_run: bool,
    /// Stage keys the run writes, in dashboard order (a job matrix).
    pub stages: Vec<String>,
    /// One line for people, also (above all) when nothing runs.
    pub reason: String,
    /// Create or find the commit's dashboard before anything runs.
    pub init_dashboard: bool,
    /// The pull request closed: release its locks.
    pub release_locks: bool,
    /// A reaction to put on the comment.
    pub react: Option<Reaction>,
    /// A reply to post on the pull request (usage, refusal).
    pub reply: Option<String>,
    /// A GitHub lookup still needed before the route is complete.
    pub needs: Option<Lookup>,
    /// Who asked (comment author or dispatcher).
    pub actor: Option<Actor>,
    /// The engine must call [`crate::authorize`] before running.
    pub authorize: bool,
    /// For `mode: review`: what this review said (approved: success, changes requested:
    /// failure). The row itself is what all the reviews come to as the apply gate counts
    /// them (`crate::reviews::review_row`), which the engine computes from GitHub's list.
    pub review: Option<Status>,
}

impl Route {
    /// A route that runs nothing, with its reason.
    pub fn none(reason: impl Into<String>) -> Self {
        Self {
            mode: Mode::None,
            command: None,
            projects: Vec::new(),
            digger_projects: Vec::new(),
            native_projects: Vec::new(),
            pr_number: None,
            sha: None,
            should_run: false,
            stages: Vec::new(),
            reason: reason.into(),
            init_dashboard: false,
            release_locks: false,
            react: None,
            reply: None,
            needs: None,
            actor: None,
            authorize: false,
            review: None,
        }
    }

    /// The command to authorize, when there is one.
    pub fn as_command(&self) -> Option<Command> {
        self.command.map(|kind| Command {
            kind,
            projects: self.projects.clone(),
        })
    }
}

/// Fills in what the engine's lookup found. Facts that do not answer the route's
/// [`Lookup`] leave it unchanged.
pub fn complete(mut route: Route, facts: &Facts) -> Route {
    match (&route.needs, facts) {
        (Some(Lookup::PullHead { pr }), Facts::PullHead { sha, open }) => {
            let pr = *pr;
            route.needs = None;
            route.sha = Some(sha.clone());
            if !open && route.command != Some(CommandKind::Unlock) {
                return closed(route, pr);
            }
        }
        (Some(Lookup::PullsForCommit { .. }), Facts::PullsForCommit { prs }) => {
            route.needs = None;
            route.pr_number = prs.first().copied();
            route.init_dashboard = route.pr_number.is_some();
            if let Some(pr) = route.pr_number {
                let _ = write!(route.reason, "; dashboard on PR #{pr}");
            } else {
                route
                    .reason
                    .push_str("; no pull request contains it, so no dashboard");
            }
        }
        _ => {}
    }
    route
}

/// A command on a closed pull request: nothing runs, the comment gets 😕 and a reply.
pub(crate) fn closed(mut route: Route, pr: u64) -> Route {
    let word = route.command.map_or("command", CommandKind::slash);
    route.mode = Mode::None;
    route.should_run = false;
    route.release_locks = false;
    route.init_dashboard = false;
    route.authorize = false;
    route.stages.clear();
    route.reason = format!("PR #{pr} is closed: `{word}` not run");
    route.reply = Some(format!(
        "PR #{pr} is closed: `{word}` runs on open pull requests only."
    ));
    if let Some(r) = &mut route.react {
        r.content = ReactionContent::Confused;
    }
    route
}

/// Applies an authorization [`Decision`]: when refused, nothing runs, the comment gets 👎 and
/// the reply says why and what would allow it.
pub fn refuse(mut route: Route, decision: &Decision) -> Route {
    if decision.allowed {
        route.authorize = false;
        return route;
    }
    route.mode = Mode::None;
    route.should_run = false;
    route.init_dashboard = false;
    route.release_locks = false;
    route.authorize = false;
    route.stages.clear();
    route.reason.clone_from(&decision.reason);
    route.reply = Some(format!("{}\n\n{}", decision.reason, decision.how_to_allow));
    if let Some(r) = &mut route.react {
        r.content = ReactionContent::MinusOne;
    }
    route
}
