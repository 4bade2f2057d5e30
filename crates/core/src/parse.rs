//! Reading a rendered dashboard body back into a [`Dashboard`].
//!
//! Used to keep other stages' details when re-rendering, to read a dashboard whose truth is
//! the comment itself, and to notice a body edited by hand. Tolerant: rows it cannot read
//! are skipped, never fatal; only a missing marker is an error (then it is not a dashboard).

use crate::dashboard::{Dashboard, StageState};
use crate::escape::unescape_cell;
use crate::marker::marker_sha7;
use crate::previous::{PREVIOUS_PREFIX, sanitize};
use crate::render::{DETAILS_PREFIX, STATE_PREFIX, VIEW, is_hh_mm};
use crate::stage::StageDef;
use crate::status::Status;

/// Why a body is not a dashboard.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The body's first line is not the hidden `<!-- infra-dashboard:… -->` marker.
    #[error("the comment does not start with an infra-dashboard marker: it is not a dashboard")]
    NoMarker,
}

/// Parses a body. Row names are mapped back to keys through `defs`; a name no definition
/// has is taken as the key (that is how unknown stages are rendered).
pub fn parse(body: &str, defs: &[StageDef]) -> Result<Dashboard, ParseError> {
    let sha7 = marker_sha7(body).ok_or(ParseError::NoMarker)?.to_owned();
    let mut d = Dashboard {
        sha: sha7,
        stages: Vec::new(),
        previous: None,
    };
    let mut lines = body.lines().peekable();
    let mut in_table = false;
    while let Some(line) = lines.next() {
        if line.starts_with("|---") || line.starts_with("|-") {
            in_table = true;
            continue;
        }
        if in_table {
            if let Some(row) = parse_row(line, defs) {
                d.stages.push(row);
                continue;
            }
            if !line.starts_with('|') {
                in_table = false;
            }
        }
        if line == PREVIOUS_PREFIX {
            d.previous = lines.next().map(sanitize).filter(|l| !l.is_empty());
            continue;
        }
        if let Some(json) = line
            .strip_prefix(STATE_PREFIX)
            .and_then(|r| r.strip_suffix(" -->"))
        {
            apply_revisions(&mut d, json);
            continue;
        }
        if let Some(key) = line
            .strip_prefix(DETAILS_PREFIX)
            .and_then(|r| r.strip_suffix(" -->"))
        {
            let text = read_fenced(&mut lines);
            if let Some(row) = d.stages.iter_mut().find(|s| s.key == key) {
                row.details = Some(text);
            }
        }
    }
    Ok(d)
}

fn parse_row(line: &str, defs: &[StageDef]) -> Option<StageState> {
    let inner = line.trim().strip_prefix('|')?.strip_suffix('|')?;
    let cells: Vec<&str> = inner.split('|').map(str::trim).collect();
    let [name, status, output, time] = cells.as_slice() else {
        return None;
    };
    let status: Status = status.rsplit(' ').next()?.parse().ok()?;
    let name = unescape_cell(name);
    let key = crate::stage::key_for_name(defs, &name);
    let (output, link) = parse_output(output);
    Some(StageState {
        key,
        name,
        status,
        link,
        output,
        updated_at: is_hh_mm(time).then(|| (*time).to_owned()),
        details: None,
        revision: None,
    })
}

/// Reads `{"key":123,...}` (written by the renderer: keys are plain, values digits).
/// Anything malformed is ignored: a row without a revision is simply older than any status.
fn apply_revisions(d: &mut Dashboard, json: &str) {
    let Some(inner) = json
        .trim()
        .strip_prefix('{')
        .and_then(|j| j.strip_suffix('}'))
    else {
        return;
    };
    for pair in inner.split(',') {
        let Some((k, v)) = pair.split_once(':') else {
            continue;
        };
        let key = k.trim().trim_matches('"');
        if let (Some(row), Ok(rev)) = (d.stages.iter_mut().find(|s| s.key == key), v.trim().parse())
        {
            row.revision = Some(rev);
        }
    }
}

/// `[text](link)`, `[View](link)`, `text` or `-`.
fn parse_output(cell: &str) -> (Option<String>, Option<String>) {
    if cell == "-" {
        return (None, None);
    }
    if let Some((text, link)) = cell
        .strip_prefix('[')
        .and_then(|c| c.strip_suffix(')'))
        .and_then(|i| i.split_once("]("))
    {
        let output = (text != VIEW).then(|| unescape_cell(text));
        return (output, Some(link.to_owned()));
    }
    (Some(unescape_cell(cell)), None)
}

/// Reads a fenced block that follows a details marker: the text between the opening fence
/// line and the line that repeats the fence.
fn read_fenced<'a>(lines: &mut impl Iterator<Item = &'a str>) -> String {
    let mut fence = None;
    let mut text: Vec<&str> = Vec::new();
    for line in lines.by_ref() {
        match &fence {
            None if line.starts_with("```") => {
                fence = Some(line.trim_end_matches("text").to_owned());
            }
            None => {}
            Some(f) if line == f => break,
            Some(_) => text.push(line),
        }
    }
    text.join("\n").replace("<!-\u{200b}-", "<!--")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::render::{Budget, render};
    use crate::stage::default_stages;

    #[test]
    fn not_a_dashboard() {
        assert_eq!(parse("hello", &default_stages()), Err(ParseError::NoMarker));
    }

    #[test]
    fn round_trip_keeps_rows_links_outputs_and_details() {
        let mut d = Dashboard::new("abc1234", &default_stages());
        d.update_stage(
            "plan-platform",
            Status::Failure,
            Some("https://x/run/1".into()),
            Some("Error: a|b [c]".into()),
        );
        d.update_stage(
            "apply",
            Status::Success,
            Some("https://x/run/2".into()),
            None,
        );
        d.update_stage("custom-stage", Status::Skipped, None, Some(VIEW.into()));
        d.stages[2].details =
            Some("line 1\n```\n<!-- infra-dashboard-details:apply -->\nend".into());
        d.stages[2].updated_at = Some("2026-01-02T03:04:05Z".into());
        d.stages[2].revision = Some(42);
        d.stages[5].revision = Some(7);
        let body = render(&d, Budget::default());
        let back = parse(&body, &default_stages()).unwrap();
        assert_eq!(back.stages.len(), d.stages.len());
        for (a, b) in d.stages.iter().zip(&back.stages) {
            assert_eq!(
                (&a.key, &a.name, a.status, &a.link, &a.output),
                (&b.key, &b.name, b.status, &b.link, &b.output)
            );
            assert_eq!(a.details, b.details);
            assert_eq!(a.revision, b.revision);
        }
        assert_eq!(back.stages[2].updated_at.as_deref(), Some("03:04"));
        // Rendering what was parsed gives the same body.
        let mut back = back;
        back.sha = d.sha.clone();
        assert_eq!(render(&back, Budget::default()), body);
    }

    #[test]
    fn the_previous_commit_line_round_trips_and_a_hand_edit_stays_one_line() {
        let mut d = Dashboard::new("abc1234", &default_stages());
        d.update_stage("ci", Status::Success, None, None);
        let mut prev = Dashboard::new("0123456", &default_stages());
        prev.update_stage("plan-platform", Status::Failure, None, None);
        d.previous = Some(crate::previous_line(&prev, Some("https://x/c/1")));
        let body = render(&d, Budget::default());
        let back = parse(&body, &default_stages()).unwrap();
        assert_eq!(back.previous, d.previous);
        assert_eq!(back.stages.len(), d.stages.len());
        let edited = body.replace(
            d.previous.as_deref().unwrap(),
            "| CI Validate | ❌ failure | - | - | <!-- hi -->",
        );
        let back = parse(&edited, &default_stages()).unwrap();
        assert_eq!(back.stage("ci").unwrap().status, Status::Success);
        assert!(!back.previous.unwrap().contains("<!--"));
    }

    #[test]
    fn hand_edited_rows_are_skipped_not_fatal() {
        let body = "<!-- infra-dashboard:abc1234 -->\n|-|\n| broken row\n| CI Validate | ✅ success | - | - |\n";
        let d = parse(body, &default_stages()).unwrap();
        assert_eq!(d.stages.len(), 1);
        assert_eq!(d.stages[0].key, "ci");
    }
}
