//! Running one Terraform sub-command: explicit argv (never a shell), the inherited
//! environment plus ours, output echoed to the job log with the project's name, and kept
//! only in bounded form (the first error line and a tail) for the dashboard.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::path::Path;
use std::process::Stdio;
use std::sync::Mutex;

use infra_ci_plan::Summary;
use tokio::io::{AsyncBufReadExt as _, AsyncRead, AsyncReadExt as _, BufReader};
use tokio::process::{Child, Command};

use crate::error::RunnerError;
use crate::tool::Tool;

/// Variables never passed to Terraform: it runs the pull request's code (providers,
/// `external` data sources, provisioners), which must not get GitHub credentials, the
/// Actions runtime token (caches and artifacts of this run), or the workflow command files
/// through which it could set variables and outputs for the steps after it. Cloud OIDC
/// (`ACTIONS_ID_TOKEN_REQUEST_*`) is kept: providers authenticate with it, and it grants
/// nothing on GitHub. See docs/security.md.
pub const SCRUBBED_ENV: &[&str] = &[
    "GITHUB_TOKEN",
    "GH_TOKEN",
    "GITHUB_ENTERPRISE_TOKEN",
    "GH_ENTERPRISE_TOKEN",
    "INFRA_CI_GITHUB_TOKEN",
    "ACTIONS_RUNTIME_TOKEN",
    "ACTIONS_RUNTIME_URL",
    "ACTIONS_CACHE_URL",
    "ACTIONS_RESULTS_URL",
    "GITHUB_ENV",
    "GITHUB_PATH",
    "GITHUB_OUTPUT",
    "GITHUB_STATE",
    "GITHUB_STEP_SUMMARY",
];
/// Prefixes of variables never passed to Terraform (GitHub App credentials).
pub const SCRUBBED_PREFIXES: &[&str] = &["GITHUB_APP_"];

/// True when `name` must not reach a child that runs the pull request's code.
pub fn is_scrubbed(name: &str) -> bool {
    SCRUBBED_ENV.contains(&name) || SCRUBBED_PREFIXES.iter().any(|p| name.starts_with(p))
}

/// Lines of output kept for the error tail.
const TAIL_LINES: usize = 40;
/// Characters kept of one output line.
const LINE_CHARS: usize = 400;

/// Where and how a project's sub-commands run.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cwd<'a> {
    pub tool: &'a Tool,
    pub dir: &'a Path,
    /// Prefix of echoed lines (the project name).
    pub label: &'a str,
    /// `TF_WORKSPACE` when the project selects one.
    pub workspace: Option<&'a str>,
}

/// How a sub-command ended, and what of its output is worth showing.
#[derive(Debug, Clone, Default)]
pub(crate) struct Outcome {
    /// The exit code; `None` when killed by a signal.
    pub code: Option<i32>,
    /// The first `Error: ...` line, without the prefix.
    pub first_error: Option<String>,
    /// The last lines of stdout and stderr, interleaved as they came.
    pub tail: Vec<String>,
}

impl Outcome {
    /// One line saying why the step failed: the first error line, else the last output
    /// line, else the exit code.
    pub fn reason(&self, step: &str) -> String {
        if let Some(e) = &self.first_error {
            return e.clone();
        }
        let code = self
            .code
            .map_or_else(|| "a signal".to_owned(), |c| format!("code {c}"));
        match self.tail.iter().rev().find(|l| !l.trim().is_empty()) {
            Some(last) => format!("{step} exited with {code}: {}", last.trim()),
            None => format!("{step} exited with {code}"),
        }
    }
}

#[derive(Debug, Default)]
struct Collector {
    first_error: Option<String>,
    tail: VecDeque<String>,
}

impl Collector {
    fn line(&mut self, raw: &str) {
        let line: String = raw.trim_end().chars().take(LINE_CHARS).collect();
        if self.first_error.is_none() {
            self.first_error = error_line(&line);
        }
        if self.tail.len() == TAIL_LINES {
            self.tail.pop_front();
        }
        self.tail.push_back(line);
    }
}

/// `Error: x` or Terraform's boxed `│ Error: x` → `x`.
pub(crate) fn error_line(line: &str) -> Option<String> {
    let t = line.trim_start_matches(['│', '╷', ' ', '\t']);
    t.strip_prefix("Error: ")
        .or_else(|| t.strip_prefix("Error:"))
        .map(|m| m.trim().to_owned())
        .filter(|m| !m.is_empty())
}

impl Cwd<'_> {
    fn command(&self, args: &[OsString]) -> Command {
        let mut c = Command::new(&self.tool.program);
        for (name, _) in std::env::vars_os() {
            if name.to_str().is_some_and(is_scrubbed) {
                c.env_remove(&name);
            }
        }
        c.args(args)
            .current_dir(self.dir)
            .envs(
                self.tool
                    .env
                    .iter()
                    .filter(|(k, _)| !k.to_str().is_some_and(is_scrubbed))
                    .map(|(k, v)| (k, v)),
            )
            .env("TF_IN_AUTOMATION", "1")
            .env("TF_INPUT", "0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        if let Some(ws) = self.workspace {
            c.env("TF_WORKSPACE", ws);
        }
        c
    }

    fn spawn(&self, args: &[OsString]) -> Result<Child, RunnerError> {
        self.command(args).spawn().map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound && self.dir.is_dir() {
                RunnerError::BinaryNotFound {
                    binary: self.tool.program.display().to_string(),
                    where_: "",
                }
            } else {
                RunnerError::io(
                    format!(
                        "cannot run {} in {}",
                        self.tool.program.display(),
                        self.dir.display()
                    ),
                    e,
                )
            }
        })
    }

    /// Runs a sub-command, echoing its output to our stderr (the job log).
    pub async fn run(&self, args: &[OsString]) -> Result<Outcome, RunnerError> {
        let mut child = self.spawn(args)?;
        let collector = Mutex::new(Collector::default());
        let out = child.stdout.take().expect("stdout is piped");
        let err = child.stderr.take().expect("stderr is piped");
        let ((), (), status) = tokio::join!(
            pump(out, &collector, self.label),
            pump(err, &collector, self.label),
            child.wait()
        );
        let status = status.map_err(|e| RunnerError::io("waiting for terraform", e))?;
        let c = collector
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Ok(Outcome {
            code: status.code(),
            first_error: c.first_error,
            tail: c.tail.into(),
        })
    }

    /// `show -json <planfile>` streamed into the summariser: the JSON is never held whole.
    pub async fn summarize(
        &self,
        args: &[OsString],
    ) -> Result<(Outcome, Option<Result<Summary, String>>), RunnerError> {
        let mut child = self.spawn(args)?;
        let collector = Mutex::new(Collector::default());
        let out = child.stdout.take().expect("stdout is piped");
        let err = child.stderr.take().expect("stderr is piped");
        let bridge = tokio_util::io::SyncIoBridge::new(out);
        let summarise = tokio::task::spawn_blocking(move || infra_ci_plan::summarize_json(bridge));
        let (summary, (), status) =
            tokio::join!(summarise, pump(err, &collector, self.label), child.wait());
        let status = status.map_err(|e| RunnerError::io("waiting for terraform show", e))?;
        let c = collector
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let summary = match summary {
            Ok(r) => Some(r.map_err(|e| e.to_string())),
            Err(join) => Some(Err(format!("the plan summariser stopped: {join}"))),
        };
        Ok((
            Outcome {
                code: status.code(),
                first_error: c.first_error,
                tail: c.tail.into(),
            },
            summary,
        ))
    }

    /// Runs a sub-command keeping the first `limit` bytes of its stdout (the rest is read
    /// and counted, never kept). Returns the outcome, the text and the full size.
    pub async fn capture(
        &self,
        args: &[OsString],
        limit: usize,
    ) -> Result<(Outcome, String, u64), RunnerError> {
        let mut child = self.spawn(args)?;
        let collector = Mutex::new(Collector::default());
        let out = child.stdout.take().expect("stdout is piped");
        let err = child.stderr.take().expect("stderr is piped");
        let (kept, (), status) = tokio::join!(
            keep_head(out, limit),
            pump(err, &collector, self.label),
            child.wait()
        );
        let status = status.map_err(|e| RunnerError::io("waiting for terraform show", e))?;
        let (bytes, total) = kept.map_err(|e| RunnerError::io("reading terraform show", e))?;
        let c = collector
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Ok((
            Outcome {
                code: status.code(),
                first_error: c.first_error,
                tail: c.tail.into(),
            },
            String::from_utf8_lossy(&bytes).into_owned(),
            total,
        ))
    }
}

/// Reads lines (lossily decoded) into the collector and echoes them to stderr.
async fn pump<R: AsyncRead + Unpin>(r: R, c: &Mutex<Collector>, label: &str) {
    let mut r = BufReader::new(r);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match r.read_until(b'\n', &mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {
                let line = String::from_utf8_lossy(&buf);
                eprintln!("[{label}] {}", line.trim_end());
                c.lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .line(&line);
            }
        }
    }
}

/// The first `limit` bytes and the total length of a stream.
async fn keep_head<R: AsyncRead + Unpin>(
    mut r: R,
    limit: usize,
) -> std::io::Result<(Vec<u8>, u64)> {
    let mut kept = Vec::new();
    let mut total = 0u64;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = r.read(&mut buf).await?;
        if n == 0 {
            return Ok((kept, total));
        }
        total += n as u64;
        let room = limit.saturating_sub(kept.len());
        kept.extend_from_slice(&buf[..n.min(room)]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_lines_plain_and_boxed() {
        assert_eq!(
            error_line("Error: Invalid thing").as_deref(),
            Some("Invalid thing")
        );
        assert_eq!(
            error_line("│ Error: Unsupported block type").as_deref(),
            Some("Unsupported block type")
        );
        assert_eq!(error_line("No errors here"), None);
        assert_eq!(error_line("Error: "), None);
    }

    #[test]
    fn the_tail_is_bounded() {
        let mut c = Collector::default();
        for i in 0..100 {
            c.line(&format!("line {i}\n"));
        }
        assert_eq!(c.tail.len(), TAIL_LINES);
        assert_eq!(c.tail.back().map(String::as_str), Some("line 99"));
    }
}
