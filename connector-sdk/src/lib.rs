//! # connector-sdk
//!
//! Write identity and access connectors for the Lumos connector protocol in Rust.
//! A connector built on this crate is indistinguishable on the wire from one built on
//! the reference Python SDK (connector-py), and is checked at compile time.
#![forbid(unsafe_code)]

#[doc(hidden)]
pub mod __private;
pub mod agent_log;
pub(crate) mod builtins;
mod bundle;
pub mod capability;
pub mod caps;
pub mod cli;
pub(crate) mod cli_io;
pub mod connector;
pub mod context;
pub(crate) mod crawl;
pub mod credentials;
pub(crate) mod dispatch;
pub mod error;
pub(crate) mod fingerprint;
pub mod http;
pub mod info;
pub mod limits;
pub(crate) mod logging;
pub mod models;
#[cfg(feature = "http")]
pub mod oauth;
pub mod page;
pub mod prelude;
pub(crate) mod raw_data;
pub(crate) mod redact;
pub(crate) mod registry;
pub mod reply;
pub(crate) mod runtime;
pub(crate) mod schema;
pub mod scrub;
pub mod secret;
#[cfg(feature = "serve")]
pub mod serve;
pub(crate) mod settings_log;
#[cfg(feature = "testing")]
pub mod testing;

pub use connector::Connector;
#[cfg(feature = "macros")]
pub use connector_sdk_macros::connector;
pub use context::Context;
pub use dispatch::guard::PANIC_MESSAGE;
pub use error::{ConnectorError, ErrorCode, Result};
pub use page::{Page, PageRequest, Paged};
pub use reply::Reply;
pub use secret::Secret;

#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
