//! Integration tests of `GitHubClient` against the emulator, over HTTP, like a real client.
#![allow(clippy::unwrap_used, clippy::missing_panics_doc)]

mod app_auth;
mod errors;
mod forge;
mod retries;
mod secrets;
mod support;
mod teams_compare;
