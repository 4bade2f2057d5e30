//! `init`, `sync`, `update`, `show`.

use std::io::Read as _;

use infra_ci_core::Status;
use infra_ci_engine::{Dashboards, StageUpdate, Tuning};

use crate::actions_env;
use crate::args::{InitArgs, ShowArgs, TargetArgs, UpdateArgs};
use crate::client;
use crate::exit::CliError;

/// The reconcile settings; `INFRA_CI_SETTLE_MS` sets how long a read may lag a write
/// (default 750 ms): the longest wait before a read that does not show our own write yet is
/// read again. Reads that show it are never waited for (ADR 0007).
pub fn tuning() -> Tuning {
    let mut t = Tuning::default();
    if let Some(ms) = std::env::var(INFRA_CI_SETTLE_MS)
        .ok()
        .and_then(|v| v.trim().parse().ok())
    {
        t.settle_ms = ms;
    }
    t
}

/// Environment variable overriding [`Tuning::settle_ms`].
pub use crate::env_vars::INFRA_CI_SETTLE_MS;

/// The repository's configuration (`--config`, else `.github/infra-ci.yml` if present).
pub fn config(t: &TargetArgs) -> Result<infra_ci_config::Config, CliError> {
    crate::config::load(t.config.as_deref())
}

pub async fn init(a: InitArgs, sync: bool) -> Result<(), CliError> {
    let forge = client::github(&a.conn).await?;
    let target = client::target(&forge, &a.target).await?;
    let d = Dashboards::for_config(&forge, &config(&a.target)?, tuning());
    let out = if sync {
        d.sync(&target).await?
    } else {
        d.init(&target).await?
    };
    println!(
        "dashboard {} for {} at {}",
        out.comment_id,
        &target.sha[..7.min(target.sha.len())],
        out.html_url
    );
    Ok(())
}

pub async fn update(a: UpdateArgs) -> Result<(), CliError> {
    let status: Status = a
        .status
        .parse()
        .map_err(|e: infra_ci_core::UnknownStatus| CliError::usage(e.to_string()))?;
    if a.result_follows && status.is_terminal() {
        return Err(CliError::usage(format!(
            "--result-follows is for a status whose result follows (pending, running), not {status}: a result must render the comment"
        )));
    }
    let (output, details) = match (&a.output, &a.output_file, &a.plan) {
        (_, _, Some(plan)) => super::summarize::for_dashboard(plan)?,
        (Some(text), _, None) => (Some(text.clone()), None),
        (None, Some(path), None) if path != "-" && !std::path::Path::new(path).exists() => {
            // A job that failed before writing its log still reports its outcome: losing
            // the status because the log is missing would leave the row running forever.
            actions_env::annotate(
                "warning",
                &format!("--output-file {path} does not exist: the row gets no output"),
            );
            (None, None)
        }
        (None, Some(path), None) => split_output(&read_text(path)?, status),
        (None, None, None) => (None, None),
    };
    if let Some(text) = &details {
        // The job summary gets the whole text; the dashboard a budgeted part of it.
        let section = format!("### {}\n\n```text\n{}\n```\n", a.stage, text.trim_end());
        actions_env::append_to(actions_env::GITHUB_STEP_SUMMARY, &section)
            .map_err(|e| CliError::failed(format!("cannot write GITHUB_STEP_SUMMARY: {e}")))?;
    }
    // In Actions, a stage without --link links to its job (or its run).
    let link = a.link.clone().or_else(actions_env::job_url);
    let forge = client::github(&a.conn).await?;
    let target = client::target(&forge, &a.target).await?;
    let d = Dashboards::for_config(&forge, &config(&a.target)?, tuning());
    let update = StageUpdate {
        stage: a.stage.clone(),
        status,
        link,
        output,
        details,
    };
    let (unknown_stage, said) = if a.result_follows {
        let posted = d.post_status(&target, update).await?;
        let said = format!(
            "{} {status} posted; the comment is rendered with the stage's result",
            a.stage
        );
        (posted.unknown_stage, said)
    } else {
        let out = d.update(&target, update).await?;
        let said = format!(
            "{} {} on dashboard {} ({})",
            a.stage, status, out.comment_id, out.html_url
        );
        (out.unknown_stage, said)
    };
    if unknown_stage {
        // A mistyped stage in a workflow must show on the run's page, not only in its log.
        actions_env::annotate(
            "warning",
            &format!(
                "stage {:?} is not configured (known: {}); it was added as a row: check the workflow for a typo",
                a.stage,
                d.stages()
                    .iter()
                    .map(|s| s.key.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }
    println!("{said}");
    Ok(())
}

pub async fn show(a: ShowArgs) -> Result<(), CliError> {
    let forge = client::github(&a.conn).await?;
    let target = client::target(&forge, &a.target).await?;
    let d = Dashboards::for_config(&forge, &config(&a.target)?, tuning());
    let shown = d.show(&target).await?;
    if a.json {
        let json = serde_json::to_string(&shown).map_err(|e| CliError::failed(e.to_string()))?;
        println!("{json}");
    } else {
        println!(
            "Commit {}  dashboard comment {}",
            shown.sha,
            shown.comment_id.map_or("none".into(), |c| c.to_string())
        );
        for s in &shown.stages {
            println!(
                "  {} {:<22} {:<10} {}{}",
                s.status.emoji(),
                s.name,
                s.status.word(),
                s.output.as_deref().unwrap_or(""),
                s.link
                    .as_deref()
                    .map(|l| format!("  {l}"))
                    .unwrap_or_default()
            );
        }
    }
    Ok(())
}

/// Reads a file, or stdin for `-`. At most 16 MiB: the dashboard shows far less anyway.
pub fn read_text(path: &str) -> Result<String, CliError> {
    const MAX: u64 = 16 << 20;
    let mut buf = Vec::new();
    let res = if path == "-" {
        std::io::stdin().take(MAX).read_to_end(&mut buf)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(MAX).read_to_end(&mut buf))
    };
    res.map_err(|e| CliError::usage(format!("cannot read {path}: {e}")))?;
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

/// The line for the Output column, and the whole text as details when it has more than
/// that line. A failed stage shows its first error line (`Error: ...`, `error[...]`,
/// `FAILED`), else its last line: a log's first line is usually a header that says nothing
/// about the failure (issue 9, item 5). Other stages show the first non-empty line.
pub fn split_output(text: &str, status: Status) -> (Option<String>, Option<String>) {
    let lines = || {
        text.lines()
            .map(|l| l.trim().trim_start_matches(['│', '╷', '╵']).trim())
    };
    let failed = status == Status::Failure;
    let looks_like_error = |l: &str| {
        let lower = l.to_ascii_lowercase();
        lower.starts_with("error")
            || lower.contains(" error:")
            || l.contains("FAILED")
            || l.contains("FAIL ")
    };
    let pick = if failed {
        lines()
            .find(|l| looks_like_error(l))
            .or_else(|| lines().rfind(|l| !l.is_empty()))
    } else {
        lines().find(|l| !l.is_empty())
    };
    let first = pick.map(str::to_owned);
    let multi = text.trim().lines().count() > 1;
    (first, multi.then(|| text.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = "== terraform fmt -check\nok\n== terraform validate\n╷\n│ Error: Unsupported argument\n│ on main.tf line 3\n╵\n";

    #[test]
    fn a_failed_stage_shows_its_error_line_not_the_logs_header() {
        let (line, details) = split_output(LOG, Status::Failure);
        assert_eq!(line.as_deref(), Some("Error: Unsupported argument"));
        assert_eq!(details.as_deref(), Some(LOG));
        let (line, _) = split_output("building\nstep 2\nexit status 3\n", Status::Failure);
        assert_eq!(
            line.as_deref(),
            Some("exit status 3"),
            "no error line: the last one"
        );
    }

    #[test]
    fn other_stages_show_the_first_line() {
        let (line, _) = split_output(LOG, Status::Success);
        assert_eq!(line.as_deref(), Some("== terraform fmt -check"));
        assert_eq!(
            split_output("one\n", Status::Running),
            (Some("one".into()), None)
        );
    }
}
