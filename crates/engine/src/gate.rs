//! The apply gate's facts, read from GitHub: the pull request, its reviews (with their
//! authors' associations and, when configured, teams), our own statuses on the head (stages
//! and plan records), our own lock records and the comparison with the base. The decision
//! itself is [`infra_ci_route::may_apply`]'s; every entry point (parse, the native runner,
//! `infra-ci gate apply` before a Digger apply) gathers the facts and decides with [`check`].

use std::collections::BTreeMap;
use std::time::Duration;

use infra_ci_config::Association;
use infra_ci_config::{Config, Principals, Requirement};
use infra_ci_github::{Forge, PullRequest, PullState, RepoId, Review};
use infra_ci_route::{
    Actor, CommandKind, GateDecision, GateInput, LockFact, PlanFile, PullFacts, ReviewFact,
    ReviewWord, is_allowed, may_apply,
};
use tracing::{info, warn};

use crate::error::EngineError;
use crate::lock;
use crate::provenance;

/// What the caller knows: the command, who asked, which projects, which repository.
#[derive(Debug, Clone)]
pub struct GateRequest<'a> {
    /// The repository the pull request is in.
    pub repo: &'a RepoId,
    /// The trusted configuration (the default branch's).
    pub config: &'a Config,
    /// The repository's default branch.
    pub default_branch: &'a str,
    /// The command to gate (an apply, a bootstrap apply, ...).
    pub kind: CommandKind,
    /// Who asked (from the event), and whether GitHub says the account is a bot.
    pub actor: Option<Actor>,
    /// GitHub says the asking account is a bot.
    pub actor_is_bot: bool,
    /// The projects to apply.
    pub projects: Vec<String>,
    /// The plan files about to be applied (native runner), by project.
    pub files: BTreeMap<String, PlanFile>,
    /// Our identity.
    pub me: &'a str,
}

/// The facts read, the decision, and notes worth adding to a refusal.
#[derive(Debug, Clone)]
pub struct Gated {
    /// Every fact read from GitHub, as the decision saw them.
    pub input: GateInput,
    /// The gate's answer: empty refusals means the apply may go on.
    pub decision: GateDecision,
    /// What infra-ci could not check and why (a team it could not read, ...).
    pub notes: Vec<String>,
}

/// Reads every fact the gate needs about pull request `pull` and decides.
pub async fn check(
    forge: &dyn Forge,
    req: GateRequest<'_>,
    pull: PullRequest,
) -> Result<Gated, EngineError> {
    let repo = req.repo;
    let cfg = req.config;
    let reqs = &cfg.permissions.apply.requirements;
    let principals = cfg.permissions.apply.principals();
    let mut notes = Vec::new();
    let pull = settle_mergeable(forge, repo, pull, reqs.contains(&Requirement::Mergeable)).await?;
    let head = pull.head.sha.clone();

    let actor = match req.actor.clone() {
        Some(a) => Some(with_teams(forge, repo, &principals, a, &mut notes).await),
        None => None,
    };
    let reviews = if reqs.contains(&Requirement::Approved) {
        review_facts(forge, repo, &principals, pull.number, &mut notes).await?
    } else {
        Vec::new()
    };
    let statuses = forge.list_statuses(repo, &head).await?;
    let plans = provenance::proofs(&statuses, req.me, cfg);
    let mut locks = BTreeMap::new();
    for p in &req.projects {
        let fact = match lock::holder(forge, repo, req.me, p).await? {
            None => LockFact::Free,
            Some((Some(n), _)) if n == pull.number => LockFact::Ours,
            Some((Some(n), _)) => LockFact::HeldBy(n),
            // Our own crash between the two writes leaves the ref at our head: ours to claim.
            Some((None, sha)) if sha == head => LockFact::Ours,
            Some((None, sha)) => LockFact::Unknown { sha },
        };
        locks.insert(p.clone(), fact);
    }
    let base = pull.base.git_ref.clone();
    let (behind_by, base_tip) = if reqs.contains(&Requirement::Undiverged) {
        let behind = match forge.compare(repo, &base, &head).await {
            Ok(c) => Some(c.behind_by),
            Err(e) if e.is_not_found() => {
                warn!(error = %e, "cannot compare the head with its base");
                None
            }
            Err(e) => return Err(e.into()),
        };
        let tip = forge
            .get_ref(repo, &format!("heads/{base}"))
            .await?
            .map(|r| r.object.sha);
        (behind, tip)
    } else {
        (Some(0), None)
    };
    let input = GateInput {
        kind: req.kind,
        actor,
        actor_is_bot: req.actor_is_bot,
        pull: pull_facts(&pull, repo),
        default_branch: req.default_branch.to_owned(),
        reviews,
        projects: req.projects.clone(),
        plans,
        locks,
        files: req.files,
        behind_by,
        base_tip,
    };
    let decision = may_apply(&input, cfg);
    info!(
        allowed = decision.allowed(),
        refusals = decision.refusals.len(),
        "apply gate"
    );
    Ok(Gated {
        input,
        decision,
        notes,
    })
}

/// What the pull request says about itself.
fn pull_facts(p: &PullRequest, repo: &RepoId) -> PullFacts {
    PullFacts {
        number: p.number,
        open: p.state == PullState::Open,
        draft: p.draft == Some(true) || p.mergeable_state.as_deref() == Some("draft"),
        author: p.user.as_ref().map(|u| u.login.clone()).unwrap_or_default(),
        head_sha: p.head.sha.clone(),
        same_repo: p
            .head
            .repo
            .as_ref()
            .is_some_and(|h| !h.fork && h.full_name.eq_ignore_ascii_case(&repo.to_string())),
        base_ref: p.base.git_ref.clone(),
        mergeable: p.mergeable,
    }
}

/// GitHub computes mergeability in the background after a push: ask again, briefly.
async fn settle_mergeable(
    forge: &dyn Forge,
    repo: &RepoId,
    mut pull: PullRequest,
    wanted: bool,
) -> Result<PullRequest, EngineError> {
    for wait in [1, 3] {
        if !wanted || pull.mergeable.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_secs(wait)).await;
        pull = forge.get_pull(repo, pull.number).await?;
    }
    Ok(pull)
}

/// The reviews of pull request `pr`, oldest first, with their authors' teams looked up when
/// `principals` names teams.
pub async fn review_facts(
    forge: &dyn Forge,
    repo: &RepoId,
    principals: &Principals,
    pr: u64,
    notes: &mut Vec<String>,
) -> Result<Vec<ReviewFact>, EngineError> {
    let mut facts = Vec::new();
    for r in forge.list_reviews(repo, pr).await? {
        facts.push(review_fact(forge, repo, principals, r, notes).await);
    }
    Ok(facts)
}

async fn review_fact(
    forge: &dyn Forge,
    repo: &RepoId,
    principals: &Principals,
    r: Review,
    notes: &mut Vec<String>,
) -> ReviewFact {
    let user = r.user.clone();
    let login = user.as_ref().map(|u| u.login.clone()).unwrap_or_default();
    let reviewer = Actor {
        login,
        association: Association::parse(r.author_association.as_deref().unwrap_or("NONE")),
        teams: Vec::new(),
    };
    let word = ReviewWord::from(r.state);
    // Teams are looked up only for a word that decides something.
    let reviewer = if word == ReviewWord::Other {
        reviewer
    } else {
        with_teams(forge, repo, principals, reviewer, notes).await
    };
    ReviewFact {
        reviewer,
        is_bot: user.as_ref().is_some_and(infra_ci_github::User::is_bot),
        word,
        commit_id: r.commit_id,
    }
}

/// Fills `actor.teams` with the configured teams of `principals` the actor is an active
/// member of. Costs one request per team, and none when no team is configured or the actor
/// is allowed anyway. Teams are the repository owner's; `other-org/slug` never matches.
/// A lookup that fails (a 403 for `GITHUB_TOKEN`, which cannot read organization teams)
/// counts as "not a member" and adds a note saying why.
pub async fn with_teams(
    forge: &dyn Forge,
    repo: &RepoId,
    principals: &Principals,
    mut actor: Actor,
    notes: &mut Vec<String>,
) -> Actor {
    if principals.teams.is_empty() || is_allowed(&actor, principals) || actor.login.is_empty() {
        return actor;
    }
    let org = repo.owner.as_str();
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
                let note =
                    format!("infra-ci could not check membership of team `{org}/{slug}`: {e}");
                if !notes.contains(&note) {
                    notes.push(note);
                }
            }
        }
    }
    info!(login = %actor.login, teams = ?actor.teams, "team membership");
    actor
}
