//! The admin API under `/_emulator/` as types: its request bodies ([`NewUser`],
//! [`PullFields`], [`FaultConfig`], …), the request log's entries, and [`AdminClient`],
//! which sends them. The server (`routes/admin.rs`) parses the same types, so a client
//! and the server cannot disagree on a field. Documented in `docs/emulator.md`.

mod bodies;
mod client;

pub use bodies::{
    Advance, BulkComments, Latency, Limits, NewApp, NewCommit, NewFile, NewInstallation, NewMember,
    NewRepo, NewReview, NewUser, PullFields, RateLimit,
};
pub use client::{AdminClient, AdminError};

pub use crate::faults::{FaultConfig, FaultKind, Rule};
pub use crate::world::LogEntry;
