//! Checks that span the whole file: versions, uniqueness, references, dependency cycles.
//!
//! Per-value checks (name patterns, directories) already ran while reading; these need the
//! whole [`Config`]. Each error points at the offending value through [`locate`].

use std::collections::{HashMap, HashSet};

use crate::error::{ConfigError, ConfigErrorKind};
use crate::model::Config;
use crate::position::{Seg, locate};

/// The first problem found in `cfg`, located in `yaml`.
pub(crate) fn validate(cfg: &Config, yaml: &str) -> Result<(), ConfigError> {
    let fail = |kind, path: &[Seg<'_>], message: String| {
        Err(ConfigError {
            kind,
            location: locate(yaml, path),
            message,
        })
    };

    if cfg.version != 1 {
        return fail(
            ConfigErrorKind::UnsupportedVersion,
            &[Seg::Key("version")],
            format!(
                "unsupported version {}: this infra-ci reads version 1",
                cfg.version
            ),
        );
    }

    let mut seen = HashSet::new();
    for (i, stage) in cfg.stages.iter().enumerate() {
        if !seen.insert(stage.key.as_str()) {
            return fail(
                ConfigErrorKind::DuplicateStage,
                &[Seg::Key("stages"), Seg::Index(i), Seg::Key("key")],
                format!(
                    "stage key `{}` is listed twice; keys must be unique",
                    stage.key
                ),
            );
        }
    }

    let mut names = HashSet::new();
    for (i, project) in cfg.projects.iter().enumerate() {
        if !names.insert(project.name.as_str()) {
            return fail(
                ConfigErrorKind::DuplicateProject,
                &[Seg::Key("projects"), Seg::Index(i), Seg::Key("name")],
                format!(
                    "project `{}` is listed twice; names must be unique",
                    project.name
                ),
            );
        }
    }

    for (i, project) in cfg.projects.iter().enumerate() {
        if !seen.contains(project.stage.as_str()) {
            let path = [Seg::Key("projects"), Seg::Index(i), Seg::Key("stage")];
            return Err(ConfigError {
                kind: ConfigErrorKind::UnknownStage,
                // Default projects have no text of their own: point at `stages` instead.
                location: locate(yaml, &path).or_else(|| locate(yaml, &[Seg::Key("stages")])),
                message: format!(
                    "project `{}` reports to stage `{}`, which is not in `stages`; defined stages: {}",
                    project.name,
                    project.stage,
                    list(cfg.stages.iter().map(|s| s.key.as_str()))
                ),
            });
        }
        if let Some(ws) = &project.workspace
            && !is_valid_workspace(ws)
        {
            {
                return fail(
                    ConfigErrorKind::InvalidWorkspace,
                    &[Seg::Key("projects"), Seg::Index(i), Seg::Key("workspace")],
                    format!(
                        "invalid workspace for project `{}`: use 1 to 90 letters, digits, '-', '_' or '.'",
                        project.name
                    ),
                );
            }
        }
        for (j, dep) in project.depends_on.iter().enumerate() {
            if !names.contains(dep.as_str()) {
                return fail(
                    ConfigErrorKind::UnknownProject,
                    &[
                        Seg::Key("projects"),
                        Seg::Index(i),
                        Seg::Key("depends_on"),
                        Seg::Index(j),
                    ],
                    format!(
                        "project `{}` depends on `{dep}`, which is not a project; projects: {}",
                        project.name,
                        list(names.iter().copied())
                    ),
                );
            }
        }
    }

    if let Some((i, j, cycle)) = find_cycle(cfg) {
        return fail(
            ConfigErrorKind::DependencyCycle,
            &[
                Seg::Key("projects"),
                Seg::Index(i),
                Seg::Key("depends_on"),
                Seg::Index(j),
            ],
            format!(
                "depends_on forms a cycle: {}; remove one of these dependencies",
                cycle.join(" -> ")
            ),
        );
    }

    if let Some(b) = &cfg.bootstrap
        && !names.contains(b.project.as_str())
    {
        {
            return fail(
                ConfigErrorKind::UnknownProject,
                &[Seg::Key("bootstrap"), Seg::Key("project")],
                format!(
                    "bootstrap.project `{}` is not a project; projects: {}",
                    b.project,
                    list(cfg.projects.iter().map(|p| p.name.as_str()))
                ),
            );
        }
    }

    let d = &cfg.dashboard;
    if let Some(id) = &d.identity
        && !is_login(id)
    {
        return fail(
            ConfigErrorKind::InvalidLogin,
            &[Seg::Key("dashboard"), Seg::Key("identity")],
            format!(
                "dashboard.identity {id:?} is not a GitHub login (e.g. `github-actions[bot]`, `my-app[bot]`)"
            ),
        );
    }
    for (i, login) in d.predecessors.iter().enumerate() {
        let path = [
            Seg::Key("dashboard"),
            Seg::Key("predecessors"),
            Seg::Index(i),
        ];
        if !is_login(login) {
            return fail(
                ConfigErrorKind::InvalidLogin,
                &path,
                format!(
                    "dashboard.predecessors: {login:?} is not a GitHub login (e.g. `my-seed-app[bot]`)"
                ),
            );
        }
        if d.identity
            .as_deref()
            .is_some_and(|id| id.eq_ignore_ascii_case(login))
        {
            return fail(
                ConfigErrorKind::InvalidLogin,
                &path,
                format!(
                    "dashboard.predecessors: `{login}` is `dashboard.identity` itself; a predecessor is an identity that wrote dashboards before it"
                ),
            );
        }
    }
    Ok(())
}

/// A GitHub login: a user's (`alice`, up to 39 characters of letters, digits and `-`) or an
/// App's bot (`my-app[bot]`).
fn is_login(s: &str) -> bool {
    let name = s.strip_suffix("[bot]").unwrap_or(s);
    !name.is_empty()
        && name.len() <= 39
        && !name.starts_with('-')
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// A sorted, comma-separated list for messages.
fn list<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let mut v: Vec<&str> = items.collect();
    v.sort_unstable();
    if v.is_empty() {
        "(none)".to_owned()
    } else {
        v.join(", ")
    }
}

/// Terraform accepts more, but these are the names that need no quoting in a shell, a URL or
/// a state key.
fn is_valid_workspace(ws: &str) -> bool {
    (1..=90).contains(&ws.len())
        && ws
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// `depends_on` as indices; unknown names (reported separately) are skipped.
fn edges(cfg: &Config) -> Vec<Vec<usize>> {
    let index: HashMap<&str, usize> = cfg
        .projects
        .iter()
        .enumerate()
        .map(|(i, p)| (p.name.as_str(), i))
        .collect();
    cfg.projects
        .iter()
        .map(|p| {
            p.depends_on
                .iter()
                .map(|d| index.get(d.as_str()).copied().unwrap_or(usize::MAX))
                .collect()
        })
        .collect()
}

/// The first dependency cycle in file order: the project index and `depends_on` index of the
/// edge that closes it, and the names along it (first name repeated at the end).
fn find_cycle(cfg: &Config) -> Option<(usize, usize, Vec<String>)> {
    let edges = edges(cfg);
    let mut walk = CycleWalk {
        edges: &edges,
        state: vec![Mark::Unvisited; edges.len()],
        stack: Vec::new(),
    };
    let (i, j, path) = (0..edges.len()).find_map(|i| walk.visit(i))?;
    let names = path
        .into_iter()
        .map(|p| cfg.projects[p].name.to_string())
        .collect();
    Some((i, j, names))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mark {
    Unvisited,
    OnPath,
    Done,
}

/// Depth-first search state for [`find_cycle`].
struct CycleWalk<'a> {
    edges: &'a [Vec<usize>],
    state: Vec<Mark>,
    stack: Vec<usize>,
}

impl CycleWalk<'_> {
    fn visit(&mut self, i: usize) -> Option<(usize, usize, Vec<usize>)> {
        if self.state[i] != Mark::Unvisited {
            return None;
        }
        self.state[i] = Mark::OnPath;
        self.stack.push(i);
        for (j, &d) in self.edges[i].iter().enumerate() {
            match self.state.get(d) {
                Some(Mark::OnPath) => {
                    let from = self.stack.iter().position(|&s| s == d).unwrap_or(0);
                    let mut path = self.stack[from..].to_vec();
                    path.push(d);
                    return Some((i, j, path));
                }
                Some(Mark::Unvisited) => {
                    if let Some(found) = self.visit(d) {
                        return Some(found);
                    }
                }
                _ => {}
            }
        }
        self.stack.pop();
        self.state[i] = Mark::Done;
        None
    }
}

/// Projects in dependency order: each after everything it depends on, otherwise in file order.
/// On a validated (acyclic) config every project appears exactly once.
pub(crate) fn dependency_order(cfg: &Config) -> Vec<usize> {
    fn place(
        edges: &[Vec<usize>],
        placed: &mut [bool],
        order: &mut Vec<usize>,
        i: usize,
        depth: usize,
    ) {
        // The depth bound keeps an unvalidated (cyclic) config from recursing forever.
        if placed[i] || depth > edges.len() {
            return;
        }
        for &d in &edges[i] {
            if d < edges.len() {
                place(edges, placed, order, d, depth + 1);
            }
        }
        if !placed[i] {
            placed[i] = true;
            order.push(i);
        }
    }

    let edges = edges(cfg);
    let mut placed = vec![false; edges.len()];
    let mut order = Vec::with_capacity(edges.len());
    for i in 0..edges.len() {
        place(&edges, &mut placed, &mut order, i, 0);
    }
    order
}
