//! What happened on the previous commit, shown on a new head's dashboard.
//!
//! A push gives the pull request a new head and a new dashboard, and the old one is
//! minimized: without a word about it, the results of the previous head (a failed plan, an
//! apply that ran) disappear from view. The new dashboard carries one line under its table
//! saying what each stage of the previous head came to, with a link to its (hidden)
//! dashboard. The line is written once, when the dashboard is created, and kept by every
//! later render (read back like the details). Display only: nothing decides on it.

use std::fmt::Write as _;

use crate::dashboard::Dashboard;
use crate::escape::{defuse_comments, escape_cell, one_line, safe_link, truncate_chars};
use crate::marker::sha7;
use crate::status::Status;

/// The hidden line before the previous-commit line.
pub const PREVIOUS_PREFIX: &str = "<!-- infra-dashboard-previous -->";

/// The longest previous-commit line, in characters (one line, under any budget we use).
pub const MAX_PREVIOUS: usize = 1_000;

/// The line about `prev` (the previous commit's dashboard, as read back from its comment;
/// `link` is that comment's URL): every stage that ran, with its status, then how many did not.
///
/// `**Previous commit** [`abc1234`](…): ✅ CI Validate · ❌ Plan: net · 6 not run`
pub fn previous_line(prev: &Dashboard, link: Option<&str>) -> String {
    let short = sha7(&prev.sha);
    let mut out = match link.and_then(safe_link) {
        Some(url) => format!("**Previous commit** [`{short}`]({url}):"),
        None => format!("**Previous commit** `{short}`:"),
    };
    let mut ran = 0;
    for s in prev.stages.iter().filter(|s| s.status != Status::Pending) {
        let sep = if ran == 0 { " " } else { " · " };
        let _ = write!(
            out,
            "{sep}{} {}",
            s.status.emoji(),
            escape_cell(&truncate_chars(&s.name, 60))
        );
        ran += 1;
    }
    let not_run = prev.stages.len() - ran;
    match (ran, not_run) {
        (0, _) => out.push_str(" nothing ran"),
        (_, 0) => {}
        (_, n) => {
            let _ = write!(out, " · {n} not run");
        }
    }
    sanitize(&out)
}

/// The form the line is rendered in: one line, no HTML comment, at most [`MAX_PREVIOUS`]
/// characters. Idempotent, so a line read back renders the same.
pub fn sanitize(line: &str) -> String {
    truncate_chars(&defuse_comments(&one_line(line)), MAX_PREVIOUS)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::stage::default_stages;

    #[test]
    fn names_what_ran_and_counts_what_did_not() {
        let mut d = Dashboard::new("abc1234def", &default_stages());
        d.update_stage("ci", Status::Success, None, None);
        d.update_stage("plan-platform", Status::Failure, None, Some("boom".into()));
        let line = previous_line(&d, Some("https://github.com/o/r/pull/1#issuecomment-9"));
        assert_eq!(
            line,
            "**Previous commit** [`abc1234`](https://github.com/o/r/pull/1#issuecomment-9): \
             ✅ CI Validate · ❌ Plan: platform · 6 not run"
        );
        assert_eq!(sanitize(&line), line);
    }

    #[test]
    fn nothing_ran_is_said_and_hostile_text_stays_one_line() {
        let d = Dashboard::new("abc1234", &default_stages());
        assert_eq!(
            previous_line(&d, Some("javascript:alert(1)")),
            "**Previous commit** `abc1234`: nothing ran"
        );
        let odd = sanitize("a\n<!-- x -->\n| b");
        assert!(!odd.contains('\n') && !odd.contains("<!--"), "{odd}");
        assert_eq!(sanitize(&"x".repeat(5_000)).chars().count(), MAX_PREVIOUS);
    }
}
