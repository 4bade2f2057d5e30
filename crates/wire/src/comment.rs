//! Comments on issues and pull requests, and their reactions.

use serde::{Deserialize, Serialize};

use crate::account::User;

/// An issue or pull-request comment (REST `issue-comment`; the `comment` of an
/// `issue_comment` event).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    /// The REST id, used to edit, delete or react to the comment.
    pub id: u64,
    /// The GraphQL id, needed to minimize the comment; empty when GitHub sent none.
    #[serde(default)]
    pub node_id: String,
    /// The Markdown body; `None` when GitHub sent `null` or left it out ([`Comment::body`]
    /// reads it as `""`).
    #[serde(default)]
    pub body: Option<String>,
    /// The author; `None` when GitHub sent `null` (a deleted account).
    #[serde(default)]
    pub user: Option<User>,
    /// The author's relationship to the repository (`OWNER`, `CONTRIBUTOR`, ...); `None`
    /// when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author_association: Option<String>,
    /// The comment's page on github.com, for links; empty when absent.
    #[serde(default)]
    pub html_url: String,
    /// When it was created (ISO 8601 timestamp, as GitHub sends it); empty when absent.
    #[serde(default)]
    pub created_at: String,
    /// When it was last edited (ISO 8601 timestamp); empty when absent.
    #[serde(default)]
    pub updated_at: String,
    /// `…/repos/{o}/{r}/issues/{n}`: the issue or pull request the comment is on.
    #[serde(default)]
    pub issue_url: String,
}

impl Comment {
    /// The author's login, or `""` for a deleted ("ghost") account.
    pub fn author(&self) -> &str {
        self.user.as_ref().map_or("", |u| u.login.as_str())
    }
    /// The body, or `""` when GitHub sent none.
    pub fn body(&self) -> &str {
        self.body.as_deref().unwrap_or("")
    }
    /// The number of the issue or pull request the comment is on, read from `issue_url`.
    pub fn issue_number(&self) -> Option<u64> {
        self.issue_url.rsplit_once("/issues/")?.1.parse().ok()
    }
}

/// A reaction on a comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reaction {
    /// The REST id, used to delete the reaction.
    pub id: u64,
    /// The emoji name: `+1`, `-1`, `laugh`, `confused`, `heart`, `hooray`, `rocket` or `eyes`.
    pub content: String,
}
