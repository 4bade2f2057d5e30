//! Reactions on issue comments: list and create (idempotent per user and content).

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use jiff::Timestamp;
use serde_json::json;

use super::{body_json, paged, req_str};
use crate::Emulator;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::model::Reaction;
use crate::reply;
use crate::shapes;

const DOC_LIST: &str =
    "https://docs.github.com/rest/reactions/reactions#list-reactions-for-an-issue-comment";
const DOC_CREATE: &str =
    "https://docs.github.com/rest/reactions/reactions#create-reaction-for-an-issue-comment";

/// Contents GitHub accepts.
const CONTENTS: &[&str] = &[
    "+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes",
];

/// `GET /repos/{owner}/{repo}/issues/comments/{id}/reactions` (optional `content` filter).
pub async fn list(
    State(emu): State<Emulator>,
    Extension(caller): Extension<Caller>,
    Path((owner, repo, id)): Path<(String, String, u64)>,
    uri: Uri,
) -> ApiResult {
    caller.can_read("issues", DOC_LIST)?;
    let mut world = emu.world();
    let content = url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
        .find(|(k, _)| k == "content")
        .map(|(_, v)| v.into_owned());
    let reactions: Vec<Reaction> = super::comments::find(&mut world, &owner, &repo, id, DOC_LIST)?
        .reactions
        .iter()
        .filter(|r| content.as_deref().is_none_or(|c| r.content == c))
        .cloned()
        .collect();
    Ok(paged(&emu, &uri, &reactions, |r| {
        shapes::reaction(emu.shapes(), &world, r)
    }))
}

/// `POST /repos/{owner}/{repo}/issues/comments/{id}/reactions`: 201 when new, 200 with
/// the existing reaction when this user already reacted with this content.
pub async fn create(
    State(emu): State<Emulator>,
    Extension(caller): Extension<Caller>,
    Path((owner, repo, id)): Path<(String, String, u64)>,
    raw: Bytes,
) -> ApiResult {
    caller.can_write("issues", DOC_CREATE)?;
    let content = req_str(&body_json(&raw)?, "content", DOC_CREATE)?;
    if !CONTENTS.contains(&content.as_str()) {
        return Err(ApiError::validation(
            &json!({ "resource": "Reaction", "code": "custom", "field": "content", "message": "content is not included in the list" }),
            DOC_CREATE,
        ));
    }
    let mut world = emu.world();
    let reaction_id = world.next_id();
    let comment = super::comments::find(&mut world, &owner, &repo, id, DOC_CREATE)?;
    let existing = comment
        .reactions
        .iter()
        .find(|r| r.user_id == caller.user_id && r.content == content)
        .cloned();
    let (status, reaction) = if let Some(r) = existing {
        (StatusCode::OK, r)
    } else {
        let r = Reaction {
            id: reaction_id,
            user_id: caller.user_id,
            content,
            created_at: Timestamp::now(),
        };
        comment.reactions.push(r.clone());
        (StatusCode::CREATED, r)
    };
    Ok(reply::json(
        status,
        &shapes::reaction(emu.shapes(), &world, &reaction),
    ))
}
