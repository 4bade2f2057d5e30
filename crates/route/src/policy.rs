//! Who may run a command, and what an apply requires first.
//!
//! Pure: the engine looks up team membership and this module decides. What an apply
//! requires besides is [`crate::gate`]'s. A refusal says why and what would allow it; both texts
//! become a pull request reply, so they quote nothing from the comment but the command word.

use infra_ci_config::{Association, Config, Principals};
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

/// Decides whether `actor` may run `cmd` by the repository's `permissions`: who the person
/// is, nothing else. What an apply requires besides is the apply gate's
/// ([`crate::gate::may_apply`]), which every apply passes through.
pub fn authorize(cmd: &Command, actor: &Actor, cfg: &Config) -> Decision {
    let word = cmd.kind.slash();
    let apply = cmd.kind.is_apply();
    let section = section_for(cmd.kind);
    let principals = if apply {
        cfg.permissions.apply.principals()
    } else {
        cfg.permissions.plan.clone()
    };
    if !is_allowed(actor, &principals) {
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
    Decision {
        allowed: true,
        reason: format!(
            "`{word}` allowed for @{} ({}){}.",
            safe_login(&actor.login),
            actor.association.as_str(),
            if apply {
                "; the apply gate decides the rest"
            } else {
                ""
            }
        ),
        how_to_allow: String::new(),
    }
}

/// Decides whether `actor` may `/unlock` the pull request opened by `pr_author`: its author
/// (their own locks) and the people allowed to apply (a lock blocks their applies). Bots
/// never run commands (refused before this).
pub fn authorize_unlock(actor: &Actor, pr_author: Option<&str>, cfg: &Config) -> Decision {
    let principals = cfg.permissions.apply.principals();
    let author = pr_author.is_some_and(|a| a.eq_ignore_ascii_case(&actor.login));
    let login = safe_login(&actor.login);
    if author || is_allowed(actor, &principals) {
        return Decision {
            allowed: true,
            reason: format!(
                "`/unlock` allowed for @{login} ({}).",
                if author {
                    "the pull request's author"
                } else {
                    actor.association.as_str()
                }
            ),
            how_to_allow: String::new(),
        };
    }
    Decision {
        allowed: false,
        reason: format!(
            "`/unlock` refused: @{login} ({}) neither opened this pull request nor may apply here.",
            actor.association.as_str()
        ),
        how_to_allow: format!(
            "Ask the pull request's author or a maintainer to comment `/unlock`, or ask to be added to `permissions.apply.users` (or a team in `permissions.apply.teams`) in .github/infra-ci.yml.{}",
            allowed_associations(&principals)
        ),
    }
}

/// True when the actor matches an association, a login or a team of `p`.
pub fn is_allowed(actor: &Actor, p: &Principals) -> bool {
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

/// The permission section that governs `kind` (for documentation and messages).
pub fn section_for(kind: CommandKind) -> &'static str {
    if kind.is_apply() || kind == CommandKind::Unlock {
        "permissions.apply"
    } else {
        "permissions.plan"
    }
}
