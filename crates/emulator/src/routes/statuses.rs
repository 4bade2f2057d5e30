//! Commit statuses: create (with GitHub's validations and per-context cap), the combined
//! status (latest per case-insensitive context, oldest first) and the full list (newest
//! first, also under the legacy `GET /repos/{o}/{r}/statuses/{ref}`).

use std::time::Instant;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::Uri;
use serde_json::json;

use super::{body_json, check_max_chars, opt_str, page_for, paged, read_repo, req_str};
use crate::Emulator;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::model::{Repo, Status};
use crate::pipeline::ReadAsOf;
use crate::reply;
use crate::shapes;

const DOC_CREATE: &str = "https://docs.github.com/rest/commits/statuses#create-a-commit-status";
const DOC_COMBINED: &str = "https://docs.github.com/rest/commits/statuses#get-the-combined-status-for-a-specific-reference";
const DOC_LIST: &str =
    "https://docs.github.com/rest/commits/statuses#list-commit-statuses-for-a-reference";

/// GitHub's maximum status context length.
pub const MAX_CONTEXT_CHARS: usize = 255;
/// GitHub's maximum status description length.
pub const MAX_DESCRIPTION_CHARS: usize = 140;
/// GitHub keeps at most this many statuses per sha and context.
pub const MAX_STATUSES_PER_CONTEXT: usize = 1000;
const STATES: &[&str] = &["error", "failure", "pending", "success"];

/// `POST /repos/{owner}/{repo}/statuses/{sha}`.
pub async fn create(
    State(emu): State<Emulator>,
    Extension(caller): Extension<Caller>,
    Path((owner, repo, sha)): Path<(String, String, String)>,
    raw: Bytes,
) -> ApiResult {
    caller.can_write("statuses", DOC_CREATE)?;
    let v = body_json(&raw)?;
    let state = req_str(&v, "state", DOC_CREATE)?;
    if !STATES.contains(&state.as_str()) {
        return Err(ApiError::unprocessable(
            &format!(
                "Invalid request.\n\nFor 'properties/state', \"{state}\" is not one of [\"error\", \"failure\", \"pending\", \"success\"]."
            ),
            DOC_CREATE,
        ));
    }
    let description = opt_str(&v, "description", DOC_CREATE)?;
    if let Some(d) = &description {
        check_max_chars(
            d,
            MAX_DESCRIPTION_CHARS,
            "Status",
            "description",
            DOC_CREATE,
        )?;
    }
    let target_url = opt_str(&v, "target_url", DOC_CREATE)?;
    if let Some(u) = target_url.as_deref().filter(|u| !u.is_empty()) {
        check_target_url(u)?;
    }
    let context = opt_str(&v, "context", DOC_CREATE)?.unwrap_or_else(|| "default".to_owned());
    check_max_chars(&context, MAX_CONTEXT_CHARS, "Status", "context", DOC_CREATE)?;
    let mut world = emu.world();
    let id = world.next_id();
    let created_at = world.now();
    let r = world.repo_mut(&owner, &repo);
    let sha = resolve(r, &sha, DOC_CREATE)?;
    if r.statuses
        .iter()
        .filter(|s| s.sha == sha && s.context.eq_ignore_ascii_case(&context))
        .count()
        >= MAX_STATUSES_PER_CONTEXT
    {
        return Err(ApiError::validation(
            &json!({ "resource": "Status", "code": "custom", "message": "This SHA and context has reached the maximum number of statuses." }),
            DOC_CREATE,
        ));
    }
    let status = Status {
        id,
        sha,
        state,
        target_url,
        description,
        context,
        creator_id: caller.user_id,
        created_at,
        created: Instant::now(),
    };
    r.statuses.push(status.clone());
    let repo_ref = world.repo(&owner, &repo);
    let json = shapes::status(emu.shapes(), &world, repo_ref, &status);
    Ok(reply::created_resource(&json))
}

/// GitHub accepts only `http` and `https` target URLs (422 otherwise).
fn check_target_url(u: &str) -> Result<(), ApiError> {
    let ok = url::Url::parse(u)
        .is_ok_and(|p| matches!(p.scheme(), "http" | "https") && p.host_str().is_some());
    if ok {
        return Ok(());
    }
    Err(ApiError::validation(
        &json!({ "resource": "Status", "code": "custom", "field": "target_url", "message": "target_url must use http(s) scheme" }),
        DOC_CREATE,
    ))
}

/// A ref (branch, tag, or known sha) to a sha; anything else is GitHub's 422
/// `No commit found for SHA: REF`.
pub fn resolve(repo: &Repo, reference: &str, doc: &str) -> Result<String, ApiError> {
    repo.resolve(reference).ok_or_else(|| {
        ApiError::unprocessable(&format!("No commit found for SHA: {reference}"), doc)
    })
}

/// Statuses of `sha` as of `at`, newest first.
fn statuses_of<'r>(repo: &'r Repo, sha: &str, at: Option<Instant>) -> Vec<&'r Status> {
    repo.statuses
        .iter()
        .rev()
        .filter(|s| s.sha == sha && at.is_none_or(|t| s.created <= t))
        .collect()
}

/// `GET /repos/{owner}/{repo}/commits/{ref}/status`.
pub async fn combined(
    State(emu): State<Emulator>,
    Extension(caller): Extension<Caller>,
    Extension(ReadAsOf(at)): Extension<ReadAsOf>,
    Path((owner, repo, reference)): Path<(String, String, String)>,
    uri: Uri,
) -> ApiResult {
    caller.can_read("statuses", DOC_COMBINED)?;
    let mut guard = emu.world();
    let (world, r) = read_repo(&mut guard, &owner, &repo);
    let sha = resolve(r, &reference, DOC_COMBINED)?;
    // The latest status per context (contexts are case-insensitive), listed oldest first
    // as GitHub lists them.
    let mut latest: Vec<&Status> = Vec::new();
    for s in statuses_of(r, &sha, at) {
        if !latest
            .iter()
            .any(|l| l.context.eq_ignore_ascii_case(&s.context))
        {
            latest.push(s);
        }
    }
    latest.sort_by_key(|s| s.id);
    let page = page_for(&emu, &uri, latest.len());
    let body = shapes::combined_status(
        emu.shapes(),
        world,
        r,
        &sha,
        &latest,
        &latest[page.range.clone()],
    );
    Ok(reply::page(&body, page.link))
}

/// `GET /repos/{owner}/{repo}/commits/{ref}/statuses`.
pub async fn list(
    State(emu): State<Emulator>,
    Extension(caller): Extension<Caller>,
    Extension(ReadAsOf(at)): Extension<ReadAsOf>,
    Path((owner, repo, reference)): Path<(String, String, String)>,
    uri: Uri,
) -> ApiResult {
    caller.can_read("statuses", DOC_LIST)?;
    let mut guard = emu.world();
    let (world, r) = read_repo(&mut guard, &owner, &repo);
    let sha = resolve(r, &reference, DOC_LIST)?;
    let all = statuses_of(r, &sha, at);
    Ok(paged(&emu, &uri, &all, |s| {
        shapes::status(emu.shapes(), world, r, s)
    }))
}
