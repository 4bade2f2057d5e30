//! Repository shapes: one superset that satisfies `repository`, `minimal-repository` and
//! `full-repository` (the fidelity test checks all three uses).

use jiff::Timestamp;
use serde_json::{Map, Value, json};

use super::{Ctx, account, node_id, ts};
use crate::world::World;

/// `{name}_url` fields and their path suffix after the repository's API URL.
const URL_FIELDS: &[(&str, &str)] = &[
    ("archive_url", "/{archive_format}{/ref}"),
    ("assignees_url", "/assignees{/user}"),
    ("blobs_url", "/git/blobs{/sha}"),
    ("branches_url", "/branches{/branch}"),
    ("collaborators_url", "/collaborators{/collaborator}"),
    ("comments_url", "/comments{/number}"),
    ("commits_url", "/commits{/sha}"),
    ("compare_url", "/compare/{base}...{head}"),
    ("contents_url", "/contents/{+path}"),
    ("contributors_url", "/contributors"),
    ("deployments_url", "/deployments"),
    ("downloads_url", "/downloads"),
    ("events_url", "/events"),
    ("forks_url", "/forks"),
    ("git_commits_url", "/git/commits{/sha}"),
    ("git_refs_url", "/git/refs{/sha}"),
    ("git_tags_url", "/git/tags{/sha}"),
    ("issue_comment_url", "/issues/comments{/number}"),
    ("issue_events_url", "/issues/events{/number}"),
    ("issues_url", "/issues{/number}"),
    ("keys_url", "/keys{/key_id}"),
    ("labels_url", "/labels{/name}"),
    ("languages_url", "/languages"),
    ("merges_url", "/merges"),
    ("milestones_url", "/milestones{/number}"),
    (
        "notifications_url",
        "/notifications{?since,all,participating}",
    ),
    ("pulls_url", "/pulls{/number}"),
    ("releases_url", "/releases{/id}"),
    ("stargazers_url", "/stargazers"),
    ("statuses_url", "/statuses/{sha}"),
    ("subscribers_url", "/subscribers"),
    ("subscription_url", "/subscription"),
    ("tags_url", "/tags"),
    ("teams_url", "/teams"),
    ("trees_url", "/git/trees{/sha}"),
    ("hooks_url", "/hooks"),
];

/// The repository `owner/name` (id and creation time from the stored repo when known).
pub fn repository(ctx: Ctx<'_>, world: &World, owner: &str, name: &str, fork: bool) -> Value {
    let stored = world.find_repo(owner, name);
    let (owner, name) = stored.map_or((owner, name), |r| (r.owner.as_str(), r.name.as_str()));
    let default_branch = stored.map_or("main", |r| r.default_branch.as_str());
    let private = stored.is_some_and(|r| r.private);
    let id = stored.map_or(1, |r| r.id);
    let created = stored.map_or_else(Timestamp::now, |r| r.created_at);
    let open_issues = stored.map_or(0, |r| {
        r.issues.values().filter(|i| i.state == "open").count()
    });
    let api = ctx.repo_api(owner, name);
    let html = format!("{}/{owner}/{name}", ctx.web);
    let host = ctx.web.split("://").nth(1).unwrap_or("github.com");
    let mut v = Map::new();
    for (field, suffix) in URL_FIELDS {
        v.insert((*field).to_owned(), Value::String(format!("{api}{suffix}")));
    }
    let rest = json!({
        "id": id,
        "node_id": node_id("R", id),
        "name": name,
        "full_name": format!("{owner}/{name}"),
        "owner": account(ctx, world, owner),
        "private": private,
        "html_url": html,
        "description": null,
        "fork": fork,
        "url": api,
        "git_url": format!("git://{host}/{owner}/{name}.git"),
        "ssh_url": format!("git@{host}:{owner}/{name}.git"),
        "clone_url": format!("{html}.git"),
        "svn_url": html,
        "mirror_url": null,
        "homepage": null,
        "language": "HCL",
        "forks_count": 0,
        "forks": 0,
        "stargazers_count": 0,
        "watchers_count": 0,
        "watchers": 0,
        "size": 0,
        "default_branch": default_branch,
        "open_issues_count": open_issues,
        "open_issues": open_issues,
        "is_template": false,
        "topics": [],
        "has_issues": true,
        "has_projects": true,
        "has_wiki": true,
        "has_pages": false,
        "has_downloads": true,
        "has_discussions": false,
        "archived": false,
        "disabled": false,
        "visibility": if private { "private" } else { "public" },
        "pushed_at": ts(created),
        "created_at": ts(created),
        "updated_at": ts(created),
        "allow_forking": true,
        "web_commit_signoff_required": false,
        "subscribers_count": 0,
        "network_count": 0,
        "license": null,
    });
    if let Value::Object(rest) = rest {
        v.extend(rest);
    }
    Value::Object(v)
}
