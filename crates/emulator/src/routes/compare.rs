//! `GET /repos/{owner}/{repo}/compare/{base}...{head}` over the commit ancestry declared
//! through the admin API; an unknown commit is a 404.

use std::collections::HashMap;

use axum::Extension;
use axum::extract::{Path, State};

use super::refs::is_ancestor;
use crate::Emulator;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::reply;
use crate::shapes;
use crate::shapes::Relation;

const DOC: &str = "https://docs.github.com/rest/commits/commits#compare-two-commits";

/// The compare handler.
pub async fn compare(
    State(emu): State<Emulator>,
    Extension(caller): Extension<Caller>,
    Path((owner, repo, basehead)): Path<(String, String, String)>,
) -> ApiResult {
    caller.can_read("contents", DOC)?;
    let (base, head) = basehead
        .split_once("...")
        .ok_or_else(|| ApiError::not_found(DOC))?;
    let mut world = emu.world();
    let r = world.repo_mut(&owner, &repo);
    // Unknown commits: GitHub's 404 (it cannot compare what it does not have).
    let known = |x: &str| r.resolve(x).ok_or_else(|| ApiError::not_found(DOC));
    let (base, head) = (known(base)?, known(head)?);
    let rel = relation(&r.parents, &base, &head).ok_or_else(|| {
        // GitHub's answer for histories that share no commit.
        ApiError::not_found_because(
            &format!("No common ancestor between {base} and {head}."),
            DOC,
        )
    })?;
    let parents = r.parents.clone();
    let parents_of = |sha: &str| parents.get(sha).cloned().unwrap_or_default();
    Ok(reply::ok(&shapes::comparison(
        emu.shapes(),
        &owner,
        &repo,
        &base,
        &head,
        &rel,
        &parents_of,
    )))
}

/// First-parent path from `from` back to (excluding) `to`, oldest first, if `to` is on it.
fn path_back(parents: &HashMap<String, Vec<String>>, from: &str, to: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = from.to_owned();
    while cur != to {
        out.push(cur.clone());
        match parents.get(&cur).and_then(|p| p.first()) {
            Some(p) => cur = p.clone(),
            None => break,
        }
    }
    out.reverse();
    out
}

/// How `head` relates to `base`.
///
/// `None` when neither contains the other and no merge base is declared: GitHub answers
/// 404 for histories without a common ancestor, and an undeclared ancestry is not assumed
/// (stricter than guessing "ahead").
fn relation(parents: &HashMap<String, Vec<String>>, base: &str, head: &str) -> Option<Relation> {
    if base == head {
        return Some(Relation {
            status: "identical",
            ahead_by: 0,
            behind_by: 0,
            merge_base: base.to_owned(),
            commits: vec![],
        });
    }
    if is_ancestor(parents, base, head) {
        let commits = path_back(parents, head, base);
        return Some(Relation {
            status: "ahead",
            ahead_by: commits.len(),
            behind_by: 0,
            merge_base: base.to_owned(),
            commits,
        });
    }
    if is_ancestor(parents, head, base) {
        let behind = path_back(parents, base, head).len();
        return Some(Relation {
            status: "behind",
            ahead_by: 0,
            behind_by: behind,
            merge_base: head.to_owned(),
            commits: vec![],
        });
    }
    let known = parents.contains_key(base) && parents.contains_key(head);
    if known {
        // Walk head's first parents until one is an ancestor of base: that is the merge base.
        let mut cur = Some(head.to_owned());
        while let Some(c) = cur {
            if is_ancestor(parents, &c, base) {
                let commits = path_back(parents, head, &c);
                let behind = path_back(parents, base, &c).len();
                return Some(Relation {
                    status: "diverged",
                    ahead_by: commits.len(),
                    behind_by: behind,
                    merge_base: c,
                    commits,
                });
            }
            cur = parents.get(&c).and_then(|p| p.first()).cloned();
        }
    }
    None
}

const DOC_COMMIT: &str = "https://docs.github.com/rest/commits/commits#get-a-commit";

/// `GET /repos/{owner}/{repo}/commits/{ref}`: the commit a branch, tag or known sha names;
/// anything else is GitHub's 422 `No commit found for SHA`.
pub async fn commit(
    State(emu): State<Emulator>,
    Extension(caller): Extension<Caller>,
    Path((owner, repo, reference)): Path<(String, String, String)>,
) -> ApiResult {
    caller.can_read("contents", DOC_COMMIT)?;
    let world = emu.world();
    let r = world.repo(&owner, &repo);
    let sha = super::statuses::resolve(r, &reference, DOC_COMMIT)?;
    let parents = r.parents.get(&sha).cloned().unwrap_or_default();
    let mut body = shapes::commit(emu.shapes(), &r.owner, &r.name, &sha, &parents);
    body["stats"] = serde_json::json!({ "additions": 0, "deletions": 0, "total": 0 });
    body["files"] = serde_json::json!([]);
    Ok(reply::ok(&body))
}
