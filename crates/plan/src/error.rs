//! The one error type of this crate: what went wrong reading a plan, and what to do about it.

use std::io;

/// Why a plan could not be summarized.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// The input looked like `terraform show -json` output but is not valid JSON.
    #[error(
        "the plan JSON is invalid at line {line}, column {column}: {message}; \
         pass the unmodified output of `terraform show -json <planfile>`"
    )]
    InvalidJson {
        /// 1-based line of the first invalid byte.
        line: usize,
        /// 1-based column of the first invalid byte.
        column: usize,
        /// serde_json's description of the problem.
        message: String,
    },
    /// Reading the input failed.
    #[error("could not read the plan: {0}; check that the file or pipe is readable")]
    Io(#[from] io::Error),
}

impl PlanError {
    /// Converts a serde_json error, keeping its position and separating I/O failures.
    pub(crate) fn from_json(err: serde_json::Error) -> Self {
        if err.is_io() {
            return Self::Io(err.into());
        }
        Self::InvalidJson {
            line: err.line(),
            column: err.column(),
            message: strip_position(&err.to_string()),
        }
    }
}

/// serde_json appends " at line L column C" to its messages; we report those as fields.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message.to_owned(),
    }
}
