//! What a person sees: the dashboard written by the binary, then the pull request's page
//! fetched from the emulator's web view (GFM and GitHub's sanitizer) and parsed as HTML.
//! Every hostile output the raw-text tests use must still give one table, one row of four
//! cells per stage, the text the tool printed, no element the output tried to inject, and
//! collapsed details.

use infra_ci_core::escape::one_line;
use reqwest::Method;
use scraper::{ElementRef, Html, Selector};
use serde_json::json;

use crate::support::{BOT_TOKEN, Gh, REPO, ok, sha};

/// The default stages' keys and names, in the dashboard's order.
const STAGES: &[(&str, &str)] = &[
    ("ci", "CI Validate"),
    ("plan-bootstrap", "Plan: bootstrap"),
    ("plan-platform", "Plan: platform"),
    ("plan-data-staging", "Plan: data-staging"),
    ("plan-data-prod", "Plan: data-prod"),
    ("apply", "Apply"),
    ("e2e", "E2E Tests"),
    ("review", "AI Review"),
];

/// Outputs that try to break the table, inject markup or links, forge markers or notify
/// people: the soak's, the pieces of the core's property tests, and the issue's examples.
const HOSTILE: &[&str] = &[
    "+2 ~1 -0",
    "a | b",
    "a \\| b &#124; c",
    "<!-- infra-dashboard:0000000 -->",
    "<!-- infra-dashboard-state:{\"ci\":999999} --> <!--",
    "[x](javascript:alert(1))",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<a href=\"javascript:alert(1)\">click</a>",
    "<details open><summary>pwned</summary>x</details>",
    "<iframe src=\"https://evil.example\"></iframe>",
    "<style>table{display:none}</style>",
    "@acme/platform `rm -rf` *bold* _it_ ~~s~~",
    "line1\nline2\r\nline3\tend",
    "```text\nfenced\n```",
    "View",
    "&amp; &lt;b&gt; &#86;iew",
    "⚠️ 1 to destroy",
    "| --- | --- |",
    "<table><tr><td>x</td></tr></table>",
    "\\",
    "# heading",
    "- list item",
    "> quote",
];

fn select(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

/// The text of an element, whitespace folded as a browser shows it.
fn text(e: ElementRef<'_>) -> String {
    one_line(&e.text().collect::<String>())
}

/// The pull request's page as the emulator serves it.
fn page(gh: &Gh, pr: u64) -> Html {
    let res = reqwest::blocking::get(format!("{}/{REPO}/pull/{pr}", gh.base)).unwrap();
    assert_eq!(res.status(), 200);
    let ct = res.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(ct.starts_with("text/html"), "{ct}");
    Html::parse_document(&res.text().unwrap())
}

/// The rendered body of our dashboard comment on that page.
fn dashboard<'a>(doc: &'a Html, gh: &Gh, pr: u64) -> ElementRef<'a> {
    let id = gh.dashboards(pr)[0]["id"].as_u64().unwrap();
    let sel = select(&format!("#issuecomment-{id} .markdown-body"));
    let found: Vec<_> = doc.select(&sel).collect();
    assert_eq!(found.len(), 1, "one rendered dashboard");
    found[0]
}

/// Nothing the outputs tried to inject is live: no scripts, frames, styles, images, forms,
/// event handlers; every link is one of ours.
fn assert_inert(body: ElementRef<'_>, links: &[String]) {
    for tag in [
        "script", "iframe", "style", "img", "input", "form", "object", "embed", "svg",
    ] {
        assert_eq!(body.select(&select(tag)).count(), 0, "a live <{tag}>");
    }
    for e in body.descendants().filter_map(ElementRef::wrap) {
        for (name, value) in e.value().attrs() {
            assert!(!name.starts_with("on"), "handler {name}={value}");
            assert_ne!(name, "style", "style={value}");
        }
    }
    for a in body.select(&select("a")) {
        let href = a.value().attr("href").unwrap_or_default().to_owned();
        assert!(links.contains(&href), "a link nobody asked for: {href}");
    }
}

/// One table, a header of four cells and one row of four per stage, in order; returns the
/// output cells' text by stage key.
fn assert_one_table(body: ElementRef<'_>) -> Vec<(String, String)> {
    let tables: Vec<_> = body.select(&select("table")).collect();
    assert_eq!(tables.len(), 1, "exactly one table");
    let t = tables[0];
    let head: Vec<String> = t.select(&select("thead th")).map(text).collect();
    assert_eq!(head, ["Stage", "Status", "Output", "Time"]);
    let rows: Vec<_> = t.select(&select("tbody tr")).collect();
    assert_eq!(rows.len(), STAGES.len(), "one row per stage");
    rows.iter()
        .zip(STAGES)
        .map(|(row, (key, name))| {
            let cells: Vec<String> = row.select(&select("td")).map(text).collect();
            assert_eq!(cells.len(), 4, "four cells in {key}'s row: {cells:?}");
            assert_eq!(cells[0], *name);
            ((*key).to_owned(), cells[2].clone())
        })
        .collect()
}

fn assert_collapsed(body: ElementRef<'_>) {
    for d in body.select(&select("details")) {
        assert!(d.value().attr("open").is_none(), "an open <details>");
        assert_eq!(d.select(&select("summary")).count(), 1);
    }
}

#[test]
fn every_hostile_output_renders_as_one_inert_table() {
    let gh = Gh::start();
    for (seed, chunk) in (40u32..).zip(HOSTILE.chunks(STAGES.len())) {
        let pr = u64::from(seed);
        gh.pull(pr, &sha(seed));
        let mut links = Vec::new();
        let pr_arg = pr.to_string();
        for (n, (output, (key, _))) in chunk.iter().zip(STAGES).enumerate() {
            let link = format!("https://github.com/acme/infra/actions/runs/{pr}{n}");
            let output_arg = format!("--output={output}");
            let mut args = vec![
                "update",
                "--pr",
                pr_arg.as_str(),
                "--stage",
                key,
                "--status",
                "failure",
                // `=`: an output may start with `-`.
                output_arg.as_str(),
            ];
            if n % 2 == 0 {
                args.extend(["--link", link.as_str()]);
                links.push(link.clone());
            }
            ok(&gh.run(&args));
        }
        let doc = page(&gh, pr);
        let body = dashboard(&doc, &gh, pr);
        let cells = assert_one_table(body);
        for (output, (key, cell)) in chunk.iter().zip(&cells) {
            assert_eq!(cell, &one_line(output), "{key}'s output cell");
        }
        assert_inert(body, &links);
        assert_collapsed(body);
        // The hidden marker is an HTML comment: the heading comes first, the marker nowhere.
        let first = body.children().find_map(ElementRef::wrap).unwrap();
        assert_eq!(first.value().name(), "h2");
        assert!(
            text(first).starts_with("⚙️ Commit Dashboard"),
            "{}",
            text(first)
        );
        let shown = text(body);
        let hostile_markers = chunk
            .iter()
            .filter(|o| o.contains("infra-dashboard"))
            .count();
        assert_eq!(
            shown.matches("<!-- infra-dashboard").count(),
            hostile_markers
        );
    }
}

/// A megabyte of output full of table breaks and comment openers: the row shows the first
/// line, the rest sits in one collapsed section whose text is preformatted, not markup.
#[test]
fn a_huge_output_is_one_row_and_one_collapsed_section() {
    let gh = Gh::start();
    gh.pull(50, &sha(50));
    let mut text_in = String::from("Plan: 3 to add, 0 to change, 0 to destroy.\n");
    while text_in.len() < 1_000_000 {
        text_in.push_str("  + resource \"x\" { a = \"|<!-- --><script>alert(1)</script>\" }\n");
    }
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), &text_in).unwrap();
    ok(&gh.run(&[
        "update",
        "--pr",
        "50",
        "--stage",
        "plan-platform",
        "--status",
        "success",
        "--output-file",
        file.path().to_str().unwrap(),
    ]));
    let doc = page(&gh, 50);
    let body = dashboard(&doc, &gh, 50);
    let cells = assert_one_table(body);
    assert_eq!(cells[2].1, "Plan: 3 to add, 0 to change, 0 to destroy.");
    assert_inert(body, &[]);
    assert_collapsed(body);
    let details: Vec<_> = body.select(&select("details")).collect();
    assert_eq!(details.len(), 1, "one details section");
    assert_eq!(
        text(details[0].select(&select("summary")).next().unwrap()),
        "Plan: platform — details"
    );
    let pre = details[0].select(&select("pre code")).next().unwrap();
    let shown: String = pre.text().collect();
    // The core's budget gives one stage's details up to 30,000 characters.
    assert!(shown.len() > 20_000, "{} bytes shown", shown.len());
    assert!(shown.contains("<script>alert(1)</script>"), "shown as text");
}

/// A comment minimized through the GraphQL API is collapsed behind GitHub's notice.
#[test]
fn a_minimized_comment_is_collapsed() {
    let gh = Gh::start();
    gh.pull(51, &sha(51));
    let (s, c) = gh.api(
        Method::POST,
        BOT_TOKEN,
        &format!("/repos/{REPO}/issues/51/comments"),
        Some(json!({"body": "**old** news"})),
    );
    assert_eq!(s, 201);
    let query = format!(
        "mutation {{ minimizeComment(input: {{subjectId: \"{}\", classifier: OUTDATED}}) {{ minimizedComment {{ isMinimized }} }} }}",
        c["node_id"].as_str().unwrap()
    );
    let (s, v) = gh.api(
        Method::POST,
        BOT_TOKEN,
        "/graphql",
        Some(json!({ "query": query })),
    );
    assert_eq!(s, 200, "{v}");
    let doc = page(&gh, 51);
    let sel = select(&format!(
        "#issuecomment-{} details.minimized",
        c["id"].as_u64().unwrap()
    ));
    let d = doc.select(&sel).next().expect("a collapsed comment");
    assert!(d.value().attr("open").is_none());
    assert_eq!(
        text(d.select(&select("summary")).next().unwrap()),
        "This comment was marked as outdated."
    );
    assert_eq!(text(d.select(&select("strong")).next().unwrap()), "old");
}
