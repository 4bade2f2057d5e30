//! Running projects in parallel while honouring `depends_on`: a project starts when every
//! selected project it depends on has finished, and is skipped when one of them did not
//! succeed.

use std::collections::{BTreeMap, HashSet};
use std::future::Future;

use futures::StreamExt as _;
use futures::stream::FuturesUnordered;
use infra_ci_config::Project;
use infra_ci_core::Status;

use crate::error::RunnerError;
use crate::steps::ProjectResult;

/// Runs `work(project, blocked)` for every project, as early as its dependencies allow.
/// `blocked` is `Some(reason)` when a dependency did not succeed (the callback reports the
/// skip). Results come back in the order of `projects`. On an error no further project
/// starts, the running ones finish, and the first error is returned.
pub(crate) async fn run_all<'p, F, Fut>(
    projects: &[&'p Project],
    work: F,
) -> Result<Vec<ProjectResult>, RunnerError>
where
    F: Fn(&'p Project, Option<String>) -> Fut,
    Fut: Future<Output = Result<ProjectResult, RunnerError>>,
{
    let selected: HashSet<&str> = projects.iter().map(|p| p.name.as_str()).collect();
    let mut waiting: Vec<&'p Project> = projects.to_vec();
    let mut done: BTreeMap<String, ProjectResult> = BTreeMap::new();
    let mut running = FuturesUnordered::new();
    let mut first_error = None;
    loop {
        if first_error.is_none() {
            let mut still = Vec::new();
            for p in waiting.drain(..) {
                let deps: Vec<&str> = p
                    .depends_on
                    .iter()
                    .map(infra_ci_config::ProjectName::as_str)
                    .filter(|d| selected.contains(d))
                    .collect();
                if !deps.iter().all(|d| done.contains_key(*d)) {
                    still.push(p);
                    continue;
                }
                let blocked = deps
                    .iter()
                    .find(|d| done[**d].status != Status::Success)
                    .map(|d| format!("skipped: {d} did not succeed ({})", done[*d].status.word()));
                let name = p.name.as_str().to_owned();
                let fut = work(p, blocked);
                running.push(async move { (name, fut.await) });
            }
            waiting = still;
        }
        let Some((name, result)) = running.next().await else {
            break;
        };
        match result {
            Ok(r) => {
                done.insert(name, r);
            }
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    if let Some(e) = first_error {
        return Err(e);
    }
    Ok(projects
        .iter()
        .filter_map(|p| done.remove(p.name.as_str()))
        .collect())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use infra_ci_config::Config;
    use std::sync::Mutex;

    fn config() -> Config {
        Config::from_yaml(
            "stages:\n  - {key: plan-a, name: A}\n  - {key: plan-b, name: B}\n  - {key: plan-c, name: C}\n\
             projects:\n  - {name: a, dir: a, stage: plan-a, runner: native}\n  - {name: b, dir: b, stage: plan-b, runner: native, depends_on: [a]}\n  - {name: c, dir: c, stage: plan-c, runner: native}\n",
        )
        .unwrap()
    }

    #[tokio::test]
    async fn a_failed_dependency_skips_its_dependents_and_order_is_kept() {
        let cfg = config();
        let projects: Vec<&Project> = cfg.projects.iter().collect();
        let log = Mutex::new(Vec::new());
        let results = run_all(&projects, |p, blocked| {
            let log = &log;
            async move {
                let name = p.name.as_str();
                log.lock().unwrap().push(name.to_owned());
                Ok(match blocked {
                    Some(reason) => ProjectResult::skipped(name, reason),
                    None if name == "a" => ProjectResult::failed(name, "error: boom".into(), &[]),
                    None => ProjectResult::skipped(name, "fine".into()),
                })
            }
        })
        .await
        .unwrap();
        let names: Vec<_> = results.iter().map(|r| r.project.as_str()).collect();
        assert_eq!(names, ["a", "b", "c"]);
        assert_eq!(results[1].status, Status::Skipped);
        assert_eq!(results[1].output, "skipped: a did not succeed (failure)");
        let log = log.into_inner().unwrap();
        let pos = |n: &str| log.iter().position(|x| x == n).unwrap();
        assert!(pos("a") < pos("b"));
    }
}
