//! `infra-ci parse`: the event router's job outputs.

use infra_ci_config::{Config, well_known};
use infra_ci_engine::{ParseRequest, route_event};
use infra_ci_route::{CommandKind, Event, Mode, Route, RouteContext, decide};

use crate::actions_env::{self, GITHUB_EVENT_NAME, GITHUB_EVENT_PATH, GITHUB_OUTPUT};
use crate::args::ParseArgs;
use crate::exit::CliError;

/// Largest payload read (GitHub caps webhook payloads at 25 MB).
const MAX_PAYLOAD: u64 = 25 << 20;

pub async fn run(a: ParseArgs) -> Result<(), CliError> {
    let event_name = a
        .event_name
        .clone()
        .or_else(|| std::env::var(GITHUB_EVENT_NAME).ok())
        .ok_or_else(|| {
            CliError::usage("no event").with_hint("pass --event-name or set GITHUB_EVENT_NAME")
        })?;
    let path = a
        .event_path
        .clone()
        .or_else(|| std::env::var_os(GITHUB_EVENT_PATH).map(Into::into))
        .ok_or_else(|| {
            CliError::usage("no event payload")
                .with_hint("pass --event-path or set GITHUB_EVENT_PATH")
        })?;
    let payload = read_payload(&path)?;
    let context = RouteContext {
        sha: std::env::var(crate::env_vars::GITHUB_SHA)
            .ok()
            .filter(|s| !s.is_empty())
            .map(infra_ci_github::Sha::new),
        self_login: std::env::var(infra_ci_github::env::INFRA_CI_BOT_LOGIN)
            .ok()
            .filter(|s| !s.is_empty()),
        ..RouteContext::default()
    };
    // A fork's pull request runs with a read-only token: decide without writing anything
    // (no dashboard, no reaction), so `validate` still runs for the fork's code.
    let fork = is_fork_pull_request(&event_name, &payload);
    let (route, config) = if a.offline || fork {
        let config = crate::config::load(a.config.as_deref())?;
        let route = decide(&event_name, &payload, &config, &context)
            .map_err(|e| CliError::usage(format!("cannot route the {event_name} event: {e}")))?;
        (route, config)
    } else {
        let repo = crate::client::repo(a.repo.as_deref())?;
        let forge = crate::client::github(&a.conn).await?;
        // The default branch's configuration in Actions: a pull request never decides who
        // may apply it, nor what that requires.
        let default_branch = Event::parse(&event_name, &payload)
            .ok()
            .and_then(|e| e.default_branch().map(str::to_owned));
        let config = crate::config::trusted(
            a.config.as_deref(),
            &forge,
            &repo,
            default_branch.as_deref(),
        )
        .await?;
        let req = ParseRequest {
            repo,
            event_name: &event_name,
            payload: &payload,
            config: &config,
            context,
            run_link: actions_env::job_url(),
            run_id: actions_env::run_id(),
        };
        (route_event(&forge, req).await?, config)
    };
    let mut outputs = outputs(&route, &config);
    outputs.extend(jobs(&event_name, &route, !fork && !a.offline));
    outputs.push((
        "in_run",
        in_run(&route, &config, !fork && !a.offline).to_string(),
    ));
    actions_env::append_to(GITHUB_OUTPUT, &actions_env::format_outputs(&outputs))
        .map_err(|e| CliError::failed(format!("cannot write GITHUB_OUTPUT: {e}")))?;
    if a.json {
        println!(
            "{}",
            serde_json::to_string(&route).map_err(|e| CliError::failed(e.to_string()))?
        );
    } else {
        print!("{}", actions_env::format_outputs(&outputs));
    }
    Ok(())
}

fn read_payload(path: &std::path::Path) -> Result<Vec<u8>, CliError> {
    use std::io::Read as _;
    let mut buf = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_PAYLOAD).read_to_end(&mut buf))
        .map_err(|e| {
            CliError::usage(format!(
                "cannot read the event payload {}: {e}",
                path.display()
            ))
        })?;
    Ok(buf)
}

/// The job outputs, in GitHub's file format (lists as JSON, ready for `fromJSON`).
pub fn outputs(r: &Route, cfg: &Config) -> Vec<(&'static str, String)> {
    let json = |v: &Vec<String>| serde_json::to_string(v).unwrap_or_else(|_| "[]".into());
    vec![
        ("mode", r.mode.as_str().to_owned()),
        (
            "command",
            r.command.map(|c| c.as_str().to_owned()).unwrap_or_default(),
        ),
        ("projects", json(&r.projects)),
        ("digger_projects", json(&r.digger_projects)),
        ("native_projects", json(&r.native_projects)),
        (
            "pr_number",
            r.pr_number.map(|n| n.to_string()).unwrap_or_default(),
        ),
        ("sha", r.sha.clone().map(String::from).unwrap_or_default()),
        ("should_run", r.should_run.to_string()),
        ("stages", json(&r.stages)),
        (
            "digger_stages",
            json(&runner_stages(r, cfg, &r.digger_projects)),
        ),
        (
            "native_stages",
            json(&runner_stages(r, cfg, &r.native_projects)),
        ),
        ("reason", r.reason.clone()),
        ("release_locks", r.release_locks.to_string()),
    ]
}

/// Whether the event is a pull request whose head lives in another repository (a fork, or
/// a deleted one): GitHub gives its workflow runs a read-only token.
pub fn is_fork_pull_request(event_name: &str, payload: &[u8]) -> bool {
    if event_name != "pull_request" {
        return false;
    }
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(payload) else {
        return false;
    };
    let base = v["repository"]["full_name"].as_str();
    let head = v["pull_request"]["head"]["repo"]["full_name"].as_str();
    v["pull_request"].is_object() && (head.is_none() || head != base)
}

/// The jobs' conditions, decided here so that each job's `if:` reads one boolean.
pub fn jobs(event_name: &str, r: &Route, dashboard: bool) -> Vec<(&'static str, String)> {
    let kind = r.command;
    let plan = matches!(kind, Some(CommandKind::Plan | CommandKind::BootstrapPlan));
    let apply = matches!(kind, Some(CommandKind::Apply | CommandKind::BootstrapApply));
    let run = r.should_run;
    let validate = event_name == "pull_request"
        && !r.release_locks
        && r.pr_number.is_some()
        && r.sha.is_some();
    let b = |v: bool| v.to_string();
    vec![
        ("dashboard", b(dashboard)),
        ("validate", b(validate)),
        ("apply", b(apply)),
        (
            "digger",
            b(run && (plan || apply) && !r.digger_projects.is_empty()),
        ),
        (
            "native_plan",
            b(run && plan && !r.native_projects.is_empty()),
        ),
        (
            "native_apply",
            b(run && apply && !r.native_projects.is_empty()),
        ),
        ("post_merge", b(run && r.mode == Mode::PostMerge)),
        ("drift", b(run && r.mode == Mode::Drift)),
    ]
}

/// Whether the plan's legs are a run `parse` opened (its dashboard write showed their rows
/// running and marked the run: `infra_ci_engine::run_stages`): then each leg posts no
/// `running` and only its result, through `Dashboards::update_in_run` (ADR 0012). The
/// workflow passes this to the legs as `--in-run`. False whenever `parse` wrote nothing (a
/// fork's read-only token, `--offline`).
pub fn in_run(r: &Route, cfg: &Config, dashboard: bool) -> bool {
    dashboard && infra_ci_engine::run_stages(r, cfg).is_some()
}

/// The share of the route's `stages` that one runner's `projects` write, in the same
/// (dashboard) order: their configured plan stages, or the `apply` row for an apply (each
/// runner that applies something reports it there). Derived from the final route, so a
/// refused or closed route (no `stages`) gives no stages to either runner.
fn runner_stages(r: &Route, cfg: &Config, projects: &[String]) -> Vec<String> {
    if projects.is_empty() {
        return Vec::new();
    }
    let own: Vec<&str> = match r.command {
        Some(CommandKind::Apply | CommandKind::BootstrapApply) => vec![well_known::APPLY],
        _ => projects
            .iter()
            .filter_map(|n| cfg.project(n))
            .map(|p| p.stage.as_str())
            .collect(),
    };
    r.stages
        .iter()
        .filter(|s| own.contains(&s.as_str()))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    const MIXED: &str = "stages:\n  - {key: plan-net, name: Net}\n  - {key: plan-app, name: App}\n  - {key: plan-db, name: Db}\n  - {key: apply, name: Apply}\n\
projects:\n  - {name: db, dir: db, stage: plan-db, runner: native}\n  - {name: app, dir: app, stage: plan-app, runner: digger}\n  - {name: net, dir: net, stage: plan-net, runner: native}\n";

    /// The route of a dispatched `command` on pull request 7.
    fn decided(cfg: &Config, command: &str) -> Route {
        let event = serde_json::json!({
            "inputs": {"command": command, "pr": "7"},
            "ref": "refs/heads/main",
            "repository": {"full_name": "acme/infra", "name": "infra", "owner": {"login": "acme"}, "default_branch": "main"},
            "sender": {"login": "alice", "type": "User"},
        });
        decide(
            "workflow_dispatch",
            event.to_string().as_bytes(),
            cfg,
            &RouteContext::default(),
        )
        .unwrap()
    }

    fn route(cfg: &Config, command: &str) -> Vec<(&'static str, String)> {
        outputs(&decided(cfg, command), cfg)
    }

    fn get<'a>(out: &'a [(&'static str, String)], k: &str) -> &'a str {
        out.iter().find(|(n, _)| *n == k).unwrap().1.as_str()
    }

    #[test]
    fn a_mixed_plan_splits_the_stages_by_runner_in_dashboard_order() {
        let cfg = Config::from_yaml(MIXED).unwrap();
        let out = route(&cfg, "plan");
        assert_eq!(get(&out, "mode"), "digger");
        assert_eq!(get(&out, "stages"), r#"["plan-net","plan-app","plan-db"]"#);
        assert_eq!(get(&out, "digger_projects"), r#"["app"]"#);
        assert_eq!(get(&out, "digger_stages"), r#"["plan-app"]"#);
        assert_eq!(get(&out, "native_stages"), r#"["plan-net","plan-db"]"#);
    }

    #[test]
    fn only_the_selected_runner_gets_stages() {
        let cfg = Config::from_yaml(MIXED).unwrap();
        let out = route(&cfg, "plan db");
        assert_eq!(get(&out, "digger_stages"), "[]");
        assert_eq!(get(&out, "native_stages"), r#"["plan-db"]"#);
    }

    #[test]
    fn an_apply_gives_each_runner_that_applies_the_apply_row() {
        let cfg = Config::from_yaml(MIXED).unwrap();
        let out = route(&cfg, "apply");
        assert_eq!(get(&out, "digger_stages"), r#"["apply"]"#);
        assert_eq!(get(&out, "native_stages"), r#"["apply"]"#);
        let out = route(&cfg, "apply app");
        assert_eq!(get(&out, "digger_stages"), r#"["apply"]"#);
        assert_eq!(get(&out, "native_stages"), "[]");
    }

    #[test]
    fn only_a_plan_that_runs_on_a_dashboard_parse_writes_is_a_run_of_legs() {
        let cfg = Config::from_yaml(MIXED).unwrap();
        let mut off = cfg.clone();
        off.dashboard.runs = false;
        let ready = |cfg: &Config, command: &str| {
            let mut r = decided(cfg, command);
            r.pr_number = Some(7);
            r.sha = Some(infra_ci_github::Sha::new("a".repeat(40)));
            r.init_dashboard = true;
            r
        };
        assert!(in_run(&ready(&cfg, "plan"), &cfg, true));
        assert!(in_run(&ready(&cfg, "plan db"), &cfg, true));
        assert!(
            !in_run(&ready(&cfg, "plan"), &cfg, false),
            "a fork's parse writes nothing"
        );
        assert!(!in_run(&ready(&cfg, "apply"), &cfg, true));
        let mut refused = ready(&cfg, "plan");
        refused.should_run = false;
        assert!(!in_run(&refused, &cfg, true));
        let mut no_dashboard = ready(&cfg, "plan");
        no_dashboard.init_dashboard = false;
        assert!(!in_run(&no_dashboard, &cfg, true));
        assert!(
            !in_run(&ready(&off, "plan"), &off, true),
            "runs can be switched off (dashboard.runs: false)"
        );
        let comment = Config::from_yaml(&format!("store: comment\n{MIXED}")).unwrap();
        assert!(
            !in_run(&ready(&comment, "plan"), &comment, true),
            "store: comment has no statuses to mark a run in"
        );
    }

    #[test]
    fn a_route_without_stages_gives_none_to_either_runner() {
        let cfg = Config::from_yaml(MIXED).unwrap();
        let mut r = decided(&cfg, "plan");
        assert!(!r.stages.is_empty());
        r.stages.clear();
        let out = outputs(&r, &cfg);
        assert_eq!(get(&out, "digger_stages"), "[]");
        assert_eq!(get(&out, "native_stages"), "[]");
    }
}
