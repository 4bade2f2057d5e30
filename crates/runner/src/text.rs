//! Bounding and fencing text for the dashboard and the job summary.

use std::fmt::Write as _;

use crate::steps::ProjectResult;

/// Characters of one project's details sent to the dashboard (the engine budgets the
/// comment as a whole; this keeps one big plan from crowding out the others).
pub(crate) const DETAILS_CHARS: usize = 12_000;

/// `text` (already cut to `kept` bytes of `total`) with a note when something was cut.
pub(crate) fn bounded(text: &str, total: u64, kept: usize) -> String {
    if usize::try_from(total).is_ok_and(|t| t <= kept) {
        return text.to_owned();
    }
    format!(
        "{text}\n… ({} more bytes not shown)",
        total.saturating_sub(kept as u64)
    )
}

/// The first `max` characters, with a note when cut.
pub(crate) fn first_chars(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_owned(),
        Some((at, _)) => format!(
            "{}\n… (cut here; the full text is in the job summary)",
            &text[..at]
        ),
    }
}

/// A code fence longer than any backtick run in `text`.
pub(crate) fn fence(text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    "`".repeat((longest + 1).max(3))
}

/// The job summary section of one project.
pub(crate) fn step_summary(verb: &str, r: &ProjectResult) -> String {
    let mut out = format!(
        "### {verb} `{}`: {} {}\n\n",
        r.project,
        r.status.emoji(),
        r.status.word()
    );
    match &r.summary {
        Some(s) => out.push_str(&s.to_markdown()),
        None => {
            let _ = writeln!(out, "{}", escape_line(&r.output));
        }
    }
    if let Some(d) = r.details.as_deref().filter(|d| !d.trim().is_empty()) {
        let f = fence(d);
        let _ = write!(
            out,
            "\n<details><summary>Output</summary>\n\n{f}text\n{d}\n{f}\n\n</details>\n"
        );
    }
    out.push('\n');
    out
}

/// Escapes one line for Markdown and HTML.
pub(crate) fn escape_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fences_outgrow_backticks_and_text_is_cut_with_a_note() {
        assert_eq!(fence("plain"), "```");
        assert_eq!(fence("a ```` b"), "`````");
        assert_eq!(first_chars("héllo", 10), "héllo");
        assert!(first_chars("héllo", 2).starts_with("hé\n…"));
        assert_eq!(bounded("abc", 3, 3), "abc");
        assert!(bounded("abc", 10, 3).ends_with("(7 more bytes not shown)"));
    }
}
