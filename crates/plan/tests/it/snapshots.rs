//! Snapshots of what users see: the Markdown and the `--json` object.

use crate::summarize;

#[test]
fn markdown_of_a_replacement_plan() {
    insta::assert_snapshot!(
        summarize("terraform-plan-comment/basic_1-modify.plan.json").to_markdown()
    );
}

#[test]
fn markdown_of_a_coloured_ci_log() {
    insta::assert_snapshot!(summarize("infrahouse-toolkit/plan-2-1-2.stdout").to_markdown());
}

#[test]
fn markdown_of_a_failed_plan() {
    insta::assert_snapshot!(
        summarize("hashicorp-terraform/cloud_plan-json-error.plan.log").to_markdown()
    );
}

#[test]
fn markdown_of_no_changes() {
    insta::assert_snapshot!(
        summarize("terraform-plan-comment/basic_4-empty.plan.txt").to_markdown()
    );
}

#[test]
fn json_output_shape() {
    insta::assert_json_snapshot!(summarize("terraform-json/action_reason.plan.json"));
}
