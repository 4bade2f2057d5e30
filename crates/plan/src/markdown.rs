//! Markdown rendering of a [`Summary`]: a small table of counts and the destroyed and
//! replaced addresses. Every byte that came from the plan is escaped.

use std::fmt::Write as _;

use crate::summary::{AddressList, Summary};

impl Summary {
    /// A Markdown block for a PR comment or `GITHUB_STEP_SUMMARY`: a status line, a table
    /// of counts, and the (bounded) lists of destroyed and replaced addresses.
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        if self.errored {
            let message = self.error.as_deref().unwrap_or("the plan failed");
            let _ = writeln!(out, "**Plan failed:** {}", escape_text(message));
        } else if self.is_empty() {
            out.push_str("**No changes.**\n");
        } else {
            let _ = writeln!(out, "**Plan:** {}", escape_text(&self.one_line()));
        }
        if !self.has_changes() {
            // Also under a failure: a table of zeros would read as "nothing would change".
            return out;
        }
        out.push_str("\n| Action | Count |\n|---|---:|\n");
        let always = [
            ("create", self.create),
            ("update", self.update),
            ("delete", self.delete),
            ("replace", self.replace),
        ];
        let when_any = [
            ("read", self.read),
            ("import", self.import),
            ("move", self.moved),
            ("forget", self.forget),
            ("output changes", self.output_changes),
            ("drift", self.drift),
        ];
        for (name, count) in always
            .into_iter()
            .chain(when_any.into_iter().filter(|(_, n)| *n > 0))
        {
            let _ = writeln!(out, "| {name} | {count} |");
        }
        render_list(&mut out, "To destroy", &self.deleted);
        render_list(&mut out, "To replace", &self.replaced);
        out
    }
}

impl Summary {
    /// The destroyed and replaced addresses as plain text, for the top of a dashboard row's
    /// collapsed details: a destroy must be visible on the dashboard by name, not only as
    /// a count (the plan text under it may be cut to fit). Empty when nothing is destroyed.
    pub fn destructive_text(&self) -> String {
        let mut out = String::new();
        for (title, list) in [
            ("To destroy", &self.deleted),
            ("To replace", &self.replaced),
        ] {
            if list.total() == 0 {
                continue;
            }
            let _ = writeln!(out, "{title} ({}):", list.total());
            for listed in list.items() {
                let _ = write!(out, "  - {}", listed.address);
                if let Some(reason) = &listed.reason {
                    let _ = write!(out, " ({})", reason.replace('_', " "));
                }
                out.push('\n');
            }
            if list.truncated() {
                let more = list.total() - list.items().len() as u64;
                let _ = writeln!(out, "  … and {more} more");
            }
        }
        out
    }
}

fn render_list(out: &mut String, title: &str, list: &AddressList) {
    if list.total() == 0 {
        return;
    }
    let _ = writeln!(out, "\n**{title} ({}):**\n", list.total());
    for listed in list.items() {
        let _ = write!(out, "- {}", code_span(&listed.address));
        if let Some(reason) = &listed.reason {
            let _ = write!(out, " ({})", escape_text(&reason.replace('_', " ")));
        }
        out.push('\n');
    }
    if list.truncated() {
        let more = list.total() - list.items().len() as u64;
        let _ = writeln!(out, "- … and {more} more");
    }
}

/// An inline code span that shows `text` literally: the fence is one backtick longer than
/// the longest run inside, and line breaks become spaces.
fn code_span(text: &str) -> String {
    let text = text.replace(['\n', '\r'], " ");
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') || longest > 0 {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// Escapes text for Markdown (tables included) and HTML: punctuation Markdown reads is
/// backslash-escaped, `<`, `>` and `&` become entities, line breaks become spaces.
pub(crate) fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '!' | '~' | '(' | ')' | '"' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn destroys_and_replacements_are_named_in_plain_text() {
        let mut s = Summary::default();
        assert_eq!(s.destructive_text(), "");
        s.deleted.push("aws_s3_bucket.logs", None);
        s.replaced
            .push("aws_instance.web", Some("replace_because_tainted"));
        assert_eq!(
            s.destructive_text(),
            "To destroy (1):\n  - aws_s3_bucket.logs\nTo replace (1):\n  - aws_instance.web (replace because tainted)\n"
        );
    }

    #[test]
    fn code_spans_survive_backticks_and_quotes() {
        assert_eq!(code_span(r#"a.b["x"]"#), r#"`a.b["x"]`"#);
        assert_eq!(code_span("a`b"), "`` a`b ``");
    }

    #[test]
    fn escapes_markdown_and_html() {
        assert_eq!(
            escape_text("<img> | [x](y) *z*"),
            r"&lt;img&gt; \| \[x\]\(y\) \*z\*"
        );
    }
}
