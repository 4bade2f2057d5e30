//! Building responses the way GitHub sends them (JSON with `charset=utf-8`).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

/// GitHub's JSON content type.
pub const JSON: &str = "application/json; charset=utf-8";

/// A JSON response with GitHub's content type.
pub fn json(status: StatusCode, body: &Value) -> Response {
    let mut res = (status, body.to_string()).into_response();
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON));
    res
}

/// 200 with `body`.
pub fn ok(body: &Value) -> Response {
    json(StatusCode::OK, body)
}

/// 201 with `body` and a `Location` header.
pub fn created(body: &Value, location: &str) -> Response {
    let mut res = json(StatusCode::CREATED, body);
    if let Ok(v) = HeaderValue::from_str(location) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    res
}

/// 201 with `body` and a `Location` header pointing at its own `url`, as GitHub answers
/// a create.
pub fn created_resource(body: &Value) -> Response {
    created(body, body["url"].as_str().unwrap_or_default())
}

/// 204 without body.
pub fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}

/// 200 with a JSON list and, when there are other pages, GitHub's `Link` header.
pub fn page(body: &Value, link: Option<String>) -> Response {
    let mut res = ok(body);
    if let Some(v) = link.and_then(|l| HeaderValue::from_str(&l).ok()) {
        res.headers_mut().insert(header::LINK, v);
    }
    res
}
