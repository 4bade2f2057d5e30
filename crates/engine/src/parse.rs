//! The `parse` job: route an event, do the lookups the route needs, authorize commands,
//! react and reply on the comment, and initialise the dashboard.
//!
//! The decisions are pure (`infra_ci_route`); this module only performs their I/O.

use infra_ci_config::{Config, Requirement};
use infra_ci_core::Status;
use infra_ci_github::{Forge, PullRequest, RepoId, Review};
use infra_ci_route::{
    Actor, ApplyFacts, Facts, Lookup, Route, RouteContext, authorize, complete, decide, refuse,
};
use tracing::{info, warn};

use crate::error::EngineError;
use crate::reconcile::Tuning;
use crate::service::{Dashboards, StageUpdate};
use crate::target::Target;
use crate::truth::Truth;

/// One event to route.
#[derive(Debug, Clone)]
pub struct ParseRequest<'a> {
    pub repo: RepoId,
    pub event_name: &'a str,
    pub payload: &'a [u8],
    pub config: &'a Config,
    pub context: RouteContext,
}

/// Routes the event and performs its side effects. A malformed event is a usage error and
/// nothing is posted.
pub async fn route_event(forge: &dyn Forge, req: ParseRequest<'_>) -> Result<Route, EngineError> {
    let mut route = decide(req.event_name, req.payload, req.config, &req.context).map_err(|e| {
        EngineError::Usage(format!("cannot route the {} event: {e}", req.event_name))
    })?;
    let mut pull: Option<PullRequest> = None;
    if let Some(needs) = route.needs.clone() {
        let facts = match needs {
            Lookup::PullHead { pr } => {
                let p = forge.get_pull(&req.repo, pr).await?;
                let facts = Facts::PullHead {
                    sha: p.head.sha.clone(),
                    open: p.state == "open",
                };
                pull = Some(p);
                facts
            }
            Lookup::PullsForCommit { sha } => {
                let prs = forge.pulls_for_commit(&req.repo, &sha).await?;
                Facts::PullsForCommit {
                    prs: prs.iter().map(|p| p.number).collect(),
                }
            }
        };
        route = complete(route, &facts);
    }
    if route.authorize {
        route = authorize_route(forge, &req, route, pull.as_ref()).await?;
    }
    if let Some(r) = route.react
        && let Err(e) = forge
            .add_reaction(&req.repo, r.comment_id, r.content.as_str())
            .await
    {
        warn!(error = %e, "could not react to the comment; going on");
    }
    if let (Some(reply), Some(pr)) = (&route.reply, route.pr_number) {
        forge.create_comment(&req.repo, pr, reply).await?;
    }
    if let (true, Some(pr), Some(sha)) = (route.init_dashboard, route.pr_number, route.sha.clone())
    {
        let target = Target {
            repo: req.repo.clone(),
            pr,
            sha,
        };
        let dashboards = Dashboards::for_config(forge, req.config, Tuning::default());
        let out = dashboards.init(&target).await?;
        info!(comment = out.comment_id, "dashboard ready");
        if let Some(status) = route.review
            && req.config.has_stage(infra_ci_config::well_known::REVIEW)
        {
            let u = StageUpdate {
                stage: "review".into(),
                status,
                link: None,
                output: None,
                details: None,
            };
            dashboards.update(&target, u).await?;
        }
    }
    Ok(route)
}

/// Applies the permission policy; for applies, gathers the pull request's facts first.
/// A refusal's reply also carries what the engine found out that explains it (a team it
/// could not read, how far behind the base the branch is).
async fn authorize_route(
    forge: &dyn Forge,
    req: &ParseRequest<'_>,
    route: Route,
    pull: Option<&PullRequest>,
) -> Result<Route, EngineError> {
    let (Some(cmd), Some(actor)) = (route.as_command(), route.actor.clone()) else {
        return Ok(route);
    };
    let mut notes = Vec::new();
    let actor = with_teams(forge, req, cmd.kind.is_apply(), actor, &mut notes).await;
    let facts = match (cmd.kind.is_apply(), route.pr_number) {
        (true, Some(pr)) => {
            let owned;
            let p = if let Some(p) = pull {
                p
            } else {
                owned = forge.get_pull(&req.repo, pr).await?;
                &owned
            };
            apply_facts(forge, req, p, &route, &mut notes).await?
        }
        _ => ApplyFacts::default(),
    };
    let decision = authorize(&cmd, &actor, &facts, req.config);
    info!(allowed = decision.allowed, reason = %decision.reason, "authorization");
    let mut route = refuse(route, &decision);
    if !decision.allowed
        && !notes.is_empty()
        && let Some(reply) = route.reply.as_mut()
    {
        for note in &notes {
            reply.push_str("\n\n");
            reply.push_str(note);
        }
    }
    Ok(route)
}

/// Fills `actor.teams` with the configured teams (of the command's permission section)
/// the actor is an active member of. Costs one request per team, and none at all when no
/// team is configured or the actor is already allowed by association or login. Teams are
/// those of the repository's owner; a team named `other-org/slug` is never looked up.
///
/// A lookup that fails (a 403 for `GITHUB_TOKEN`, which cannot read organization teams)
/// counts as "not a member" and adds a note saying why to a refusal.
async fn with_teams(
    forge: &dyn Forge,
    req: &ParseRequest<'_>,
    apply: bool,
    mut actor: Actor,
    notes: &mut Vec<String>,
) -> Actor {
    let principals = if apply {
        req.config.permissions.apply.principals()
    } else {
        req.config.permissions.plan.clone()
    };
    let allowed_anyway = principals.associations.contains(&actor.association)
        || principals
            .users
            .iter()
            .any(|u| u.eq_ignore_ascii_case(&actor.login));
    if principals.teams.is_empty() || allowed_anyway {
        return actor;
    }
    let org = req.repo.owner.as_str();
    for team in &principals.teams {
        let slug = match team.split_once('/') {
            Some((o, slug)) if o.eq_ignore_ascii_case(org) => slug,
            Some(_) => {
                warn!(team = %team, "team of another organization: not looked up, never matches");
                continue;
            }
            None => team.as_str(),
        };
        match forge.team_membership(org, slug, &actor.login).await {
            Ok(true) => actor.teams.push(team.clone()),
            Ok(false) => {}
            Err(e) => {
                warn!(error = %e, team = %team, "could not read team membership; counted as not a member");
                notes.push(format!(
                    "infra-ci could not check membership of team `{org}/{slug}`: {e}"
                ));
            }
        }
    }
    info!(login = %actor.login, teams = ?actor.teams, "team membership");
    actor
}

/// What the apply requirements ask about the pull request and its head commit.
async fn apply_facts(
    forge: &dyn Forge,
    req: &ParseRequest<'_>,
    p: &PullRequest,
    route: &Route,
    notes: &mut Vec<String>,
) -> Result<ApplyFacts, EngineError> {
    let reviews = forge.list_reviews(&req.repo, p.number).await?;
    let truth = Truth::from_combined(&forge.combined_status(&req.repo, &p.head.sha).await?);
    let plan_stages: Vec<&str> = route
        .projects
        .iter()
        .filter_map(|name| req.config.project(name).map(|proj| proj.stage.as_str()))
        .collect();
    let plans_succeeded = !plan_stages.is_empty()
        && plan_stages.iter().all(|s| {
            truth
                .stages
                .get(*s)
                .is_some_and(|t| t.status == Status::Success)
        });
    let undiverged = if req
        .config
        .permissions
        .apply
        .requirements
        .contains(&Requirement::Undiverged)
    {
        undiverged(forge, &req.repo, p, notes).await?
    } else {
        true
    };
    Ok(ApplyFacts {
        approved: Some(approved(&reviews, &p.head.sha)),
        same_repo: p
            .head
            .repo
            .as_ref()
            .is_some_and(|r| r.full_name.eq_ignore_ascii_case(&req.repo.to_string())),
        plans_succeeded,
        mergeable: p.mergeable,
        undiverged,
    })
}

/// Whether the head contains the base branch's *current* tip: `GET compare/{base.ref}...{head}`
/// has `behind_by == 0`. The base branch by name, not the pull request's `base.sha` (which
/// GitHub leaves where it was when the branch was last pushed): the point is that what is
/// applied includes everything already on the base. A base branch GitHub cannot compare
/// (deleted: 404) counts as diverged.
async fn undiverged(
    forge: &dyn Forge,
    repo: &RepoId,
    p: &PullRequest,
    notes: &mut Vec<String>,
) -> Result<bool, EngineError> {
    let base = p.base.git_ref.as_str();
    match forge.compare(repo, base, &p.head.sha).await {
        Ok(c) if c.behind_by == 0 => Ok(true),
        Ok(c) => {
            notes.push(format!(
                "The branch is {} commit{} behind `{base}`: merge `{base}` into it (or rebase it onto `{base}`), push, then `/plan` again.",
                c.behind_by,
                if c.behind_by == 1 { "" } else { "s" }
            ));
            Ok(false)
        }
        Err(e) if e.is_not_found() => {
            warn!(error = %e, "cannot compare the head with its base; counted as diverged");
            notes.push(format!(
                "infra-ci could not compare the branch with `{base}` (404): check the base branch exists."
            ));
            Ok(false)
        }
        Err(e) => Err(e.into()),
    }
}

/// An approval on the head commit, and no reviewer whose latest word is "changes requested".
fn approved(reviews: &[Review], head: &str) -> bool {
    use std::collections::BTreeMap;
    let mut latest: BTreeMap<&str, &Review> = BTreeMap::new();
    for r in reviews {
        if matches!(
            r.state.as_str(),
            "APPROVED" | "CHANGES_REQUESTED" | "DISMISSED"
        ) && let Some(u) = &r.user
        {
            latest.insert(u.login.as_str(), r);
        }
    }
    let any_approval = latest
        .values()
        .any(|r| r.state == "APPROVED" && r.commit_id.as_deref().is_none_or(|c| c == head));
    let blocked = latest.values().any(|r| r.state == "CHANGES_REQUESTED");
    any_approval && !blocked
}
