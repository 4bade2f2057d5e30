//! [`ConfigError`]: what is wrong, where (line and column), and what is allowed.

use std::fmt;

/// A position in `.github/infra-ci.yml`, both 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    /// Line, from 1.
    pub line: usize,
    /// Column, from 1.
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// What kind of mistake the file holds (for callers and tests; the message says the rest).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigErrorKind {
    /// Not YAML, an unknown key, a wrong type or an invalid value (reported by the reader).
    Syntax,
    /// `version` is not 1.
    UnsupportedVersion,
    /// Two stages share a key.
    DuplicateStage,
    /// Two projects share a name.
    DuplicateProject,
    /// A project's `stage` is not listed in `stages`.
    UnknownStage,
    /// A `depends_on` entry or `bootstrap.project` names no project.
    UnknownProject,
    /// `depends_on` loops back on itself.
    DependencyCycle,
    /// A `workspace` is not a valid Terraform workspace name.
    InvalidWorkspace,
    /// `dashboard.identity` or a predecessor is not a GitHub login, or is both.
    InvalidLogin,
}

/// Why `.github/infra-ci.yml` was refused. Displays as `LINE:COLUMN: message`, so a caller
/// prefixes the path to get the usual `file:line:column: message`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConfigError {
    /// What kind of mistake.
    pub kind: ConfigErrorKind,
    /// Where, when known.
    pub location: Option<Location>,
    /// What is wrong and what is allowed.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.location {
            Some(loc) => write!(f, "{loc}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl ConfigError {
    /// Converts the YAML reader's error, keeping its location but not repeating it in the text.
    pub(crate) fn from_yaml(err: &serde_yaml_ng::Error) -> Self {
        let location = err.location().map(|l| Location {
            line: l.line(),
            column: l.column(),
        });
        let mut message = err.to_string();
        if let Some(loc) = location {
            let suffix = format!(" at line {} column {}", loc.line, loc.column);
            if let Some(stripped) = message.strip_suffix(&suffix) {
                message = stripped.to_owned();
            }
        }
        Self {
            kind: ConfigErrorKind::Syntax,
            location,
            message,
        }
    }
}
