//! Plays one event through the jobs of `.github/workflows/pipeline.yml`, read from the
//! file: `needs` order, `if:` conditions, matrices, job and step `env:`, step outputs
//! (`GITHUB_OUTPUT`), job outputs. A `run:` step runs in bash with the real `infra-ci`
//! and the stand-in `terraform` on PATH, against the emulator; a `uses:` step is played
//! by a small table (checkout copies a tree, artifacts go to a store, Digger replays the
//! project's stand-in outcome). An action not in the table fails the suite.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use serde_yaml_ng::Value as Yaml;

use super::expr::{self, Ctx, JobState};

pub const PIPELINE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../.github/workflows/pipeline.yml"
);

/// The reusable workflow that owns the `e2e` stage (examples/workflows/e2e-tests.yml calls it).
pub const E2E: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../.github/workflows/e2e.yml"
);

/// Where the jobs run and what they may reach.
pub struct Machine {
    pub api: String,
    /// The emulator `api` serves, whose clock the jobs' events move.
    pub emu: std::sync::Arc<infra_ci_testkit::BlockingEmulator>,
    pub repo: String,
    pub default_branch: String,
    /// Git trees by ref: the default branch's name and commit SHAs.
    pub trees: BTreeMap<String, PathBuf>,
    /// Artifacts by (run id, name).
    pub artifacts: BTreeMap<(u64, String), PathBuf>,
    pub next_run: u64,
    pub scratch: tempfile::TempDir,
    /// Whether this build has `infra-ci gate` (the lead's apply gate, issue 8).
    pub has_gate: bool,
    /// Matrix legs (job, index) of the next run that GitHub cancels before their first
    /// step (a pending job replaced in its concurrency group, a run cancelled while they
    /// queued): they report nothing.
    pub cancel_before_start: std::collections::BTreeSet<(String, usize)>,
}

/// One job leg's outcome.
#[derive(Debug, Clone)]
pub struct Leg {
    pub job: String,
    pub result: String,
    /// `name: exit code` of each step that ran, with its output on failure.
    pub steps: Vec<String>,
}

/// A workflow run's outcome.
#[derive(Debug, Default)]
pub struct Run {
    pub id: u64,
    pub results: BTreeMap<String, String>,
    pub outputs: BTreeMap<String, BTreeMap<String, String>>,
    pub legs: Vec<Leg>,
}

impl Run {
    pub fn result(&self, job: &str) -> &str {
        self.results.get(job).map_or("", String::as_str)
    }
    pub fn output(&self, job: &str, name: &str) -> &str {
        self.outputs
            .get(job)
            .and_then(|o| o.get(name))
            .map_or("", String::as_str)
    }
    /// Every leg's steps, for assertion messages.
    pub fn log(&self) -> String {
        self.legs
            .iter()
            .map(|l| format!("{} [{}]\n  {}", l.job, l.result, l.steps.join("\n  ")))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// The event a run is for, and the token the run's jobs get.
pub struct Event {
    pub name: &'static str,
    pub payload: Value,
    pub token: String,
}

fn workflow(path: &str) -> Yaml {
    serde_yaml_ng::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn y2j(y: &Yaml) -> Value {
    serde_json::to_value(y).unwrap()
}

fn as_str(y: &Yaml) -> String {
    match y {
        Yaml::String(s) => s.clone(),
        Yaml::Bool(b) => b.to_string(),
        Yaml::Number(n) => n.to_string(),
        Yaml::Null => String::new(),
        other => panic!("not a scalar: {other:?}"),
    }
}

impl Machine {
    /// Runs every job of the pipeline for `event`, in `needs` order.
    pub fn play(&mut self, event: &Event) -> Run {
        self.play_file(PIPELINE, event)
    }

    /// Runs every job of the workflow at `path` for `event`, in `needs` order.
    pub fn play_file(&mut self, path: &str, event: &Event) -> Run {
        // The events of a pull request's life are minutes apart: move the emulator's clock
        // on, so GitHub's per-minute limits (on in the emulator) see them as GitHub would.
        self.emu.admin(async |a| a.advance_clock(120).await);
        let wf = workflow(path);
        let jobs = wf["jobs"].as_mapping().unwrap().clone();
        // A reusable workflow's defaults, then a dispatch's own inputs.
        let mut inputs: serde_json::Map<String, Value> = wf["on"]["workflow_call"]["inputs"]
            .as_mapping()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (as_str(k), y2j(&v["default"])))
                    .collect()
            })
            .unwrap_or_default();
        if let Some(given) = event.payload["inputs"].as_object() {
            inputs.extend(given.clone());
        }
        self.next_run += 1;
        let mut run = Run {
            id: 9000 + self.next_run,
            ..Run::default()
        };
        let event_path = self.scratch.path().join(format!("event-{}.json", run.id));
        std::fs::write(&event_path, event.payload.to_string()).unwrap();
        let mut pending: Vec<(String, Yaml)> =
            jobs.iter().map(|(k, v)| (as_str(k), v.clone())).collect();
        while !pending.is_empty() {
            let idx = pending
                .iter()
                .position(|(_, j)| needs(j).iter().all(|n| run.results.contains_key(n)))
                .expect("a job needs a job that does not exist");
            let (name, job) = pending.remove(idx);
            let needs_ctx: serde_json::Map<String, Value> = needs(&job)
                .iter()
                .map(|n| {
                    (
                        n.clone(),
                        json!({"result": run.result(n), "outputs": run.outputs.get(n).cloned().unwrap_or_default()}),
                    )
                })
                .collect();
            let mut root = json!({
                "github": {
                    "event_name": event.name, "event": event.payload, "token": event.token,
                    "repository": self.repo, "workspace": "", "run_id": run.id.to_string(),
                },
                "inputs": inputs, "needs": needs_ctx,
            });
            let deps_ok = needs(&job).iter().all(|n| run.result(n) == "success");
            let cond = job.get("if").map_or_else(|| "success()".to_owned(), as_str);
            let go = expr::condition(
                &cond,
                &Ctx {
                    root: &root,
                    job: JobState { failed: !deps_ok },
                },
            ) && (deps_ok || has_status_function(&cond));
            if !go {
                run.results.insert(name, "skipped".into());
                continue;
            }
            let legs = matrix(&job, &root);
            let total = legs.len();
            let fail_fast = job
                .get("strategy")
                .and_then(|s| s.get("fail-fast"))
                .is_some_and(|f| {
                    expr::truthy(&expr::value(
                        &as_str(f),
                        &Ctx {
                            root: &root,
                            job: JobState { failed: false },
                        },
                    ))
                });
            let mut result = "success".to_owned();
            let mut outputs = BTreeMap::new();
            for (i, m) in legs.into_iter().enumerate() {
                if fail_fast && result == "failure" {
                    break;
                }
                if self.cancel_before_start.remove(&(name.clone(), i)) {
                    result = "cancelled".into();
                    run.legs.push(Leg {
                        job: name.clone(),
                        result: "cancelled".into(),
                        steps: vec!["cancelled before its first step".into()],
                    });
                    continue;
                }
                root["matrix"] = m;
                root["strategy"] = json!({"job-index": i, "job-total": total});
                let (leg, outs) = self.leg(&name, &job, &mut root, event, &event_path, run.id);
                if leg.result != "success" && result != "cancelled" {
                    result = "failure".into();
                }
                outputs.extend(outs);
                run.legs.push(leg);
            }
            run.results.insert(name.clone(), result);
            run.outputs.insert(name, outputs);
        }
        run
    }

    #[allow(clippy::too_many_lines)]
    fn leg(
        &mut self,
        name: &str,
        job: &Yaml,
        root: &mut Value,
        event: &Event,
        event_path: &Path,
        run_id: u64,
    ) -> (Leg, BTreeMap<String, String>) {
        let ws = tempfile::Builder::new()
            .prefix(&format!("{name}-"))
            .tempdir_in(self.scratch.path())
            .unwrap()
            .keep();
        root["github"]["workspace"] = json!(ws.display().to_string());
        // The runner's temporary folder: outside the workspace (no checkout writes there).
        let temp = tempfile::Builder::new()
            .prefix(&format!("{name}-temp-"))
            .tempdir_in(self.scratch.path())
            .unwrap()
            .keep();
        root["runner"] = json!({"temp": temp.display().to_string()});
        root["steps"] = json!({});
        let mut leg = Leg {
            job: name.to_owned(),
            result: "success".into(),
            steps: Vec::new(),
        };
        let mut failed = false;
        let job_env = interpolated(job.get("env"), root, failed);
        let mut path_extra: Vec<PathBuf> = Vec::new();
        for (n, step) in job["steps"].as_sequence().unwrap().iter().enumerate() {
            let id = step.get("id").map_or_else(|| format!("step{n}"), as_str);
            let title = step
                .get("name")
                .or_else(|| step.get("uses"))
                .map_or_else(|| id.clone(), as_str);
            root["job"] = json!({"status": if failed { "failure" } else { "success" }});
            let cond = step
                .get("if")
                .map_or_else(|| "success()".to_owned(), as_str);
            let ctx = Ctx {
                root,
                job: JobState { failed },
            };
            if !expr::condition(&cond, &ctx) || (failed && !has_status_function(&cond)) {
                root["steps"][&id] = json!({"outcome": "skipped", "outputs": {}});
                continue;
            }
            let mut env = job_env.clone();
            env.extend(interpolated(step.get("env"), root, failed));
            let with = interpolated(step.get("with"), root, failed);
            let (ok, outputs, note) = if let Some(uses) = step.get("uses") {
                let (ok, note) = self.uses(
                    &as_str(uses),
                    &with,
                    &env,
                    &ws,
                    root,
                    run_id,
                    &mut path_extra,
                );
                (ok, BTreeMap::new(), note)
            } else {
                let script = as_str(&step["run"]);
                let dir = step
                    .get("working-directory")
                    .map_or_else(|| ws.clone(), |d| ws.join(as_str(d)));
                self.shell(&script, &dir, &env, event, event_path, run_id, &path_extra)
            };
            let outcome = if ok { "success" } else { "failure" };
            leg.steps.push(format!("{title}: {outcome}{note}"));
            let continue_on_error = step
                .get("continue-on-error")
                .is_some_and(|v| v.as_bool() == Some(true));
            if !ok && !continue_on_error {
                failed = true;
            }
            root["steps"][&id] = json!({"outcome": outcome, "outputs": outputs});
        }
        if failed {
            leg.result = "failure".into();
        }
        let outs = interpolated(job.get("outputs"), root, failed);
        (leg, outs)
    }

    /// The table of `uses:` steps.
    #[allow(clippy::too_many_arguments)]
    fn uses(
        &mut self,
        uses: &str,
        with: &BTreeMap<String, String>,
        env: &BTreeMap<String, String>,
        ws: &Path,
        root: &Value,
        run_id: u64,
        path_extra: &mut Vec<PathBuf>,
    ) -> (bool, String) {
        let action = uses.split('@').next().unwrap();
        let w = |k: &str| with.get(k).cloned().unwrap_or_default();
        match action {
            "actions/checkout" => {
                assert_eq!(
                    w("persist-credentials"),
                    "false",
                    "{uses}: credentials persisted"
                );
                let r = w("ref");
                let r = if r.is_empty() {
                    self.default_branch.clone()
                } else {
                    r
                };
                let Some(tree) = self.trees.get(&r) else {
                    return (false, format!(" (no tree for ref {r:?})"));
                };
                let dest = ws.join(w("path"));
                let only = w("sparse-checkout");
                copy_tree(tree, &dest, (!only.is_empty()).then_some(only.as_str()));
                (true, format!(" ({r})"))
            }
            "infra-ci/infra-ci" => {
                let bin = PathBuf::from(assert_cmd::cargo::cargo_bin!("infra-ci"));
                path_extra.push(bin.parent().unwrap().to_path_buf());
                (true, String::new())
            }
            "hashicorp/setup-terraform" => {
                path_extra.push(workspace().join("tests/stand-in"));
                (true, String::new())
            }
            "actions/upload-artifact" => {
                let store = self
                    .scratch
                    .path()
                    .join(format!("artifact-{run_id}-{}", w("name")));
                let src = ws.join(w("path"));
                let empty = !src.is_file()
                    && std::fs::read_dir(&src).map_or(true, |mut d| d.next().is_none());
                if empty {
                    // No files: no artifact (`if-no-files-found` says whether that fails).
                    let fails = w("if-no-files-found") == "error";
                    return (!fails, " (no files, no artifact)".into());
                }
                if src.is_file() {
                    // One file: the artifact holds it at its root, as upload-artifact does.
                    std::fs::create_dir_all(&store).unwrap();
                    std::fs::copy(&src, store.join(src.file_name().unwrap())).unwrap();
                } else {
                    copy_tree(&src, &store, None);
                }
                self.artifacts.insert((run_id, w("name")), store);
                (true, String::new())
            }
            "actions/download-artifact" => {
                // Without `run-id`, the artifact of this very run.
                let from: u64 = w("run-id").parse().unwrap_or(run_id);
                if let Some(prefix) = w("pattern").strip_suffix('*') {
                    // Every artifact of the run whose name matches, each into its own
                    // folder or all into `path` (`merge-multiple`); none is no failure.
                    let merge = w("merge-multiple") == "true";
                    let found: Vec<(String, PathBuf)> = self
                        .artifacts
                        .iter()
                        .filter(|((r, n), _)| *r == from && n.starts_with(prefix))
                        .map(|((_, n), p)| (n.clone(), p.clone()))
                        .collect();
                    for (n, src) in &found {
                        let dest = ws.join(w("path"));
                        let dest = if merge { dest } else { dest.join(n) };
                        copy_tree(src, &dest, None);
                    }
                    return (true, format!(" ({} artifact(s))", found.len()));
                }
                match self.artifacts.get(&(from, w("name"))) {
                    Some(src) => {
                        copy_tree(src, &ws.join(w("path")), None);
                        (true, format!(" (from run {from})"))
                    }
                    None => (false, format!(" (no artifact {} in run {from})", w("name"))),
                }
            }
            "diggerhq/digger" => {
                // Digger plans or applies the project in the head checkout; the stand-in's
                // `.standin` of that project says whether it fails.
                let project = w("project");
                assert!(
                    !env.contains_key("GITHUB_APP_PRIVATE_KEY"),
                    "no App key for Digger"
                );
                let cfg =
                    std::fs::read_to_string(ws.join(".infra-ci/trusted/.github/infra-ci.yml"))
                        .unwrap_or_default();
                let dir = cfg
                    .lines()
                    .find(|l| l.contains(&format!("name: {project},")))
                    .and_then(|l| l.split("dir: ").nth(1))
                    .and_then(|s| s.split(',').next())
                    .unwrap_or(&project)
                    .trim()
                    .to_owned();
                let standin =
                    std::fs::read_to_string(ws.join(&dir).join(".standin")).unwrap_or_default();
                let fails = standin
                    .lines()
                    .any(|l| l.starts_with("init_exit=") && l != "init_exit=0");
                // Digger installs Terraform for the job's later steps, and saves a plan
                // as `<owner>-<repo>-<pr>-<project>.tfplan` beside the project's code.
                path_extra.push(workspace().join("tests/stand-in"));
                if !fails && w("command") == "digger plan" {
                    let mut plan = String::from("standin-plan\n");
                    for l in standin.lines() {
                        if l.starts_with("json=") || l.starts_with("text=") {
                            plan.push_str(l);
                            plan.push('\n');
                        }
                    }
                    let pr = root["needs"]["parse"]["outputs"]["pr_number"]
                        .as_str()
                        .unwrap_or("0")
                        .to_owned();
                    let name = format!("{}-{pr}-{project}.tfplan", self.repo.replace('/', "-"));
                    std::fs::write(ws.join(&dir).join(name), plan).unwrap();
                }
                (!fails, format!(" ({} {project})", w("command")))
            }
            other => {
                panic!("the life suite has no stand-in for action {other}: add one to play.rs")
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn shell(
        &self,
        script: &str,
        dir: &Path,
        env: &BTreeMap<String, String>,
        event: &Event,
        event_path: &Path,
        run_id: u64,
        path_extra: &[PathBuf],
    ) -> (bool, BTreeMap<String, String>, String) {
        if script.trim_start().starts_with("infra-ci gate") && !self.has_gate {
            return (
                true,
                BTreeMap::new(),
                " (not in this build: issue 8)".into(),
            );
        }
        let out_file = tempfile::NamedTempFile::new_in(self.scratch.path()).unwrap();
        let path = std::env::join_paths(path_extra.iter().cloned().chain(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        )))
        .unwrap();
        let mut cmd = std::process::Command::new("bash");
        cmd.args(["--noprofile", "--norc", "-eo", "pipefail", "-c", script])
            .current_dir(dir)
            .env_clear()
            .env("PATH", path)
            .env("HOME", self.scratch.path())
            .env("GITHUB_ACTIONS", "true")
            .env("CI", "true")
            .env("GITHUB_API_URL", &self.api)
            .env("GITHUB_SERVER_URL", "https://github.com")
            .env("GITHUB_REPOSITORY", &self.repo)
            .env("GITHUB_RUN_ID", run_id.to_string())
            .env("GITHUB_EVENT_NAME", event.name)
            .env("GITHUB_SHA", github_sha(&event.payload))
            .env("GITHUB_EVENT_PATH", event_path)
            .env("GITHUB_OUTPUT", out_file.path())
            .env(
                "GITHUB_STEP_SUMMARY",
                self.scratch.path().join("summary.md"),
            )
            .env("INFRA_CI_BOT_LOGIN", "github-actions[bot]")
            .env("INFRA_CI_SETTLE_MS", "20")
            .env(
                "STANDIN_FIXTURES",
                workspace().join("tests/fixtures/terraform"),
            )
            .envs(env);
        let out = cmd.output().unwrap();
        let ok = out.status.success();
        let outputs = parse_outputs(&std::fs::read_to_string(out_file.path()).unwrap_or_default());
        // A failed step's output is always in the log; `LIFE_DEBUG=1` keeps every step's.
        let note = if ok && std::env::var_os("LIFE_DEBUG").is_none() {
            String::new()
        } else {
            format!(
                " (exit {:?})\n    stdout: {}\n    stderr: {}",
                out.status.code(),
                String::from_utf8_lossy(&out.stdout).trim(),
                String::from_utf8_lossy(&out.stderr).trim()
            )
        };
        (ok, outputs, note)
    }
}

/// The run's `GITHUB_SHA`: the pushed commit, else the pull request's head (GitHub's merge
/// ref there, which `parse` never uses), else the default branch's commit.
fn github_sha(payload: &Value) -> String {
    payload["after"]
        .as_str()
        .or_else(|| payload["pull_request"]["head"]["sha"].as_str())
        .map_or_else(|| "1".repeat(40), str::to_owned)
}

/// GitHub adds `success() &&` to a condition without a status function.
fn has_status_function(cond: &str) -> bool {
    ["always()", "failure()", "cancelled()", "success()"]
        .iter()
        .any(|f| cond.contains(f))
}

fn needs(job: &Yaml) -> Vec<String> {
    match job.get("needs") {
        None => Vec::new(),
        Some(Yaml::Sequence(s)) => s.iter().map(as_str).collect(),
        Some(one) => vec![as_str(one)],
    }
}

/// The legs of a job: one per `matrix.project` value, or one without a matrix.
fn matrix(job: &Yaml, root: &Value) -> Vec<Value> {
    let Some(m) = job.get("strategy").and_then(|s| s.get("matrix")) else {
        return vec![json!({})];
    };
    let ctx = Ctx {
        root,
        job: JobState { failed: false },
    };
    let mapping = m.as_mapping().unwrap();
    assert_eq!(mapping.len(), 1, "one matrix dimension is supported");
    let (k, v) = mapping.iter().next().unwrap();
    let values = match v {
        Yaml::String(s) => expr::value(s, &ctx),
        other => y2j(other),
    };
    values
        .as_array()
        .unwrap()
        .iter()
        .map(|x| json!({ as_str(k): x }))
        .collect()
}

/// A mapping of the YAML (an `env`, a step's `with`, a job's `outputs`) with each value's
/// `${{ }}` expressions evaluated; empty when absent.
fn interpolated(map: Option<&Yaml>, root: &Value, failed: bool) -> BTreeMap<String, String> {
    let ctx = Ctx {
        root,
        job: JobState { failed },
    };
    map.and_then(Yaml::as_mapping)
        .map(|m| {
            m.iter()
                .map(|(k, v)| (as_str(k), expr::interpolate(&as_str(v), &ctx)))
                .collect()
        })
        .unwrap_or_default()
}

/// `name=value` and `name<<DELIM … DELIM` lines.
pub fn parse_outputs(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut lines = text.lines();
    while let Some(l) = lines.next() {
        if let Some((k, delim)) = l.split_once("<<") {
            let mut v = Vec::new();
            for l in lines.by_ref() {
                if l == delim {
                    break;
                }
                v.push(l);
            }
            out.insert(k.to_owned(), v.join("\n"));
        } else if let Some((k, v)) = l.split_once('=') {
            out.insert(k.to_owned(), v.to_owned());
        }
    }
    out
}

pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Copies `src` into `dest` (only the `only` subdirectory when given, like a sparse checkout).
pub fn copy_tree(src: &Path, dest: &Path, only: Option<&str>) {
    std::fs::create_dir_all(dest).unwrap();
    let Ok(entries) = std::fs::read_dir(src) else {
        return;
    };
    for e in entries {
        let e = e.unwrap();
        let name = e.file_name();
        if let Some(o) = only
            && name.to_string_lossy() != o
        {
            continue;
        }
        let to = dest.join(&name);
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &to, None);
        } else {
            std::fs::copy(e.path(), &to).unwrap();
        }
    }
}
