//! How a connector's credentials are read from a request's `auth` or `credentials`:
//! one credential type (`auth = TokenCredential`) or a set of identified credentials
//! ([`CredentialSet`], `credentials = [...]`).

use serde_json::{Value, json};

use crate::error::ConnectorError;
use crate::models::{AuthCredential, CredentialType};

/// One credential a multi-credential connector accepts.
///
/// ```
/// use connector_sdk::credentials::CredentialSpec;
/// use connector_sdk::models::{BasicCredential, TokenCredential};
///
/// let specs = vec![
///     CredentialSpec::new::<TokenCredential>("api_token", "An API token."),
///     CredentialSpec::new::<BasicCredential>("admin", "An admin login for writes.").optional(),
/// ];
/// assert_eq!(specs[1].key, "basic");
/// ```
#[derive(Clone, Debug)]
pub struct CredentialSpec {
    /// The credential's id in requests (`credentials: [{"id": ..., ...}]`).
    pub id: &'static str,
    /// The credential type's key in `AuthCredential` (`token`, `basic`, ...).
    pub key: &'static str,
    /// What the credential is for.
    pub description: &'static str,
    /// Whether requests may leave it out.
    pub is_optional: bool,
    schema: fn() -> Value,
    check: fn(&Value) -> bool,
}

impl CredentialSpec {
    /// A required credential of type `T` with this id and description.
    pub fn new<T: CredentialType>(id: &'static str, description: &'static str) -> Self {
        CredentialSpec {
            id,
            key: T::KEY,
            description,
            is_optional: false,
            schema: crate::schema::schema_with_field_order::<T>,
            check: |value| serde_json::from_value::<T>(value.clone()).is_ok(),
        }
    }

    /// Makes the credential optional.
    pub fn optional(mut self) -> Self {
        self.is_optional = true;
        self
    }

    /// The credential's entry in `info.credentials_schema`.
    pub fn schema(&self) -> Value {
        let mut schema = (self.schema)();
        if let Value::Object(map) = &mut schema {
            map.insert("id".into(), json!(self.id));
            map.insert("description".into(), json!(self.description));
            map.insert("x-optional".into(), json!(self.is_optional));
        }
        schema
    }

    /// Whether `value` parses as this credential's type.
    pub(crate) fn accepts(&self, value: &Value) -> bool {
        (self.check)(value)
    }
}

/// The credentials a connector declares: its multi-credential specs and the allowed
/// combinations of their ids (empty for single-credential connectors).
#[derive(Clone, Debug, Default)]
pub struct CredentialSpecs {
    /// The credentials, in declaration order.
    pub specs: Vec<CredentialSpec>,
    /// The allowed combinations of ids; empty means the default: all required ids
    /// together, plus each optional id alone.
    pub allowed: Vec<Vec<&'static str>>,
}

impl CredentialSpecs {
    /// The allowed combinations, with the default filled in.
    pub fn allowed_combinations(&self) -> Vec<Vec<&'static str>> {
        if !self.allowed.is_empty() {
            return self.allowed.clone();
        }
        let required: Vec<&'static str> = self
            .specs
            .iter()
            .filter(|spec| !spec.is_optional)
            .map(|spec| spec.id)
            .collect();
        let mut combinations = Vec::new();
        if !required.is_empty() {
            combinations.push(required);
        }
        combinations.extend(
            self.specs
                .iter()
                .filter(|spec| spec.is_optional)
                .map(|spec| vec![spec.id]),
        );
        combinations
    }

    /// The spec with this id.
    pub fn get(&self, id: &str) -> Option<&CredentialSpec> {
        self.specs.iter().find(|spec| spec.id == id)
    }
}

/// The credentials a connector expects: one [`CredentialType`] (`auth = TokenCredential`),
/// a [`CredentialSet`] (`credentials = [...]`), or `()` for none.
///
/// The runtime calls [`Credentials::from_request`] after the envelope parsed and before
/// the settings are checked; its error messages are the reference's.
pub trait Credentials: Sized + Send + Sync + 'static {
    /// Whether this is a multi-credential connector (`x-multi-credential`).
    const MULTI: bool = false;

    /// Reads the credentials out of a request's `auth` or `credentials` (never both: the
    /// runtime rejects that before).
    fn from_request(
        auth: Option<&AuthCredential>,
        credentials: Option<&[AuthCredential]>,
        specs: &CredentialSpecs,
    ) -> Result<Self, ConnectorError>;

    /// `info.authentication_schema` (single-credential connectors; `{}` otherwise).
    fn authentication_schema() -> Value;
}

fn check_ids(list: &[AuthCredential]) -> Result<(), ConnectorError> {
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
    Ok(())
}

impl<T: CredentialType> Credentials for T {
    fn from_request(
        auth: Option<&AuthCredential>,
        credentials: Option<&[AuthCredential]>,
        _specs: &CredentialSpecs,
    ) -> Result<Self, ConnectorError> {
        if let Some(bag) = auth {
            return T::pick(bag).cloned().ok_or_else(|| {
                ConnectorError::bad_request(format!("Missing '{}' auth in request", T::KEY))
            });
        }
        let list = credentials.unwrap_or_default();
        check_ids(list)?;
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
        _: &CredentialSpecs,
    ) -> Result<Self, ConnectorError> {
        Ok(())
    }

    fn authentication_schema() -> Value {
        Value::Object(Default::default())
    }
}

/// The credentials of a multi-credential connector: each request carries
/// `credentials: [{"id": ..., "<type>": {...}}]`, checked against the connector's
/// [`CredentialSpec`]s and allowed combinations before a capability runs.
///
/// ```
/// use connector_sdk::credentials::{CredentialSet, CredentialSpec, CredentialSpecs, Credentials};
/// use connector_sdk::models::{AuthCredential, TokenCredential};
///
/// let specs = CredentialSpecs { specs: vec![CredentialSpec::new::<TokenCredential>("api", "An API token.")], allowed: vec![] };
/// let sent: Vec<AuthCredential> = serde_json::from_str(r#"[{"id": "api", "token": {"token": "t"}}]"#).unwrap();
/// let set = CredentialSet::from_request(None, Some(&sent), &specs).unwrap();
/// assert_eq!(set.get::<TokenCredential>("api").unwrap().token.expose(), "t");
/// ```
#[derive(Clone, Debug, Default)]
pub struct CredentialSet {
    credentials: Vec<AuthCredential>,
    legacy: bool,
}

impl CredentialSet {
    /// The credential with this id, of type `T`.
    ///
    /// Errors: the request has no credential with this id (`integration_missing_parameter`),
    /// or it is of another type (`invalid_value`). A request in the legacy single `auth`
    /// form answers with its credential of type `T` whatever the id.
    pub fn get<T: CredentialType>(&self, id: &str) -> Result<&T, ConnectorError> {
        if self.legacy {
            return self.credentials.first().and_then(T::pick).ok_or_else(|| {
                ConnectorError::invalid_value(format!(
                    "Wrong auth: the request holds no '{}' credential",
                    T::KEY
                ))
                .with_hint("Review the integration settings and correct the indicated field.")
            });
        }
        let credential = self
            .credentials
            .iter()
            .find(|credential| credential.id.as_deref() == Some(id))
            .ok_or_else(|| {
                ConnectorError::integration_missing_parameter(format!(
                    "Missing credential '{id}' in request"
                ))
            })?;
        T::pick(credential).ok_or_else(|| {
            ConnectorError::invalid_value(format!("Credential '{id}' is not of type '{}'", T::KEY))
                .with_hint("Review the integration settings and correct the indicated field.")
        })
    }

    /// The credential with this id, of type `T`, if the request holds it.
    pub fn try_get<T: CredentialType>(&self, id: &str) -> Option<&T> {
        self.get(id).ok()
    }

    /// The ids of the credentials in the request.
    pub fn ids(&self) -> Vec<&str> {
        self.credentials
            .iter()
            .filter_map(|credential| credential.id.as_deref())
            .collect()
    }
}

impl Credentials for CredentialSet {
    const MULTI: bool = true;

    fn from_request(
        auth: Option<&AuthCredential>,
        credentials: Option<&[AuthCredential]>,
        specs: &CredentialSpecs,
    ) -> Result<Self, ConnectorError> {
        if let Some(bag) = auth {
            // The reference lets the legacy form through unchecked.
            return Ok(CredentialSet {
                credentials: vec![bag.clone()],
                legacy: true,
            });
        }
        let list = credentials.unwrap_or_default();
        check_ids(list)?;
        for credential in list {
            let id = credential.id.as_deref().unwrap_or_default();
            let Some(spec) = specs.get(id) else {
                return Err(ConnectorError::bad_request(format!(
                    "Credential with id '{id}' not expected"
                )));
            };
            let present = credential.present_keys();
            if !present.contains(&spec.key) {
                return Err(ConnectorError::bad_request(format!(
                    "Credential with id '{id}' must carry a '{}' credential",
                    spec.key
                )));
            }
        }
        let sent: Vec<&str> = list
            .iter()
            .filter_map(|credential| credential.id.as_deref())
            .collect();
        let combinations = specs.allowed_combinations();
        let satisfied = combinations
            .iter()
            .any(|combination| combination.iter().all(|id| sent.contains(id)));
        if !satisfied && !combinations.is_empty() {
            let closest = combinations
                .iter()
                .min_by_key(|combination| {
                    combination.iter().filter(|id| !sent.contains(id)).count()
                })
                .map(|combination| {
                    combination
                        .iter()
                        .filter(|id| !sent.contains(id))
                        .copied()
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default();
            return Err(ConnectorError::bad_request(format!(
                "Missing '{}' credential in request",
                closest.join(", ")
            )));
        }
        Ok(CredentialSet {
            credentials: list.to_vec(),
            legacy: false,
        })
    }

    fn authentication_schema() -> Value {
        Value::Object(Default::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::{BasicCredential, TokenCredential};

    fn specs() -> CredentialSpecs {
        CredentialSpecs {
            specs: vec![
                CredentialSpec::new::<TokenCredential>("api", "API token"),
                CredentialSpec::new::<BasicCredential>("admin", "Admin login").optional(),
            ],
            allowed: vec![],
        }
    }

    fn parse(json: &str) -> Vec<AuthCredential> {
        serde_json::from_str(json).unwrap()
    }

    fn message(json: &str) -> String {
        CredentialSet::from_request(None, Some(&parse(json)), &specs())
            .unwrap_err()
            .message()
            .to_owned()
    }

    #[test]
    fn the_reference_s_errors() {
        assert_eq!(message("[]"), "Missing credentials in request");
        assert_eq!(
            message(r#"[{"token": {"token": "t"}}]"#),
            "Missing ID in credential at index 0"
        );
        assert_eq!(
            message(r#"[{"id": "other", "token": {"token": "t"}}]"#),
            "Credential with id 'other' not expected"
        );
        assert_eq!(
            message(r#"[{"id": "api", "basic": {"username": "u", "password": "p"}}]"#),
            "Credential with id 'api' must carry a 'token' credential"
        );
    }

    #[test]
    fn default_combinations_are_the_required_set_or_an_optional_alone() {
        assert_eq!(
            specs().allowed_combinations(),
            vec![vec!["api"], vec!["admin"]]
        );
        let set = CredentialSet::from_request(
            None,
            Some(&parse(
                r#"[{"id": "admin", "basic": {"username": "u", "password": "p"}}]"#,
            )),
            &specs(),
        )
        .unwrap();
        assert_eq!(set.get::<BasicCredential>("admin").unwrap().username, "u");
        assert_eq!(
            set.get::<TokenCredential>("api").unwrap_err().code(),
            crate::ErrorCode::IntegrationMissingParameter
        );
        assert_eq!(
            set.get::<TokenCredential>("admin").unwrap_err().code(),
            crate::ErrorCode::InvalidValue
        );
    }

    #[test]
    fn a_combination_not_allowed_names_what_is_missing() {
        let strict = CredentialSpecs {
            allowed: vec![vec!["api", "admin"]],
            ..specs()
        };
        let err = CredentialSet::from_request(
            None,
            Some(&parse(r#"[{"id": "api", "token": {"token": "t"}}]"#)),
            &strict,
        )
        .unwrap_err();
        assert_eq!(err.message(), "Missing 'admin' credential in request");
    }

    #[test]
    fn the_legacy_auth_form_is_accepted() {
        let bag: AuthCredential = serde_json::from_str(r#"{"token": {"token": "t"}}"#).unwrap();
        let set = CredentialSet::from_request(Some(&bag), None, &specs()).unwrap();
        assert_eq!(
            set.get::<TokenCredential>("api").unwrap().token.expose(),
            "t"
        );
    }
}
