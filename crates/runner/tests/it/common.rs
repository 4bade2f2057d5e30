//! A test world: an emulator over HTTP, a repository checkout in a temporary directory with
//! one directory per project, and the stand-in `terraform` first on PATH.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use infra_ci_config::Config;
use infra_ci_github::{Forge, GitHubClient, RepoId};
use infra_ci_runner::{PlanStore, Runner, Setup, StepSummary, Tool};
use infra_ci_testkit::admin::{NewCommit, NewReview, NewUser, PullFields};
use infra_ci_testkit::{DEFAULT_BOT_TOKEN, TestEmulator};
use serde_json::Value;

pub use infra_ci_testkit::sha;

pub const OWNER_REPO: &str = "acme/infra";

pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn fixtures() -> PathBuf {
    workspace().join("tests/fixtures/terraform")
}

pub struct World {
    pub emu: TestEmulator,
    pub client: GitHubClient,
    pub tmp: tempfile::TempDir,
    pub config: Config,
}

impl World {
    pub async fn new(config_yaml: &str) -> Self {
        let emu = TestEmulator::start(&[OWNER_REPO]).await;
        let client = emu.client(DEFAULT_BOT_TOKEN);
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(tmp.path().join("repo")).unwrap();
        Self {
            emu,
            client,
            tmp,
            config: Config::from_yaml(config_yaml).unwrap(),
        }
    }

    pub fn root(&self) -> PathBuf {
        self.tmp.path().join("repo")
    }
    pub fn log(&self) -> PathBuf {
        self.tmp.path().join("calls.log")
    }
    pub fn summary(&self) -> PathBuf {
        self.tmp.path().join("step-summary.md")
    }
    pub fn plans(&self) -> PathBuf {
        self.tmp.path().join("plans")
    }
    pub fn repo(&self) -> RepoId {
        RepoId::parse(OWNER_REPO).unwrap()
    }

    /// Writes the stand-in's control file of a project directory.
    pub fn project(&self, dir: &str, lines: &[(&str, &str)]) {
        let d = self.root().join(dir);
        std::fs::create_dir_all(&d).unwrap();
        let text: String = lines.iter().map(|(k, v)| format!("{k}={v}\n")).collect();
        std::fs::write(d.join(".standin"), text).unwrap();
    }

    /// A project replaying a borchero fixture (`basic_0-create`, ...).
    pub fn fixture_project(&self, dir: &str, name: &str) {
        let json = format!("terraform-plan-comment/{name}.plan.json");
        let text = format!("terraform-plan-comment/{name}.plan.txt");
        self.project(dir, &[("json", &json), ("text", &text)]);
    }

    pub fn tool(&self) -> Tool {
        let mut path = OsString::from(workspace().join("tests/stand-in"));
        path.push(":");
        path.push(std::env::var_os("PATH").unwrap_or_default());
        Tool::locate("terraform", Some(&path))
            .unwrap()
            .with_env("STANDIN_FIXTURES", fixtures())
            .with_env("STANDIN_LOG", self.log())
    }

    pub fn setup(&self) -> Setup {
        Setup {
            repo: self.repo(),
            config: self.config.clone(),
            tool: self.tool(),
            root: self.root(),
            plans: PlanStore::new(self.plans()).unwrap(),
            run_url: Some("https://github.com/acme/infra/actions/runs/42".into()),
            step_summary: StepSummary::new(Some(self.summary())),
            // A member asked (a comment on the pull request); the default branch is `main`.
            requester: Some((
                infra_ci_route::Actor {
                    login: "maintainer".into(),
                    association: infra_ci_config::Association::Member,
                    teams: Vec::new(),
                },
                false,
            )),
            default_branch: Some("main".into()),
        }
    }

    pub fn runner(&self) -> Runner<'_> {
        Runner::new(&self.client, self.setup())
    }

    /// The stand-in's call log, one `<dir> <sub-command> start|end` a line.
    pub fn calls(&self) -> Vec<String> {
        std::fs::read_to_string(self.log())
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    /// Declares commit `sha` with `parents`.
    pub async fn commit(&self, sha: &str, parents: &[&str]) {
        let commit = NewCommit::new(sha, parents.iter().copied());
        self.emu.admin().commit(OWNER_REPO, &commit).await.unwrap();
    }

    /// A user `login` authenticating with `token`.
    pub async fn user(&self, user: &NewUser) {
        self.emu.admin().user(user).await.unwrap();
    }

    /// An open pull request `n` from `head` onto `base`, modelled as on GitHub: unless a
    /// test declared them first, `head` is one commit ahead of `base`, and the base branch
    /// `main` exists at `base`.
    pub async fn pull(&self, n: u64, head: &str, base: &str) {
        self.emu
            .open_pull(OWNER_REPO, n, head, base, "author")
            .await;
    }

    pub async fn edit_pull(&self, n: u64, fields: &PullFields) {
        let admin = self.emu.admin();
        admin.edit_pull(OWNER_REPO, n, fields).await.unwrap();
    }

    /// Our own identity (the login the default bot token writes as).
    pub async fn me(&self) -> String {
        self.client.whoami().await.unwrap()
    }

    /// A review by `user`, a collaborator of the repository.
    pub async fn review(&self, n: u64, user: &str, state: &str, commit: &str) {
        self.user(&NewUser::new(user).association("COLLABORATOR"))
            .await;
        let review = NewReview::new(user, state, commit);
        self.emu
            .admin()
            .review(OWNER_REPO, n, &review)
            .await
            .unwrap();
    }

    /// The latest description and state of our status `context` on `sha`.
    pub async fn status(&self, sha: &str, context: &str) -> Option<(String, String)> {
        let c = self
            .client
            .combined_status(&self.repo(), &infra_ci_github::Sha::new(sha))
            .await
            .unwrap();
        c.statuses
            .into_iter()
            .find(|s| s.context == context)
            .map(|s| (s.state.to_string(), s.description.unwrap_or_default()))
    }

    pub async fn state(&self) -> Value {
        self.emu.state().await
    }
}

/// Stages `plan-<p>` and native projects `<p>` in directory `<p>`, plus extra YAML per project.
pub fn config(projects: &[(&str, &str)]) -> String {
    let mut y = String::from("stages:\n");
    for (p, _) in projects {
        y.push_str(&format!("  - {{key: plan-{p}, name: \"Plan: {p}\"}}\n"));
    }
    y.push_str("  - {key: apply, name: Apply}\nprojects:\n");
    for (p, extra) in projects {
        y.push_str(&format!(
            "  - {{name: {p}, dir: {p}, stage: plan-{p}, runner: native{extra}}}\n"
        ));
    }
    y
}
