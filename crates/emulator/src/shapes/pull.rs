//! Pull request shapes: `pull-request` (also used for `pull-request-simple`) and
//! `pull-request-review`.

use serde_json::{Value, json};

use super::issue::{association, labels};
use super::{Ctx, account, node_id, repository, ts, user_by_id};
use crate::model::{Issue, Pull, Repo, Review};
use crate::world::World;

/// `pull-request` for issue `i` with pull data `p`.
pub fn pull_request(ctx: Ctx<'_>, world: &World, repo: &Repo, i: &Issue, p: &Pull) -> Value {
    let (owner, name, n) = (&repo.owner, &repo.name, i.number);
    let api = ctx.repo_api(owner, name);
    let web = format!("{}/{owner}/{name}/pull/{n}", ctx.web);
    let url = format!("{api}/pulls/{n}");
    let issue_url = format!("{api}/issues/{n}");
    let author = user_by_id(ctx, world, i.user_id);
    let author_login = author["login"].as_str().unwrap_or(owner).to_owned();
    // A fork's head lives in the author's copy of the repository.
    let head_owner = if p.fork {
        author_login.as_str()
    } else {
        owner.as_str()
    };
    let side = |ref_name: &str, sha: &str, repo_owner: &str, fork: bool| {
        json!({
            "label": format!("{repo_owner}:{ref_name}"),
            "ref": ref_name,
            "sha": sha,
            "user": account(ctx, world, repo_owner),
            "repo": repository(ctx, world, repo_owner, name, fork),
        })
    };
    let comments = world
        .comments
        .values()
        .filter(|c| c.in_repo(owner, name) && c.issue_number == n && c.deleted.is_none())
        .count();
    let state = if i.state == "open" { "open" } else { "closed" };
    let mergeable_state = match (p.merged, p.mergeable) {
        (false, Some(true)) if p.draft => "draft",
        (false, Some(true)) => "clean",
        (false, Some(false)) => "dirty",
        (true, _) | (false, None) => "unknown",
    };
    let link = |href: String| json!({ "href": href });
    json!({
        "url": url,
        "id": p.id,
        "node_id": node_id("PR", p.id),
        "html_url": web,
        "diff_url": format!("{web}.diff"),
        "patch_url": format!("{web}.patch"),
        "issue_url": issue_url,
        "commits_url": format!("{url}/commits"),
        "review_comments_url": format!("{url}/comments"),
        "review_comment_url": format!("{api}/pulls/comments{{/number}}"),
        "comments_url": format!("{issue_url}/comments"),
        "statuses_url": format!("{api}/statuses/{}", p.head_sha),
        "number": n,
        "state": state,
        "locked": false,
        "title": i.title,
        "user": author,
        "body": i.body,
        "labels": labels(ctx, repo, &i.labels),
        "milestone": null,
        "active_lock_reason": null,
        "created_at": ts(i.created_at),
        "updated_at": ts(i.updated_at),
        "closed_at": i.closed_at.map(ts),
        "merged_at": p.merged_at.map(ts),
        "merge_commit_sha": p.merge_commit_sha,
        "assignee": null,
        "assignees": [],
        "requested_reviewers": [],
        "requested_teams": [],
        "head": side(&p.head_ref, &p.head_sha, head_owner, p.fork),
        "base": side(&p.base_ref, &p.base_sha, owner, false),
        "_links": {
            "self": link(url.clone()),
            "html": link(web.clone()),
            "issue": link(issue_url.clone()),
            "comments": link(format!("{issue_url}/comments")),
            "review_comments": link(format!("{url}/comments")),
            "review_comment": link(format!("{api}/pulls/comments{{/number}}")),
            "commits": link(format!("{url}/commits")),
            "statuses": link(format!("{api}/statuses/{}", p.head_sha)),
        },
        "author_association": association(world, owner, &repo.name, i.user_id),
        "auto_merge": null,
        "draft": p.draft,
        "merged": p.merged,
        "mergeable": p.mergeable,
        "rebaseable": p.mergeable,
        "mergeable_state": mergeable_state,
        "merged_by": null,
        "comments": comments,
        "review_comments": 0,
        "maintainer_can_modify": false,
        "commits": 1,
        "additions": 0,
        "deletions": 0,
        "changed_files": 0,
    })
}

/// `pull-request-review`.
pub fn review(ctx: Ctx<'_>, world: &World, repo: &Repo, number: u64, r: &Review) -> Value {
    let api = ctx.repo_api(&repo.owner, &repo.name);
    let html = format!(
        "{}/{}/{}/pull/{number}#pullrequestreview-{}",
        ctx.web, repo.owner, repo.name, r.id
    );
    let pr_url = format!("{api}/pulls/{number}");
    json!({
        "id": r.id,
        "node_id": node_id("PRR", r.id),
        "user": user_by_id(ctx, world, r.user_id),
        "body": r.body,
        "state": r.state,
        "html_url": html,
        "pull_request_url": pr_url,
        "_links": { "html": { "href": html }, "pull_request": { "href": pr_url } },
        "submitted_at": ts(r.submitted_at),
        "commit_id": r.commit_id,
        "author_association": association(world, &repo.owner, &repo.name, r.user_id),
    })
}
