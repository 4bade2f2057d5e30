//! Shared helpers: the fixture directory, loading and routing payloads.

use std::path::PathBuf;

use infra_ci_config::Config;
use infra_ci_route::{Route, RouteContext, decide};
use serde_json::Value;

/// `tests/fixtures/github-webhooks` at the workspace root.
pub fn webhooks_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/github-webhooks")
}

/// A fixture as JSON (for in-memory edits; the file is never written).
pub fn fixture(rel: &str) -> Value {
    let text = std::fs::read(webhooks_dir().join(rel)).unwrap();
    serde_json::from_slice(&text).unwrap()
}

/// The Atlantis PR comment fixture with its `###comment body###` replaced by `body`.
pub fn pr_comment(body: &str) -> Value {
    let mut v = fixture("other-sources/runatlantis-atlantis/githubIssueCommentEvent.json");
    assert_eq!(v["comment"]["body"], "###comment body###");
    v["comment"]["body"] = Value::String(body.to_owned());
    v
}

/// Routes `payload` as `event` with the default configuration and an empty context.
pub fn route(event: &str, payload: &Value) -> Route {
    route_with(event, payload, &Config::default(), &RouteContext::default())
}

/// Routes `payload` as `event`.
pub fn route_with(event: &str, payload: &Value, cfg: &Config, ctx: &RouteContext) -> Route {
    decide(event, &serde_json::to_vec(payload).unwrap(), cfg, ctx).unwrap()
}

/// Strings from `&str`s.
pub fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_owned()).collect()
}
