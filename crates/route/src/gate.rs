//! The apply gate: the one answer to "may these projects be applied on this head, now?".
//!
//! Pure. Every entry point that can lead to an apply asks it: the `parse` job before it
//! routes `/apply`, the native runner right before Terraform, and `infra-ci gate apply`
//! right before a Digger apply. The facts come from the engine, which reads only evidence
//! infra-ci itself wrote (statuses, locks) or GitHub itself states (the pull request, the
//! reviews with their authors and associations, the comparison); the rules are here, once,
//! and tabled in `docs/security.md`.
//!
//! The rules, in order (each failure is a refusal that says why and what would allow it):
//! 1. the truth lives in statuses (`store: statuses`): a comment anyone with write access
//!    can edit never gates an apply;
//! 2. a person the policy allows asked (never a bot, never an event without a sender);
//! 3. the pull request is open, not a draft, and its head is in this repository;
//! 4. its base is a protected branch (the default branch, or `permissions.apply.branches`);
//! 5. `approved`: an approval of the head by an allowed reviewer who is not the author and
//!    not a bot, and no allowed reviewer whose latest word is "changes requested";
//! 6. each project is in the trusted configuration, infra-ci planned it on this head and the
//!    plan succeeded; a native project's plan file is the one infra-ci recorded (digest);
//! 7. `plans_succeeded`: no other project's plan failed or is running on this head (not
//!    for `/bootstrap apply`, which stands alone);
//! 8. each project's lock is free or held by this pull request;
//! 9. `mergeable` and `undiverged`: no conflicts; the head contains the base's tip, and the
//!    base did not move since the plan.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use infra_ci_config::{Config, Requirement, Runner, Store};
use infra_ci_core::Status;
use infra_ci_wire::{ReviewState, Sha};
use serde::{Deserialize, Serialize};

use crate::command::CommandKind;
use crate::policy::{Actor, Decision, is_allowed};
use crate::reviews::{safe_login, short};

/// What the pull request itself says (GitHub's own fields).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullFacts {
    /// The pull request number.
    pub number: u64,
    /// `state == "open"`.
    pub open: bool,
    /// A draft.
    pub draft: bool,
    /// The author's login.
    pub author: String,
    /// `head.sha` now.
    pub head_sha: Sha,
    /// The head branch lives in this repository (not a fork).
    pub same_repo: bool,
    /// `base.ref`: the branch it merges into.
    pub base_ref: String,
    /// GitHub's `mergeable` (`None`: not computed yet).
    pub mergeable: Option<bool>,
}

/// A review's deciding word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReviewWord {
    /// `APPROVED`.
    Approved,
    /// `CHANGES_REQUESTED`.
    ChangesRequested,
    /// `DISMISSED`: withdraws the reviewer's earlier word.
    Dismissed,
    /// `COMMENTED`, `PENDING`: decides nothing.
    Other,
}

impl From<ReviewState> for ReviewWord {
    /// What a review's state decides.
    fn from(state: ReviewState) -> Self {
        match state {
            ReviewState::Approved => Self::Approved,
            ReviewState::ChangesRequested => Self::ChangesRequested,
            ReviewState::Dismissed => Self::Dismissed,
            ReviewState::Commented | ReviewState::Pending | ReviewState::Other => Self::Other,
        }
    }
}

/// One review, as GitHub lists it (oldest first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewFact {
    /// The reviewer, with their association and (looked up when configured) teams.
    pub reviewer: Actor,
    /// GitHub says the account is a bot.
    pub is_bot: bool,
    /// What the review said.
    pub word: ReviewWord,
    /// The commit reviewed.
    pub commit_id: Option<Sha>,
}

/// Where infra-ci's own record of a project's plan on the head stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PlanState {
    /// Planned, successfully.
    Succeeded,
    /// The plan failed.
    Failed,
    /// A plan is running (or pending).
    Running,
    /// infra-ci recorded no plan of it on this head.
    Missing,
}

impl PlanState {
    /// The plan state a stage status stands for.
    pub fn from_status(s: Status) -> Self {
        match s {
            Status::Success => Self::Succeeded,
            Status::Failure | Status::Cancelled => Self::Failed,
            Status::Running | Status::Pending => Self::Running,
            Status::Skipped => Self::Missing,
        }
    }
}

/// infra-ci's own record of one project's plan on the head (read from a status only our
/// identity wrote).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanProof {
    /// Where the plan stands.
    pub state: PlanState,
    /// sha256 of the saved plan file (native plans).
    pub digest: Option<String>,
    /// The base branch's tip when planned.
    pub base: Option<Sha>,
}

impl PlanProof {
    /// No plan recorded.
    pub fn missing() -> Self {
        Self {
            state: PlanState::Missing,
            digest: None,
            base: None,
        }
    }
}

/// A project's lock, as infra-ci's own records tell it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LockFact {
    /// Nobody holds it.
    Free,
    /// This pull request holds it.
    Ours,
    /// Another pull request holds it.
    HeldBy(u64),
    /// The lock ref exists but infra-ci did not record who holds it (written by someone
    /// else, or a crash between the two writes): never read as free.
    Unknown {
        /// The commit the lock ref points at.
        sha: Sha,
    },
}

/// The saved plan file the native runner is about to apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanFile {
    /// sha256 of the file now; `None` when it is missing.
    pub digest: Option<String>,
}

/// Everything the gate decides on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateInput {
    /// `/apply` or `/bootstrap apply`.
    pub kind: CommandKind,
    /// Who asked; `None` when the event names nobody.
    pub actor: Option<Actor>,
    /// Whether the actor's account is a bot.
    pub actor_is_bot: bool,
    /// The pull request.
    pub pull: PullFacts,
    /// The repository's default branch.
    pub default_branch: String,
    /// The reviews, oldest first.
    pub reviews: Vec<ReviewFact>,
    /// The projects to apply.
    pub projects: Vec<String>,
    /// infra-ci's record of every configured project's plan on the head.
    pub plans: BTreeMap<String, PlanProof>,
    /// The locks of the projects to apply (a project absent here is not checked).
    pub locks: BTreeMap<String, LockFact>,
    /// The plan files about to be applied (native runner only; absent elsewhere).
    pub files: BTreeMap<String, PlanFile>,
    /// Commits of the base's tip the head lacks; `None` when not compared.
    pub behind_by: Option<u64>,
    /// The base branch's tip now.
    pub base_tip: Option<Sha>,
}

/// One reason to refuse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    /// The project it concerns, when it concerns one.
    pub project: Option<String>,
    /// Why (one line, safe to post).
    pub why: String,
    /// What would allow the apply.
    pub fix: String,
}

/// The gate's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateDecision {
    /// Every reason to refuse; empty means the apply may go on.
    pub refusals: Vec<Refusal>,
}

impl GateDecision {
    /// True when nothing stands in the way.
    pub fn allowed(&self) -> bool {
        self.refusals.is_empty()
    }

    /// The reasons that concern `project` (and the pull request as a whole).
    pub fn for_project(&self, project: &str) -> Vec<&Refusal> {
        self.refusals
            .iter()
            .filter(|r| r.project.as_deref().is_none_or(|p| p == project))
            .collect()
    }

    /// As a [`Decision`] for a command's reply.
    pub fn to_decision(&self, kind: CommandKind) -> Decision {
        let word = kind.slash();
        if self.allowed() {
            return Decision {
                allowed: true,
                reason: format!("`{word}` allowed: every apply rule holds"),
                how_to_allow: String::new(),
            };
        }
        let why: Vec<String> = self.refusals.iter().map(Refusal::line).collect();
        let mut fix = String::from("To apply:");
        let mut seen: Vec<&str> = Vec::new();
        for r in &self.refusals {
            if !seen.contains(&r.fix.as_str()) {
                seen.push(&r.fix);
                let _ = write!(fix, "\n- {}", r.fix);
            }
        }
        Decision {
            allowed: false,
            reason: format!("`{word}` refused: {}.", why.join("; ")),
            how_to_allow: fix,
        }
    }
}

impl Refusal {
    fn new(project: Option<&str>, why: impl Into<String>, fix: impl Into<String>) -> Self {
        Self {
            project: project.map(str::to_owned),
            why: why.into(),
            fix: fix.into(),
        }
    }

    /// `project: why`, or `why`.
    pub fn line(&self) -> String {
        match &self.project {
            Some(p) => format!("{p}: {}", self.why),
            None => self.why.clone(),
        }
    }
}

/// May the projects of `input` be applied? `cfg` is the trusted configuration (the
/// default branch's), never the pull request's own.
pub fn may_apply(input: &GateInput, cfg: &Config) -> GateDecision {
    let mut out = Vec::new();
    let reqs = &cfg.permissions.apply.requirements;
    let head7 = short(&input.pull.head_sha);
    if cfg.store == Store::Comment {
        out.push(Refusal::new(
            None,
            "`store: comment` keeps the dashboard in a comment anyone with write access can edit, so it never gates an apply",
            "set `store: statuses` in the default branch's .github/infra-ci.yml (infra-ci needs `statuses: write`)",
        ));
    }
    who_asked(input, cfg, &mut out);
    pull_request(input, cfg, &mut out);
    if reqs.contains(&Requirement::Approved) {
        approvals(input, cfg, &mut out);
    }
    for name in &input.projects {
        project(input, cfg, name, &head7, &mut out);
    }
    // `/bootstrap apply` stands alone: it is applied before the other projects can even
    // plan, so their plans do not hold it back.
    if reqs.contains(&Requirement::PlansSucceeded) && input.kind != CommandKind::BootstrapApply {
        for (name, proof) in &input.plans {
            if input.projects.contains(name) {
                continue;
            }
            if matches!(proof.state, PlanState::Failed | PlanState::Running) {
                out.push(Refusal::new(
                    None,
                    format!(
                        "the plan of {name} (stage {}) {} on {head7}",
                        stage_of(cfg, name),
                        if proof.state == PlanState::Failed {
                            "failed"
                        } else {
                            "is still running"
                        }
                    ),
                    format!(
                        "fix and re-plan {name} (`/plan {name}`), or wait for its plan to finish"
                    ),
                ));
            }
        }
    }
    if reqs.contains(&Requirement::Mergeable) {
        match input.pull.mergeable {
            Some(true) => {}
            Some(false) => out.push(Refusal::new(
                None,
                "the pull request has conflicts with its base",
                "resolve the conflicts with the base branch",
            )),
            None => out.push(Refusal::new(
                None,
                "GitHub has not computed mergeability yet",
                "retry in a minute",
            )),
        }
    }
    if reqs.contains(&Requirement::Undiverged) {
        undiverged(input, &mut out);
    }
    GateDecision { refusals: out }
}

fn who_asked(input: &GateInput, cfg: &Config, out: &mut Vec<Refusal>) {
    let section = "permissions.apply";
    match &input.actor {
        None => out.push(Refusal::new(
            None,
            "nobody is named as having asked for this apply (the event has no sender)",
            "comment `/apply` on the pull request, or dispatch the workflow as a person",
        )),
        Some(a) if input.actor_is_bot || a.login.ends_with("[bot]") => out.push(Refusal::new(
            None,
            format!("@{} is a bot; bots never apply", safe_login(&a.login)),
            "ask a person allowed to apply to comment `/apply`",
        )),
        Some(a) if !is_allowed(a, &cfg.permissions.apply.principals()) => {
            out.push(Refusal::new(
                None,
                format!(
                    "@{} ({}) may not apply here",
                    safe_login(&a.login),
                    a.association.as_str()
                ),
                format!(
                    "ask a maintainer to apply, or to add you to `{section}.users` (or a team in `{section}.teams`) on the default branch"
                ),
            ));
        }
        Some(_) => {}
    }
}

fn pull_request(input: &GateInput, cfg: &Config, out: &mut Vec<Refusal>) {
    let p = &input.pull;
    if !p.open {
        out.push(Refusal::new(
            None,
            format!("pull request #{} is not open", p.number),
            "reopen the pull request",
        ));
    }
    if p.draft {
        out.push(Refusal::new(
            None,
            "the pull request is a draft",
            "mark the pull request ready for review",
        ));
    }
    if !p.same_repo {
        out.push(Refusal::new(
            None,
            "the head branch is in a fork; forks never apply",
            "push the branch to this repository and open the pull request from there",
        ));
    }
    let branches = &cfg.permissions.apply.branches;
    let protected = if branches.is_empty() {
        p.base_ref == input.default_branch
    } else {
        branches.contains(&p.base_ref)
    };
    if !protected {
        out.push(Refusal::new(
            None,
            format!(
                "the base branch `{}` is not one applies are allowed from (only {})",
                safe_ref(&p.base_ref),
                if branches.is_empty() {
                    format!("`{}`, the default branch", safe_ref(&input.default_branch))
                } else {
                    branches
                        .iter()
                        .map(|b| format!("`{}`", safe_ref(b)))
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            ),
            "retarget the pull request onto the default branch (a stacked branch was never reviewed as a whole)",
        ));
    }
}

/// Each allowed reviewer's latest deciding word counts; others' reviews count for nothing.
fn approvals(input: &GateInput, cfg: &Config, out: &mut Vec<Refusal>) {
    let allowed = cfg.permissions.apply.principals();
    let latest = crate::reviews::latest_counted(&input.reviews, &input.pull.author, &allowed);
    let blockers: Vec<String> = latest
        .values()
        .filter(|r| r.word == ReviewWord::ChangesRequested)
        .map(|r| format!("@{}", safe_login(&r.reviewer.login)))
        .collect();
    if !blockers.is_empty() {
        out.push(Refusal::new(
            None,
            format!("changes requested by {}", blockers.join(", ")),
            "address the requested changes and ask the reviewer to approve (or dismiss the review)",
        ));
    }
    let head = input.pull.head_sha.as_str();
    let on_head = latest
        .values()
        .any(|r| r.word == ReviewWord::Approved && r.commit_id.as_deref() == Some(head));
    if !on_head {
        let earlier: Vec<String> = latest
            .values()
            .filter(|r| r.word == ReviewWord::Approved)
            .filter_map(|r| r.commit_id.as_deref().map(short))
            .collect();
        let why = if earlier.is_empty() {
            format!(
                "no approval of {} by a reviewer allowed to apply (not the author, not a bot)",
                short(head)
            )
        } else {
            format!(
                "approved on {}, not on the head {}; approvals of earlier commits do not count",
                earlier.join(", "),
                short(head)
            )
        };
        out.push(Refusal::new(
            None,
            why,
            "get an approving review of the head commit from someone allowed to apply",
        ));
    }
}

fn project(input: &GateInput, cfg: &Config, name: &str, head7: &str, out: &mut Vec<Refusal>) {
    let Some(p) = cfg.project(name) else {
        out.push(Refusal::new(
            Some(name),
            "not a project of the default branch's configuration",
            "merge the project's configuration first; new projects are applied after that",
        ));
        return;
    };
    let proof = input
        .plans
        .get(name)
        .cloned()
        .unwrap_or_else(PlanProof::missing);
    // The bootstrap project has its own command: `/plan bootstrap` is refused by the grammar.
    let command = if cfg.bootstrap_project().is_some_and(|b| b.name == name) {
        "/bootstrap plan".to_owned()
    } else {
        format!("/plan {name}")
    };
    let replan = format!("plan it on this commit (`{command}`) and wait for the plan to succeed");
    match proof.state {
        PlanState::Succeeded => {}
        PlanState::Failed => out.push(Refusal::new(
            Some(name),
            format!("its plan (stage {}) failed on {head7}", p.stage),
            replan.clone(),
        )),
        PlanState::Running => out.push(Refusal::new(
            Some(name),
            format!("its plan (stage {}) is still running on {head7}", p.stage),
            "wait for the plan to finish",
        )),
        PlanState::Missing => out.push(Refusal::new(
            Some(name),
            format!("infra-ci has no plan of it on {head7}"),
            replan.clone(),
        )),
    }
    if p.runner == Runner::Native && proof.state == PlanState::Succeeded {
        match (&proof.digest, input.files.get(name)) {
            (None, _) => out.push(Refusal::new(
                Some(name),
                format!("infra-ci recorded no plan file digest for it on {head7}"),
                replan.clone(),
            )),
            (Some(want), Some(file)) if file.digest.as_deref() != Some(want.as_str()) => {
                out.push(Refusal::new(
                    Some(name),
                    match &file.digest {
                        None => "the saved plan file is missing".to_owned(),
                        Some(_) => {
                            "the saved plan file is not the one infra-ci planned (digest differs)"
                                .to_owned()
                        }
                    },
                    replan.clone(),
                ));
            }
            _ => {}
        }
    }
    if cfg
        .permissions
        .apply
        .requirements
        .contains(&Requirement::Undiverged)
        && let (Some(planned), Some(now)) = (&proof.base, &input.base_tip)
        && planned != now
    {
        out.push(Refusal::new(
            Some(name),
            format!(
                "the base branch moved from {} to {} since the plan",
                short(planned),
                short(now)
            ),
            "update the branch with the base branch, then plan again",
        ));
    }
    match input.locks.get(name) {
        None | Some(LockFact::Free | LockFact::Ours) => {}
        Some(LockFact::HeldBy(n)) => out.push(Refusal::new(
            Some(name),
            format!("locked by #{n} until it is merged or closed"),
            format!("wait for #{n} to be merged or closed, or ask its author to `/unlock`"),
        )),
        Some(LockFact::Unknown { sha }) => out.push(Refusal::new(
            Some(name),
            format!(
                "its lock (at {}) was not recorded by infra-ci, so its holder is unknown",
                short(sha)
            ),
            format!("an administrator may delete the ref refs/infra-ci/locks/{name}"),
        )),
    }
}

fn undiverged(input: &GateInput, out: &mut Vec<Refusal>) {
    let base = safe_ref(&input.pull.base_ref);
    match input.behind_by {
        Some(0) => {}
        Some(n) => out.push(Refusal::new(
            None,
            format!(
                "the branch is {n} commit{} behind `{base}`",
                if n == 1 { "" } else { "s" }
            ),
            format!("merge `{base}` into the branch (or rebase it onto `{base}`), push, then `/plan` again"),
        )),
        None => out.push(Refusal::new(
            None,
            format!("infra-ci could not compare the branch with `{base}`"),
            "check the base branch exists, then retry",
        )),
    }
}

fn stage_of<'c>(cfg: &'c Config, project: &str) -> &'c str {
    cfg.project(project).map_or("?", |p| p.stage.as_str())
}

/// A branch name in a reply: characters git allows in ref names and Markdown leaves alone.
fn safe_ref(r: &str) -> String {
    r.chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '/' | '.'))
        .take(100)
        .collect()
}
