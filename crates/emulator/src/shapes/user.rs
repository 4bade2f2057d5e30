//! User shapes: `simple-user` (everywhere) and `private-user` (`GET /user`).

use serde_json::{Value, json};

use super::{Ctx, node_id, ts, url_login};
use crate::model::{User, UserKind};
use crate::world::World;

/// `simple-user` for a stored user.
pub fn simple_user(ctx: Ctx<'_>, user: &User) -> Value {
    user_json(ctx, &user.login, user.id, user.kind.as_str())
}

/// `simple-user` for a user id, or for an account that is not a stored user (a repository
/// owner seen only in URLs: shown as an Organization with a stable id).
pub fn user_by_id(ctx: Ctx<'_>, world: &World, id: u64) -> Value {
    match world.users.get(&id) {
        Some(user) => simple_user(ctx, user),
        None => Value::Null,
    }
}

/// `simple-user` of the account `login` (registered user, else an Organization).
pub fn account(ctx: Ctx<'_>, world: &World, login: &str) -> Value {
    match world.user_by_login(login) {
        Some(user) => simple_user(ctx, user),
        None => user_json(ctx, login, stable_id(login), "Organization"),
    }
}

/// A stable small id for an account known only by name.
fn stable_id(login: &str) -> u64 {
    login
        .bytes()
        .fold(7_u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)))
        % 9_000_000
        + 1_000
}

fn user_json(ctx: Ctx<'_>, login: &str, id: u64, kind: &str) -> Value {
    let api = format!("{}/users/{}", ctx.api, url_login(login));
    let html = match login.strip_suffix("[bot]") {
        Some(slug) if kind == UserKind::Bot.as_str() => format!("{}/apps/{slug}", ctx.web),
        _ => format!("{}/{}", ctx.web, url_login(login)),
    };
    json!({
        "login": login,
        "id": id,
        "node_id": node_id(if kind == "Bot" { "BOT" } else { "U" }, id),
        "avatar_url": format!("https://avatars.githubusercontent.com/u/{id}?v=4"),
        "gravatar_id": "",
        "url": api,
        "html_url": html,
        "followers_url": format!("{api}/followers"),
        "following_url": format!("{api}/following{{/other_user}}"),
        "gists_url": format!("{api}/gists{{/gist_id}}"),
        "starred_url": format!("{api}/starred{{/owner}}{{/repo}}"),
        "subscriptions_url": format!("{api}/subscriptions"),
        "organizations_url": format!("{api}/orgs"),
        "repos_url": format!("{api}/repos"),
        "events_url": format!("{api}/events{{/privacy}}"),
        "received_events_url": format!("{api}/received_events"),
        "type": kind,
        "user_view_type": "public",
        "site_admin": false,
    })
}

/// `private-user`: what `GET /user` answers for a person's token.
pub fn private_user(ctx: Ctx<'_>, user: &User) -> Value {
    let mut v = simple_user(ctx, user);
    let extra = json!({
        "user_view_type": "private",
        "name": user.login, "company": null, "blog": "", "location": null, "email": null,
        "hireable": null, "bio": null, "twitter_username": null, "notification_email": null,
        "public_repos": 0, "public_gists": 0, "followers": 0, "following": 0,
        "created_at": ts(user.created_at), "updated_at": ts(user.created_at),
        "private_gists": 0, "total_private_repos": 0, "owned_private_repos": 0,
        "disk_usage": 0, "collaborators": 0, "two_factor_authentication": true,
    });
    if let (Some(obj), Value::Object(more)) = (v.as_object_mut(), extra) {
        obj.extend(more);
    }
    v
}
