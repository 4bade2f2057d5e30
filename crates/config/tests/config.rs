//! `.github/infra-ci.yml`: defaults, a full file, every error with its line and column, and
//! the published JSON Schema.
#![allow(clippy::unwrap_used)]

use infra_ci_config::{
    Association, Config, ConfigErrorKind, Requirement, Runner, Store, TerraformBinary,
};

const FULL: &str = r#"
version: 1
terraform:
  binary: tofu
store: comment
stages:
  - {key: plan-net, name: "Plan: net"}
  - {key: plan-app, name: "Plan: app"}
  - {key: apply, name: Apply}
  - {key: review, name: Review}
projects:
  - name: app
    dir: infra/app/
    stage: plan-app
    runner: digger
    depends_on: [net]
    workspace: prod
  - name: net
    dir: infra/net
    stage: plan-net
    runner: native
bootstrap:
  project: net
autoplan: true
permissions:
  plan:
    associations: [OWNER, MEMBER, COLLABORATOR, CONTRIBUTOR]
  apply:
    associations: [OWNER]
    users: [alice]
    teams: [my-org/sre]
    requirements: [approved, plans_succeeded]
"#;

#[test]
fn no_file_is_the_seed() {
    let cfg = Config::default();
    let keys: Vec<&str> = cfg.stages.iter().map(|s| s.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "ci",
            "plan-bootstrap",
            "plan-platform",
            "plan-data-staging",
            "plan-data-prod",
            "apply",
            "e2e",
            "review"
        ]
    );
    assert_eq!(cfg.stage("review").unwrap().name, "AI Review");
    assert_eq!(cfg.stage("ci").unwrap().name, "CI Validate");
    let projects: Vec<(&str, &str, &str, Runner)> = cfg
        .projects
        .iter()
        .map(|p| (p.name.as_str(), p.dir.as_str(), p.stage.as_str(), p.runner))
        .collect();
    assert_eq!(
        projects,
        [
            (
                "bootstrap",
                "terraform/bootstrap",
                "plan-bootstrap",
                Runner::Native
            ),
            (
                "platform",
                "terraform/platform",
                "plan-platform",
                Runner::Digger
            ),
            (
                "data-staging",
                "terraform/data-staging",
                "plan-data-staging",
                Runner::Digger
            ),
            (
                "data-prod",
                "terraform/data-prod",
                "plan-data-prod",
                Runner::Digger
            ),
        ]
    );
    assert_eq!(cfg.bootstrap_project().unwrap().name, "bootstrap");
    assert_eq!(cfg.store, Store::Statuses);
    assert_eq!(cfg.terraform.binary, TerraformBinary::Terraform);
    assert!(!cfg.autoplan);
    assert_eq!(
        cfg.permissions.plan.associations,
        [
            Association::Owner,
            Association::Member,
            Association::Collaborator
        ]
    );
    assert_eq!(cfg.permissions.apply.requirements, Requirement::all());
    assert_eq!(cfg.permissions.apply.requirements.len(), 5);
}

#[test]
fn empty_and_minimal_files_are_the_default() {
    for text in ["", "\n", "# nothing yet\n", "---\n", "version: 1\n", "{}"] {
        assert_eq!(
            Config::from_yaml(text).unwrap(),
            Config::default(),
            "{text:?}"
        );
    }
}

#[test]
fn a_full_file_reads_every_field() {
    let cfg = Config::from_yaml(FULL).unwrap();
    assert_eq!(cfg.terraform.binary, TerraformBinary::Tofu);
    assert_eq!(cfg.store, Store::Comment);
    assert_eq!(cfg.stages.len(), 4);
    assert!(cfg.autoplan);
    let app = cfg.project("app").unwrap();
    assert_eq!(app.dir.as_str(), "infra/app", "trailing slash dropped");
    assert_eq!(app.workspace.as_deref(), Some("prod"));
    assert_eq!(app.depends_on[0], "net");
    assert_eq!(cfg.project("net").unwrap().runner, Runner::Native);
    assert_eq!(cfg.bootstrap_project().unwrap().name, "net");
    let order: Vec<&str> = cfg
        .projects_in_order()
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(order, ["net", "app"], "dependencies first");
    assert_eq!(cfg.permissions.plan.associations.len(), 4);
    assert!(cfg.permissions.plan.users.is_empty());
    assert_eq!(cfg.permissions.apply.users, ["alice"]);
    assert_eq!(cfg.permissions.apply.teams, ["my-org/sre"]);
    assert_eq!(
        cfg.permissions.apply.requirements,
        [Requirement::Approved, Requirement::PlansSucceeded]
    );
}

#[test]
fn without_a_bootstrap_project_bootstrap_is_off() {
    let cfg = Config::from_yaml(
        "stages: [{key: plan-x, name: X}]\nprojects: [{name: x, dir: x, stage: plan-x}]\n",
    )
    .unwrap();
    assert!(cfg.bootstrap_project().is_none());
    assert_eq!(cfg.projects[0].runner, Runner::Digger, "default runner");
}

/// A YAML text, the error kind, its `(line, column)` and words the message must contain.
type Case = (
    &'static str,
    ConfigErrorKind,
    (usize, usize),
    &'static [&'static str],
);

/// Each mistake, the position the error points at, and words the message must contain.
#[test]
fn every_error_says_where_and_what() {
    let cases: &[Case] = &[
        (
            "version: 1\nautoplan: yes please\n",
            ConfigErrorKind::Syntax,
            (2, 11),
            &["autoplan", "boolean"],
        ),
        (
            "version: 1\ncolour: red\n",
            ConfigErrorKind::Syntax,
            (2, 1),
            &["unknown field `colour`", "`stages`", "`projects`"],
        ),
        (
            "store: database\n",
            ConfigErrorKind::Syntax,
            (1, 8),
            &["unknown variant `database`", "`statuses`", "`comment`"],
        ),
        (
            "terraform: {binary: terragrunt}\n",
            ConfigErrorKind::Syntax,
            (1, 21),
            &["terragrunt", "`terraform`", "`tofu`"],
        ),
        (
            "version: 2\n",
            ConfigErrorKind::UnsupportedVersion,
            (1, 10),
            &["version 2", "version 1"],
        ),
        (
            "stages:\n  - {key: ci, name: CI}\n  - {key: Plan_X, name: X}\n",
            ConfigErrorKind::Syntax,
            (3, 11),
            &["invalid stage key \"Plan_X\"", "^[a-z0-9][a-z0-9-]{0,39}$"],
        ),
        (
            "stages:\n  - {key: ci, name: CI}\n  - {key: ci, name: CI again}\n",
            ConfigErrorKind::DuplicateStage,
            (3, 11),
            &["`ci`", "twice"],
        ),
        (
            "projects:\n  - {name: a, dir: a, stage: ci}\n  - {name: a, dir: b, stage: ci}\n",
            ConfigErrorKind::DuplicateProject,
            (3, 12),
            &["`a`", "twice"],
        ),
        (
            "projects:\n  - name: net\n    dir: net\n    stage: plan-nett\n",
            ConfigErrorKind::UnknownStage,
            (4, 12),
            &["`plan-nett`", "defined stages:", "plan-platform"],
        ),
        (
            "projects:\n  - name: net\n    dir: ../net\n    stage: ci\n",
            ConfigErrorKind::Syntax,
            (3, 10),
            &["'..'", "inside the repository"],
        ),
        (
            "projects:\n  - name: net\n    dir: /srv/net\n    stage: ci\n",
            ConfigErrorKind::Syntax,
            (3, 10),
            &["absolute"],
        ),
        (
            "projects:\n  - {name: a, dir: a, stage: ci, runner: python}\n",
            ConfigErrorKind::Syntax,
            (2, 42),
            &["python", "`digger`", "`native`"],
        ),
        (
            "projects:\n  - name: a\n    dir: a\n    stage: ci\n    depends_on: [b]\n",
            ConfigErrorKind::UnknownProject,
            (5, 18),
            &["`b`", "projects: a"],
        ),
        (
            "projects:\n  - {name: a, dir: a, stage: ci, depends_on: [b]}\n  - {name: b, dir: b, stage: ci, depends_on: [c]}\n  - {name: c, dir: c, stage: ci, depends_on: [a]}\n",
            ConfigErrorKind::DependencyCycle,
            (4, 47),
            &["a -> b -> c -> a"],
        ),
        (
            "projects:\n  - {name: a, dir: a, stage: ci, depends_on: [a]}\n",
            ConfigErrorKind::DependencyCycle,
            (2, 47),
            &["a -> a"],
        ),
        (
            "projects:\n  - {name: a, dir: a, stage: ci, workspace: \"x y\"}\n",
            ConfigErrorKind::InvalidWorkspace,
            (2, 45),
            &["workspace", "`a`"],
        ),
        (
            "dashboard:\n  identity: \"not a login\"\n",
            ConfigErrorKind::InvalidLogin,
            (2, 13),
            &["dashboard.identity", "not a GitHub login"],
        ),
        (
            "dashboard:\n  identity: \"acme-ci[bot]\"\n  predecessors: [\"seed[bot]\", \"ACME-CI[bot]\"]\n",
            ConfigErrorKind::InvalidLogin,
            (3, 31),
            &["`ACME-CI[bot]`", "is `dashboard.identity` itself"],
        ),
        (
            "bootstrap:\n  project: boot\n",
            ConfigErrorKind::UnknownProject,
            (2, 12),
            &["`boot`", "bootstrap, data-prod"],
        ),
        (
            "permissions:\n  apply:\n    requirements: [approved, green]\n",
            ConfigErrorKind::Syntax,
            (3, 30),
            &["green", "`same_repo`", "`undiverged`"],
        ),
        (
            "permissions:\n  plan:\n    associations: [owner]\n",
            ConfigErrorKind::Syntax,
            (3, 20),
            &["owner", "`OWNER`"],
        ),
        (
            "permissions:\n  plan:\n    who: [me]\n",
            ConfigErrorKind::Syntax,
            (3, 5),
            &["unknown field `who`", "`associations`"],
        ),
        (
            "stages:\n  - {key: plan-x, name: X}\n",
            ConfigErrorKind::UnknownStage,
            (2, 3),
            &["`plan-bootstrap`", "defined stages: plan-x"],
        ),
        (
            "stages: [\n",
            ConfigErrorKind::Syntax,
            (2, 1),
            &["did not find"],
        ),
    ];
    let mut wrong = Vec::new();
    for (yaml, kind, (line, column), words) in cases {
        let err = Config::from_yaml(yaml).expect_err(yaml);
        let loc = err
            .location
            .unwrap_or_else(|| panic!("no location for {yaml:?}: {err}"));
        if (err.kind, loc.line, loc.column) != (*kind, *line, *column) {
            wrong.push(format!(
                "{yaml:?}\n  expected {kind:?} {line}:{column}, got {err:?}"
            ));
            continue;
        }
        let text = err.to_string();
        assert!(text.starts_with(&format!("{line}:{column}: ")), "{text}");
        for w in *words {
            if !text.contains(w) {
                wrong.push(format!("{yaml:?}: {text:?} lacks {w:?}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_published_schema_is_the_generated_one() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/infra-ci.schema.json"
    );
    let generated = infra_ci_config::json_schema();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/infra-ci.schema.json is stale: run `UPDATE_SCHEMA=1 cargo test -p infra-ci-config` and commit it"
    );
}

#[test]
fn the_schema_accepts_the_full_file_and_rejects_mistakes() {
    let schema: serde_json::Value = serde_json::from_str(&infra_ci_config::json_schema()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let as_json = |yaml: &str| -> serde_json::Value { serde_yaml_ng::from_str(yaml).unwrap() };
    assert!(validator.is_valid(&as_json(FULL)));
    assert!(validator.is_valid(&serde_json::json!({})));
    for bad in [
        "colour: red",
        "store: database",
        "stages: [{key: Bad_Key, name: x}]",
        "projects: [{name: a, dir: ../a, stage: ci}]",
        "projects: [{name: a, dir: /a, stage: ci}]",
        "version: 2",
    ] {
        assert!(!validator.is_valid(&as_json(bad)), "{bad}");
    }
}

/// The seed's eight stages, keys and labels written out (the seed's dashboard), not taken
/// from the function that builds them.
#[test]
fn default_stages_are_the_seeds() {
    let stages: Vec<(String, String)> = Config::default()
        .stage_defs()
        .into_iter()
        .map(|s| (s.key, s.name))
        .collect();
    let want = [
        ("ci", "CI Validate"),
        ("plan-bootstrap", "Plan: bootstrap"),
        ("plan-platform", "Plan: platform"),
        ("plan-data-staging", "Plan: data-staging"),
        ("plan-data-prod", "Plan: data-prod"),
        ("apply", "Apply"),
        ("e2e", "E2E Tests"),
        ("review", "AI Review"),
    ]
    .map(|(k, n)| (k.to_owned(), n.to_owned()));
    assert_eq!(stages, want);
}
