//! Who asked for this run, read from the Actions event (`GITHUB_EVENT_NAME`,
//! `GITHUB_EVENT_PATH`): the comment's author or the dispatch's sender. GitHub writes the
//! event file; nothing in it is taken on trust beyond what GitHub itself states.

use infra_ci_route::{Actor, Event};

use crate::actions_env::{GITHUB_EVENT_NAME, GITHUB_EVENT_PATH};

/// What the event says: who asked (and whether the account is a bot), and the default branch.
#[derive(Debug, Clone, Default)]
pub struct FromEvent {
    pub requester: Option<(Actor, bool)>,
    pub default_branch: Option<String>,
}

/// Reads the current event; no event (a local run) or an unreadable one names nobody.
pub fn from_env() -> FromEvent {
    let (Ok(name), Some(path)) = (
        std::env::var(GITHUB_EVENT_NAME),
        std::env::var_os(GITHUB_EVENT_PATH),
    ) else {
        return FromEvent::default();
    };
    let Ok(payload) = std::fs::read(path) else {
        return FromEvent::default();
    };
    match Event::parse(&name, &payload) {
        Ok(event) => FromEvent {
            requester: event.requester(),
            default_branch: event.default_branch().map(str::to_owned),
        },
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the event; nobody is named as having asked");
            FromEvent::default()
        }
    }
}
