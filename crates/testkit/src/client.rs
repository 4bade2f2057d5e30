//! GitHub clients for tests: the product's client and retry rules, with delays shrunk to
//! milliseconds so a retry test takes milliseconds.

use std::time::Duration;

use infra_ci_github::{Auth, ClientConfig, GitHubClient, RetryPolicy};

/// The product's retry policy with test-sized delays.
///
/// Attempts stay at the product's default (6, [`RetryPolicy::default`]): a test sees
/// exactly as many attempts as a CI job would, and a fault a job survives is one the tests
/// survive. So does the rate-limit window (a minute): a job that GitHub's secondary limits
/// ask to wait waits, in tests as in CI, rather than failing at once. Only the backoff
/// shrinks: 5–20 ms between attempts, 50 ms after a secondary limit without `Retry-After`.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
        secondary_rate_limit_wait: Duration::from_millis(50),
        ..RetryPolicy::default()
    }
}

/// A client config for `token` against the emulator at `base_url`: the product's
/// ([`ClientConfig::new`]: its timeouts and deadline) with [`fast_retry`].
pub fn config(base_url: &str, token: &str) -> ClientConfig {
    let mut cfg = ClientConfig::new(Auth::Token(token.to_owned().into()))
        .with_base_url(base_url)
        .expect("the emulator's base URL is a valid URL");
    cfg.retry = fast_retry();
    cfg
}

/// A client for `token` against the emulator at `base_url` ([`config`]).
pub fn client(base_url: &str, token: &str) -> GitHubClient {
    GitHubClient::new(config(base_url, token)).expect("a test client builds")
}
