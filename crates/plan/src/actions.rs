//! Terraform's change actions, and how a list of them maps to one summary category.

use serde::Deserialize;

/// One element of a `change.actions` array in `terraform show -json` output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Action {
    NoOp,
    Create,
    Read,
    Update,
    Delete,
    Forget,
    Import,
    /// An action a newer Terraform may add; counted nowhere rather than failing.
    #[serde(other)]
    Unknown,
}

/// The category a resource change is counted in; replacement is one category, not two.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Category {
    NoOp,
    Create,
    Read,
    Update,
    Delete,
    Replace,
    Forget,
    /// `["create","forget"]`: a replacement whose old object is left alone (`destroy = false`).
    CreateThenForget,
    /// Only an import, with no other change to the object.
    Import,
    Unknown,
}

impl Category {
    /// Classifies a `change.actions` list as Terraform's own renderer does.
    pub(crate) fn of(actions: &[Action]) -> Self {
        use Action as A;
        match actions {
            [] | [A::NoOp] => Self::NoOp,
            [A::Create] => Self::Create,
            [A::Read] => Self::Read,
            [A::Update] => Self::Update,
            [A::Delete] => Self::Delete,
            [A::Forget] => Self::Forget,
            [A::Import] => Self::Import,
            [A::Delete, A::Create] | [A::Create, A::Delete] => Self::Replace,
            [A::Create, A::Forget] | [A::Forget, A::Create] => Self::CreateThenForget,
            _ => Self::Unknown,
        }
    }

    /// Classifies an `action` word of the `terraform plan -json` UI stream.
    pub(crate) fn of_ui_word(word: &str) -> Self {
        match word {
            "noop" | "no-op" | "move" => Self::NoOp,
            "create" => Self::Create,
            "read" => Self::Read,
            "update" => Self::Update,
            "delete" | "remove" => Self::Delete,
            "replace" => Self::Replace,
            "forget" => Self::Forget,
            "import" => Self::Import,
            _ => Self::Unknown,
        }
    }
}
