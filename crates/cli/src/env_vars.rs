//! Every environment variable infra-ci reads, in one registry.
//!
//! Each name is defined once, where it is read (the GitHub client's in
//! [`infra_ci_github::env`], Terraform's in `infra_ci_runner`, the Actions environment's in
//! [`crate::actions_env`], the rest below), and listed here with what it does: `infra-ci
//! --help` prints this list and `docs/environment.md` is generated from it (a test keeps
//! both equal, and another fails when a module names a variable the registry lacks).
//! Flags that a variable may set use clap's `env = NAME` with the same constant.

use std::fmt::Write as _;

use infra_ci_github::env as gh;

use crate::actions_env as actions;

/// The configuration file (default `.github/infra-ci.yml`; in Actions the default branch's).
pub const INFRA_CI_CONFIG: &str = "INFRA_CI_CONFIG";
/// The longest pause before a lagging read is read again, in milliseconds.
pub const INFRA_CI_SETTLE_MS: &str = "INFRA_CI_SETTLE_MS";
/// The commit a push or a scheduled run is for (set by Actions).
pub const GITHUB_SHA: &str = "GITHUB_SHA";

/// Who sets a variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetBy {
    /// GitHub Actions sets it for every step; set it yourself outside Actions.
    Actions,
    /// The workflow (or you) sets it.
    You,
}

/// One variable: its name, who sets it and what it does.
#[derive(Debug, Clone, Copy)]
pub struct EnvVar {
    pub name: &'static str,
    pub set_by: SetBy,
    pub doc: &'static str,
}

const fn var(name: &'static str, set_by: SetBy, doc: &'static str) -> EnvVar {
    EnvVar { name, set_by, doc }
}

/// Every variable infra-ci reads, grouped as a reader looks for them.
pub const REGISTRY: &[EnvVar] = &[
    var(
        gh::GITHUB_TOKEN,
        SetBy::You,
        "the token (`${{ github.token }}` or a PAT); used when no App credentials are set",
    ),
    var(
        gh::GH_TOKEN,
        SetBy::You,
        "the `gh` CLI's name for a token; read when `GITHUB_TOKEN` is unset",
    ),
    var(
        gh::GITHUB_APP_ID,
        SetBy::You,
        "a GitHub App's id (or client id); with `GITHUB_APP_PRIVATE_KEY` selects App auth",
    ),
    var(
        gh::GITHUB_APP_PRIVATE_KEY,
        SetBy::You,
        "the App's PEM private key (PKCS#1 or PKCS#8)",
    ),
    var(
        gh::GITHUB_APP_INSTALLATION_ID,
        SetBy::You,
        "the App's installation id (default: looked up for the repository)",
    ),
    var(
        gh::GITHUB_APP_SLUG,
        SetBy::You,
        "the App's slug, so its login `<slug>[bot]` is known without asking GitHub",
    ),
    var(
        gh::INFRA_CI_BOT_LOGIN,
        SetBy::You,
        "the login infra-ci's comments and statuses are authored by, when the token may not read `GET /user`",
    ),
    var(
        gh::GITHUB_API_URL,
        SetBy::Actions,
        "the REST base URL (GitHub Enterprise Server: `https://HOST/api/v3`)",
    ),
    var(
        gh::GITHUB_GRAPHQL_URL,
        SetBy::Actions,
        "the GraphQL endpoint (default: derived from `GITHUB_API_URL`)",
    ),
    var(
        gh::INFRA_CI_HTTP_TIMEOUT_SECS,
        SetBy::You,
        "per-request timeout in seconds (default 30)",
    ),
    var(
        gh::INFRA_CI_DEADLINE_SECS,
        SetBy::You,
        "deadline in seconds for everything one command sends to GitHub (default 300)",
    ),
    var(
        gh::INFRA_CI_MAX_ATTEMPTS,
        SetBy::You,
        "attempts per request, the first included (default 6)",
    ),
    var(
        gh::GITHUB_REPOSITORY,
        SetBy::Actions,
        "`OWNER/NAME`, the default of every `--repo`",
    ),
    var(
        actions::GITHUB_ACTIONS,
        SetBy::Actions,
        "`true` in Actions: warnings become `::warning::` annotations, the configuration is the default branch's",
    ),
    var(
        actions::GITHUB_EVENT_NAME,
        SetBy::Actions,
        "the event `parse` routes (`pull_request`, `issue_comment`, ...)",
    ),
    var(
        actions::GITHUB_EVENT_PATH,
        SetBy::Actions,
        "the event's JSON payload",
    ),
    var(
        GITHUB_SHA,
        SetBy::Actions,
        "the commit of a push or scheduled run (`run verify --sha`, `pr-target --sha`)",
    ),
    var(
        actions::GITHUB_OUTPUT,
        SetBy::Actions,
        "the step outputs file `parse`, `plan-run` and `pr-target` write",
    ),
    var(
        actions::GITHUB_STEP_SUMMARY,
        SetBy::Actions,
        "the job summary file runs append to",
    ),
    var(
        actions::GITHUB_SERVER_URL,
        SetBy::Actions,
        "`https://github.com` or the GHES host, for links to runs and jobs",
    ),
    var(
        actions::GITHUB_RUN_ID,
        SetBy::Actions,
        "the run rows link to",
    ),
    var(
        actions::INFRA_CI_JOB_ID,
        SetBy::You,
        "the job rows link to (`${{ job.check_run_id }}`; Actions sets no variable for it)",
    ),
    var(
        INFRA_CI_CONFIG,
        SetBy::You,
        "the configuration file (default `.github/infra-ci.yml`; in Actions the default branch's, read through the API)",
    ),
    var(
        infra_ci_runner::ENV_TERRAFORM,
        SetBy::You,
        "the Terraform or OpenTofu executable (default: `terraform.binary` of the configuration, on PATH)",
    ),
    var(
        infra_ci_runner::ENV_PLANS_DIR,
        SetBy::You,
        "where saved plans are written and read (`--plans-dir`)",
    ),
    var(
        INFRA_CI_SETTLE_MS,
        SetBy::You,
        "the longest pause, in milliseconds, before a lagging read is read again (default 750)",
    ),
];

/// The registry as `infra-ci --help` ends.
pub fn help() -> String {
    let mut out = String::from("Environment (docs/environment.md; * set by GitHub Actions):\n");
    for v in REGISTRY {
        let mark = if v.set_by == SetBy::Actions { "*" } else { " " };
        let _ = writeln!(out, " {mark}{:<28} {}", v.name, v.doc);
    }
    out
}

/// `docs/environment.md` (written by the test that keeps it equal to the registry).
#[cfg(test)]
pub fn markdown() -> String {
    let mut out = String::from(
        "# Environment variables\n\n\
         Generated from `crates/cli/src/env_vars.rs` (`UPDATE_DOCS=1 cargo test -p infra-ci env_vars`\n\
         rewrites it); `infra-ci --help` prints the same list. Flags that a variable sets say so\n\
         in their `--help` (`[env: NAME=]`).\n\n\
         | Variable | Set by | What it does |\n|---|---|---|\n",
    );
    for v in REGISTRY {
        let by = match v.set_by {
            SetBy::Actions => "Actions",
            SetBy::You => "you",
        };
        let _ = writeln!(
            out,
            "| `{}` | {by} | {} |",
            v.name,
            v.doc.replace('|', "\\|")
        );
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::path::Path;

    use super::*;

    const DOC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/environment.md");

    #[test]
    fn the_docs_are_the_registry() {
        let want = markdown();
        if std::env::var_os("UPDATE_DOCS").is_some() {
            std::fs::write(DOC, &want).unwrap();
        }
        let have = std::fs::read_to_string(DOC).unwrap_or_default();
        assert!(
            have == want,
            "docs/environment.md is stale: run `UPDATE_DOCS=1 cargo test -p infra-ci env_vars` and commit it"
        );
    }

    #[test]
    fn names_are_unique() {
        let mut names: Vec<&str> = REGISTRY.iter().map(|v| v.name).collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(names.len(), before);
    }

    /// A variable named in a source file (`: &str = "GITHUB_…"`, `"INFRA_CI_…"`) must be in
    /// the registry: a new one cannot be read without being documented.
    #[test]
    fn every_variable_the_code_names_is_registered() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut missing = Vec::new();
        for dir in [
            "crates/cli/src",
            "crates/github/src",
            "crates/runner/src",
            "crates/engine/src",
        ] {
            for text in rust_files(&root.join(dir)) {
                for name in named_variables(&text) {
                    if !REGISTRY.iter().any(|v| v.name == name) {
                        missing.push(name);
                    }
                }
            }
        }
        missing.sort();
        missing.dedup();
        assert!(missing.is_empty(), "not in env_vars::REGISTRY: {missing:?}");
    }

    fn rust_files(dir: &Path) -> Vec<String> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                out.extend(rust_files(&p));
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(std::fs::read_to_string(&p).unwrap());
            }
        }
        out
    }

    /// `NAME` of every `const …: &str = "NAME";` whose value looks like one of our
    /// variables (`GITHUB_…`, `GH_…`, `INFRA_CI_…`).
    fn named_variables(text: &str) -> Vec<String> {
        text.lines()
            .filter(|l| l.contains("const ") && l.contains(": &str = \""))
            .filter_map(|l| l.split(": &str = \"").nth(1)?.split('"').next())
            .filter(|v| {
                ["GITHUB_", "GH_", "INFRA_CI_"]
                    .iter()
                    .any(|p| v.starts_with(p))
                    && v.bytes().all(|b| b.is_ascii_uppercase() || b == b'_')
            })
            .map(str::to_owned)
            .collect()
    }
}
