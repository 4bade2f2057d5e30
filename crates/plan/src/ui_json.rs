//! Summary of the `terraform plan -json` machine-readable UI stream: one JSON message a line.
//!
//! `planned_change` messages give the counts and addresses, `change_summary` Terraform's
//! own tally, `outputs` the output changes, `resource_drift` the drift, and an error
//! `diagnostic` the failure. Lines that are not JSON messages are ignored.

use std::collections::BTreeMap;
use std::io::BufRead;

use serde::Deserialize;

use crate::actions::Category;
use crate::error::PlanError;
use crate::lines::{MAX_MESSAGE_BYTES, for_each_line};
use crate::summary::{Source, Summary};

/// One UI message, with only the fields we read.
#[derive(Deserialize)]
struct Message {
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(rename = "@level", default)]
    level: String,
    #[serde(rename = "@message", default)]
    text: String,
    terraform: Option<String>,
    tofu: Option<String>,
    change: Option<Change>,
    changes: Option<ChangeSummary>,
    diagnostic: Option<Diagnostic>,
    outputs: Option<BTreeMap<String, Output>>,
}

#[derive(Deserialize)]
struct Change {
    resource: Resource,
    previous_resource: Option<Resource>,
    #[serde(default)]
    action: String,
    reason: Option<String>,
    /// Present when the resource is imported as part of the change (Terraform 1.5+).
    importing: Option<serde::de::IgnoredAny>,
}

#[derive(Deserialize)]
struct Resource {
    #[serde(default)]
    addr: String,
}

#[derive(Deserialize, Clone, Copy)]
struct ChangeSummary {
    #[serde(default)]
    add: u64,
    #[serde(default)]
    change: u64,
    #[serde(default)]
    remove: u64,
    import: Option<u64>,
    forget: Option<u64>,
}

#[derive(Deserialize)]
struct Diagnostic {
    #[serde(default)]
    severity: String,
    #[serde(default)]
    summary: String,
}

#[derive(Deserialize)]
struct Output {
    #[serde(default)]
    action: String,
}

/// Summarizes a `terraform plan -json` stream read line by line.
///
/// # Errors
/// [`PlanError::Io`] when reading fails; malformed lines are skipped, not errors.
pub fn summarize_ui_json<R: BufRead>(reader: R) -> Result<Summary, PlanError> {
    let mut summary = Summary::new(Source::UiJson);
    let mut tally = None;
    for_each_line(reader, MAX_MESSAGE_BYTES, |line| {
        if let Ok(message) = serde_json::from_str::<Message>(line.trim()) {
            tally = apply(&mut summary, message).or(tally);
        }
    })?;
    if let Some(t) = tally {
        summary.create = t.add.saturating_sub(summary.replace);
        summary.update = t.change;
        summary.delete = t.remove.saturating_sub(summary.replace);
        summary.import = t.import.unwrap_or(summary.import);
        summary.forget = t.forget.unwrap_or(summary.forget);
    }
    Ok(summary)
}

/// Applies one message; returns the `change_summary` tally if it is one.
fn apply(summary: &mut Summary, message: Message) -> Option<ChangeSummary> {
    match message.kind.as_str() {
        "version" => {
            summary.terraform_version = message.terraform.or(message.tofu);
        }
        "planned_change" => {
            if let Some(change) = message.change {
                count_planned(summary, &change);
            }
        }
        "resource_drift"
            if message
                .change
                .is_some_and(|c| Category::of_ui_word(&c.action) != Category::NoOp) =>
        {
            summary.drift += 1;
        }
        "change_summary" => return message.changes,
        "outputs" => {
            let outputs = message.outputs.unwrap_or_default();
            summary.output_changes += outputs
                .values()
                .filter(|o| Category::of_ui_word(&o.action) != Category::NoOp)
                .count() as u64;
        }
        "diagnostic" => {
            if let Some(d) = message.diagnostic.filter(|d| d.severity == "error") {
                summary.fail(Some(&d.summary));
            }
        }
        _ if message.level == "error" => {
            let text = message.text.trim_start_matches("Error: ");
            summary.fail(Some(text));
        }
        _ => {}
    }
    None
}

fn count_planned(summary: &mut Summary, change: &Change) {
    let category = Category::of_ui_word(&change.action);
    let moved = change.action == "move"
        || change
            .previous_resource
            .as_ref()
            .is_some_and(|p| p.addr != change.resource.addr);
    if moved {
        summary.moved += 1;
    }
    if category == Category::Import || change.importing.is_some() {
        summary.import += 1;
    }
    if category != Category::Import {
        summary.count(category, &change.resource.addr, change.reason.as_deref());
    }
}
