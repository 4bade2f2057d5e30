#![recursion_limit = "256"] // large json! literals for GitHub's shapes
//! A GitHub REST API emulator speaking GitHub's wire format, for tests and demos.
//!
//! It keeps repositories, comments, statuses, pull requests, refs and tokens in memory and
//! answers the subset of the REST API that `infra-ci` uses, with GitHub's JSON shapes,
//! headers, pagination, error bodies and limits. An admin API under `/_emulator/` seeds
//! state and injects latency and faults; see `docs/emulator.md`.
//!
//! Embedding:
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let emu = infra_ci_emulator::spawn("127.0.0.1:0".parse().unwrap(), Default::default()).await?;
//! let api = emu.base_url(); // "http://127.0.0.1:PORT"
//! # let _ = api;
//! emu.shutdown().await;
//! # Ok(()) }
//! ```

pub mod admin;
mod auth;
mod error;
mod faults;
mod limits;
mod model;
mod pagination;
mod pipeline;
mod reply;
mod routes;
mod server;
mod shapes;
mod world;

pub use server::{EmulatorHandle, serve_forever, spawn};

use std::sync::{Arc, Mutex, MutexGuard};

/// Login of the bot that exists from the start (the Actions `GITHUB_TOKEN` identity).
pub const DEFAULT_BOT_LOGIN: &str = "github-actions[bot]";
/// Token of [`DEFAULT_BOT_LOGIN`]; it behaves like an installation token.
pub const DEFAULT_BOT_TOKEN: &str = "emulator-bot-token";

/// How an emulator instance is set up; every field has a sensible default.
#[derive(Debug, Clone, Default)]
pub struct EmulatorOptions {
    /// Base of `html_url` links (the web UI); default `https://github.com`.
    pub web_base: Option<String>,
    /// Base of API links (`url`, `Link` headers); default: the address the emulator is served on.
    pub api_base: Option<String>,
    /// Repositories (`owner/name`) created at start, with default branch `main`; any other
    /// is created with the admin API (`POST /_emulator/repos`).
    pub repos: Vec<String>,
    /// Primary rate limit per hour replacing GitHub's (1,000 per repository for
    /// installation tokens, 5,000 for people); default: GitHub's.
    pub rate_limit: Option<u32>,
    /// Turns every rate limit (primary and secondary) off, for bulk tests and soaks.
    pub no_limits: bool,
}

/// A running emulator's shared state; cheap to clone (one `Arc`).
#[derive(Debug, Clone)]
pub struct Emulator {
    inner: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    world: Mutex<world::World>,
    api_base: String,
    web_base: String,
}

impl Emulator {
    /// Creates a fresh emulator whose API links start with `api_base` (no trailing slash).
    pub fn new(opts: &EmulatorOptions, api_base: impl Into<String>) -> Self {
        let api_base = opts.api_base.clone().unwrap_or_else(|| api_base.into());
        let web_base = opts
            .web_base
            .clone()
            .unwrap_or_else(|| "https://github.com".to_owned());
        let mut world = world::World::new(opts.rate_limit, !opts.no_limits);
        for full in &opts.repos {
            let (owner, name) = full.split_once('/').unwrap_or(("", full));
            world.create_repo(owner, name, "main");
        }
        Self {
            inner: Arc::new(Shared {
                world: Mutex::new(world),
                api_base: api_base.trim_end_matches('/').to_owned(),
                web_base: web_base.trim_end_matches('/').to_owned(),
            }),
        }
    }

    /// Base URL of API links, without a trailing slash.
    pub fn api_base(&self) -> &str {
        &self.inner.api_base
    }

    /// Base URL of web (`html_url`) links, without a trailing slash.
    pub fn web_base(&self) -> &str {
        &self.inner.web_base
    }

    /// Locks the in-memory world. A poisoned lock (a panicking handler) is recovered:
    /// the emulator injects connection resets by unwinding, never while holding the lock.
    pub(crate) fn world(&self) -> MutexGuard<'_, world::World> {
        self.inner
            .world
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn shapes(&self) -> shapes::Ctx<'_> {
        shapes::Ctx {
            api: self.api_base(),
            web: self.web_base(),
        }
    }
}

/// The emulator's routes (GitHub API, admin API, HTML view) over `emu`, for in-process use.
pub fn router(emu: Emulator) -> axum::Router {
    routes::router(emu)
}
