//! Exit codes, and how errors map onto them.

use infra_ci_engine::EngineError;

/// The operation succeeded.
pub const OK: u8 = 0;
/// The operation failed (GitHub refused, a run failed, ...).
pub const FAILED: u8 = 1;
/// Bad usage or input (flags, files, events).
pub const USAGE: u8 = 2;

/// An error at the binary's edge, with the exit code it deserves.
#[derive(Debug)]
pub struct CliError {
    pub code: u8,
    pub message: String,
}

impl CliError {
    pub fn usage(message: impl Into<String>) -> Self {
        Self {
            code: USAGE,
            message: message.into(),
        }
    }
    pub fn failed(message: impl Into<String>) -> Self {
        Self {
            code: FAILED,
            message: message.into(),
        }
    }
}

impl From<EngineError> for CliError {
    fn from(e: EngineError) -> Self {
        let code = if e.is_usage() { USAGE } else { FAILED };
        Self {
            code,
            message: e.to_string(),
        }
    }
}

impl From<infra_ci_github::ForgeError> for CliError {
    fn from(e: infra_ci_github::ForgeError) -> Self {
        let code = if matches!(e, infra_ci_github::ForgeError::Config(_)) {
            USAGE
        } else {
            FAILED
        };
        Self {
            code,
            message: e.to_string(),
        }
    }
}

/// Prints the error and returns its code.
pub fn report(result: Result<(), CliError>) -> u8 {
    match result {
        Ok(()) => OK,
        Err(e) => {
            eprintln!("error: {}", e.message);
            e.code
        }
    }
}
