//! A commit SHA, and its short form in one place.

use std::fmt;
use std::ops::Deref;

use serde::{Deserialize, Serialize};

/// How many characters a short SHA has (GitHub's and git's default, the dashboard marker's).
pub const SHORT_LEN: usize = 7;

/// The first [`SHORT_LEN`] characters of a SHA (all of it when shorter).
pub fn short_sha(sha: &str) -> &str {
    sha.char_indices()
        .nth(SHORT_LEN)
        .map_or(sha, |(i, _)| &sha[..i])
}

/// A commit SHA as GitHub gives it: 40 hexadecimal characters (64 in a SHA-256 repository).
///
/// Values that come from GitHub (payloads, responses) are taken as they are; values a person
/// types (`--sha`) go through [`Sha::parse`]. It reads as a `&str` ([`Deref`]), so it passes
/// wherever text is expected.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Sha(String);

/// Why a typed SHA was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a commit SHA: expected 7 to 64 hexadecimal characters")]
pub struct ShaError(pub String);

impl Sha {
    /// A SHA GitHub gave (unchecked).
    pub fn new(sha: impl Into<String>) -> Self {
        Self(sha.into())
    }

    /// A SHA a person typed: 7 to 64 hexadecimal characters, kept lowercase.
    pub fn parse(text: &str) -> Result<Self, ShaError> {
        let t = text.trim();
        if (SHORT_LEN..=64).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(Self(t.to_ascii_lowercase()))
        } else {
            Err(ShaError(text.to_owned()))
        }
    }

    /// The SHA as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Its first seven characters, as shown to people.
    pub fn short(&self) -> &str {
        short_sha(&self.0)
    }

    /// The same commit as `other` (GitHub's SHAs are lowercase; a typed one may not be).
    pub fn is(&self, other: &str) -> bool {
        self.0.eq_ignore_ascii_case(other)
    }
}

impl Deref for Sha {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Sha {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Sha {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<String> for Sha {
    fn from(s: String) -> Self {
        Self(s)
    }
}

impl From<&str> for Sha {
    fn from(s: &str) -> Self {
        Self(s.to_owned())
    }
}

impl From<Sha> for String {
    fn from(s: Sha) -> Self {
        s.0
    }
}

impl PartialEq<str> for Sha {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for Sha {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<String> for Sha {
    fn eq(&self, other: &String) -> bool {
        &self.0 == other
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn short_is_seven_characters_and_never_splits_one() {
        let sha = Sha::new("abcdef0123456789");
        assert_eq!(sha.short(), "abcdef0");
        assert_eq!(short_sha("abc"), "abc");
        assert_eq!(short_sha("ééééééééé"), "ééééééé");
    }

    #[test]
    fn typed_shas_are_checked_and_lowercased() {
        assert_eq!(Sha::parse(" ABCDEF0 ").unwrap().as_str(), "abcdef0");
        for bad in ["", "abc", "xyz1234", &"a".repeat(65), "abc 1234"] {
            assert!(Sha::parse(bad).is_err(), "{bad}");
        }
        assert!(Sha::new("ABCDEF0").is("abcdef0"));
    }

    #[test]
    fn it_is_a_string_on_the_wire() {
        let sha: Sha = serde_json::from_str("\"abc1234\"").unwrap();
        assert_eq!(sha, "abc1234");
        assert_eq!(serde_json::to_string(&sha).unwrap(), "\"abc1234\"");
    }
}
