//! Used by the code `#[connector]` generates. Not public API: no semver guarantees.

pub use std::boxed::Box;
pub use std::vec;

pub use crate::capability::CapabilityLevel;
pub use crate::caps;
pub use crate::connector::{Capabilities, Connector, Metadata, NoSettings};
pub use crate::credentials::{CredentialSet, CredentialSpec};
pub use crate::models::AppCategory;
pub use serde::Serialize;

/// The OAuth declaration types `oauth(...)` expands to.
#[cfg(feature = "http")]
pub use crate::oauth;
