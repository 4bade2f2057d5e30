//! The soak's own reader of a dashboard comment and of a status description, written apart
//! from the product's `parse` and `status_line` on purpose: a bug shared by the product's
//! encoder and decoder would pass a checker that decoded with them. Only the documented
//! shape is assumed (marker line, `Stage | Status | Output | Time` table, the hidden
//! revision line), and only plain string handling and `serde_json` are used.

use std::collections::BTreeMap;

use infra_ci_core::Status;

/// The word a status is written with (the seed's vocabulary, spelled out here again).
pub fn word(s: Status) -> &'static str {
    match s {
        Status::Pending => "pending",
        Status::Running => "running",
        Status::Success => "success",
        Status::Failure => "failure",
        Status::Skipped => "skipped",
        Status::Cancelled => "cancelled",
    }
}

/// Whitespace (newlines included) folded to single spaces, trimmed: what one line of output
/// becomes in a status description and in a cell.
pub fn fold(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A status description `word` or `word: output`, split.
pub fn description(d: &str) -> (String, Option<String>) {
    match d.split_once(": ") {
        Some((w, o)) => (w.to_owned(), Some(o.to_owned())),
        None => (d.to_owned(), None),
    }
}

/// One table row as the comment shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The row's label (`CI Validate`, `Plan: platform`, a custom key).
    pub label: String,
    pub word: String,
    pub output: Option<String>,
    pub link: Option<String>,
}

/// What a dashboard comment shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Shown {
    pub sha7: String,
    pub rows: Vec<Row>,
    /// The hidden revision line: stage key → the status id the row was rendered from.
    pub revisions: BTreeMap<String, u64>,
}

/// The marker line a dashboard of `sha` starts with.
pub fn marker_line(sha: &str) -> String {
    format!("<!-- infra-dashboard:{} -->", sha.get(..7).unwrap_or(sha))
}

/// Reads a dashboard body. `Err` says what is malformed.
pub fn read(body: &str) -> Result<Shown, String> {
    let mut lines = body.lines();
    let first = lines.next().unwrap_or("");
    let sha7 = first
        .strip_prefix("<!-- infra-dashboard:")
        .and_then(|r| r.strip_suffix(" -->"))
        .ok_or_else(|| format!("the first line is not a marker: {first:?}"))?
        .to_owned();
    let mut shown = Shown {
        sha7,
        ..Shown::default()
    };
    let mut in_table = false;
    for line in lines {
        if line == "| Stage | Status | Output | Time |" {
            in_table = true;
            continue;
        }
        if in_table && line.starts_with("|-") {
            continue;
        }
        if in_table && line.starts_with("| ") {
            shown.rows.push(row(line)?);
            continue;
        }
        in_table = false;
        if let Some(json) = line
            .strip_prefix("<!-- infra-dashboard-state:")
            .and_then(|r| r.strip_suffix(" -->"))
        {
            shown.revisions = serde_json::from_str(json)
                .map_err(|e| format!("the revision line is not a JSON map of ids: {e}"))?;
        }
    }
    if shown.rows.is_empty() {
        return Err("the dashboard has no table rows".into());
    }
    Ok(shown)
}

fn row(line: &str) -> Result<Row, String> {
    let inner = line
        .strip_prefix('|')
        .and_then(|l| l.strip_suffix('|'))
        .ok_or_else(|| format!("a row does not start and end with '|': {line:?}"))?;
    let cells: Vec<&str> = inner.split('|').map(str::trim).collect();
    let [label, status, output, _time] = cells[..] else {
        return Err(format!("a row has {} cells, not 4: {line:?}", cells.len()));
    };
    let word = status
        .rsplit(' ')
        .next()
        .filter(|w| !w.is_empty())
        .ok_or_else(|| format!("a status cell has no word: {line:?}"))?;
    let (output, link) = output_cell(output);
    Ok(Row {
        label: entities(label),
        word: word.to_owned(),
        output,
        link,
    })
}

/// `-`, `text`, `[text](link)` or `[View](link)` (a link without output).
fn output_cell(cell: &str) -> (Option<String>, Option<String>) {
    if cell == "-" {
        return (None, None);
    }
    if let Some(rest) = cell.strip_prefix('[')
        && let Some((text, link)) = rest.split_once("](")
        && let Some(link) = link.strip_suffix(')')
    {
        let text = (text != "View").then(|| entities(text));
        return (text, Some(link.to_owned()));
    }
    (Some(entities(cell)), None)
}

/// Decodes HTML character references (`&lt;`, `&#124;`, `&#x7C;`); anything else is kept.
pub fn entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let decoded = rest.find(';').and_then(|end| {
            let name = &rest[1..end];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => name
                    .strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            };
            c.map(|c| (c, end + 1))
        });
        let (c, len) = decoded.unwrap_or(('&', 1));
        out.push(c);
        rest = &rest[len..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// A body as the product renders it, written out by hand (not by `render`), so this
    /// reader is checked against the documented shape, not against the product's code.
    const BODY: &str = "<!-- infra-dashboard:abc1234 -->
## ⚙️ Commit Dashboard `abc1234`

| Stage | Status | Output | Time |
|-------|--------|--------|------|
| CI Validate | ✅ success | [View](https://github.com/o/r/actions/runs/1) | - |
| Plan: bootstrap | ⏳ pending | - | - |
| Plan: platform | ❌ failure | [w1.0 a &#124; b &lt;!-- c --&gt;](https://github.com/o/r/actions/runs/2) | 14:23 |
| E2E Tests | 🚫 cancelled | w2.1 &#86;iew &#64;acme &#126;1 | - |
<!-- infra-dashboard-state:{\"ci\":5,\"plan-platform\":9} -->

<sub>Maintained by infra-ci: edits to this comment are overwritten.</sub>
";

    #[test]
    fn reads_rows_links_outputs_and_revisions() {
        let s = read(BODY).unwrap();
        assert_eq!(s.sha7, "abc1234");
        assert_eq!(s.rows.len(), 4);
        assert_eq!(
            s.rows[0],
            Row {
                label: "CI Validate".into(),
                word: "success".into(),
                output: None,
                link: Some("https://github.com/o/r/actions/runs/1".into()),
            }
        );
        assert_eq!(s.rows[1].output, None);
        assert_eq!(s.rows[1].word, "pending");
        assert_eq!(s.rows[2].output.as_deref(), Some("w1.0 a | b <!-- c -->"));
        assert_eq!(s.rows[3].output.as_deref(), Some("w2.1 View @acme ~1"));
        assert_eq!(s.rows[3].word, "cancelled");
        assert_eq!(s.revisions.get("ci"), Some(&5));
        assert_eq!(s.revisions.get("plan-platform"), Some(&9));
    }

    #[test]
    fn rejects_what_is_not_a_dashboard() {
        assert!(read("hello\n| a | b |").is_err());
        assert!(read("<!-- infra-dashboard:abc1234 -->\nno table").is_err());
        assert!(
            read("<!-- infra-dashboard:abc1234 -->\n| Stage | Status | Output | Time |\n| a | b |")
                .is_err()
        );
    }

    #[test]
    fn descriptions_and_folding() {
        assert_eq!(
            description("success: w0.1 no changes: ok"),
            ("success".into(), Some("w0.1 no changes: ok".into()))
        );
        assert_eq!(description("pending"), ("pending".into(), None));
        assert_eq!(fold(" line1\nline2\t x "), "line1 line2 x");
        assert_eq!(entities("&amp;lt; &#x7C; &bogus; &"), "&lt; | &bogus; &");
    }
}
