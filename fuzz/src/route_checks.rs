//! Checks over `infra_ci_route`: the slash-command grammar and the event router never panic
//! on any input. Included by path from `crates/engine/tests/fuzz_route_corpus_replay.rs`.

use infra_ci_config::Config;
use infra_ci_route::{RouteContext, decide, parse_comment, parse_dispatch};

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

/// Any bytes as a comment body and as a dispatch input.
pub fn route_command(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let cfg = Config::default();
    let _ = parse_comment(&text, &cfg);
    let _ = parse_dispatch(&text, &cfg);
}

/// The first byte picks the event name; the rest is its payload.
pub fn route_event(data: &[u8]) {
    let (head, payload) = data.split_first().unwrap_or((&0, &[]));
    let name = EVENTS[usize::from(*head) % EVENTS.len()];
    let _ = decide(name, payload, &Config::default(), &RouteContext::default());
}
