//! A project's Terraform steps: `init` + `plan` + `show` for a plan, `init` + `apply` for an
//! apply. A project that fails is a [`ProjectResult`] with status `failure` and the first
//! error line; only what stops the whole run (no binary, no disk) is an error.

use std::ffi::OsString;
use std::path::Path;

use infra_ci_core::Status;
use infra_ci_plan::Summary;

use crate::error::RunnerError;
use crate::process::{Cwd, Outcome};
use crate::text;

/// Bytes of `show -no-color` output kept (for the job summary; the dashboard gets less).
pub(crate) const PLAN_TEXT_BYTES: usize = 256 * 1024;

/// What one project's run came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectResult {
    /// The project's configured name.
    pub project: String,
    /// `success`, `failure` or `skipped`.
    pub status: Status,
    /// One line for the dashboard's Output column.
    pub output: String,
    /// The plan's summary, when a plan was read.
    pub summary: Option<Summary>,
    /// The plan text or the error tail (bounded), for the details and the job summary.
    pub details: Option<String>,
}

impl ProjectResult {
    /// A failure with its reason as the output line and the error tail as details.
    pub fn failed(project: &str, output: String, tail: &[String]) -> Self {
        Self {
            project: project.to_owned(),
            status: Status::Failure,
            output,
            summary: None,
            details: (!tail.is_empty()).then(|| tail.join("\n")),
        }
    }

    /// Not run, with the reason.
    pub fn skipped(project: &str, reason: String) -> Self {
        Self {
            project: project.to_owned(),
            status: Status::Skipped,
            output: reason,
            summary: None,
            details: None,
        }
    }
}

fn os(args: &[&str]) -> Vec<OsString> {
    args.iter().map(OsString::from).collect()
}

fn failed_step(project: &str, step: &str, o: &Outcome) -> ProjectResult {
    ProjectResult::failed(project, format!("error: {}", o.reason(step)), &o.tail)
}

/// `init`, then `plan -out=<planfile>`, then `show -json` (streamed into the summary) and
/// `show -no-color` (bounded) of the plan file.
pub(crate) async fn plan(
    cwd: Cwd<'_>,
    project: &str,
    planfile: &Path,
) -> Result<ProjectResult, RunnerError> {
    let init = cwd.run(&os(&["init", "-input=false", "-no-color"])).await?;
    if init.code != Some(0) {
        return Ok(failed_step(project, "terraform init", &init));
    }
    let mut out = OsString::from("-out=");
    out.push(planfile);
    let mut args = os(&["plan", "-input=false", "-no-color", "-detailed-exitcode"]);
    args.push(out);
    let plan = cwd.run(&args).await?;
    // -detailed-exitcode: 0 no changes, 2 changes, anything else an error.
    if !matches!(plan.code, Some(0 | 2)) {
        return Ok(failed_step(project, "terraform plan", &plan));
    }
    summarize(cwd, project, planfile).await
}

/// The result of a saved plan that another tool made (Digger's), as infra-ci's own plans
/// are shown: `show -json` streamed into the summary (the row's `+a ~c -d`), then destroyed
/// and replaced addresses by name and the plan text as details. Runs `terraform` in `dir`
/// (initialised by whoever planned) without any GitHub credential.
pub async fn summarize_saved(
    tool: &crate::Tool,
    dir: &Path,
    project: &str,
    workspace: Option<&str>,
    planfile: &Path,
) -> Result<ProjectResult, RunnerError> {
    let cwd = Cwd {
        tool,
        dir,
        label: project,
        workspace,
    };
    summarize(cwd, project, planfile).await
}

/// `show -json` (streamed into the summary) and `show -no-color` (bounded) of a plan file.
async fn summarize(
    cwd: Cwd<'_>,
    project: &str,
    planfile: &Path,
) -> Result<ProjectResult, RunnerError> {
    let show = |flag: &str| {
        vec![
            OsString::from("show"),
            OsString::from(flag),
            planfile.as_os_str().to_owned(),
        ]
    };
    let (shown, summary) = cwd.summarize(&show("-json")).await?;
    let summary = match summary {
        Some(Ok(s)) if shown.code == Some(0) => s,
        Some(Err(e)) if shown.code == Some(0) => {
            return Ok(ProjectResult::failed(
                project,
                format!("error: cannot summarise the plan: {e}"),
                &shown.tail,
            ));
        }
        _ => return Ok(failed_step(project, "terraform show -json", &shown)),
    };
    let (text_out, text, total) = cwd.capture(&show("-no-color"), PLAN_TEXT_BYTES).await?;
    let plan_text = if text_out.code == Some(0) {
        text::bounded(&text, total, PLAN_TEXT_BYTES)
    } else {
        format!(
            "(terraform show -no-color failed: {})",
            text_out.reason("terraform show")
        )
    };
    // Destroys by name first: the plan text may be cut to fit the comment (issue 9).
    let destructive = summary.destructive_text();
    let details = Some(if destructive.is_empty() {
        plan_text
    } else {
        format!("{destructive}\n{plan_text}")
    });
    Ok(ProjectResult {
        project: project.to_owned(),
        status: if summary.errored {
            Status::Failure
        } else {
            Status::Success
        },
        output: summary.one_line(),
        details,
        summary: Some(summary),
    })
}

/// `init`, then `apply <planfile>` (a saved plan applies without a prompt).
pub(crate) async fn apply(
    cwd: Cwd<'_>,
    project: &str,
    planfile: &Path,
    planned: &str,
) -> Result<ProjectResult, RunnerError> {
    let init = cwd.run(&os(&["init", "-input=false", "-no-color"])).await?;
    if init.code != Some(0) {
        return Ok(failed_step(project, "terraform init", &init));
    }
    let mut args = os(&["apply", "-input=false", "-no-color"]);
    args.push(planfile.as_os_str().to_owned());
    let applied = cwd.run(&args).await?;
    if applied.code != Some(0) {
        return Ok(failed_step(project, "terraform apply", &applied));
    }
    Ok(ProjectResult {
        project: project.to_owned(),
        status: Status::Success,
        output: format!("applied {planned}"),
        summary: None,
        details: Some(applied.tail.join("\n")),
    })
}
