//! Rendering a [`Dashboard`] into the comment body, within a size budget.
//!
//! The shape is the seed's: marker, `## ⚙️ Commit Dashboard \`sha7\``, and the table
//! `Stage | Status | Output | Time`. Longer per-stage text goes into collapsed `<details>`
//! sections under the table. Whatever the outputs are, the body stays under
//! [`Budget::max_chars`]: cells are shortened first, then details, then rows are folded.

use std::fmt::Write as _;

use crate::dashboard::{Dashboard, StageState};
use crate::escape::{defuse_comments, escape_cell, fence_for, safe_link, truncate_chars};
use crate::marker::{marker, sha7};
use crate::previous::{PREVIOUS_PREFIX, sanitize};

/// GitHub's limit on a comment body, in characters.
pub const COMMENT_LIMIT: usize = 65_536;

/// The hidden marker opening a stage's details section.
pub const DETAILS_PREFIX: &str = "<!-- infra-dashboard-details:";

/// The hidden line that carries each row's revision: `<!-- infra-dashboard-state:{...} -->`.
pub const STATE_PREFIX: &str = "<!-- infra-dashboard-state:";

/// The footer line; parsing stops at it.
pub const FOOTER: &str =
    "<sub>Maintained by infra-ci: edits to this comment are overwritten.</sub>";

/// Size limits for a rendered body, in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// The whole body. Below [`COMMENT_LIMIT`] to leave room for GitHub's own accounting.
    pub max_chars: usize,
    /// One Output cell.
    pub max_cell: usize,
    /// One stage's details section.
    pub max_details: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Self {
            max_chars: 65_000,
            max_cell: 200,
            max_details: 30_000,
        }
    }
}

/// Renders the body. Never longer than `budget.max_chars` characters.
pub fn render(d: &Dashboard, budget: Budget) -> String {
    // Shrink the table's cells until the table fits in half the budget, then give the
    // details what is left. Halving keeps this loop short (at most ~8 rounds).
    let mut cell = budget.max_cell;
    let mut table = render_table(d, cell, usize::MAX);
    while count(&table) > budget.max_chars / 2 && cell > 8 {
        cell /= 2;
        table = render_table(d, cell, usize::MAX);
    }
    if count(&table) > budget.max_chars / 2 {
        table = render_table(d, cell, rows_that_fit(d, cell, budget.max_chars / 2));
    }
    let mut body = table;
    if let Some(line) = d
        .previous
        .as_deref()
        .map(sanitize)
        .filter(|l| !l.is_empty())
    {
        // Under the table, where a reader who just saw the new head's rows looks next;
        // left out only under a budget too small for it (the table comes first).
        let block = format!("\n{PREVIOUS_PREFIX}\n{line}\n");
        if count(&body) + count(&block) + count(FOOTER) + 2 <= budget.max_chars {
            body.push_str(&block);
        }
    }
    let room = budget
        .max_chars
        .saturating_sub(count(&body) + count(FOOTER) + 2);
    body.push_str(&render_details(
        d,
        room.min(budget.max_details * d.stages.len().max(1)),
        budget.max_details,
    ));
    body.push('\n');
    body.push_str(FOOTER);
    body.push('\n');
    debug_assert!(count(&body) <= budget.max_chars);
    body
}

fn count(s: &str) -> usize {
    s.chars().count()
}

fn render_table(d: &Dashboard, cell: usize, max_rows: usize) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", marker(&d.sha));
    let _ = writeln!(out, "## ⚙️ Commit Dashboard `{}`", sha7(&d.sha));
    out.push('\n');
    out.push_str("| Stage | Status | Output | Time |\n");
    out.push_str("|-------|--------|--------|------|\n");
    for s in d.stages.iter().take(max_rows) {
        let _ = writeln!(
            out,
            "| {} | {} {} | {} | {} |",
            escape_cell(&truncate_chars(&s.name, 60)),
            s.status.emoji(),
            s.status.word(),
            output_cell(s, cell),
            time_cell(s.updated_at.as_deref()),
        );
    }
    if d.stages.len() > max_rows {
        let _ = writeln!(
            out,
            "| … | {} more stages | see the commit's statuses | - |",
            d.stages.len() - max_rows
        );
    }
    let revisions: Vec<String> = d
        .stages
        .iter()
        .take(max_rows)
        .filter(|s| crate::stage::is_valid_stage_key(&s.key))
        .filter_map(|s| s.revision.map(|r| format!("\"{}\":{r}", s.key)))
        .collect();
    if !revisions.is_empty() {
        // Keys are validated stage keys or escaped names, never `-->`; numbers are digits.
        let _ = writeln!(out, "{STATE_PREFIX}{{{}}} -->", revisions.join(","));
    }
    out
}

fn rows_that_fit(d: &Dashboard, cell: usize, room: usize) -> usize {
    // Each row is bounded (name ≤ 60, cell ≤ `cell`, link ≤ 2,048 after escaping growth):
    // find the largest prefix that fits by trying the longest first.
    let mut n = d.stages.len();
    while n > 0 && count(&render_table(d, cell, n)) > room {
        n = n * 3 / 4;
    }
    n
}

/// The text that stands for "no output, only a link". An output that is literally this
/// word is written with an entity so that parsing tells the two apart.
pub(crate) const VIEW: &str = "View";

fn output_cell(s: &StageState, max: usize) -> String {
    let text = s.output.as_deref().map(|o| {
        let e = escape_cell(&truncate_chars(&crate::escape::one_line(o), max));
        if e == VIEW { "&#86;iew".to_owned() } else { e }
    });
    match (text, s.link.as_deref().and_then(safe_link)) {
        (Some(t), Some(l)) if !t.is_empty() => format!("[{t}]({l})"),
        (_, Some(l)) => format!("[{VIEW}]({l})"),
        (Some(t), None) if !t.is_empty() => t,
        _ => "-".to_owned(),
    }
}

/// `HH:MM` (UTC) from an RFC 3339 time, as the seed shows; `-` when unknown.
pub(crate) fn time_cell(updated_at: Option<&str>) -> String {
    let hh_mm = |t: &str| Some(t).filter(|h| is_hh_mm(h)).map(str::to_owned);
    updated_at
        .and_then(|t| match t.as_bytes().get(10) {
            // RFC 3339: the time of day follows the `T`. `get` keeps a multi-byte character
            // from panicking the slice; anything but digits is refused, not rendered raw.
            Some(b'T') => t.get(11..16).and_then(hh_mm),
            _ => hh_mm(t),
        })
        .unwrap_or_else(|| "-".to_owned())
}

pub(crate) fn is_hh_mm(t: &str) -> bool {
    let b = t.as_bytes();
    b.len() == 5
        && b[2] == b':'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 2 || c.is_ascii_digit())
}

fn render_details(d: &Dashboard, room: usize, max_each: usize) -> String {
    let with: Vec<&StageState> = d
        .stages
        .iter()
        .filter(|s| s.details.as_deref().is_some_and(|t| !t.trim().is_empty()))
        .collect();
    if with.is_empty() {
        return String::new();
    }
    let mut out = String::new();
    let mut left = room;
    for (i, s) in with.iter().enumerate() {
        // Fair share of what is left, so one huge plan cannot starve the others.
        let share = (left / (with.len() - i)).min(max_each);
        let section = details_section(s, share);
        if count(&section) <= left {
            left -= count(&section);
            out.push_str(&section);
        }
    }
    out
}

/// One collapsed section; at most `max` characters, or empty when even a stub won't fit.
fn details_section(s: &StageState, max: usize) -> String {
    // Line endings are normalized: a `\r` would not survive the trip through the comment.
    let text = defuse_comments(s.details.as_deref().unwrap_or_default())
        .replace("\r\n", "\n")
        .replace('\r', "\n");
    let fence = fence_for(&text);
    let head = format!(
        "\n<details><summary>{} — details</summary>\n{DETAILS_PREFIX}{} -->\n\n{fence}text\n",
        escape_cell(&truncate_chars(&s.name, 60)),
        s.key
    );
    let tail = format!("\n{fence}\n\n</details>\n");
    let overhead = count(&head) + count(&tail);
    if max <= overhead + 40 {
        return String::new();
    }
    format!(
        "{head}{}{tail}",
        cut_middle(text.trim_end_matches('\n'), max - overhead)
    )
}

/// Keeps the head and the tail of a long text (a plan's summary is at its end, an error's
/// cause often at its start), marking the cut.
pub(crate) fn cut_middle(text: &str, max: usize) -> String {
    let n = count(text);
    if n <= max {
        return text.to_owned();
    }
    let note_len = 64;
    let keep = max.saturating_sub(note_len);
    let head_n = keep / 3;
    let tail_n = keep - head_n;
    let head: String = text.chars().take(head_n).collect();
    let tail: String = text.chars().skip(n - tail_n).collect();
    let cut = n - head_n - tail_n;
    format!("{head}\n… {cut} characters cut: the full text is in the job summary …\n{tail}")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::stage::default_stages;
    use crate::status::Status;

    fn sample() -> Dashboard {
        let mut d = Dashboard::new("abc1234def5678", &default_stages());
        d.update_stage(
            "ci",
            Status::Success,
            Some("https://github.com/o/r/actions/runs/1".into()),
            None,
        );
        d.update_stage(
            "plan-platform",
            Status::Success,
            Some("https://github.com/o/r/actions/runs/2".into()),
            Some("+2 ~1 -0".into()),
        );
        d.stages[2].updated_at = Some("2026-11-27T14:23:05Z".into());
        d.update_stage("apply", Status::Running, None, None);
        d.update_stage(
            "e2e",
            Status::Cancelled,
            None,
            Some("a | b <!-- c -->".into()),
        );
        d
    }

    #[test]
    fn renders_the_seed_shape() {
        insta::assert_snapshot!(render(&sample(), Budget::default()));
    }

    #[test]
    fn a_megabyte_of_output_stays_under_the_limit() {
        let mut d = sample();
        let huge = "x|<y>\n".repeat(200_000);
        for s in &mut d.stages {
            s.output = Some(huge.clone());
            s.details = Some(huge.clone());
        }
        let body = render(&d, Budget::default());
        assert!(body.chars().count() <= 65_000, "{}", body.chars().count());
        // Every row is still there.
        for s in &d.stages {
            assert!(body.contains(&s.name), "{} missing", s.name);
        }
    }

    #[test]
    fn thousands_of_stages_fold_instead_of_overflowing() {
        let mut d = Dashboard::new("abc1234", &[]);
        for i in 0..5_000 {
            d.update_stage(
                &format!("stage-{i}"),
                Status::Success,
                Some(format!("https://x/{}", "a".repeat(1000))),
                Some("o".repeat(300)),
            );
        }
        let body = render(&d, Budget::default());
        assert!(body.chars().count() <= 65_000);
        assert!(body.contains("more stages"));
    }

    #[test]
    fn the_previous_commit_line_sits_under_the_table_and_survives_a_huge_body() {
        let mut d = sample();
        d.previous = Some("**Previous commit** `0123456`: ✅ CI Validate · 7 not run".into());
        let body = render(&d, Budget::default());
        let table_end = body.find("| AI Review").unwrap();
        let at = body.find(PREVIOUS_PREFIX).unwrap();
        assert!(at > table_end && body[at..].contains("✅ CI Validate · 7 not run"));
        for s in &mut d.stages {
            s.details = Some("x\n".repeat(100_000));
        }
        let body = render(&d, Budget::default());
        assert!(body.chars().count() <= 65_000);
        assert!(body.contains("7 not run"));
    }

    #[test]
    fn time_cell_reads_rfc3339() {
        assert_eq!(time_cell(Some("2026-11-27T14:23:05Z")), "14:23");
        assert_eq!(time_cell(Some("14:23")), "14:23");
        assert_eq!(time_cell(Some("junk")), "-");
        assert_eq!(time_cell(None), "-");
    }
}
