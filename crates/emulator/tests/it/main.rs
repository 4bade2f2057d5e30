//! Integration tests: a real emulator on 127.0.0.1:0, driven over HTTP with reqwest.
#![allow(clippy::unwrap_used, clippy::missing_panics_doc)]

mod api;
mod apps;
mod common;
mod faults;
mod fidelity;
mod recordings;
mod strict;
mod teams;
