//! The router: GitHub API routes behind the request pipeline, the admin API under
//! `/_emulator/`, and the HTML conversation view.

mod admin;
mod apps;
mod comments;
mod compare;
mod contents;
mod graphql;
mod html;
mod issues;
mod pulls;
mod reactions;
mod refs;
mod repos;
mod statuses;
mod teams;

use axum::Router;
use axum::http::Uri;
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use serde_json::Value;

use crate::error::{ApiError, DOCS};
use crate::model::Repo;
use crate::pagination::{Page, paginate};
use crate::world::World;
use crate::{Emulator, pipeline, reply};

/// All routes over `emu`.
pub fn router(emu: Emulator) -> Router {
    let api = Router::new()
        .route("/user", get(repos::me))
        .route("/rate_limit", get(repos::rate_limit))
        .route("/repos/{owner}/{repo}", get(repos::get_repo))
        .route(
            "/repos/{owner}/{repo}/contents/{*path}",
            get(contents::get_file),
        )
        .route(
            "/repos/{owner}/{repo}/issues",
            get(issues::list).post(issues::create),
        )
        .route(
            "/repos/{owner}/{repo}/issues/{number}",
            get(issues::get).patch(issues::update),
        )
        .route(
            "/repos/{owner}/{repo}/issues/{number}/comments",
            get(comments::list).post(comments::create),
        )
        .route(
            "/repos/{owner}/{repo}/issues/comments/{id}",
            get(comments::get)
                .patch(comments::update)
                .delete(comments::delete),
        )
        .route(
            "/repos/{owner}/{repo}/issues/comments/{id}/reactions",
            get(reactions::list).post(reactions::create),
        )
        .route(
            "/repos/{owner}/{repo}/statuses/{sha}",
            post(statuses::create).get(statuses::list),
        )
        .route("/repos/{owner}/{repo}/commits/{ref}", get(compare::commit))
        .route(
            "/repos/{owner}/{repo}/commits/{ref}/status",
            get(statuses::combined),
        )
        .route(
            "/repos/{owner}/{repo}/commits/{ref}/statuses",
            get(statuses::list),
        )
        .route(
            "/repos/{owner}/{repo}/commits/{ref}/pulls",
            get(pulls::for_commit),
        )
        .route("/repos/{owner}/{repo}/pulls/{number}", get(pulls::get))
        .route(
            "/repos/{owner}/{repo}/pulls/{number}/reviews",
            get(pulls::reviews),
        )
        .route("/repos/{owner}/{repo}/git/refs", post(refs::create))
        .route(
            "/repos/{owner}/{repo}/git/refs/{*ref}",
            patch(refs::update).delete(refs::delete),
        )
        .route("/repos/{owner}/{repo}/git/ref/{*ref}", get(refs::get))
        .route(
            "/repos/{owner}/{repo}/compare/{basehead}",
            get(compare::compare),
        )
        .route(
            "/repos/{owner}/{repo}/installation",
            get(apps::repo_installation),
        )
        .route(
            "/app/installations/{id}/access_tokens",
            post(apps::access_token),
        )
        .route(
            "/orgs/{org}/teams/{team_slug}/memberships/{username}",
            get(teams::membership),
        )
        .route("/graphql", post(graphql::graphql))
        .route_layer(from_fn_with_state(emu.clone(), pipeline::api));
    Router::new()
        .nest("/_emulator", admin::router())
        .route("/{owner}/{repo}/pull/{number}", get(html::conversation))
        .route("/{owner}/{repo}/issues/{number}", get(html::conversation))
        .merge(api)
        .fallback(not_found)
        // GitHub answers an unsupported method on a known path with its JSON 404, not 405.
        .method_not_allowed_fallback(not_found)
        .with_state(emu)
}

async fn not_found() -> Response {
    ApiError::not_found(DOCS).into_response()
}

/// Parses a JSON request body; invalid JSON is GitHub's 400 `Problems parsing JSON`.
pub fn body_json(body: &[u8]) -> Result<Value, ApiError> {
    if body.is_empty() {
        return Ok(Value::Object(serde_json::Map::new()));
    }
    serde_json::from_slice(body).map_err(|_| ApiError::bad_json())
}

/// GitHub's 422 for a required field that is missing.
pub fn missing(field: &str, doc: &str) -> ApiError {
    ApiError::unprocessable(
        &format!("Invalid request.\n\n\"{field}\" wasn't supplied."),
        doc,
    )
}

/// An optional string field; a non-string value is GitHub's 422 "is not a string".
pub fn opt_str(v: &Value, field: &str, doc: &str) -> Result<Option<String>, ApiError> {
    match v.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(ApiError::unprocessable(
            &format!("Invalid request.\n\nFor 'properties/{field}', {other} is not a string."),
            doc,
        )),
    }
}

/// A required string field.
pub fn req_str(v: &Value, field: &str, doc: &str) -> Result<String, ApiError> {
    opt_str(v, field, doc)?.ok_or_else(|| missing(field, doc))
}

/// The page of `total` items this request's query asks for, its `Link` URLs built on the
/// request's own path.
pub fn page_for(emu: &Emulator, uri: &Uri, total: usize) -> Page {
    paginate(
        total,
        uri.query(),
        &format!("{}{}", emu.api_base(), uri.path()),
    )
}

/// A paginated list reply: the page of `items` the request asks for, each shaped by `shape`.
pub fn paged<T>(
    emu: &Emulator,
    uri: &Uri,
    items: &[T],
    shape: impl FnMut(&T) -> Value,
) -> Response {
    let page = page_for(emu, uri, items.len());
    let body: Vec<Value> = items[page.range].iter().map(shape).collect();
    reply::page(&Value::Array(body), page.link)
}

/// The world and the repository `owner/repo` for reading together. The pipeline has
/// already answered 404 for a repository that was never created.
pub fn read_repo<'w>(world: &'w mut World, owner: &str, repo: &str) -> (&'w World, &'w Repo) {
    world.repo_mut(owner, repo);
    let world: &'w World = world;
    (world, world.repo(owner, repo))
}

/// A string field GitHub caps at `max` characters (counted as characters, not bytes);
/// longer is its 422 `too_long` for `resource.field`.
pub fn check_max_chars(
    value: &str,
    max: usize,
    resource: &str,
    field: &str,
    doc: &str,
) -> Result<(), ApiError> {
    if value.chars().count() > max {
        return Err(ApiError::too_long(resource, field, max, doc));
    }
    Ok(())
}
