//! `infra-ci soak`: randomized concurrent writers against an embedded emulator that injects
//! GitHub's faults, checking after each scenario that no update was lost, no duplicate
//! dashboard was left, and nothing that is not ours was touched. See docs/reliability.md.
//!
//! Progress goes to stderr; the last line of stdout is one JSON object with the totals.
//! Exit 1 when any lost update, duplicate (or missing) dashboard or foreign edit was found.

mod check;
mod harness;
mod scenario;

use std::collections::BTreeMap;
use std::io::Write as _;
use std::time::Instant;

use clap::Args;
use futures::StreamExt as _;
use serde::Serialize;

use self::harness::Outcome;
use self::scenario::Scenario;
use crate::exit::CliError;

/// Arguments of `infra-ci soak`.
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
    lost_updates: u64,
    duplicate_dashboards: u64,
    missing_dashboards: u64,
    foreign_edits: u64,
    requests: u64,
    requests_per_operation: f64,
    failed_writers: u64,
    failed_operations: u64,
    unreconciled_after_failure: u64,
    earlier_dashboards: u64,
    earlier_minimized: u64,
    /// Failed operations by kind (the error's first clause, digits folded).
    failure_kinds: BTreeMap<String, u64>,
    fault_rate: Option<f64>,
    seed: u64,
    failing_seeds: Vec<u64>,
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
        self.lost_updates += v.lost_updates;
        self.duplicate_dashboards += v.duplicate_dashboards;
        self.missing_dashboards += v.missing_dashboards;
        self.foreign_edits += v.foreign_edits;
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
    }

    fn failed(&self) -> bool {
        self.lost_updates + self.duplicate_dashboards + self.missing_dashboards + self.foreign_edits
            > 0
    }
}

/// Runs the soak.
pub async fn run(a: SoakArgs) -> Result<(), CliError> {
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
            CliError::failed(format!(
                "scenario seed {seed}: {} (replay: --scenario-seed {seed})",
                e.message
            ))
        })?;
        totals.add(seed, &o);
        if o.verdict.failed() {
            let _ = writeln!(
                err,
                "FAIL scenario seed {seed} (replay: infra-ci soak --scenario-seed {seed}):"
            );
            for p in &o.verdict.problems {
                let _ = writeln!(err, "  - {p}");
            }
            let _ = writeln!(
                err,
                "  faults: {}",
                Scenario::generate(seed, fault_rate).faults
            );
            for e in o.errors.iter().take(3) {
                let _ = writeln!(err, "  - a writer failed: {e}");
            }
        }
        if done.is_multiple_of(10) || done == total || o.verdict.failed() {
            let _ = writeln!(
                err,
                "soak: {done}/{total} scenarios, {} writers, {} faults injected, {} lost, {} duplicate, {} foreign edits, {} failed writers ({:.1}s)",
                totals.writers,
                totals.faults,
                totals.lost_updates,
                totals.duplicate_dashboards,
                totals.foreign_edits,
                totals.failed_writers,
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
    let json = serde_json::to_string(&totals)
        .map_err(|e| CliError::failed(format!("cannot print the totals: {e}")))?;
    println!("{json}");
    if totals.failed() {
        return Err(CliError::failed(format!(
            "the soak found {} lost updates, {} duplicate and {} missing dashboards, {} foreign edits; failing scenario seeds: {:?}",
            totals.lost_updates,
            totals.duplicate_dashboards,
            totals.missing_dashboards,
            totals.foreign_edits,
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
    fn rates_must_be_probabilities() {
        assert_eq!(parse_rate("0.05"), Ok(0.05));
        assert!(parse_rate("1.5").is_err());
        assert!(parse_rate("x").is_err());
    }
}
