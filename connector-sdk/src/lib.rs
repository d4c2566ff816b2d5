//! # connector-sdk
//!
//! Write identity and access connectors for the Lumos connector protocol in Rust.
#![forbid(unsafe_code)]

pub mod capability;
pub mod caps;
pub mod error;
pub mod models;
pub mod page;
pub mod schema;
pub mod secret;

pub use error::{ConnectorError, ErrorCode, Result};
pub use page::{Page, PageRequest, Paged};
pub use secret::Secret;
