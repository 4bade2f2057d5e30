//! The routing job (`infra-ci parse`): route an event, do the lookups the route needs, authorize commands,
//! react and reply on the comment, and initialise the dashboard.
//!
//! The decisions are pure (`infra_ci_route`); this module only performs their I/O.

use infra_ci_config::Config;
use infra_ci_github::{Forge, PullRequest, PullState, RepoId};
use infra_ci_route::{
    CommandKind, Event, Facts, Lookup, Route, RouteContext, authorize, authorize_unlock, complete,
    decide, refuse,
};
use tracing::{info, warn};

use crate::error::EngineError;
use crate::gate::{self, GateRequest};
use crate::reconcile::Tuning;
use crate::service::{Dashboards, StageUpdate};
use crate::target::Target;

/// One event to route.
#[derive(Debug, Clone)]
pub struct ParseRequest<'a> {
    /// The repository the event happened in.
    pub repo: RepoId,
    /// GitHub's event name (`pull_request`, `issue_comment`, ...): `GITHUB_EVENT_NAME`.
    pub event_name: &'a str,
    /// The event's JSON payload, as GitHub wrote it (the file at `GITHUB_EVENT_PATH`).
    pub payload: &'a [u8],
    /// The trusted configuration (the default branch's), never the pull request's.
    pub config: &'a Config,
    /// What the caller knows besides the payload (default branch, workflow commit, own login).
    pub context: RouteContext,
    /// The workflow run's URL: the link of the rows a plan's run shows running
    /// ([`run_stages`]) until each leg's result links its own job.
    pub run_link: Option<String>,
    /// The workflow run's id (`GITHUB_RUN_ID`): a run's mark names it, so that the run's
    /// close job knows the mark as its own (ADR 0014).
    pub run_id: Option<u64>,
}

/// The stages whose rows the routing job shows running for the route's legs, when the route
/// opens a run of legs (ADR 0012): a plan (`/plan`, `/bootstrap plan`, autoplan) that runs,
/// on a pull request's commit whose dashboard the routing job writes, with the commit-status
/// store. Each of these stages is a configured project's plan stage, and every project of
/// the route has a leg that reports it (the `digger` matrix and the `native` job, which
/// `parse` starts for exactly these routes), so the run's K is never more than the results
/// its legs post. `None` for everything else: applies, verify, drift, reviews, a refused or
/// empty command, `store: comment`.
///
/// `parse` tells the legs through its `in_run` output; a leg started any other way (a
/// hand-written workflow, `infra-ci run plan`) keeps posting its `running` and rendering.
pub fn run_stages<'r>(route: &'r Route, config: &Config) -> Option<&'r [String]> {
    let plan = matches!(
        route.command,
        Some(CommandKind::Plan | CommandKind::BootstrapPlan)
    );
    let legs = !route.digger_projects.is_empty() || !route.native_projects.is_empty();
    (plan
        && legs
        && route.should_run
        && route.init_dashboard
        && route.pr_number.is_some()
        && route.sha.is_some()
        && !route.stages.is_empty()
        && config.store != infra_ci_config::Store::Comment
        && config.dashboard.runs)
        .then_some(route.stages.as_slice())
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
                    open: p.state == PullState::Open,
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
            is_head: None,
        };
        let dashboards = Dashboards::for_config(forge, req.config, Tuning::default());
        let out = match run_stages(&route, req.config) {
            Some(stages) => {
                let out = dashboards
                    .open_run(&target, stages, req.run_link.clone(), req.run_id)
                    .await?;
                info!(
                    legs = stages.len(),
                    "run opened: every leg's row shows running"
                );
                out
            }
            None => dashboards.init(&target).await?,
        };
        info!(comment = out.comment_id, "dashboard ready");
        if route.review.is_some() && req.config.has_stage(infra_ci_config::well_known::REVIEW) {
            let u = review_update(forge, &req, &target).await?;
            dashboards.update(&target, u).await?;
        }
    }
    Ok(route)
}

/// The review row after a review: what all the pull request's reviews come to as the apply
/// gate counts them (`infra_ci_route::reviews`), not what this one review said, so the row
/// never shows as approved an approval the gate will not count (an outsider's, a bot's, the
/// author's own, one of an earlier commit).
async fn review_update(
    forge: &dyn Forge,
    req: &ParseRequest<'_>,
    target: &Target,
) -> Result<StageUpdate, EngineError> {
    let event = Event::parse(req.event_name, req.payload)
        .map_err(|e| EngineError::Usage(format!("cannot read the event: {e}")))?;
    let author = event.pull_author().unwrap_or_default().to_owned();
    let principals = req.config.permissions.apply.principals();
    let mut notes = Vec::new();
    let reviews = gate::review_facts(forge, &req.repo, &principals, target.pr, &mut notes).await?;
    let row = infra_ci_route::reviews::review_row(&reviews, &author, &target.sha, &principals);
    Ok(StageUpdate {
        stage: infra_ci_config::well_known::REVIEW.into(),
        status: row.status,
        link: None,
        output: Some(row.output),
        details: (!notes.is_empty()).then(|| notes.join("\n")),
    })
}

/// Applies the permission policy; for applies, the apply gate decides (the same one the
/// runner and `infra-ci gate apply` ask). A refusal's reply also carries what the engine
/// found out that explains it (a team it could not read).
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
    let principals = if cmd.kind.is_apply() || cmd.kind == CommandKind::Unlock {
        req.config.permissions.apply.principals()
    } else {
        req.config.permissions.plan.clone()
    };
    let actor = gate::with_teams(forge, &req.repo, &principals, actor, &mut notes).await;
    let mut decision = if cmd.kind == CommandKind::Unlock {
        let author = pull.and_then(|p| p.user.as_ref()).map(|u| u.login.as_str());
        authorize_unlock(&actor, author, req.config)
    } else {
        authorize(&cmd, &actor, req.config)
    };
    if decision.allowed
        && cmd.kind.is_apply()
        && let Some(pr) = route.pr_number
    {
        let p = match pull {
            Some(p) => p.clone(),
            None => forge.get_pull(&req.repo, pr).await?,
        };
        let me = forge.whoami().await?;
        let event = Event::parse(req.event_name, req.payload)
            .map_err(|e| EngineError::Usage(format!("cannot read the event: {e}")))?;
        let actor_is_bot = event.requester().is_some_and(|(_, bot)| bot);
        let default_branch = req
            .context
            .default_branch
            .clone()
            .or_else(|| event.default_branch().map(str::to_owned))
            .unwrap_or_default();
        let gated = gate::check(
            forge,
            GateRequest {
                repo: &req.repo,
                config: req.config,
                default_branch: &default_branch,
                kind: cmd.kind,
                actor: Some(actor.clone()),
                actor_is_bot,
                projects: route.projects.clone(),
                files: std::collections::BTreeMap::new(),
                me: &me,
            },
            p,
        )
        .await?;
        notes.extend(gated.notes);
        decision = gated.decision.to_decision(cmd.kind);
    }
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
