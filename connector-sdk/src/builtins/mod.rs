//! Capabilities the runtime generates for every connector, as the reference does:
//! `app_info` (the connector's OpenAPI document) and `probe_integration` (smoke checks
//! run through the connector's own list capabilities).

pub mod app_info;
pub mod probe;

use crate::connector::{Capabilities, Connector};

/// Adds the generated capabilities to an author's table (an author's own entry of the
/// same name wins).
pub(crate) fn add_builtins<C: Connector>(mut capabilities: Capabilities<C>) -> Capabilities<C> {
    if capabilities.get("app_info").is_none() {
        capabilities.push(app_info::entry::<C>());
    }
    if capabilities.get("probe_integration").is_none() {
        capabilities.push(probe::entry::<C>());
    }
    capabilities
}
