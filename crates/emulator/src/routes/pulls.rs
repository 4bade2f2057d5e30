//! Pull requests: get one, list by commit, list reviews. Pull requests are created through
//! the admin API (the emulator has no branches to open them from).

use axum::Extension;
use axum::extract::{Path, State};
use axum::http::Uri;

use super::{paged, read_repo};
use crate::Emulator;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::reply;
use crate::shapes;

const DOC_GET: &str = "https://docs.github.com/rest/pulls/pulls#get-a-pull-request";
const DOC_FOR_COMMIT: &str =
    "https://docs.github.com/rest/commits/commits#list-pull-requests-associated-with-a-commit";
const DOC_REVIEWS: &str =
    "https://docs.github.com/rest/pulls/reviews#list-reviews-for-a-pull-request";

/// `GET /repos/{owner}/{repo}/pulls/{number}`.
pub async fn get(
    State(emu): State<Emulator>,
    Extension(caller): Extension<Caller>,
    Path((owner, repo, number)): Path<(String, String, u64)>,
) -> ApiResult {
    caller.can_read("pull_requests", DOC_GET)?;
    let mut guard = emu.world();
    let (world, r) = read_repo(&mut guard, &owner, &repo);
    let issue = r
        .issues
        .get(&number)
        .ok_or_else(|| ApiError::not_found(DOC_GET))?;
    let pull = issue
        .pull
        .as_ref()
        .ok_or_else(|| ApiError::not_found(DOC_GET))?;
    Ok(reply::ok(&shapes::pull_request(
        emu.shapes(),
        world,
        r,
        issue,
        pull,
    )))
}

/// `GET /repos/{owner}/{repo}/commits/{sha}/pulls`: pull requests whose head or merge
/// commit is `sha`, open ones first as GitHub lists them.
pub async fn for_commit(
    State(emu): State<Emulator>,
    Extension(caller): Extension<Caller>,
    Path((owner, repo, sha)): Path<(String, String, String)>,
    uri: Uri,
) -> ApiResult {
    caller.can_read("pull_requests", DOC_FOR_COMMIT)?;
    let mut guard = emu.world();
    let (world, r) = read_repo(&mut guard, &owner, &repo);
    let mut matches: Vec<_> = r
        .issues
        .values()
        .filter_map(|i| i.pull.as_ref().map(|p| (i, p)))
        .filter(|(_, p)| p.head_sha == sha || p.merge_commit_sha.as_deref() == Some(sha.as_str()))
        .collect();
    matches.sort_by_key(|(i, _)| (i.state != "open", std::cmp::Reverse(i.number)));
    Ok(paged(&emu, &uri, &matches, |(i, p)| {
        shapes::pull_request(emu.shapes(), world, r, i, p)
    }))
}

/// `GET /repos/{owner}/{repo}/pulls/{number}/reviews` (oldest first).
pub async fn reviews(
    State(emu): State<Emulator>,
    Extension(caller): Extension<Caller>,
    Path((owner, repo, number)): Path<(String, String, u64)>,
    uri: Uri,
) -> ApiResult {
    caller.can_read("pull_requests", DOC_REVIEWS)?;
    let mut guard = emu.world();
    let (world, r) = read_repo(&mut guard, &owner, &repo);
    let pull = r
        .issues
        .get(&number)
        .and_then(|i| i.pull.as_ref())
        .ok_or_else(|| ApiError::not_found(DOC_REVIEWS))?;
    Ok(paged(&emu, &uri, &pull.reviews, |rv| {
        shapes::review(emu.shapes(), world, r, number, rv)
    }))
}
