//! GitHub's wire types, one set for webhook payloads and REST responses.
//!
//! A comment, a pull request or a review arrives two ways: in the event that started a job
//! (`route` reads it) and from the REST API (`github` reads it). Both describe the same
//! object with the same field names, so they are modelled once, here, with only the fields
//! infra-ci reads; a field one of the two ways leaves out is optional or has a default.
//! Never `deny_unknown_fields`: GitHub adds fields without notice. States are enums; a
//! commit is a [`Sha`]. Depends on nothing of ours, so every layer may use it.

mod account;
mod comment;
mod git;
mod issue;
mod pull;
mod sha;
mod status;

pub use account::User;
pub use comment::{Comment, Reaction};
pub use git::{Comparison, GitObject, GitRef, TeamMembership};
pub use issue::{Issue, IssuePullRef, IssueState};
pub use pull::{PullRequest, PullSide, PullState, Repository, Review, ReviewState};
pub use sha::{Sha, ShaError, short_sha};
pub use status::{CombinedStatus, CommitStatus, StatusState};
