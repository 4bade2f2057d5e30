//! Git references: create (422 when it exists), get (404), update (fast-forward by the
//! declared ancestry unless `force`), delete.

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, State};
use serde_json::Value;

use super::{body_json, req_str};
use crate::Emulator;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::reply;
use crate::shapes;

const DOC_CREATE: &str = "https://docs.github.com/rest/git/refs#create-a-reference";
const DOC_GET: &str = "https://docs.github.com/rest/git/refs#get-a-reference";
const DOC_UPDATE: &str = "https://docs.github.com/rest/git/refs#update-a-reference";
const DOC_DELETE: &str = "https://docs.github.com/rest/git/refs#delete-a-reference";

/// `POST /repos/{owner}/{repo}/git/refs` with `{ref, sha}`.
pub async fn create(
    State(emu): State<Emulator>,
    Extension(caller): Extension<Caller>,
    Path((owner, repo)): Path<(String, String)>,
    raw: Bytes,
) -> ApiResult {
    caller.can_write("contents", DOC_CREATE)?;
    let v = body_json(&raw)?;
    let full = req_str(&v, "ref", DOC_CREATE)?;
    let sha = req_str(&v, "sha", DOC_CREATE)?;
    if !full.starts_with("refs/") || full.matches('/').count() < 2 {
        return Err(ApiError::unprocessable(
            "Reference name must start with 'refs/' and have at least two slashes.",
            DOC_CREATE,
        ));
    }
    check_sha(&sha, DOC_CREATE)?;
    let mut world = emu.world();
    let r = world.repo_mut(&owner, &repo);
    if r.refs.contains_key(&full) {
        return Err(ApiError::unprocessable(
            "Reference already exists",
            DOC_CREATE,
        ));
    }
    r.refs.insert(full.clone(), sha.clone());
    let json = shapes::git_ref(emu.shapes(), &owner, &repo, &full, &sha);
    Ok(reply::created_resource(&json))
}

/// `GET /repos/{owner}/{repo}/git/ref/{ref}` (`ref` without the `refs/` prefix).
pub async fn get(
    State(emu): State<Emulator>,
    Extension(caller): Extension<Caller>,
    Path((owner, repo, reference)): Path<(String, String, String)>,
) -> ApiResult {
    caller.can_read("contents", DOC_GET)?;
    let full = full_name(&reference);
    let mut world = emu.world();
    let sha = world
        .repo_mut(&owner, &repo)
        .refs
        .get(&full)
        .cloned()
        .ok_or_else(|| ApiError::not_found(DOC_GET))?;
    Ok(reply::ok(&shapes::git_ref(
        emu.shapes(),
        &owner,
        &repo,
        &full,
        &sha,
    )))
}

/// `PATCH /repos/{owner}/{repo}/git/refs/{ref}` with `{sha, force}`.
pub async fn update(
    State(emu): State<Emulator>,
    Extension(caller): Extension<Caller>,
    Path((owner, repo, reference)): Path<(String, String, String)>,
    raw: Bytes,
) -> ApiResult {
    caller.can_write("contents", DOC_UPDATE)?;
    let v = body_json(&raw)?;
    let sha = req_str(&v, "sha", DOC_UPDATE)?;
    check_sha(&sha, DOC_UPDATE)?;
    let force = v.get("force").and_then(Value::as_bool).unwrap_or(false);
    let full = full_name(&reference);
    let mut world = emu.world();
    let r = world.repo_mut(&owner, &repo);
    let Some(current) = r.refs.get(&full).cloned() else {
        return Err(no_such_ref(DOC_UPDATE));
    };
    // Without `force` the new commit must descend from the current one (by the declared
    // ancestry): anything else, an unknown commit included, is not a fast forward.
    if !force && current != sha && !is_ancestor(&r.parents, &current, &sha) {
        return Err(ApiError::unprocessable(
            "Update is not a fast forward",
            DOC_UPDATE,
        ));
    }
    r.refs.insert(full.clone(), sha.clone());
    Ok(reply::ok(&shapes::git_ref(
        emu.shapes(),
        &owner,
        &repo,
        &full,
        &sha,
    )))
}

/// `DELETE /repos/{owner}/{repo}/git/refs/{ref}`.
pub async fn delete(
    State(emu): State<Emulator>,
    Extension(caller): Extension<Caller>,
    Path((owner, repo, reference)): Path<(String, String, String)>,
) -> ApiResult {
    caller.can_write("contents", DOC_DELETE)?;
    let full = full_name(&reference);
    let mut world = emu.world();
    if world.repo_mut(&owner, &repo).refs.remove(&full).is_none() {
        return Err(no_such_ref(DOC_DELETE));
    }
    Ok(reply::no_content())
}

/// The full name of the ref a `{*ref}` path segment names: GitHub's paths leave out
/// the `refs/` prefix that bodies and stored names carry.
fn full_name(reference: &str) -> String {
    format!("refs/{reference}")
}

/// GitHub's 422 when an update or delete names a ref that is not there (not a 404).
fn no_such_ref(doc: &str) -> ApiError {
    ApiError::unprocessable("Reference does not exist", doc)
}

/// GitHub only accepts full 40-hex commit shas here ("Object does not exist" otherwise).
fn check_sha(sha: &str, doc: &str) -> Result<(), ApiError> {
    if sha.len() == 40 && sha.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err(ApiError::unprocessable("Object does not exist", doc))
    }
}

/// Whether `ancestor` is reachable from `sha` through the declared parents.
pub fn is_ancestor(
    parents: &std::collections::HashMap<String, Vec<String>>,
    ancestor: &str,
    sha: &str,
) -> bool {
    let mut stack = vec![sha.to_owned()];
    let mut seen = std::collections::HashSet::new();
    while let Some(cur) = stack.pop() {
        if cur == ancestor {
            return true;
        }
        if seen.insert(cur.clone()) {
            stack.extend(parents.get(&cur).into_iter().flatten().cloned());
        }
    }
    false
}
