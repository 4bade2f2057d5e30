//! Streaming summary of `terraform show -json` output: one pass, constant memory.
//!
//! The top-level object is visited key by key. `resource_changes` is visited element by
//! element, each element deserialized into [`RawChange`], which holds only the fields we
//! count; `before`, `after` and everything else are skipped by serde without being built.

use std::fmt;
use std::io::{BufReader, Read};

use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::actions::{Action, Category};
use crate::error::PlanError;
use crate::summary::{Source, Summary};

/// Read buffer size: big enough that syscalls are not what a 500 MB plan costs.
pub(crate) const BUFFER_BYTES: usize = 1 << 20;

/// Summarizes `terraform show -json <planfile>` output, streaming: memory stays constant
/// whatever the size of the plan (only up to 50 deleted and 50 replaced addresses are kept).
///
/// # Errors
/// [`PlanError::InvalidJson`] with the line and column of the first bad byte, or
/// [`PlanError::Io`] when reading fails.
pub fn summarize_json<R: Read>(reader: R) -> Result<Summary, PlanError> {
    summarize_json_unbuffered(BufReader::with_capacity(BUFFER_BYTES, reader))
}

/// Like [`summarize_json`], for a reader that is already buffered.
pub(crate) fn summarize_json_unbuffered<R: Read>(reader: R) -> Result<Summary, PlanError> {
    let mut de = serde_json::Deserializer::from_reader(reader);
    let summary = de
        .deserialize_map(PlanVisitor)
        .map_err(PlanError::from_json)?;
    de.end().map_err(PlanError::from_json)?;
    Ok(summary)
}

/// Why a JSON object that is no plan is refused.
const NOT_A_PLAN_JSON: &str = "no Terraform plan found in the JSON (no `planned_values`); \
pass the output of `terraform show -json <planfile>`";

/// The top-level keys we read; every other key is skipped.
#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "snake_case")]
enum TopKey {
    FormatVersion,
    TerraformVersion,
    Errored,
    ResourceChanges,
    ResourceDrift,
    OutputChanges,
    PlannedValues,
    #[serde(other)]
    Other,
}

struct PlanVisitor;

impl<'de> Visitor<'de> for PlanVisitor {
    type Value = Summary;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Terraform plan object from `terraform show -json`")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Summary, A::Error> {
        let mut summary = Summary::new(Source::ShowJson);
        let mut planned = false;
        while let Some(key) = map.next_key::<TopKey>()? {
            match key {
                TopKey::PlannedValues => {
                    planned = true;
                    map.next_value::<IgnoredAny>()?;
                }
                TopKey::FormatVersion => summary.format_version = map.next_value()?,
                TopKey::TerraformVersion => summary.terraform_version = map.next_value()?,
                TopKey::Errored => {
                    if map.next_value::<Option<bool>>()? == Some(true) {
                        summary.fail(None);
                    }
                }
                TopKey::ResourceChanges => map.next_value_seed(Each {
                    summary: &mut summary,
                    on: count_change,
                })?,
                TopKey::ResourceDrift => map.next_value_seed(Each {
                    summary: &mut summary,
                    on: count_drift,
                })?,
                TopKey::OutputChanges => map.next_value_seed(Outputs(&mut summary))?,
                TopKey::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        // Every plan `terraform show -json` writes has `planned_values` (an errored one has
        // `errored`): `{}` or any other object is not a plan, and never "no changes".
        if !planned && !summary.errored {
            summary.fail(Some(NOT_A_PLAN_JSON));
            summary.not_a_plan = true;
        }
        Ok(summary)
    }
}

/// One `resource_changes` (or `resource_drift`) element, with only the fields we count.
#[derive(Deserialize)]
struct RawChange {
    #[serde(default)]
    address: String,
    previous_address: Option<String>,
    #[serde(default)]
    mode: Mode,
    change: RawInner,
    action_reason: Option<String>,
}

#[derive(Deserialize)]
struct RawInner {
    #[serde(default)]
    actions: Actions,
    /// Present (an object, possibly empty) when the resource is being imported.
    importing: Option<IgnoredAny>,
}

#[derive(Deserialize, Default, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum Mode {
    #[default]
    Managed,
    Data,
    #[serde(other)]
    Other,
}

/// Counts one `resource_changes` element.
fn count_change(summary: &mut Summary, raw: &RawChange) {
    let category = Category::of(raw.actions());
    if raw.mode == Mode::Data {
        // Terraform's own tally ignores data sources; only their reads are worth a count.
        if category == Category::Read {
            summary.read += 1;
        }
        return;
    }
    let importing = raw.change.importing.is_some() || category == Category::Import;
    if importing {
        summary.import += 1;
    }
    if category != Category::Import {
        summary.count(category, &raw.address, raw.action_reason.as_deref());
    }
    if raw
        .previous_address
        .as_deref()
        .is_some_and(|previous| previous != raw.address)
    {
        summary.moved += 1;
    }
}

/// Counts one `resource_drift` element: anything but a no-op is drift.
fn count_drift(summary: &mut Summary, raw: &RawChange) {
    if Category::of(raw.actions()) != Category::NoOp {
        summary.drift += 1;
    }
}

impl RawChange {
    fn actions(&self) -> &[Action] {
        self.change.actions.as_slice()
    }
}

/// A `change.actions` list without allocating: Terraform sends one or two actions; a
/// longer list is kept as three, which no category matches.
struct Actions {
    items: [Action; 3],
    len: usize,
}

impl Default for Actions {
    fn default() -> Self {
        Self {
            items: [Action::Unknown; 3],
            len: 0,
        }
    }
}

impl Actions {
    fn as_slice(&self) -> &[Action] {
        &self.items[..self.len]
    }
}

impl<'de> Deserialize<'de> for Actions {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_seq(ActionsVisitor)
    }
}

struct ActionsVisitor;

impl<'de> Visitor<'de> for ActionsVisitor {
    type Value = Actions;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of actions such as [\"create\"]")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Actions, A::Error> {
        let mut actions = Actions::default();
        while let Some(action) = seq.next_element::<Action>()? {
            if actions.len < actions.items.len() {
                actions.items[actions.len] = action;
                actions.len += 1;
            }
        }
        Ok(actions)
    }
}

/// Visits a JSON array (or `null`) element by element, handing each to `on`.
struct Each<'a> {
    summary: &'a mut Summary,
    on: fn(&mut Summary, &RawChange),
}

impl<'de> DeserializeSeed<'de> for Each<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for Each<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of resource changes")
    }

    fn visit_none<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(raw) = seq.next_element::<RawChange>()? {
            (self.on)(self.summary, &raw);
        }
        Ok(())
    }
}

/// Visits `output_changes` (an object of name → change) and counts real changes.
struct Outputs<'a>(&'a mut Summary);

#[derive(Deserialize)]
struct RawOutput {
    #[serde(default)]
    actions: Actions,
}

impl<'de> DeserializeSeed<'de> for Outputs<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for Outputs<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object of output changes")
    }

    fn visit_none<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while map.next_key::<IgnoredAny>()?.is_some() {
            let output = map.next_value::<RawOutput>()?;
            if Category::of(output.actions.as_slice()) != Category::NoOp {
                self.0.output_changes += 1;
            }
        }
        Ok(())
    }
}
