//! The [`Forge`] trait: every GitHub operation infra-ci performs, and nothing else.
//!
//! The engine depends only on this trait. [`crate::GitHubClient`] implements it over REST.
//! Methods map one-to-one onto GitHub endpoints so request counts stay predictable
//! (the dashboard's cost budget is counted in these calls).

use async_trait::async_trait;

use crate::error::ForgeError;
use crate::types::{
    CombinedStatus, Comment, CommentPage, CommitStatus, Comparison, GitRef, Issue, IssueState,
    PullRequest, Reaction, Review, Sha, StatusState, User,
};

/// `owner/name` of a repository.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RepoId {
    /// The user or organization that owns the repository.
    pub owner: String,
    /// The repository's name within its owner.
    pub name: String,
}

impl RepoId {
    /// Parses `owner/name`; anything else is `None`. `.` and `..` are refused as names:
    /// GitHub allows neither, and in a URL path they would name another endpoint.
    pub fn parse(s: &str) -> Option<Self> {
        let (owner, name) = s.split_once('/')?;
        let ok = |p: &str| {
            !p.is_empty()
                && p != "."
                && p != ".."
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        };
        (ok(owner) && ok(name)).then(|| Self {
            owner: owner.to_owned(),
            name: name.to_owned(),
        })
    }
}

impl std::fmt::Display for RepoId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.owner, self.name)
    }
}

/// Everything infra-ci asks of a forge. One method = one HTTP request unless it says otherwise.
#[async_trait]
pub trait Forge: Send + Sync {
    /// `GET /user`. Installation tokens get 403 here on GitHub; see [`Forge::whoami`].
    async fn current_user(&self) -> Result<User, ForgeError>;

    /// The login our comments are authored by. `GET /user`, falling back (on 403, as for
    /// installation tokens) to the configured bot login. Cached after the first call.
    async fn whoami(&self) -> Result<String, ForgeError>;

    // --- pull requests
    /// `GET /repos/{o}/{r}/pulls/{n}`.
    async fn get_pull(&self, repo: &RepoId, number: u64) -> Result<PullRequest, ForgeError>;
    /// `GET /repos/{o}/{r}/commits/{sha}/pulls` (first page, up to 100).
    async fn pulls_for_commit(
        &self,
        repo: &RepoId,
        sha: &Sha,
    ) -> Result<Vec<PullRequest>, ForgeError>;
    /// `GET /repos/{o}/{r}/pulls/{n}/reviews`, all pages.
    async fn list_reviews(&self, repo: &RepoId, number: u64) -> Result<Vec<Review>, ForgeError>;

    // --- commits
    /// `GET /repos/{o}/{r}/compare/{base}...{head}`: how `head` relates to `base` (a branch
    /// name or a SHA each). `behind_by == 0` means `head` contains `base`.
    async fn compare(
        &self,
        repo: &RepoId,
        base: &str,
        head: &str,
    ) -> Result<Comparison, ForgeError>;

    // --- organizations
    /// `GET /orgs/{org}/teams/{team_slug}/memberships/{login}`: true for an `active`
    /// membership; `pending` (invitation not accepted) and 404 (not a member) are false.
    /// Needs the `members: read` organization permission: `GITHUB_TOKEN` never has it and
    /// gets a 403 ([`ForgeError::Forbidden`], whose message says so).
    async fn team_membership(
        &self,
        org: &str,
        team_slug: &str,
        login: &str,
    ) -> Result<bool, ForgeError>;

    // --- issue comments
    /// `GET /repos/{o}/{r}/issues/{n}/comments?per_page=&page=`: one page, with the
    /// `Link` header's `last` page number when GitHub sent one.
    async fn list_comments_page(
        &self,
        repo: &RepoId,
        issue: u64,
        page: u32,
        per_page: u8,
    ) -> Result<CommentPage, ForgeError>;
    /// `GET /repos/{o}/{r}/issues/comments/{id}`.
    async fn get_comment(&self, repo: &RepoId, id: u64) -> Result<Comment, ForgeError>;
    /// `POST /repos/{o}/{r}/issues/{n}/comments`. Never retried blindly by the client.
    async fn create_comment(
        &self,
        repo: &RepoId,
        issue: u64,
        body: &str,
    ) -> Result<Comment, ForgeError>;
    /// `PATCH /repos/{o}/{r}/issues/comments/{id}`.
    async fn update_comment(
        &self,
        repo: &RepoId,
        id: u64,
        body: &str,
    ) -> Result<Comment, ForgeError>;
    /// `DELETE /repos/{o}/{r}/issues/comments/{id}`.
    async fn delete_comment(&self, repo: &RepoId, id: u64) -> Result<(), ForgeError>;
    /// `POST /repos/{o}/{r}/issues/comments/{id}/reactions` with `content` (`eyes`, `-1`, `confused`, ...).
    async fn add_reaction(
        &self,
        repo: &RepoId,
        comment_id: u64,
        content: &str,
    ) -> Result<Reaction, ForgeError>;
    /// GraphQL `minimizeComment(classifier: OUTDATED)` on the comment's `node_id`.
    async fn minimize_comment(&self, node_id: &str) -> Result<(), ForgeError>;

    // --- commit statuses
    /// `POST /repos/{o}/{r}/statuses/{sha}`. `description` must already fit 140 characters.
    async fn create_status(
        &self,
        repo: &RepoId,
        sha: &Sha,
        state: StatusState,
        context: &str,
        description: &str,
        target_url: Option<&str>,
    ) -> Result<CommitStatus, ForgeError>;
    /// `GET /repos/{o}/{r}/commits/{ref}/status`, all pages merged (latest status per context).
    async fn combined_status(&self, repo: &RepoId, sha: &Sha)
    -> Result<CombinedStatus, ForgeError>;
    /// `GET /repos/{o}/{r}/commits/{ref}/statuses`, all pages: every status of the commit,
    /// newest first, each with its `creator`. The combined status shows only the latest
    /// status of a context, whoever wrote it; this is how our own older one is found under
    /// a newer foreign one.
    async fn list_statuses(
        &self,
        repo: &RepoId,
        sha: &Sha,
    ) -> Result<Vec<CommitStatus>, ForgeError>;

    /// `GET /repos/{o}/{r}/commits/{ref}/statuses?per_page=100`, the first page only: the
    /// newest 100 statuses, and whether that is all of them (no `Link: rel="next"`). One
    /// request however long the list: enough for what only the newest statuses decide (a
    /// run's leg, ADR 0012). The default reads every page and says so.
    async fn list_statuses_newest(
        &self,
        repo: &RepoId,
        sha: &Sha,
    ) -> Result<(Vec<CommitStatus>, bool), ForgeError> {
        Ok((self.list_statuses(repo, sha).await?, true))
    }

    /// Page `page` (from 1) of `GET /repos/{o}/{r}/commits/{ref}/statuses?per_page=100`,
    /// newest first, and whether it is the last. For a reader of the newest statuses that
    /// must look one page further (a run's mark pushed off the first page by a hundred
    /// results, ADR 0014). The default serves the whole list as its first page.
    async fn list_statuses_page(
        &self,
        repo: &RepoId,
        sha: &Sha,
        page: u32,
    ) -> Result<(Vec<CommitStatus>, bool), ForgeError> {
        if page <= 1 {
            return Ok((self.list_statuses(repo, sha).await?, true));
        }
        Ok((Vec::new(), true))
    }

    /// `GET /repos/{o}/{r}`: the repository's default branch.
    async fn default_branch(&self, repo: &RepoId) -> Result<String, ForgeError>;

    // --- repository contents (the trusted configuration)
    /// `GET /repos/{o}/{r}/contents/{path}?ref={git_ref}`: a file's text at a branch or
    /// commit; `Ok(None)` when GitHub answers 404 (no such file, or no such ref).
    async fn file_contents(
        &self,
        repo: &RepoId,
        path: &str,
        git_ref: &str,
    ) -> Result<Option<String>, ForgeError>;

    // --- issues (the drift issue)
    /// `GET /repos/{o}/{r}/issues?state=all&labels=..&creator=..`, all pages.
    async fn list_issues(
        &self,
        repo: &RepoId,
        labels: &str,
        creator: Option<&str>,
    ) -> Result<Vec<Issue>, ForgeError>;
    /// `POST /repos/{o}/{r}/issues`.
    async fn create_issue(
        &self,
        repo: &RepoId,
        title: &str,
        body: &str,
        labels: &[String],
    ) -> Result<Issue, ForgeError>;
    /// `PATCH /repos/{o}/{r}/issues/{n}` (body and/or state).
    async fn update_issue(
        &self,
        repo: &RepoId,
        number: u64,
        body: Option<&str>,
        state: Option<IssueState>,
    ) -> Result<Issue, ForgeError>;

    // --- git refs (locks)
    /// `POST /repos/{o}/{r}/git/refs`. 422 `Reference already exists` is [`ForgeError::AlreadyExists`].
    async fn create_ref(
        &self,
        repo: &RepoId,
        full_ref: &str,
        sha: &Sha,
    ) -> Result<GitRef, ForgeError>;
    /// `GET /repos/{o}/{r}/git/ref/{ref}` (`ref` without the `refs/` prefix). 404 is `Ok(None)`.
    async fn get_ref(&self, repo: &RepoId, short_ref: &str) -> Result<Option<GitRef>, ForgeError>;
    /// `DELETE /repos/{o}/{r}/git/refs/{ref}` (`ref` without the `refs/` prefix).
    async fn delete_ref(&self, repo: &RepoId, short_ref: &str) -> Result<(), ForgeError>;
}
