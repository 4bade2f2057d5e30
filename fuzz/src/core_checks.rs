//! Checks over `infra_ci_core`: parse, render within budget, status line. Any failed check
//! panics (that is how libFuzzer learns of it). Included by path from
//! `crates/core/tests/it/fuzz_corpus_replay.rs`: keep it free of everything but core and std.

use infra_ci_core::render::{DETAILS_PREFIX, STATE_PREFIX};
use infra_ci_core::{
    Budget, COMMENT_LIMIT, Dashboard, MARKER_PREFIX, StageState, Status, default_stages, parse,
    render, status_line,
};

/// Rows of a folded dashboard differ after a round trip by design; below this they must not.
const ROUND_TRIP_MAX_ROWS: usize = 50;

/// Any bytes as a comment body: parsing never panics; what parses renders within the
/// budget, parses again, and (when small enough not to fold) renders the same again.
pub fn parse_dashboard(data: &[u8]) {
    let body = String::from_utf8_lossy(data);
    let Ok(d) = parse(&body, &default_stages()) else {
        return;
    };
    let first = render(&d, Budget::default());
    assert_within_budget(&first, Budget::default());
    let again = parse(&first, &default_stages()).expect("a rendered body parses");
    if d.stages.len() <= ROUND_TRIP_MAX_ROWS {
        assert_eq!(
            render(&again, Budget::default()),
            first,
            "round trip changed the body"
        );
    }
}

/// Bytes as a dashboard: the first byte scales the texts, the rest is split on `0xFF` into
/// (name, output, details, link) per row. Whatever comes out stays within the budget, keeps
/// four cells per table row, and holds no hidden line that is not ours.
pub fn render_budget(data: &[u8]) {
    let d = dashboard_from(data);
    for budget in [
        Budget::default(),
        Budget {
            max_cell: 16,
            max_details: 500,
            ..Budget::default()
        },
    ] {
        let body = render(&d, budget);
        assert_within_budget(&body, budget);
        assert_shape(&body, &d);
        assert_statuses(&body, &d);
    }
}

/// The status words in the order of `Status::ALL`, spelled out here so the property does
/// not take its expectation from the encoder's own helpers.
const WORDS: [&str; 6] = [
    "pending",
    "running",
    "success",
    "failure",
    "skipped",
    "cancelled",
];

/// Whitespace and control characters folded to single spaces, trimmed (written apart from
/// the product's `one_line`).
fn fold(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Bytes as a status and an output: the encoding is `word` or `word: output` with the
/// output folded to one line, within 140 characters, shortened with `…` only when it had to
/// be; it decodes to the same status and output. Decoding any text never panics, and what
/// decodes re-encodes to the same status.
pub fn status_line(data: &[u8]) {
    let (head, rest) = data.split_first().unwrap_or((&0, &[]));
    let i = usize::from(*head) % Status::ALL.len();
    let (status, word) = (Status::ALL[i], WORDS[i]);
    let text = String::from_utf8_lossy(rest);
    let encoded = status_line::encode(status, Some(&text));
    assert!(encoded.chars().count() <= status_line::DESCRIPTION_LIMIT);
    let folded = fold(&text);
    let room = status_line::DESCRIPTION_LIMIT - word.len() - 2;
    let (back, output) = status_line::decode(&encoded).expect("our own encoding decodes");
    assert_eq!(back, status);
    if folded.is_empty() {
        assert_eq!(encoded, word);
        assert_eq!(output, None);
    } else if folded.chars().count() <= room {
        assert_eq!(encoded, format!("{word}: {folded}"));
        assert_eq!(output.as_deref(), Some(folded.as_str()));
    } else {
        let out = output.expect("a shortened output is kept");
        let kept = out
            .strip_suffix('…')
            .expect("a shortened output ends with …");
        assert!(
            folded.starts_with(kept.trim_end()),
            "{kept:?} is not a prefix"
        );
        assert_eq!(encoded.chars().count(), status_line::DESCRIPTION_LIMIT);
    }
    if let Some((s, out)) = status_line::decode(&text) {
        let again = status_line::decode(&status_line::encode(s, out.as_deref()));
        assert_eq!(again.map(|a| a.0), Some(s));
    }
}

/// The dashboard [`render_budget`] draws from `data`.
pub fn dashboard_from(data: &[u8]) -> Dashboard {
    let (head, rest) = data.split_first().unwrap_or((&0, &[]));
    let repeat = 1 + usize::from(*head) * 8;
    let fields: Vec<String> = rest
        .split(|b| *b == 0xFF)
        .map(|f| String::from_utf8_lossy(&f[..f.len().min(256)]).into_owned())
        .collect();
    let mut d = Dashboard::new("abc1234def", &default_stages());
    for (i, row) in fields.chunks(4).enumerate() {
        let field = |n: usize| row.get(n).cloned();
        d.stages.push(StageState {
            key: format!("s{i}"),
            name: field(0).unwrap_or_default(),
            status: Status::ALL[i % Status::ALL.len()],
            link: field(3),
            output: field(1).map(|o| o.repeat(repeat)),
            updated_at: (i % 2 == 0).then(|| "2026-01-02T03:04:05Z".to_owned()),
            details: field(2).map(|t| t.repeat(repeat * 4)),
            revision: Some(i as u64),
        });
    }
    d
}

fn assert_within_budget(body: &str, budget: Budget) {
    let n = body.chars().count();
    assert!(
        n <= budget.max_chars && n <= COMMENT_LIMIT,
        "{n} characters"
    );
}

/// Row i of the table shows stage i's status word (the fold row excepted).
fn assert_statuses(body: &str, d: &Dashboard) {
    let rows = body
        .lines()
        .skip_while(|l| !l.starts_with("|--"))
        .skip(1)
        .take_while(|l| l.starts_with('|'));
    for (i, row) in rows.enumerate() {
        let cell = row.split('|').nth(2).unwrap_or("").trim();
        if cell.ends_with("more stages") {
            continue;
        }
        let word = WORDS[Status::ALL
            .iter()
            .position(|s| *s == d.stages[i].status)
            .expect("every status is in ALL")];
        assert!(
            cell.ends_with(&format!(" {word}")),
            "row {i} shows {cell:?}, not {word}"
        );
    }
}

/// Four cells per table row; hidden lines only where we put them.
fn assert_shape(body: &str, d: &Dashboard) {
    let mut lines = body.lines();
    assert!(lines.next().is_some_and(|l| l.starts_with(MARKER_PREFIX)));
    let mut in_table = false;
    for line in lines {
        if line.starts_with("|--") {
            in_table = true;
            continue;
        }
        if in_table && line.starts_with('|') {
            assert_eq!(line.matches('|').count(), 5, "row {line:?}");
            continue;
        }
        in_table = false;
        if line.starts_with(STATE_PREFIX) {
            continue;
        }
        if let Some(key) = line
            .strip_prefix(DETAILS_PREFIX)
            .and_then(|r| r.strip_suffix(" -->"))
        {
            assert!(
                d.stage(key).is_some(),
                "details marker for unknown stage {key:?}"
            );
            continue;
        }
        assert!(
            !line.contains("<!-- infra-dashboard"),
            "forged marker line {line:?}"
        );
    }
}
