//! Properties of rendering and parsing back, over arbitrary (and hostile) dashboards:
//! the round trip is stable, the size budget always holds, cells stay inert and no input
//! can forge one of our hidden marker lines.
#![allow(clippy::unwrap_used)]

use infra_ci_core::escape::escape_cell;
use infra_ci_core::render::{DETAILS_PREFIX, STATE_PREFIX};
use infra_ci_core::{
    Budget, COMMENT_LIMIT, Dashboard, MARKER_PREFIX, StageDef, StageState, Status, default_stages,
    parse, render,
};
use proptest::prelude::*;

/// Pieces hostile input is made of: table breaks, our own markers, HTML, Markdown, entities.
const HOSTILE: &[&str] = &[
    "|",
    "\n",
    "\r\n",
    "<",
    ">",
    "<!--",
    "-->",
    "<!-- infra-dashboard:abc1234 -->",
    "<!-- infra-dashboard-state:{\"ci\":999999} -->",
    "<!-- infra-dashboard-details:ci -->",
    "```",
    "````text",
    "&amp;",
    "&#124;",
    "&#86;iew",
    "View",
    "[x](javascript:y)",
    "@org/team",
    "`",
    "*",
    "_",
    "~",
    "#",
    "\\",
    "\u{200b}",
    "é",
    "⚙️",
    "\t",
    " ",
    "-",
    ":",
    "…",
];

fn hostile_text(max_parts: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            prop::sample::select(HOSTILE).prop_map(str::to_owned),
            "[a-zA-Z0-9 +~.-]{0,12}",
            any::<String>(),
        ],
        0..max_parts,
    )
    .prop_map(|parts| parts.concat())
}

fn status() -> impl Strategy<Value = Status> {
    prop::sample::select(Status::ALL.to_vec())
}

fn valid_key() -> impl Strategy<Value = String> {
    "[a-z0-9][a-z0-9._-]{0,20}"
}

fn link() -> impl Strategy<Value = Option<String>> {
    prop::option::of(prop_oneof![
        "https://github\\.com/[a-z]{1,8}/actions/runs/[0-9]{1,6}",
        "https?://[a-z]{1,6}/[()|a-z%]{0,10}",
        hostile_text(3),
    ])
}

fn time() -> impl Strategy<Value = Option<String>> {
    prop::option::of(prop_oneof![
        "20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]Z",
        "[0-2][0-9]:[0-5][0-9]",
        // Short junk only: see `malformed_times_render_safely` for what longer junk does.
        "[ -~]{0,15}",
    ])
}

/// A row: a configured stage, or an unknown one named by its key.
fn row(defs: Vec<StageDef>) -> impl Strategy<Value = StageState> {
    let key = prop_oneof![
        prop::sample::select(defs).prop_map(|d| (d.key, d.name)),
        valid_key().prop_map(|k| (k.clone(), k)),
    ];
    (
        key,
        status(),
        link(),
        prop::option::of(hostile_text(6)),
        time(),
        prop::option::of(hostile_text(8).prop_map(|t| t.replace('\r', ""))),
        prop::option::of(any::<u64>()),
    )
        .prop_map(
            |((key, name), status, link, output, updated_at, details, revision)| StageState {
                key,
                name,
                status,
                link,
                output,
                updated_at,
                details,
                revision,
            },
        )
}

fn sha() -> impl Strategy<Value = String> {
    "[0-9a-f]{7,40}"
}

/// Dashboards with unique keys (as the engine builds them) and few enough rows to not fold.
fn dashboard() -> impl Strategy<Value = Dashboard> {
    (sha(), prop::collection::vec(row(default_stages()), 0..14)).prop_map(|(sha, rows)| {
        let mut d = Dashboard::new(sha, &[]);
        for r in rows {
            if d.stage(&r.key).is_none() {
                d.stages.push(r);
            }
        }
        d
    })
}

/// The hidden lines a body may hold: the marker first, then at most one state line, and one
/// details marker per stage that has details, each naming a stage of the dashboard.
fn assert_no_forged_markers(body: &str, d: &Dashboard) {
    let mut lines = body.lines();
    assert!(lines.next().unwrap().starts_with(MARKER_PREFIX));
    let mut states = 0;
    for line in lines {
        if line.starts_with(STATE_PREFIX) {
            states += 1;
        } else if let Some(rest) = line.strip_prefix(DETAILS_PREFIX) {
            let key = rest.strip_suffix(" -->").unwrap();
            assert!(
                d.stages.iter().any(|s| s.key == key && s.details.is_some()),
                "forged details marker {line:?}"
            );
        } else {
            assert!(
                !line.contains("<!-- infra-dashboard"),
                "forged marker line {line:?}"
            );
        }
    }
    assert!(states <= 1, "{states} state lines");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Rendering what was parsed gives the same body: parsing loses nothing that shows.
    #[test]
    fn render_parse_render_is_stable(d in dashboard()) {
        let first = render(&d, Budget::default());
        let back = parse(&first, &default_stages()).unwrap();
        prop_assert_eq!(render(&back, Budget::default()), first);
    }

    /// A carriage return in a stage's details used to be written as is but dropped when parsed
    /// (`str::lines`), so such a dashboard re-rendered differently every time and each
    /// reconcile PATCHed it once more. Render now normalizes line endings.
    #[test]
    fn details_with_carriage_returns_round_trip(text in "[a-z]{0,4}\r\n[a-z<]{0,4}") {
        let mut d = Dashboard::new("abc1234", &default_stages());
        d.stages[0].details = Some(text);
        let first = render(&d, Budget::default());
        let back = parse(&first, &default_stages()).unwrap();
        prop_assert_eq!(render(&back, Budget::default()), first);
    }

    /// `time_cell` used to take bytes 11..16 of any `updated_at` with a `T` at byte 10
    /// unchecked: a multi-byte character there panicked, and a `|` landed raw in the Time
    /// cell. It now renders `-` for anything that is not `HH:MM`.
    #[test]
    fn malformed_times_render_safely(tail in "[é⚙|a-z]{1,6}") {
        let mut d = Dashboard::new("abc1234", &default_stages());
        d.stages[0].updated_at = Some(format!("2026-01-01T{tail}"));
        let body = render(&d, Budget::default());
        let row = body.lines().find(|l| l.starts_with("| CI Validate")).unwrap();
        prop_assert_eq!(row.matches('|').count(), 5);
    }
}

proptest! {
    // Rendering megabytes and thousands of rows is slow in a debug build: fewer cases.
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// The budget holds for any outputs, details and number of stages.
    #[test]
    fn the_budget_is_never_exceeded(
        sha in sha(),
        rows in prop::collection::vec(row(default_stages()), 0..60),
        blow_up in 0usize..2000,
        max_cell in 0usize..400,
        max_details in 0usize..40_000,
    ) {
        let mut d = Dashboard::new(sha, &[]);
        for (i, mut r) in rows.into_iter().enumerate() {
            // Repeat some texts to go far past the limit.
            if i % 3 == 0 {
                r.output = r.output.map(|o| o.repeat(blow_up));
                r.details = r.details.map(|t| t.repeat(blow_up * 4));
            }
            d.stages.push(r);
        }
        for budget in [Budget::default(), Budget { max_cell, max_details, ..Budget::default() }] {
            let body = render(&d, budget);
            let n = body.chars().count();
            prop_assert!(n <= budget.max_chars && n <= COMMENT_LIMIT, "{} chars", n);
        }
    }

    /// Thousands of stages fold instead of overflowing.
    #[test]
    fn many_stages_fold_within_the_budget(n in 0usize..3000, text in hostile_text(4)) {
        let mut d = Dashboard::new("abc1234", &[]);
        for i in 0..n {
            d.update_stage(&format!("s{i}"), Status::Success, Some(format!("https://x/{text}")), Some(text.repeat(20)));
        }
        let body = render(&d, Budget::default());
        prop_assert!(body.chars().count() <= Budget::default().max_chars);
    }

}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// A cell never carries a raw table break, line break or angle bracket.
    #[test]
    fn escaped_cells_are_inert(text in hostile_text(10)) {
        let cell = escape_cell(&text);
        for bad in ['|', '\n', '\r', '<', '>'] {
            prop_assert!(!cell.contains(bad), "{:?} in {:?}", bad, cell);
        }
    }

    /// In a rendered table, every row has exactly its four cells, and no input forges a
    /// hidden marker line.
    #[test]
    fn rendered_rows_keep_their_shape_and_markers_cannot_be_forged(d in dashboard()) {
        let body = render(&d, Budget::default());
        let rows: Vec<&str> = body
            .lines()
            .skip_while(|l| !l.starts_with("|--"))
            .skip(1)
            .take_while(|l| l.starts_with('|'))
            .collect();
        prop_assert_eq!(rows.len(), d.stages.len());
        for r in rows {
            prop_assert_eq!(r.matches('|').count(), 5, "{}", r);
        }
        assert_no_forged_markers(&body, &d);
    }

    /// Any text at all parses without panicking; what parses renders within the budget.
    #[test]
    fn arbitrary_bodies_parse_or_are_refused(body in hostile_text(20), sha in sha()) {
        let with_marker = format!("{}{} -->\n{body}", MARKER_PREFIX, &sha[..7]);
        for b in [body.as_str(), with_marker.as_str()] {
            if let Ok(d) = parse(b, &default_stages()) {
                prop_assert!(render(&d, Budget::default()).chars().count() <= Budget::default().max_chars);
            }
        }
    }
}
