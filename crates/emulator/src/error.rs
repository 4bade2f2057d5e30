//! GitHub's error bodies: `{"message", "documentation_url", "status"}` and the 422
//! `Validation Failed` shape with its `errors` list.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::reply;

/// Documentation root used in error bodies.
pub const DOCS: &str = "https://docs.github.com/rest";

/// An API error, rendered as GitHub renders it.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    body: Value,
    /// Value of `x-accepted-github-permissions`, which GitHub sends with permission 403s.
    accepted_permissions: Option<String>,
    /// Value of `retry-after` (secondary rate limits).
    retry_after: Option<u64>,
}

impl ApiError {
    fn with(status: StatusCode, message: &str, doc: &str) -> Self {
        Self {
            status,
            body: json!({
                "message": message,
                "documentation_url": doc,
                "status": status.as_u16().to_string(),
            }),
            accepted_permissions: None,
            retry_after: None,
        }
    }

    /// 404 `Not Found`.
    pub fn not_found(doc: &str) -> Self {
        Self::with(StatusCode::NOT_FOUND, "Not Found", doc)
    }

    /// 404 with GitHub's own message (e.g. compare's `No common ancestor between ...`).
    pub fn not_found_because(message: &str, doc: &str) -> Self {
        Self::with(StatusCode::NOT_FOUND, message, doc)
    }

    /// 401 `Bad credentials`.
    pub fn bad_credentials() -> Self {
        Self::with(StatusCode::UNAUTHORIZED, "Bad credentials", DOCS)
    }

    /// 401 `Requires authentication` (no token where one is needed).
    pub fn requires_authentication() -> Self {
        Self::with(StatusCode::UNAUTHORIZED, "Requires authentication", DOCS)
    }

    /// 401 with a JWT-specific message (GitHub App authentication).
    pub fn unauthorized(message: &str) -> Self {
        Self::with(StatusCode::UNAUTHORIZED, message, DOCS)
    }

    /// 403 `Resource not accessible by integration`, with the permission that was needed.
    pub fn not_accessible(doc: &str, permission: &str) -> Self {
        let mut err = Self::with(
            StatusCode::FORBIDDEN,
            "Resource not accessible by integration",
            doc,
        );
        err.accepted_permissions = Some(format!("{permission}=write"));
        err
    }

    /// 403 for a read the token's permission forbids.
    pub fn not_accessible_read(doc: &str, permission: &str) -> Self {
        let mut err = Self::with(
            StatusCode::FORBIDDEN,
            "Resource not accessible by integration",
            doc,
        );
        err.accepted_permissions = Some(format!("{permission}=read"));
        err
    }

    /// 403 with a message (rate limits, policy refusals).
    pub fn forbidden(message: &str, doc: &str) -> Self {
        Self::with(StatusCode::FORBIDDEN, message, doc)
    }

    /// 403 for an exceeded secondary rate limit, with `retry-after` seconds.
    pub fn secondary_limit(request_id: &str, retry_after: u64) -> Self {
        let mut err = Self::with(
            StatusCode::FORBIDDEN,
            &format!(
                "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID {request_id}."
            ),
            "https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
        );
        err.retry_after = Some(retry_after);
        err
    }

    /// 400 `Problems parsing JSON`.
    pub fn bad_json() -> Self {
        Self::with(StatusCode::BAD_REQUEST, "Problems parsing JSON", DOCS)
    }

    /// 422 with only a message (GitHub's "Invalid request" and ref errors).
    pub fn unprocessable(message: &str, doc: &str) -> Self {
        Self::with(StatusCode::UNPROCESSABLE_ENTITY, message, doc)
    }

    /// 422 `Validation Failed` with one entry in `errors`.
    pub fn validation(error: &Value, doc: &str) -> Self {
        Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            body: json!({
                "message": "Validation Failed",
                "errors": [error],
                "documentation_url": doc,
                "status": "422",
            }),
            accepted_permissions: None,
            retry_after: None,
        }
    }

    /// 422 for a field over its maximum length (`code: custom`, GitHub's wording).
    pub fn too_long(resource: &str, field: &str, max: usize, doc: &str) -> Self {
        Self::validation(
            &json!({
                "resource": resource,
                "code": "custom",
                "field": field,
                "message": format!("{field} is too long (maximum is {max} characters)"),
            }),
            doc,
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut res = reply::json(self.status, &self.body);
        if let Some(v) = self
            .accepted_permissions
            .and_then(|p| HeaderValue::from_str(&p).ok())
        {
            res.headers_mut().insert("x-accepted-github-permissions", v);
        }
        if let Some(secs) = self.retry_after {
            res.headers_mut()
                .insert("retry-after", HeaderValue::from(secs));
        }
        res
    }
}

/// Handler result: a response or a GitHub-shaped error.
pub type ApiResult = Result<Response, ApiError>;
