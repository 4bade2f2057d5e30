//! Test support for infra-ci's crates, written once: a [`TestEmulator`] (an emulator
//! started in-process on a free port, its base URL and its typed admin API), a
//! [`BlockingEmulator`] for tests that run the binary synchronously, and GitHub clients
//! with test-sized retry delays ([`client`], [`config`], [`fast_retry`]).
//!
//! A dev-dependency only (`publish = false`): the product never links it. The admin API's
//! bodies and client live in the emulator ([`admin`], re-exported here), so `infra-ci demo`
//! and the soak use the same types without depending on this crate.

mod client;
mod emulator;

pub use client::{client, config, fast_retry};
pub use emulator::{BlockingEmulator, TestEmulator};
pub use infra_ci_emulator::admin;
pub use infra_ci_emulator::{DEFAULT_BOT_LOGIN, DEFAULT_BOT_TOKEN, EmulatorOptions};

/// A 40-hex commit SHA made of one repeated character (`sha('a')` = `aaaa…`).
pub fn sha(c: char) -> String {
    std::iter::repeat_n(c, 40).collect()
}
