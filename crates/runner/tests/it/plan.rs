//! `run plan`: summaries, failures, parallelism and `depends_on`.

use infra_ci_core::Status;
use infra_ci_runner::{PlanStore, Selection, plan_store::sha256_file};

use crate::common::{World, config, fixtures, sha};

/// The fixtures and the line each must summarise to, written out from the recorded plans
/// (their `resource_changes` actions and Terraform's own "Plan:" line), not computed by the
/// summariser under test.
const BORCHERO: [(&str, &str); 7] = [
    ("basic_0-create", "+3 ~0 -0"),
    ("basic_1-modify", "+2 ~0 -2 ⚠️"),
    ("basic_2-delete", "+0 ~0 -2 ⚠️"),
    ("basic_3-remove", "+0 ~0 -0 (1 to forget)"),
    ("basic_4-empty", "no changes"),
    ("basic_7-create-hundreds", "+300 ~0 -0"),
    ("ephemeral_0-create", "+1 ~0 -0"),
];

#[tokio::test]
async fn every_borchero_fixture_is_summarised_through_a_full_plan() {
    let names: Vec<String> = (0..BORCHERO.len()).map(|i| format!("p{i}")).collect();
    let projects: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "")).collect();
    let w = World::new(&config(&projects)).await;
    for (dir, (fixture, _)) in names.iter().zip(BORCHERO) {
        w.fixture_project(dir, fixture);
    }
    let head = sha('a');
    w.pull(1, &head, &sha('b')).await;

    let report = w.runner().plan(1, None, &Selection::Native).await.unwrap();
    assert!(report.succeeded(), "{report:#?}");

    let store = PlanStore::new(w.plans()).unwrap();
    for ((dir, (fixture, expected)), r) in names.iter().zip(BORCHERO).zip(&report.results) {
        assert_eq!(r.project, *dir);
        assert_eq!(r.status, Status::Success, "{fixture}");
        assert_eq!(r.output, expected, "{fixture}");
        let (state, description) = w
            .status(&head, &format!("infra-dashboard/plan-{dir}"))
            .await
            .unwrap();
        assert_eq!(state, "success", "{fixture}");
        assert!(description.contains(expected), "{fixture}: {description}");
        // The saved plan is bound to the head and to its checksum.
        let rec = store.load(&head, dir).unwrap().unwrap();
        assert_eq!(rec.head_sha, head);
        assert_eq!(rec.base_sha.as_deref(), Some(sha('b').as_str()));
        assert_eq!(
            rec.plan_sha256,
            sha256_file(&store.plan_path(&head, dir).unwrap()).unwrap()
        );
        assert_eq!(rec.destructive, expected.contains("⚠️"));
    }
    // The plan text (bounded) is the stage's details; everything goes to the job summary.
    let details = report.results[2].details.as_deref().unwrap();
    assert!(details.contains("Plan: 0 to add, 0 to change, 2 to destroy."));
    // The destroyed addresses lead the details, by name, before any plan text is cut.
    assert!(details.starts_with("To destroy (2):\n  - "), "{details}");
    let summary = std::fs::read_to_string(w.summary()).unwrap();
    for dir in &names {
        assert!(summary.contains(&format!("### Plan `{dir}`")), "{dir}");
    }
    assert!(summary.contains("local_file.test3"));

    // The dashboard comment shows the outputs and stays under GitHub's limit.
    let state = w.state().await;
    let comments: Vec<&serde_json::Value> = state["comments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["deleted"] == false)
        .collect();
    assert_eq!(comments.len(), 1, "one dashboard");
    let body = comments[0]["body"].as_str().unwrap();
    assert!(body.chars().count() < 65_536);
    assert!(body.contains("+300 &#126;0 -0"), "{body}");
    assert!(body.contains("no changes"));

    // Every call had exactly the expected argv (the stand-in exits 97 otherwise), and
    // each project ran init, plan, show -json and show -no-color.
    let calls = w.calls();
    for dir in &names {
        let mine: Vec<&String> = calls
            .iter()
            .filter(|l| l.starts_with(&format!("{dir} ")) && l.ends_with("start"))
            .collect();
        let subs: Vec<&str> = mine.iter().map(|l| l.split(' ').nth(1).unwrap()).collect();
        assert_eq!(subs, ["init", "plan", "show", "show"], "{dir}");
    }
}

#[tokio::test]
async fn a_failing_init_fails_the_stage_with_its_first_error_line() {
    let w = World::new(&config(&[("broken", ""), ("fine", "")])).await;
    // The error Terraform recorded for an unsupported block (hashicorp/terraform fixture).
    let log = std::fs::read_to_string(
        fixtures().join("hashicorp-terraform/cloud_plan-json-error.plan.log"),
    )
    .unwrap();
    let message = log
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|v| v["@level"] == "error")
        .unwrap()["diagnostic"]["summary"]
        .as_str()
        .unwrap()
        .to_owned();
    w.project(
        "broken",
        &[
            ("init_exit", "1"),
            ("init_error", &message),
            ("json", "x"),
            ("text", "x"),
        ],
    );
    w.fixture_project("fine", "basic_0-create");
    let head = sha('c');
    w.pull(2, &head, &sha('d')).await;

    let report = w.runner().plan(2, None, &Selection::Native).await.unwrap();
    assert!(!report.succeeded());
    let broken = &report.results[0];
    assert_eq!(broken.status, Status::Failure);
    assert_eq!(broken.output, "error: Unsupported block type");
    assert!(
        broken
            .details
            .as_deref()
            .unwrap()
            .contains("Error: Unsupported block type")
    );
    assert_eq!(report.results[1].status, Status::Success);
    let (state, description) = w
        .status(&head, "infra-dashboard/plan-broken")
        .await
        .unwrap();
    assert_eq!(state, "failure");
    assert!(
        description.contains("Unsupported block type"),
        "{description}"
    );
    // No plan was saved for the failed project.
    assert!(
        PlanStore::new(w.plans())
            .unwrap()
            .load(&head, "broken")
            .unwrap()
            .is_none()
    );
    assert!(!w.calls().iter().any(|l| l == "broken plan start"));
}

#[tokio::test]
async fn independent_projects_run_in_parallel_and_depends_on_orders_them() {
    let w = World::new(&config(&[
        ("net", ""),
        ("app", ", depends_on: [net]"),
        ("other", ""),
        ("base", ""),
        ("top", ", depends_on: [base]"),
    ]))
    .await;
    let slow = [
        ("json", "terraform-plan-comment/basic_0-create.plan.json"),
        ("text", "terraform-plan-comment/basic_0-create.plan.txt"),
        ("delay", "1.5"),
    ];
    w.project("net", &slow);
    w.project("other", &slow);
    w.fixture_project("app", "basic_1-modify");
    w.project(
        "base",
        &[
            ("init_exit", "1"),
            ("init_error", "boom"),
            ("json", "x"),
            ("text", "x"),
        ],
    );
    w.fixture_project("top", "basic_0-create");
    let head = sha('e');
    w.pull(3, &head, &sha('f')).await;

    let report = w.runner().plan(3, None, &Selection::Native).await.unwrap();
    let calls = w.calls();
    let at = |line: &str| {
        calls
            .iter()
            .position(|l| l == line)
            .unwrap_or_else(|| panic!("{line} not in {calls:#?}"))
    };
    // app starts only after net's last step ended.
    let net_last_end = calls
        .iter()
        .rposition(|l| l.starts_with("net ") && l.ends_with(" end"))
        .unwrap();
    assert!(net_last_end < at("app init start"), "{calls:#?}");
    // net and other overlap: each plan starts before the other's ends.
    assert!(at("net plan start") < at("other plan end"), "{calls:#?}");
    assert!(at("other plan start") < at("net plan end"), "{calls:#?}");
    // A failed dependency skips its dependent, which never runs Terraform.
    let top = report.results.iter().find(|r| r.project == "top").unwrap();
    assert_eq!(top.status, Status::Skipped);
    assert_eq!(top.output, "skipped: base did not succeed (failure)");
    assert!(!calls.iter().any(|l| l.starts_with("top ")));
    let (state, description) = w.status(&head, "infra-dashboard/plan-top").await.unwrap();
    assert_eq!(state, "success", "skipped is a success state on GitHub");
    assert!(description.starts_with("skipped"), "{description}");
    assert!(!report.succeeded());
}

#[tokio::test]
async fn bootstrap_plan_targets_the_bootstrap_project_and_its_stage() {
    let w = World::new(&format!(
        "{}bootstrap: {{project: seed}}\n",
        config(&[("seed", ""), ("rest", "")])
    ))
    .await;
    w.fixture_project("seed", "basic_2-delete");
    w.fixture_project("rest", "basic_0-create");
    let head = sha('1');
    w.pull(4, &head, &sha('2')).await;
    let report = w
        .runner()
        .plan(4, None, &Selection::Bootstrap)
        .await
        .unwrap();
    assert_eq!(report.results.len(), 1);
    assert_eq!(report.results[0].project, "seed");
    let (_, description) = w.status(&head, "infra-dashboard/plan-seed").await.unwrap();
    assert!(description.contains("-2 ⚠️"), "{description}");
    assert!(w.status(&head, "infra-dashboard/plan-rest").await.is_none());
    assert!(!w.calls().iter().any(|l| l.starts_with("rest ")));
}
