//! [`AdminClient`]: the admin API over HTTP, one typed method per call, for the tests,
//! `infra-ci demo`, the soak and the benches (everything that seeds an emulator it talks
//! to over HTTP). It sends the [`super`] bodies and returns what the emulator answers.

use std::fmt;

use reqwest::Method;
use serde::Serialize;
use serde_json::Value;

use super::{
    Advance, BulkComments, FaultConfig, Latency, Limits, LogEntry, NewApp, NewCommit, NewFile,
    NewMember, NewRepo, NewReview, NewUser, PullFields, RateLimit,
};

/// An admin call that failed: the emulator answered non-2xx, or could not be reached.
#[derive(Debug)]
pub struct AdminError {
    /// `METHOD /_emulator/…`.
    pub call: String,
    /// The answer's status, or `None` when there was no answer.
    pub status: Option<u16>,
    /// The answer's body, or what went wrong on the way.
    pub detail: String,
}

impl fmt::Display for AdminError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.status {
            Some(s) => write!(f, "admin {} answered {s}: {}", self.call, self.detail),
            None => write!(f, "admin {} failed: {}", self.call, self.detail),
        }
    }
}

impl std::error::Error for AdminError {}

/// The admin API of the emulator at one base URL. Cheap to clone (reqwest's client is).
#[derive(Debug, Clone)]
pub struct AdminClient {
    http: reqwest::Client,
    base: String,
}

impl AdminClient {
    /// The admin API of the emulator at `base_url` (`http://HOST:PORT`, as
    /// [`crate::EmulatorHandle::base_url`] gives it).
    pub fn new(base_url: &str) -> Self {
        Self {
            http: reqwest::Client::new(),
            base: base_url.trim_end_matches('/').to_owned(),
        }
    }

    /// The emulator's base URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// `method /_emulator{path}` with an optional JSON body; the answer's JSON (`null` when
    /// empty). Every typed method below goes through here.
    pub async fn send<B: Serialize + ?Sized>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<Value, AdminError> {
        let call = format!("{method} /_emulator{path}");
        let mut req = self
            .http
            .request(method, format!("{}/_emulator{path}", self.base));
        if let Some(b) = body {
            req = req.json(b);
        }
        let failed = |e: reqwest::Error| AdminError {
            call: call.clone(),
            status: None,
            detail: e.to_string(),
        };
        let res = req.send().await.map_err(failed)?;
        let status = res.status();
        let text = res.text().await.map_err(failed)?;
        if !status.is_success() {
            return Err(AdminError {
                call,
                status: Some(status.as_u16()),
                detail: text,
            });
        }
        Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn post<B: Serialize + ?Sized>(&self, path: &str, body: &B) -> Result<Value, AdminError> {
        self.send(Method::POST, path, Some(body)).await
    }

    async fn get(&self, path: &str) -> Result<Value, AdminError> {
        self.send::<Value>(Method::GET, path, None).await
    }

    async fn delete(&self, path: &str) -> Result<(), AdminError> {
        self.send::<Value>(Method::DELETE, path, None)
            .await
            .map(drop)
    }

    /// Creates repository `body.full_name`; its JSON, as the REST API shows it.
    pub async fn repo(&self, body: &NewRepo) -> Result<Value, AdminError> {
        self.post("/repos", body).await
    }

    /// Creates or updates a user; the user's JSON.
    pub async fn user(&self, body: &NewUser) -> Result<Value, AdminError> {
        self.post("/users", body).await
    }

    /// Registers a GitHub App; `{"id", "slug", "bot"}`.
    pub async fn app(&self, body: &NewApp) -> Result<Value, AdminError> {
        self.post("/apps", body).await
    }

    /// Seeds a pull request of `repo` (`owner/name`); its JSON.
    pub async fn pull(&self, repo: &str, body: &PullFields) -> Result<Value, AdminError> {
        self.post(&format!("/repos/{repo}/pulls"), body).await
    }

    /// Changes pull request `number` of `repo`; its JSON.
    pub async fn edit_pull(
        &self,
        repo: &str,
        number: u64,
        body: &PullFields,
    ) -> Result<Value, AdminError> {
        self.send(
            Method::PATCH,
            &format!("/repos/{repo}/pulls/{number}"),
            Some(body),
        )
        .await
    }

    /// Adds a submitted review to pull request `number` of `repo`; the review's JSON.
    pub async fn review(
        &self,
        repo: &str,
        number: u64,
        body: &NewReview,
    ) -> Result<Value, AdminError> {
        self.post(&format!("/repos/{repo}/pulls/{number}/reviews"), body)
            .await
    }

    /// Adds many comments to issue or pull request `number` of `repo`;
    /// `{"created", "first_id", "last_id"}`.
    pub async fn bulk_comments(
        &self,
        repo: &str,
        number: u64,
        body: &BulkComments,
    ) -> Result<Value, AdminError> {
        self.post(
            &format!("/repos/{repo}/issues/{number}/comments/bulk"),
            body,
        )
        .await
    }

    /// Declares a commit of `repo` and its parents.
    pub async fn commit(&self, repo: &str, body: &NewCommit) -> Result<Value, AdminError> {
        self.post(&format!("/repos/{repo}/commits"), body).await
    }

    /// Seeds (or replaces) file `path` of `repo`.
    pub async fn file(&self, repo: &str, path: &str, body: &NewFile) -> Result<Value, AdminError> {
        self.send(
            Method::PUT,
            &format!("/repos/{repo}/contents/{path}"),
            Some(body),
        )
        .await
    }

    /// Sets (or removes) one membership of team `org/team`.
    pub async fn team_member(
        &self,
        org: &str,
        team: &str,
        body: &NewMember,
    ) -> Result<Value, AdminError> {
        self.post(&format!("/orgs/{org}/teams/{team}/members"), body)
            .await
    }

    /// The emulator's clock: `{"now", "offset_ms"}`.
    pub async fn clock(&self) -> Result<Value, AdminError> {
        self.get("/clock").await
    }

    /// Moves the emulator's clock `seconds` forward.
    pub async fn advance_clock(&self, seconds: u64) -> Result<Value, AdminError> {
        self.post("/clock", &Advance { seconds }).await
    }

    /// Turns every rate limit off (`false`) or back on with fresh windows (`true`).
    pub async fn limits(&self, enabled: bool) -> Result<Value, AdminError> {
        self.post("/limits", &Limits { enabled }).await
    }

    /// Replaces every primary rate limit.
    pub async fn rate_limit(&self, body: &RateLimit) -> Result<Value, AdminError> {
        self.post("/ratelimit", body).await
    }

    /// Sets the latency added to every API request.
    pub async fn latency(&self, body: &Latency) -> Result<Value, AdminError> {
        self.post("/latency", body).await
    }

    /// Installs fault rules (replacing any), with a fresh RNG of `body.seed`.
    pub async fn faults(&self, body: &FaultConfig) -> Result<Value, AdminError> {
        self.post("/faults", body).await
    }

    /// Removes every fault rule.
    pub async fn clear_faults(&self) -> Result<(), AdminError> {
        self.delete("/faults").await
    }

    /// The API requests logged so far, oldest first.
    pub async fn requests(&self) -> Result<Vec<LogEntry>, AdminError> {
        let v = self.get("/requests").await?;
        serde_json::from_value(v).map_err(|e| AdminError {
            call: "GET /_emulator/requests".to_owned(),
            status: Some(200),
            detail: format!("not a request log: {e}"),
        })
    }

    /// Empties the request log.
    pub async fn clear_requests(&self) -> Result<(), AdminError> {
        self.delete("/requests").await
    }

    /// Everything stored (users, repositories with their pull requests and statuses,
    /// comments), as `GET /_emulator/state` dumps it.
    pub async fn state(&self) -> Result<Value, AdminError> {
        self.get("/state").await
    }
}
