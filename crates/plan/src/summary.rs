//! The plan summary: counts by category, bounded address lists, and the error if the plan failed.

use std::fmt::Write as _;

use serde::{Serialize, Serializer};

use crate::actions::Category;

/// How many addresses each of [`Summary::deleted`] and [`Summary::replaced`] keeps.
pub const ADDRESS_LIMIT: usize = 50;

/// Which input format a summary was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// `terraform show -json <planfile>` output.
    #[default]
    ShowJson,
    /// The `terraform plan -json` machine-readable UI stream (one JSON object a line).
    UiJson,
    /// Human-readable `terraform plan` output, as found in CI logs.
    Text,
}

/// One listed resource: its address and, when known, why Terraform chose the action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    /// The resource address, e.g. `module.a.aws_s3_bucket.b["x"]`.
    pub address: String,
    /// Terraform's `action_reason` (e.g. `replace_because_tainted`), if given.
    pub reason: Option<String>,
}

/// The first [`ADDRESS_LIMIT`] addresses of a kind, and how many there were in all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddressList {
    items: Vec<Listed>,
    total: u64,
}

impl AddressList {
    /// Records one address; only the first [`ADDRESS_LIMIT`] are kept, all are counted.
    pub fn push(&mut self, address: &str, reason: Option<&str>) {
        self.total += 1;
        if self.items.len() < ADDRESS_LIMIT {
            self.items.push(Listed {
                address: address.to_owned(),
                reason: reason.map(str::to_owned),
            });
        }
    }

    /// The kept addresses, in plan order.
    pub fn items(&self) -> &[Listed] {
        &self.items
    }

    /// How many addresses were recorded, kept or not.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// Whether some addresses were counted but not kept.
    pub fn truncated(&self) -> bool {
        self.total > self.items.len() as u64
    }
}

impl Serialize for AddressList {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.items.iter().map(|listed| &listed.address))
    }
}

/// What a plan will do, in counts. Built by [`crate::summarize_json`],
/// [`crate::summarize_text`] or [`crate::detect_and_summarize`].
///
/// A replacement is counted once in `replace`, never in `create` or `delete`;
/// [`Summary::to_add`] and [`Summary::to_destroy`] give Terraform's own tallies.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Resources to create (replacements excluded).
    pub create: u64,
    /// Resources to update in place.
    pub update: u64,
    /// Resources to destroy (replacements excluded).
    pub delete: u64,
    /// Resources to destroy and re-create, in either order.
    pub replace: u64,
    /// Data sources to read during apply.
    pub read: u64,
    /// Resources to import (whatever else happens to them).
    pub import: u64,
    /// Resources whose address changes (`moved` blocks), whatever else happens to them.
    pub moved: u64,
    /// Resources to drop from state without destroying them (`removed` blocks).
    pub forget: u64,
    /// Resources with no change.
    pub no_op: u64,
    /// Root module outputs whose value changes.
    pub output_changes: u64,
    /// Resources that changed outside Terraform since the last apply.
    pub drift: u64,
    /// Resources to destroy (replacements excluded).
    pub deleted: AddressList,
    /// Resources to replace.
    pub replaced: AddressList,
    /// Whether the plan failed (`errored: true`, an `Error:` line or an error diagnostic).
    pub errored: bool,
    /// The first error line, without its `Error: ` prefix, when one was seen.
    pub error: Option<String>,
    /// The input format this summary was read from.
    pub source: Source,
    /// `format_version` of `show -json` output, when present.
    pub format_version: Option<String>,
    /// `terraform_version` of `show -json` output, or the UI stream's version message.
    pub terraform_version: Option<String>,
    /// The input is not a Terraform plan at all (then `errored` is set too): a caller that
    /// was handed it has bad input, not a failed plan.
    pub not_a_plan: bool,
}

impl Summary {
    /// An empty summary of the given source format.
    pub fn new(source: Source) -> Self {
        Self {
            source,
            ..Self::default()
        }
    }

    /// Counts one resource change of `category` at `address`.
    pub(crate) fn count(&mut self, category: Category, address: &str, reason: Option<&str>) {
        match category {
            Category::NoOp => self.no_op += 1,
            Category::Create => self.create += 1,
            Category::Read => self.read += 1,
            Category::Update => self.update += 1,
            Category::Delete => {
                self.delete += 1;
                self.deleted.push(address, reason);
            }
            Category::Replace => {
                self.replace += 1;
                self.replaced.push(address, reason);
            }
            Category::Forget => self.forget += 1,
            Category::CreateThenForget => {
                self.create += 1;
                self.forget += 1;
            }
            Category::Import => self.import += 1,
            Category::Unknown => {}
        }
    }

    /// Records a failure; keeps the first message seen.
    pub(crate) fn fail(&mut self, message: Option<&str>) {
        self.errored = true;
        if self.error.is_none() {
            self.error = message
                .map(|m| m.trim().to_owned())
                .filter(|m| !m.is_empty());
        }
    }

    /// Terraform's "to add": creations plus replacements.
    pub fn to_add(&self) -> u64 {
        self.create + self.replace
    }

    /// Terraform's "to change": in-place updates.
    pub fn to_change(&self) -> u64 {
        self.update
    }

    /// Terraform's "to destroy": destructions plus replacements.
    pub fn to_destroy(&self) -> u64 {
        self.delete + self.replace
    }

    /// No resource change (reads excluded: they change nothing) and no output change,
    /// in a plan that succeeded. A failed plan is never empty: it proves nothing.
    pub fn is_empty(&self) -> bool {
        !self.errored && !self.has_changes()
    }

    /// Whether any resource or output change was counted (reads and drift are not changes).
    pub(crate) fn has_changes(&self) -> bool {
        self.create
            + self.update
            + self.delete
            + self.replace
            + self.import
            + self.moved
            + self.forget
            + self.output_changes
            > 0
    }

    /// Whether anything will be destroyed, including as part of a replacement.
    pub fn has_destructive(&self) -> bool {
        self.delete + self.replace > 0
    }

    /// One line for a dashboard cell: `+2 ~1 -0`, `no changes`, or `error: ...`;
    /// ` ⚠️` is appended when anything is destroyed or replaced.
    pub fn one_line(&self) -> String {
        let mut line = if self.errored {
            let message = self.error.as_deref().unwrap_or("the plan failed");
            format!("error: {}", first_line(message))
        } else if self.is_empty() {
            "no changes".to_owned()
        } else {
            let mut line = format!(
                "+{} ~{} -{}",
                self.to_add(),
                self.to_change(),
                self.to_destroy()
            );
            let extras: Vec<String> = [
                (self.import, "to import"),
                (self.moved, "to move"),
                (self.forget, "to forget"),
                (self.output_changes, "output changes"),
            ]
            .iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, what)| format!("{n} {what}"))
            .collect();
            if !extras.is_empty() {
                let _ = write!(line, " ({})", extras.join(", "));
            }
            line
        };
        if self.has_destructive() {
            line.push_str(" ⚠️");
        }
        line
    }
}

fn first_line(message: &str) -> &str {
    message.lines().next().unwrap_or_default().trim()
}

/// The wire form of [`Summary`]: what `infra-ci summarize --json` prints.
#[derive(Serialize)]
struct Wire<'a> {
    create: u64,
    update: u64,
    delete: u64,
    replace: u64,
    read: u64,
    import: u64,
    #[serde(rename = "move")]
    moved: u64,
    forget: u64,
    no_op: u64,
    output_changes: u64,
    drift: u64,
    deleted: &'a AddressList,
    deleted_total: u64,
    replaced: &'a AddressList,
    replaced_total: u64,
    errored: bool,
    error: Option<&'a str>,
    source: Source,
    format_version: Option<&'a str>,
    terraform_version: Option<&'a str>,
}

impl Serialize for Summary {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Wire {
            create: self.create,
            update: self.update,
            delete: self.delete,
            replace: self.replace,
            read: self.read,
            import: self.import,
            moved: self.moved,
            forget: self.forget,
            no_op: self.no_op,
            output_changes: self.output_changes,
            drift: self.drift,
            deleted: &self.deleted,
            deleted_total: self.deleted.total(),
            replaced: &self.replaced,
            replaced_total: self.replaced.total(),
            errored: self.errored,
            error: self.error.as_deref(),
            source: self.source,
            format_version: self.format_version.as_deref(),
            terraform_version: self.terraform_version.as_deref(),
        }
        .serialize(serializer)
    }
}
