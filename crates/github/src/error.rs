//! Typed forge errors. Each message says what to do about it.

use thiserror::Error;

/// What can go wrong talking to GitHub. `Display` is written for the person reading the log.
#[derive(Debug, Error)]
pub enum ForgeError {
    /// 401: the token is missing, expired or wrong.
    #[error("GitHub rejected the token (401 Bad credentials): set GITHUB_TOKEN (or --token) to a valid token{hint}")]
    Unauthorized { hint: String },
    /// 403 that is not a rate limit: the token lacks a permission.
    #[error("GitHub refused {what} (403 {message}): {hint}")]
    Forbidden { what: String, message: String, hint: String },
    /// 404: missing, or invisible to this token (GitHub answers 404 for private resources).
    #[error("GitHub has no {what} (404): check the repository, number and SHA, and that the token can see the repository")]
    NotFound { what: String },
    /// 422 that means "it is already there" (a ref that exists).
    #[error("{what} already exists")]
    AlreadyExists { what: String },
    /// 422 validation failure (e.g. a body over 65,536 characters).
    #[error("GitHub rejected {what} as invalid (422 {message})")]
    Invalid { what: String, message: String },
    /// Rate limited and the reset is too far away to wait for.
    #[error("GitHub rate limit exhausted until {reset_at}: wait, use a GitHub App token (higher limits), or lower the request rate")]
    RateLimited { reset_at: String },
    /// Retries exhausted on 5xx / network errors, or the command's deadline passed.
    #[error("GitHub did not answer {what} after {attempts} attempts: {last}")]
    Unavailable { what: String, attempts: u32, last: String },
    /// Anything else GitHub answered that we did not expect.
    #[error("GitHub answered {status} to {what}: {message}")]
    Unexpected { what: String, status: u16, message: String },
    /// Bad configuration detected before any request (bad base URL, missing token).
    #[error("{0}")]
    Config(String),
}

impl ForgeError {
    /// True for 404.
    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::NotFound { .. })
    }
}
