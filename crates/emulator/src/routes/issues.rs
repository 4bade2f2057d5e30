//! Issues: list (state/labels/creator filters, newest first), create, get, update. Pull
//! requests are issues too and show up here with a `pull_request` field, as on GitHub.

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::Uri;
use jiff::Timestamp;
use serde_json::Value;

use super::{body_json, check_max_chars, opt_str, paged, read_repo, req_str};
use crate::Emulator;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::model::Issue;
use crate::reply;
use crate::shapes;

const DOC_LIST: &str = "https://docs.github.com/rest/issues/issues#list-repository-issues";
const DOC_CREATE: &str = "https://docs.github.com/rest/issues/issues#create-an-issue";
const DOC_GET: &str = "https://docs.github.com/rest/issues/issues#get-an-issue";
const DOC_UPDATE: &str = "https://docs.github.com/rest/issues/issues#update-an-issue";

/// Label names from a JSON `labels` array (strings or `{name}` objects).
fn label_names(v: &Value) -> Option<Vec<String>> {
    let items = v.get("labels")?.as_array()?;
    Some(
        items
            .iter()
            .filter_map(|l| l.as_str().or_else(|| l.get("name").and_then(Value::as_str)))
            .map(str::to_owned)
            .collect(),
    )
}

/// `GET /repos/{owner}/{repo}/issues`.
pub async fn list(
    State(emu): State<Emulator>,
    Extension(caller): Extension<Caller>,
    Path((owner, repo)): Path<(String, String)>,
    uri: Uri,
) -> ApiResult {
    caller.can_read("issues", DOC_LIST)?;
    let params: Vec<(String, String)> =
        url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
            .into_owned()
            .collect();
    let param = |k: &str| {
        params
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    let state = param("state").unwrap_or("open");
    let labels: Vec<&str> = param("labels")
        .map(|l| {
            l.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let creator = param("creator");
    let mut guard = emu.world();
    let (world, r) = read_repo(&mut guard, &owner, &repo);
    let matches: Vec<&Issue> = r
        .issues
        .values()
        .rev()
        .filter(|i| state == "all" || i.state == state)
        .filter(|i| {
            labels
                .iter()
                .all(|l| i.labels.iter().any(|il| il.eq_ignore_ascii_case(l)))
        })
        .filter(|i| {
            creator.is_none_or(|c| {
                world
                    .users
                    .get(&i.user_id)
                    .is_some_and(|u| u.login.eq_ignore_ascii_case(c))
            })
        })
        .collect();
    Ok(paged(&emu, &uri, &matches, |i| {
        shapes::issue(emu.shapes(), world, r, i)
    }))
}

/// `POST /repos/{owner}/{repo}/issues`.
pub async fn create(
    State(emu): State<Emulator>,
    Extension(caller): Extension<Caller>,
    Path((owner, repo)): Path<(String, String)>,
    raw: Bytes,
) -> ApiResult {
    caller.can_write("issues", DOC_CREATE)?;
    let v = body_json(&raw)?;
    let title = req_str(&v, "title", DOC_CREATE)?;
    let body = opt_str(&v, "body", DOC_CREATE)?;
    if let Some(b) = &body {
        check_max_chars(
            b,
            super::comments::MAX_BODY_CHARS,
            "Issue",
            "body",
            DOC_CREATE,
        )?;
    }
    let mut world = emu.world();
    let id = world.next_id();
    let now = Timestamp::now();
    let r = world.repo_mut(&owner, &repo);
    let number = r.next_number();
    r.issues.insert(
        number,
        Issue {
            id,
            number,
            title,
            body,
            state: "open".to_owned(),
            state_reason: None,
            labels: label_names(&v).unwrap_or_default(),
            user_id: caller.user_id,
            created_at: now,
            updated_at: now,
            closed_at: None,
            pull: None,
        },
    );
    let r = world.repo(&owner, &repo);
    let json = shapes::issue(emu.shapes(), &world, r, &r.issues[&number]);
    Ok(reply::created_resource(&json))
}

/// `GET /repos/{owner}/{repo}/issues/{number}`.
pub async fn get(
    State(emu): State<Emulator>,
    Extension(caller): Extension<Caller>,
    Path((owner, repo, number)): Path<(String, String, u64)>,
) -> ApiResult {
    caller.can_read("issues", DOC_GET)?;
    let mut guard = emu.world();
    let (world, r) = read_repo(&mut guard, &owner, &repo);
    let issue = r
        .issues
        .get(&number)
        .ok_or_else(|| ApiError::not_found(DOC_GET))?;
    Ok(reply::ok(&shapes::issue(emu.shapes(), world, r, issue)))
}

/// `PATCH /repos/{owner}/{repo}/issues/{number}`: title, body, state, state_reason, labels.
pub async fn update(
    State(emu): State<Emulator>,
    Extension(caller): Extension<Caller>,
    Path((owner, repo, number)): Path<(String, String, u64)>,
    raw: Bytes,
) -> ApiResult {
    caller.can_write("issues", DOC_UPDATE)?;
    let v = body_json(&raw)?;
    let title = opt_str(&v, "title", DOC_UPDATE)?;
    let body = opt_str(&v, "body", DOC_UPDATE)?;
    let state = opt_str(&v, "state", DOC_UPDATE)?;
    if state
        .as_deref()
        .is_some_and(|s| s != "open" && s != "closed")
    {
        return Err(ApiError::unprocessable(
            "Invalid request.\n\nFor 'properties/state', it is not one of [\"open\", \"closed\"].",
            DOC_UPDATE,
        ));
    }
    let state_reason = opt_str(&v, "state_reason", DOC_UPDATE)?;
    let mut world = emu.world();
    let r = world.repo_mut(&owner, &repo);
    let issue = r
        .issues
        .get_mut(&number)
        .ok_or_else(|| ApiError::not_found(DOC_UPDATE))?;
    let now = Timestamp::now();
    if let Some(t) = title {
        issue.title = t;
    }
    if v.get("body").is_some() {
        issue.body = body;
    }
    if let Some(labels) = label_names(&v) {
        issue.labels = labels;
    }
    if let Some(s) = state
        && s != issue.state
    {
        issue.closed_at = (s == "closed").then_some(now);
        issue.state_reason = if s == "closed" {
            Some(state_reason.unwrap_or_else(|| "completed".to_owned()))
        } else {
            Some("reopened".to_owned())
        };
        issue.state = s;
    }
    issue.updated_at = now;
    let r = world.repo(&owner, &repo);
    Ok(reply::ok(&shapes::issue(
        emu.shapes(),
        &world,
        r,
        &r.issues[&number],
    )))
}
