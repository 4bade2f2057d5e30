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

/// Every status of ours on `sha` for `stage`, oldest first, as `state: description`.
async fn statuses_of(w: &World, sha: &str, stage: &str) -> Vec<String> {
    use infra_ci_github::Forge as _;
    let mut all: Vec<String> = w
        .client
        .list_statuses(&w.repo(), &infra_ci_github::Sha::new(sha))
        .await
        .unwrap()
        .into_iter()
        .filter(|s| s.context == format!("infra-dashboard/{stage}"))
        .map(|s| format!("{}: {}", s.state, s.description.unwrap_or_default()))
        .collect();
    all.reverse();
    all
}

/// The one dashboard's body.
async fn dashboard(w: &World) -> String {
    let state = w.state().await;
    let bodies: Vec<String> = state["comments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["deleted"] == false)
        .filter_map(|c| c["body"].as_str().map(str::to_owned))
        .filter(|b| b.starts_with("<!-- infra-dashboard:"))
        .collect();
    assert_eq!(bodies.len(), 1, "one dashboard: {bodies:#?}");
    bodies[0].clone()
}

/// The routing job opens the run (ADR 0012): every plan row running, the run marked.
async fn open_run(w: &World, n: u64, head: &str, stages: &[&str]) {
    let d = infra_ci_engine::Dashboards::for_config(
        &w.client,
        &w.config,
        infra_ci_engine::Tuning::default(),
    );
    let target = infra_ci_engine::Target {
        repo: w.repo(),
        pr: n,
        sha: infra_ci_github::Sha::new(head),
        is_head: None,
    };
    let stages: Vec<String> = stages.iter().map(|s| (*s).to_owned()).collect();
    d.open_run(
        &target,
        &stages,
        Some("https://github.com/acme/infra/actions/runs/42".into()),
        Some(42),
    )
    .await
    .unwrap();
    let body = dashboard(w).await;
    for s in &stages {
        let row = body
            .lines()
            .find(|l| l.contains(&format!("Plan: {}", s.trim_start_matches("plan-"))))
            .unwrap_or_else(|| panic!("no row {s}: {body}"));
        assert!(row.contains("running"), "{row}");
    }
}

#[tokio::test]
async fn the_legs_of_an_opened_run_post_their_results_only() {
    let w = World::new(&config(&[("a", ""), ("b", ""), ("c", ", depends_on: [a]")])).await;
    w.fixture_project("a", "basic_0-create");
    w.project(
        "b",
        &[
            ("init_exit", "1"),
            ("init_error", "Unsupported argument"),
            ("json", "x"),
            ("text", "x"),
        ],
    );
    w.fixture_project("c", "basic_4-empty");
    let head = sha('e');
    w.pull(3, &head, &sha('f')).await;
    open_run(&w, 3, &head, &["plan-a", "plan-b", "plan-c"]).await;

    let report = w
        .runner()
        .in_run(true)
        .plan(3, None, &Selection::Native)
        .await
        .unwrap();
    assert!(!report.succeeded(), "b fails");
    // One status per leg, its result: no `running` (the routing job's write showed it).
    for (stage, want) in [
        ("plan-a", "success"),
        ("plan-b", "failure"),
        ("plan-c", "success"),
    ] {
        let posted = statuses_of(&w, &head, stage).await;
        assert_eq!(posted.len(), 1, "{stage}: {posted:?}");
        assert!(posted[0].starts_with(want), "{stage}: {posted:?}");
    }
    // Every row ends right, none left running (each plan brings details: it renders).
    let body = dashboard(&w).await;
    assert!(!body.contains("🔄"), "{body}");
    assert!(
        body.contains("+3 &#126;0 -0") && body.contains("no changes"),
        "{body}"
    );
    assert!(body.contains("Unsupported argument"), "{body}");
}

#[tokio::test]
async fn outside_a_run_a_plan_still_posts_its_running() {
    let w = World::new(&config(&[("a", "")])).await;
    w.fixture_project("a", "basic_0-create");
    let head = sha('7');
    w.pull(4, &head, &sha('f')).await;
    let report = w.runner().plan(4, None, &Selection::Native).await.unwrap();
    assert!(report.succeeded());
    let posted = statuses_of(&w, &head, "plan-a").await;
    assert_eq!(posted.len(), 2, "running, then the result: {posted:?}");
    assert!(posted[0].starts_with("pending: running"), "{posted:?}");
    assert!(posted[1].starts_with("success"), "{posted:?}");
}

#[tokio::test]
async fn a_leg_an_error_stopped_gets_a_rendered_failure_so_the_run_completes() {
    let w = World::new(&config(&[("a", ""), ("gone", "")])).await;
    w.fixture_project("a", "basic_0-create");
    // `gone` has no directory: the plan stops on a usage error before any project runs.
    let head = sha('8');
    w.pull(5, &head, &sha('f')).await;
    open_run(&w, 5, &head, &["plan-a", "plan-gone"]).await;

    let err = w
        .runner()
        .in_run(true)
        .plan(5, None, &Selection::Native)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("does not exist"), "{err}");
    for stage in ["plan-a", "plan-gone"] {
        let posted = statuses_of(&w, &head, stage).await;
        assert_eq!(posted.len(), 1, "{stage}: {posted:?}");
        assert!(posted[0].starts_with("failure"), "{stage}: {posted:?}");
    }
    let body = dashboard(&w).await;
    assert!(!body.contains("🔄"), "no row left running: {body}");
    assert!(body.contains("does not exist"), "{body}");
}

/// A native job's projects in a run whose close job follows (ADR 0014): every result but
/// the job's last is its status alone (the job posts them one after another, so the last
/// one's read shows them all), each plan's details are saved as a record for the close job
/// instead of rendered, and the close job renders every one of them.
#[tokio::test]
async fn a_native_jobs_results_read_once_and_leave_their_details_to_the_close_job() {
    let w = World::new(&config(&[("a", ""), ("b", ""), ("c", ", depends_on: [a]")])).await;
    w.fixture_project("a", "basic_0-create");
    w.fixture_project("b", "basic_2-delete");
    w.fixture_project("c", "basic_4-empty");
    let head = sha('9');
    w.pull(6, &head, &sha('f')).await;
    let stages = ["plan-a", "plan-b", "plan-c"];
    open_run(&w, 6, &head, &stages).await;
    let details = tempfile::tempdir().unwrap();
    w.emu.admin().clear_requests().await.unwrap();

    let report = w
        .runner()
        .in_run(true)
        .details_to(Some(details.path().to_path_buf()))
        .plan(6, None, &Selection::Native)
        .await
        .unwrap();
    assert!(report.succeeded());
    let log = w.emu.requests().await;
    let write = log.iter().position(|r| r.method == "PATCH");
    let reads = log[..write.unwrap_or(log.len())]
        .iter()
        .filter(|r| r.method == "GET" && r.path.contains("/statuses"))
        .count();
    assert_eq!(reads, 1, "only the job's last result reads: {log:#?}");
    // The pull request and the base ref; a plan record and a result per project; the last
    // result's read; its render as the run's last (comment, edit, fence, fenced read).
    assert_eq!(log.len(), 2 + 3 * 2 + 1 + 4, "{log:#?}");
    for stage in stages {
        let posted = statuses_of(&w, &head, stage).await;
        assert_eq!(posted.len(), 1, "{stage}: {posted:?}");
        assert!(posted[0].starts_with("success"), "{stage}: {posted:?}");
    }
    let records = infra_ci_engine::LegDetails::load_all(details.path());
    assert_eq!(
        records.len(),
        3,
        "every plan has its text to show: {records:?}"
    );
    assert!(
        records
            .iter()
            .any(|r| r.stage == "plan-b" && r.details.contains("To destroy (2)")),
        "{records:?}"
    );
    let body = dashboard(&w).await;
    assert!(
        !body.contains("🔄"),
        "the job's last result renders: {body}"
    );

    let target = infra_ci_engine::Target {
        repo: infra_ci_github::RepoId::parse("acme/infra").unwrap(),
        pr: 6,
        sha: infra_ci_github::Sha::new(&head),
        is_head: None,
    };
    let keys: Vec<String> = stages.iter().map(|s| (*s).to_owned()).collect();
    let closed = infra_ci_engine::Dashboards::for_config(
        &w.client,
        &w.config,
        infra_ci_engine::Tuning::default(),
    )
    .close_run(&target, &keys, 42, None, records)
    .await
    .unwrap();
    assert!(closed.cancelled.is_empty(), "{closed:?}");
    assert_eq!(closed.details, 3);
    let body = dashboard(&w).await;
    assert!(body.contains("To destroy (2)"), "b's details: {body}");
}
