//! GitHub clients for tests: the product's client and retry rules, with delays shrunk to
//! milliseconds so a retry test takes milliseconds.

use std::time::Duration;

use infra_ci_github::{Auth, ClientConfig, GitHubClient, RetryPolicy};

/// The product's retry policy with test-sized delays.
///
/// Attempts stay at the product's default (6, [`RetryPolicy::default`]): a test then sees
/// exactly as many attempts as a CI job would, and a fault that a job survives is one the
/// tests survive. Only time shrinks: backoff 5–20 ms, 50 ms for a secondary limit without
/// `Retry-After`, and a 5 s window for a primary limit's reset.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
        secondary_rate_limit_wait: Duration::from_millis(50),
        rate_limit_window: Duration::from_secs(5),
        ..RetryPolicy::default()
    }
}

/// A client config for `token` against the emulator at `base_url`, with [`fast_retry`], a
/// 5 s timeout per attempt and a 60 s deadline (a hung test fails within a minute, and the
/// slowest emulator-backed test on a loaded machine stays well inside it).
pub fn config(base_url: &str, token: &str) -> ClientConfig {
    let mut cfg = ClientConfig::new(Auth::Token(token.to_owned().into()))
        .with_base_url(base_url)
        .expect("the emulator's base URL is a valid URL");
    cfg.retry = fast_retry();
    cfg.request_timeout = Duration::from_secs(5);
    cfg.deadline = Duration::from_mins(1);
    cfg
}

/// A client for `token` against the emulator at `base_url` ([`config`]).
pub fn client(base_url: &str, token: &str) -> GitHubClient {
    GitHubClient::new(config(base_url, token)).expect("a test client builds")
}
