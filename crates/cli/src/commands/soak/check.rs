//! The invariants checked after a scenario, over the emulator's `/_emulator/state` dump.
//! Pure, so the checker itself is tested against hand-made states that break each rule.
//!
//! - exactly one dashboard of ours for the commit (none when no operation succeeded);
//! - no lost update: for every `update` that succeeded, the dashboard's row for its stage
//!   shows a status GitHub accepted for that stage, at least as new as the op's own;
//! - nothing that is not ours changed (body, edits, deletion, minimized flag).

use std::collections::BTreeMap;

use infra_ci_core::escape::safe_link;
use infra_ci_core::marker::is_dashboard_of;
use infra_ci_core::{Status, default_stages, parse, status_line};
use serde_json::Value;

use super::scenario::Op;

/// How one operation ended.
#[derive(Debug, Clone)]
pub struct OpResult {
    pub writer: usize,
    pub op: Op,
    /// `None` when it succeeded; else the error it returned.
    pub error: Option<String>,
}

/// What the checks found in one scenario.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verdict {
    pub lost_updates: u64,
    pub duplicate_dashboards: u64,
    pub missing_dashboards: u64,
    pub foreign_edits: u64,
    /// Newest statuses of stages whose writer failed and that no later writer reconciled:
    /// allowed (the statuses hold them; `infra-ci sync` shows them), but counted.
    pub unreconciled_after_failure: u64,
    /// Whether the earlier commit's dashboard ended minimized (`None`: there was none).
    pub earlier_minimized: Option<bool>,
    /// One line per broken rule, for the failure report.
    pub problems: Vec<String>,
}

impl Verdict {
    /// True when a rule that must hold was broken.
    pub fn failed(&self) -> bool {
        self.lost_updates + self.duplicate_dashboards + self.missing_dashboards + self.foreign_edits
            > 0
    }
}

/// One accepted status of a stage.
#[derive(Debug, Clone)]
struct Accepted {
    id: u64,
    status: Option<(Status, Option<String>)>,
    link: Option<String>,
}

/// The comments not authored by `bot`, as compared before and after (by id).
pub fn foreign_snapshot(state: &Value, bot: &str) -> BTreeMap<u64, Value> {
    comments(state)
        .filter(|c| c["user"].as_str() != Some(bot))
        .filter_map(|c| {
            let id = c["id"].as_u64()?;
            let keep = serde_json::json!({
                "body": c["body"], "updated_at": c["updated_at"], "edits": c["edits"],
                "minimized": c["minimized"], "deleted": c["deleted"],
            });
            Some((id, keep))
        })
        .collect()
}

fn comments(state: &Value) -> impl Iterator<Item = &Value> {
    state["comments"].as_array().into_iter().flatten()
}

/// Runs every check.
pub fn check(
    state: &Value,
    sha: &str,
    bot: &str,
    results: &[OpResult],
    foreign_before: &BTreeMap<u64, Value>,
    earlier: Option<u64>,
) -> Verdict {
    let mut v = Verdict::default();
    let mut ours: Vec<&Value> = comments(state)
        .filter(|c| c["user"].as_str() == Some(bot) && c["deleted"] != Value::Bool(true))
        .filter(|c| is_dashboard_of(c["body"].as_str().unwrap_or(""), sha))
        .collect();
    ours.sort_by_key(|c| c["id"].as_u64());
    if ours.len() > 1 {
        v.duplicate_dashboards = (ours.len() - 1) as u64;
        v.problems
            .push(format!("{} dashboards of ours", ours.len()));
    }
    let any_ok = results.iter().any(|r| r.error.is_none());
    if ours.is_empty() && any_ok {
        v.missing_dashboards = 1;
        v.problems
            .push("no dashboard although an operation succeeded".into());
    }
    let accepted = accepted_statuses(state, sha);
    if let Some(comment) = ours.first() {
        rows(
            &mut v,
            comment["body"].as_str().unwrap_or(""),
            &accepted,
            results,
        );
    }
    foreign(&mut v, &foreign_snapshot(state, bot), foreign_before);
    v.earlier_minimized = earlier.map(|id| {
        comments(state)
            .find(|c| c["id"].as_u64() == Some(id))
            .is_some_and(|c| !c["minimized"].is_null())
    });
    v
}

/// Accepted statuses of our stage contexts on `sha`, per stage key, oldest first.
fn accepted_statuses(state: &Value, sha: &str) -> BTreeMap<String, Vec<Accepted>> {
    let mut by_stage: BTreeMap<String, Vec<Accepted>> = BTreeMap::new();
    let statuses = state["repos"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|r| r["statuses"].as_array().into_iter().flatten());
    for s in statuses.filter(|s| s["sha"].as_str() == Some(sha)) {
        let Some(key) = s["context"]
            .as_str()
            .and_then(|c| c.strip_prefix(infra_ci_engine::STAGE_CONTEXT_PREFIX))
        else {
            continue;
        };
        let Some(id) = s["id"].as_u64() else { continue };
        by_stage.entry(key.to_owned()).or_default().push(Accepted {
            id,
            status: status_line::decode(s["description"].as_str().unwrap_or("")),
            link: s["target_url"].as_str().and_then(safe_link),
        });
    }
    for list in by_stage.values_mut() {
        list.sort_by_key(|a| a.id);
    }
    by_stage
}

/// The per-row checks: each successful update is covered, rows show accepted statuses.
fn rows(
    v: &mut Verdict,
    body: &str,
    accepted: &BTreeMap<String, Vec<Accepted>>,
    results: &[OpResult],
) {
    let Ok(shown) = parse(body, &default_stages()) else {
        v.lost_updates += 1;
        v.problems.push("the dashboard does not parse".into());
        return;
    };
    let revision = |key: &str| shown.stage(key).and_then(|r| r.revision);
    let mut ok_ids = Vec::new();
    for r in results.iter().filter(|r| r.error.is_none()) {
        let Op::Update { stage, output, .. } = &r.op else {
            continue;
        };
        let want = status_line::decode(&status_line::encode(Status::Pending, Some(output)))
            .and_then(|(_, o)| o);
        let own = accepted
            .get(stage)
            .into_iter()
            .flatten()
            .filter(|a| a.status.as_ref().is_some_and(|(_, o)| *o == want))
            .map(|a| a.id)
            .max();
        ok_ids.extend(own);
        match (own, revision(stage)) {
            (None, _) => {
                v.lost_updates += 1;
                v.problems.push(format!(
                    "writer {} succeeded but GitHub holds no status for {stage} {output:?}",
                    r.writer
                ));
            }
            (Some(id), Some(shown_rev)) if shown_rev >= id => {}
            (Some(id), shown_rev) => {
                v.lost_updates += 1;
                v.problems.push(format!(
                    "lost update: writer {} posted {stage} as status {id}, the dashboard shows revision {shown_rev:?}",
                    r.writer
                ));
            }
        }
    }
    for row in &shown.stages {
        let Some(rev) = row.revision else { continue };
        let found = accepted
            .get(&row.key)
            .and_then(|l| l.iter().find(|a| a.id == rev));
        let matches = found.is_some_and(|a| {
            a.status.as_ref() == Some(&(row.status, row.output.clone())) && a.link == row.link
        });
        if !matches {
            v.lost_updates += 1;
            v.problems.push(format!(
                "row {} shows revision {rev} ({} {:?}) which is not what GitHub accepted",
                row.key, row.status, row.output
            ));
        }
    }
    for (key, list) in accepted {
        let Some(newest) = list.last() else { continue };
        // A newest status of a successful op that is not shown was counted as lost above.
        if revision(key).is_none_or(|r| r < newest.id) && !ok_ids.contains(&newest.id) {
            v.unreconciled_after_failure += 1;
        }
    }
}

fn foreign(v: &mut Verdict, after: &BTreeMap<u64, Value>, before: &BTreeMap<u64, Value>) {
    for (id, was) in before {
        if after.get(id) != Some(was) {
            v.foreign_edits += 1;
            v.problems.push(format!(
                "foreign comment {id} changed: {was} -> {:?}",
                after.get(id)
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use infra_ci_core::{Budget, Dashboard, render};
    use serde_json::json;

    use super::*;

    const SHA: &str = "abc1234000000000000000000000000000000000";
    const BOT: &str = "github-actions[bot]";

    fn update(stage: &str, output: &str) -> Op {
        Op::Update {
            stage: stage.into(),
            status: Status::Success,
            output: output.into(),
            link: None,
        }
    }

    fn ok(op: Op) -> OpResult {
        OpResult {
            writer: 0,
            op,
            error: None,
        }
    }

    fn status(id: u64, stage: &str, output: &str) -> Value {
        json!({"id": id, "sha": SHA, "context": format!("infra-dashboard/{stage}"),
               "description": status_line::encode(Status::Success, Some(output)), "target_url": null})
    }

    fn dashboard(rows: &[(&str, &str, u64)]) -> String {
        let mut d = Dashboard::new(SHA, &default_stages());
        for (stage, output, rev) in rows {
            d.update_stage(stage, Status::Success, None, Some((*output).into()));
            if let Some(r) = d.stages.iter_mut().find(|r| r.key == *stage) {
                r.revision = Some(*rev);
            }
        }
        render(&d, Budget::default())
    }

    #[allow(clippy::needless_pass_by_value)] // vec![] at the call sites reads best
    fn state(comments: Vec<Value>, statuses: Vec<Value>) -> Value {
        json!({"comments": comments, "repos": [{"statuses": statuses}]})
    }

    fn comment(id: u64, user: &str, body: &str) -> Value {
        json!({"id": id, "user": user, "body": body, "updated_at": "t", "edits": 0, "minimized": null, "deleted": false})
    }

    #[test]
    fn a_covered_update_passes() {
        let s = state(
            vec![comment(1, BOT, &dashboard(&[("ci", "w0.0 x", 5)]))],
            vec![status(5, "ci", "w0.0 x")],
        );
        let v = check(
            &s,
            SHA,
            BOT,
            &[ok(update("ci", "w0.0 x"))],
            &BTreeMap::new(),
            None,
        );
        assert!(!v.failed(), "{:?}", v.problems);
    }

    #[test]
    fn an_overwritten_update_is_lost() {
        let s = state(
            vec![comment(1, BOT, &dashboard(&[("ci", "w0.0 x", 5)]))],
            vec![status(5, "ci", "w0.0 x"), status(6, "apply", "w1.0 y")],
        );
        let results = [ok(update("ci", "w0.0 x")), ok(update("apply", "w1.0 y"))];
        let v = check(&s, SHA, BOT, &results, &BTreeMap::new(), None);
        assert_eq!(v.lost_updates, 1, "{:?}", v.problems);
    }

    #[test]
    fn a_failed_writer_is_not_a_lost_update() {
        let s = state(
            vec![comment(1, BOT, &dashboard(&[("ci", "w0.0 x", 5)]))],
            vec![status(5, "ci", "w0.0 x"), status(6, "apply", "w1.0 y")],
        );
        let mut failed = ok(update("apply", "w1.0 y"));
        failed.error = Some("503".into());
        let v = check(
            &s,
            SHA,
            BOT,
            &[ok(update("ci", "w0.0 x")), failed],
            &BTreeMap::new(),
            None,
        );
        assert!(!v.failed(), "{:?}", v.problems);
        assert_eq!(v.unreconciled_after_failure, 1);
    }

    #[test]
    fn duplicates_and_foreign_edits_fail() {
        let body = dashboard(&[]);
        let before = foreign_snapshot(&state(vec![comment(9, "alice", "fake")], vec![]), BOT);
        let mut edited = comment(9, "alice", "fake");
        edited["edits"] = json!(1);
        let s = state(
            vec![comment(1, BOT, &body), comment(2, BOT, &body), edited],
            vec![],
        );
        let v = check(&s, SHA, BOT, &[ok(Op::Init)], &before, None);
        assert_eq!((v.duplicate_dashboards, v.foreign_edits), (1, 1));
    }

    #[test]
    fn a_row_with_an_unaccepted_revision_fails() {
        let s = state(
            vec![comment(1, BOT, &dashboard(&[("ci", "forged", 5)]))],
            vec![status(5, "ci", "w0.0 x")],
        );
        let v = check(&s, SHA, BOT, &[], &BTreeMap::new(), None);
        assert_eq!(v.lost_updates, 1);
    }

    #[test]
    fn a_missing_dashboard_fails_only_when_something_succeeded() {
        let s = state(vec![], vec![]);
        assert!(check(&s, SHA, BOT, &[ok(Op::Init)], &BTreeMap::new(), None).failed());
        let mut failed = ok(Op::Init);
        failed.error = Some("x".into());
        assert!(!check(&s, SHA, BOT, &[failed], &BTreeMap::new(), None).failed());
    }
}
