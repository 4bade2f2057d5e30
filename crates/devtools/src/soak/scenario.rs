//! One randomized soak scenario, drawn from a seed: the writers and their operations, and
//! the faults the emulator injects while they run. Pure: the same seed gives the same plan.

use infra_ci_core::{Status, default_stages};
use infra_ci_emulator::admin::{FaultConfig, FaultKind, Rule};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom as _;
use rand::{Rng as _, SeedableRng as _};

/// Endpoints (method, path glob as the emulator matches it) a fault may be put on.
pub const ENDPOINTS: &[(&str, &str)] = &[
    ("POST", "/repos/*/*/issues/*/comments"),
    ("GET", "/repos/*/*/issues/*/comments"),
    ("GET", "/repos/*/*/issues/comments/*"),
    ("PATCH", "/repos/*/*/issues/comments/*"),
    ("DELETE", "/repos/*/*/issues/comments/*"),
    ("POST", "/repos/*/*/statuses/*"),
    ("GET", "/repos/*/*/commits/*/status"),
    ("POST", "/graphql"),
    ("GET", "/user"),
];

/// Fault kinds a rule may draw (the order is part of a seed's draws).
pub const KINDS: &[FaultKind] = &[
    FaultKind::Http500,
    FaultKind::Http502,
    FaultKind::Http503,
    FaultKind::Secondary403,
    FaultKind::Secondary429,
    FaultKind::Reset,
    FaultKind::LostResponse,
];

/// Outputs that try to break the table, hide markup or notify people; each op prefixes its
/// own id so every status it posts can be told apart.
const HOSTILE: &[&str] = &[
    "+2 ~1 -0",
    "a | b",
    "<!-- infra-dashboard:0000000 -->",
    "[x](javascript:alert(1))",
    "@acme/platform `rm -rf` *bold* _it_",
    "line1\nline2",
    "View",
    "no changes: ok",
];

/// The most concurrent writers in a scenario.
pub const MAX_WRITERS: usize = 32;
/// The longest stale-read window, in milliseconds.
pub const MAX_STALE_MS: u64 = 300;

/// What one writer does, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// `infra-ci init`.
    Init,
    /// `infra-ci update`; `output` is unique to this op within its scenario.
    Update {
        stage: String,
        status: Status,
        output: String,
        link: Option<String>,
        /// A job pair's result, reported as a run's leg (`Dashboards::update_in_run`: the
        /// read follows the status, and the render is left to a later result when the read
        /// shows one, ADR 0012).
        leg: bool,
    },
    /// `infra-ci update --result-follows`: a `pending` or `running` posted alone, no render
    /// (ADR 0010); the same writer's next op is that stage's result, a full update.
    Post {
        stage: String,
        status: Status,
        output: String,
        link: Option<String>,
    },
}

/// What an [`Op::Update`] or an [`Op::Post`] writes to its stage.
#[derive(Debug, Clone, Copy)]
pub struct StageWrite<'a> {
    pub stage: &'a str,
    pub status: Status,
    pub output: &'a str,
    pub link: Option<&'a str>,
}

impl Op {
    /// The stage write of an update or a post; `None` for `init`.
    pub fn stage_write(&self) -> Option<StageWrite<'_>> {
        match self {
            Op::Init => None,
            Op::Update {
                stage,
                status,
                output,
                link,
                ..
            }
            | Op::Post {
                stage,
                status,
                output,
                link,
            } => Some(StageWrite {
                stage,
                status: *status,
                output,
                link: link.as_deref(),
            }),
        }
    }
}

/// A scenario's plan.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The seed it was drawn from (printed on failure; `--scenario-seed` replays it).
    pub seed: u64,
    /// One list of operations per writer.
    pub writers: Vec<Vec<Op>>,
    /// The emulator's faults (rules and stale reads).
    pub faults: FaultConfig,
    /// Whether the PR already has a dashboard of an earlier commit (it should be minimized).
    pub earlier_dashboard: bool,
}

impl Scenario {
    /// Draws scenario number `index` of a run seeded with `run_seed`.
    pub fn seed_of(run_seed: u64, index: u64) -> u64 {
        // SplitMix64 of (seed, index): neighbouring runs and indices give unrelated seeds.
        let mut z = run_seed
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .wrapping_add(index.wrapping_add(1).wrapping_mul(0xBF58_476D_1CE4_E5B9));
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// The scenario of `seed`. `fault_rate` fixes the chance that any request is faulted;
    /// otherwise each scenario draws its own endpoints and rates (0–20 %).
    pub fn generate(seed: u64, fault_rate: Option<f64>) -> Self {
        let mut rng = StdRng::seed_from_u64(seed);
        let n = rng.random_range(2..=MAX_WRITERS);
        let writers: Vec<Vec<Op>> = (0..n)
            .map(|w| {
                let ops = rng.random_range(1..=3);
                (0..ops).map(|k| op(&mut rng, w, k)).collect()
            })
            .collect();
        // Jobs whose running is posted alone, drawn from their own stream so that every
        // other draw of a seed stays what it was before ADR 0010.
        let mut jobs = StdRng::seed_from_u64(seed ^ 0xAD_0010);
        let writers = writers
            .into_iter()
            .map(|ops| alone(&mut jobs, ops))
            .collect();
        let faults = match fault_rate {
            Some(p) => fixed_faults(&mut rng, seed, p),
            None => random_faults(&mut rng, seed),
        };
        Self {
            seed,
            writers,
            faults,
            earlier_dashboard: rng.random_bool(0.25),
        }
    }

    /// Every operation, with its writer.
    #[cfg(test)]
    pub fn ops(&self) -> impl Iterator<Item = (usize, &Op)> {
        self.writers
            .iter()
            .enumerate()
            .flat_map(|(w, ops)| ops.iter().map(move |o| (w, o)))
    }
}

/// Turns half of a writer's `pending`/`running` updates into a job's pair: the status
/// posted alone, then the stage's result (a full update, its own output).
fn alone(rng: &mut StdRng, ops: Vec<Op>) -> Vec<Op> {
    let mut out = Vec::with_capacity(ops.len() * 2);
    for op in ops {
        match op {
            Op::Update {
                stage,
                status,
                output,
                link,
                ..
            } if !status.is_terminal() && rng.random_bool(0.5) => {
                let result = [
                    Status::Success,
                    Status::Failure,
                    Status::Skipped,
                    Status::Cancelled,
                ]
                .choose(rng)
                .copied()
                .unwrap_or(Status::Success);
                let done = format!("{}r result", output.split(' ').next().unwrap_or("w"));
                out.push(Op::Post {
                    stage: stage.clone(),
                    status,
                    output,
                    link: link.clone(),
                });
                out.push(Op::Update {
                    stage,
                    status: result,
                    output: done,
                    link,
                    leg: true,
                });
            }
            other => out.push(other),
        }
    }
    out
}

fn op(rng: &mut StdRng, writer: usize, k: usize) -> Op {
    if rng.random_bool(0.2) {
        return Op::Init;
    }
    let stages = default_stages();
    let stage = if rng.random_bool(0.05) {
        "custom-stage".to_owned()
    } else {
        stages
            .choose(rng)
            .map_or_else(|| "ci".to_owned(), |s| s.key.clone())
    };
    let status = *Status::ALL.choose(rng).unwrap_or(&Status::Running);
    let hostile = HOSTILE.choose(rng).copied().unwrap_or("");
    let link = rng.random_bool(0.7).then(|| {
        format!(
            "https://github.com/acme/infra/actions/runs/{}",
            1000 + writer
        )
    });
    Op::Update {
        stage,
        status,
        output: format!("w{writer}.{k} {hostile}"),
        link,
        leg: false,
    }
}

/// Random endpoints, kinds and rates, and sometimes stale reads.
fn random_faults(rng: &mut StdRng, seed: u64) -> FaultConfig {
    let mut rules = Vec::new();
    if rng.random_bool(0.85) {
        for (method, path) in ENDPOINTS {
            if rng.random_bool(0.5) {
                let rate = rng.random_range(0.0..=0.2);
                rules.push(rule(rng, method, path, rate));
            }
        }
    }
    let stale_ms = if rng.random_bool(0.4) {
        rng.random_range(20..=MAX_STALE_MS)
    } else {
        0
    };
    FaultConfig {
        seed,
        rules,
        stale_ms,
    }
}

/// Every endpoint faulted with probability `p` overall, the kind drawn per endpoint.
fn fixed_faults(rng: &mut StdRng, seed: u64, p: f64) -> FaultConfig {
    let rules: Vec<Rule> = if p > 0.0 {
        ENDPOINTS
            .iter()
            .map(|(method, path)| rule(rng, method, path, p.clamp(0.0, 1.0)))
            .collect()
    } else {
        Vec::new()
    };
    FaultConfig::new(seed, rules)
}

fn rule(rng: &mut StdRng, method: &str, path: &str, rate: f64) -> Rule {
    let kind = KINDS.choose(rng).copied().unwrap_or(FaultKind::Http502);
    // Small Retry-After so the soak stays fast; mostly 0, sometimes a real second.
    let retry_after = u64::from(rng.random_bool(0.1));
    Rule {
        retry_after: Some(retry_after),
        ..Rule::new(kind).on(method, path).rate(rate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_scenario() {
        let a = Scenario::generate(42, None);
        let b = Scenario::generate(42, None);
        assert_eq!(a.writers, b.writers);
        assert_eq!(a.faults, b.faults);
        assert!((2..=MAX_WRITERS).contains(&a.writers.len()));
    }

    #[test]
    fn outputs_are_unique_within_a_scenario() {
        for seed in 0..50 {
            let s = Scenario::generate(Scenario::seed_of(7, seed), None);
            let mut outputs: Vec<&str> = s
                .ops()
                .filter_map(|(_, o)| match o {
                    Op::Update { output, .. } | Op::Post { output, .. } => Some(output.as_str()),
                    Op::Init => None,
                })
                .collect();
            let n = outputs.len();
            outputs.sort_unstable();
            outputs.dedup();
            assert_eq!(outputs.len(), n);
        }
    }

    #[test]
    fn a_fixed_rate_faults_every_endpoint_at_that_rate() {
        let s = Scenario::generate(1, Some(0.05));
        assert_eq!(s.faults.rules.len(), ENDPOINTS.len());
        assert!(s.faults.rules.iter().all(|r| (r.rate - 0.05).abs() < 1e-9));
        let none = Scenario::generate(1, Some(0.0));
        assert_eq!(none.faults.rules.len(), 0);
    }

    #[test]
    fn scenario_seeds_differ() {
        assert_ne!(Scenario::seed_of(1, 0), Scenario::seed_of(1, 1));
        assert_ne!(Scenario::seed_of(1, 0), Scenario::seed_of(2, 0));
    }
}
