//! Pure dashboard domain: no I/O, no async, no clock (times are passed in).
//!
//! A [`Dashboard`] is the set of [`StageState`]s of one commit. [`render`] turns it into the
//! comment body (the seed's shape, under GitHub's 65,536-character limit by budget) and
//! [`parse`] reads such a body back. [`status_line`] is the compact form a stage's truth takes
//! in a commit status description.

pub mod dashboard;
pub mod escape;
pub mod marker;
pub mod parse;
pub mod previous;
pub mod render;
pub mod stage;
pub mod status;
pub mod status_line;

pub use dashboard::{Dashboard, StageState};
pub use marker::{MARKER_PREFIX, marker, sha7};
pub use parse::{ParseError, parse};
pub use previous::previous_line;
pub use render::{Budget, COMMENT_LIMIT, render};
pub use stage::{
    LOCKS_NAME, LOCKS_STAGE, StageDef, default_stages, derived_row, is_expected_key,
    is_valid_stage_key, key_for_name,
};
pub use status::{Status, UnknownStatus};
