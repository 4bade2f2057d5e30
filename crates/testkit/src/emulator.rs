//! An emulator started in-process for one test, with its admin API at hand.

use std::future::Future;

use infra_ci_emulator::admin::{AdminClient, AdminError, LogEntry, NewCommit, PullFields};
use infra_ci_emulator::{DEFAULT_BOT_TOKEN, EmulatorHandle, EmulatorOptions, spawn};
use infra_ci_github::{ClientConfig, Forge as _, GitHubClient, RepoId, Sha};

/// A running emulator on a free port of 127.0.0.1: its base URL, its typed admin API and
/// clients against it. It stops when dropped.
#[derive(Debug)]
pub struct TestEmulator {
    handle: EmulatorHandle,
    base: String,
    admin: AdminClient,
}

impl TestEmulator {
    /// An emulator where the repositories `repos` (`owner/name`) exist.
    pub async fn start(repos: &[&str]) -> Self {
        Self::with(EmulatorOptions {
            repos: repos.iter().map(|r| (*r).to_owned()).collect(),
            ..EmulatorOptions::default()
        })
        .await
    }

    /// An emulator set up with `opts`.
    pub async fn with(opts: EmulatorOptions) -> Self {
        let handle = spawn(([127, 0, 0, 1], 0).into(), opts)
            .await
            .expect("the emulator starts on a free port");
        let base = handle.base_url();
        let admin = AdminClient::new(&base);
        Self {
            handle,
            base,
            admin,
        }
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// The typed admin API (`/_emulator/…`). Its calls return `Result`: a test unwraps
    /// what must succeed and asserts on what must be refused.
    pub fn admin(&self) -> &AdminClient {
        &self.admin
    }

    /// The API requests logged so far, oldest first.
    pub async fn requests(&self) -> Vec<LogEntry> {
        self.admin.requests().await.expect("the request log reads")
    }

    /// Logged requests of `method` to exactly `path`.
    pub async fn requests_to(&self, method: &str, path: &str) -> Vec<LogEntry> {
        let mut log = self.requests().await;
        log.retain(|r| r.method == method && r.path == path);
        log
    }

    /// Logged requests whose path starts with `prefix`.
    pub async fn requests_under(&self, prefix: &str) -> Vec<LogEntry> {
        let mut log = self.requests().await;
        log.retain(|r| r.path.starts_with(prefix));
        log
    }

    /// Everything stored, as `GET /_emulator/state` dumps it.
    pub async fn state(&self) -> serde_json::Value {
        self.admin.state().await.expect("the state dump reads")
    }

    /// Stops the server and waits for it to end (dropping it stops it too, unawaited).
    pub async fn shutdown(self) {
        self.handle.shutdown().await;
    }

    /// The server's handle.
    pub fn handle(&self) -> &EmulatorHandle {
        &self.handle
    }

    /// A client config for `token` against this emulator ([`crate::config`]).
    pub fn config(&self, token: &str) -> ClientConfig {
        crate::config(&self.base, token)
    }

    /// A client for `token` against this emulator ([`crate::client`]).
    pub fn client(&self, token: &str) -> GitHubClient {
        crate::client(&self.base, token)
    }

    /// Opens pull request `number` of `repo` by `author`, as a push and "Create pull
    /// request" leave it on GitHub: `base` and `head` exist as commits (head a child of
    /// base; declared unless the emulator knows them already), the branch `main` exists (at
    /// `base`, unless it does already), then the pull request, based on `base`. The one way
    /// every crate's tests open a pull request.
    pub async fn open_pull(&self, repo: &str, number: u64, head: &str, base: &str, author: &str) {
        let bot = self.client(DEFAULT_BOT_TOKEN);
        let id = RepoId::parse(repo).expect("repo is owner/name");
        for (sha, parents) in [(base, vec![]), (head, vec![base.to_owned()])] {
            if !self.knows_commit(repo, sha).await {
                let commit = NewCommit::new(sha, parents);
                self.admin
                    .commit(repo, &commit)
                    .await
                    .expect("the commit is declared");
            }
        }
        let main = bot.get_ref(&id, "heads/main").await.expect("refs read");
        if main.is_none() {
            bot.create_ref(&id, "refs/heads/main", &Sha::new(base))
                .await
                .expect("main is created");
        }
        let pull = PullFields::new(number, head).base(base).by(author);
        self.admin
            .pull(repo, &pull)
            .await
            .expect("the pull request is seeded");
    }

    /// Whether `GET repos/{repo}/commits/{sha}` finds the commit (declared, or a pull
    /// request's or a ref's).
    pub async fn knows_commit(&self, repo: &str, sha: &str) -> bool {
        reqwest::Client::new()
            .get(format!("{}/repos/{repo}/commits/{sha}", self.base))
            .bearer_auth(DEFAULT_BOT_TOKEN)
            .send()
            .await
            .expect("the emulator answers")
            .status()
            .is_success()
    }
}

/// A [`TestEmulator`] for synchronous tests (those that run the binary and wait for it):
/// it owns the runtime that serves it, and [`BlockingEmulator::run`] drives admin calls
/// (or any future) to completion from the test's thread.
#[derive(Debug)]
pub struct BlockingEmulator {
    emu: TestEmulator,
    // Declared last: the emulator's handle drops first (its server is told to stop), then
    // the runtime ends the server task.
    rt: tokio::runtime::Runtime,
}

impl BlockingEmulator {
    /// An emulator where the repositories `repos` exist, served by two worker threads.
    pub fn start(repos: &[&str]) -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a tokio runtime builds");
        let emu = rt.block_on(TestEmulator::start(repos));
        Self { emu, rt }
    }

    /// Runs `f` to completion on the emulator's runtime.
    pub fn run<F: Future>(&self, f: F) -> F::Output {
        self.rt.block_on(f)
    }

    /// The emulator itself (its base URL, admin API and clients).
    pub fn emulator(&self) -> &TestEmulator {
        &self.emu
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> &str {
        self.emu.base_url()
    }

    /// Runs admin calls to completion: `emu.admin(async |a| a.user(&user).await)`; panics,
    /// saying which call, unless they succeed.
    pub fn admin<T>(&self, calls: impl AsyncFnOnce(&AdminClient) -> Result<T, AdminError>) -> T {
        self.run(calls(self.emu.admin()))
            .unwrap_or_else(|e| panic!("{e}"))
    }
}
