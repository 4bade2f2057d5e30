//! Repository contents: `GET contents/{path}?ref=` for a file, as GitHub's `content-file`
//! (base64, wrapped at 60 columns), and the admin call that seeds a file on a branch.
//! infra-ci reads its trusted configuration from the default branch this way.

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use base64::Engine as _;
use serde::Deserialize;
use serde_json::json;

use super::read_repo;
use crate::Emulator;
use crate::admin::NewFile;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::reply;

const DOC_GET: &str = "https://docs.github.com/rest/repos/contents#get-repository-content";

/// The query of `GET contents/{path}`.
#[derive(Debug, Deserialize)]
pub struct RefQuery {
    #[serde(rename = "ref")]
    git_ref: Option<String>,
}

/// `GET /repos/{owner}/{repo}/contents/{path}`: 404 when the file was never seeded on that ref.
pub async fn get_file(
    State(emu): State<Emulator>,
    Extension(caller): Extension<Caller>,
    Path((owner, repo, path)): Path<(String, String, String)>,
    Query(q): Query<RefQuery>,
) -> ApiResult {
    caller.can_read("contents", DOC_GET)?;
    let mut guard = emu.world();
    // The pipeline has already answered 404 for a repository that was never created.
    let (_, r) = read_repo(&mut guard, &owner, &repo);
    let git_ref = q.git_ref.unwrap_or_else(|| r.default_branch.clone());
    let Some(text) = r.files.get(&(git_ref.clone(), path.clone())) else {
        return Err(ApiError::not_found(DOC_GET));
    };
    let encoded = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    // GitHub wraps the base64 text at 60 columns with `\n`.
    let wrapped: Vec<&str> = encoded
        .as_bytes()
        .chunks(60)
        .map(|c| std::str::from_utf8(c).unwrap_or_default())
        .collect();
    let name = path.rsplit('/').next().unwrap_or(&path).to_owned();
    let blob_sha = git_blob_sha(text.as_bytes());
    Ok(reply::ok(&json!({
        "type": "file",
        "encoding": "base64",
        "size": text.len(),
        "name": name,
        "path": path,
        "content": format!("{}\n", wrapped.join("\n")),
        "sha": blob_sha,
        "url": format!("{}/repos/{owner}/{repo}/contents/{path}?ref={git_ref}", emu.shapes().api),
        "git_url": null,
        "html_url": null,
        "download_url": null,
        "_links": { "self": null, "git": null, "html": null },
    })))
}

/// A blob id of the shape GitHub gives (40 hex digits). GitHub's is git's sha1 of the blob;
/// clients only compare it, so a std hash of the bytes, repeated to length, stands in.
fn git_blob_sha(bytes: &[u8]) -> String {
    use std::hash::{Hash as _, Hasher as _};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut h);
    let x = h.finish();
    format!("{x:016x}{x:016x}{:08x}", x >> 32)
}

/// Admin: seeds (or replaces) a file on a branch.
pub async fn put_file(
    State(emu): State<Emulator>,
    Path((owner, repo, path)): Path<(String, String, String)>,
    raw: Bytes,
) -> Response {
    let req: NewFile = match serde_json::from_slice(&raw) {
        Ok(r) => r,
        Err(e) => {
            return reply::json(
                StatusCode::BAD_REQUEST,
                &json!({ "message": format!("bad request body: {e}") }),
            );
        }
    };
    let mut world = emu.world();
    // Seeding never creates a repository by the way: create it first.
    if let Some(res) = super::admin::missing_repo(&world, &owner, &repo) {
        return res;
    }
    world
        .repo_mut(&owner, &repo)
        .files
        .insert((req.git_ref.clone(), path.clone()), req.content);
    reply::json(
        StatusCode::CREATED,
        &json!({ "path": path, "ref": req.git_ref }),
    )
}
