//! Integration tests of infra-ci-route: one binary (links once on 2-core machines).
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

mod commands;
mod fixtures;
mod flow;
mod gate;
mod policy;
mod props;
mod support;
