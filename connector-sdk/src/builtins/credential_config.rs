//! `validate_credential_config`, generated for every multi-credential connector: checks
//! one credential a person is about to save, before any call to the app.

use serde_json::Value;

use crate::capability::Capability;
use crate::caps;
use crate::connector::{CapabilityEntry, Connector};
use crate::error::{ConnectorError, Result};
use crate::models::{ValidateCredentialConfig, ValidatedCredentialConfig};
use crate::registry::erase;
use crate::runtime::Runtime;

/// The registration of `validate_credential_config` for connector `C`.
pub(crate) fn entry<C: Connector>() -> CapabilityEntry<C> {
    CapabilityEntry::new(
        caps::ValidateCredentialConfig::NAME,
        caps::ValidateCredentialConfig::LEVEL,
        false,
        crate::schema::standard_schemas::<ValidateCredentialConfig, ValidatedCredentialConfig>,
        erase(|connector: &C, invocation| {
            Box::pin(crate::dispatch::runners::run_unauthenticated::<
                C,
                caps::ValidateCredentialConfig,
                ValidateCredentialConfig,
                Result<ValidatedCredentialConfig>,
                _,
            >(connector, invocation, |_, _, request| {
                let outcome = validate(&Runtime::<C>::get().metadata.credentials, &request);
                Box::pin(async move { outcome })
            }))
        }),
    )
}

/// The reference's checks, in its order: hard errors for an unknown or missing id and an
/// unparsable payload, then soft findings returned as `valid: false`.
pub(crate) fn validate(
    specs: &crate::credentials::CredentialSpecs,
    request: &ValidateCredentialConfig,
) -> Result<ValidatedCredentialConfig> {
    let credential = &request.credential;
    let id = credential
        .id
        .as_deref()
        .ok_or_else(|| ConnectorError::integration_missing_parameter("The credential has no id"))?;
    let spec = specs.get(id).ok_or_else(|| {
        ConnectorError::invalid_value(format!("Missing credential configuration for ID {id}"))
    })?;
    let bag = serde_json::to_value(credential).map_err(ConnectorError::from)?;
    let Some(payload) = bag.get(spec.key).filter(|value| !value.is_null()) else {
        return Ok(invalid(vec![
            "Credential is missing required fields".to_owned(),
        ]));
    };
    if !spec.accepts(payload) {
        return Err(ConnectorError::invalid_value(
            "Invalid or malformed credential received",
        ));
    }
    let mut errors = Vec::new();
    if has_empty_string(payload) {
        errors.push(
            "A required field is empty, please provide a value before submitting again".to_owned(),
        );
    }
    if has_extra_whitespace(payload) {
        errors.push(
            "Credential has extra whitespace, please remove it before submitting it again"
                .to_owned(),
        );
    }
    if errors.is_empty() {
        Ok(ValidatedCredentialConfig {
            valid: true,
            validation_errors: Some(Vec::new()),
        })
    } else {
        Ok(invalid(errors))
    }
}

fn invalid(errors: Vec<String>) -> ValidatedCredentialConfig {
    ValidatedCredentialConfig {
        valid: false,
        validation_errors: Some(errors),
    }
}

fn has_empty_string(value: &Value) -> bool {
    match value {
        Value::String(text) => text.is_empty(),
        Value::Object(map) => map.values().any(has_empty_string),
        _ => false,
    }
}

/// Strings with leading or trailing whitespace, looking into objects, except private keys
/// (PEM text ends with a newline).
fn has_extra_whitespace(value: &Value) -> bool {
    match value {
        Value::String(text) => text.trim() != text,
        Value::Object(map) => map
            .iter()
            .any(|(key, inner)| key != "private_key" && has_extra_whitespace(inner)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::{CredentialSpec, CredentialSpecs};
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

    fn check(json: &str) -> Result<ValidatedCredentialConfig> {
        validate(&specs(), &serde_json::from_str(json).unwrap())
    }

    #[test]
    fn hard_errors() {
        assert_eq!(
            check(r#"{"credential": {"token": {"token": "t"}}}"#)
                .unwrap_err()
                .code(),
            crate::ErrorCode::IntegrationMissingParameter
        );
        let unknown = check(r#"{"credential": {"id": "x", "token": {"token": "t"}}}"#).unwrap_err();
        assert_eq!(unknown.code(), crate::ErrorCode::InvalidValue);
        assert_eq!(
            unknown.message(),
            "Missing credential configuration for ID x"
        );
    }

    #[test]
    fn soft_findings() {
        assert!(
            check(r#"{"credential": {"id": "api", "token": {"token": "t"}}}"#)
                .unwrap()
                .valid
        );
        let missing =
            check(r#"{"credential": {"id": "api", "basic": {"username": "u", "password": "p"}}}"#)
                .unwrap();
        assert_eq!(
            missing.validation_errors.unwrap(),
            vec!["Credential is missing required fields"]
        );
        let empty = check(
            r#"{"credential": {"id": "admin", "basic": {"username": "", "password": " p"}}}"#,
        )
        .unwrap();
        assert!(!empty.valid);
        assert_eq!(empty.validation_errors.unwrap().len(), 2);
    }
}
