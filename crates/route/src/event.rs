//! GitHub event payloads, modelled with only the fields infra-ci reads. The objects they
//! carry (comments, pull requests, reviews) are `infra-ci-wire`'s, shared with the REST client.
//!
//! Never `deny_unknown_fields` here: GitHub adds fields at will. A field GitHub may omit or
//! send as `null` is an `Option` or has a default; a field without which the event means
//! nothing (a pull request's number and head SHA, a comment's id) is required, and its absence
//! is a [`EventError`] (the CLI exits 2 on it).

pub use infra_ci_wire::{
    Comment, Issue, IssuePullRef, IssueState, PullRequest, PullSide, PullState, Repository, Review,
    ReviewState, Sha, User,
};
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
                e.comment.user.as_ref()?,
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
    pub after: Option<Sha>,
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
