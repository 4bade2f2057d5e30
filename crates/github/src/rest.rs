//! The [`Forge`] implementation of [`GitHubClient`]: one REST endpoint per method.

use async_trait::async_trait;
use reqwest::Method;
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::json;

use crate::client::{GitHubClient, ref_path, segment};
use crate::error::{ForgeError, Permission};
use crate::forge::{Forge, RepoId};
use crate::http::Request;
use crate::types::{
    CombinedStatus, Comment, CommentPage, CommitStatus, Comparison, FileContents, GitRef, Issue,
    IssueState, PullRequest, Reaction, Review, Sha, StatusState, TeamMembership, User,
};

/// `/issues` lists pull requests too; they carry a `pull_request` key.
#[derive(Deserialize)]
struct IssueOrPull {
    #[serde(flatten)]
    issue: Issue,
    #[serde(default)]
    pull_request: Option<IgnoredAny>,
}

fn query(pairs: &[(&str, &str)]) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        q.append_pair(k, v);
    }
    q.finish()
}

#[async_trait]
impl Forge for GitHubClient {
    async fn current_user(&self) -> Result<User, ForgeError> {
        let req = Request::new(
            Method::GET,
            self.url("/user"),
            "the token's user (GET /user)",
            Permission::None,
        );
        self.json(&req, None).await
    }

    async fn whoami(&self) -> Result<String, ForgeError> {
        self.login
            .get_or_try_init(|| async {
                match self.current_user().await {
                    Ok(user) => Ok(user.login),
                    // Installation tokens (GITHUB_TOKEN included) may not call GET /user.
                    Err(e) if e.is_forbidden() => self.fallback_login().await,
                    Err(e) => Err(e),
                }
            })
            .await
            .cloned()
    }

    async fn get_pull(&self, repo: &RepoId, number: u64) -> Result<PullRequest, ForgeError> {
        let url = self.repo_url(repo, &format!("/pulls/{number}"));
        self.get(
            repo,
            url,
            format!("pull request #{number} in {repo}"),
            Permission::Pulls,
        )
        .await
    }

    async fn pulls_for_commit(
        &self,
        repo: &RepoId,
        sha: &Sha,
    ) -> Result<Vec<PullRequest>, ForgeError> {
        let url = self.repo_url(
            repo,
            &format!("/commits/{}/pulls?per_page=100", ref_path(sha)),
        );
        self.get(
            repo,
            url,
            format!("pull requests of commit {sha} in {repo}"),
            Permission::Pulls,
        )
        .await
    }

    async fn list_reviews(&self, repo: &RepoId, number: u64) -> Result<Vec<Review>, ForgeError> {
        let url = self.repo_url(repo, &format!("/pulls/{number}/reviews?per_page=100"));
        self.get_all(
            repo,
            url,
            format!("reviews of pull request #{number} in {repo}"),
            Permission::Pulls,
        )
        .await
    }

    async fn compare(
        &self,
        repo: &RepoId,
        base: &str,
        head: &str,
    ) -> Result<Comparison, ForgeError> {
        // Branch names keep their `/`s, as GitHub reads them in `{basehead}`.
        let url = self.repo_url(
            repo,
            &format!("/compare/{}...{}", ref_path(base), ref_path(head)),
        );
        self.get(
            repo,
            url,
            format!("the comparison of {head} with {base} in {repo}"),
            Permission::Contents,
        )
        .await
    }

    async fn team_membership(
        &self,
        org: &str,
        team_slug: &str,
        login: &str,
    ) -> Result<bool, ForgeError> {
        let url = self.url(&format!(
            "/orgs/{}/teams/{}/memberships/{}",
            segment(org),
            segment(team_slug),
            segment(login)
        ));
        let what = format!("the membership of @{login} in team {org}/{team_slug}");
        let req = Request::new(Method::GET, url, what, Permission::Members);
        // No repository: App auth uses the installation it already resolved (from
        // GITHUB_APP_INSTALLATION_ID or GITHUB_REPOSITORY), which is the organization's.
        match self.json::<TeamMembership>(&req, None).await {
            Ok(m) => Ok(m.state == "active"),
            Err(e) if e.is_not_found() => Ok(false),
            Err(e) => Err(e),
        }
    }

    async fn list_comments_page(
        &self,
        repo: &RepoId,
        issue: u64,
        page: u32,
        per_page: u8,
    ) -> Result<CommentPage, ForgeError> {
        let q = query(&[
            ("per_page", &per_page.clamp(1, 100).to_string()),
            ("page", &page.max(1).to_string()),
        ]);
        let url = self.repo_url(repo, &format!("/issues/{issue}/comments?{q}"));
        let what = format!("comments of #{issue} in {repo} (page {page})");
        let req = Request::new(Method::GET, url, what.clone(), Permission::Comments);
        let reply = self.send(&req, Some(repo)).await?;
        Ok(CommentPage {
            comments: reply.json(&what)?,
            last_page: reply.links().last_page(),
        })
    }

    async fn get_comment(&self, repo: &RepoId, id: u64) -> Result<Comment, ForgeError> {
        let url = self.repo_url(repo, &format!("/issues/comments/{id}"));
        self.get_conditional(
            repo,
            url,
            format!("comment {id} in {repo}"),
            Permission::Comments,
        )
        .await
    }

    async fn create_comment(
        &self,
        repo: &RepoId,
        issue: u64,
        body: &str,
    ) -> Result<Comment, ForgeError> {
        let url = self.repo_url(repo, &format!("/issues/{issue}/comments"));
        let req = Request::new(
            Method::POST,
            url,
            format!("a new comment on #{issue} in {repo}"),
            Permission::Comments,
        )
        .json(json!({ "body": body }))
        .create();
        self.json(&req, Some(repo)).await
    }

    async fn update_comment(
        &self,
        repo: &RepoId,
        id: u64,
        body: &str,
    ) -> Result<Comment, ForgeError> {
        let url = self.repo_url(repo, &format!("/issues/comments/{id}"));
        let req = Request::new(
            Method::PATCH,
            url,
            format!("comment {id} in {repo}"),
            Permission::Comments,
        )
        .json(json!({ "body": body }));
        self.json(&req, Some(repo)).await
    }

    async fn delete_comment(&self, repo: &RepoId, id: u64) -> Result<(), ForgeError> {
        let url = self.repo_url(repo, &format!("/issues/comments/{id}"));
        let req = Request::new(
            Method::DELETE,
            url,
            format!("comment {id} in {repo}"),
            Permission::Comments,
        );
        self.send(&req, Some(repo)).await.map(drop)
    }

    async fn add_reaction(
        &self,
        repo: &RepoId,
        comment_id: u64,
        content: &str,
    ) -> Result<Reaction, ForgeError> {
        let url = self.repo_url(repo, &format!("/issues/comments/{comment_id}/reactions"));
        // Safe to retry: a repeated reaction answers 200 with the existing one.
        let what = format!("a {content:?} reaction on comment {comment_id} in {repo}");
        let req = Request::new(Method::POST, url, what, Permission::Comments)
            .json(json!({ "content": content }));
        self.json(&req, Some(repo)).await
    }

    async fn minimize_comment(&self, node_id: &str) -> Result<(), ForgeError> {
        crate::graphql::minimize_comment(self, node_id).await
    }

    async fn create_status(
        &self,
        repo: &RepoId,
        sha: &Sha,
        state: StatusState,
        context: &str,
        description: &str,
        target_url: Option<&str>,
    ) -> Result<CommitStatus, ForgeError> {
        let url = self.repo_url(repo, &format!("/statuses/{}", ref_path(sha)));
        let mut body =
            json!({ "state": state.as_str(), "context": context, "description": description });
        if let Some(target) = target_url {
            body["target_url"] = json!(target);
        }
        // Safe to retry: a repeated status with the same context supersedes the first.
        let what = format!("status {context:?} on {sha} in {repo}");
        self.json(
            &Request::new(Method::POST, url, what, Permission::Statuses).json(body),
            Some(repo),
        )
        .await
    }

    async fn combined_status(
        &self,
        repo: &RepoId,
        sha: &Sha,
    ) -> Result<CombinedStatus, ForgeError> {
        let url = self.repo_url(
            repo,
            &format!("/commits/{}/status?per_page=100", ref_path(sha)),
        );
        let what = format!("the combined status of {sha} in {repo}");
        let mut merged: Option<CombinedStatus> = None;
        let first = Request::new(Method::GET, url, what.clone(), Permission::Statuses);
        self.each_page(repo, first, |reply| {
            let page: CombinedStatus = reply.json(&what)?;
            match merged.as_mut() {
                None => merged = Some(page),
                Some(all) => all.statuses.extend(page.statuses),
            }
            Ok(())
        })
        .await?;
        merged.ok_or_else(|| ForgeError::Decode {
            what,
            message: "no page was read".to_owned(),
        })
    }

    async fn list_statuses(
        &self,
        repo: &RepoId,
        sha: &Sha,
    ) -> Result<Vec<CommitStatus>, ForgeError> {
        let url = self.repo_url(
            repo,
            &format!("/commits/{}/statuses?per_page=100", ref_path(sha)),
        );
        // GitHub lists a commit's statuses newest first: a new status changes page 1.
        self.get_all_newest_first(
            repo,
            url,
            format!("the statuses of {sha} in {repo}"),
            Permission::Statuses,
        )
        .await
    }

    async fn list_statuses_newest(
        &self,
        repo: &RepoId,
        sha: &Sha,
    ) -> Result<(Vec<CommitStatus>, bool), ForgeError> {
        let url = self.repo_url(
            repo,
            &format!("/commits/{}/statuses?per_page=100", ref_path(sha)),
        );
        let what = format!("the newest statuses of {sha} in {repo}");
        let req = Request::new(Method::GET, url, what.clone(), Permission::Statuses).conditional();
        let reply = self.send(&req, Some(repo)).await?;
        let all = reply.links().next.is_none();
        Ok((reply.json(&what)?, all))
    }

    async fn list_statuses_page(
        &self,
        repo: &RepoId,
        sha: &Sha,
        page: u32,
    ) -> Result<(Vec<CommitStatus>, bool), ForgeError> {
        let url = self.repo_url(
            repo,
            &format!(
                "/commits/{}/statuses?per_page=100&page={}",
                ref_path(sha),
                page.max(1)
            ),
        );
        let what = format!("page {page} of the statuses of {sha} in {repo}");
        let req = Request::new(Method::GET, url, what.clone(), Permission::Statuses).conditional();
        let reply = self.send(&req, Some(repo)).await?;
        let last = reply.links().next.is_none();
        Ok((reply.json(&what)?, last))
    }

    async fn default_branch(&self, repo: &RepoId) -> Result<String, ForgeError> {
        #[derive(Deserialize)]
        struct Repo {
            default_branch: String,
        }
        let url = self.repo_url(repo, "");
        let r: Repo = self
            .get(
                repo,
                url,
                format!("the repository {repo}"),
                Permission::ContentsRead,
            )
            .await?;
        Ok(r.default_branch)
    }

    async fn file_contents(
        &self,
        repo: &RepoId,
        path: &str,
        git_ref: &str,
    ) -> Result<Option<String>, ForgeError> {
        let url = self.repo_url(
            repo,
            &format!("/contents/{}?ref={}", ref_path(path), segment(git_ref)),
        );
        let what = format!("{path} at {git_ref} in {repo}");
        match self
            .get::<FileContents>(repo, url, what.clone(), Permission::ContentsRead)
            .await
        {
            Ok(f) => f.text(&what).map(Some),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Pull requests (which `/issues` also lists) are left out.
    async fn list_issues(
        &self,
        repo: &RepoId,
        labels: &str,
        creator: Option<&str>,
    ) -> Result<Vec<Issue>, ForgeError> {
        let mut pairs = vec![("state", "all"), ("per_page", "100")];
        if !labels.is_empty() {
            pairs.push(("labels", labels));
        }
        if let Some(c) = creator {
            pairs.push(("creator", c));
        }
        let url = self.repo_url(repo, &format!("/issues?{}", query(&pairs)));
        let what = format!("issues labelled {labels:?} in {repo}");
        let items: Vec<IssueOrPull> = self.get_all(repo, url, what, Permission::Issues).await?;
        Ok(items
            .into_iter()
            .filter(|i| i.pull_request.is_none())
            .map(|i| i.issue)
            .collect())
    }

    async fn create_issue(
        &self,
        repo: &RepoId,
        title: &str,
        body: &str,
        labels: &[String],
    ) -> Result<Issue, ForgeError> {
        let url = self.repo_url(repo, "/issues");
        let req = Request::new(
            Method::POST,
            url,
            format!("a new issue {title:?} in {repo}"),
            Permission::Issues,
        )
        .json(json!({ "title": title, "body": body, "labels": labels }))
        .create();
        self.json(&req, Some(repo)).await
    }

    async fn update_issue(
        &self,
        repo: &RepoId,
        number: u64,
        body: Option<&str>,
        state: Option<IssueState>,
    ) -> Result<Issue, ForgeError> {
        let url = self.repo_url(repo, &format!("/issues/{number}"));
        let mut patch = serde_json::Map::new();
        if let Some(b) = body {
            patch.insert("body".to_owned(), json!(b));
        }
        if let Some(s) = state {
            patch.insert("state".to_owned(), json!(s));
        }
        let req = Request::new(
            Method::PATCH,
            url,
            format!("issue #{number} in {repo}"),
            Permission::Issues,
        )
        .json(serde_json::Value::Object(patch));
        self.json(&req, Some(repo)).await
    }

    async fn create_ref(
        &self,
        repo: &RepoId,
        full_ref: &str,
        sha: &Sha,
    ) -> Result<GitRef, ForgeError> {
        let url = self.repo_url(repo, "/git/refs");
        let req = Request::new(
            Method::POST,
            url,
            format!("ref {full_ref} in {repo}"),
            Permission::Contents,
        )
        .json(json!({ "ref": full_ref, "sha": sha }))
        .create();
        self.json(&req, Some(repo)).await
    }

    async fn get_ref(&self, repo: &RepoId, short_ref: &str) -> Result<Option<GitRef>, ForgeError> {
        let url = self.repo_url(repo, &format!("/git/ref/{}", ref_path(short_ref)));
        match self
            .get(
                repo,
                url,
                format!("ref refs/{short_ref} in {repo}"),
                Permission::Contents,
            )
            .await
        {
            Ok(r) => Ok(Some(r)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn delete_ref(&self, repo: &RepoId, short_ref: &str) -> Result<(), ForgeError> {
        let url = self.repo_url(repo, &format!("/git/refs/{}", ref_path(short_ref)));
        let req = Request::new(
            Method::DELETE,
            url,
            format!("ref refs/{short_ref} in {repo}"),
            Permission::Contents,
        );
        self.send(&req, Some(repo)).await.map(drop)
    }
}
