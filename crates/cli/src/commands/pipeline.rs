//! The pipeline's own steps, so that the reusable workflow holds no shell logic:
//! `validate` (stage `ci`), `report digger` and `report stages` (a job's outcome on its
//! rows), `plan-run` (which run saved the plans an apply needs).
//!
//! Each is one command a workflow step runs with values `parse` decided; the decisions they
//! take (which row a Digger leg owns, whether it is the last leg, which run to download
//! from) are plain functions tested here and by the life-of-PR suite (`tests/it/life`).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use clap::{Args, Subcommand};
use infra_ci_config::{Config, well_known};
use infra_ci_core::Status;
use infra_ci_engine::{Dashboards, LegDetails, StageUpdate};

use crate::actions_env::{self, GITHUB_OUTPUT};
use crate::args::{ConnArgs, TargetArgs};
use crate::client;
use crate::commands::dashboard::{config, tuning};
use crate::exit::CliError;

/// Variables a Terraform child never sees: they would hand the PR's code a GitHub
/// credential (docs/security.md, "Credentials stay home").
const CREDENTIALS: &[&str] = &[
    "GITHUB_TOKEN",
    "GH_TOKEN",
    "GITHUB_APP_ID",
    "GITHUB_APP_PRIVATE_KEY",
    "GITHUB_APP_INSTALLATION_ID",
    "ACTIONS_RUNTIME_TOKEN",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
];

/// `infra-ci validate`: stage `ci`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    #[command(flatten)]
    pub conn: ConnArgs,
    /// Report on the dashboard (`false` for a fork's pull request: its token is read-only;
    /// `parse` writes this as its `dashboard` output).
    #[arg(long, value_name = "BOOL", default_value_t = true, action = clap::ArgAction::Set)]
    pub dashboard: bool,
}

/// `infra-ci report …`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(subcommand)]
    pub what: ReportCommand,
}

/// Whose outcome.
#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// One Digger matrix leg: its project's plan row, or its project's apply row and the
    /// shared `apply` row (only the last leg may mark it done).
    Digger(DiggerArgs),
    /// Every row a job owns, when the job ended before infra-ci could report (setup
    /// failure, cancellation).
    Stages(StagesArgs),
    /// The end of a run of legs (`parse`'s `in_run`), after every leg, even cancelled ones:
    /// marks `cancelled` each leg that never reported (a leg cancelled before its first
    /// step, a lost runner), then renders once with every leg's details (ADR 0014).
    Close(CloseArgs),
}

/// `--details-dir`: where a run's leg saves its details for the close job.
const DETAILS_DIR_HELP: &str = "In a run (`--in-run true`) whose close job follows \
(`infra-ci report close`): save this leg's details (its plan summary) in DIR, which the workflow \
uploads as an artifact for the close job, instead of rendering the comment for them (ADR 0014). \
Ignored outside a run.";

#[derive(Debug, Args)]
pub struct CloseArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    #[command(flatten)]
    pub conn: ConnArgs,
    /// The run's rows, as `parse` wrote them (its `stages` output: a JSON list).
    #[arg(long, value_name = "JSON")]
    pub stages: String,
    /// The workflow run whose mark `parse` posted (default: `GITHUB_RUN_ID`). Nothing is
    /// cancelled unless the commit's newest run mark is this run's.
    #[arg(long, value_name = "ID")]
    pub run_id: Option<u64>,
    /// Where the legs' details records were downloaded (their artifacts, merged or one
    /// folder each). Missing or empty: no details.
    #[arg(long, value_name = "DIR")]
    pub details_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DiggerArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    #[command(flatten)]
    pub conn: ConnArgs,
    /// The routed command (`plan`, `apply`, `bootstrap-plan`, `bootstrap-apply`).
    #[arg(long, value_name = "COMMAND")]
    pub command: String,
    /// The leg's project.
    #[arg(long, value_name = "NAME")]
    pub project: String,
    /// `strategy.job-index` (0-based).
    #[arg(long, value_name = "I", default_value_t = 0)]
    pub leg: u32,
    /// `strategy.job-total`.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub legs: u32,
    /// `running` before Digger, `job.status` after it.
    #[arg(long, value_name = "WORD")]
    pub status: String,
    /// `parse`'s `in_run` output: a plan leg of the run `parse` opened (its row already shows
    /// running). Its `running` posts nothing and its result goes through
    /// `Dashboards::update_in_run` (ADR 0012). Ignored by applies.
    #[arg(long, value_name = "BOOL", default_value = "false", value_parser = crate::args::parse_in_run, action = clap::ArgAction::Set)]
    pub in_run: bool,
    /// Digger's saved plan, summarised into a successful plan row (`+a ~c -d`, destroyed
    /// addresses by name). Default: the file Digger saves in the project's directory,
    /// `<owner>-<repo>-<pr>-<project>.tfplan`; none found leaves the row at
    /// `plan <project>: success`.
    #[arg(long, value_name = "PATH")]
    pub plan_file: Option<PathBuf>,
    #[arg(long, value_name = "DIR", help = DETAILS_DIR_HELP)]
    pub details_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct StagesArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    #[command(flatten)]
    pub conn: ConnArgs,
    /// The rows, as `parse` wrote them (`native_stages`: a JSON list).
    #[arg(long, value_name = "JSON")]
    pub stages: String,
    /// `job.status`.
    #[arg(long, value_name = "WORD")]
    pub status: String,
}

/// `infra-ci plan-run`.
#[derive(Debug, Args)]
pub struct PlanRunArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    #[command(flatten)]
    pub conn: ConnArgs,
    /// The projects to apply, as `parse` wrote them (`native_projects`: a JSON list).
    #[arg(long, value_name = "JSON")]
    pub projects: String,
}

/// What a Digger leg writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiggerRow {
    pub stage: String,
    pub status: Status,
    pub output: String,
}

/// The rows a Digger leg writes and what they say. A plan writes its project's configured
/// stage. An apply writes its project's own row under `apply` (`Apply: <project>`, issue 9:
/// each project's apply stays visible), and the shared `apply` row only where it changes:
/// running at the first leg's start, done at the last leg's success, or the failure of any
/// leg (the matrix stops at the first failure).
pub fn digger_rows(
    cfg: &Config,
    command: &str,
    project: &str,
    leg: u32,
    legs: u32,
    status: Status,
) -> Result<Vec<DiggerRow>, CliError> {
    let apply = matches!(command, "apply" | "bootstrap-apply");
    if !apply && !matches!(command, "plan" | "bootstrap-plan") {
        return Err(CliError::usage(format!(
            "--command {command:?}: expected plan, apply, bootstrap-plan or bootstrap-apply"
        )));
    }
    let p = cfg.project(project).ok_or_else(|| {
        CliError::usage(format!("project {project:?} is not in the configuration"))
            .with_hint("add it under `projects:` in .github/infra-ci.yml")
    })?;
    let legs = legs.max(1);
    let last = leg + 1 >= legs;
    if !apply {
        return Ok(vec![DiggerRow {
            stage: p.stage.as_str().to_owned(),
            status,
            output: format!("plan {project}: {}", status.word()),
        }]);
    }
    let own = DiggerRow {
        stage: format!("{}.{project}", well_known::APPLY),
        status,
        output: format!("apply {project}: {}", status.word()),
    };
    let shared = |status: Status, output: String| DiggerRow {
        stage: well_known::APPLY.to_owned(),
        status,
        output,
    };
    Ok(match status {
        Status::Running if leg == 0 => vec![
            shared(
                Status::Running,
                format!("applying {legs} project(s), one at a time"),
            ),
            own,
        ],
        Status::Success if last => vec![
            own,
            shared(Status::Success, format!("{legs} project(s) applied")),
        ],
        Status::Running | Status::Pending | Status::Success => vec![own],
        other => {
            let line = format!("apply {project} ({}/{legs}): {}", leg + 1, other.word());
            vec![own, shared(other, line)]
        }
    })
}

pub async fn report(a: ReportArgs) -> Result<(), CliError> {
    match a.what {
        ReportCommand::Digger(d) => {
            let cfg = config(&d.target)?;
            let given = status(&d.status)?;
            let rows = digger_rows(&cfg, &d.command, &d.project, d.leg, d.legs, given)?;
            let leg = d.in_run && is_plan(&d.command);
            for mut row in rows {
                if leg && !given.is_terminal() {
                    // The routing job's write shows this row running (ADR 0012).
                    println!(
                        "{} is a leg of the run parse opened: its row shows running; nothing posted",
                        row.stage
                    );
                    continue;
                }
                if given == Status::Running {
                    // The job's first step: its `if: always()` step reports the result,
                    // whose update renders these rows (ADR 0010). One request a row
                    // instead of a render.
                    post(&d.target, &d.conn, &cfg, &row.stage, row.status, row.output).await?;
                    continue;
                }
                let mut details = None;
                if row.stage != well_known::APPLY
                    && !row.stage.starts_with("apply.")
                    && row.status == Status::Success
                    && let Some((output, text)) = digger_plan_summary(
                        &cfg,
                        &d.project,
                        &DiggerPlan::of(&d.target)?,
                        d.plan_file.as_deref(),
                    )
                    .await
                {
                    row.output = output;
                    details = text;
                }
                let write = if leg {
                    Write::InRun(d.details_dir.as_deref())
                } else {
                    Write::Update
                };
                write_as(
                    write,
                    &d.target,
                    &d.conn,
                    &cfg,
                    &row.stage,
                    row.status,
                    Some(row.output),
                    details,
                )
                .await?;
            }
            Ok(())
        }
        ReportCommand::Stages(s) => {
            let cfg = config(&s.target)?;
            let st = status(&s.status)?;
            for stage in json_list("--stages", &s.stages)? {
                write(&s.target, &s.conn, &cfg, &stage, st, None).await?;
            }
            Ok(())
        }
        ReportCommand::Close(c) => close(c).await,
    }
}

/// `report close`: the run's close job (ADR 0014).
async fn close(c: CloseArgs) -> Result<(), CliError> {
    let cfg = config(&c.target)?;
    let stages = json_list("--stages", &c.stages)?;
    let run_id = c.run_id.or_else(actions_env::run_id).ok_or_else(|| {
        CliError::usage("no workflow run: pass --run-id (GITHUB_RUN_ID is not set)")
    })?;
    let legs = c
        .details_dir
        .as_deref()
        .map(LegDetails::load_all)
        .unwrap_or_default();
    let forge = client::github(&c.conn).await?;
    let target = client::routed_target(&forge, &c.target).await?;
    let d = Dashboards::for_config(&forge, &cfg, tuning());
    let out = d
        .close_run(&target, &stages, run_id, actions_env::job_url(), legs)
        .await?;
    if out.cancelled.is_empty() {
        println!("run {run_id} closed: every leg reported");
    } else {
        println!(
            "run {run_id} closed: {} leg(s) never reported, marked cancelled: {}",
            out.cancelled.len(),
            out.cancelled.join(", ")
        );
    }
    println!(
        "{} leg(s)' details on dashboard {}",
        out.details, out.comment_id
    );
    Ok(())
}

/// A successful Digger plan's row as infra-ci's own plans show it: the summary line and the
/// details (destroys first), from Digger's saved plan file. `None`, with a warning, when
/// there is no plan file or it cannot be read: the plan succeeded all the same.
async fn digger_plan_summary(
    cfg: &Config,
    project: &str,
    names: &DiggerPlan,
    given: Option<&Path>,
) -> Option<(String, Option<String>)> {
    let p = cfg.project(project)?;
    let dir = PathBuf::from(p.dir.as_str());
    let Some(file) = given
        .map(Path::to_path_buf)
        .or_else(|| names.find(&dir, project))
    else {
        actions_env::annotate(
            "notice",
            &format!(
                "no Digger plan file ({}) in {}: the row shows no summary",
                names.file_names(project).join(" or "),
                dir.display()
            ),
        );
        return None;
    };
    // Terraform runs in the project's directory: the file's path must not be relative.
    let file = std::path::absolute(&file).unwrap_or(file);
    let summarised = async {
        let tool = infra_ci_runner::Tool::from_env(cfg.terraform.binary)?;
        infra_ci_runner::summarize_saved(&tool, &dir, project, p.workspace.as_deref(), &file).await
    };
    match summarised.await {
        Ok(r) if r.status == Status::Success => Some((r.output, r.details)),
        Ok(r) => {
            actions_env::annotate(
                "warning",
                &format!(
                    "could not summarise Digger's plan of {project}: {}",
                    r.output
                ),
            );
            None
        }
        Err(e) => {
            actions_env::annotate(
                "warning",
                &format!("could not summarise Digger's plan of {project}: {e}"),
            );
            None
        }
    }
}

/// Where Digger saves a project's plan: `<owner>-<repo>-<pr>-<project>.tfplan` beside the
/// project's code (`<owner>-<repo>-<project>.tfplan` without a pull request), its
/// `ProjectPathProvider.StoredPlanFilePath`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiggerPlan {
    /// `owner-repo`: the repository's full name with `/` as `-`.
    namespace: String,
    pr: u64,
}

impl DiggerPlan {
    fn of(t: &TargetArgs) -> Result<Self, CliError> {
        let repo = client::repo(t.repo.as_deref())?;
        Ok(Self {
            namespace: repo.to_string().replace('/', "-"),
            pr: t.pr,
        })
    }

    fn file_names(&self, project: &str) -> Vec<String> {
        vec![
            format!("{}-{}-{project}.tfplan", self.namespace, self.pr),
            format!("{}-{project}.tfplan", self.namespace),
        ]
    }

    /// The first of [`DiggerPlan::file_names`] that exists in `dir`.
    fn find(&self, dir: &Path, project: &str) -> Option<PathBuf> {
        self.file_names(project)
            .into_iter()
            .map(|n| dir.join(n))
            .find(|p| p.is_file())
    }
}

fn status(word: &str) -> Result<Status, CliError> {
    word.parse()
        .map_err(|e: infra_ci_core::UnknownStatus| CliError::usage(e.to_string()))
}

fn json_list(flag: &str, text: &str) -> Result<Vec<String>, CliError> {
    serde_json::from_str(text).map_err(|e| {
        CliError::usage(format!(
            "{flag} {text:?} is not a JSON list of strings ({e})"
        ))
        .with_hint("pass the `parse` output as it is")
    })
}

async fn write(
    t: &TargetArgs,
    conn: &ConnArgs,
    cfg: &Config,
    stage: &str,
    status: Status,
    output: Option<String>,
) -> Result<(), CliError> {
    write_with_details(t, conn, cfg, stage, status, output, None).await
}

/// Posts a `running` row's status alone: the job's result, reported later, renders it.
async fn post(
    t: &TargetArgs,
    conn: &ConnArgs,
    cfg: &Config,
    stage: &str,
    status: Status,
    output: String,
) -> Result<(), CliError> {
    let forge = client::github(conn).await?;
    let target = client::target(&forge, t).await?;
    let d = Dashboards::for_config(&forge, cfg, tuning());
    d.post_status(
        &target,
        StageUpdate {
            stage: stage.to_owned(),
            status,
            link: actions_env::job_url(),
            output: Some(output),
            details: None,
        },
    )
    .await?;
    println!("{stage} {status} posted; the comment is rendered with the stage's result");
    Ok(())
}

/// Whether `--command` is a plan (a Digger leg that may be a run's, ADR 0012).
fn is_plan(command: &str) -> bool {
    matches!(command, "plan" | "bootstrap-plan")
}

/// How a row is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Write<'a> {
    /// `Dashboards::update`: the status, then a render unless a later writer renders it.
    Update,
    /// `Dashboards::update_in_run`: a leg's result in the run `parse` opened (ADR 0012);
    /// with a folder, its details are saved there for the run's close job (ADR 0014).
    InRun(Option<&'a Path>),
}

async fn write_with_details(
    t: &TargetArgs,
    conn: &ConnArgs,
    cfg: &Config,
    stage: &str,
    status: Status,
    output: Option<String>,
    details: Option<String>,
) -> Result<(), CliError> {
    write_as(Write::Update, t, conn, cfg, stage, status, output, details).await
}

#[allow(clippy::too_many_arguments)]
async fn write_as(
    how: Write<'_>,
    t: &TargetArgs,
    conn: &ConnArgs,
    cfg: &Config,
    stage: &str,
    status: Status,
    output: Option<String>,
    details: Option<String>,
) -> Result<(), CliError> {
    let forge = client::github(conn).await?;
    let d = Dashboards::for_config(&forge, cfg, tuning());
    let u = StageUpdate {
        stage: stage.to_owned(),
        status,
        link: actions_env::job_url(),
        output,
        details: details.clone(),
    };
    let out = match how {
        Write::Update => d.update(&client::target(&forge, t).await?, u).await?,
        Write::InRun(dir) => {
            let target = client::routed_target(&forge, t).await?;
            let out = d.update_in_run_as_routed(&target, u, dir.is_some()).await?;
            if let (Some(dir), Some(details), Some(status_id)) = (dir, details, out.status_id) {
                infra_ci_runner::keep_details(dir, stage, status_id, details);
            }
            out
        }
    };
    println!("{stage} {status} on dashboard {}", out.comment_id);
    Ok(())
}

/// The run whose artifact holds the saved plans of `plan_stages`: the one run their rows
/// link to. `Ok(None)` when no row links to a run of this repository (then `run apply`
/// refuses with "no saved plan"); an error when they link to different runs.
pub fn plan_run(
    runs_prefix: &str,
    links: &[(String, Option<String>)],
    plan_stages: &[String],
) -> Result<Option<String>, String> {
    let mut ids: Vec<&str> = links
        .iter()
        .filter(|(k, _)| plan_stages.contains(k))
        .filter_map(|(_, l)| l.as_deref()?.strip_prefix(runs_prefix))
        .map(|rest| rest.split(['/', '#', '?']).next().unwrap_or(""))
        .filter(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    match ids.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some((*one).to_owned())),
        many => Err(format!(
            "the projects were planned in different runs ({}): comment /plan to plan them in one run, then /apply",
            many.join(", ")
        )),
    }
}

pub async fn find_plan_run(a: PlanRunArgs) -> Result<(), CliError> {
    let cfg = config(&a.target)?;
    let projects = json_list("--projects", &a.projects)?;
    let plan_stages: Vec<String> = projects
        .iter()
        .filter_map(|n| cfg.project(n))
        .map(|p| p.stage.as_str().to_owned())
        .collect();
    let forge = client::github(&a.conn).await?;
    let target = client::target(&forge, &a.target).await?;
    let shown = Dashboards::for_config(&forge, &cfg, tuning())
        .show(&target)
        .await?;
    let links: Vec<(String, Option<String>)> = shown
        .stages
        .iter()
        .map(|s| (s.key.clone(), s.link.clone()))
        .collect();
    let server = std::env::var(actions_env::GITHUB_SERVER_URL)
        .unwrap_or_else(|_| "https://github.com".into());
    let prefix = format!("{server}/{}/actions/runs/", target.repo);
    match plan_run(&prefix, &links, &plan_stages) {
        Ok(Some(id)) => {
            println!("plans saved by run {id}");
            actions_env::append_to(GITHUB_OUTPUT, &format!("run_id={id}\n"))
                .map_err(|e| CliError::failed(format!("cannot write GITHUB_OUTPUT: {e}")))?;
            Ok(())
        }
        Ok(None) => {
            println!(
                "::warning::no plan run is linked from {} on {}: the apply will refuse with the reason",
                plan_stages.join(", "),
                &target.sha[..7.min(target.sha.len())]
            );
            Ok(())
        }
        Err(reason) => Err(CliError::failed(format!("refused: {reason}"))),
    }
}

/// One validation step's result.
#[derive(Debug)]
struct Checked {
    ok: bool,
    /// What a person needs to read first (the first error line).
    first_error: Option<String>,
}

pub async fn validate(a: ValidateArgs) -> Result<(), CliError> {
    let cfg = config(&a.target)?;
    let tool =
        infra_ci_runner::Tool::from_env(cfg.terraform.binary).map_err(crate::commands::run::cli)?;
    if a.dashboard {
        write(
            &a.target,
            &a.conn,
            &cfg,
            well_known::CI,
            Status::Running,
            None,
        )
        .await?;
    }
    let root = std::env::current_dir()
        .map_err(|e| CliError::failed(format!("cannot read the current directory: {e}")))?;
    let mut log = String::new();
    let mut first_error = None;
    let mut failed = 0usize;
    let mut steps: Vec<(String, PathBuf, Vec<&str>)> = vec![(
        "terraform fmt -check -recursive".into(),
        root.clone(),
        vec!["fmt", "-check", "-recursive", "-diff", "-no-color"],
    )];
    for p in cfg.projects_in_order() {
        let dir = root.join(p.dir.as_str());
        steps.push((
            format!("{}: terraform init -backend=false", p.dir.as_str()),
            dir.clone(),
            vec!["init", "-backend=false", "-input=false", "-no-color"],
        ));
        steps.push((
            format!("{}: terraform validate", p.dir.as_str()),
            dir,
            vec!["validate", "-no-color"],
        ));
    }
    let mut skip_dir: Option<PathBuf> = None;
    for (title, dir, args) in &steps {
        if skip_dir.as_ref() == Some(dir) {
            continue;
        }
        let _ = writeln!(log, "## {title}");
        let checked = if dir.is_dir() {
            run_tool(&tool, dir, args, &mut log).await
        } else {
            let line = format!(
                "{}: directory not found: fix `projects[].dir` in .github/infra-ci.yml",
                dir.strip_prefix(&root).unwrap_or(dir).display()
            );
            log.push_str(&line);
            log.push('\n');
            Checked {
                ok: false,
                first_error: Some(line),
            }
        };
        if !checked.ok {
            failed += 1;
            // A failed init makes validate meaningless: one error per project.
            if args.first() == Some(&"init") {
                skip_dir = Some(dir.clone());
            }
            if first_error.is_none() {
                first_error = checked
                    .first_error
                    .map(|e| format!("{title}: {e}"))
                    .or_else(|| Some(format!("{title} failed")));
            }
        }
    }
    print!("{log}");
    let projects = cfg.projects.len();
    let (status, output) = match first_error {
        None => (
            Status::Success,
            format!("fmt ok, {projects} project(s) valid"),
        ),
        Some(e) => (Status::Failure, e),
    };
    let section = format!("### ci\n\n```text\n{}\n```\n", log.trim_end());
    actions_env::append_to(actions_env::GITHUB_STEP_SUMMARY, &section)
        .map_err(|e| CliError::failed(format!("cannot write GITHUB_STEP_SUMMARY: {e}")))?;
    if a.dashboard {
        write_with_details(
            &a.target,
            &a.conn,
            &cfg,
            well_known::CI,
            status,
            Some(output.clone()),
            Some(log),
        )
        .await?;
    }
    if failed == 0 {
        println!("validated: {output}");
        Ok(())
    } else {
        Err(CliError::failed(format!("validation failed: {output}")))
    }
}

/// Runs one Terraform step in `dir` without GitHub credentials, appending its output.
async fn run_tool(
    tool: &infra_ci_runner::Tool,
    dir: &Path,
    args: &[&str],
    log: &mut String,
) -> Checked {
    let mut cmd = tokio::process::Command::new(&tool.program);
    cmd.args(args)
        .current_dir(dir)
        .env("TF_IN_AUTOMATION", "1")
        .stdin(Stdio::null());
    for (k, v) in &tool.env {
        cmd.env(k, v);
    }
    for k in CREDENTIALS {
        cmd.env_remove(k);
    }
    match cmd.output().await {
        Ok(out) => {
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            log.push_str(&text);
            if !text.ends_with('\n') && !text.is_empty() {
                log.push('\n');
            }
            Checked {
                ok: out.status.success(),
                first_error: first_error_line(&text),
            }
        }
        Err(e) => {
            let line = format!("cannot run {}: {e}", tool.program.display());
            log.push_str(&line);
            log.push('\n');
            Checked {
                ok: false,
                first_error: Some(line),
            }
        }
    }
}

/// The line a person should read first: Terraform's `Error: …`, else the first non-blank
/// line (for `fmt -check`, the first unformatted file).
pub fn first_error_line(text: &str) -> Option<String> {
    let lines = || {
        text.lines()
            .map(|l| l.trim_start_matches(['│', '╷', '╵', ' ']).trim())
            .filter(|l| !l.is_empty())
    };
    lines()
        .find(|l| l.starts_with("Error:"))
        .or_else(|| lines().next())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    const CFG: &str = "stages:\n  - {key: plan-app, name: App}\n  - {key: plan-db, name: Db}\n  - {key: apply, name: Apply}\n\
projects:\n  - {name: app, dir: app, stage: plan-app, runner: digger}\n  - {name: db, dir: db, stage: plan-db, runner: digger}\n";

    #[test]
    fn a_plan_leg_writes_its_configured_stage() {
        let cfg = Config::from_yaml(CFG).unwrap();
        let rows = digger_rows(&cfg, "plan", "db", 1, 2, Status::Failure).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].stage, "plan-db");
        assert_eq!(rows[0].status, Status::Failure);
        assert_eq!(rows[0].output, "plan db: failure");
    }

    fn rows(cfg: &Config, project: &str, leg: u32, status: Status) -> Vec<(String, Status)> {
        digger_rows(cfg, "apply", project, leg, 2, status)
            .unwrap()
            .into_iter()
            .map(|r| (r.stage, r.status))
            .collect()
    }

    #[test]
    fn each_apply_leg_has_its_row_and_only_the_last_marks_apply_done() {
        let cfg = Config::from_yaml(CFG).unwrap();
        let r = |k: &str, s| (k.to_owned(), s);
        assert_eq!(
            rows(&cfg, "app", 0, Status::Running),
            [r("apply", Status::Running), r("apply.app", Status::Running)]
        );
        assert_eq!(
            rows(&cfg, "app", 0, Status::Success),
            [r("apply.app", Status::Success)]
        );
        assert_eq!(
            rows(&cfg, "db", 1, Status::Running),
            [r("apply.db", Status::Running)]
        );
        assert_eq!(
            rows(&cfg, "db", 1, Status::Success),
            [r("apply.db", Status::Success), r("apply", Status::Success)]
        );
        assert_eq!(
            rows(&cfg, "app", 0, Status::Failure),
            [r("apply.app", Status::Failure), r("apply", Status::Failure)]
        );
        let failed = digger_rows(&cfg, "apply", "app", 0, 2, Status::Failure).unwrap();
        assert_eq!(failed[1].output, "apply app (1/2): failure");
    }

    #[test]
    fn an_unknown_project_or_command_is_a_usage_error() {
        let cfg = Config::from_yaml(CFG).unwrap();
        assert_eq!(
            digger_rows(&cfg, "plan", "nope", 0, 1, Status::Running)
                .unwrap_err()
                .code,
            crate::exit::USAGE
        );
        assert!(digger_rows(&cfg, "destroy", "app", 0, 1, Status::Running).is_err());
    }

    #[test]
    fn the_plan_run_is_the_one_run_the_plan_rows_link_to() {
        let prefix = "https://github.com/acme/infra/actions/runs/";
        let l = |k: &str, link: Option<&str>| (k.to_owned(), link.map(str::to_owned));
        let stages = vec!["plan-app".to_owned(), "plan-db".to_owned()];
        let links = [
            l(
                "plan-app",
                Some("https://github.com/acme/infra/actions/runs/7/job/3"),
            ),
            l(
                "plan-db",
                Some("https://github.com/acme/infra/actions/runs/7"),
            ),
            l("ci", Some("https://github.com/acme/infra/actions/runs/9")),
        ];
        assert_eq!(plan_run(prefix, &links, &stages), Ok(Some("7".into())));
        let other = [
            l(
                "plan-app",
                Some("https://github.com/acme/infra/actions/runs/7"),
            ),
            l(
                "plan-db",
                Some("https://github.com/evil/infra/actions/runs/8"),
            ),
        ];
        assert_eq!(plan_run(prefix, &other, &stages), Ok(Some("7".into())));
        let split = [
            l(
                "plan-app",
                Some("https://github.com/acme/infra/actions/runs/7"),
            ),
            l(
                "plan-db",
                Some("https://github.com/acme/infra/actions/runs/8"),
            ),
        ];
        assert!(
            plan_run(prefix, &split, &stages)
                .unwrap_err()
                .contains("7, 8")
        );
        assert_eq!(plan_run(prefix, &[l("plan-app", None)], &stages), Ok(None));
    }

    #[test]
    fn diggers_plan_file_is_named_by_repository_pr_and_project() {
        let dir = tempfile::tempdir().unwrap();
        let names = DiggerPlan {
            namespace: "acme-infra".into(),
            pr: 7,
        };
        assert_eq!(names.find(dir.path(), "app"), None);
        std::fs::write(dir.path().join("acme-infra-7-my-app.tfplan"), "x").unwrap();
        std::fs::write(dir.path().join("acme-infra-8-app.tfplan"), "x").unwrap();
        assert_eq!(
            names.find(dir.path(), "app"),
            None,
            "another project's or PR's"
        );
        let without_pr = dir.path().join("acme-infra-app.tfplan");
        std::fs::write(&without_pr, "x").unwrap();
        assert_eq!(names.find(dir.path(), "app"), Some(without_pr));
        let ours = dir.path().join("acme-infra-7-app.tfplan");
        std::fs::write(&ours, "x").unwrap();
        assert_eq!(names.find(dir.path(), "app"), Some(ours));
    }

    #[test]
    fn the_first_error_line_is_terraforms_error_not_the_header() {
        let log = "Initializing...\n╷\n│ Error: Unsupported argument\n│ on main.tf line 3\n";
        assert_eq!(
            first_error_line(log).as_deref(),
            Some("Error: Unsupported argument")
        );
        assert_eq!(first_error_line("main.tf\n").as_deref(), Some("main.tf"));
        assert_eq!(first_error_line("\n \n"), None);
    }
}
