//! Every fixture plan with its true counts, worked out once from the files:
//! JSON with `jq '[.resource_changes[]|{mode,a:.change.actions,p:.previous_address,
//! i:(.change.importing!=null)}], [.resource_drift[]?.change.actions],
//! (.output_changes//{}|map_values(.actions)), .errored'`; text with
//! `sed 's/\x1b\[[0-9;]*m//g' | grep -c` of each header phrase and the `Plan:` line.

use std::fs;

use infra_ci_plan::{PlanError, Source, Summary};

use crate::{fixture_dir, summarize};

/// The counts a fixture must produce; unlisted fields are zero / empty.
#[derive(Debug, Default, PartialEq, Eq)]
struct Expected {
    create: u64,
    update: u64,
    delete: u64,
    replace: u64,
    read: u64,
    import: u64,
    moved: u64,
    forget: u64,
    no_op: u64,
    output_changes: u64,
    drift: u64,
    deleted: Vec<&'static str>,
    replaced: Vec<&'static str>,
    errored: bool,
    error: Option<&'static str>,
}

fn actual(s: &Summary) -> Expected {
    let leak = |list: &infra_ci_plan::AddressList| -> Vec<&'static str> {
        list.items()
            .iter()
            .map(|l| &*Box::leak(l.address.clone().into_boxed_str()))
            .collect()
    };
    Expected {
        create: s.create,
        update: s.update,
        delete: s.delete,
        replace: s.replace,
        read: s.read,
        import: s.import,
        moved: s.moved,
        forget: s.forget,
        no_op: s.no_op,
        output_changes: s.output_changes,
        drift: s.drift,
        deleted: leak(&s.deleted),
        replaced: leak(&s.replaced),
        errored: s.errored,
        error: s
            .error
            .as_deref()
            .map(|e| &*Box::leak(e.to_owned().into_boxed_str())),
    }
}

/// Every fixture but invalid.plan.json (tested below), with its expected summary.
fn expectations() -> Vec<(&'static str, Expected)> {
    let e = Expected::default;
    vec![
        // jq: two ["update"] resource changes, one ["update"] in resource_drift.
        (
            "hashicorp-terraform/show-json_drift.output.json",
            Expected {
                update: 2,
                drift: 1,
                ..e()
            },
        ),
        // jq: no resource_changes, "errored": true.
        (
            "hashicorp-terraform/show-json_plan-error.output.json",
            Expected {
                errored: true,
                ..e()
            },
        ),
        // jq: one ["delete","create"].
        (
            "hashicorp-terraform/show-json_requires-replace.output.json",
            Expected {
                replace: 1,
                replaced: vec!["test_instance.test"],
                ..e()
            },
        ),
        // The UI stream: a version message and one error diagnostic.
        (
            "hashicorp-terraform/cloud_plan-json-error.plan.log",
            Expected {
                errored: true,
                error: Some("Unsupported block type"),
                ..e()
            },
        ),
        // jq: seven ["create"], eight outputs with ["create"].
        (
            "terraform-json/120_basic.plan.json",
            Expected {
                create: 7,
                output_changes: 8,
                ..e()
            },
        ),
        // jq: one ["delete","create"] (replace_because_tainted).
        (
            "terraform-json/action_reason.plan.json",
            Expected {
                replace: 1,
                replaced: vec!["null_resource.example"],
                ..e()
            },
        ),
        // jq: two ["create"].
        (
            "terraform-json/has_checks.plan.json",
            Expected { create: 2, ..e() },
        ),
        // jq: one ["no-op"] whose previous_address differs.
        (
            "terraform-json/moved_block.plan.json",
            Expected {
                moved: 1,
                no_op: 1,
                ..e()
            },
        ),
        // jq: three ["create"]; grep: 3 "will be created", "Plan: 3 to add".
        (
            "terraform-plan-comment/basic_0-create.plan.json",
            Expected { create: 3, ..e() },
        ),
        (
            "terraform-plan-comment/basic_0-create.plan.txt",
            Expected { create: 3, ..e() },
        ),
        // jq: two ["delete","create"] and one ["no-op"]; grep: 2 "must be replaced".
        (
            "terraform-plan-comment/basic_1-modify.plan.json",
            Expected {
                replace: 2,
                no_op: 1,
                replaced: vec!["local_file.test", "local_file.test3"],
                ..e()
            },
        ),
        (
            "terraform-plan-comment/basic_1-modify.plan.txt",
            Expected {
                replace: 2,
                replaced: vec!["local_file.test", "local_file.test3"],
                ..e()
            },
        ),
        // jq: two ["delete"] and one ["no-op"]; grep: 2 "will be destroyed".
        (
            "terraform-plan-comment/basic_2-delete.plan.json",
            Expected {
                delete: 2,
                no_op: 1,
                deleted: vec!["local_file.test", "local_file.test3"],
                ..e()
            },
        ),
        (
            "terraform-plan-comment/basic_2-delete.plan.txt",
            Expected {
                delete: 2,
                deleted: vec!["local_file.test", "local_file.test3"],
                ..e()
            },
        ),
        // jq: one ["forget"]; grep: 1 "will no longer be managed".
        (
            "terraform-plan-comment/basic_3-remove.plan.json",
            Expected { forget: 1, ..e() },
        ),
        (
            "terraform-plan-comment/basic_3-remove.plan.txt",
            Expected { forget: 1, ..e() },
        ),
        // jq: resource_changes is null; text: "No changes."
        ("terraform-plan-comment/basic_4-empty.plan.json", e()),
        ("terraform-plan-comment/basic_4-empty.plan.txt", e()),
        // jq: 300 ["create"]; grep: 300 "will be created", "Plan: 300 to add".
        (
            "terraform-plan-comment/basic_7-create-hundreds.plan.json",
            Expected { create: 300, ..e() },
        ),
        (
            "terraform-plan-comment/basic_7-create-hundreds.plan.txt",
            Expected { create: 300, ..e() },
        ),
        // jq: one ["create"] (the ephemeral resource is not a resource change).
        (
            "terraform-plan-comment/ephemeral_0-create.plan.json",
            Expected { create: 1, ..e() },
        ),
        (
            "terraform-plan-comment/ephemeral_0-create.plan.txt",
            Expected { create: 1, ..e() },
        ),
        // grep (ANSI stripped): "No changes." and no Plan: line.
        ("infrahouse-toolkit/plan-0-0-0.stdout", e()),
        // grep: 2 "will be updated in-place", "Plan: 0 to add, 2 to change, 0 to destroy."
        (
            "infrahouse-toolkit/plan-0-2-0-a.stdout",
            Expected { update: 2, ..e() },
        ),
        // grep (ANSI stripped): 2 created, 1 updated, 2 destroyed; "Plan: 2 to add, 1 to change, 2 to destroy."
        (
            "infrahouse-toolkit/plan-2-1-2.stdout",
            Expected {
                create: 2,
                update: 1,
                delete: 2,
                deleted: vec![
                    r#"module.repos["cookiecutter-github-control"].github_repository.repo"#,
                    r#"module.repos["cookiecutter-github-control"].github_team_repository.dev"#,
                ],
                ..e()
            },
        ),
    ]
}

#[test]
fn every_fixture_has_its_true_counts() {
    for (name, expected) in expectations() {
        let summary = summarize(name);
        assert_eq!(actual(&summary), expected, "{name}");
    }
}

#[test]
fn every_fixture_file_is_covered() {
    let mut covered: Vec<String> = expectations()
        .iter()
        .map(|(n, _)| (*n).to_owned())
        .collect();
    covered.push("terraform-json/invalid.plan.json".to_owned());
    covered.sort();
    let mut present = Vec::new();
    for dir in fs::read_dir(fixture_dir()).unwrap() {
        let dir = dir.unwrap();
        for file in fs::read_dir(dir.path()).unwrap() {
            let file = file.unwrap();
            present.push(format!(
                "{}/{}",
                dir.file_name().to_string_lossy(),
                file.file_name().to_string_lossy()
            ));
        }
    }
    present.sort();
    assert_eq!(covered, present, "a fixture plan has no expectation here");
}

#[test]
fn detection_picks_the_right_reader() {
    assert_eq!(
        summarize("terraform-json/120_basic.plan.json").source,
        Source::ShowJson
    );
    assert_eq!(
        summarize("hashicorp-terraform/cloud_plan-json-error.plan.log").source,
        Source::UiJson
    );
    assert_eq!(
        summarize("infrahouse-toolkit/plan-2-1-2.stdout").source,
        Source::Text
    );
}

#[test]
fn json_and_text_of_the_same_plan_agree() {
    for stem in [
        "basic_0-create",
        "basic_1-modify",
        "basic_2-delete",
        "basic_3-remove",
        "basic_4-empty",
        "basic_7-create-hundreds",
        "ephemeral_0-create",
    ] {
        let json = summarize(&format!("terraform-plan-comment/{stem}.plan.json"));
        let text = summarize(&format!("terraform-plan-comment/{stem}.plan.txt"));
        let tally = |s: &Summary| (s.to_add(), s.to_change(), s.to_destroy(), s.forget);
        assert_eq!(tally(&json), tally(&text), "{stem}");
        // Addresses agree; reasons are only in the JSON.
        let addresses = |list: &infra_ci_plan::AddressList| -> Vec<String> {
            list.items().iter().map(|l| l.address.clone()).collect()
        };
        assert_eq!(addresses(&json.deleted), addresses(&text.deleted), "{stem}");
        assert_eq!(
            addresses(&json.replaced),
            addresses(&text.replaced),
            "{stem}"
        );
        assert_eq!(json.one_line(), text.one_line(), "{stem}");
    }
}

#[test]
fn invalid_json_errors_with_its_position() {
    let file = fs::File::open(fixture_dir().join("terraform-json/invalid.plan.json")).unwrap();
    match infra_ci_plan::summarize_json(file) {
        // jq 1.6 agrees: "Unmatched '}' at line 676, column 29".
        Err(PlanError::InvalidJson { line, column, .. }) => assert_eq!((line, column), (676, 29)),
        other => panic!("expected InvalidJson, got {other:?}"),
    }
    let file = fs::File::open(fixture_dir().join("terraform-json/invalid.plan.json")).unwrap();
    let err = infra_ci_plan::detect_and_summarize(file).unwrap_err();
    assert!(err.to_string().contains("line 676, column 29"), "{err}");
}

#[test]
fn one_line_follows_terraform_conventions() {
    assert_eq!(
        summarize("terraform-plan-comment/basic_1-modify.plan.json").one_line(),
        "+2 ~0 -2 ⚠️"
    );
    assert_eq!(
        summarize("infrahouse-toolkit/plan-2-1-2.stdout").one_line(),
        "+2 ~1 -2 ⚠️"
    );
    assert_eq!(
        summarize("infrahouse-toolkit/plan-0-2-0-a.stdout").one_line(),
        "+0 ~2 -0"
    );
    assert_eq!(
        summarize("infrahouse-toolkit/plan-0-0-0.stdout").one_line(),
        "no changes"
    );
    assert_eq!(
        summarize("hashicorp-terraform/cloud_plan-json-error.plan.log").one_line(),
        "error: Unsupported block type"
    );
    assert_eq!(
        summarize("terraform-json/120_basic.plan.json").one_line(),
        "+7 ~0 -0 (8 output changes)"
    );
}

#[test]
fn emptiness_and_destruction() {
    assert!(summarize("terraform-plan-comment/basic_4-empty.plan.json").is_empty());
    assert!(summarize("infrahouse-toolkit/plan-0-0-0.stdout").is_empty());
    // A forget changes state, a move changes addresses: neither plan is empty.
    assert!(!summarize("terraform-plan-comment/basic_3-remove.plan.json").is_empty());
    assert!(!summarize("terraform-json/moved_block.plan.json").is_empty());
    // A failed plan proves nothing, so it is never "empty".
    assert!(!summarize("hashicorp-terraform/show-json_plan-error.output.json").is_empty());
    assert!(summarize("terraform-plan-comment/basic_2-delete.plan.txt").has_destructive());
    assert!(!summarize("terraform-plan-comment/basic_3-remove.plan.txt").has_destructive());
}

#[test]
fn metadata_is_recorded() {
    let s = summarize("terraform-json/action_reason.plan.json");
    assert_eq!(s.format_version.as_deref(), Some("1.2"));
    assert_eq!(s.terraform_version.as_deref(), Some("1.15.0"));
    assert_eq!(
        s.replaced.items()[0].reason.as_deref(),
        Some("replace_because_tainted")
    );
    let s = summarize("hashicorp-terraform/cloud_plan-json-error.plan.log");
    assert_eq!(s.terraform_version.as_deref(), Some("1.3.7"));
}
