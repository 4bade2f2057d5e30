//! Commit status shapes: `status` and `combined-commit-status`.

use serde_json::{Value, json};

use super::{Ctx, node_id, repository, ts, user_by_id};
use crate::model::{Repo, Status};
use crate::world::World;

/// `status` (with `creator`).
pub fn status(ctx: Ctx<'_>, world: &World, repo: &Repo, s: &Status) -> Value {
    let mut v = simple(ctx, world, repo, s);
    v["creator"] = user_by_id(ctx, world, s.creator_id);
    v
}

/// `simple-commit-status` (the items of a combined status: no `creator`).
fn simple(ctx: Ctx<'_>, world: &World, repo: &Repo, s: &Status) -> Value {
    let avatar = world
        .users
        .get(&s.creator_id)
        .map(|u| format!("https://avatars.githubusercontent.com/u/{}?v=4", u.id));
    json!({
        "url": format!("{}/statuses/{}", ctx.repo_api(&repo.owner, &repo.name), s.sha),
        "avatar_url": avatar,
        "id": s.id,
        "node_id": node_id("SC", s.id),
        "state": s.state,
        "description": s.description,
        "target_url": s.target_url,
        "context": s.context,
        "created_at": ts(s.created_at),
        "updated_at": ts(s.created_at),
    })
}

/// GitHub's combined state: `failure` if any latest status is error/failure, else
/// `pending` if there are none or any is pending, else `success`.
pub fn combined_state(latest: &[&Status]) -> &'static str {
    if latest
        .iter()
        .any(|s| s.state == "error" || s.state == "failure")
    {
        "failure"
    } else if latest.is_empty() || latest.iter().any(|s| s.state == "pending") {
        "pending"
    } else {
        "success"
    }
}

/// `combined-commit-status` for `sha`: `state` over all `latest`, `statuses` from `page`.
pub fn combined_status(
    ctx: Ctx<'_>,
    world: &World,
    repo: &Repo,
    sha: &str,
    latest: &[&Status],
    page: &[&Status],
) -> Value {
    let api = ctx.repo_api(&repo.owner, &repo.name);
    json!({
        "state": combined_state(latest),
        "statuses": page.iter().map(|s| simple(ctx, world, repo, s)).collect::<Vec<_>>(),
        "sha": sha,
        "total_count": latest.len(),
        "repository": repository(ctx, world, &repo.owner, &repo.name, false),
        "commit_url": format!("{api}/commits/{sha}"),
        "url": format!("{api}/commits/{sha}/status"),
    })
}
