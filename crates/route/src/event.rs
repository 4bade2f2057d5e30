//! GitHub event payloads, modelled with only the fields infra-ci reads.
//!
//! Never `deny_unknown_fields` here: GitHub adds fields at will. A field GitHub may omit or
//! send as `null` is an `Option` or has a default; a field without which the event means
//! nothing (a pull request's number and head SHA, a comment's id) is required, and its absence
//! is a [`EventError`] (the CLI exits 2 on it).

use serde::Deserialize;
use serde::de::DeserializeOwned;

/// A payload that could not be read.
#[derive(Debug, thiserror::Error)]
#[error(
    "the `{event}` event payload is not what GitHub sends ({source}); pass the file GitHub wrote to GITHUB_EVENT_PATH"
)]
pub struct EventError {
    /// The event name (`GITHUB_EVENT_NAME`).
    pub event: String,
    /// What serde found wrong, with line and column.
    #[source]
    pub source: serde_json::Error,
}

/// The events infra-ci routes; anything else is [`Event::Other`] and routes to nothing.
#[derive(Debug, Clone)]
pub enum Event {
    /// `pull_request` (and `pull_request_target`, which carries the same payload).
    PullRequest(PullRequestEvent),
    /// `issue_comment`: comments on issues and on pull requests alike.
    IssueComment(IssueCommentEvent),
    /// `push`.
    Push(PushEvent),
    /// `workflow_dispatch`: a person started the workflow by hand.
    WorkflowDispatch(WorkflowDispatchEvent),
    /// `schedule`: cron. The payload holds nothing infra-ci needs.
    Schedule,
    /// `pull_request_review`.
    PullRequestReview(PullRequestReviewEvent),
    /// Any other event name (its payload is not read).
    Other(String),
}

impl Event {
    /// Reads the payload of the event named `event_name` (`GITHUB_EVENT_NAME`).
    pub fn parse(event_name: &str, payload: &[u8]) -> Result<Self, EventError> {
        fn read<T: DeserializeOwned>(name: &str, payload: &[u8]) -> Result<T, EventError> {
            serde_json::from_slice(payload).map_err(|source| EventError {
                event: name.to_owned(),
                source,
            })
        }
        Ok(match event_name {
            "pull_request" | "pull_request_target" => Self::PullRequest(read(event_name, payload)?),
            "issue_comment" => Self::IssueComment(read(event_name, payload)?),
            "push" => Self::Push(read(event_name, payload)?),
            "workflow_dispatch" => Self::WorkflowDispatch(read(event_name, payload)?),
            "schedule" => {
                // Nothing is read, but a broken file is still a broken file.
                read::<serde::de::IgnoredAny>(event_name, payload)?;
                Self::Schedule
            }
            "pull_request_review" => Self::PullRequestReview(read(event_name, payload)?),
            other => Self::Other(other.to_owned()),
        })
    }
}

impl Event {
    /// The person who asked for what this event runs, and whether GitHub says the account is
    /// a bot: a comment's author (with the comment's `author_association`) or a dispatch's
    /// sender (only people with write access can dispatch: `COLLABORATOR`). `None` for other
    /// events and for a dispatch without a sender: nobody asked, so nothing is applied.
    pub fn requester(&self) -> Option<(crate::policy::Actor, bool)> {
        use infra_ci_config::Association;
        let (user, association) = match self {
            Self::IssueComment(e) => (
                &e.comment.user,
                Association::parse(e.comment.author_association.as_deref().unwrap_or("NONE")),
            ),
            Self::WorkflowDispatch(e) => (e.sender.as_ref()?, Association::Collaborator),
            _ => return None,
        };
        Some((
            crate::policy::Actor {
                login: user.login.clone(),
                association,
                teams: Vec::new(),
            },
            user.is_bot(),
        ))
    }

    /// The login of the pull request's author, for the events that carry the pull request.
    pub fn pull_author(&self) -> Option<&str> {
        let pull = match self {
            Self::PullRequest(e) => &e.pull_request,
            Self::PullRequestReview(e) => &e.pull_request,
            _ => return None,
        };
        pull.user.as_ref().map(|u| u.login.as_str())
    }

    /// The repository's default branch, as the payload names it.
    pub fn default_branch(&self) -> Option<&str> {
        let repo = match self {
            Self::PullRequest(e) => e.repository.as_ref(),
            Self::IssueComment(e) => e.repository.as_ref(),
            Self::Push(e) => e.repository.as_ref(),
            Self::WorkflowDispatch(e) => e.repository.as_ref(),
            Self::PullRequestReview(e) => e.repository.as_ref(),
            Self::Schedule | Self::Other(_) => None,
        }?;
        repo.default_branch.as_deref()
    }
}

/// A GitHub account.
#[derive(Debug, Clone, Deserialize)]
pub struct User {
    /// The login (`octocat`, `infra-flash[bot]`).
    pub login: String,
    /// `User`, `Bot` or `Organization`.
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
}

impl User {
    /// True for bots: `type: Bot`, or a login ending in `[bot]` (GitHub Apps, ours included).
    pub fn is_bot(&self) -> bool {
        self.kind.as_deref() == Some("Bot") || self.login.ends_with("[bot]")
    }
}

/// The repository an event happened in.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Repository {
    /// `owner/name`.
    #[serde(default)]
    pub full_name: Option<String>,
    /// The default branch (`main`).
    #[serde(default)]
    pub default_branch: Option<String>,
}

/// One side (head or base) of a pull request.
#[derive(Debug, Clone, Deserialize)]
pub struct PullSide {
    /// The commit.
    pub sha: String,
    /// The branch name.
    #[serde(rename = "ref", default)]
    pub branch: Option<String>,
    /// The repository; `null` when a fork was deleted.
    #[serde(default)]
    pub repo: Option<Repository>,
}

/// A pull request as webhook payloads carry it.
#[derive(Debug, Clone, Deserialize)]
pub struct PullRequest {
    /// The number.
    pub number: u64,
    /// `open` or `closed`.
    #[serde(default)]
    pub state: Option<String>,
    /// A draft is never planned automatically.
    #[serde(default)]
    pub draft: Option<bool>,
    /// Set when closed by merging.
    #[serde(default)]
    pub merged: Option<bool>,
    /// The proposed commit (its `sha` is what dashboards are keyed on).
    pub head: PullSide,
    /// The target branch.
    #[serde(default)]
    pub base: Option<PullSide>,
    /// Who opened it (an approval of their own never counts).
    #[serde(default)]
    pub user: Option<User>,
}

/// `pull_request` payload.
#[derive(Debug, Clone, Deserialize)]
pub struct PullRequestEvent {
    /// `opened`, `synchronize`, `closed`, ...
    pub action: String,
    /// The pull request.
    pub pull_request: PullRequest,
    /// The repository.
    #[serde(default)]
    pub repository: Option<Repository>,
}

/// The `pull_request` marker an issue carries when it is a pull request.
#[derive(Debug, Clone, Deserialize)]
pub struct IssuePullRef {
    /// API URL of the pull request.
    #[serde(default)]
    pub url: Option<String>,
}

/// An issue (or a pull request seen as an issue).
#[derive(Debug, Clone, Deserialize)]
pub struct Issue {
    /// The number (the pull request number when it is one).
    pub number: u64,
    /// `open` or `closed`.
    #[serde(default)]
    pub state: Option<String>,
    /// Present only when the issue is a pull request.
    #[serde(default)]
    pub pull_request: Option<IssuePullRef>,
}

/// A comment on an issue or pull request.
#[derive(Debug, Clone, Deserialize)]
pub struct Comment {
    /// The comment id (reactions go to it).
    pub id: u64,
    /// The Markdown text; GitHub may send `null`.
    #[serde(default)]
    pub body: Option<String>,
    /// The author.
    pub user: User,
    /// The author's relationship to the repository (`OWNER`, `CONTRIBUTOR`, ...).
    #[serde(default)]
    pub author_association: Option<String>,
}

/// `issue_comment` payload.
#[derive(Debug, Clone, Deserialize)]
pub struct IssueCommentEvent {
    /// `created`, `edited` or `deleted`.
    pub action: String,
    /// The issue or pull request commented on.
    pub issue: Issue,
    /// The comment.
    pub comment: Comment,
    /// The repository.
    #[serde(default)]
    pub repository: Option<Repository>,
}

/// `push` payload.
#[derive(Debug, Clone, Deserialize)]
pub struct PushEvent {
    /// `refs/heads/<branch>` or `refs/tags/<tag>`.
    #[serde(rename = "ref")]
    pub git_ref: String,
    /// The commit the ref points at now (40 zeros when deleted).
    #[serde(default)]
    pub after: Option<String>,
    /// True when the ref was deleted.
    #[serde(default)]
    pub deleted: Option<bool>,
    /// The repository.
    #[serde(default)]
    pub repository: Option<Repository>,
}

/// `workflow_dispatch` payload.
#[derive(Debug, Clone, Deserialize)]
pub struct WorkflowDispatchEvent {
    /// The inputs as given (GitHub sends strings, booleans or numbers; may be `null`).
    #[serde(default)]
    pub inputs: Option<serde_json::Map<String, serde_json::Value>>,
    /// The ref the workflow runs on.
    #[serde(rename = "ref", default)]
    pub git_ref: Option<String>,
    /// Who started it.
    #[serde(default)]
    pub sender: Option<User>,
    /// The repository.
    #[serde(default)]
    pub repository: Option<Repository>,
}

impl WorkflowDispatchEvent {
    /// The input `name` as text: strings as they are, numbers and booleans written out,
    /// empty strings and other types as absent.
    pub fn input(&self, name: &str) -> Option<String> {
        let value = self.inputs.as_ref()?.get(name)?;
        let text = match value {
            serde_json::Value::String(s) => s.trim().to_owned(),
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::Bool(b) => b.to_string(),
            _ => return None,
        };
        (!text.is_empty()).then_some(text)
    }
}

/// A pull request review.
#[derive(Debug, Clone, Deserialize)]
pub struct Review {
    /// The review id.
    #[serde(default)]
    pub id: Option<u64>,
    /// `approved`, `changes_requested`, `commented` or `dismissed` (any case).
    pub state: String,
    /// The commit reviewed.
    #[serde(default)]
    pub commit_id: Option<String>,
    /// The reviewer; `null` for a deleted account.
    #[serde(default)]
    pub user: Option<User>,
}

/// `pull_request_review` payload.
#[derive(Debug, Clone, Deserialize)]
pub struct PullRequestReviewEvent {
    /// `submitted`, `edited` or `dismissed`.
    pub action: String,
    /// The review.
    pub review: Review,
    /// The pull request reviewed.
    pub pull_request: PullRequest,
    /// The repository.
    #[serde(default)]
    pub repository: Option<Repository>,
}
