//! What each fuzz target checks, as plain functions over bytes. The targets call them, and
//! the corpus replay tests in the workspace include these files by path, so every corpus
//! entry is replayed through exactly what the fuzzer ran (on stable, in `cargo test`).

pub mod core_checks;
pub mod route_checks;
