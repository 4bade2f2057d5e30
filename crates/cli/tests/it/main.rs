//! Integration tests of the `infra-ci` binary against the GitHub API emulator, over HTTP,
//! as a user's workflow would run it. One test binary (faster to link than many).

#![allow(clippy::unwrap_used, clippy::missing_panics_doc)]

mod app_auth;
mod attacks;
mod browser;
mod dashboard;
mod demo;
mod errors;
mod identity;
mod life;
mod parse;
mod pr_target;
mod rendered;
mod runner;
mod snapshots;
mod store_comment;
mod support;
