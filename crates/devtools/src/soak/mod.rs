//! `infra-ci-soak` (crates/devtools): randomized concurrent writers against an embedded emulator that injects
//! GitHub's faults, checking after each scenario the rules of `check.rs` (no failure without
//! a fault, no `Contended`, no lost or wrong or unexplained status, one visible dashboard,
//! nothing else touched), and over the run a bound on failed operations per fault rate.
//! See docs/reliability.md.
//!
//! Progress goes to stderr; the last line of stdout is one JSON object with the totals.
//! Exit 1 when any rule was broken in any scenario or the failed-operation bound was passed.

mod check;
mod engine;
mod harness;
mod scenario;
mod shown;

use std::collections::BTreeMap;
use std::io::Write as _;
use std::time::Instant;

use clap::Args;
use futures::StreamExt as _;
use serde::Serialize;

use self::harness::Outcome;
use self::scenario::Scenario;
use crate::error::SoakError;

/// Arguments of `infra-ci-soak`.
#[derive(Debug, Args)]
pub struct SoakArgs {
    /// How many randomized scenarios to run.
    #[arg(long, default_value_t = 200, value_name = "N")]
    pub scenarios: u64,
    /// Seed of the run; scenario i's seed is derived from it (printed on failure).
    #[arg(long, default_value_t = 1, value_name = "S")]
    pub seed: u64,
    /// Run only the scenario with this seed (as printed by a failing run).
    #[arg(long, value_name = "SEED", conflicts_with = "scenarios")]
    pub scenario_seed: Option<u64>,
    /// Fix the chance that any API request is faulted (0.0–1.0) instead of drawing
    /// endpoints and rates per scenario; stale reads are then off.
    #[arg(long, value_name = "P", value_parser = parse_rate)]
    pub fault_rate: Option<f64>,
    /// Scenarios run at once (each on its own emulator).
    #[arg(long, default_value_t = 8, value_name = "J")]
    pub jobs: usize,
    /// Keep the engine's and client's warnings (retries, duplicates) on stderr.
    #[arg(long)]
    pub show_warnings: bool,
}

/// An error message's first clause with numbers folded, so failures group by kind.
fn failure_kind(message: &str) -> String {
    let clause = message.split([':', '(']).next().unwrap_or(message).trim();
    let mut out = String::new();
    for c in clause.chars() {
        if c.is_ascii_digit() {
            if !out.ends_with('#') {
                out.push('#');
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// `a / b` rounded to two decimals (counts stay far below 2^52, so `f64` is exact enough).
#[allow(clippy::cast_precision_loss)]
fn ratio(a: u64, b: u64) -> f64 {
    (a as f64 / b as f64 * 100.0).round() / 100.0
}

fn parse_rate(s: &str) -> Result<f64, String> {
    let p: f64 = s.parse().map_err(|_| format!("{s:?} is not a number"))?;
    if (0.0..=1.0).contains(&p) {
        Ok(p)
    } else {
        Err(format!("{p} is not within 0.0–1.0"))
    }
}

/// The run's totals: the last line of stdout.
#[derive(Debug, Default, Serialize)]
struct Totals {
    scenarios: u64,
    writers: u64,
    operations: u64,
    faults: u64,
    /// Each must-hold rule of [`Verdict::broken`] by name, summed over the scenarios (one
    /// list of rules: a rule added there is counted and judged here).
    #[serde(flatten)]
    rules: BTreeMap<&'static str, u64>,
    requests: u64,
    requests_per_operation: f64,
    failed_writers: u64,
    failed_operations: u64,
    /// The most failed operations the run may have ([`allowed_failures`]).
    allowed_failed_operations: u64,
    unreconciled_after_failure: u64,
    earlier_dashboards: u64,
    earlier_minimized: u64,
    /// Failed operations by kind (the error's first clause, digits folded).
    failure_kinds: BTreeMap<String, u64>,
    fault_rate: Option<f64>,
    seed: u64,
    failing_seeds: Vec<u64>,
    /// Scenarios with a failed operation (allowed or not), to replay one.
    failed_operation_seeds: Vec<u64>,
    seconds: f64,
}

impl Totals {
    fn add(&mut self, seed: u64, o: &Outcome) {
        let v = &o.verdict;
        self.scenarios += 1;
        self.writers += o.writers;
        self.operations += o.ops;
        self.faults += o.faults;
        self.requests += o.requests;
        self.failed_writers += o.failed_writers;
        self.failed_operations += o.failed_ops;
        // Kept current, so that the progress lines judge the run so far by the same bound
        // as the end (they used to say "at most 0 allowed" until the last scenario).
        self.allowed_failed_operations = allowed_failures(self.fault_rate, self.operations);
        for (rule, n) in v.broken() {
            *self.rules.entry(rule).or_default() += n;
        }
        self.unreconciled_after_failure += v.unreconciled_after_failure;
        if let Some(m) = v.earlier_minimized {
            self.earlier_dashboards += 1;
            self.earlier_minimized += u64::from(m);
        }
        for e in &o.errors {
            *self.failure_kinds.entry(failure_kind(e)).or_default() += 1;
        }
        if v.failed() {
            self.failing_seeds.push(seed);
        }
        if o.failed_ops > 0 {
            self.failed_operation_seeds.push(seed);
        }
    }

    /// The broken rules, by name and count (empty when the run passed).
    fn broken(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .rules
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(name, n)| format!("{n} {name}"))
            .collect();
        if self.failed_operations > self.allowed_failed_operations {
            out.push(format!(
                "{} failed operations (at most {} allowed at this fault rate)",
                self.failed_operations, self.allowed_failed_operations
            ));
        }
        out
    }
}

/// The most failed operations a run of `operations` may have at a fault rate: each
/// request is tried 6 times, so one fails for good with chance about p^6 (6.4e-5 at the
/// random mode's highest rate, 20 %); an operation sends about 7 requests. The bound is
/// 0.1 % of operations plus 100·p^6 (so 0.1 % at 5 %, 0.74 % at 20 %, 1.66 % at 25 %), and
/// 0 when no fault is injected (then each failure also breaks `failed_without_faults`).
/// Random faults count as their highest rate, 20 %.
pub fn allowed_failures(fault_rate: Option<f64>, operations: u64) -> u64 {
    let p = fault_rate.unwrap_or(0.2);
    if p == 0.0 {
        return 0;
    }
    let fraction = 0.001 + 100.0 * p.powi(6);
    #[allow(
        clippy::cast_precision_loss,
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss
    )]
    let n = (operations as f64 * fraction).floor() as u64;
    n
}

/// Runs the soak.
pub async fn run(a: SoakArgs) -> Result<(), SoakError> {
    let started = Instant::now();
    let seeds: Vec<u64> = match a.scenario_seed {
        Some(s) => vec![s],
        None => (0..a.scenarios)
            .map(|i| Scenario::seed_of(a.seed, i))
            .collect(),
    };
    let total = seeds.len();
    let fault_rate = a.fault_rate;
    let quiet = !a.show_warnings;
    let mut runs = futures::stream::iter(seeds)
        .map(|seed| async move {
            let s = Scenario::generate(seed, fault_rate);
            (seed, harness::run(&s, quiet).await)
        })
        .buffer_unordered(a.jobs.max(1));
    let mut totals = Totals {
        fault_rate,
        seed: a.seed,
        ..Totals::default()
    };
    let mut done = 0usize;
    let mut err = std::io::stderr().lock();
    while let Some((seed, outcome)) = runs.next().await {
        done += 1;
        let o = outcome.map_err(|e| {
            SoakError::failed(format!(
                "scenario seed {seed}: {} (replay: --scenario-seed {seed})",
                e.message
            ))
        })?;
        totals.add(seed, &o);
        if o.verdict.failed() {
            let _ = writeln!(
                err,
                "FAIL scenario seed {seed} (replay: infra-ci-soak --scenario-seed {seed}):"
            );
            for p in &o.verdict.problems {
                let _ = writeln!(err, "  - {p}");
            }
            let _ = writeln!(
                err,
                "  faults: {}",
                serde_json::to_value(Scenario::generate(seed, fault_rate).faults)
                    .unwrap_or_default()
            );
            for e in o.errors.iter().take(3) {
                let _ = writeln!(err, "  - a writer failed: {e}");
            }
        }
        if o.failed_ops > 0 && !o.verdict.failed() {
            // Counted against the run's allowance, not a broken rule by itself: named so
            // that a run over its allowance can be replayed scenario by scenario.
            let _ = writeln!(
                err,
                "scenario seed {seed}: {} failed operation(s) (replay: infra-ci-soak --scenario-seed {seed})",
                o.failed_ops
            );
            for e in o.errors.iter().take(3) {
                let _ = writeln!(err, "  - a writer failed: {e}");
            }
        }
        if done.is_multiple_of(10) || done == total || o.verdict.failed() {
            let broken = totals.broken();
            let _ = writeln!(
                err,
                "soak: {done}/{total} scenarios, {} writers, {} faults injected, {} failed operations, broken: {} ({:.1}s)",
                totals.writers,
                totals.faults,
                totals.failed_operations,
                if broken.is_empty() {
                    "none".to_owned()
                } else {
                    broken.join(", ")
                },
                started.elapsed().as_secs_f64()
            );
        }
    }
    drop(err);
    totals.seconds = (started.elapsed().as_secs_f64() * 10.0).round() / 10.0;
    totals.requests_per_operation = if totals.operations == 0 {
        0.0
    } else {
        ratio(totals.requests, totals.operations)
    };
    totals.allowed_failed_operations = allowed_failures(fault_rate, totals.operations);
    let json = serde_json::to_string(&totals)
        .map_err(|e| SoakError::failed(format!("cannot print the totals: {e}")))?;
    println!("{json}");
    let broken = totals.broken();
    if !broken.is_empty() {
        return Err(SoakError::failed(format!(
            "the soak broke its rules: {}; failing scenario seeds: {:?} (replay one with --scenario-seed; the rules: docs/reliability.md)",
            broken.join(", "),
            totals.failing_seeds
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failure_kinds_fold_numbers_and_details() {
        assert_eq!(
            failure_kind(
                "GitHub did not answer PATCH /repos/acme/infra/issues/comments/1000026 after 6 attempts: 502"
            ),
            "GitHub did not answer PATCH /repos/acme/infra/issues/comments/# after # attempts"
        );
    }

    #[test]
    fn failed_operations_are_bounded_per_fault_rate() {
        assert_eq!(allowed_failures(Some(0.0), 10_000), 0);
        assert_eq!(allowed_failures(Some(0.05), 10_000), 10);
        assert_eq!(allowed_failures(Some(0.2), 10_000), 74);
        assert_eq!(allowed_failures(None, 10_000), 74);
        let mut t = Totals {
            operations: 10_000,
            failed_operations: 11,
            allowed_failed_operations: allowed_failures(Some(0.05), 10_000),
            ..Totals::default()
        };
        assert_eq!(
            t.broken(),
            ["11 failed operations (at most 10 allowed at this fault rate)"]
        );
        t.failed_operations = 10;
        assert!(t.broken().is_empty());
    }

    #[test]
    fn every_rule_of_the_verdict_is_summed_and_judged() {
        let mut t = Totals::default();
        let mut o = Outcome::default();
        o.verdict.lost_updates = 2;
        o.verdict.foreign_edits = 1;
        t.add(1, &o);
        t.add(2, &o);
        assert_eq!(
            t.rules.len(),
            o.verdict.broken().len(),
            "every rule is in the totals"
        );
        assert_eq!(t.broken(), ["2 foreign_edits", "4 lost_updates"]);
        let json = serde_json::to_value(&t).expect("the totals serialize");
        assert_eq!(
            json["lost_updates"], 4,
            "the JSON keeps one flat key per rule"
        );
        assert_eq!(json["contended"], 0);
    }

    #[test]
    fn rates_must_be_probabilities() {
        assert_eq!(parse_rate("0.05"), Ok(0.05));
        assert!(parse_rate("1.5").is_err());
        assert!(parse_rate("x").is_err());
    }
}
