//! Who may run a command, and what an apply requires first.
//!
//! Pure: the engine looks up the facts (team membership, reviews, mergeability, plan
//! statuses) and this module decides. A refusal says why and what would allow it; both texts
//! become a pull request reply, so they quote nothing from the comment but the command word.

use infra_ci_config::{Association, Config, Principals, Requirement};
use serde::{Deserialize, Serialize};

use crate::command::{Command, CommandKind};

/// The person behind a command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// GitHub login.
    pub login: String,
    /// The comment's `author_association`. For workflow_dispatch, which GitHub lets only
    /// people with write access start, the route sets `COLLABORATOR`.
    pub association: Association,
    /// Team slugs of the repository's organization the actor belongs to (looked up by the
    /// engine only when the configuration lists teams; empty otherwise).
    #[serde(default)]
    pub teams: Vec<String>,
}

/// What the engine found out about the pull request before an apply. `None` means GitHub
/// did not say (mergeability is computed lazily) and is never read as yes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplyFacts {
    /// An approving review and no outstanding request for changes.
    pub approved: Option<bool>,
    /// The head branch lives in this repository (not a fork).
    pub same_repo: bool,
    /// Every plan stage of the head commit succeeded.
    pub plans_succeeded: bool,
    /// GitHub's `mergeable`.
    pub mergeable: Option<bool>,
    /// The head contains the base branch's latest commit.
    pub undiverged: bool,
}

/// The answer to "may this run?".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// True when the command may run.
    pub allowed: bool,
    /// One line: why (also when allowed, for the log).
    pub reason: String,
    /// What would allow it (empty when allowed).
    pub how_to_allow: String,
}

/// Decides whether `actor` may run `cmd`, given the pull request `facts` (read only for
/// applies) and the repository's `permissions`.
pub fn authorize(cmd: &Command, actor: &Actor, facts: &ApplyFacts, cfg: &Config) -> Decision {
    let word = cmd.kind.slash();
    let apply = cmd.kind.is_apply();
    let section = section_for(cmd.kind);
    let principals = if apply {
        cfg.permissions.apply.principals()
    } else {
        cfg.permissions.plan.clone()
    };
    if !is_member(actor, &principals) {
        return Decision {
            allowed: false,
            reason: format!(
                "`{word}` refused: @{} ({}) is not allowed to run it here.",
                safe_login(&actor.login),
                actor.association.as_str()
            ),
            how_to_allow: format!(
                "Ask a maintainer to run it, or to add you to `{section}.users` (or a team in `{section}.teams`) in .github/infra-ci.yml.{}",
                allowed_associations(&principals)
            ),
        };
    }
    if apply {
        let unmet: Vec<(&str, &str)> = cfg
            .permissions
            .apply
            .requirements
            .iter()
            .filter_map(|r| unmet(*r, *facts))
            .collect();
        if !unmet.is_empty() {
            let why: Vec<&str> = unmet.iter().map(|(w, _)| *w).collect();
            let fix: Vec<String> = unmet.iter().map(|(_, f)| format!("- {f}")).collect();
            return Decision {
                allowed: false,
                reason: format!("`{word}` refused: {}.", why.join("; ")),
                how_to_allow: format!("To apply:\n{}", fix.join("\n")),
            };
        }
    }
    Decision {
        allowed: true,
        reason: format!(
            "`{word}` allowed for @{} ({}){}.",
            safe_login(&actor.login),
            actor.association.as_str(),
            if apply {
                " with every apply requirement met"
            } else {
                ""
            }
        ),
        how_to_allow: String::new(),
    }
}

/// True when the actor matches an association, a login or a team of `p`.
fn is_member(actor: &Actor, p: &Principals) -> bool {
    p.associations.contains(&actor.association)
        || p.users.iter().any(|u| u.eq_ignore_ascii_case(&actor.login))
        || p.teams.iter().any(|t| {
            actor
                .teams
                .iter()
                .any(|a| team_slug(a).eq_ignore_ascii_case(team_slug(t)))
        })
}

/// `org/slug` and `slug` name the same team of the repository's organization.
fn team_slug(t: &str) -> &str {
    t.rsplit('/').next().unwrap_or(t)
}

fn allowed_associations(p: &Principals) -> String {
    if p.associations.is_empty() {
        return String::new();
    }
    let names: Vec<&str> = p.associations.iter().map(|a| a.as_str()).collect();
    format!(" Allowed associations: {}.", names.join(", "))
}

/// Logins are GitHub-validated, but the text goes into a comment: keep only login characters.
fn safe_login(login: &str) -> String {
    login
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '[' | ']' | '_'))
        .take(64)
        .collect()
}

/// When `r` does not hold: what is wrong and what to do about it.
fn unmet(r: Requirement, f: ApplyFacts) -> Option<(&'static str, &'static str)> {
    match r {
        Requirement::Approved => match f.approved {
            Some(true) => None,
            Some(false) => Some((
                "the pull request is not approved",
                "get an approving review (and no outstanding request for changes)",
            )),
            None => Some((
                "the review state is unknown",
                "retry; infra-ci could not read the reviews",
            )),
        },
        Requirement::SameRepo => (!f.same_repo).then_some((
            "the pull request comes from a fork",
            "push the branch to this repository and open the pull request from there (forks never apply)",
        )),
        Requirement::PlansSucceeded => (!f.plans_succeeded).then_some((
            "the head commit has no successful plan of every project",
            "plan first (`/plan`, or `/bootstrap plan` for the bootstrap project) and wait for its plan stages to succeed",
        )),
        Requirement::Mergeable => match f.mergeable {
            Some(true) => None,
            Some(false) => Some((
                "the pull request has merge conflicts",
                "resolve the conflicts with the base branch",
            )),
            None => Some((
                "GitHub has not computed mergeability yet",
                "retry in a minute",
            )),
        },
        Requirement::Undiverged => (!f.undiverged).then_some((
            "the branch is behind the base branch",
            "update the branch with the base branch, then `/plan` again",
        )),
    }
}

/// The permission section that governs `kind` (for documentation and messages).
pub fn section_for(kind: CommandKind) -> &'static str {
    if kind.is_apply() {
        "permissions.apply"
    } else {
        "permissions.plan"
    }
}
