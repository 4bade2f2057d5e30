//! Issue-side shapes: `issue`, `issue-comment`, `reaction` and the `reaction-rollup`.

use serde_json::{Value, json};

use super::{Ctx, node_id, ts, user_by_id};
use crate::model::{Comment, CommentVersion, Issue, Reaction, Repo, UserKind};
use crate::world::World;

/// The reaction contents GitHub accepts, in rollup order.
pub const REACTION_CONTENTS: &[&str] = &[
    "+1", "-1", "laugh", "confused", "heart", "hooray", "eyes", "rocket",
];

/// `author_association` of `user_id` on the repository `owner/repo`: `OWNER` for its
/// owner, else what was set for this repository, else the user's default.
pub fn association(world: &World, owner: &str, repo: &str, user_id: u64) -> String {
    let Some(u) = world.users.get(&user_id) else {
        return "NONE".to_owned();
    };
    if u.login.eq_ignore_ascii_case(owner) {
        return "OWNER".to_owned();
    }
    let full = format!("{owner}/{repo}").to_ascii_lowercase();
    u.repo_associations
        .get(&full)
        .unwrap_or(&u.association)
        .clone()
}

/// `performed_via_github_app`: the App a bot acts for (`github-actions[bot]` is GitHub
/// Actions' own App; `<slug>[bot]` a registered one), `null` for people.
pub fn performed_via_app(ctx: Ctx<'_>, world: &World, user_id: u64) -> Value {
    let Some(u) = world.users.get(&user_id) else {
        return Value::Null;
    };
    if u.kind != UserKind::Bot {
        return Value::Null;
    }
    if u.login == "github-actions[bot]" {
        // GitHub's own App (id 15368), as real GITHUB_TOKEN comments show it.
        return integration(
            ctx,
            15368,
            "github-actions",
            "GitHub Actions",
            "github",
            "2018-07-30T09:30:17Z",
        );
    }
    world
        .apps
        .values()
        .find(|a| a.bot_user_id == user_id)
        .map_or(Value::Null, |a| {
            let owner = a
                .installations
                .first()
                .map_or("emulator", |i| i.account.as_str());
            integration(ctx, a.id, &a.slug, &a.slug, owner, &ts(a.created_at))
        })
}

/// GitHub's `integration` shape (the fields its schema requires).
fn integration(ctx: Ctx<'_>, id: u64, slug: &str, name: &str, owner: &str, created: &str) -> Value {
    json!({
        "id": id,
        "slug": slug,
        "node_id": node_id("A", id),
        "owner": {
            "login": owner,
            "id": 9_919,
            "node_id": node_id("O", 9_919),
            "avatar_url": "https://avatars.githubusercontent.com/u/9919?v=4",
            "gravatar_id": "",
            "url": format!("{}/users/{owner}", ctx.api),
            "html_url": format!("{}/{owner}", ctx.web),
            "followers_url": format!("{}/users/{owner}/followers", ctx.api),
            "following_url": format!("{}/users/{owner}/following{{/other_user}}", ctx.api),
            "gists_url": format!("{}/users/{owner}/gists{{/gist_id}}", ctx.api),
            "starred_url": format!("{}/users/{owner}/starred{{/owner}}{{/repo}}", ctx.api),
            "subscriptions_url": format!("{}/users/{owner}/subscriptions", ctx.api),
            "organizations_url": format!("{}/users/{owner}/orgs", ctx.api),
            "repos_url": format!("{}/users/{owner}/repos", ctx.api),
            "events_url": format!("{}/users/{owner}/events{{/privacy}}", ctx.api),
            "received_events_url": format!("{}/users/{owner}/received_events", ctx.api),
            "type": "Organization",
            "site_admin": false,
        },
        "name": name,
        "description": "",
        "external_url": format!("{}/apps/{slug}", ctx.web),
        "html_url": format!("{}/apps/{slug}", ctx.web),
        "created_at": created,
        "updated_at": created,
        "permissions": { "issues": "write", "metadata": "read", "statuses": "write" },
        "events": [],
    })
}

/// `reaction-rollup` for reactions under `url`.
fn rollup(url: &str, reactions: &[Reaction]) -> Value {
    let mut v = json!({ "url": url, "total_count": reactions.len() });
    for content in REACTION_CONTENTS {
        v[*content] = json!(reactions.iter().filter(|r| r.content == *content).count());
    }
    v
}

/// `issue-comment` showing `version` of comment `c` (the current one or a stale one).
pub fn comment(
    ctx: Ctx<'_>,
    world: &World,
    c: &Comment,
    version: &CommentVersion,
    is_pull: bool,
) -> Value {
    let api = ctx.repo_api(&c.owner, &c.repo);
    let url = format!("{api}/issues/comments/{}", c.id);
    let kind = if is_pull { "pull" } else { "issues" };
    json!({
        "id": c.id,
        "node_id": node_id("IC", c.id),
        "url": url,
        "html_url": format!("{}/{}/{}/{kind}/{}#issuecomment-{}", ctx.web, c.owner, c.repo, c.issue_number, c.id),
        "body": version.body,
        "user": user_by_id(ctx, world, c.user_id),
        "created_at": ts(c.created_at),
        "updated_at": ts(version.updated_at),
        "issue_url": format!("{api}/issues/{}", c.issue_number),
        "author_association": association(world, &c.owner, &c.repo, c.user_id),
        "performed_via_github_app": performed_via_app(ctx, world, c.user_id),
        "reactions": rollup(&format!("{url}/reactions"), &c.reactions),
    })
}

/// `reaction`.
pub fn reaction(ctx: Ctx<'_>, world: &World, r: &Reaction) -> Value {
    json!({
        "id": r.id,
        "node_id": node_id("REA", r.id),
        "user": user_by_id(ctx, world, r.user_id),
        "content": r.content,
        "created_at": ts(r.created_at),
    })
}

/// `label` objects for label names (ids derived from the name, stable).
pub fn labels(ctx: Ctx<'_>, repo: &Repo, names: &[String]) -> Value {
    let api = ctx.repo_api(&repo.owner, &repo.name);
    names
        .iter()
        .map(|name| {
            let id = name
                .bytes()
                .fold(17_u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)))
                % 1_000_000_000;
            json!({
                "id": id, "node_id": node_id("LA", id), "url": format!("{api}/labels/{name}"),
                "name": name, "description": "", "color": "ededed", "default": false,
            })
        })
        .collect()
}

/// `issue` (a pull request's issue half carries a `pull_request` object, as on GitHub).
pub fn issue(ctx: Ctx<'_>, world: &World, repo: &Repo, i: &Issue) -> Value {
    let api = ctx.repo_api(&repo.owner, &repo.name);
    let url = format!("{api}/issues/{}", i.number);
    let web = format!("{}/{}/{}", ctx.web, repo.owner, repo.name);
    let comments = world
        .comments
        .values()
        .filter(|c| {
            c.in_repo(&repo.owner, &repo.name) && c.issue_number == i.number && c.deleted.is_none()
        })
        .count();
    let kind = if i.pull.is_some() { "pull" } else { "issues" };
    let mut v = json!({
        "id": i.id,
        "node_id": node_id(if i.pull.is_some() { "PR" } else { "I" }, i.id),
        "url": url,
        "repository_url": api,
        "labels_url": format!("{url}/labels{{/name}}"),
        "comments_url": format!("{url}/comments"),
        "events_url": format!("{url}/events"),
        "html_url": format!("{web}/{kind}/{}", i.number),
        "number": i.number,
        "state": i.state,
        "state_reason": i.state_reason,
        "title": i.title,
        "body": i.body,
        "user": user_by_id(ctx, world, i.user_id),
        "labels": labels(ctx, repo, &i.labels),
        "assignee": null,
        "assignees": [],
        "milestone": null,
        "locked": false,
        "performed_via_github_app": null,
        "active_lock_reason": null,
        "comments": comments,
        "closed_at": i.closed_at.map(ts),
        "created_at": ts(i.created_at),
        "updated_at": ts(i.updated_at),
        "closed_by": null,
        "author_association": association(world, &repo.owner, &repo.name, i.user_id),
        "reactions": rollup(&format!("{url}/reactions"), &[]),
        "timeline_url": format!("{url}/timeline"),
    });
    if let Some(pull) = &i.pull {
        v["pull_request"] = json!({
            "url": format!("{api}/pulls/{}", i.number),
            "html_url": format!("{web}/pull/{}", i.number),
            "diff_url": format!("{web}/pull/{}.diff", i.number),
            "patch_url": format!("{web}/pull/{}.patch", i.number),
            "merged_at": pull.merged_at.map(ts),
        });
        v["draft"] = json!(pull.draft);
    }
    v
}
