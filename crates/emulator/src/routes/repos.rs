//! The authenticated user, the rate-limit overview and repository metadata.

use axum::Extension;
use axum::extract::{Path, State};
use serde_json::json;

use crate::Emulator;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::model::UserKind;
use crate::reply;
use crate::shapes;

const DOC_USER: &str = "https://docs.github.com/rest/users/users#get-the-authenticated-user";

/// `GET /user`: a person's token gets its user; a bot (installation) token gets GitHub's 403.
pub async fn me(State(emu): State<Emulator>, Extension(caller): Extension<Caller>) -> ApiResult {
    if caller.kind == UserKind::Bot {
        return Err(ApiError::forbidden(
            "Resource not accessible by integration",
            DOC_USER,
        ));
    }
    let world = emu.world();
    let user = world
        .users
        .get(&caller.user_id)
        .ok_or_else(ApiError::bad_credentials)?;
    Ok(reply::ok(&shapes::private_user(emu.shapes(), user)))
}

/// `GET /rate_limit` (does not count against the limit, as on GitHub).
pub async fn rate_limit(
    State(emu): State<Emulator>,
    Extension(caller): Extension<Caller>,
) -> ApiResult {
    let world = emu.world();
    let now = world.now().as_second();
    let limit = world.primary_limit(caller.kind == UserKind::Bot);
    let (used, reset) = world
        .rate_windows
        .get(&(caller.user_id, None))
        .map_or((0, now + 3600), |w| (w.used, w.reset));
    let core = json!({
        "limit": limit, "used": used,
        "remaining": limit.saturating_sub(used), "reset": reset,
    });
    let search = json!({ "limit": 30, "used": 0, "remaining": 30, "reset": now + 60 });
    let graphql = json!({ "limit": 5000, "used": 0, "remaining": 5000, "reset": now + 3600 });
    Ok(reply::ok(&json!({
        "resources": { "core": core, "search": search, "graphql": graphql },
        "rate": core,
    })))
}

/// `GET /repos/{owner}/{repo}` (the pipeline answers 404 for one never created).
pub async fn get_repo(
    State(emu): State<Emulator>,
    Extension(_caller): Extension<Caller>,
    Path((owner, repo)): Path<(String, String)>,
) -> ApiResult {
    let world = emu.world();
    Ok(reply::ok(&shapes::repository(
        emu.shapes(),
        &world,
        &owner,
        &repo,
        false,
    )))
}
