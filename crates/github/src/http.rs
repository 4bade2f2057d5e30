//! One HTTP exchange with GitHub, retried by [`crate::retry`] within the command's deadline.
//! Knows headers, auth and timing; knows nothing about endpoints.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::header::{
    ACCEPT, AUTHORIZATION, ETAG, HeaderMap, HeaderValue, IF_NONE_MATCH, LINK, USER_AGENT,
};
use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;

use crate::config::ClientConfig;
use crate::error::{self, ForgeError, Permission};
use crate::retry::{Decision, Idempotency, Outcome, RateLimitHeaders, RetryPolicy};

/// One request, described for sending, retrying and error messages.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    pub method: Method,
    /// Absolute URL.
    pub url: String,
    /// What is asked for, for error messages ("comment 12 in o/r").
    pub what: String,
    pub permission: Permission,
    pub idempotency: Idempotency,
    pub body: Option<serde_json::Value>,
    /// Sent with `If-None-Match` when an earlier answer was kept (`Request::conditional`).
    pub conditional: bool,
}

impl Request {
    pub fn new(
        method: Method,
        url: String,
        what: impl Into<String>,
        permission: Permission,
    ) -> Self {
        let idempotency = Idempotency::Idempotent;
        Self {
            method,
            url,
            what: what.into(),
            permission,
            idempotency,
            body: None,
            conditional: false,
        }
    }
    /// Marks a GET whose answer may be kept and asked again with `If-None-Match`: only a
    /// resource, or a list whose first page changes with every new item (newest first).
    /// Not a list read oldest first: its first page does not change when an item is added
    /// on a later page, and a 304 would hide it.
    pub fn conditional(mut self) -> Self {
        self.conditional = self.method == Method::GET;
        self
    }
    pub fn json(mut self, body: serde_json::Value) -> Self {
        self.body = Some(body);
        self
    }
    /// Marks a create: retried only when the connection never carried it.
    pub fn create(mut self) -> Self {
        self.idempotency = Idempotency::ConnectOnly;
        self
    }
}

/// A 2xx answer.
#[derive(Debug)]
pub(crate) struct Reply {
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Reply {
    /// The pagination links of its `Link` header (none when absent or unreadable).
    pub fn links(&self) -> crate::link::Links {
        let link = self
            .headers
            .get(LINK)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        crate::link::parse_link_header(link)
    }

    /// Parses the body as `T`; `what` is for the error message.
    pub fn json<T: DeserializeOwned>(&self, what: &str) -> Result<T, ForgeError> {
        serde_json::from_slice(&self.body).map_err(|e| ForgeError::Decode {
            what: what.to_owned(),
            message: e.to_string(),
        })
    }
}

/// The sender: a reqwest client, the policy and the deadline of this command.
#[derive(Debug)]
pub(crate) struct Http {
    client: reqwest::Client,
    policy: RetryPolicy,
    request_timeout: Duration,
    deadline_at: Instant,
    app_auth: bool,
    /// The last `ETag`ged answer of each GET URL: sent back as `If-None-Match`, so a read
    /// of something unchanged (a poll) is answered `304 Not Modified`, which GitHub does
    /// not count against the primary rate limit, and served from here.
    etags: Mutex<HashMap<String, Cached>>,
}

/// A GET answer kept for its `ETag`.
#[derive(Debug, Clone)]
struct Cached {
    etag: HeaderValue,
    headers: HeaderMap,
    body: Bytes,
}

/// Answers kept at most (the cache is emptied when full: a command reads a few URLs).
const ETAG_ENTRIES: usize = 256;

/// What one attempt produced, before the policy looks at it.
enum Attempt {
    Done(Reply),
    Failed(Failed),
}

/// A failed attempt.
enum Failed {
    /// GitHub answered non-2xx.
    Status {
        status: StatusCode,
        headers: HeaderMap,
        body: Bytes,
    },
    /// No complete answer; `connect` when the connection was never made (nothing sent).
    Transport { connect: bool, message: String },
}

impl Failed {
    /// GitHub's `message`, or `""`.
    fn message(&self) -> String {
        match self {
            Self::Status { body, .. } => error::error_message(body),
            Self::Transport { .. } => String::new(),
        }
    }

    /// One line for logs and `Unavailable { last }`.
    fn summary(&self) -> String {
        match self {
            Self::Status { status, body, .. } => match error::error_message(body) {
                m if m.is_empty() => status.to_string(),
                m => format!("{} {m}", status.as_u16()),
            },
            Self::Transport { message, .. } => message.clone(),
        }
    }
}

impl Http {
    /// Builds the client; the deadline starts now.
    pub fn new(cfg: &ClientConfig) -> Result<Self, ForgeError> {
        let mut headers = HeaderMap::new();
        headers.insert(
            ACCEPT,
            HeaderValue::from_static("application/vnd.github+json"),
        );
        headers.insert(
            "X-GitHub-Api-Version",
            HeaderValue::from_static("2022-11-28"),
        );
        let user_agent = HeaderValue::from_str(&cfg.user_agent)
            .map_err(|_| ForgeError::Config(format!("invalid user agent {:?}", cfg.user_agent)))?;
        headers.insert(USER_AGENT, user_agent);
        let client = reqwest::Client::builder()
            .default_headers(headers)
            .connect_timeout(cfg.request_timeout.min(Duration::from_secs(10)))
            // Redirects would resend the Authorization header to wherever they point.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| ForgeError::Config(format!("cannot build the HTTP client: {e}")))?;
        Ok(Self {
            client,
            policy: cfg.retry.clone(),
            request_timeout: cfg.request_timeout,
            deadline_at: Instant::now() + cfg.deadline,
            app_auth: matches!(cfg.auth, crate::config::Auth::App(_)),
            etags: Mutex::new(HashMap::new()),
        })
    }

    /// Sends `req` with `Authorization: Bearer <token>` until it succeeds, the policy gives up,
    /// or the deadline passes. Non-2xx answers become [`ForgeError`]s.
    pub async fn send(&self, req: &Request, token: &SecretString) -> Result<Reply, ForgeError> {
        let auth = bearer(token)?;
        let mut last = String::from("no attempt was made");
        let mut attempt = 0;
        loop {
            let Some(remaining) = self.remaining() else {
                let last = format!("the command's deadline passed; last: {last}");
                return Err(Self::unavailable(req, attempt, last));
            };
            attempt += 1;
            let failed = match self.attempt(req, &auth, remaining).await {
                Attempt::Done(reply) => return Ok(reply),
                Attempt::Failed(failed) => failed,
            };
            last = failed.summary();
            let status = match &failed {
                Failed::Status { status, .. } => Some(status.as_u16()),
                Failed::Transport { .. } => None,
            };
            let message = failed.message();
            // A secondary limit says so in its message (429s are secondary too).
            let secondary = status == Some(429)
                || message
                    .to_ascii_lowercase()
                    .contains("secondary rate limit");
            let outcome = match &failed {
                Failed::Transport { connect: true, .. } => Outcome::ConnectFailed,
                Failed::Transport { connect: false, .. } => Outcome::AnswerLost,
                Failed::Status {
                    status, headers, ..
                } => Outcome::Status {
                    status: status.as_u16(),
                    limits: RateLimitHeaders::from_headers(headers),
                    message: &message,
                },
            };
            let wait = match self.decide(attempt, outcome, req.idempotency) {
                Decision::Retry {
                    wait,
                    rate_limit_reset,
                } => {
                    if Instant::now() + wait < self.deadline_at {
                        wait
                    } else if let Some(reset) = rate_limit_reset {
                        return Err(rate_limited(reset, secondary));
                    } else {
                        let last = format!("{last} (no time left to retry before the deadline)");
                        return Err(Self::unavailable(req, attempt, last));
                    }
                }
                Decision::RateLimited { reset_epoch } => {
                    return Err(rate_limited(reset_epoch, secondary));
                }
                Decision::Exhausted => return Err(Self::unavailable(req, attempt, last)),
                Decision::Final => return Err(self.final_error(req, attempt, failed)),
            };
            tracing::warn!(
                method = %req.method,
                path = %path_of(&req.url),
                status,
                last = %last,
                attempt,
                wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                "retrying GitHub request"
            );
            tokio::time::sleep(wait).await;
        }
    }

    /// What is left of the command's deadline, if anything.
    fn remaining(&self) -> Option<Duration> {
        self.deadline_at
            .checked_duration_since(Instant::now())
            .filter(|d| !d.is_zero())
    }

    /// The error for an attempt the policy will not retry.
    fn final_error(&self, req: &Request, attempt: u32, failed: Failed) -> ForgeError {
        match failed {
            Failed::Status {
                status,
                headers,
                body,
            } => {
                let err = error::from_status(
                    &req.what,
                    req.permission,
                    status.as_u16(),
                    &body,
                    self.app_auth,
                );
                let accepted = headers
                    .get("x-accepted-github-permissions")
                    .and_then(|v| v.to_str().ok());
                error::with_accepted_permissions(err, accepted)
            }
            Failed::Transport { message, .. } => {
                let last =
                    format!("{message} (a create is not retried once it may have reached GitHub)");
                Self::unavailable(req, attempt, last)
            }
        }
    }

    fn decide(&self, attempt: u32, outcome: Outcome<'_>, idempotency: Idempotency) -> Decision {
        let now = jiff::Timestamp::now().as_second();
        self.policy
            .decide(attempt, outcome, idempotency, now, rand::random::<f64>())
    }

    fn unavailable(req: &Request, attempts: u32, last: String) -> ForgeError {
        ForgeError::Unavailable {
            what: format!("{} {}", req.method, path_of(&req.url)),
            attempts,
            last,
        }
    }

    /// One attempt, bounded by the per-request timeout and what is left of the deadline.
    async fn attempt(&self, req: &Request, auth: &HeaderValue, remaining: Duration) -> Attempt {
        let mut builder = self
            .client
            .request(req.method.clone(), &req.url)
            .header(AUTHORIZATION, auth.clone())
            .timeout(self.request_timeout.min(remaining));
        if let Some(body) = &req.body {
            builder = builder.json(body);
        }
        let cached = self.cached(req);
        if let Some(c) = &cached {
            builder = builder.header(IF_NONE_MATCH, c.etag.clone());
        }
        let started = Instant::now();
        let response = match builder.send().await {
            Ok(r) => r,
            Err(e) => return transport(&e),
        };
        let status = response.status();
        let headers = response.headers().clone();
        let body = match response.bytes().await {
            Ok(b) => b,
            Err(e) => return transport(&e),
        };
        tracing::debug!(method = %req.method, path = %path_of(&req.url), status = status.as_u16(), ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX), "GitHub request");
        if status == StatusCode::NOT_MODIFIED
            && let Some(c) = cached
        {
            // Unchanged since our last read: its answer, with this answer's headers (the
            // rate-limit headers are the current ones). Never a page of a list (`keep`).
            let mut headers = headers;
            for (name, value) in &c.headers {
                if !headers.contains_key(name) {
                    headers.insert(name.clone(), value.clone());
                }
            }
            return Attempt::Done(Reply {
                headers,
                body: c.body,
            });
        }
        if status.is_success() {
            self.keep(req, &headers, &body);
            Attempt::Done(Reply { headers, body })
        } else {
            Attempt::Failed(Failed::Status {
                status,
                headers,
                body,
            })
        }
    }
}

impl Http {
    /// The kept answer of a GET, if it had an `ETag`.
    fn cached(&self, req: &Request) -> Option<Cached> {
        if !req.conditional {
            return None;
        }
        self.etags
            .lock()
            .ok()
            .and_then(|m| m.get(&req.url).cloned())
    }

    /// Keeps a GET's 200 answer when it has an `ETag`, unless it is a page of a longer
    /// list: the `ETag` covers the body only, so a page whose items did not change is 304
    /// even when a page was added after it, and the kept `Link` header would hide that page
    /// (a dashboard created on a new last page would never be found).
    fn keep(&self, req: &Request, headers: &HeaderMap, body: &Bytes) {
        let Some(etag) = headers.get(ETAG) else {
            return;
        };
        if !req.conditional || headers.contains_key(LINK) {
            if let Ok(mut m) = self.etags.lock() {
                m.remove(&req.url);
            }
            return;
        }
        if let Ok(mut m) = self.etags.lock() {
            if m.len() >= ETAG_ENTRIES {
                m.clear();
            }
            m.insert(
                req.url.clone(),
                Cached {
                    etag: etag.clone(),
                    headers: headers.clone(),
                    body: body.clone(),
                },
            );
        }
    }
}

/// `Bearer <token>`, marked sensitive so no debug output of the request shows it.
fn bearer(token: &SecretString) -> Result<HeaderValue, ForgeError> {
    let mut value = HeaderValue::from_str(&format!("Bearer {}", token.expose_secret().trim())).map_err(|_| {
        ForgeError::Config(
            "the GitHub token contains characters not allowed in an HTTP header: check GITHUB_TOKEN for stray quotes or line breaks".to_owned(),
        )
    })?;
    value.set_sensitive(true);
    Ok(value)
}

/// Classifies a reqwest error. Only `is_connect` proves nothing was sent.
fn transport(e: &reqwest::Error) -> Attempt {
    let kind = match (e.is_connect(), e.is_timeout()) {
        (true, _) => "could not connect",
        (false, true) => "timed out",
        (false, false) => "connection failed",
    };
    // A connect timeout is still `is_connect`: the request was never sent.
    // reqwest's Display includes the URL (never headers), which is fine to log.
    Attempt::Failed(Failed::Transport {
        connect: e.is_connect(),
        message: format!("{kind}: {e}"),
    })
}

fn rate_limited(reset_epoch: i64, secondary: bool) -> ForgeError {
    let reset_at = jiff::Timestamp::from_second(reset_epoch)
        .map_or_else(|_| reset_epoch.to_string(), |t| t.to_string());
    ForgeError::RateLimited {
        reset_at,
        secondary,
    }
}

/// The path of a URL, for logs (the query may be long; neither holds secrets).
fn path_of(url: &str) -> &str {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = after_scheme.find('/').map_or("/", |i| &after_scheme[i..]);
    path.split('?').next().unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_of_strips_origin_and_query() {
        assert_eq!(
            path_of("https://api.github.com/repos/o/r/issues/1/comments?page=2"),
            "/repos/o/r/issues/1/comments"
        );
        assert_eq!(path_of("http://127.0.0.1:80"), "/");
    }

    #[test]
    fn rate_limited_reports_a_readable_time() {
        let e = rate_limited(1_700_000_000, false);
        assert!(e.to_string().contains("2023-11-14T22:13:20Z"), "{e}");
    }
}
