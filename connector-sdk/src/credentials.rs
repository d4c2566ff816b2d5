//! How a connector's credentials are read from a request's `auth` or `credentials`.

use serde_json::Value;

use crate::error::ConnectorError;
use crate::models::{AuthCredential, CredentialType};

/// The credentials a connector expects: one [`CredentialType`] (`auth = TokenCredential`)
/// or, from the `#[connector]` macro, a set of identified credentials.
///
/// The runtime calls [`Credentials::from_request`] after the envelope parsed and before
/// the settings are checked; its error messages are the reference's.
pub trait Credentials: Sized + Send + Sync + 'static {
    /// Reads the credentials out of a request's `auth` or `credentials` (never both: the
    /// runtime rejects that before).
    fn from_request(
        auth: Option<&AuthCredential>,
        credentials: Option<&[AuthCredential]>,
    ) -> Result<Self, ConnectorError>;

    /// `info.authentication_schema` (single-credential connectors; `{}` otherwise).
    fn authentication_schema() -> Value;

    /// `info.credentials_schema` (multi-credential connectors; `[]` otherwise).
    fn credentials_schema() -> Vec<Value> {
        Vec::new()
    }
}

impl<T: CredentialType> Credentials for T {
    fn from_request(
        auth: Option<&AuthCredential>,
        credentials: Option<&[AuthCredential]>,
    ) -> Result<Self, ConnectorError> {
        if let Some(bag) = auth {
            return T::pick(bag).cloned().ok_or_else(|| {
                ConnectorError::bad_request(format!("Missing '{}' auth in request", T::KEY))
            });
        }
        let list = credentials.unwrap_or_default();
        if list.is_empty() {
            return Err(ConnectorError::bad_request(
                "Missing credentials in request",
            ));
        }
        if let Some(index) = list.iter().position(|credential| credential.id.is_none()) {
            return Err(ConnectorError::bad_request(format!(
                "Missing ID in credential at index {index}"
            )));
        }
        let id = list[0].id.as_deref().unwrap_or_default();
        Err(ConnectorError::bad_request(format!(
            "Credential with id '{id}' not expected"
        )))
    }

    fn authentication_schema() -> Value {
        crate::schema::schema_with_field_order::<T>()
    }
}

/// The credentials of a connector that needs none, and of the OAuth flows.
impl Credentials for () {
    fn from_request(
        _: Option<&AuthCredential>,
        _: Option<&[AuthCredential]>,
    ) -> Result<Self, ConnectorError> {
        Ok(())
    }

    fn authentication_schema() -> Value {
        Value::Object(Default::default())
    }
}
