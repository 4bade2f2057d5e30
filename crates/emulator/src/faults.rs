//! Fault injection: per-endpoint error rates, secondary rate limits, connection resets,
//! lost responses and stale reads, all drawn from one seeded RNG so a run is reproducible
//! for a given sequence of requests.

use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng as _};
use serde::{Deserialize, Serialize};

/// What `POST /_emulator/faults` accepts (and `GET` returns).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultConfig {
    /// Seed of the RNG every draw uses.
    #[serde(default)]
    pub seed: u64,
    /// Checked in order; the first rule that matches and fires wins.
    #[serde(default)]
    pub rules: Vec<Rule>,
    /// When > 0, list reads (comments, statuses, combined status) answer the state as of a
    /// random instant up to this many milliseconds ago.
    #[serde(default)]
    pub stale_ms: u64,
}

impl FaultConfig {
    /// `rules` drawn from an RNG seeded with `seed`, no stale reads.
    pub fn new(seed: u64, rules: Vec<Rule>) -> Self {
        Self {
            seed,
            rules,
            stale_ms: 0,
        }
    }
}

/// One injection rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// HTTP method, or `*` (default) for any.
    #[serde(default = "any")]
    pub method: String,
    /// Path glob: `*` matches one segment, `**` any number; default `**`.
    #[serde(default = "any_path")]
    pub path: String,
    /// Probability in [0, 1] that a matching request gets the fault; default 1.
    #[serde(default = "always")]
    pub rate: f64,
    /// The fault to inject.
    pub kind: FaultKind,
    /// Fire at most this many times (then the rule is spent); default unlimited.
    #[serde(default)]
    pub times: Option<u32>,
    /// `Retry-After` seconds for secondary rate limits; default 60.
    #[serde(default)]
    pub retry_after: Option<u64>,
}

impl Rule {
    /// `kind` on every request, every time (then narrow it with [`Rule::on`], [`Rule::times`]).
    pub fn new(kind: FaultKind) -> Self {
        Self {
            method: any(),
            path: any_path(),
            rate: always(),
            kind,
            times: None,
            retry_after: None,
        }
    }

    /// The same, on `method` (or `*`) and the path glob `path` only.
    #[must_use]
    pub fn on(mut self, method: &str, path: &str) -> Self {
        method.clone_into(&mut self.method);
        path.clone_into(&mut self.path);
        self
    }

    /// The same, firing at most `times` times.
    #[must_use]
    pub fn times(mut self, times: u32) -> Self {
        self.times = Some(times);
        self
    }

    /// The same, firing with probability `rate`.
    #[must_use]
    pub fn rate(mut self, rate: f64) -> Self {
        self.rate = rate;
        self
    }
}

fn any() -> String {
    "*".to_owned()
}
fn any_path() -> String {
    "**".to_owned()
}
fn always() -> f64 {
    1.0
}

/// The kinds of fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FaultKind {
    /// 500 Server Error, nothing applied.
    #[serde(rename = "500")]
    Http500,
    /// 502 Bad Gateway, nothing applied.
    #[serde(rename = "502")]
    Http502,
    /// 503 Service Unavailable, nothing applied.
    #[serde(rename = "503")]
    Http503,
    /// 403 secondary rate limit with `Retry-After`, nothing applied.
    #[serde(rename = "secondary_403")]
    Secondary403,
    /// 429 secondary rate limit with `Retry-After`, nothing applied.
    #[serde(rename = "secondary_429")]
    Secondary429,
    /// Connection dropped before the request is handled (nothing applied).
    #[serde(rename = "reset")]
    Reset,
    /// The request is applied, then the connection is dropped without a response.
    #[serde(rename = "lost_response")]
    LostResponse,
}

impl FaultKind {
    /// The name used in the JSON config and in the request log.
    pub fn name(self) -> &'static str {
        match self {
            Self::Http500 => "500",
            Self::Http502 => "502",
            Self::Http503 => "503",
            Self::Secondary403 => "secondary_403",
            Self::Secondary429 => "secondary_429",
            Self::Reset => "reset",
            Self::LostResponse => "lost_response",
        }
    }
}

/// A fault chosen for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Injected {
    pub kind: FaultKind,
    pub retry_after: u64,
}

/// The live fault state: config, RNG and how often each rule fired.
#[derive(Debug)]
pub struct Faults {
    config: FaultConfig,
    rng: StdRng,
    fired: Vec<u32>,
}

impl Default for Faults {
    fn default() -> Self {
        Self::new(FaultConfig::default())
    }
}

impl Faults {
    /// Installs `config` with a fresh RNG seeded by `config.seed`.
    pub fn new(config: FaultConfig) -> Self {
        let rng = StdRng::seed_from_u64(config.seed);
        let fired = vec![0; config.rules.len()];
        Self { config, rng, fired }
    }

    pub fn config(&self) -> &FaultConfig {
        &self.config
    }

    /// Draws the fault for `method path`, if any. Only matching rules draw from the RNG.
    pub fn decide(&mut self, method: &str, path: &str) -> Option<Injected> {
        for (i, rule) in self.config.rules.iter().enumerate() {
            let method_ok = rule.method == "*" || rule.method.eq_ignore_ascii_case(method);
            if !method_ok || !glob_match(&rule.path, path) {
                continue;
            }
            if rule.times.is_some_and(|t| self.fired[i] >= t) {
                continue;
            }
            if self.rng.random::<f64>() < rule.rate {
                self.fired[i] += 1;
                return Some(Injected {
                    kind: rule.kind,
                    retry_after: rule.retry_after.unwrap_or(60),
                });
            }
        }
        None
    }

    /// The instant a stale read should answer as of, when stale reads are configured.
    pub fn stale_as_of(&mut self, now: Instant) -> Option<Instant> {
        if self.config.stale_ms == 0 {
            return None;
        }
        let back = self.rng.random_range(0..=self.config.stale_ms);
        now.checked_sub(Duration::from_millis(back))
    }
}

/// Matches `/a/*/c/**` style globs against a path, segment by segment.
pub fn glob_match(pattern: &str, path: &str) -> bool {
    let pat: Vec<&str> = pattern.trim_matches('/').split('/').collect();
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    match_segments(&pat, &segs)
}

fn match_segments(pat: &[&str], segs: &[&str]) -> bool {
    match pat.split_first() {
        None => segs.is_empty(),
        Some((&"**", rest)) => (0..=segs.len()).any(|i| match_segments(rest, &segs[i..])),
        Some((p, rest)) => match segs.split_first() {
            Some((s, srest)) => (*p == "*" || p == s) && match_segments(rest, srest),
            None => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match(
            "/repos/*/*/issues/comments/*",
            "/repos/o/r/issues/comments/12"
        ));
        assert!(!glob_match(
            "/repos/*/*/issues/comments/*",
            "/repos/o/r/issues/comments/12/reactions"
        ));
        assert!(glob_match("/repos/**", "/repos/o/r/statuses/abc"));
        assert!(glob_match("**", "/user"));
        assert!(!glob_match("/user", "/users"));
    }

    #[test]
    fn same_seed_same_draws_and_times_caps_firing() {
        let config: FaultConfig = serde_json::from_str(
            r#"{"seed":7,"rules":[{"method":"PATCH","path":"/x/*","rate":0.5,"kind":"502"}]}"#,
        )
        .expect("valid config");
        let run = |c: &FaultConfig| {
            let mut f = Faults::new(c.clone());
            (0..64)
                .map(|_| f.decide("PATCH", "/x/1").is_some())
                .collect::<Vec<_>>()
        };
        let a = run(&config);
        assert_eq!(a, run(&config));
        assert!(a.iter().any(|x| *x) && a.iter().any(|x| !*x));
        let mut once = Faults::new(
            serde_json::from_str(r#"{"rules":[{"kind":"reset","times":1}]}"#)
                .expect("valid config"),
        );
        assert_eq!(
            once.decide("GET", "/a").map(|i| i.kind),
            Some(FaultKind::Reset)
        );
        assert_eq!(once.decide("GET", "/a"), None);
    }
}
