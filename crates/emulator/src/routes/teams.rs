//! Organization team membership: `GET /orgs/{org}/teams/{team_slug}/memberships/{username}`
//! and its admin seed `POST /_emulator/orgs/{org}/teams/{team}/members`.
//!
//! As on GitHub: `200 {url, role, state}` for an `active` or `pending` membership, `404` for
//! anyone else (and for an unknown team). Reading it needs the `members` organization
//! permission, which `GITHUB_TOKEN` (the default `github-actions[bot]`) never has: it gets
//! `403 Resource not accessible by integration`.

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use crate::admin::NewMember;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::model::{Team, TeamMember};
use crate::{DEFAULT_BOT_LOGIN, Emulator, reply};

const DOC: &str = "https://docs.github.com/rest/teams/members#get-team-membership-for-a-user";

/// The API handler.
pub async fn membership(
    State(emu): State<Emulator>,
    Extension(caller): Extension<Caller>,
    Path((org, team, username)): Path<(String, String, String)>,
) -> ApiResult {
    // GITHUB_TOKEN has no organization permissions at all.
    if caller.login.eq_ignore_ascii_case(DEFAULT_BOT_LOGIN) {
        return Err(ApiError::not_accessible_read(DOC, "members"));
    }
    caller.can_read("members", DOC)?;
    let world = emu.world();
    let found = world.teams.get(&key(&org, &team)).and_then(|t| {
        t.members
            .get(&username.to_ascii_lowercase())
            .map(|m| (t.id, m))
    });
    let Some((team_id, member)) = found else {
        return Err(ApiError::not_found(DOC));
    };
    let api = emu.shapes().api;
    Ok(reply::ok(&json!({
        "url": format!("{api}/teams/{team_id}/memberships/{}", member.login),
        "role": member.role,
        "state": member.state,
    })))
}

/// Organizations and team slugs are case-insensitive on GitHub.
fn key(org: &str, team: &str) -> (String, String) {
    (org.to_ascii_lowercase(), team.to_ascii_lowercase())
}

/// `POST /_emulator/orgs/{org}/teams/{team}/members`: creates the team if needed and sets
/// (or with `"state":"none"` removes) one membership.
pub async fn add_member(
    State(emu): State<Emulator>,
    Path((org, team)): Path<(String, String)>,
    raw: Bytes,
) -> Response {
    let bad = |m: String| reply::json(StatusCode::BAD_REQUEST, &json!({ "message": m }));
    let req: NewMember = match serde_json::from_slice(if raw.is_empty() { b"{}" } else { &raw }) {
        Ok(r) => r,
        Err(e) => return bad(format!("invalid admin request body: {e}")),
    };
    let state = req.state.unwrap_or_else(|| "active".to_owned());
    if !matches!(state.as_str(), "active" | "pending" | "none") {
        return bad(format!(
            "state must be active, pending or none, not {state:?}"
        ));
    }
    let role = req.role.unwrap_or_else(|| "member".to_owned());
    if !matches!(role.as_str(), "member" | "maintainer") {
        return bad(format!("role must be member or maintainer, not {role:?}"));
    }
    let mut world = emu.world();
    let k = key(&org, &team);
    if !world.teams.contains_key(&k) {
        let id = world.next_id();
        world.teams.insert(
            k.clone(),
            Team {
                id,
                members: std::collections::BTreeMap::new(),
            },
        );
    }
    let t = world.teams.get_mut(&k).expect("inserted above");
    let lower = req.login.to_ascii_lowercase();
    if state == "none" {
        t.members.remove(&lower);
    } else {
        t.members.insert(
            lower,
            TeamMember {
                login: req.login.clone(),
                role: role.clone(),
                state: state.clone(),
            },
        );
    }
    reply::json(
        StatusCode::CREATED,
        &json!({ "org": org, "team": team, "login": req.login, "role": role, "state": state }),
    )
}
