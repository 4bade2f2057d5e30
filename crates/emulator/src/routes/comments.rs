//! Issue and pull request comments: list (paginated, `since`), create, get, edit, delete.

use std::time::Instant;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::Uri;
use jiff::Timestamp;
use serde_json::Value;

use super::{body_json, page_for, req_str};
use crate::Emulator;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::model::{Comment, CommentVersion, Issue, Pull};
use crate::pipeline::ReadAsOf;
use crate::reply;
use crate::shapes;
use crate::world::World;

/// GitHub's maximum comment body length, in characters.
pub const MAX_BODY_CHARS: usize = 65_536;

const DOC_LIST: &str = "https://docs.github.com/rest/issues/comments#list-issue-comments";
const DOC_CREATE: &str = "https://docs.github.com/rest/issues/comments#create-an-issue-comment";
const DOC_GET: &str = "https://docs.github.com/rest/issues/comments#get-an-issue-comment";
const DOC_UPDATE: &str = "https://docs.github.com/rest/issues/comments#update-an-issue-comment";
const DOC_DELETE: &str = "https://docs.github.com/rest/issues/comments#delete-an-issue-comment";

/// Reads and checks a comment body from a JSON request.
fn comment_body(raw: &[u8], doc: &str) -> Result<String, ApiError> {
    let v = body_json(raw)?;
    let body = req_str(&v, "body", doc)?;
    if body.chars().count() > MAX_BODY_CHARS {
        // GitHub's current form (`unprocessable` on `data`, capitalised), not the older
        // `custom` on `body` that other resources still answer.
        return Err(ApiError::validation(
            &serde_json::json!({
                "resource": "IssueComment",
                "code": "unprocessable",
                "field": "data",
                "message": format!("Body is too long (maximum is {MAX_BODY_CHARS} characters)"),
            }),
            doc,
        ));
    }
    Ok(body)
}

/// Whether issue `number` is a pull request (for `html_url`).
fn is_pull(world: &World, owner: &str, repo: &str, number: u64) -> bool {
    world
        .repos
        .get(&(owner.to_owned(), repo.to_owned()))
        .and_then(|r| r.issues.get(&number))
        .is_some_and(|i| i.pull.is_some())
}

/// The comment JSON for `c` as of `at`, if it existed then.
pub fn comment_json(
    emu: &Emulator,
    world: &World,
    c: &Comment,
    at: Option<Instant>,
) -> Option<Value> {
    let version = c.as_of(at)?;
    let pull = is_pull(world, &c.owner, &c.repo, c.issue_number);
    Some(shapes::comment(emu.shapes(), world, c, version, pull))
}

/// `GET /repos/{owner}/{repo}/issues/{number}/comments`.
pub async fn list(
    State(emu): State<Emulator>,
    Extension(caller): Extension<Caller>,
    Extension(ReadAsOf(at)): Extension<ReadAsOf>,
    Path((owner, repo, number)): Path<(String, String, u64)>,
    uri: Uri,
) -> ApiResult {
    caller.can_read("issues", DOC_LIST)?;
    let mut world = emu.world();
    let exists = world.repo_mut(&owner, &repo).issues.contains_key(&number);
    if !exists {
        return Err(ApiError::not_found(DOC_LIST));
    }
    let since = since_param(uri.query());
    let comments: Vec<&Comment> = world
        .issue_comments(&owner, &repo, number, at)
        .into_iter()
        .filter(|c| since.is_none_or(|s| c.as_of(at).is_some_and(|v| v.updated_at >= s)))
        .collect();
    let page = page_for(&emu, &uri, comments.len());
    let body: Vec<Value> = comments[page.range.clone()]
        .iter()
        .filter_map(|c| comment_json(&emu, &world, c, at))
        .collect();
    Ok(reply::page(&Value::Array(body), page.link))
}

/// The `since` query parameter (ISO 8601), if present and valid.
fn since_param(query: Option<&str>) -> Option<Timestamp> {
    url::form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .find(|(k, _)| k == "since")
        .and_then(|(_, v)| v.parse::<Timestamp>().ok())
}

/// `POST /repos/{owner}/{repo}/issues/{number}/comments`.
pub async fn create(
    State(emu): State<Emulator>,
    Extension(caller): Extension<Caller>,
    Path((owner, repo, number)): Path<(String, String, u64)>,
    raw: Bytes,
) -> ApiResult {
    caller.can_write("issues", DOC_CREATE)?;
    let body = comment_body(&raw, DOC_CREATE)?;
    let mut world = emu.world();
    // Issues exist only when created: an unknown number (0 included) is GitHub's 404.
    ensure_issue(&mut world, &owner, &repo, number, caller.user_id, true)?;
    let id = add_comment(&mut world, &owner, &repo, number, caller.user_id, body);
    let c = &world.comments[&id];
    let json = comment_json(&emu, &world, c, None).expect("just created");
    Ok(reply::created_resource(&json))
}

/// Makes sure issue `number` exists: 404 when `strict` (the API), else registers an open
/// pull request (admin seeding).
pub fn ensure_issue(
    world: &mut World,
    owner: &str,
    repo: &str,
    number: u64,
    user_id: u64,
    strict: bool,
) -> Result<(), ApiError> {
    if world.repo_mut(owner, repo).issues.contains_key(&number) {
        return Ok(());
    }
    if strict {
        return Err(ApiError::not_found(DOC_CREATE));
    }
    let (issue_id, pull_id) = (world.next_id(), world.next_id());
    let now = Timestamp::now();
    let issue = Issue {
        id: issue_id,
        number,
        title: "Emulated pull request".to_owned(),
        body: None,
        state: "open".to_owned(),
        state_reason: None,
        labels: Vec::new(),
        user_id,
        created_at: now,
        updated_at: now,
        closed_at: None,
        pull: Some(Pull {
            id: pull_id,
            head_sha: "0".repeat(40),
            base_sha: "0".repeat(40),
            head_ref: format!("pr-{number}"),
            base_ref: "main".to_owned(),
            fork: false,
            mergeable: Some(true),
            draft: false,
            merged: false,
            merged_at: None,
            merge_commit_sha: None,
            reviews: Vec::new(),
        }),
    };
    world.repo_mut(owner, repo).issues.insert(number, issue);
    Ok(())
}

/// Stores a new comment and returns its id.
pub fn add_comment(
    world: &mut World,
    owner: &str,
    repo: &str,
    number: u64,
    user_id: u64,
    body: String,
) -> u64 {
    let id = world.next_id();
    let now = Timestamp::now();
    let at = Instant::now();
    world.comments.insert(
        id,
        Comment {
            id,
            node_id: shapes::node_id("IC", id),
            owner: owner.to_owned(),
            repo: repo.to_owned(),
            issue_number: number,
            user_id,
            created_at: now,
            created: at,
            versions: vec![CommentVersion {
                at,
                body,
                updated_at: now,
            }],
            deleted: None,
            minimized: None,
            reactions: Vec::new(),
        },
    );
    id
}

/// The live comment `id` of `owner/repo`, or GitHub's 404.
pub fn find<'w>(
    world: &'w mut World,
    owner: &str,
    repo: &str,
    id: u64,
    doc: &str,
) -> Result<&'w mut Comment, ApiError> {
    world
        .comments
        .get_mut(&id)
        .filter(|c| c.in_repo(owner, repo) && c.deleted.is_none())
        .ok_or_else(|| ApiError::not_found(doc))
}

/// `GET /repos/{owner}/{repo}/issues/comments/{id}`.
pub async fn get(
    State(emu): State<Emulator>,
    Extension(caller): Extension<Caller>,
    Path((owner, repo, id)): Path<(String, String, u64)>,
) -> ApiResult {
    caller.can_read("issues", DOC_GET)?;
    let mut world = emu.world();
    find(&mut world, &owner, &repo, id, DOC_GET)?;
    let json = comment_json(&emu, &world, &world.comments[&id], None)
        .ok_or_else(|| ApiError::not_found(DOC_GET))?;
    Ok(reply::ok(&json))
}

/// `PATCH /repos/{owner}/{repo}/issues/comments/{id}`. Like GitHub, a token with write
/// access may edit anyone's comment: refusing foreign comments is the client's job.
pub async fn update(
    State(emu): State<Emulator>,
    Extension(caller): Extension<Caller>,
    Path((owner, repo, id)): Path<(String, String, u64)>,
    raw: Bytes,
) -> ApiResult {
    caller.can_write("issues", DOC_UPDATE)?;
    let body = comment_body(&raw, DOC_UPDATE)?;
    let mut world = emu.world();
    let c = find(&mut world, &owner, &repo, id, DOC_UPDATE)?;
    c.versions.push(CommentVersion {
        at: Instant::now(),
        body,
        updated_at: Timestamp::now(),
    });
    // Keep a short history for stale reads; the oldest versions are never read again.
    if c.versions.len() > 16 {
        c.versions.remove(0);
    }
    let json = comment_json(&emu, &world, &world.comments[&id], None).expect("live comment");
    Ok(reply::ok(&json))
}

/// `DELETE /repos/{owner}/{repo}/issues/comments/{id}`.
pub async fn delete(
    State(emu): State<Emulator>,
    Extension(caller): Extension<Caller>,
    Path((owner, repo, id)): Path<(String, String, u64)>,
) -> ApiResult {
    caller.can_write("issues", DOC_DELETE)?;
    let mut world = emu.world();
    let c = find(&mut world, &owner, &repo, id, DOC_DELETE)?;
    c.deleted = Some(Instant::now());
    Ok(reply::no_content())
}
