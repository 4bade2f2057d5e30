//! `infra-ci run …` and `infra-ci drift` end to end: the binary, the emulator over HTTP, the
//! stand-in `terraform` first on PATH, exit codes as documented in docs/runs.md.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Output;

use infra_ci_testkit::admin::{NewReview, NewUser};
use infra_ci_testkit::{DEFAULT_BOT_TOKEN, TestEmulator};
use serde_json::json;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

const CONFIG: &str = "stages:\n  - {key: plan-app, name: \"Plan: app\"}\n  - {key: apply, name: Apply}\n\
projects:\n  - {name: app, dir: app, stage: plan-app, runner: native}\n";

/// A checkout with `.github/infra-ci.yml` and project `app` replaying `fixture`.
fn checkout(fixture: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join(".github")).unwrap();
    std::fs::write(tmp.path().join(".github/infra-ci.yml"), CONFIG).unwrap();
    std::fs::create_dir_all(tmp.path().join("app")).unwrap();
    std::fs::write(
        tmp.path().join("app/.standin"),
        format!("json=terraform-plan-comment/{fixture}.plan.json\ntext=terraform-plan-comment/{fixture}.plan.txt\n"),
    )
    .unwrap();
    tmp
}

/// A comment event by a member of the repository: who asked for the run.
fn member_event(dir: &Path) -> PathBuf {
    let path = dir.join("event.json");
    let event = json!({
        "action": "created",
        "issue": { "number": 1, "pull_request": {}, "state": "open" },
        "comment": {
            "id": 1, "body": "/apply",
            "user": { "login": "maintainer", "type": "User" },
            "author_association": "MEMBER"
        },
        "repository": { "full_name": "acme/infra", "default_branch": "main" }
    });
    std::fs::write(&path, event.to_string()).unwrap();
    path
}

async fn infra_ci(dir: &Path, api: &str, path: &str, args: &[&str]) -> Output {
    let event = member_event(dir);
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_infra-ci"));
    cmd.env("GITHUB_EVENT_NAME", "issue_comment")
        .env("GITHUB_EVENT_PATH", event)
        .args(args)
        .args(["--repo", "acme/infra", "--api-url", api])
        .current_dir(dir)
        .env("GITHUB_TOKEN", DEFAULT_BOT_TOKEN)
        .env("PATH", path)
        .env(
            "STANDIN_FIXTURES",
            workspace().join("tests/fixtures/terraform"),
        )
        .env("GITHUB_STEP_SUMMARY", dir.join("summary.md"))
        .env_remove("INFRA_CI_TERRAFORM")
        .env_remove("INFRA_CI_PLANS_DIR");
    tokio::task::spawn_blocking(move || cmd.output())
        .await
        .unwrap()
        .unwrap()
}

/// `infra_ci` with the stand-in `terraform` first on PATH.
async fn with_standin(dir: &Path, api: &str, args: &[&str]) -> Output {
    infra_ci(dir, api, &path_with_standin(), args).await
}

/// An emulator on a free local port with `acme/infra`.
async fn start_emulator() -> TestEmulator {
    TestEmulator::start(&["acme/infra"]).await
}

/// Pull request 1 on `head`, modelled as on GitHub: `head` one commit ahead of the base
/// `0…0`, and the base branch `main` at that base.
async fn seed_pull(emu: &TestEmulator, head: &str) {
    emu.open_pull("acme/infra", 1, head, &"0".repeat(40), "author")
        .await;
}

fn path_with_standin() -> String {
    format!(
        "{}:{}",
        workspace().join("tests/stand-in").display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn run_plan_then_apply_with_exit_codes() {
    let emu = start_emulator().await;
    let api = emu.base_url().to_owned();
    let head = "a".repeat(40);
    seed_pull(&emu, &head).await;
    let dir = checkout("basic_2-delete");

    let out = with_standin(dir.path(), &api, &["run", "plan", "--pr", "1"]).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("app") && stdout.contains("+0 ~0 -2 ⚠️"),
        "{stdout}"
    );
    assert!(
        dir.path()
            .join(format!(".infra-ci/plans/{head}/app.tfplan"))
            .is_file()
    );
    assert!(
        std::fs::read_to_string(dir.path().join("summary.md"))
            .unwrap()
            .contains("### Plan `app`")
    );

    // Not approved yet: refused, exit 1, the reason on stdout.
    let out = with_standin(dir.path(), &api, &["run", "apply", "--pr", "1"]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("refused: no approval of"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    let reviewer = NewUser::new("reviewer").association("COLLABORATOR");
    emu.admin().user(&reviewer).await.unwrap();
    let approval = NewReview::new("reviewer", "APPROVED", &head);
    emu.admin()
        .review("acme/infra", 1, &approval)
        .await
        .unwrap();
    let out = with_standin(dir.path(), &api, &["run", "apply", "--pr", "1"]).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("applied +0 ~0 -2 ⚠️"));

    let out = with_standin(dir.path(), &api, &["run", "unlock", "--pr", "1"]).await;
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("released the lock of app"));

    // An unknown project is a usage error.
    let out = with_standin(dir.path(), &api, &["run", "plan", "nope", "--pr", "1"]).await;
    assert_eq!(out.status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_terraform_is_a_clear_error_and_drift_exits_1() {
    let emu = start_emulator().await;
    let api = emu.base_url().to_owned();
    let dir = checkout("basic_0-create");
    let out = infra_ci(dir.path(), &api, "/nonexistent", &["drift"]).await;
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("`terraform` was not found on PATH"),
        "{stderr}"
    );

    let out = with_standin(dir.path(), &api, &["drift"]).await;
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("drift found: issue #"));

    std::fs::write(
        dir.path().join("app/.standin"),
        "json=terraform-plan-comment/basic_4-empty.plan.json\ntext=terraform-plan-comment/basic_4-empty.plan.txt\n",
    )
    .unwrap();
    let out = with_standin(dir.path(), &api, &["drift"]).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("(closed)"));
}

#[tokio::test(flavor = "multi_thread")]
async fn unlock_releases_every_lock_and_exits_1_when_a_status_write_fails() {
    let emu = start_emulator().await;
    let api = emu.base_url().to_owned();
    let head = "c".repeat(40);
    let http = reqwest::Client::new();
    // #3 holds the locks of app and net (as `run apply` leaves them: the ref and its status).
    for project in ["app", "net"] {
        for (path, body) in [
            (
                "git/refs".to_owned(),
                json!({ "ref": format!("refs/infra-ci/locks/{project}"), "sha": head }),
            ),
            (
                format!("statuses/{head}"),
                json!({ "state": "success", "context": format!("infra-ci/lock/{project}"), "description": "locked by #3" }),
            ),
        ] {
            let res = http
                .post(format!("{api}/repos/acme/infra/{path}"))
                .bearer_auth(DEFAULT_BOT_TOKEN)
                .json(&body)
                .send()
                .await
                .unwrap();
            assert!(res.status().is_success(), "{path}: {}", res.status());
        }
    }
    // A token that may delete refs but not write statuses.
    let ro_bot = NewUser::new("ro[bot]")
        .kind("Bot")
        .token("ro-token")
        .permission("statuses", "read");
    emu.admin().user(&ro_bot).await.unwrap();
    let dir = checkout("basic_0-create");
    std::fs::write(
        dir.path().join(".github/infra-ci.yml"),
        "stages:\n  - {key: plan-app, name: \"Plan: app\"}\n  - {key: plan-net, name: \"Plan: net\"}\n  - {key: apply, name: Apply}\n\
projects:\n  - {name: app, dir: app, stage: plan-app, runner: native}\n  - {name: net, dir: net, stage: plan-net, runner: native}\n",
    )
    .unwrap();

    let out = with_standin(
        dir.path(),
        &api,
        &["run", "unlock", "--pr", "3", "--token", "ro-token"],
    )
    .await;
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    for project in ["app", "net"] {
        assert!(
            stdout.contains(&format!("released the lock of {project}")),
            "{stdout}"
        );
        assert!(
            stderr.contains(&format!(
                "{project}: lock released, but its `released by` status could not be written"
            )),
            "{stderr}"
        );
        let res = http
            .get(format!(
                "{api}/repos/acme/infra/git/ref/infra-ci/locks/{project}"
            ))
            .bearer_auth(DEFAULT_BOT_TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404, "{project}'s lock must be gone");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn terraform_never_sees_github_credentials() {
    let emu = start_emulator().await;
    let api = emu.base_url().to_owned();
    let head = "c".repeat(40);
    seed_pull(&emu, &head).await;
    let dir = checkout("basic_0-create");
    let dump = dir.path().join("env-names");
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_infra-ci"));
    cmd.args([
        "run",
        "plan",
        "--pr",
        "1",
        "--repo",
        "acme/infra",
        "--api-url",
        &api,
    ])
    .current_dir(dir.path())
    .env("GITHUB_TOKEN", DEFAULT_BOT_TOKEN)
    .env("GH_TOKEN", "gh-token-value")
    .env("GITHUB_APP_INSTALLATION_ID", "42")
    .env("GITHUB_APP_SLUG", "infra-ci")
    .env("ACTIONS_RUNTIME_TOKEN", "runtime-token")
    .env("ACTIONS_RUNTIME_URL", "https://pipelines.example/")
    .env("ACTIONS_ID_TOKEN_REQUEST_URL", "https://oidc.example/")
    .env("GITHUB_ENV", dir.path().join("github-env"))
    .env("GITHUB_PATH", dir.path().join("github-path"))
    .env("GITHUB_OUTPUT", dir.path().join("github-output"))
    .env("PATH", path_with_standin())
    .env(
        "STANDIN_FIXTURES",
        workspace().join("tests/fixtures/terraform"),
    )
    .env("STANDIN_ENV_DUMP", &dump)
    .env("GITHUB_STEP_SUMMARY", dir.path().join("summary.md"))
    .env_remove("INFRA_CI_TERRAFORM")
    .env_remove("INFRA_CI_PLANS_DIR");
    let out = tokio::task::spawn_blocking(move || cmd.output())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let names = std::fs::read_to_string(&dump).unwrap();
    let seen: std::collections::BTreeSet<&str> = names.lines().collect();
    // The stand-in ran (init, plan, show) and saw the ordinary environment...
    assert!(
        seen.contains("PATH") && seen.contains("TF_IN_AUTOMATION"),
        "{seen:?}"
    );
    // ...cloud OIDC included (providers authenticate with it)...
    assert!(seen.contains("ACTIONS_ID_TOKEN_REQUEST_URL"), "{seen:?}");
    // ...and no GitHub credential, runtime token or workflow command file.
    for name in [
        "GITHUB_TOKEN",
        "GH_TOKEN",
        "GITHUB_APP_INSTALLATION_ID",
        "GITHUB_APP_SLUG",
        "ACTIONS_RUNTIME_TOKEN",
        "ACTIONS_RUNTIME_URL",
        "GITHUB_ENV",
        "GITHUB_PATH",
        "GITHUB_OUTPUT",
        "GITHUB_STEP_SUMMARY",
    ] {
        assert!(!seen.contains(name), "{name} reached terraform: {seen:?}");
    }
}
