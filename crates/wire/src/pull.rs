//! Pull requests, their sides and their reviews.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::account::User;
use crate::sha::Sha;

/// `open` or `closed` (a merged pull request is closed, with `merged` true).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PullState {
    /// Open.
    Open,
    /// Closed, merged or not.
    Closed,
}

/// A repository as a pull request's side or an event names it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Repository {
    /// `owner/name`; empty when left out.
    #[serde(default)]
    pub full_name: String,
    /// The default branch (`main`); `None` when left out.
    #[serde(default)]
    pub default_branch: Option<String>,
    /// Whether the repository is a fork; false when left out.
    #[serde(default)]
    pub fork: bool,
}

/// `head` or `base` of a pull request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullSide {
    /// The branch name, without `refs/heads/` (GitHub's `ref`); empty when left out.
    #[serde(rename = "ref", default)]
    pub git_ref: String,
    /// The commit the branch pointed at when GitHub built the payload or response.
    pub sha: Sha,
    /// `None` when the fork was deleted.
    #[serde(default)]
    pub repo: Option<Repository>,
}

/// A pull request (REST `pull-request` and `pull-request-simple`; the `pull_request` of an
/// event).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullRequest {
    /// The pull request's number in its repository.
    pub number: u64,
    /// Open or closed.
    pub state: PullState,
    /// Whether it was merged; `None` in list responses (`pull-request-simple`), which omit it.
    #[serde(default)]
    pub merged: Option<bool>,
    /// Whether GitHub can merge it cleanly; `None` while GitHub is still computing it, or in lists.
    #[serde(default)]
    pub mergeable: Option<bool>,
    /// Why it can or cannot merge (`clean`, `blocked`, `behind`, `dirty`, `unknown`, ...);
    /// `None` in lists.
    #[serde(default)]
    pub mergeable_state: Option<String>,
    /// Whether it is a draft; `None` when GitHub left the field out.
    #[serde(default)]
    pub draft: Option<bool>,
    /// The author; `None` when GitHub sent `null`.
    #[serde(default)]
    pub user: Option<User>,
    /// The branch and commit being merged (its `sha` is what dashboards are keyed on).
    pub head: PullSide,
    /// The branch it merges into.
    pub base: PullSide,
    /// The pull request's page on github.com; empty when absent.
    #[serde(default)]
    pub html_url: String,
    /// The test merge commit while open, the merge commit once merged; `None` when there is none.
    #[serde(default)]
    pub merge_commit_sha: Option<Sha>,
}

impl PullRequest {
    /// The author's login, or `""` when unknown.
    pub fn author(&self) -> &str {
        self.user.as_ref().map_or("", |u| u.login.as_str())
    }
}

/// What a review says. Payloads write it lowercase, REST uppercase; both read the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReviewState {
    /// Approved.
    Approved,
    /// Changes requested.
    ChangesRequested,
    /// A comment only: decides nothing.
    Commented,
    /// An earlier review, dismissed.
    Dismissed,
    /// Not submitted yet.
    Pending,
    /// A state GitHub added later: decides nothing.
    Other,
}

impl ReviewState {
    /// Reads GitHub's word in any case (`approved`, `CHANGES_REQUESTED`).
    pub fn from_word(word: &str) -> Self {
        match word.to_ascii_uppercase().as_str() {
            "APPROVED" => Self::Approved,
            "CHANGES_REQUESTED" => Self::ChangesRequested,
            "COMMENTED" => Self::Commented,
            "DISMISSED" => Self::Dismissed,
            "PENDING" => Self::Pending,
            _ => Self::Other,
        }
    }

    /// The REST word (`APPROVED`, ...); `OTHER` for a state this version does not know.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approved => "APPROVED",
            Self::ChangesRequested => "CHANGES_REQUESTED",
            Self::Commented => "COMMENTED",
            Self::Dismissed => "DISMISSED",
            Self::Pending => "PENDING",
            Self::Other => "OTHER",
        }
    }
}

impl Serialize for ReviewState {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ReviewState {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let word = String::deserialize(d)?;
        Ok(Self::from_word(&word))
    }
}

/// A pull request review (REST `pull-request-review`; the `review` of a
/// `pull_request_review` event).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    /// GitHub's id for the review; 0 when left out.
    #[serde(default)]
    pub id: u64,
    /// The reviewer; `None` when GitHub sent `null` (a deleted account).
    #[serde(default)]
    pub user: Option<User>,
    /// What it says.
    pub state: ReviewState,
    /// The commit the review was made on, to tell an approval of the head from an older one;
    /// `None` when absent.
    #[serde(default)]
    pub commit_id: Option<Sha>,
    /// The reviewer's relationship to the repository (`OWNER`, `COLLABORATOR`, `NONE`, ...).
    #[serde(default)]
    pub author_association: Option<String>,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_review_reads_the_same_from_a_payload_and_from_rest() {
        let payload: Review =
            serde_json::from_str(r#"{"state":"approved","commit_id":"abc1234","user":null}"#)
                .unwrap();
        let rest: Review = serde_json::from_str(
            r#"{"id":1,"state":"APPROVED","commit_id":"abc1234","user":{"login":"bob"}}"#,
        )
        .unwrap();
        assert_eq!(payload.state, ReviewState::Approved);
        assert_eq!(rest.state, payload.state);
        let odd: Review = serde_json::from_str(r#"{"state":"SOMETHING_NEW"}"#).unwrap();
        assert_eq!(odd.state, ReviewState::Other);
    }
}
