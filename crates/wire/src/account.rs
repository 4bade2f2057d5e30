//! Accounts.

use serde::{Deserialize, Serialize};

/// A GitHub account (user, bot or organization).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// The account name; an App's bot ends in `[bot]`, a deleted account is `ghost`.
    pub login: String,
    /// GitHub's numeric account id; 0 when the payload left it out.
    #[serde(default)]
    pub id: u64,
    /// `User`, `Bot` or `Organization`; empty when left out.
    #[serde(rename = "type", default)]
    pub kind: String,
}

impl User {
    /// A bot account: GitHub's `type` says `Bot`, or the login is an App's `<slug>[bot]`
    /// (ours included).
    pub fn is_bot(&self) -> bool {
        self.kind.eq_ignore_ascii_case("bot") || self.login.ends_with("[bot]")
    }
}
