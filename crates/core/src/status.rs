//! Stage statuses: the seed's five words plus `cancelled`, which GitHub's `job.status` and
//! `steps.<id>.outcome` send and the seed forgot.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The status of one stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Not started yet: queued, waiting, or no job has reported it.
    Pending,
    /// Started and not finished.
    Running,
    /// Finished and passed.
    Success,
    /// Finished and failed, or could not run (GitHub's `error` reads as this).
    Failure,
    /// Not run on purpose (e.g. the job's condition was false).
    Skipped,
    /// Stopped before it finished (GitHub's `cancelled`, e.g. a newer run replaced it).
    Cancelled,
}

impl Status {
    /// Every status, in display order.
    pub const ALL: [Status; 6] = [
        Status::Pending,
        Status::Running,
        Status::Success,
        Status::Failure,
        Status::Skipped,
        Status::Cancelled,
    ];

    /// The word used on the command line and in commit status descriptions.
    pub fn word(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Running => "running",
            Self::Success => "success",
            Self::Failure => "failure",
            Self::Skipped => "skipped",
            Self::Cancelled => "cancelled",
        }
    }

    /// The emoji shown in the dashboard's Status column.
    pub fn emoji(self) -> &'static str {
        match self {
            Self::Pending => "⏳",
            Self::Running => "🔄",
            Self::Success => "✅",
            Self::Failure => "❌",
            Self::Skipped => "⏭️",
            Self::Cancelled => "🚫",
        }
    }

    /// True once the stage has finished (whatever the result).
    pub fn is_terminal(self) -> bool {
        !matches!(self, Self::Pending | Self::Running)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

/// A status word that is not one of ours.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown status {0:?}: use one of pending, running, success, failure, skipped, cancelled")]
pub struct UnknownStatus(pub String);

impl FromStr for Status {
    type Err = UnknownStatus;

    /// Case-insensitive; also takes the words GitHub's contexts send (`canceled`,
    /// `in_progress`, `queued`, `error`) so `--status "${{ job.status }}"` always works.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "pending" | "queued" | "waiting" => Ok(Self::Pending),
            "running" | "in_progress" | "started" => Ok(Self::Running),
            "success" | "succeeded" | "ok" => Ok(Self::Success),
            "failure" | "failed" | "error" => Ok(Self::Failure),
            "skipped" | "skip" => Ok(Self::Skipped),
            "cancelled" | "canceled" => Ok(Self::Cancelled),
            _ => Err(UnknownStatus(s.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn every_word_round_trips() {
        for s in Status::ALL {
            assert_eq!(s.word().parse::<Status>().unwrap(), s);
            assert_eq!(s.word().to_uppercase().parse::<Status>().unwrap(), s);
        }
    }

    #[test]
    fn github_job_status_words_are_accepted() {
        assert_eq!("cancelled".parse::<Status>().unwrap(), Status::Cancelled);
        assert_eq!("canceled".parse::<Status>().unwrap(), Status::Cancelled);
        assert_eq!("in_progress".parse::<Status>().unwrap(), Status::Running);
    }

    #[test]
    fn unknown_words_say_what_is_allowed() {
        let err = "done".parse::<Status>().unwrap_err();
        assert!(err.to_string().contains("pending, running, success"));
    }
}
