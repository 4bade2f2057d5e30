//! Exit codes, and how errors map onto them: the one place that decides (issue 12). Every
//! error the binary meets becomes a [`CliError`] here, through `From`; its message says what
//! went wrong and its hint, printed on a line of its own, what to do.

use infra_ci_engine::EngineError;
use infra_ci_runner::RunnerError;

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
    /// What went wrong.
    pub message: String,
    /// What to do about it, when the message alone does not say.
    pub hint: Option<String>,
}

/// The exit code of an error: the caller's mistake (flags, files, input) is 2, anything
/// else that stopped the operation is 1.
const fn code(usage: bool) -> u8 {
    if usage { USAGE } else { FAILED }
}

impl CliError {
    pub fn usage(message: impl Into<String>) -> Self {
        Self {
            code: USAGE,
            message: message.into(),
            hint: None,
        }
    }
    pub fn failed(message: impl Into<String>) -> Self {
        Self {
            code: FAILED,
            message: message.into(),
            hint: None,
        }
    }

    /// The same error, saying what to do.
    #[must_use]
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl From<EngineError> for CliError {
    fn from(e: EngineError) -> Self {
        Self {
            code: code(e.is_usage()),
            message: e.to_string(),
            hint: None,
        }
    }
}

impl From<RunnerError> for CliError {
    fn from(e: RunnerError) -> Self {
        Self {
            code: code(e.is_usage()),
            message: e.to_string(),
            hint: None,
        }
    }
}

/// The embedded emulator's admin API refused or could not be reached (`demo`, `soak`): the
/// tool failed, not a request of the user's.
#[cfg(feature = "emulator")]
impl From<infra_ci_emulator::admin::AdminError> for CliError {
    fn from(e: infra_ci_emulator::admin::AdminError) -> Self {
        Self::failed(format!("emulator: {e}"))
    }
}

impl From<infra_ci_github::ForgeError> for CliError {
    fn from(e: infra_ci_github::ForgeError) -> Self {
        Self {
            code: code(matches!(e, infra_ci_github::ForgeError::Config(_))),
            message: e.to_string(),
            hint: None,
        }
    }
}

/// Prints the error (and its hint on a line of its own) and returns its code.
pub fn report(result: Result<(), CliError>) -> u8 {
    match result {
        Ok(()) => OK,
        Err(e) => {
            eprintln!("error: {}", e.message);
            if let Some(hint) = &e.hint {
                eprintln!("hint: {hint}");
            }
            e.code
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_caller_s_mistakes_exit_2_everything_else_1() {
        assert_eq!(CliError::from(EngineError::Usage("x".into())).code, USAGE);
        assert_eq!(CliError::from(RunnerError::NoBootstrap).code, USAGE);
        assert_eq!(
            CliError::from(RunnerError::Engine(EngineError::Usage("x".into()))).code,
            USAGE
        );
        let contended = EngineError::Contended { rounds: 3, pr: 1 };
        assert_eq!(CliError::from(contended).code, FAILED);
    }
}
