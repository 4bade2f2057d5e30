//! The forge layer: the [`Forge`] trait the engine programs against, and [`GitHubClient`],
//! its GitHub REST implementation (token or App auth, retry, pagination, typed errors).

pub mod forge;
pub mod types;
pub mod error;

pub use error::ForgeError;
pub use forge::{Forge, RepoId};
pub use types::*;
