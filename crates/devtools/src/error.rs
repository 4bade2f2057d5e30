//! The soak's one error: what went wrong, for stderr; the process exits 1.

/// The soak could not run, or a rule was broken.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct SoakError {
    /// What went wrong.
    pub message: String,
}

impl SoakError {
    /// The soak failed (exit 1).
    pub fn failed(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

impl From<infra_ci_emulator::admin::AdminError> for SoakError {
    fn from(e: infra_ci_emulator::admin::AdminError) -> Self {
        Self::failed(format!("emulator: {e}"))
    }
}

impl From<infra_ci_github::ForgeError> for SoakError {
    fn from(e: infra_ci_github::ForgeError) -> Self {
        Self::failed(e.to_string())
    }
}

impl From<infra_ci_engine::EngineError> for SoakError {
    fn from(e: infra_ci_engine::EngineError) -> Self {
        Self::failed(e.to_string())
    }
}
