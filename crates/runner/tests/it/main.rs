//! Runs over HTTP against the GitHub emulator, with the stand-in `terraform` replaying real
//! recorded Terraform output (tests/stand-in/terraform).
#![allow(
    clippy::unwrap_used,
    clippy::too_many_lines,
    clippy::unused_self,
    clippy::format_collect,
    clippy::format_push_string
)]

mod apply;
mod common;
mod drift;
mod plan;
mod undiverged;
mod verify;
