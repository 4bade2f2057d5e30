//! The permission matrix: who may plan and apply, and each apply requirement.

use infra_ci_config::{Association, Config};
use infra_ci_route::{Actor, ApplyFacts, Command, CommandKind, authorize};

fn actor(login: &str, association: Association, teams: &[&str]) -> Actor {
    Actor {
        login: login.into(),
        association,
        teams: teams.iter().map(|t| (*t).to_owned()).collect(),
    }
}

fn cmd(kind: CommandKind) -> Command {
    Command {
        kind,
        projects: Vec::new(),
    }
}

const ALL_MET: ApplyFacts = ApplyFacts {
    approved: Some(true),
    same_repo: true,
    plans_succeeded: true,
    mergeable: Some(true),
    undiverged: true,
};

#[test]
fn who_may_run_what() {
    use Association as A;
    use CommandKind as K;
    let default = Config::default();
    let listed = Config::from_yaml(
        "permissions:\n  plan: {associations: [], users: [Alice], teams: [sre]}\n  apply: {associations: [OWNER], users: [bob], teams: [my-org/Platform]}\n",
    )
    .unwrap();
    // (config, command, actor, allowed)
    let table: Vec<(&Config, K, Actor, bool)> = vec![
        (&default, K::Plan, actor("o", A::Owner, &[]), true),
        (&default, K::Plan, actor("m", A::Member, &[]), true),
        (&default, K::Plan, actor("c", A::Collaborator, &[]), true),
        (&default, K::Plan, actor("x", A::Contributor, &[]), false),
        (
            &default,
            K::Plan,
            actor("x", A::FirstTimeContributor, &[]),
            false,
        ),
        (&default, K::Plan, actor("x", A::FirstTimer, &[]), false),
        (&default, K::Plan, actor("x", A::Mannequin, &[]), false),
        (&default, K::Plan, actor("x", A::None, &[]), false),
        (
            &default,
            K::BootstrapPlan,
            actor("c", A::Collaborator, &[]),
            true,
        ),
        (&default, K::BootstrapPlan, actor("x", A::None, &[]), false),
        (&default, K::Apply, actor("o", A::Owner, &[]), true),
        (&default, K::Apply, actor("c", A::Collaborator, &[]), true),
        (&default, K::Apply, actor("x", A::Contributor, &[]), false),
        (
            &default,
            K::BootstrapApply,
            actor("m", A::Member, &[]),
            true,
        ),
        (&default, K::BootstrapApply, actor("x", A::None, &[]), false),
        // Users and teams, case-insensitive; `org/slug` and `slug` are the same team.
        (&listed, K::Plan, actor("o", A::Owner, &[]), false),
        (&listed, K::Plan, actor("alice", A::None, &[]), true),
        (&listed, K::Plan, actor("x", A::None, &["SRE"]), true),
        (&listed, K::Plan, actor("x", A::None, &["my-org/sre"]), true),
        (&listed, K::Plan, actor("x", A::None, &["dev"]), false),
        (&listed, K::Apply, actor("o", A::Owner, &[]), true),
        (&listed, K::Apply, actor("m", A::Member, &[]), false),
        (&listed, K::Apply, actor("BOB", A::None, &[]), true),
        (&listed, K::Apply, actor("x", A::None, &["platform"]), true),
        (&listed, K::Apply, actor("alice", A::None, &["sre"]), false),
    ];
    for (cfg, kind, who, allowed) in table {
        let d = authorize(&cmd(kind), &who, &ALL_MET, cfg);
        assert_eq!(d.allowed, allowed, "{kind:?} by {who:?}: {d:?}");
        if allowed {
            assert!(d.how_to_allow.is_empty());
        } else {
            assert!(
                d.reason.contains(kind.slash()) && d.reason.contains("not allowed"),
                "{d:?}"
            );
            assert!(d.how_to_allow.contains(".users"), "{d:?}");
        }
    }
}

#[test]
fn every_apply_requirement_is_checked() {
    let cfg = Config::default();
    let owner = actor("o", Association::Owner, &[]);
    let cases: Vec<(ApplyFacts, &str, &str)> = vec![
        (
            ApplyFacts {
                approved: Some(false),
                ..ALL_MET
            },
            "not approved",
            "approving review",
        ),
        (
            ApplyFacts {
                approved: None,
                ..ALL_MET
            },
            "review state is unknown",
            "retry",
        ),
        (
            ApplyFacts {
                same_repo: false,
                ..ALL_MET
            },
            "comes from a fork",
            "forks never apply",
        ),
        (
            ApplyFacts {
                plans_succeeded: false,
                ..ALL_MET
            },
            "no successful plan",
            "`/plan`",
        ),
        (
            ApplyFacts {
                mergeable: Some(false),
                ..ALL_MET
            },
            "merge conflicts",
            "resolve the conflicts",
        ),
        (
            ApplyFacts {
                mergeable: None,
                ..ALL_MET
            },
            "not computed mergeability",
            "retry in a minute",
        ),
        (
            ApplyFacts {
                undiverged: false,
                ..ALL_MET
            },
            "behind the base branch",
            "update the branch",
        ),
    ];
    for kind in [CommandKind::Apply, CommandKind::BootstrapApply] {
        assert!(authorize(&cmd(kind), &owner, &ALL_MET, &cfg).allowed);
        for (facts, why, fix) in &cases {
            let d = authorize(&cmd(kind), &owner, facts, &cfg);
            assert!(!d.allowed, "{facts:?}");
            assert!(d.reason.contains(why), "{d:?}");
            assert!(d.how_to_allow.contains(fix), "{d:?}");
            // Plans never read the apply facts.
            assert!(authorize(&cmd(CommandKind::Plan), &owner, facts, &cfg).allowed);
        }
    }
    // Several unmet requirements are all listed.
    let d = authorize(
        &cmd(CommandKind::Apply),
        &owner,
        &ApplyFacts::default(),
        &cfg,
    );
    assert_eq!(
        d.how_to_allow
            .lines()
            .filter(|l| l.starts_with("- "))
            .count(),
        5,
        "{d:?}"
    );

    // Requirements not configured are not checked.
    let relaxed = Config::from_yaml("permissions: {apply: {requirements: [approved]}}").unwrap();
    let facts = ApplyFacts {
        approved: Some(true),
        ..ApplyFacts::default()
    };
    assert!(authorize(&cmd(CommandKind::Apply), &owner, &facts, &relaxed).allowed);
    let none = Config::from_yaml("permissions: {apply: {requirements: []}}").unwrap();
    assert!(
        authorize(
            &cmd(CommandKind::Apply),
            &owner,
            &ApplyFacts::default(),
            &none
        )
        .allowed
    );
}

#[test]
fn refusals_do_not_echo_untrusted_text() {
    let d = authorize(
        &cmd(CommandKind::Apply),
        &actor("evil<script>`@x", Association::None, &[]),
        &ALL_MET,
        &Config::default(),
    );
    assert!(!d.allowed);
    assert!(!d.reason.contains('<') && !d.reason.contains("@x"), "{d:?}");
    assert!(
        d.reason.len() < 200 && d.how_to_allow.len() < 400,
        "short: {d:?}"
    );
}
