//! The core crate's integration tests, one binary: property tests of rendering and status
//! lines, and the fuzz corpora replayed on stable.

mod fuzz_corpus_replay;
mod proptest_render;
mod proptest_status_line;
