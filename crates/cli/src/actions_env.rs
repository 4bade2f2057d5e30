//! The GitHub Actions environment: variable names in one place, and the files Actions reads
//! back (`GITHUB_OUTPUT`, `GITHUB_STEP_SUMMARY`).

use std::fmt::Write as _;
use std::io::Write as _;

/// `owner/name` of the repository the workflow runs in.
pub const GITHUB_REPOSITORY: &str = "GITHUB_REPOSITORY";
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

/// The URL of the current workflow run, when running in Actions.
pub fn run_url() -> Option<String> {
    let server = std::env::var(GITHUB_SERVER_URL).ok()?;
    let repo = std::env::var(GITHUB_REPOSITORY).ok()?;
    let run = std::env::var(GITHUB_RUN_ID).ok()?;
    Some(format!("{server}/{repo}/actions/runs/{run}"))
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
}
