//! The permission matrix: who may plan and apply (what an apply requires besides is the
//! gate's: `gate.rs`).

use infra_ci_config::{Association, Config};
use infra_ci_route::{Actor, Command, CommandKind, authorize};

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
        let d = authorize(&cmd(kind), &who, cfg);
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
fn refusals_do_not_echo_untrusted_text() {
    let d = authorize(
        &cmd(CommandKind::Apply),
        &actor("evil<script>`@x", Association::None, &[]),
        &Config::default(),
    );
    assert!(!d.allowed);
    assert!(!d.reason.contains('<') && !d.reason.contains("@x"), "{d:?}");
    assert!(
        d.reason.len() < 200 && d.how_to_allow.len() < 400,
        "short: {d:?}"
    );
}
