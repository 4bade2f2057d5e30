//! `infra-ci parse`: the event router's job outputs.

use infra_ci_engine::{ParseRequest, route_event};
use infra_ci_route::{Route, RouteContext, decide};

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
        .ok_or_else(|| CliError::usage("no event: pass --event-name or set GITHUB_EVENT_NAME"))?;
    let path = a
        .event_path
        .clone()
        .or_else(|| std::env::var_os(GITHUB_EVENT_PATH).map(Into::into))
        .ok_or_else(|| {
            CliError::usage("no event payload: pass --event-path or set GITHUB_EVENT_PATH")
        })?;
    let payload = read_payload(&path)?;
    let config = crate::config::load(a.config.as_deref())?;
    let context = RouteContext {
        sha: std::env::var("GITHUB_SHA").ok().filter(|s| !s.is_empty()),
        self_login: std::env::var(infra_ci_github::env::INFRA_CI_BOT_LOGIN)
            .ok()
            .filter(|s| !s.is_empty()),
        ..RouteContext::default()
    };
    let route = if a.offline {
        decide(&event_name, &payload, &config, &context)
            .map_err(|e| CliError::usage(format!("cannot route the {event_name} event: {e}")))?
    } else {
        let repo = crate::client::repo(a.repo.as_deref())?;
        let forge = crate::client::github(&a.conn)?;
        let req = ParseRequest {
            repo,
            event_name: &event_name,
            payload: &payload,
            config: &config,
            context,
        };
        route_event(&forge, req).await?
    };
    let outputs = outputs(&route);
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
pub fn outputs(r: &Route) -> Vec<(&'static str, String)> {
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
        ("sha", r.sha.clone().unwrap_or_default()),
        ("should_run", r.should_run.to_string()),
        ("stages", json(&r.stages)),
        ("reason", r.reason.clone()),
        ("release_locks", r.release_locks.to_string()),
    ]
}
