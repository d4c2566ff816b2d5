//! `use connector_sdk::prelude::*;` brings what a connector author needs.

pub use crate::capability::{CapabilityLevel, Extends};
pub use crate::caps;
pub use crate::connector::{Connector, ContextOf, UnauthenticatedContextOf};
pub use crate::context::Context;
pub use crate::error::{ConnectorError, ErrorCode, Result};
pub use crate::models::*;
pub use crate::page::{PageRequest, Paged};
pub use crate::reply::Reply;
pub use crate::secret::Secret;
