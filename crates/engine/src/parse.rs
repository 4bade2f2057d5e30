//! The `parse` job: route an event, do the lookups the route needs, authorize commands,
//! react and reply on the comment, and initialise the dashboard.
//!
//! The decisions are pure (`infra_ci_route`); this module only performs their I/O.

use infra_ci_config::Config;
use infra_ci_core::Status;
use infra_ci_github::{Forge, PullRequest, RepoId, Review};
use infra_ci_route::{
    ApplyFacts, Facts, Lookup, Route, RouteContext, authorize, complete, decide, refuse,
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
async fn authorize_route(
    forge: &dyn Forge,
    req: &ParseRequest<'_>,
    route: Route,
    pull: Option<&PullRequest>,
) -> Result<Route, EngineError> {
    let (Some(cmd), Some(actor)) = (route.as_command(), route.actor.clone()) else {
        return Ok(route);
    };
    let facts = match (cmd.kind.is_apply(), route.pr_number) {
        (true, Some(pr)) => {
            let owned;
            let p = if let Some(p) = pull {
                p
            } else {
                owned = forge.get_pull(&req.repo, pr).await?;
                &owned
            };
            apply_facts(forge, req, p, &route).await?
        }
        _ => ApplyFacts::default(),
    };
    let decision = authorize(&cmd, &actor, &facts, req.config);
    info!(allowed = decision.allowed, reason = %decision.reason, "authorization");
    Ok(refuse(route, &decision))
}

/// What the apply requirements ask about the pull request and its head commit.
async fn apply_facts(
    forge: &dyn Forge,
    req: &ParseRequest<'_>,
    p: &PullRequest,
    route: &Route,
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
    Ok(ApplyFacts {
        approved: Some(approved(&reviews, &p.head.sha)),
        same_repo: p
            .head
            .repo
            .as_ref()
            .is_some_and(|r| r.full_name.eq_ignore_ascii_case(&req.repo.to_string())),
        plans_succeeded,
        mergeable: p.mergeable,
        // GitHub says `behind` when the base moved on; our own pending statuses make it
        // `unstable` or `blocked`, which must not count against us.
        undiverged: p.mergeable_state.as_deref() != Some("behind"),
    })
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
