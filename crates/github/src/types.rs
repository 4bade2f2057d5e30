//! The client's own shapes; GitHub's objects themselves are `infra-ci-wire`'s, re-exported
//! here so callers name them from one place.

use serde::Deserialize;

pub use infra_ci_wire::{
    CombinedStatus, Comment, CommitStatus, Comparison, GitObject, GitRef, Issue, IssuePullRef,
    IssueState, PullRequest, PullSide, PullState, Reaction, Repository, Review, ReviewState, Sha,
    StatusState, TeamMembership, User, short_sha,
};

/// One page of comments and where the list ends.
#[derive(Debug, Clone, Default)]
pub struct CommentPage {
    /// The comments on this page, oldest first as GitHub lists them.
    pub comments: Vec<Comment>,
    /// The `last` page from the `Link` header; `None` when this is the only or last page.
    pub last_page: Option<u32>,
}

/// `GET contents/{path}` for a file (`content-file`): base64 text, wrapped at 60 columns.
#[derive(Debug, Clone, Deserialize)]
pub struct FileContents {
    /// `file`, `dir`, `symlink` or `submodule`.
    #[serde(rename = "type", default)]
    pub kind: String,
    /// How `content` is encoded: `base64` for a file; empty when absent (a directory).
    #[serde(default)]
    pub encoding: String,
    /// The encoded file body, with line breaks GitHub inserts; empty when absent.
    #[serde(default)]
    pub content: String,
}

impl FileContents {
    /// The file's UTF-8 text. A directory, a symlink or an undecodable body is an error
    /// (a configuration must be a regular file; a symlink is never followed).
    pub fn text(&self, what: &str) -> Result<String, crate::ForgeError> {
        use base64::Engine as _;
        let bad = |message: String| crate::ForgeError::Decode {
            what: what.to_owned(),
            message,
        };
        if self.kind != "file" {
            return Err(bad(format!("it is a {}, not a file", self.kind)));
        }
        if self.encoding != "base64" {
            return Err(bad(format!("unexpected encoding {:?}", self.encoding)));
        }
        let compact: String = self.content.split_ascii_whitespace().collect();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(compact)
            .map_err(|e| bad(format!("not base64: {e}")))?;
        String::from_utf8(bytes).map_err(|_| bad("not UTF-8 text".to_owned()))
    }
}
