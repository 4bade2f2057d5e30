//! The in-memory world behind the mutex: every record plus the id sequence, the request
//! log, rate-limit windows, latency and fault settings.

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::admin::Latency;
use crate::faults::Faults;
use crate::limits::{PrimaryKey, RateWindow, Secondary};
use crate::model::{App, Comment, Repo, Team, Token, User, UserKind};
use crate::{DEFAULT_BOT_LOGIN, DEFAULT_BOT_TOKEN};

/// Real id of `github-actions[bot]` on github.com, so ids look familiar in logs.
const ACTIONS_BOT_ID: u64 = 41_898_282;

/// One API request as the admin log (`GET /_emulator/requests`) shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntry {
    /// The HTTP method.
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The query string, if any.
    pub query: Option<String>,
    /// HTTP status sent; `null` when the connection was reset instead.
    pub status: Option<u16>,
    /// Who the token authenticated as, if anyone.
    pub login: Option<String>,
    /// The injected fault, if any (`"502"`, `"reset"`, `"lost_response"`, ...).
    pub fault: Option<String>,
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
    /// Admin override of every primary limit (`None`: GitHub's per-identity limits).
    pub rate_limit_override: Option<u32>,
    pub rate_windows: HashMap<PrimaryKey, RateWindow>,
    /// Secondary-limit history per user id.
    pub secondary: HashMap<u64, Secondary>,
    /// Primary and secondary limits enforced (admin `POST /_emulator/limits`).
    pub limits_on: bool,
    /// How far the admin API has moved the clock ahead of real time, in ms.
    pub clock_offset_ms: i64,
    pub latency: Latency,
    pub faults: Faults,
}

impl World {
    /// A world with only the default bot.
    pub fn new(rate_limit_override: Option<u32>, limits_on: bool) -> Self {
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
            rate_limit_override,
            rate_windows: HashMap::new(),
            secondary: HashMap::new(),
            limits_on,
            clock_offset_ms: 0,
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
                repo_associations: BTreeMap::new(),
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

    /// The emulator's clock: real time plus what the admin API advanced it by.
    pub fn now(&self) -> Timestamp {
        Timestamp::now() + jiff::SignedDuration::from_millis(self.clock_offset_ms)
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
                repo_associations: BTreeMap::new(),
                created_at: Timestamp::now(),
            },
        );
        id
    }

    /// The user a bearer token acts as, if the token is known and unexpired.
    pub fn user_for_token(&self, token: &str) -> Option<&User> {
        let entry = self.tokens.get(token)?;
        if entry.expires_at.is_some_and(|e| e <= self.now()) {
            return None;
        }
        self.users.get(&entry.user_id)
    }

    /// Creates the repository `owner/name` (admin seeding); an existing one (any case) is
    /// kept as it is. Returns its canonical `(owner, name)`.
    pub fn create_repo(
        &mut self,
        owner: &str,
        name: &str,
        default_branch: &str,
    ) -> (String, String) {
        let key = repo_key(owner, name);
        if !self.repos.contains_key(&key) {
            let id = self.next_id();
            let created_at = self.now();
            self.repos.insert(
                key.clone(),
                Repo {
                    id,
                    owner: owner.to_owned(),
                    name: name.to_owned(),
                    default_branch: default_branch.to_owned(),
                    private: false,
                    created_at,
                    issues: BTreeMap::new(),
                    statuses: Vec::new(),
                    refs: BTreeMap::new(),
                    parents: HashMap::new(),
                    files: BTreeMap::new(),
                },
            );
        }
        let r = &self.repos[&key];
        (r.owner.clone(), r.name.clone())
    }

    /// The repository `owner/name` (case-insensitive, as on GitHub), if it was created.
    pub fn find_repo(&self, owner: &str, name: &str) -> Option<&Repo> {
        self.repos.get(&repo_key(owner, name))
    }

    /// The repository `owner/name`. API handlers may rely on it: the pipeline answers 404
    /// before a handler runs for a repository that was never created.
    pub fn repo_mut(&mut self, owner: &str, name: &str) -> &mut Repo {
        self.repos
            .get_mut(&repo_key(owner, name))
            .expect("the pipeline answers 404 for repositories that do not exist")
    }

    /// The repository `owner/name`; see [`World::repo_mut`].
    pub fn repo(&self, owner: &str, name: &str) -> &Repo {
        self.find_repo(owner, name)
            .expect("the pipeline answers 404 for repositories that do not exist")
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
            .filter(|c| c.in_repo(owner, repo) && c.issue_number == number)
            .filter(|c| c.as_of(at).is_some())
            .collect()
    }
}

/// Repositories are keyed by lower-case owner and name: GitHub's names are case-insensitive.
fn repo_key(owner: &str, name: &str) -> (String, String) {
    (owner.to_ascii_lowercase(), name.to_ascii_lowercase())
}
