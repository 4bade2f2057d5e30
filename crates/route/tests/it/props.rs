//! Properties: the grammar and `decide` never panic, and accepted commands start with `/`.

use infra_ci_config::Config;
use infra_ci_route::{Parsed, RouteContext, decide, parse_comment, parse_dispatch};
use proptest::prelude::*;
use serde_json::Value;

use crate::support::pr_comment;

const EVENTS: [&str; 8] = [
    "pull_request",
    "issue_comment",
    "push",
    "workflow_dispatch",
    "schedule",
    "pull_request_review",
    "check_run",
    "pull_request_target",
];

/// Text that often looks like a command: known words, look-alikes, quotes, fences, NULs.
fn commandish() -> impl Strategy<Value = String> {
    let prefix = prop::sample::select(vec![
        "/plan",
        "/apply",
        "/bootstrap",
        "/bootstrap plan",
        "/bootstrap apply",
        " \n/PLAN",
        "> /apply",
        "```\n/apply",
        "\u{FF0F}apply",
        "/\u{0430}pply",
        "/assign",
        "",
        "/",
        "\u{0000}/plan",
        "/plan\u{0000}",
    ]);
    let word = prop::sample::select(vec![
        " platform",
        " data-prod",
        " -p",
        " --project",
        " --project=",
        " bootstrap",
        " nosuch",
        "\n",
        "\r\n",
        "\t",
        " ",
        "\u{00A0}",
        "\u{0000}",
        " @everyone",
        " <b>",
        " plan",
        " apply",
    ]);
    (prefix, prop::collection::vec(word, 0..8), ".*").prop_map(|(p, words, tail)| {
        let mut s = p.to_owned();
        for w in words {
            s.push_str(w);
        }
        s.push_str(&tail);
        s
    })
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| Value::Number(n.into())),
        ".{0,20}".prop_map(Value::String),
        commandish().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        let key = prop::sample::select(vec![
            "action",
            "pull_request",
            "issue",
            "comment",
            "body",
            "user",
            "login",
            "type",
            "number",
            "head",
            "sha",
            "ref",
            "after",
            "deleted",
            "repository",
            "default_branch",
            "inputs",
            "command",
            "pr",
            "review",
            "state",
            "commit_id",
            "id",
            "draft",
            "merged",
        ]);
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(key.prop_map(str::to_owned), inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn first_line_starts_with_slash(body: &str) -> bool {
    body.trim_start()
        .lines()
        .next()
        .is_some_and(|l| l.starts_with('/'))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn the_grammar_never_panics(text in any::<String>()) {
        let cfg = Config::default();
        if let Parsed::Command(_) = parse_comment(&text, &cfg) {
            prop_assert!(first_line_starts_with_slash(&text));
        }
        let _ = parse_dispatch(&text, &cfg);
    }

    #[test]
    fn accepted_commands_start_with_a_slash(text in commandish()) {
        let cfg = Config::default();
        match parse_comment(&text, &cfg) {
            Parsed::Command(cmd) => {
                prop_assert!(first_line_starts_with_slash(&text), "{text:?} -> {cmd:?}");
                for p in &cmd.projects {
                    prop_assert!(cfg.project(p).is_some());
                }
            }
            Parsed::BadArgs { usage } => {
                prop_assert!(first_line_starts_with_slash(&text));
                let clean = !usage.contains('\u{0000}') && !usage.contains("<b>") && !usage.contains("@everyone");
                prop_assert!(clean, "{:?} echoes input", usage);
            }
            Parsed::NotACommand => {}
        }
    }

    #[test]
    fn decide_never_panics_on_arbitrary_json(event in prop::sample::select(EVENTS.to_vec()), v in json_value()) {
        let bytes = serde_json::to_vec(&v).unwrap();
        let _ = decide(event, &bytes, &Config::default(), &RouteContext::default());
    }

    #[test]
    fn decide_never_panics_on_arbitrary_bytes(event in prop::sample::select(EVENTS.to_vec()), bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = decide(event, &bytes, &Config::default(), &RouteContext::default());
    }

    #[test]
    fn a_comment_runs_only_when_its_first_line_is_a_command(body in commandish()) {
        let payload = serde_json::to_vec(&pr_comment(&body)).unwrap();
        let r = decide("issue_comment", &payload, &Config::default(), &RouteContext::default()).unwrap();
        if r.should_run || r.command.is_some() {
            prop_assert!(first_line_starts_with_slash(&body), "{body:?}");
        }
        prop_assert!(!r.reason.contains('\n'));
    }
}
