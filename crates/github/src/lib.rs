//! The forge layer: the [`Forge`] trait the engine programs against, and [`GitHubClient`],
//! its GitHub REST implementation (token or App auth, retry, pagination, typed errors).

pub mod app;
mod client;
pub mod config;
pub mod env;
pub mod error;
pub mod forge;
mod graphql;
mod http;
pub mod link;
mod rest;
pub mod retry;
pub mod types;

pub use app::mint_installation_token;
pub use client::GitHubClient;
pub use config::{AppCredentials, Auth, ClientConfig};
pub use error::ForgeError;
pub use forge::{Forge, RepoId};
pub use link::parse_link_header;
pub use retry::RetryPolicy;
pub use types::*;
