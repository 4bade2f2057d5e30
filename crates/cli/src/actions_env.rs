//! The GitHub Actions environment: variable names in one place, and the files Actions reads
//! back (`GITHUB_OUTPUT`, `GITHUB_STEP_SUMMARY`).

use std::fmt::Write as _;
use std::io::Write as _;

/// `owner/name` of the repository the workflow runs in (the GitHub client's name for it).
pub use infra_ci_github::env::GITHUB_REPOSITORY;
/// The event's name (`pull_request`, `issue_comment`, ...).
pub const GITHUB_EVENT_NAME: &str = "GITHUB_EVENT_NAME";
/// Path of the event's JSON payload.
pub const GITHUB_EVENT_PATH: &str = "GITHUB_EVENT_PATH";
/// The step outputs file.
pub const GITHUB_OUTPUT: &str = "GITHUB_OUTPUT";
/// The job summary file (Markdown).
pub const GITHUB_STEP_SUMMARY: &str = "GITHUB_STEP_SUMMARY";
/// `https://github.com` or the GHES host.
pub const GITHUB_SERVER_URL: &str = "GITHUB_SERVER_URL";
/// The workflow run's id.
pub const GITHUB_RUN_ID: &str = "GITHUB_RUN_ID";

/// `true` inside GitHub Actions.
pub const GITHUB_ACTIONS: &str = "GITHUB_ACTIONS";

/// The current job's id, as the workflows pass it from `${{ job.check_run_id }}` (a job's
/// check run id is its id in the run's URL; GitHub sets no variable for it).
pub const INFRA_CI_JOB_ID: &str = "INFRA_CI_JOB_ID";

/// The link a row of the current job points at, when running in Actions: the job's own
/// page (`…/actions/runs/R/job/J`, where its log is) when the workflow passes
/// `INFRA_CI_JOB_ID`, else the run's page. A job id that is not a number is ignored.
pub fn job_url() -> Option<String> {
    let server = std::env::var(GITHUB_SERVER_URL).ok()?;
    let repo = std::env::var(GITHUB_REPOSITORY).ok()?;
    let run = std::env::var(GITHUB_RUN_ID).ok()?;
    let job = std::env::var(INFRA_CI_JOB_ID).ok();
    Some(job_link(&server, &repo, &run, job.as_deref()))
}

/// The workflow run's id (`GITHUB_RUN_ID`), when running in Actions.
pub fn run_id() -> Option<u64> {
    std::env::var(GITHUB_RUN_ID).ok()?.trim().parse().ok()
}

/// `job_url` of the given parts.
fn job_link(server: &str, repo: &str, run: &str, job: Option<&str>) -> String {
    let run_page = format!("{server}/{repo}/actions/runs/{run}");
    match job.map(str::trim) {
        Some(j) if !j.is_empty() && j.bytes().all(|b| b.is_ascii_digit()) => {
            format!("{run_page}/job/{j}")
        }
        _ => run_page,
    }
}

/// Formats outputs in GitHub's file format. Values with a newline use the heredoc form with
/// a delimiter that cannot occur in the value, so no value can inject another output.
pub fn format_outputs(pairs: &[(&str, String)]) -> String {
    let mut out = String::new();
    for (name, value) in pairs {
        if value.contains('\n') || value.contains('\r') {
            let mut n = 0u32;
            let delim = loop {
                let d = format!("INFRA_CI_EOF_{n}");
                if !value.contains(&d) {
                    break d;
                }
                n += 1;
            };
            let _ = write!(out, "{name}<<{delim}\n{value}\n{delim}\n");
        } else {
            let _ = writeln!(out, "{name}={value}");
        }
    }
    out
}

/// Appends to the file named by `var` when it is set. Returns whether it wrote.
pub fn append_to(var: &str, text: &str) -> std::io::Result<bool> {
    let Some(path) = std::env::var_os(var).filter(|p| !p.is_empty()) else {
        return Ok(false);
    };
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    f.write_all(text.as_bytes())?;
    Ok(true)
}

/// Writes a workflow command annotation (`::warning::`, `::error::`, `::notice::`) when
/// running in GitHub Actions, else a plain `warning: ...` line, on stderr. The message is
/// escaped as GitHub's toolkit does (`%`, CR, LF), so it cannot start another command.
pub fn annotate(level: &str, message: &str) {
    let escaped = message
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    if std::env::var(GITHUB_ACTIONS).as_deref() == Ok("true") {
        eprintln!("::{level}::{escaped}");
    } else {
        eprintln!("{level}: {message}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multiline_values_cannot_inject_outputs() {
        let text = format_outputs(&[
            ("mode", "native".into()),
            ("reason", "line1\nshould_run=true\nINFRA_CI_EOF_0".into()),
        ]);
        assert!(text.starts_with("mode=native\nreason<<INFRA_CI_EOF_1\n"));
        assert!(text.ends_with("\nINFRA_CI_EOF_1\n"));
    }

    #[test]
    fn a_row_links_to_its_job_when_the_workflow_passes_its_id() {
        let (s, r) = ("https://github.com", "acme/infra");
        assert_eq!(
            job_link(s, r, "7", Some("51725241954")),
            "https://github.com/acme/infra/actions/runs/7/job/51725241954"
        );
        assert_eq!(
            job_link(s, r, "7", None),
            "https://github.com/acme/infra/actions/runs/7"
        );
        // An unset expression gives an empty string; anything but digits is not an id.
        for bad in ["", " ", "12/../../x", "1?a=b"] {
            assert_eq!(
                job_link(s, r, "7", Some(bad)),
                "https://github.com/acme/infra/actions/runs/7",
                "{bad:?}"
            );
        }
    }
}
