//! The forge layer: the [`Forge`] trait the engine programs against, and [`GitHubClient`],
//! its GitHub REST implementation (token or App auth, retry, pagination, typed errors).
//!
//! ```no_run
//! # async fn demo() -> Result<(), infra_ci_github::ForgeError> {
//! use infra_ci_github::{ClientConfig, Forge, GitHubClient, RepoId};
//! // GITHUB_TOKEN (or GITHUB_APP_ID + GITHUB_APP_PRIVATE_KEY), GITHUB_API_URL, ...: see `env`.
//! let gh = GitHubClient::new(ClientConfig::from_env()?)?;
//! let repo = RepoId::parse("octo/infra").expect("owner/name");
//! let pr = gh.get_pull(&repo, 7).await?;
//! println!("{} is authored by {}", pr.head.sha, gh.whoami().await?);
//! # Ok(()) }
//! ```
//!
//! Where things live: [`env`] names every variable; [`config`] builds the configuration;
//! [`retry`] holds the whole retry policy; [`link`] parses pagination; [`error`] maps GitHub's
//! answers to errors that say what to do; [`app`] does GitHub App auth. The token is a
//! `SecretString`: no `Debug` output, error or log line contains it.

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

pub use app::{MintedToken, mint_installation_token, mint_installation_token_with_login};
pub use client::GitHubClient;
pub use config::{AppCredentials, Auth, ClientConfig};
pub use error::ForgeError;
pub use forge::{Forge, RepoId};
pub use link::parse_link_header;
pub use retry::RetryPolicy;
pub use types::*;
