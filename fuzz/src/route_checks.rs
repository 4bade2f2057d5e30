//! Checks over `infra_ci_route`: the slash-command grammar and the event router never panic
//! on any input, a command is only ever read from a first line that starts with `/`, and a
//! usage reply never echoes the comment. Included by path from
//! `crates/engine/tests/it/fuzz_route_corpus_replay.rs`.

use infra_ci_config::Config;
use infra_ci_route::{Parsed, RouteContext, decide, parse_comment, parse_dispatch};

/// Event names the router knows, and one it does not; the first byte picks one.
pub const EVENTS: &[&str] = &[
    "pull_request",
    "pull_request_target",
    "issue_comment",
    "push",
    "workflow_dispatch",
    "schedule",
    "pull_request_review",
    "release",
];

/// Whether the first non-blank line of `body` starts with `/`.
pub fn first_line_starts_with_slash(body: &str) -> bool {
    body.trim_start()
        .lines()
        .next()
        .is_some_and(|l| l.starts_with('/'))
}

/// A usage reply is our own text: plain ASCII, no markup, mention, table or control
/// character that the comment could have brought in.
fn assert_usage_is_ours(usage: &str, input: &str) {
    let foreign = usage
        .chars()
        .find(|c| *c != '\n' && (!c.is_ascii() || c.is_ascii_control() || "<>@|\\".contains(*c)));
    assert!(
        foreign.is_none(),
        "usage for {input:?} carries {foreign:?}: {usage:?}"
    );
}

/// Any bytes as a comment body and as a dispatch input.
pub fn route_command(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let cfg = Config::default();
    match parse_comment(&text, &cfg) {
        Parsed::Command(cmd) => {
            assert!(first_line_starts_with_slash(&text), "{text:?} -> {cmd:?}");
            for p in &cmd.projects {
                assert!(cfg.project(p).is_some(), "unknown project {p:?}");
            }
        }
        Parsed::BadArgs { usage } => {
            assert!(first_line_starts_with_slash(&text), "{text:?}");
            assert_usage_is_ours(&usage, &text);
        }
        Parsed::NotACommand => {}
    }
    if let Parsed::BadArgs { usage } = parse_dispatch(&text, &cfg) {
        assert_usage_is_ours(&usage, &text);
    }
}

/// The first byte picks the event name; the rest is its payload. The reason is one line; a
/// comment event runs only on a first line that starts with `/`.
pub fn route_event(data: &[u8]) {
    let (head, payload) = data.split_first().unwrap_or((&0, &[]));
    let name = EVENTS[usize::from(*head) % EVENTS.len()];
    let Ok(r) = decide(name, payload, &Config::default(), &RouteContext::default()) else {
        return;
    };
    assert!(!r.reason.contains('\n'), "{:?}", r.reason);
    if name == "issue_comment" && (r.should_run || r.command.is_some()) {
        let body = serde_json::from_slice::<serde_json::Value>(payload)
            .ok()
            .and_then(|v| v["comment"]["body"].as_str().map(str::to_owned))
            .unwrap_or_default();
        assert!(first_line_starts_with_slash(&body), "ran on {body:?}");
    }
}
