//! Summary of human-readable `terraform plan` / `tofu plan` output, as CI logs show it.
//!
//! The `Plan: X to add, Y to change, Z to destroy.` line is authoritative for the tallies;
//! resource headers (`# aws_x.y must be replaced`) give the replaced and destroyed addresses
//! and the counts when a log has no `Plan:` line.

use std::io::BufRead;

use crate::actions::Category;
use crate::ansi::{strip_actions_timestamp, strip_ansi, strip_box};
use crate::error::PlanError;
use crate::lines::{MAX_TEXT_LINE_BYTES, for_each_line};
use crate::summary::{AddressList, Source, Summary};

/// Message used when a text has nothing that looks like a plan.
pub(crate) const NOT_A_PLAN: &str = "no Terraform plan found in the text (no `Plan:` line, \
    `No changes.`, resource change or `Error:`); pass the output of `terraform plan`";

/// Summarizes human-readable plan output. A text with nothing recognizable is reported as
/// a failed plan (never as "no changes"), see [`Summary::errored`].
pub fn summarize_text(text: &str) -> Summary {
    let mut scanner = TextScanner::default();
    for line in text.lines() {
        scanner.feed(line);
    }
    scanner.finish()
}

/// Like [`summarize_text`], reading line by line with bounded memory. Invalid UTF-8 is
/// replaced, not rejected: logs are not always clean.
///
/// # Errors
/// [`PlanError::Io`] when reading fails.
pub fn summarize_text_reader<R: BufRead>(reader: R) -> Result<Summary, PlanError> {
    let mut scanner = TextScanner::default();
    for_each_line(reader, MAX_TEXT_LINE_BYTES, |line| scanner.feed(line))?;
    Ok(scanner.finish())
}

/// Tallies from a `Plan:` or `Apply complete!` line.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    add: u64,
    change: u64,
    destroy: u64,
    import: Option<u64>,
    forget: Option<u64>,
}

/// Counts read from `# <address> <what happens>` headers.
#[derive(Debug, Default)]
struct Headers {
    create: u64,
    update: u64,
    delete: u64,
    replace: u64,
    read: u64,
    import: u64,
    imported_from: u64,
    moved: u64,
    forget: u64,
    drift: u64,
    deleted: AddressList,
    replaced: AddressList,
}

/// Line-by-line state of a text summary.
#[derive(Debug, Default)]
pub(crate) struct TextScanner {
    plan: Option<Tally>,
    apply: Option<Tally>,
    headers: Headers,
    replace_symbols: u64,
    output_changes: u64,
    in_outputs: bool,
    no_changes: bool,
    error: Option<String>,
    errored: bool,
}

impl TextScanner {
    /// Reads one line (without its newline).
    pub(crate) fn feed(&mut self, raw: &str) {
        let stripped = strip_ansi(raw);
        let line = strip_box(strip_actions_timestamp(&stripped));
        let line = line.trim_end();
        if self.in_outputs {
            if line.is_empty() || line.starts_with(char::is_whitespace) {
                self.count_output_line(line);
                return;
            }
            self.in_outputs = false;
        }
        if let Some(rest) = line.strip_prefix("Error:") {
            self.errored = true;
            if self.error.is_none() {
                self.error = Some(rest.trim().to_owned());
            }
        } else if let Some(rest) = line.strip_prefix("Plan:") {
            self.plan = parse_tally(rest).or(self.plan);
        } else if let Some(rest) = line
            .strip_prefix("Apply complete! Resources:")
            .or_else(|| line.strip_prefix("Destroy complete! Resources:"))
        {
            self.apply = parse_tally(rest).or(self.apply);
        } else if line.starts_with("No changes.") {
            self.no_changes = true;
        } else if line.starts_with("Changes to Outputs:") {
            self.in_outputs = true;
        } else {
            self.scan_resource_line(line);
        }
    }

    /// `  + name = value` at two spaces of indent is one changed output; deeper lines
    /// belong to a multi-line value.
    fn count_output_line(&mut self, line: &str) {
        let Some(rest) = line.strip_prefix("  ") else {
            return;
        };
        let mut chars = rest.chars();
        let symbol = chars.next();
        if matches!(symbol, Some('+' | '~' | '-')) && chars.next() == Some(' ') {
            let body = chars.as_str();
            if body
                .split_once(" =")
                .is_some_and(|(name, _)| is_identifier(name))
            {
                self.output_changes += 1;
            }
        }
    }

    fn scan_resource_line(&mut self, line: &str) {
        let indent = line.len() - line.trim_start().len();
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed
            .strip_prefix("-/+ ")
            .or_else(|| trimmed.strip_prefix("+/- "))
        {
            // Only resource blocks: the legend also has `-/+ destroy and then create ...`.
            if rest.starts_with("resource \"") {
                self.replace_symbols += 1;
            }
            return;
        }
        if indent > 4 {
            // Deeper lines are attribute values or heredoc content, never headers.
            return;
        }
        let Some(header) = trimmed.strip_prefix("# ") else {
            return;
        };
        if header.starts_with("(imported from ") {
            self.headers.imported_from += 1;
        } else if header.starts_with("(moved from ") {
            self.headers.moved += 1;
        } else {
            self.headers.record(header);
        }
    }

    /// The summary of everything fed so far.
    pub(crate) fn finish(self) -> Summary {
        let mut summary = Summary::new(Source::Text);
        let h = self.headers;
        summary.replace = h.replace.max(self.replace_symbols);
        let tally = self.plan.or(self.apply);
        if let Some(t) = tally {
            summary.create = t.add.saturating_sub(summary.replace);
            summary.update = t.change;
            summary.delete = t.destroy.saturating_sub(summary.replace);
        } else {
            summary.create = h.create;
            summary.update = h.update;
            summary.delete = h.delete;
        }
        let header_import = h.import.max(h.imported_from);
        summary.import = tally.and_then(|t| t.import).unwrap_or(header_import);
        summary.forget = tally.and_then(|t| t.forget).unwrap_or(h.forget);
        summary.read = h.read;
        summary.moved = h.moved;
        summary.drift = h.drift;
        summary.output_changes = self.output_changes;
        summary.deleted = h.deleted;
        summary.replaced = h.replaced;
        let recognized = tally.is_some()
            || self.no_changes
            || self.errored
            || self.output_changes > 0
            || summary.replace + h.create + h.update + h.delete + h.read + h.forget + h.moved > 0;
        if self.errored {
            summary.fail(self.error.as_deref());
        } else if !recognized {
            summary.fail(Some(NOT_A_PLAN));
            summary.not_a_plan = true;
        }
        summary
    }
}

impl Headers {
    /// Reads `<address> <phrase>` from a `# ` header line.
    fn record(&mut self, header: &str) {
        let (address, phrase) = split_address(header);
        if address.is_empty() {
            return;
        }
        let category = if phrase.ends_with("will be created") {
            Category::Create
        } else if phrase.ends_with("will be updated in-place") {
            Category::Update
        } else if phrase.ends_with("will be destroyed") {
            Category::Delete
        } else if phrase.ends_with("must be replaced") || phrase.starts_with("will be replaced") {
            Category::Replace
        } else if phrase.starts_with("will be read during apply") {
            Category::Read
        } else if phrase.starts_with("will be imported") {
            Category::Import
        } else if phrase.starts_with("will no longer be managed") {
            Category::Forget
        } else if phrase.starts_with("has moved to ") {
            self.moved += 1;
            return;
        } else if phrase.starts_with("has changed") || phrase.starts_with("has been deleted") {
            self.drift += 1;
            return;
        } else {
            return;
        };
        match category {
            Category::Create => self.create += 1,
            Category::Update => self.update += 1,
            Category::Delete => {
                self.delete += 1;
                self.deleted.push(address, None);
            }
            Category::Replace => {
                self.replace += 1;
                self.replaced.push(address, None);
            }
            Category::Read => self.read += 1,
            Category::Import => self.import += 1,
            Category::Forget => self.forget += 1,
            _ => {}
        }
    }
}

/// Splits `aws_x.y["a b"] will be created` at the first space outside a quoted key.
fn split_address(header: &str) -> (&str, &str) {
    let mut in_quotes = false;
    let mut escaped = false;
    for (i, c) in header.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_quotes => escaped = true,
            '"' => in_quotes = !in_quotes,
            ' ' if !in_quotes => return (&header[..i], header[i + 1..].trim()),
            _ => {}
        }
    }
    (header, "")
}

/// Parses ` 1 to import, 2 to add, 0 to change, 2 to destroy.` (and `, 1 to forget`),
/// or ` 1 added, 0 changed, 0 destroyed.`; `None` when any part is not understood.
fn parse_tally(rest: &str) -> Option<Tally> {
    let mut tally = Tally::default();
    let mut seen = false;
    for part in rest.trim().trim_end_matches('.').split(',') {
        let mut words = part.split_whitespace();
        let n: u64 = words.next()?.parse().ok()?;
        let word = match words.next()? {
            "to" => words.next()?,
            word => word,
        };
        match word {
            "add" | "added" => tally.add = n,
            "change" | "changed" => tally.change = n,
            "destroy" | "destroyed" => tally.destroy = n,
            "import" | "imported" => tally.import = Some(n),
            "forget" | "forgotten" => tally.forget = Some(n),
            _ => {}
        }
        seen = true;
    }
    seen.then_some(tally)
}

fn is_identifier(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn parses_plan_line_variants() {
        let t = parse_tally(" 1 to import, 2 to add, 0 to change, 3 to destroy.").unwrap();
        assert_eq!((t.add, t.change, t.destroy, t.import), (2, 0, 3, Some(1)));
        let t = parse_tally(" 0 to add, 0 to change, 0 to destroy, 1 to forget.").unwrap();
        assert_eq!(t.forget, Some(1));
        let t = parse_tally(" 1 added, 2 changed, 3 destroyed.").unwrap();
        assert_eq!((t.add, t.change, t.destroy), (1, 2, 3));
        assert!(parse_tally(" the moon").is_none());
    }

    #[test]
    fn splits_addresses_with_quoted_spaces() {
        assert_eq!(
            split_address(r#"a.b["x will be y"] will be created"#),
            (r#"a.b["x will be y"]"#, "will be created")
        );
        assert_eq!(
            split_address("aws_x.y (deposed object 12) will be destroyed"),
            ("aws_x.y", "(deposed object 12) will be destroyed")
        );
    }

    #[test]
    fn counts_outputs_and_errors() {
        let s = summarize_text(
            "Changes to Outputs:\n  + a = \"x\"\n  ~ b = {\n      + c = 1\n    }\n  - d = 1 -> null\n\nYou can apply this plan\n",
        );
        assert_eq!(s.output_changes, 3);
        assert!(!s.errored);
        let s = summarize_text("╷\n│ Error: Unsupported block type\n│ \n│   on main.tf\n");
        assert_eq!(s.error.as_deref(), Some("Unsupported block type"));
    }

    #[test]
    fn unrecognized_text_is_not_no_changes() {
        let s = summarize_text("hello\nworld\n");
        assert!(s.errored);
        assert!(!s.is_empty());
    }

    #[test]
    fn header_counts_without_plan_line() {
        let s = summarize_text(
            "  # a.b will be created\n  # a.c must be replaced\n-/+ resource \"a\" \"c\" {\n  # a.d will be destroyed\n  # (imported from \"x\")\n  # a.e has moved to a.f\n",
        );
        assert_eq!(
            (s.create, s.replace, s.delete, s.import, s.moved),
            (1, 1, 1, 1, 1)
        );
        assert_eq!(s.replaced.items()[0].address, "a.c");
    }
}
