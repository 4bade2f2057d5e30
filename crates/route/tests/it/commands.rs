//! The grammar on its own: accepted forms, usage errors, dispatch inputs.

use infra_ci_config::Config;
use infra_ci_route::{Command, CommandKind, Parsed, parse_comment, parse_dispatch};

fn cmd(kind: CommandKind, projects: &[&str]) -> Parsed {
    Parsed::Command(Command {
        kind,
        projects: projects.iter().map(|s| (*s).to_owned()).collect(),
    })
}

fn usage_of(p: &Parsed) -> &str {
    match p {
        Parsed::BadArgs { usage } => usage,
        other => panic!("expected BadArgs, got {other:?}"),
    }
}

#[test]
fn accepted_forms() {
    let cfg = Config::default();
    let cases: &[(&str, Parsed)] = &[
        ("/plan", cmd(CommandKind::Plan, &[])),
        ("/PLAN", cmd(CommandKind::Plan, &[])),
        ("\n\n   /plan   \n", cmd(CommandKind::Plan, &[])),
        ("/plan\r\nthanks!", cmd(CommandKind::Plan, &[])),
        ("/plan\tplatform", cmd(CommandKind::Plan, &["platform"])),
        (
            "/plan platform data-staging",
            cmd(CommandKind::Plan, &["platform", "data-staging"]),
        ),
        ("/plan Platform", cmd(CommandKind::Plan, &["platform"])),
        (
            "/plan -p platform --project data-prod",
            cmd(CommandKind::Plan, &["platform", "data-prod"]),
        ),
        (
            "/plan --project=data-prod",
            cmd(CommandKind::Plan, &["data-prod"]),
        ),
        ("/apply", cmd(CommandKind::Apply, &[])),
        (
            "/Apply -P data-prod",
            cmd(CommandKind::Apply, &["data-prod"]),
        ),
        ("/bootstrap plan", cmd(CommandKind::BootstrapPlan, &[])),
        ("/bootstrap   Apply", cmd(CommandKind::BootstrapApply, &[])),
    ];
    for (text, want) in cases {
        assert_eq!(&parse_comment(text, &cfg), want, "{text:?}");
    }
}

#[test]
fn known_commands_with_bad_arguments_get_the_usage() {
    let cfg = Config::default();
    for (text, problem) in [
        ("/bootstrap", "`/bootstrap` needs `plan` or `apply`."),
        (
            "/bootstrap destroy",
            "`/bootstrap` takes `plan` or `apply`.",
        ),
        (
            "/bootstrap plan platform",
            "`/bootstrap plan` takes no arguments.",
        ),
        ("/plan nosuch", "unknown project `nosuch`."),
        (
            "/plan bootstrap",
            "`bootstrap` is the bootstrap project: use `/bootstrap plan`.",
        ),
        (
            "/apply bootstrap",
            "`bootstrap` is the bootstrap project: use `/bootstrap apply`.",
        ),
        ("/plan -p", "`-p` needs a project name."),
        ("/plan --force", "unknown option `--force`."),
        (
            "/plan please!",
            "unknown project (not shown: not a valid name).",
        ),
    ] {
        let parsed = parse_comment(text, &cfg);
        let usage = usage_of(&parsed);
        assert!(usage.starts_with(problem), "{text:?}: {usage}");
        assert!(usage.contains("- `/plan [PROJECT...]`"), "{usage}");
        assert!(
            usage.contains("Projects: `platform`, `data-staging`, `data-prod`"),
            "{usage}"
        );
    }
}

#[test]
fn verify_and_drift_are_dispatch_only() {
    let cfg = Config::default();
    assert_eq!(parse_comment("/verify", &cfg), Parsed::NotACommand);
    assert_eq!(parse_comment("/drift", &cfg), Parsed::NotACommand);
    assert_eq!(
        parse_dispatch("verify", &cfg),
        cmd(CommandKind::Verify, &[])
    );
    assert_eq!(parse_dispatch("DRIFT", &cfg), cmd(CommandKind::Drift, &[]));
    assert_eq!(
        parse_dispatch("bootstrap-plan", &cfg),
        cmd(CommandKind::BootstrapPlan, &[])
    );
    assert_eq!(
        parse_dispatch("bootstrap apply", &cfg),
        cmd(CommandKind::BootstrapApply, &[])
    );
    assert_eq!(
        parse_dispatch("plan platform", &cfg),
        cmd(CommandKind::Plan, &["platform"])
    );
    assert_eq!(parse_dispatch("/apply", &cfg), cmd(CommandKind::Apply, &[]));
    assert_eq!(parse_dispatch("destroy", &cfg), Parsed::NotACommand);
    assert!(matches!(
        parse_dispatch("drift now", &cfg),
        Parsed::BadArgs { .. }
    ));
}

#[test]
fn bootstrap_follows_the_configuration() {
    let none =
        Config::from_yaml("projects: [{name: app, dir: app, stage: plan-platform}]").unwrap();
    let parsed = parse_comment("/bootstrap plan", &none);
    assert!(usage_of(&parsed).starts_with("no bootstrap project is configured"));
    assert_eq!(
        parse_comment("/plan app", &none),
        cmd(CommandKind::Plan, &["app"])
    );

    let named = Config::from_yaml(
        "bootstrap: {project: seed}\nprojects: [{name: seed, dir: s, stage: plan-bootstrap, runner: native}, {name: bootstrap, dir: b, stage: ci}]",
    )
    .unwrap();
    // `bootstrap` is an ordinary project here; `seed` is the bootstrap one.
    assert_eq!(
        parse_comment("/plan bootstrap", &named),
        cmd(CommandKind::Plan, &["bootstrap"])
    );
    assert!(matches!(
        parse_comment("/plan seed", &named),
        Parsed::BadArgs { .. }
    ));
}

#[test]
fn only_the_first_kilobyte_is_read() {
    let cfg = Config::default();
    let long_ok = format!("/plan {}", "platform ".repeat(100));
    assert!(long_ok.len() < infra_ci_route::MAX_COMMAND_LINE);
    assert_eq!(
        parse_comment(&long_ok, &cfg),
        cmd(CommandKind::Plan, &["platform"])
    );
    let too_long = format!("/plan {}", "platform ".repeat(200));
    assert!(usage_of(&parse_comment(&too_long, &cfg)).starts_with("the command line is too long."));
}
