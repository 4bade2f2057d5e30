//! The seed's pipeline, used when `.github/infra-ci.yml` is absent or leaves a field out.

use crate::model::{Project, Runner, Stage};
use crate::names::{ProjectDir, ProjectName, StageKey};

/// The seed's four projects and who runs them: bootstrap natively (it creates what Digger
/// needs), the rest through Digger.
pub const DEFAULT_PROJECTS: [(&str, Runner); 4] = [
    ("bootstrap", Runner::Native),
    ("platform", Runner::Digger),
    ("data-staging", Runner::Digger),
    ("data-prod", Runner::Digger),
];

/// The seed's eight stages, from the dashboard domain (`infra_ci_core::default_stages`).
pub(crate) fn stages() -> Vec<Stage> {
    infra_ci_core::default_stages()
        .into_iter()
        .map(|s| Stage {
            key: StageKey::new(s.key).expect("the seed's stage keys are valid"),
            name: s.name,
        })
        .collect()
}

pub(crate) fn projects() -> Vec<Project> {
    DEFAULT_PROJECTS
        .iter()
        .map(|(name, runner)| Project {
            name: ProjectName::new(*name).expect("default project names are valid"),
            dir: ProjectDir::new(format!("terraform/{name}")).expect("default dirs are valid"),
            stage: StageKey::new(format!("plan-{name}")).expect("default stage keys are valid"),
            runner: *runner,
            depends_on: Vec::new(),
            workspace: None,
        })
        .collect()
}
