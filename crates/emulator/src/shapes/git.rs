//! Git shapes: `git-ref`, `commit` and `commit-comparison`.

use serde_json::{Value, json};

use super::{Ctx, node_id};

/// `git-ref` for `full_ref` (`refs/heads/x`) pointing at `sha`.
pub fn git_ref(ctx: Ctx<'_>, owner: &str, repo: &str, full_ref: &str, sha: &str) -> Value {
    let api = ctx.repo_api(owner, repo);
    let id = full_ref
        .bytes()
        .fold(3_u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)))
        % 1_000_000_000;
    json!({
        "ref": full_ref,
        "node_id": node_id("REF", id),
        "url": format!("{api}/git/{full_ref}"),
        "object": { "type": "commit", "sha": sha, "url": format!("{api}/git/commits/{sha}") },
    })
}

/// A `commit` for `sha` with the given parents (the emulator stores no trees or authors).
pub fn commit(ctx: Ctx<'_>, owner: &str, repo: &str, sha: &str, parents: &[String]) -> Value {
    let api = ctx.repo_api(owner, repo);
    let git_user = json!({ "name": "emulator", "email": "emulator@example.invalid", "date": "2024-01-01T00:00:00Z" });
    let id = sha
        .bytes()
        .fold(5_u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)))
        % 1_000_000_000;
    json!({
        "url": format!("{api}/commits/{sha}"),
        "sha": sha,
        "node_id": node_id("C", id),
        "html_url": format!("{}/{owner}/{repo}/commit/{sha}", ctx.web),
        "comments_url": format!("{api}/commits/{sha}/comments"),
        "commit": {
            "url": format!("{api}/git/commits/{sha}"),
            "author": git_user,
            "committer": git_user,
            "message": format!("commit {sha}"),
            "comment_count": 0,
            "tree": { "sha": sha, "url": format!("{api}/git/trees/{sha}") },
        },
        "author": {},
        "committer": {},
        "parents": parents.iter().map(|p| json!({ "sha": p, "url": format!("{api}/commits/{p}"), "html_url": format!("{}/{owner}/{repo}/commit/{p}", ctx.web) })).collect::<Vec<_>>(),
    })
}

/// How `head` relates to `base`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relation {
    pub status: &'static str,
    pub ahead_by: usize,
    pub behind_by: usize,
    pub merge_base: String,
    /// Commits from the merge base (exclusive) to head, oldest first.
    pub commits: Vec<String>,
}

/// `commit-comparison` of `base...head`.
pub fn comparison(
    ctx: Ctx<'_>,
    owner: &str,
    repo: &str,
    base: &str,
    head: &str,
    rel: &Relation,
    parents_of: &dyn Fn(&str) -> Vec<String>,
) -> Value {
    let api = ctx.repo_api(owner, repo);
    let web = format!("{}/{owner}/{repo}", ctx.web);
    json!({
        "url": format!("{api}/compare/{base}...{head}"),
        "html_url": format!("{web}/compare/{base}...{head}"),
        "permalink_url": format!("{web}/compare/{base}...{head}"),
        "diff_url": format!("{web}/compare/{base}...{head}.diff"),
        "patch_url": format!("{web}/compare/{base}...{head}.patch"),
        "base_commit": commit(ctx, owner, repo, base, &parents_of(base)),
        "merge_base_commit": commit(ctx, owner, repo, &rel.merge_base, &parents_of(&rel.merge_base)),
        "status": rel.status,
        "ahead_by": rel.ahead_by,
        "behind_by": rel.behind_by,
        "total_commits": rel.commits.len(),
        "commits": rel.commits.iter().map(|c| commit(ctx, owner, repo, c, &parents_of(c))).collect::<Vec<_>>(),
        "files": [],
    })
}
