//! The in-memory world behind the mutex: every record plus the id sequence, the request
//! log, rate-limit windows, latency and fault settings.

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use jiff::Timestamp;
use serde::Serialize;

use crate::faults::Faults;
use crate::model::{App, Comment, Repo, Team, Token, User, UserKind};
use crate::{DEFAULT_BOT_LOGIN, DEFAULT_BOT_TOKEN};

/// Real id of `github-actions[bot]` on github.com, so ids look familiar in logs.
const ACTIONS_BOT_ID: u64 = 41_898_282;

/// One API request as the admin log shows it.
#[derive(Debug, Clone, Serialize)]
pub struct LogEntry {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    /// HTTP status sent; `null` when the connection was reset instead.
    pub status: Option<u16>,
    pub login: Option<String>,
    /// The injected fault, if any (`"502"`, `"reset"`, `"lost_response"`, ...).
    pub fault: Option<String>,
}

/// A token's primary rate-limit window.
#[derive(Debug, Clone, Copy)]
pub struct RateWindow {
    pub reset: i64,
    pub used: u32,
}

/// Latency added to every API request.
#[derive(Debug, Clone, Copy, Default, Serialize, serde::Deserialize)]
pub struct Latency {
    #[serde(default)]
    pub ms: u64,
    #[serde(default)]
    pub jitter_ms: u64,
}

/// Everything the emulator knows.
#[derive(Debug)]
pub struct World {
    next_id: u64,
    next_request: u64,
    pub users: BTreeMap<u64, User>,
    pub tokens: HashMap<String, Token>,
    pub repos: BTreeMap<(String, String), Repo>,
    /// All comments by id (ids are global, as on GitHub).
    pub comments: BTreeMap<u64, Comment>,
    pub apps: BTreeMap<u64, App>,
    /// Organization teams by (lower-case org, lower-case slug).
    pub teams: BTreeMap<(String, String), Team>,
    pub requests: Vec<LogEntry>,
    pub rate_limit: u32,
    pub rate_windows: HashMap<u64, RateWindow>,
    pub latency: Latency,
    pub faults: Faults,
}

impl World {
    /// A world with only the default bot.
    pub fn new(rate_limit: u32) -> Self {
        let mut world = Self {
            next_id: 1_000_000,
            next_request: 0,
            users: BTreeMap::new(),
            tokens: HashMap::new(),
            repos: BTreeMap::new(),
            comments: BTreeMap::new(),
            apps: BTreeMap::new(),
            teams: BTreeMap::new(),
            requests: Vec::new(),
            rate_limit,
            rate_windows: HashMap::new(),
            latency: Latency::default(),
            faults: Faults::default(),
        };
        world.users.insert(
            ACTIONS_BOT_ID,
            User {
                id: ACTIONS_BOT_ID,
                login: DEFAULT_BOT_LOGIN.to_owned(),
                kind: UserKind::Bot,
                permissions: BTreeMap::new(),
                association: "NONE".to_owned(),
                created_at: Timestamp::now(),
            },
        );
        world.tokens.insert(
            DEFAULT_BOT_TOKEN.to_owned(),
            Token {
                user_id: ACTIONS_BOT_ID,
                expires_at: None,
            },
        );
        world
    }

    /// A new id from the one global sequence (comments, statuses, reactions, ...).
    pub fn next_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// A GitHub-looking request id (`XXXX:XXXX:...`).
    pub fn next_request_id(&mut self) -> String {
        self.next_request += 1;
        format!(
            "E4C1:{:04X}:{:06X}:{:06X}:{:08X}",
            self.next_request % 0xFFFF,
            self.next_request,
            self.next_request * 7,
            self.next_request * 31
        )
    }

    /// The user with `login`, if any (case-insensitive like GitHub).
    pub fn user_by_login(&self, login: &str) -> Option<&User> {
        self.users
            .values()
            .find(|u| u.login.eq_ignore_ascii_case(login))
    }

    /// The user with `login`, created as a plain `User` without token when unknown.
    pub fn ensure_user(&mut self, login: &str, kind: UserKind) -> u64 {
        if let Some(user) = self.user_by_login(login) {
            return user.id;
        }
        let id = self.next_id();
        self.users.insert(
            id,
            User {
                id,
                login: login.to_owned(),
                kind,
                permissions: BTreeMap::new(),
                association: "NONE".to_owned(),
                created_at: Timestamp::now(),
            },
        );
        id
    }

    /// The user a bearer token acts as, if the token is known and unexpired.
    pub fn user_for_token(&self, token: &str) -> Option<&User> {
        let entry = self.tokens.get(token)?;
        if entry.expires_at.is_some_and(|e| e <= Timestamp::now()) {
            return None;
        }
        self.users.get(&entry.user_id)
    }

    /// The repository `owner/name`, created on first use.
    pub fn repo_mut(&mut self, owner: &str, name: &str) -> &mut Repo {
        let key = (owner.to_owned(), name.to_owned());
        if !self.repos.contains_key(&key) {
            let id = self.next_id();
            self.repos.insert(
                key.clone(),
                Repo {
                    id,
                    owner: owner.to_owned(),
                    name: name.to_owned(),
                    created_at: Timestamp::now(),
                    issues: BTreeMap::new(),
                    statuses: Vec::new(),
                    refs: BTreeMap::new(),
                    parents: HashMap::new(),
                    files: BTreeMap::new(),
                },
            );
        }
        self.repos.get_mut(&key).expect("inserted above")
    }

    /// The repository `owner/name`; call [`World::repo_mut`] first to create it.
    pub fn repo(&self, owner: &str, name: &str) -> &Repo {
        self.repos
            .get(&(owner.to_owned(), name.to_owned()))
            .expect("callers create the repository with repo_mut first")
    }

    /// Comments of one issue as of `at` (all current ones when `None`), oldest first.
    pub fn issue_comments(
        &self,
        owner: &str,
        repo: &str,
        number: u64,
        at: Option<Instant>,
    ) -> Vec<&Comment> {
        self.comments
            .values()
            .filter(|c| c.owner == owner && c.repo == repo && c.issue_number == number)
            .filter(|c| c.as_of(at).is_some())
            .collect()
    }
}
