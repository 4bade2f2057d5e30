//! Streaming Terraform/OpenTofu plan summaries from `show -json` output, the `plan -json`
//! UI stream, or human-readable plan logs; rendered as one line, Markdown or JSON.
//!
//! Start with [`detect_and_summarize`] when the format is not known (stdin, CI logs),
//! or [`summarize_json`] / [`summarize_text`] when it is. See `docs/plan-summary.md`.

mod actions;
mod ansi;
mod detect;
mod error;
mod lines;
mod markdown;
mod show_json;
mod summary;
mod text;
mod ui_json;

pub use detect::{Format, detect, detect_and_summarize};
pub use error::PlanError;
pub use show_json::summarize_json;
pub use summary::{ADDRESS_LIMIT, AddressList, Listed, Source, Summary};
pub use text::{summarize_text, summarize_text_reader};
pub use ui_json::summarize_ui_json;
