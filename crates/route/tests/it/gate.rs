//! The apply gate, rule by rule: each rule refuses on its own, and the refusal says why and
//! what would allow the apply. Expectations are literal text, not built with the gate's helpers.

use std::collections::BTreeMap;

use infra_ci_config::{Association, Config};
use infra_ci_route::{
    Actor, CommandKind, GateInput, LockFact, PlanFile, PlanProof, PlanState, PullFacts, ReviewFact,
    ReviewWord, may_apply,
};

const HEAD: &str = "1111111111111111111111111111111111111111";
const OLD: &str = "3333333333333333333333333333333333333333";
const BASE: &str = "2222222222222222222222222222222222222222";

fn person(login: &str, association: Association) -> Actor {
    Actor {
        login: login.into(),
        association,
        teams: Vec::new(),
    }
}

fn review(login: &str, association: Association, word: ReviewWord, on: &str) -> ReviewFact {
    ReviewFact {
        reviewer: person(login, association),
        is_bot: false,
        word,
        commit_id: Some(on.into()),
    }
}

fn ok(digest: Option<&str>) -> PlanProof {
    PlanProof {
        state: PlanState::Succeeded,
        digest: digest.map(str::to_owned),
        base: Some(BASE.into()),
    }
}

/// The default configuration (the seed's projects): `bootstrap` is native, the others Digger.
fn cfg() -> Config {
    Config::default()
}

/// An apply of `platform` (Digger) that every rule allows.
fn good() -> GateInput {
    GateInput {
        kind: CommandKind::Apply,
        actor: Some(person("maintainer", Association::Member)),
        actor_is_bot: false,
        pull: PullFacts {
            number: 7,
            open: true,
            draft: false,
            author: "author".into(),
            head_sha: HEAD.into(),
            same_repo: true,
            base_ref: "main".into(),
            mergeable: Some(true),
        },
        default_branch: "main".into(),
        reviews: vec![review(
            "reviewer",
            Association::Collaborator,
            ReviewWord::Approved,
            HEAD,
        )],
        projects: vec!["platform".into()],
        plans: BTreeMap::from([("platform".to_owned(), ok(None))]),
        locks: BTreeMap::from([("platform".to_owned(), LockFact::Free)]),
        files: BTreeMap::new(),
        behind_by: Some(0),
        base_tip: Some(BASE.into()),
    }
}

fn refused(input: &GateInput) -> Vec<String> {
    may_apply(input, &cfg())
        .refusals
        .iter()
        .map(infra_ci_route::gate::Refusal::line)
        .collect()
}

#[test]
fn every_rule_holding_allows_the_apply() {
    let d = may_apply(&good(), &cfg());
    assert!(d.allowed(), "{d:?}");
    let decision = d.to_decision(CommandKind::Apply);
    assert!(decision.allowed && decision.how_to_allow.is_empty());
}

#[test]
fn who_asked() {
    let mut i = good();
    i.actor = None;
    assert_eq!(
        refused(&i),
        ["nobody is named as having asked for this apply (the event has no sender)"]
    );
    let mut i = good();
    i.actor = Some(person("renovate[bot]", Association::Collaborator));
    assert_eq!(refused(&i), ["@renovate[bot] is a bot; bots never apply"]);
    let mut i = good();
    i.actor_is_bot = true;
    assert_eq!(refused(&i), ["@maintainer is a bot; bots never apply"]);
    let mut i = good();
    i.actor = Some(person("outsider", Association::Contributor));
    assert_eq!(refused(&i), ["@outsider (CONTRIBUTOR) may not apply here"]);
}

#[test]
fn the_pull_request_itself() {
    let mut i = good();
    i.pull.open = false;
    assert_eq!(refused(&i), ["pull request #7 is not open"]);
    let mut i = good();
    i.pull.draft = true;
    assert_eq!(refused(&i), ["the pull request is a draft"]);
    let mut i = good();
    i.pull.same_repo = false;
    assert_eq!(
        refused(&i),
        ["the head branch is in a fork; forks never apply"]
    );
    // A stack: the base is a branch nobody reviewed as a whole.
    let mut i = good();
    i.pull.base_ref = "feature/unreviewed".into();
    assert_eq!(
        refused(&i),
        [
            "the base branch `feature/unreviewed` is not one applies are allowed from (only `main`, the default branch)"
        ]
    );
    let release =
        Config::from_yaml("permissions: {apply: {branches: [main, release/v1]}}").unwrap();
    let mut i = good();
    i.pull.base_ref = "release/v1".into();
    assert!(may_apply(&i, &release).allowed());
    i.pull.base_ref = "release/v2".into();
    assert!(!may_apply(&i, &release).allowed());
}

#[test]
fn approvals_count_only_from_allowed_people_on_the_head() {
    use Association as A;
    use ReviewWord as W;
    let none = "no approval of 1111111 by a reviewer allowed to apply (not the author, not a bot)";
    let cases: Vec<(Vec<ReviewFact>, Vec<&str>)> = vec![
        // An outsider's approval counts for nothing.
        (
            vec![review("rando", A::None, W::Approved, HEAD)],
            vec![none],
        ),
        // Nor a bot's, even a collaborator bot.
        (
            vec![ReviewFact {
                is_bot: true,
                ..review("helper", A::Collaborator, W::Approved, HEAD)
            }],
            vec![none],
        ),
        (
            vec![review("ci[bot]", A::Collaborator, W::Approved, HEAD)],
            vec![none],
        ),
        // Nor the author's own.
        (
            vec![review("Author", A::Owner, W::Approved, HEAD)],
            vec![none],
        ),
        // An approval of an earlier commit is named.
        (
            vec![review("reviewer", A::Member, W::Approved, OLD)],
            vec![
                "approved on 3333333, not on the head 1111111; approvals of earlier commits do not count",
            ],
        ),
        // The latest word counts: dismissed, then nothing.
        (
            vec![
                review("reviewer", A::Member, W::Approved, HEAD),
                review("reviewer", A::Member, W::Dismissed, HEAD),
            ],
            vec![none],
        ),
        // A change request by an allowed reviewer blocks, whatever the commit.
        (
            vec![
                review("reviewer", A::Member, W::Approved, HEAD),
                review("lead", A::Owner, W::ChangesRequested, OLD),
            ],
            vec!["changes requested by @lead"],
        ),
        // An outsider's change request blocks nothing (only allowed people decide).
        (
            vec![
                review("reviewer", A::Member, W::Approved, HEAD),
                review("troll", A::None, W::ChangesRequested, HEAD),
            ],
            vec![],
        ),
        // A comment after an approval changes nothing.
        (
            vec![
                review("reviewer", A::Member, W::Approved, HEAD),
                review("reviewer", A::Member, W::Other, HEAD),
            ],
            vec![],
        ),
    ];
    for (reviews, want) in cases {
        let mut i = good();
        i.reviews = reviews.clone();
        assert_eq!(refused(&i), want, "{reviews:?}");
    }
    // Turned off, no review is read.
    let relaxed =
        Config::from_yaml("permissions: {apply: {requirements: [same_repo, mergeable]}}").unwrap();
    let mut i = good();
    i.reviews.clear();
    i.behind_by = None;
    assert!(may_apply(&i, &relaxed).allowed());
}

#[test]
fn the_plan_applied_is_infra_cis_own_on_this_head() {
    let mut i = good();
    i.plans.clear();
    assert_eq!(
        refused(&i),
        ["platform: infra-ci has no plan of it on 1111111"]
    );
    let mut i = good();
    i.plans.insert(
        "platform".into(),
        PlanProof {
            state: PlanState::Failed,
            ..ok(None)
        },
    );
    assert_eq!(
        refused(&i),
        ["platform: its plan (stage plan-platform) failed on 1111111"]
    );
    let mut i = good();
    i.projects = vec!["nope".into()];
    assert_eq!(
        refused(&i),
        ["nope: not a project of the default branch's configuration"]
    );
}

/// What to do names the command that plans the project: `/bootstrap plan` for the
/// bootstrap project, whose `/plan bootstrap` the grammar refuses.
#[test]
fn the_advice_names_the_command_that_plans_the_project() {
    let mut i = good();
    i.plans.clear();
    let advice = |i: &GateInput| {
        may_apply(i, &cfg())
            .refusals
            .iter()
            .map(|r| r.fix.clone())
            .collect::<Vec<_>>()
    };
    assert!(
        advice(&i).iter().any(|h| h.contains("`/plan platform`")),
        "{:?}",
        advice(&i)
    );
    i.kind = CommandKind::BootstrapApply;
    i.projects = vec!["bootstrap".into()];
    i.locks = BTreeMap::from([("bootstrap".to_owned(), LockFact::Free)]);
    assert!(
        advice(&i).iter().any(|h| h.contains("`/bootstrap plan`")),
        "{:?}",
        advice(&i)
    );
}

#[test]
fn a_native_plan_file_must_be_the_one_recorded() {
    let mut i = good();
    i.projects = vec!["bootstrap".into()];
    i.locks = BTreeMap::from([("bootstrap".to_owned(), LockFact::Ours)]);
    i.plans = BTreeMap::from([("bootstrap".to_owned(), ok(Some("aaa")))]);
    i.files = BTreeMap::from([(
        "bootstrap".to_owned(),
        PlanFile {
            digest: Some("aaa".into()),
        },
    )]);
    assert!(may_apply(&i, &cfg()).allowed(), "{:?}", refused(&i));
    // A file from someone else's run (another digest), or none.
    i.files.insert(
        "bootstrap".into(),
        PlanFile {
            digest: Some("bbb".into()),
        },
    );
    assert_eq!(
        refused(&i),
        ["bootstrap: the saved plan file is not the one infra-ci planned (digest differs)"]
    );
    i.files
        .insert("bootstrap".into(), PlanFile { digest: None });
    assert_eq!(refused(&i), ["bootstrap: the saved plan file is missing"]);
    // A success without a digest (say, reported by `update` alone) proves no file.
    i.plans.insert("bootstrap".into(), ok(None));
    assert_eq!(
        refused(&i),
        ["bootstrap: infra-ci recorded no plan file digest for it on 1111111"]
    );
}

#[test]
fn other_projects_failed_or_running_plans_block_by_default() {
    let mut i = good();
    i.plans.insert(
        "data-prod".into(),
        PlanProof {
            state: PlanState::Failed,
            ..ok(None)
        },
    );
    assert_eq!(
        refused(&i),
        ["the plan of data-prod (stage plan-data-prod) failed on 1111111"]
    );
    i.plans.insert(
        "data-prod".into(),
        PlanProof {
            state: PlanState::Running,
            ..ok(None)
        },
    );
    assert_eq!(
        refused(&i),
        ["the plan of data-prod (stage plan-data-prod) is still running on 1111111"]
    );
    // Not planned at all is fine.
    i.plans.insert("data-prod".into(), PlanProof::missing());
    assert!(may_apply(&i, &cfg()).allowed());
}

#[test]
fn locks_free_or_ours_only() {
    let mut i = good();
    i.locks.insert("platform".into(), LockFact::Ours);
    assert!(may_apply(&i, &cfg()).allowed());
    i.locks.insert("platform".into(), LockFact::HeldBy(9));
    assert_eq!(
        refused(&i),
        ["platform: locked by #9 until it is merged or closed"]
    );
    i.locks.insert(
        "platform".into(),
        LockFact::Unknown {
            sha: OLD.to_owned().into(),
        },
    );
    assert_eq!(
        refused(&i),
        ["platform: its lock (at 3333333) was not recorded by infra-ci, so its holder is unknown"]
    );
}

#[test]
fn mergeable_and_undiverged() {
    let mut i = good();
    i.pull.mergeable = Some(false);
    assert_eq!(
        refused(&i),
        ["the pull request has conflicts with its base"]
    );
    i.pull.mergeable = None;
    assert_eq!(refused(&i), ["GitHub has not computed mergeability yet"]);
    let mut i = good();
    i.behind_by = Some(2);
    assert_eq!(refused(&i), ["the branch is 2 commits behind `main`"]);
    i.behind_by = None;
    assert_eq!(
        refused(&i),
        ["infra-ci could not compare the branch with `main`"]
    );
    let mut i = good();
    i.base_tip = Some(OLD.into());
    assert_eq!(
        refused(&i),
        ["platform: the base branch moved from 2222222 to 3333333 since the plan"]
    );
}

#[test]
fn store_comment_never_gates_an_apply() {
    let comment = Config::from_yaml("store: comment").unwrap();
    let d = may_apply(&good(), &comment);
    assert_eq!(d.refusals.len(), 1, "{d:?}");
    assert!(d.refusals[0].why.starts_with("`store: comment`"));
    assert!(d.refusals[0].fix.contains("store: statuses"));
}

#[test]
fn a_refusal_lists_every_reason_and_every_fix_once() {
    let mut i = good();
    i.pull.draft = true;
    i.pull.same_repo = false;
    i.reviews.clear();
    let d = may_apply(&i, &cfg()).to_decision(CommandKind::Apply);
    assert!(!d.allowed);
    assert_eq!(
        d.reason,
        "`/apply` refused: the pull request is a draft; the head branch is in a fork; forks never apply; no approval of 1111111 by a reviewer allowed to apply (not the author, not a bot)."
    );
    assert_eq!(
        d.how_to_allow
            .lines()
            .filter(|l| l.starts_with("- "))
            .count(),
        3
    );
    // Nothing from the input is echoed but login characters.
    let mut i = good();
    i.actor = Some(person("evil<script>`@x", Association::None));
    let d = may_apply(&i, &cfg()).to_decision(CommandKind::Apply);
    assert!(
        !d.reason.contains("<script>") && !d.reason.contains("@x"),
        "{d:?}"
    );
}
