//! The rules checked after a scenario, over the emulator's `/_emulator/state` dump. Pure,
//! so each rule is unit-tested against a hand-made state that breaks it; the harness's
//! tests also plant defects in the engine and run them against the emulator.
//!
//! The comment is read with the soak's own reader (`shown.rs`), not the product's parser.
//! "Ours" means authored by the bot's identity; a dashboard must also be on this PR and
//! carry this commit's marker on its first line. The rules (each a counter in [`Verdict`]):
//!
//! - `failed_without_faults`: no operation may fail in a scenario where no fault was injected;
//! - `contended`: no operation may give up with `Contended`;
//! - `duplicate_dashboards` / `missing_dashboards` / `minimized_dashboards`: exactly one
//!   current dashboard of ours, not minimized (none only when no operation succeeded);
//! - `lost_updates`: every `update` that succeeded has its status accepted, and the row of
//!   its stage shows a revision at least as new; every row that names a revision shows
//!   exactly that accepted status (word, output, link);
//! - `wrong_statuses`: every accepted status of an operation carries the word, output and
//!   link the operation asked for;
//! - `unexplained_statuses`: every accepted stage status of ours matches some operation;
//! - `unshown_statuses`: an accepted status older than a later successful writer's own
//!   status is shown (that writer read it and must have reconciled it);
//! - `foreign_edits`: no comment other than the current dashboard changed, except that the
//!   earlier commit's dashboard may be minimized and marked outdated; no other comment is
//!   left behind.
//!
//! Counted but allowed: `unreconciled_after_failure`, an accepted status of a failed
//! operation that no later successful writer covered (the statuses hold it; `sync` shows it).

use std::collections::BTreeMap;

use serde_json::Value;

use super::scenario::Op;
use super::shown::{self, Shown};

/// How one operation ended.
#[derive(Debug, Clone)]
pub struct OpResult {
    pub writer: usize,
    pub op: Op,
    /// `None` when it succeeded; else the error it returned.
    pub error: Option<String>,
    /// Whether the error was the engine giving up on a contended comment.
    pub contended: bool,
}

/// What the checker is told besides the state.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    pub sha: &'a str,
    pub pr: u64,
    pub bot: &'a str,
    /// Every comment before the writers started ([`snapshot`]).
    pub before: &'a BTreeMap<u64, Value>,
    /// The earlier commit's dashboard, when the scenario made one.
    pub earlier: Option<u64>,
    /// Faults the emulator injected while the writers ran.
    pub faults_injected: u64,
}

/// What the checks found in one scenario.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verdict {
    pub failed_without_faults: u64,
    pub contended: u64,
    pub lost_updates: u64,
    pub duplicate_dashboards: u64,
    pub missing_dashboards: u64,
    pub minimized_dashboards: u64,
    pub wrong_statuses: u64,
    pub unexplained_statuses: u64,
    pub unshown_statuses: u64,
    pub foreign_edits: u64,
    /// Allowed, counted: see the module doc.
    pub unreconciled_after_failure: u64,
    /// Whether the earlier commit's dashboard ended minimized (`None`: there was none).
    pub earlier_minimized: Option<bool>,
    /// One line per broken rule, for the failure report.
    pub problems: Vec<String>,
}

impl Verdict {
    /// The counters of rules that must hold, by name.
    pub fn broken(&self) -> [(&'static str, u64); 10] {
        [
            ("failed_without_faults", self.failed_without_faults),
            ("contended", self.contended),
            ("lost_updates", self.lost_updates),
            ("duplicate_dashboards", self.duplicate_dashboards),
            ("missing_dashboards", self.missing_dashboards),
            ("minimized_dashboards", self.minimized_dashboards),
            ("wrong_statuses", self.wrong_statuses),
            ("unexplained_statuses", self.unexplained_statuses),
            ("unshown_statuses", self.unshown_statuses),
            ("foreign_edits", self.foreign_edits),
        ]
    }

    /// True when a rule that must hold was broken.
    pub fn failed(&self) -> bool {
        self.broken().iter().any(|(_, n)| *n > 0)
    }

    fn flag(&mut self, counter: fn(&mut Self) -> &mut u64, problem: String) {
        *counter(self) += 1;
        self.problems.push(problem);
    }
}

/// Every comment (ours included), by id, with what an edit would change.
pub fn snapshot(state: &Value) -> BTreeMap<u64, Value> {
    comments(state)
        .filter_map(|c| {
            let id = c["id"].as_u64()?;
            let keep = serde_json::json!({
                "user": c["user"], "issue_number": c["issue_number"], "body": c["body"],
                "updated_at": c["updated_at"], "edits": c["edits"],
                "minimized": c["minimized"], "deleted": c["deleted"],
            });
            Some((id, keep))
        })
        .collect()
}

fn comments(state: &Value) -> impl Iterator<Item = &Value> {
    state["comments"].as_array().into_iter().flatten()
}

/// One accepted stage status of ours.
#[derive(Debug, Clone)]
struct Accepted {
    id: u64,
    stage: String,
    word: String,
    output: Option<String>,
    link: Option<String>,
}

/// What an update asked for, as GitHub should hold it.
struct Asked<'a> {
    index: usize,
    stage: &'a str,
    word: &'static str,
    output: String,
    link: Option<&'a str>,
    /// Posted alone (no render of its own): not judged by the lost-update rule; like any
    /// status, it must be shown once a later successful writer's status is (the
    /// unshown-statuses rule), and its own result follows it.
    alone: bool,
}

fn asked(results: &[OpResult]) -> Vec<Asked<'_>> {
    results
        .iter()
        .enumerate()
        .filter_map(|(index, r)| {
            let w = r.op.stage_write()?;
            Some(Asked {
                index,
                stage: w.stage,
                word: shown::word(w.status),
                output: shown::fold(w.output),
                link: w.link,
                alone: matches!(r.op, Op::Post { .. }),
            })
        })
        .collect()
}

/// Runs every rule.
pub fn check(state: &Value, f: &Facts<'_>, results: &[OpResult]) -> Verdict {
    let mut v = Verdict::default();
    operations(&mut v, f, results);
    let current = dashboards(&mut v, state, f, results);
    let accepted = accepted_statuses(state, f);
    let asked = asked(results);
    // Which accepted statuses each update owns (matched by stage and its unique output).
    let mut own: BTreeMap<usize, Vec<&Accepted>> = BTreeMap::new();
    for a in &accepted {
        match asked
            .iter()
            .find(|q| q.stage == a.stage && a.output.as_deref() == Some(q.output.as_str()))
        {
            Some(q) => {
                if a.word != q.word || a.link.as_deref() != q.link {
                    v.flag(
                        |v| &mut v.wrong_statuses,
                        format!(
                            "status {} of {} is {} {:?} {:?}, but writer {} asked for {} {:?}",
                            a.id,
                            a.stage,
                            a.word,
                            a.output,
                            a.link,
                            results[q.index].writer,
                            q.word,
                            q.link
                        ),
                    );
                }
                own.entry(q.index).or_default().push(a);
            }
            None => v.flag(
                |v| &mut v.unexplained_statuses,
                format!(
                    "status {} of {} ({} {:?}) matches no operation",
                    a.id, a.stage, a.word, a.output
                ),
            ),
        }
    }
    let shown = current.and_then(|body| match shown::read(body) {
        Ok(s) => Some(s),
        Err(e) => {
            v.flag(
                |v| &mut v.lost_updates,
                format!("the dashboard does not read: {e}"),
            );
            None
        }
    });
    // A revision counts only for a row the table shows.
    let shown_revisions: BTreeMap<String, u64> = shown
        .as_ref()
        .map(|s| {
            s.rows
                .iter()
                .filter_map(|r| {
                    let key = key_of(&r.label);
                    Some((key.clone(), *s.revisions.get(&key)?))
                })
                .collect()
        })
        .unwrap_or_default();
    let revision = |stage: &str| shown_revisions.get(stage).copied();
    // Every successful update is accepted and shown at least as new.
    let mut latest_ok = None;
    for q in asked
        .iter()
        .filter(|q| results[q.index].error.is_none() && !q.alone)
    {
        let writer = results[q.index].writer;
        let Some(id) = own.get(&q.index).and_then(|l| l.iter().map(|a| a.id).max()) else {
            v.flag(
                |v| &mut v.lost_updates,
                format!(
                    "writer {writer} succeeded but GitHub holds no status for {} {:?}",
                    q.stage, q.output
                ),
            );
            continue;
        };
        latest_ok = latest_ok.max(Some(id));
        if revision(q.stage).is_none_or(|r| r < id) && shown.is_some() {
            v.flag(|v| &mut v.lost_updates, format!(
                "lost update: writer {writer} posted {} as status {id}, the dashboard shows revision {:?}",
                q.stage, revision(q.stage)
            ));
        }
    }
    if let Some(s) = &shown {
        rows(&mut v, s, &accepted);
    }
    // Older than a later successful writer's own status: that writer read it.
    let alone: Vec<usize> = asked.iter().filter(|q| q.alone).map(|q| q.index).collect();
    let owned_by_ok: Vec<u64> = own
        .iter()
        .filter(|(i, _)| results[**i].error.is_none() && !alone.contains(i))
        .flat_map(|(_, l)| l.iter().map(|a| a.id))
        .collect();
    for a in &accepted {
        if revision(&a.stage).is_some_and(|r| r >= a.id) || owned_by_ok.contains(&a.id) {
            continue; // shown, or already judged as a successful update's own status
        }
        if latest_ok.is_some_and(|l| l > a.id) {
            v.flag(|v| &mut v.unshown_statuses, format!(
                "status {} of {} is older than a later successful writer's status {latest_ok:?} and not shown (revision {:?})",
                a.id, a.stage, revision(&a.stage)
            ));
        } else {
            v.unreconciled_after_failure += 1;
        }
    }
    edits(&mut v, state, f);
    v.earlier_minimized = f.earlier.map(|id| {
        comments(state)
            .find(|c| c["id"].as_u64() == Some(id))
            .is_some_and(|c| !c["minimized"].is_null())
    });
    v
}

/// No failure without a fault; never `Contended`.
fn operations(v: &mut Verdict, f: &Facts<'_>, results: &[OpResult]) {
    for r in results {
        let Some(e) = &r.error else { continue };
        if r.contended {
            v.flag(
                |v| &mut v.contended,
                format!("writer {} gave up: {e}", r.writer),
            );
        }
        if f.faults_injected == 0 {
            v.flag(
                |v| &mut v.failed_without_faults,
                format!(
                    "writer {} failed although no fault was injected: {e}",
                    r.writer
                ),
            );
        }
    }
}

/// Exactly one current dashboard, not minimized; returns its body.
fn dashboards<'s>(
    v: &mut Verdict,
    state: &'s Value,
    f: &Facts<'_>,
    results: &[OpResult],
) -> Option<&'s str> {
    let marker = shown::marker_line(f.sha);
    let mut ours: Vec<&Value> = comments(state)
        .filter(|c| c["user"].as_str() == Some(f.bot) && c["deleted"] != Value::Bool(true))
        .filter(|c| c["issue_number"].as_u64() == Some(f.pr))
        .filter(|c| c["body"].as_str().and_then(|b| b.lines().next()) == Some(marker.as_str()))
        .collect();
    ours.sort_by_key(|c| c["id"].as_u64());
    if ours.len() > 1 {
        v.duplicate_dashboards = (ours.len() - 1) as u64;
        v.problems
            .push(format!("{} dashboards of ours", ours.len()));
    }
    let Some(current) = ours.first() else {
        if results.iter().any(|r| r.error.is_none()) {
            v.flag(
                |v| &mut v.missing_dashboards,
                "no dashboard although an operation succeeded".into(),
            );
        }
        return None;
    };
    if !current["minimized"].is_null() {
        v.flag(
            |v| &mut v.minimized_dashboards,
            format!(
                "the current dashboard {} is minimized ({})",
                current["id"], current["minimized"]
            ),
        );
    }
    current["body"].as_str()
}

/// Our accepted stage statuses on the commit, oldest first.
fn accepted_statuses(state: &Value, f: &Facts<'_>) -> Vec<Accepted> {
    let mut out: Vec<Accepted> = state["repos"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|r| r["statuses"].as_array().into_iter().flatten())
        .filter(|s| s["sha"].as_str() == Some(f.sha) && s["creator"].as_str() == Some(f.bot))
        .filter_map(|s| {
            let stage = s["context"].as_str()?.strip_prefix("infra-dashboard/")?;
            let (word, output) = shown::description(s["description"].as_str().unwrap_or(""));
            Some(Accepted {
                id: s["id"].as_u64()?,
                stage: stage.to_owned(),
                word,
                output,
                link: s["target_url"].as_str().map(str::to_owned),
            })
        })
        .collect();
    out.sort_by_key(|a| a.id);
    out
}

/// The stage key of a row's label (the configured stages' names; a custom stage's label is
/// its key).
fn key_of(label: &str) -> String {
    infra_ci_core::default_stages()
        .into_iter()
        .find(|d| d.name == label)
        .map_or_else(|| label.to_owned(), |d| d.key)
}

/// Every row that names a revision shows exactly that accepted status.
fn rows(v: &mut Verdict, s: &Shown, accepted: &[Accepted]) {
    for row in &s.rows {
        let key = key_of(&row.label);
        let key = key.as_str();
        let Some(rev) = s.revisions.get(key) else {
            continue;
        };
        let found = accepted.iter().find(|a| a.id == *rev && a.stage == key);
        let same = found
            .is_some_and(|a| a.word == row.word && a.output == row.output && a.link == row.link);
        if !same {
            v.flag(|v| &mut v.lost_updates, format!(
                "row {key} shows revision {rev} ({} {:?} {:?}), which is not what GitHub accepted ({found:?})",
                row.word, row.output, row.link
            ));
        }
    }
}

/// No comment but the current dashboard changed, and none is left behind.
fn edits(v: &mut Verdict, state: &Value, f: &Facts<'_>) {
    let after = snapshot(state);
    let marker = shown::marker_line(f.sha);
    for (id, was) in f.before {
        let now = after.get(id);
        let allowed =
            now == Some(was) || (Some(*id) == f.earlier && now.is_some_and(|n| outdated(was, n)));
        if !allowed {
            v.flag(
                |v| &mut v.foreign_edits,
                format!("comment {id} changed: {was} -> {now:?}"),
            );
        }
    }
    for (id, now) in after.iter().filter(|(id, _)| !f.before.contains_key(id)) {
        let deleted = now["deleted"] == Value::Bool(true);
        let dashboard = now["user"].as_str() == Some(f.bot)
            && now["issue_number"].as_u64() == Some(f.pr)
            && now["body"].as_str().and_then(|b| b.lines().next()) == Some(marker.as_str());
        if !deleted && !dashboard {
            v.flag(
                |v| &mut v.foreign_edits,
                format!("comment {id} was left behind: {now}"),
            );
        }
    }
}

/// The earlier dashboard, minimized and marked: the same but for the mark and the flag.
fn outdated(was: &Value, now: &Value) -> bool {
    let (Some(before), Some(after)) = (was["body"].as_str(), now["body"].as_str()) else {
        return false;
    };
    let body_ok = after == before
        || after
            == format!(
                "{}\n<!-- infra-dashboard-outdated -->\n",
                before.trim_end_matches('\n')
            );
    body_ok
        && now["deleted"] == was["deleted"]
        && now["user"] == was["user"]
        && now["issue_number"] == was["issue_number"]
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::fmt::Write as _;

    use infra_ci_core::Status;
    use serde_json::json;

    use super::*;

    const SHA: &str = "abc1234000000000000000000000000000000000";
    const BOT: &str = "github-actions[bot]";
    const LINK: &str = "https://github.com/acme/infra/actions/runs/1000";

    fn update(writer: usize, stage: &str, output: &str) -> OpResult {
        OpResult {
            writer,
            op: Op::Update {
                stage: stage.into(),
                status: Status::Success,
                output: output.into(),
                link: Some(LINK.into()),
                leg: false,
            },
            error: None,
            contended: false,
        }
    }

    fn failed(mut r: OpResult, contended: bool) -> OpResult {
        r.error = Some("planted".into());
        r.contended = contended;
        r
    }

    fn status(id: u64, stage: &str, description: &str) -> Value {
        json!({"id": id, "sha": SHA, "context": format!("infra-dashboard/{stage}"),
               "description": description, "target_url": LINK, "creator": BOT})
    }

    /// A dashboard written out by hand: rows of (label, word, output cell), revisions.
    fn body(rows: &[(&str, &str, &str)], revisions: &str) -> String {
        let mut b = String::from(
            "<!-- infra-dashboard:abc1234 -->\n## ⚙️ Commit Dashboard `abc1234`\n\n| Stage | Status | Output | Time |\n|-------|--------|--------|------|\n",
        );
        for (label, word, cell) in rows {
            let _ = writeln!(b, "| {label} | ✅ {word} | {cell} | - |");
        }
        let _ = write!(
            b,
            "<!-- infra-dashboard-state:{revisions} -->\n\n<sub>footer</sub>\n"
        );
        b
    }

    fn comment(id: u64, user: &str, text: &str) -> Value {
        json!({"id": id, "user": user, "issue_number": 7, "body": text, "updated_at": "t",
               "edits": 0, "minimized": null, "deleted": false})
    }

    fn state(comments: &[Value], statuses: &[Value]) -> Value {
        json!({"comments": comments, "repos": [{"statuses": statuses}]})
    }

    fn run(s: &Value, before: &BTreeMap<u64, Value>, faults: u64, results: &[OpResult]) -> Verdict {
        let f = Facts {
            sha: SHA,
            pr: 7,
            bot: BOT,
            before,
            earlier: None,
            faults_injected: faults,
        };
        check(s, &f, results)
    }

    fn ci_row(output: &str) -> (&'static str, &'static str, String) {
        ("CI Validate", "success", format!("[{output}]({LINK})"))
    }

    fn good() -> Value {
        let (l, w, c) = ci_row("w0.0 x");
        state(
            &[comment(1, BOT, &body(&[(l, w, &c)], r#"{"ci":5}"#))],
            &[status(5, "ci", "success: w0.0 x")],
        )
    }

    fn only(v: &Verdict, rule: &str) {
        let broken: Vec<_> = v.broken().into_iter().filter(|(_, n)| *n > 0).collect();
        assert_eq!(broken.len(), 1, "{broken:?} {:?}", v.problems);
        assert_eq!(broken[0].0, rule, "{:?}", v.problems);
    }

    #[test]
    fn a_covered_update_passes() {
        let v = run(&good(), &BTreeMap::new(), 0, &[update(0, "ci", "w0.0 x")]);
        assert!(!v.failed(), "{:?}", v.problems);
    }

    #[test]
    fn a_failure_without_faults_fails_and_with_faults_is_allowed() {
        let ops = [
            update(0, "ci", "w0.0 x"),
            failed(update(1, "apply", "w1.0 y"), false),
        ];
        only(
            &run(&good(), &BTreeMap::new(), 0, &ops),
            "failed_without_faults",
        );
        assert!(!run(&good(), &BTreeMap::new(), 3, &ops).failed());
    }

    #[test]
    fn contended_fails_even_under_faults() {
        let ops = [
            update(0, "ci", "w0.0 x"),
            failed(update(1, "apply", "w1.0 y"), true),
        ];
        only(&run(&good(), &BTreeMap::new(), 3, &ops), "contended");
    }

    #[test]
    fn a_status_not_shown_is_a_lost_update() {
        let mut s = good();
        s["repos"][0]["statuses"]
            .as_array_mut()
            .unwrap()
            .push(status(6, "apply", "success: w1.0 y"));
        let ops = [update(0, "ci", "w0.0 x"), update(1, "apply", "w1.0 y")];
        let v = run(&s, &BTreeMap::new(), 0, &ops);
        only(&v, "lost_updates");
    }

    #[test]
    fn a_row_that_is_not_what_github_accepted_is_lost() {
        let (l, w, c) = ci_row("w0.0 forged");
        let s = state(
            &[comment(1, BOT, &body(&[(l, w, &c)], r#"{"ci":5}"#))],
            &[status(5, "ci", "success: w0.0 x")],
        );
        only(
            &run(&s, &BTreeMap::new(), 0, &[update(0, "ci", "w0.0 x")]),
            "lost_updates",
        );
    }

    #[test]
    fn a_wrong_word_or_link_fails() {
        let (l, _, c) = ci_row("w0.0 x");
        let s = state(
            &[comment(1, BOT, &body(&[(l, "failure", &c)], r#"{"ci":5}"#))],
            &[status(5, "ci", "failure: w0.0 x")],
        );
        only(
            &run(&s, &BTreeMap::new(), 0, &[update(0, "ci", "w0.0 x")]),
            "wrong_statuses",
        );
        let mut s = good();
        s["repos"][0]["statuses"][0]["target_url"] = json!("https://example.com/other");
        let v = run(&s, &BTreeMap::new(), 0, &[update(0, "ci", "w0.0 x")]);
        assert_eq!(v.wrong_statuses, 1, "{:?}", v.problems);
    }

    #[test]
    fn statuses_by_someone_else_are_ignored() {
        let mut s = good();
        let mut foreign = status(4, "apply", "success: forged");
        foreign["creator"] = json!("mallory");
        s["repos"][0]["statuses"]
            .as_array_mut()
            .unwrap()
            .push(foreign);
        let v = run(&s, &BTreeMap::new(), 0, &[update(0, "ci", "w0.0 x")]);
        assert!(!v.failed(), "{:?}", v.problems);
        assert_eq!(v.unreconciled_after_failure, 0);
    }

    #[test]
    fn an_unexplained_status_fails() {
        let mut s = good();
        s["repos"][0]["statuses"]
            .as_array_mut()
            .unwrap()
            .push(status(9, "e2e", "success: stray"));
        only(
            &run(&s, &BTreeMap::new(), 0, &[update(0, "ci", "w0.0 x")]),
            "unexplained_statuses",
        );
    }

    #[test]
    fn an_older_status_a_later_writer_read_must_be_shown() {
        let mut s = good();
        s["repos"][0]["statuses"]
            .as_array_mut()
            .unwrap()
            .push(status(4, "apply", "success: w1.0 y"));
        let ops = [
            update(0, "ci", "w0.0 x"),
            failed(update(1, "apply", "w1.0 y"), false),
        ];
        only(&run(&s, &BTreeMap::new(), 2, &ops), "unshown_statuses");
        // Newer than every successful writer's own status: allowed, counted.
        s["repos"][0]["statuses"][1]["id"] = json!(6);
        let v = run(&s, &BTreeMap::new(), 2, &ops);
        assert!(!v.failed(), "{:?}", v.problems);
        assert_eq!(v.unreconciled_after_failure, 1);
    }

    #[test]
    fn missing_minimized_and_duplicate_dashboards_fail() {
        let ops = [update(0, "ci", "w0.0 x")];
        let s = state(&[], &[status(5, "ci", "success: w0.0 x")]);
        let v = run(&s, &BTreeMap::new(), 0, &ops);
        assert_eq!(v.missing_dashboards, 1, "{:?}", v.problems);
        let mut s = good();
        s["comments"][0]["minimized"] = json!("OUTDATED");
        only(&run(&s, &BTreeMap::new(), 0, &ops), "minimized_dashboards");
        let mut s = good();
        let copy = comment(2, BOT, s["comments"][0]["body"].as_str().unwrap());
        s["comments"].as_array_mut().unwrap().push(copy);
        only(&run(&s, &BTreeMap::new(), 0, &ops), "duplicate_dashboards");
    }

    #[test]
    fn a_dashboard_on_another_pr_or_by_someone_else_is_not_ours() {
        let ops = [update(0, "ci", "w0.0 x")];
        let mut s = good();
        s["comments"][0]["issue_number"] = json!(8);
        assert_eq!(run(&s, &BTreeMap::new(), 0, &ops).missing_dashboards, 1);
        let mut s = good();
        s["comments"][0]["user"] = json!("mallory");
        assert_eq!(run(&s, &BTreeMap::new(), 0, &ops).missing_dashboards, 1);
    }

    #[test]
    fn edits_outside_the_dashboard_fail_and_the_earlier_one_may_be_marked() {
        let ops = [update(0, "ci", "w0.0 x")];
        let earlier = comment(2, BOT, "<!-- infra-dashboard:0ld0000 -->\nrows\n");
        let foreign = comment(3, "mallory", "fake");
        let mut s = good();
        s["comments"]
            .as_array_mut()
            .unwrap()
            .extend([earlier.clone(), foreign]);
        let before = snapshot(&s);
        let f = |s: &Value, earlier: Option<u64>| {
            check(
                s,
                &Facts {
                    sha: SHA,
                    pr: 7,
                    bot: BOT,
                    before: &before,
                    earlier,
                    faults_injected: 0,
                },
                &ops,
            )
        };
        assert!(!f(&s, Some(2)).failed());
        let mut marked = s.clone();
        marked["comments"][1]["body"] =
            json!("<!-- infra-dashboard:0ld0000 -->\nrows\n<!-- infra-dashboard-outdated -->\n");
        marked["comments"][1]["minimized"] = json!("OUTDATED");
        assert!(
            !f(&marked, Some(2)).failed(),
            "{:?}",
            f(&marked, Some(2)).problems
        );
        only(&f(&marked, None), "foreign_edits");
        let mut tampered = s.clone();
        tampered["comments"][1]["body"] = json!("<!-- infra-dashboard:0ld0000 -->\nother\n");
        only(&f(&tampered, Some(2)), "foreign_edits");
        let mut edited = s.clone();
        edited["comments"][2]["edits"] = json!(1);
        only(&f(&edited, Some(2)), "foreign_edits");
        let mut litter = s.clone();
        litter["comments"]
            .as_array_mut()
            .unwrap()
            .push(comment(4, BOT, "planted"));
        only(&f(&litter, Some(2)), "foreign_edits");
        let mut deleted = comment(4, BOT, "planted");
        deleted["deleted"] = json!(true);
        let mut cleaned = s;
        cleaned["comments"].as_array_mut().unwrap().push(deleted);
        assert!(!f(&cleaned, Some(2)).failed());
    }
}
