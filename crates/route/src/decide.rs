//! [`decide`]: an event and the configuration in, a [`Route`] out. The table of routes is in
//! `docs/routes.md`; keep the two in step.

use infra_ci_config::{Association, Config, Project, Runner, well_known};
use infra_ci_core::Status;
use infra_ci_wire::{Sha, short_sha};

use crate::command::{Command, CommandKind, Parsed, parse_comment, parse_dispatch};
use crate::event::{
    Event, EventError, IssueCommentEvent, IssueState, PullRequestEvent, PullRequestReviewEvent,
    PushEvent, Repository, ReviewState, WorkflowDispatchEvent,
};
use crate::policy::Actor;
use crate::route::{Lookup, Mode, Reaction, ReactionContent, Route, closed};

/// What the caller knows besides the payload.
#[derive(Debug, Clone, Default)]
pub struct RouteContext {
    /// Overrides the payload's `repository.default_branch` (which is used when this is `None`).
    pub default_branch: Option<String>,
    /// The workflow's commit (`GITHUB_SHA`): the commit of schedule and workflow_dispatch runs.
    pub sha: Option<Sha>,
    /// The login infra-ci posts as, when it is not a `[bot]` account (a machine user): its
    /// comments are never commands either.
    pub self_login: Option<String>,
}

/// Why [`decide`] could not read its input.
#[derive(Debug, thiserror::Error)]
pub enum RouteError {
    /// The payload is not valid JSON or lacks a field the event cannot do without.
    #[error(transparent)]
    Payload(#[from] EventError),
}

/// Routes the event named `event_name` (`GITHUB_EVENT_NAME`) with its JSON `payload`.
pub fn decide(
    event_name: &str,
    payload: &[u8],
    cfg: &Config,
    ctx: &RouteContext,
) -> Result<Route, RouteError> {
    let event = Event::parse(event_name, payload)?;
    Ok(decide_event(&event, cfg, ctx))
}

/// Routes an already parsed event.
pub fn decide_event(event: &Event, cfg: &Config, ctx: &RouteContext) -> Route {
    match event {
        Event::PullRequest(e) => pull_request(e, cfg),
        Event::IssueComment(e) => issue_comment(e, cfg, ctx),
        Event::Push(e) => push(e, cfg, ctx),
        Event::WorkflowDispatch(e) => dispatch(e, cfg, ctx),
        Event::Schedule => schedule(cfg, ctx),
        Event::PullRequestReview(e) => review(e, cfg),
        Event::Other(name) => Route::none(format!("event `{}` does not route", safe(name))),
    }
}

/// The projects `/plan` and `/apply` cover when none are named: all but the bootstrap project.
fn default_projects(cfg: &Config) -> Vec<&Project> {
    let bootstrap = cfg.bootstrap_project().map(|p| p.name.as_str());
    cfg.projects_in_order()
        .into_iter()
        .filter(|p| Some(p.name.as_str()) != bootstrap)
        .collect()
}

/// The run of `cmd`: projects (dependency order), their split by runner, stages, mode.
fn command_route(cmd: &Command, cfg: &Config) -> Route {
    let selected: Vec<&Project> = match cmd.kind {
        CommandKind::Plan | CommandKind::Apply if cmd.projects.is_empty() => default_projects(cfg),
        CommandKind::Plan | CommandKind::Apply => cfg
            .projects_in_order()
            .into_iter()
            .filter(|p| cmd.projects.iter().any(|n| p.name == n.as_str()))
            .collect(),
        CommandKind::BootstrapPlan | CommandKind::BootstrapApply => {
            cfg.bootstrap_project().into_iter().collect()
        }
        CommandKind::Verify | CommandKind::Drift => cfg.projects_in_order(),
        CommandKind::Unlock => Vec::new(),
    };
    let names = |runner: Option<Runner>| -> Vec<String> {
        selected
            .iter()
            .filter(|p| runner.is_none_or(|r| p.runner == r))
            .map(|p| p.name.to_string())
            .collect()
    };
    let mut route = Route::none(String::new());
    route.command = Some(cmd.kind);
    route.projects = names(None);
    route.digger_projects = names(Some(Runner::Digger));
    route.native_projects = names(Some(Runner::Native));
    route.mode = match cmd.kind {
        CommandKind::Verify => Mode::PostMerge,
        CommandKind::Drift => Mode::Drift,
        _ if !route.digger_projects.is_empty() => Mode::Digger,
        _ if !route.native_projects.is_empty() => Mode::Native,
        _ => Mode::None,
    };
    let touched: Vec<&str> = match cmd.kind {
        CommandKind::Apply | CommandKind::BootstrapApply => vec![well_known::APPLY],
        CommandKind::Drift | CommandKind::Unlock => Vec::new(),
        _ => selected.iter().map(|p| p.stage.as_str()).collect(),
    };
    route.stages = in_dashboard_order(cfg, &touched);
    route.should_run = !route.projects.is_empty();
    route.reason = if route.should_run {
        format!("{} of {}", cmd.kind.as_str(), route.projects.join(", "))
    } else {
        format!("{}: no project to run", cmd.kind.as_str())
    };
    if !route.should_run {
        route.mode = Mode::None;
    }
    route
}

/// The configured stages among `keys`, in the dashboard's order.
fn in_dashboard_order(cfg: &Config, keys: &[&str]) -> Vec<String> {
    cfg.stages
        .iter()
        .filter(|s| keys.contains(&s.key.as_str()))
        .map(|s| s.key.to_string())
        .collect()
}

fn pull_request(e: &PullRequestEvent, cfg: &Config) -> Route {
    let pr = &e.pull_request;
    let n = pr.number;
    let sha7 = pr.head.sha.short();
    match e.action.as_str() {
        "opened" | "synchronize" | "reopened" | "ready_for_review" => {
            let action = e.action.as_str();
            let draft = pr.draft == Some(true);
            let mut route = if cfg.autoplan && !draft {
                let mut r = command_route(
                    &Command {
                        kind: CommandKind::Plan,
                        projects: Vec::new(),
                    },
                    cfg,
                );
                r.reason = format!("PR #{n} {action} at {sha7}: autoplan, {}", r.reason);
                r
            } else if cfg.autoplan {
                Route::none(format!(
                    "PR #{n} {action} at {sha7}: draft, autoplan waits for ready for review"
                ))
            } else {
                Route::none(format!(
                    "PR #{n} {action} at {sha7}: dashboard ready; autoplan is off, comment /plan"
                ))
            };
            route.pr_number = Some(n);
            route.sha = Some(pr.head.sha.clone());
            route.init_dashboard = true;
            route
        }
        "closed" => {
            let mut route = if pr.merged == Some(true) {
                Route::none(format!(
                    "PR #{n} merged: nothing runs here; the push to the default branch runs post-merge"
                ))
            } else {
                Route::none(format!("PR #{n} closed without merging: nothing runs"))
            };
            route.pr_number = Some(n);
            route.sha = Some(pr.head.sha.clone());
            route.release_locks = true;
            route
        }
        other => Route::none(format!(
            "pull_request action `{}` does not route",
            safe(other)
        )),
    }
}

fn issue_comment(e: &IssueCommentEvent, cfg: &Config, ctx: &RouteContext) -> Route {
    let n = e.issue.number;
    if e.action != "created" {
        return Route::none(format!(
            "comment {}: only new comments are read as commands",
            safe(&e.action)
        ));
    }
    if e.issue.pull_request.is_none() {
        return Route::none(format!(
            "comment on issue #{n}, which is not a pull request"
        ));
    }
    let Some(user) = e.comment.user.as_ref() else {
        return Route::none(format!(
            "comment by a deleted account on PR #{n}: nobody to run a command for"
        ));
    };
    if user.is_bot() || ctx.self_login.as_deref() == Some(user.login.as_str()) {
        return Route::none(format!(
            "comment by bot @{} on PR #{n}: bots never run commands",
            safe(&user.login)
        ));
    }
    let body = e.comment.body.as_deref().unwrap_or("");
    let comment_id = e.comment.id;
    match parse_comment(body, cfg) {
        Parsed::NotACommand => {
            Route::none(format!("comment on PR #{n} is not an infra-ci command"))
        }
        Parsed::BadArgs { usage } => {
            let mut route = Route::none(format!(
                "comment on PR #{n}: a command with bad arguments; usage sent"
            ));
            route.pr_number = Some(n);
            route.react = Some(Reaction {
                comment_id,
                content: ReactionContent::Confused,
            });
            route.reply = Some(usage);
            route
        }
        Parsed::Command(cmd) if cmd.kind == CommandKind::Unlock => {
            let mut route = seen_from(unlock_route(n), e);
            route.reason = format!("`/unlock` on PR #{n} by @{}", safe(&user.login));
            route
        }
        Parsed::Command(cmd) => {
            let mut route = command_route(&cmd, cfg);
            route.pr_number = Some(n);
            let mut route = seen_from(route, e);
            route.reason = format!(
                "`{}` on PR #{n} by @{}: {}",
                cmd.kind.slash(),
                safe(&user.login),
                route.reason
            );
            if e.issue.state == IssueState::Closed {
                return closed(route, n);
            }
            if route.should_run {
                route.needs = Some(Lookup::PullHead { pr: n });
                route.init_dashboard = true;
                route.authorize = true;
            } else {
                route.reply = Some(format!("{}.", route.reason));
            }
            route
        }
    }
}

/// A command comment's route, seen (👀) and with its author as the one who asked.
fn seen_from(mut route: Route, e: &IssueCommentEvent) -> Route {
    route.react = Some(Reaction {
        comment_id: e.comment.id,
        content: ReactionContent::Eyes,
    });
    route.actor = Some(Actor {
        login: e.comment.author().to_owned(),
        association: Association::parse(e.comment.author_association.as_deref().unwrap_or("NONE")),
        teams: Vec::new(),
    });
    route
}

/// `/unlock`: release the pull request's apply locks (the `unlock` job, as when it closes),
/// once the engine knows who opened it: its author and the people allowed to apply may ask
/// ([`crate::policy::authorize_unlock`]). On a closed pull request too: its locks should be
/// gone, and this is how to retry when releasing them failed.
fn unlock_route(pr: u64) -> Route {
    let mut route = Route::none(String::new());
    route.command = Some(CommandKind::Unlock);
    route.pr_number = Some(pr);
    route.release_locks = true;
    route.needs = Some(Lookup::PullHead { pr });
    route.authorize = true;
    route
}

fn default_branch<'a>(repo: Option<&'a Repository>, ctx: &'a RouteContext) -> Option<&'a str> {
    ctx.default_branch
        .as_deref()
        .or_else(|| repo.and_then(|r| r.default_branch.as_deref()))
}

fn push(e: &PushEvent, cfg: &Config, ctx: &RouteContext) -> Route {
    let after = e.after.clone().unwrap_or_default();
    let deleted =
        e.deleted == Some(true) || (!after.is_empty() && after.bytes().all(|b| b == b'0'));
    if deleted {
        return Route::none("push deleted a ref: nothing runs");
    }
    if e.git_ref.starts_with("refs/tags/") {
        return Route::none("tag push: nothing runs");
    }
    let Some(default) = default_branch(e.repository.as_ref(), ctx) else {
        return Route::none("push: the default branch is unknown, so nothing runs");
    };
    if e.git_ref.strip_prefix("refs/heads/") != Some(default) || after.is_empty() {
        return Route::none("push to a branch other than the default branch: nothing runs");
    }
    let mut route = command_route(
        &Command {
            kind: CommandKind::Verify,
            projects: Vec::new(),
        },
        cfg,
    );
    route.reason = format!(
        "push to the default branch at {}: post-merge {}",
        after.short(),
        route.reason
    );
    route.sha = Some(after.clone());
    route.needs = Some(Lookup::PullsForCommit { sha: after.clone() });
    route
}

fn dispatch(e: &WorkflowDispatchEvent, cfg: &Config, ctx: &RouteContext) -> Route {
    let Some(text) = e.input("command") else {
        return Route::none("workflow_dispatch without a `command` input: nothing runs");
    };
    let cmd = match parse_dispatch(&text, cfg) {
        Parsed::Command(cmd) => cmd,
        Parsed::BadArgs { usage } => {
            let mut route = Route::none("workflow_dispatch: bad `command` input; usage sent");
            route.reply = Some(usage);
            return route;
        }
        Parsed::NotACommand => {
            return Route::none(
                "workflow_dispatch: the `command` input is not one of plan, apply, bootstrap-plan, bootstrap-apply, verify, drift",
            );
        }
    };
    let pr = e
        .input("pr")
        .map(|p| p.trim_start_matches('#').parse::<u64>());
    let pr = match pr {
        Some(Ok(n)) if n > 0 => Some(n),
        Some(_) => {
            return Route::none("workflow_dispatch: the `pr` input is not a pull request number");
        }
        None => None,
    };
    // Fail closed: a command needs a person to have asked for it. GitHub lets only people
    // with write access dispatch a workflow; a bot (another workflow's token, an App) is
    // never obeyed, and a payload without a sender names nobody.
    let sender = match e.sender.as_ref() {
        Some(s) if s.is_bot() => {
            return Route::none(format!(
                "workflow_dispatch by bot @{}: bots never run commands",
                safe(&s.login)
            ));
        }
        Some(s) => s,
        None if matches!(cmd.kind, CommandKind::Drift | CommandKind::Verify) => {
            return dispatch_without_person(&cmd, cfg, ctx, pr);
        }
        None => {
            return Route::none(
                "workflow_dispatch without a sender: nobody is named as having asked, so nothing runs",
            );
        }
    };
    let mut route = command_route(&cmd, cfg);
    route.actor = Some(Actor {
        login: sender.login.clone(),
        association: Association::Collaborator,
        teams: Vec::new(),
    });
    route.reason = format!("workflow_dispatch: {}", route.reason);
    match cmd.kind {
        CommandKind::Drift => {
            route.sha.clone_from(&ctx.sha);
        }
        CommandKind::Verify => {
            route.sha.clone_from(&ctx.sha);
            route.pr_number = pr;
            route.init_dashboard = pr.is_some();
            if pr.is_none() {
                route.needs = ctx.sha.clone().map(|sha| Lookup::PullsForCommit { sha });
            }
        }
        _ => {
            let Some(pr) = pr else {
                return Route::none(format!(
                    "workflow_dispatch: `{}` needs the `pr` input (a pull request number)",
                    cmd.kind.as_str()
                ));
            };
            route.pr_number = Some(pr);
            if route.should_run {
                route.needs = Some(Lookup::PullHead { pr });
                route.init_dashboard = true;
                route.authorize = true;
            }
        }
    }
    route
}

/// Drift and verify change nothing: they run for a dispatch that names nobody too.
fn dispatch_without_person(
    cmd: &Command,
    cfg: &Config,
    ctx: &RouteContext,
    pr: Option<u64>,
) -> Route {
    let mut route = command_route(cmd, cfg);
    route.reason = format!("workflow_dispatch: {}", route.reason);
    route.sha.clone_from(&ctx.sha);
    if cmd.kind == CommandKind::Verify {
        route.pr_number = pr;
        route.init_dashboard = pr.is_some();
        if pr.is_none() {
            route.needs = ctx.sha.clone().map(|sha| Lookup::PullsForCommit { sha });
        }
    }
    route
}

fn schedule(cfg: &Config, ctx: &RouteContext) -> Route {
    let mut route = command_route(
        &Command {
            kind: CommandKind::Drift,
            projects: Vec::new(),
        },
        cfg,
    );
    route.reason = format!("schedule: {}", route.reason);
    route.sha.clone_from(&ctx.sha);
    route
}

fn review(e: &PullRequestReviewEvent, cfg: &Config) -> Route {
    let n = e.pull_request.number;
    if e.action != "submitted" {
        return Route::none(format!(
            "review {} on PR #{n}: only submitted reviews route",
            safe(&e.action)
        ));
    }
    let state = e.review.state.as_str().to_ascii_lowercase();
    let status = match e.review.state {
        ReviewState::Approved => Status::Success,
        ReviewState::ChangesRequested => Status::Failure,
        ReviewState::Commented => {
            return Route::none(format!("review comment on PR #{n}: no stage changes"));
        }
        _ => {
            return Route::none(format!(
                "review on PR #{n} in state `{}`: no stage changes",
                safe(&state)
            ));
        }
    };
    if !cfg.has_stage(well_known::REVIEW) {
        return Route::none(format!(
            "review on PR #{n}: no `{}` stage is configured",
            well_known::REVIEW
        ));
    }
    // A review of an earlier commit says nothing about the head, and writing to that
    // commit's (outdated) dashboard would make a new one and hide the live one.
    let head = e.pull_request.head.sha.as_str();
    if let Some(reviewed) = e.review.commit_id.as_deref()
        && reviewed != head
    {
        return Route::none(format!(
            "review {state} on PR #{n} of {}, not the head {}: no dashboard changes",
            short_sha(reviewed),
            short_sha(head)
        ));
    }
    let mut route = Route::none(format!(
        "review {state} on PR #{n}: stage `{}` becomes {}",
        well_known::REVIEW,
        status.word()
    ));
    route.mode = Mode::Review;
    route.should_run = true;
    route.pr_number = Some(n);
    route.sha = Some(e.pull_request.head.sha.clone());
    route.stages = vec![well_known::REVIEW.to_owned()];
    route.init_dashboard = true;
    route.review = Some(status);
    route
}

/// Payload words (actions, states, logins) in a reason: names-like characters only, bounded.
fn safe(word: &str) -> String {
    word.chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '[' | ']'))
        .take(64)
        .collect()
}
