//! The retry policy, as data plus one pure decision function: what to do after one attempt.
//!
//! The reliability rules live here and nowhere else:
//! - 5xx (500/502/503/504), connection errors and timeouts: exponential backoff with full
//!   jitter (`random(0, min(cap, base * 2^n))`), up to `max_attempts`.
//! - 429 / 403 secondary rate limit: honour `Retry-After`; without it wait
//!   `secondary_rate_limit_wait` (GitHub asks for at least one minute).
//! - Exhausted primary limit (`x-ratelimit-remaining: 0`): wait until `x-ratelimit-reset` when
//!   that is within `rate_limit_window`, else fail [`crate::ForgeError::RateLimited`] at once.
//! - Non-idempotent requests ([`Idempotency::ConnectOnly`]: creating a comment, an issue, a
//!   ref) are retried only when the connection failed before anything was sent, or when GitHub
//!   explicitly answered "rate limited" (which means it did not perform the request). A lost
//!   response or a 5xx may hide a success: the engine looks the marker up instead.
//!
//! The loop that applies these decisions is hand-rolled in `http.rs` rather than built on
//! `backon`: the wait depends on the *response* (`Retry-After`, the reset header), on the
//! request's idempotency and on the command's deadline, which is clearer as a `match` on
//! [`Decision`] than as backon's `adjust`/`when` closures.

use std::time::Duration;

use reqwest::header::HeaderMap;

/// How hard to retry. Defaults follow GitHub's guidance; tests shrink the delays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts per request, the first included (default 6).
    pub max_attempts: u32,
    /// Backoff base: the n-th retry waits up to `base * 2^n` (default 200 ms).
    pub base_delay: Duration,
    /// Backoff cap (default 5 s).
    pub max_delay: Duration,
    /// Wait after a secondary rate limit that sent no `Retry-After` (default 60 s, per GitHub docs).
    pub secondary_rate_limit_wait: Duration,
    /// The longest we sleep for any rate limit; a later reset fails `RateLimited` (default 60 s).
    pub rate_limit_window: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 6,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
            secondary_rate_limit_wait: Duration::from_secs(60),
            rate_limit_window: Duration::from_secs(60),
        }
    }
}

/// May this request be sent again after it possibly reached GitHub?
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Idempotency {
    /// GET, PATCH, DELETE, and POSTs whose repetition is harmless (statuses, reactions).
    Idempotent,
    /// Creates (comment, issue, ref): retried only if the connection never carried the request.
    ConnectOnly,
}

/// The rate-limit headers of one response.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RateLimitHeaders {
    /// `Retry-After`, in seconds (GitHub never sends the HTTP-date form).
    pub retry_after: Option<Duration>,
    /// `x-ratelimit-remaining`.
    pub remaining: Option<u64>,
    /// `x-ratelimit-reset`, UTC epoch seconds.
    pub reset_epoch: Option<i64>,
}

impl RateLimitHeaders {
    /// Reads the headers; malformed values count as absent.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let get = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
        };
        Self {
            retry_after: get("retry-after")
                .and_then(|v| v.parse::<u64>().ok())
                .map(Duration::from_secs),
            remaining: get("x-ratelimit-remaining").and_then(|v| v.parse().ok()),
            reset_epoch: get("x-ratelimit-reset").and_then(|v| v.parse().ok()),
        }
    }
}

/// What one attempt produced, reduced to what the policy needs.
#[derive(Debug, Clone, Copy)]
pub enum Outcome<'a> {
    /// The connection could not be made: nothing was sent.
    ConnectFailed,
    /// The request may have been sent, but no (complete) answer came back, or it timed out.
    AnswerLost,
    /// GitHub answered with a non-2xx status.
    Status {
        /// The HTTP status code.
        status: u16,
        /// The answer's `x-ratelimit-*` and `retry-after` headers.
        limits: RateLimitHeaders,
        /// GitHub's `message`, to spot "secondary rate limit".
        message: &'a str,
    },
}

/// The policy's verdict after one failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Sleep this long, then try again. `rate_limit_reset` is set when the wait is a rate limit
    /// (so a deadline that cannot cover it reports `RateLimited`, not `Unavailable`).
    Retry {
        /// How long to sleep before the next attempt.
        wait: Duration,
        /// The epoch second (UTC) the rate limit resets, when the wait is for one.
        rate_limit_reset: Option<i64>,
    },
    /// Not retryable: the caller maps the outcome to its error as is.
    Final,
    /// Retryable, but `max_attempts` is used up.
    Exhausted,
    /// Rate limited until this epoch second, too far away to wait for.
    RateLimited {
        /// The epoch second (UTC) the limit resets.
        reset_epoch: i64,
    },
}

impl RetryPolicy {
    /// Decides after attempt number `attempt` (1-based) failed with `outcome`.
    /// `now_epoch` is the current UTC second; `jitter` is uniform in `[0, 1)`.
    pub fn decide(
        &self,
        attempt: u32,
        outcome: Outcome<'_>,
        idempotency: Idempotency,
        now_epoch: i64,
        jitter: f64,
    ) -> Decision {
        let backoff = || self.backoff(attempt.saturating_sub(1), jitter);
        let decision = match outcome {
            Outcome::ConnectFailed => Decision::Retry {
                wait: backoff(),
                rate_limit_reset: None,
            },
            Outcome::AnswerLost => match idempotency {
                Idempotency::Idempotent => Decision::Retry {
                    wait: backoff(),
                    rate_limit_reset: None,
                },
                Idempotency::ConnectOnly => Decision::Final,
            },
            Outcome::Status {
                status,
                limits,
                message,
            } => {
                if let Some(d) = self.rate_limit(status, limits, message, now_epoch) {
                    d
                } else if matches!(status, 500 | 502 | 503 | 504)
                    && idempotency == Idempotency::Idempotent
                {
                    Decision::Retry {
                        wait: backoff(),
                        rate_limit_reset: None,
                    }
                } else {
                    Decision::Final
                }
            }
        };
        match decision {
            Decision::Retry {
                rate_limit_reset: Some(reset_epoch),
                ..
            } if attempt >= self.max_attempts => Decision::RateLimited { reset_epoch },
            Decision::Retry { .. } if attempt >= self.max_attempts => Decision::Exhausted,
            d => d,
        }
    }

    /// The rate-limit verdict for a 403/429, or `None` when the status is not a rate limit.
    fn rate_limit(
        &self,
        status: u16,
        limits: RateLimitHeaders,
        message: &str,
        now_epoch: i64,
    ) -> Option<Decision> {
        if !matches!(status, 403 | 429) {
            return None;
        }
        let secondary = message
            .to_ascii_lowercase()
            .contains("secondary rate limit");
        let wait = if let Some(after) = limits.retry_after {
            after
        } else if limits.remaining == Some(0) {
            // Without a reset header, treat it as a secondary limit (wait the minimum).
            limits
                .reset_epoch
                .map_or(self.secondary_rate_limit_wait, |reset| {
                    Duration::from_secs(u64::try_from(reset.saturating_sub(now_epoch)).unwrap_or(0))
                })
        } else if secondary || status == 429 {
            self.secondary_rate_limit_wait
        } else {
            return None; // a plain 403: a permission problem, not a rate limit
        };
        let reset_epoch =
            now_epoch.saturating_add(i64::try_from(wait.as_secs()).unwrap_or(i64::MAX));
        Some(if wait > self.rate_limit_window {
            Decision::RateLimited { reset_epoch }
        } else {
            Decision::Retry {
                wait,
                rate_limit_reset: Some(reset_epoch),
            }
        })
    }

    /// Full-jitter backoff for the `retry`-th retry (0-based): `jitter * min(cap, base * 2^retry)`.
    pub fn backoff(&self, retry: u32, jitter: f64) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(2u32.saturating_pow(retry.min(30)));
        exp.min(self.max_delay).mul_f64(jitter.clamp(0.0, 1.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy::default()
    }

    fn status(status: u16, limits: RateLimitHeaders, message: &str) -> Outcome<'_> {
        Outcome::Status {
            status,
            limits,
            message,
        }
    }

    const NOW: i64 = 1_700_000_000;

    #[test]
    fn backoff_grows_exponentially_then_caps() {
        let p = policy();
        assert_eq!(p.backoff(0, 1.0), Duration::from_millis(200));
        assert_eq!(p.backoff(1, 1.0), Duration::from_millis(400));
        assert_eq!(p.backoff(3, 1.0), Duration::from_millis(1600));
        assert_eq!(p.backoff(5, 1.0), Duration::from_secs(5));
        assert_eq!(p.backoff(40, 1.0), Duration::from_secs(5));
    }

    #[test]
    fn backoff_is_full_jitter() {
        let p = policy();
        assert_eq!(p.backoff(2, 0.0), Duration::ZERO);
        assert_eq!(p.backoff(2, 0.5), Duration::from_millis(400));
        // out-of-range jitter is clamped, never more than the cap
        assert_eq!(p.backoff(9, 7.0), Duration::from_secs(5));
    }

    #[test]
    fn server_errors_are_retried_when_idempotent() {
        for code in [500, 502, 503, 504] {
            let d = policy().decide(
                1,
                status(code, RateLimitHeaders::default(), ""),
                Idempotency::Idempotent,
                NOW,
                1.0,
            );
            assert_eq!(
                d,
                Decision::Retry {
                    wait: Duration::from_millis(200),
                    rate_limit_reset: None
                },
                "{code}"
            );
        }
        let d = policy().decide(
            1,
            status(501, RateLimitHeaders::default(), ""),
            Idempotency::Idempotent,
            NOW,
            1.0,
        );
        assert_eq!(d, Decision::Final, "501 Not Implemented is not transient");
    }

    #[test]
    fn creates_are_not_retried_once_they_may_have_reached_github() {
        let p = policy();
        let none = RateLimitHeaders::default();
        assert_eq!(
            p.decide(1, status(502, none, ""), Idempotency::ConnectOnly, NOW, 1.0),
            Decision::Final
        );
        assert_eq!(
            p.decide(1, Outcome::AnswerLost, Idempotency::ConnectOnly, NOW, 1.0),
            Decision::Final
        );
        assert!(matches!(
            p.decide(
                1,
                Outcome::ConnectFailed,
                Idempotency::ConnectOnly,
                NOW,
                1.0
            ),
            Decision::Retry { .. }
        ));
    }

    #[test]
    fn lost_answers_are_retried_when_idempotent() {
        let d = policy().decide(2, Outcome::AnswerLost, Idempotency::Idempotent, NOW, 1.0);
        assert_eq!(
            d,
            Decision::Retry {
                wait: Duration::from_millis(400),
                rate_limit_reset: None
            }
        );
    }

    #[test]
    fn attempts_are_bounded() {
        let p = RetryPolicy {
            max_attempts: 3,
            ..policy()
        };
        assert!(matches!(
            p.decide(2, Outcome::ConnectFailed, Idempotency::Idempotent, NOW, 0.5),
            Decision::Retry { .. }
        ));
        assert_eq!(
            p.decide(3, Outcome::ConnectFailed, Idempotency::Idempotent, NOW, 0.5),
            Decision::Exhausted
        );
    }

    #[test]
    fn retry_after_is_honoured_for_429_and_403() {
        let limits = RateLimitHeaders {
            retry_after: Some(Duration::from_secs(7)),
            ..Default::default()
        };
        for code in [403, 429] {
            let d = policy().decide(
                1,
                status(code, limits, "whatever"),
                Idempotency::ConnectOnly,
                NOW,
                1.0,
            );
            assert_eq!(
                d,
                Decision::Retry {
                    wait: Duration::from_secs(7),
                    rate_limit_reset: Some(NOW + 7)
                }
            );
        }
    }

    #[test]
    fn secondary_limit_without_retry_after_waits_the_minimum() {
        let msg = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.";
        let d = policy().decide(
            1,
            status(403, RateLimitHeaders::default(), msg),
            Idempotency::Idempotent,
            NOW,
            1.0,
        );
        assert_eq!(
            d,
            Decision::Retry {
                wait: Duration::from_secs(60),
                rate_limit_reset: Some(NOW + 60)
            }
        );
        let d = policy().decide(
            1,
            status(429, RateLimitHeaders::default(), ""),
            Idempotency::Idempotent,
            NOW,
            1.0,
        );
        assert_eq!(
            d,
            Decision::Retry {
                wait: Duration::from_secs(60),
                rate_limit_reset: Some(NOW + 60)
            }
        );
    }

    #[test]
    fn plain_403_is_final() {
        let d = policy().decide(
            1,
            status(
                403,
                RateLimitHeaders::default(),
                "Resource not accessible by integration",
            ),
            Idempotency::Idempotent,
            NOW,
            1.0,
        );
        assert_eq!(d, Decision::Final);
    }

    #[test]
    fn exhausted_primary_limit_waits_for_a_near_reset() {
        let limits = RateLimitHeaders {
            remaining: Some(0),
            reset_epoch: Some(NOW + 12),
            retry_after: None,
        };
        let d = policy().decide(
            1,
            status(403, limits, "API rate limit exceeded"),
            Idempotency::Idempotent,
            NOW,
            1.0,
        );
        assert_eq!(
            d,
            Decision::Retry {
                wait: Duration::from_secs(12),
                rate_limit_reset: Some(NOW + 12)
            }
        );
    }

    #[test]
    fn exhausted_primary_limit_with_far_reset_fails_at_once() {
        let limits = RateLimitHeaders {
            remaining: Some(0),
            reset_epoch: Some(NOW + 3600),
            retry_after: None,
        };
        let d = policy().decide(
            1,
            status(429, limits, "API rate limit exceeded"),
            Idempotency::Idempotent,
            NOW,
            1.0,
        );
        assert_eq!(
            d,
            Decision::RateLimited {
                reset_epoch: NOW + 3600
            }
        );
    }

    #[test]
    fn reset_in_the_past_retries_immediately() {
        let limits = RateLimitHeaders {
            remaining: Some(0),
            reset_epoch: Some(NOW - 5),
            retry_after: None,
        };
        let d = policy().decide(
            1,
            status(403, limits, ""),
            Idempotency::Idempotent,
            NOW,
            1.0,
        );
        assert_eq!(
            d,
            Decision::Retry {
                wait: Duration::ZERO,
                rate_limit_reset: Some(NOW)
            }
        );
    }

    #[test]
    fn rate_limit_on_the_last_attempt_reports_rate_limited() {
        let p = RetryPolicy {
            max_attempts: 1,
            ..policy()
        };
        let limits = RateLimitHeaders {
            retry_after: Some(Duration::from_secs(2)),
            ..Default::default()
        };
        assert_eq!(
            p.decide(
                1,
                status(429, limits, ""),
                Idempotency::Idempotent,
                NOW,
                1.0
            ),
            Decision::RateLimited {
                reset_epoch: NOW + 2
            }
        );
    }

    #[test]
    fn headers_are_parsed_leniently() {
        let mut h = HeaderMap::new();
        h.insert("retry-after", " 3 ".parse().expect("valid header"));
        h.insert("x-ratelimit-remaining", "0".parse().expect("valid header"));
        h.insert(
            "x-ratelimit-reset",
            "not-a-number".parse().expect("valid header"),
        );
        let l = RateLimitHeaders::from_headers(&h);
        assert_eq!(l.retry_after, Some(Duration::from_secs(3)));
        assert_eq!(l.remaining, Some(0));
        assert_eq!(l.reset_epoch, None);
    }
}
