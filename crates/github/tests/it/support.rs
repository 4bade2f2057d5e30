//! The emulator these tests share ([`infra_ci_testkit`]'s), set up with `octo/infra`.

use std::ops::Deref;

use infra_ci_github::{GitHubClient, RepoId};
use infra_ci_testkit::admin::{FaultConfig, FaultKind, NewCommit, PullFields, Rule};
use infra_ci_testkit::{DEFAULT_BOT_TOKEN, TestEmulator};

pub use infra_ci_testkit::fast_retry;

const REPO: &str = "octo/infra";

/// A running emulator and the repository tests use.
pub struct Emu {
    kit: TestEmulator,
    pub repo: RepoId,
}

impl Deref for Emu {
    type Target = TestEmulator;
    fn deref(&self) -> &TestEmulator {
        &self.kit
    }
}

impl Emu {
    pub async fn start() -> Self {
        Self {
            kit: TestEmulator::start(&[REPO]).await,
            repo: RepoId::parse(REPO).unwrap(),
        }
    }

    /// The next `GET pulls/N` answers 502 (a retry then reads it).
    pub async fn fail_next_pull_read_with_502(&self) {
        let once = Rule::new(FaultKind::Http502)
            .on("GET", "/repos/*/*/pulls/*")
            .times(1);
        self.admin()
            .faults(&FaultConfig::new(1, vec![once]))
            .await
            .unwrap();
    }

    /// A client authenticated as the default bot (`github-actions[bot]`).
    pub fn bot(&self) -> GitHubClient {
        self.client(DEFAULT_BOT_TOKEN)
    }

    /// Declares commit `sha` (no parents), as a push would make it exist on GitHub.
    pub async fn commit(&self, sha: &str) {
        let root: [&str; 0] = [];
        self.admin()
            .commit(REPO, &NewCommit::new(sha, root))
            .await
            .unwrap();
    }

    /// Seeds pull request `number` of `self.repo` at `head_sha`, by `octocat`.
    pub async fn pull(&self, number: u64, head_sha: &str) {
        self.admin()
            .pull(REPO, &PullFields::new(number, head_sha).by("octocat"))
            .await
            .unwrap();
    }

    pub fn repo_path(&self, tail: &str) -> String {
        format!("/repos/{}/{}{tail}", self.repo.owner, self.repo.name)
    }
}

pub const SHA: &str = "0123456789abcdef0123456789abcdef01234567";
