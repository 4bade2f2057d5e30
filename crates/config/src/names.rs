//! Validated names: stage keys, project names, project directories.
//!
//! Each is a newtype checked while the YAML is read (`#[serde(try_from = "String")]`), so a bad
//! value is reported at its own line and column by the YAML reader.

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};

/// The pattern stage keys and project names must match (also published in the JSON Schema).
pub const NAME_PATTERN: &str = "^[a-z0-9][a-z0-9-]{0,39}$";

/// The longest stage key or project name, in bytes.
pub const NAME_MAX_LEN: usize = 40;

/// True when `s` matches [`NAME_PATTERN`]: lowercase ASCII letters, digits and `-`, not starting
/// with `-`, 1 to 40 bytes. Names end up in commit-status contexts, job matrices and slash
/// commands, so they are kept to characters that need no quoting anywhere.
pub fn is_valid_name(s: &str) -> bool {
    let bytes = s.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= NAME_MAX_LEN
        && bytes[0] != b'-'
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
}

/// Reads a string and checks it inside the visitor, so the YAML reader stamps a refusal with
/// the position of the string itself rather than of the enclosing mapping.
struct Checked<F>(F, &'static str);

impl<T, F: FnOnce(String) -> Result<T, String>> serde::de::Visitor<'_> for Checked<F> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a {} (a string)", self.1)
    }

    fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<T, E> {
        (self.0)(s.to_owned()).map_err(E::custom)
    }
}

macro_rules! name_newtype {
    ($(#[$doc:meta])* $ty:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(into = "String")]
        pub struct $ty(String);

        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                d.deserialize_str(Checked(Self::new, $what))
            }
        }

        impl $ty {
            /// Checks `s` against [`NAME_PATTERN`].
            pub fn new(s: impl Into<String>) -> Result<Self, String> {
                let s = s.into();
                if is_valid_name(&s) {
                    Ok(Self(s))
                } else {
                    Err(format!(
                        concat!("invalid ", $what, " {:?}: use 1 to 40 lowercase letters, digits or '-', not starting with '-' (pattern {})"),
                        s, NAME_PATTERN
                    ))
                }
            }

            /// The name as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $ty {
            type Error = String;
            fn try_from(s: String) -> Result<Self, String> {
                Self::new(s)
            }
        }

        impl From<$ty> for String {
            fn from(v: $ty) -> String {
                v.0
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl PartialEq<str> for $ty {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $ty {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl JsonSchema for $ty {
            fn schema_name() -> Cow<'static, str> {
                stringify!($ty).into()
            }

            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                json_schema!({
                    "type": "string",
                    "pattern": NAME_PATTERN,
                    "description": concat!("A ", $what, ": 1 to 40 lowercase letters, digits or '-', not starting with '-'."),
                })
            }
        }
    };
}

name_newtype!(
    /// A stage key such as `plan-platform`: the row of the dashboard and the commit-status context
    /// `infra-dashboard/<key>`.
    StageKey,
    "stage key"
);

name_newtype!(
    /// A project name such as `platform`, as typed in `/plan platform`.
    ProjectName,
    "project name"
);

/// A project's directory: relative to the repository root, `/`-separated, never leaving it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(into = "String")]
pub struct ProjectDir(String);

impl<'de> Deserialize<'de> for ProjectDir {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(Checked(Self::new, "project dir"))
    }
}

impl ProjectDir {
    /// Checks that `s` is a relative path without `..`, `\`, control characters or a leading `~`;
    /// a trailing `/` is dropped.
    pub fn new(s: impl Into<String>) -> Result<Self, String> {
        let s: String = s.into();
        let problem = if s.is_empty() {
            Some("is empty (use \".\" for the repository root)")
        } else if s.starts_with('/') || s.as_bytes().get(1) == Some(&b':') {
            Some("is absolute; give it relative to the repository root")
        } else if s.starts_with('~') {
            Some("starts with '~'; give it relative to the repository root")
        } else if s.contains('\\') {
            Some("contains '\\'; separate directories with '/'")
        } else if s.chars().any(char::is_control) {
            Some("contains a control character")
        } else if s.split('/').any(|part| part == "..") {
            Some("contains '..'; a project must stay inside the repository")
        } else {
            None
        };
        if let Some(p) = problem {
            return Err(format!("invalid project dir {s:?}: it {p}"));
        }
        let trimmed = s.trim_end_matches('/');
        Ok(Self(if trimmed.is_empty() {
            s
        } else {
            trimmed.to_owned()
        }))
    }

    /// The directory as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ProjectDir {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::new(s)
    }
}

impl From<ProjectDir> for String {
    fn from(v: ProjectDir) -> String {
        v.0
    }
}

impl fmt::Display for ProjectDir {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl JsonSchema for ProjectDir {
    fn schema_name() -> Cow<'static, str> {
        "ProjectDir".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "minLength": 1,
            "pattern": "^[^/~\\\\][^\\\\]*$",
            "not": { "pattern": "(^|/)\\.\\.(/|$)" },
            "description": "A directory relative to the repository root, '/'-separated, without '..'.",
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_pattern() {
        for ok in ["ci", "plan-data-prod", "a", "0", &"a".repeat(40)] {
            assert!(is_valid_name(ok), "{ok}");
        }
        for bad in ["", "-a", "A", "a_b", "a b", "é", &"a".repeat(41), "plan/x"] {
            assert!(!is_valid_name(bad), "{bad}");
        }
    }

    #[test]
    fn dirs_stay_inside_the_repository() {
        assert_eq!(
            ProjectDir::new("terraform/x/").unwrap().as_str(),
            "terraform/x"
        );
        assert_eq!(ProjectDir::new(".").unwrap().as_str(), ".");
        assert_eq!(ProjectDir::new("a..b/c").unwrap().as_str(), "a..b/c");
        for bad in [
            "", "/etc", "../x", "a/../b", "a/..", "C:/x", "a\\b", "~/x", "a\0b",
        ] {
            assert!(ProjectDir::new(bad).is_err(), "{bad:?}");
        }
    }
}
