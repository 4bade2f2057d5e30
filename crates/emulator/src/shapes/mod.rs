//! Wire shapes: the JSON GitHub sends for each record, with every field its OpenAPI schema
//! requires (checked by the fidelity test against `github-rest-subset.json`).

mod app;
mod git;
mod issue;
mod pull;
mod repo;
mod status;
mod user;

pub use app::{installation, installation_token};
pub use git::{Relation, commit, comparison, git_ref};
pub use issue::{comment, issue, reaction};
pub use pull::{pull_request, review};
pub use repo::repository;
pub use status::{combined_status, status};
pub use user::{account, private_user, simple_user, user_by_id};

use base64::Engine as _;
use jiff::Timestamp;

/// Where links point: the API base (`url` fields) and the web base (`html_url` fields).
#[derive(Debug, Clone, Copy)]
pub struct Ctx<'a> {
    pub api: &'a str,
    pub web: &'a str,
}

impl Ctx<'_> {
    /// `{api}/repos/{owner}/{repo}`.
    pub fn repo_api(&self, owner: &str, repo: &str) -> String {
        format!("{}/repos/{owner}/{repo}", self.api)
    }
}

/// GitHub's timestamp format: RFC 3339, UTC, whole seconds (`2024-05-01T12:00:00Z`).
pub fn ts(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A GraphQL global node id in GitHub's new format (`IC_kwDO...`), stable for `(prefix, id)`.
pub fn node_id(prefix: &str, id: u64) -> String {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(id.to_be_bytes());
    format!("{prefix}_kwDO{b64}")
}

/// A login as it appears in URLs (`github-actions%5Bbot%5D`).
pub fn url_login(login: &str) -> String {
    login.replace('[', "%5B").replace(']', "%5D")
}
