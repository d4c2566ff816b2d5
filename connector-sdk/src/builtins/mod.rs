//! The capabilities the runtime registers for every connector, as the reference does:
//! `app_info` (the connector's OpenAPI document), `probe_integration` (smoke checks run
//! through the connector's own list capabilities) and, for a multi-credential connector,
//! `validate_credential_config`.

pub(crate) mod app_info;
pub(crate) mod credential_config;
pub(crate) mod probe;

use crate::connector::{Capabilities, Connector};
use crate::credentials::Credentials;

/// Adds the runtime's capabilities to an author's table (an author's own entry of the
/// same name wins).
pub(crate) fn register<C: Connector>(capabilities: &mut Capabilities<C>) {
    if <C::Credentials as Credentials>::MULTI
        && capabilities.get("validate_credential_config").is_none()
    {
        capabilities.push(credential_config::entry::<C>());
    }
    if capabilities.get("app_info").is_none() {
        capabilities.push(app_info::entry::<C>());
    }
    if capabilities.get("probe_integration").is_none() {
        capabilities.push(probe::entry::<C>());
    }
}
