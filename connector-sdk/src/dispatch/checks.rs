//! The checks before a capability runs: the credentials and the settings of the
//! envelope, and the [`Call`] (context, payload, page) they produce.

use std::any::TypeId;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::envelope::{
    CustomEnvelopeKeys, RequestEnvelope, parse_envelope, parse_json, without_values,
};
use super::{Checked, Input, Invocation};
use crate::connector::{Connector, Metadata, NoSettings};
use crate::context::Context;
use crate::credentials::Credentials;
use crate::error::{ConnectorError, Result};
use crate::models::AuthCredential;
use crate::page::Page;
use crate::runtime::Runtime;

/// One call once its envelope is read and checked: the capability's context, its payload
/// and the requested page.
pub(crate) struct Call<S, A, P> {
    pub cx: Context<S, A>,
    pub request: P,
    pub page: Option<Page>,
}

/// Reads and checks an authenticated call: envelope (and, for a custom capability, its
/// `settings` key), credentials, settings.
pub(crate) fn authenticated<C: Connector, P: DeserializeOwned>(
    invocation: Invocation<'_, C>,
    custom: bool,
) -> Result<Call<C::Settings, C::Credentials, P>> {
    let runtime = invocation.runtime;
    match invocation.input {
        Input::Json(json) => {
            let envelope = parse_envelope::<P>(json)?;
            if custom {
                parse_json::<CustomEnvelopeKeys>(json)?;
            }
            let credentials = check_credentials::<C::Credentials>(
                envelope.auth.as_ref(),
                envelope.credentials.as_deref(),
                &runtime.metadata.credentials,
            )?;
            from_envelope(runtime, invocation.capability, envelope, credentials)
        }
        Input::Checked(checked) => {
            let credentials = Arc::clone(&checked.credentials);
            from_checked(
                invocation.runtime.metadata.app_id,
                invocation.capability,
                checked,
                credentials,
            )
        }
    }
}

/// Reads and checks a call whose envelope carries no credentials: envelope, settings.
pub(crate) fn unauthenticated<C: Connector, P: DeserializeOwned>(
    invocation: Invocation<'_, C>,
) -> Result<Call<C::Settings, (), P>> {
    let runtime = invocation.runtime;
    match invocation.input {
        Input::Json(json) => {
            let envelope = parse_envelope::<P>(json)?;
            from_envelope(runtime, invocation.capability, envelope, ())
        }
        Input::Checked(checked) => from_checked(
            runtime.metadata.app_id,
            invocation.capability,
            checked,
            Arc::new(()),
        ),
    }
}

/// Reads the payload of a call exempt from the credential and settings checks.
pub(crate) fn exempt<C: Connector, P: DeserializeOwned>(
    invocation: Invocation<'_, C>,
) -> Result<P> {
    match invocation.input {
        Input::Json(json) => Ok(parse_envelope::<P>(json)?.request),
        Input::Checked(checked) => checked_payload(checked.request),
    }
}

/// The call of a read envelope: its settings checked (and logged at INFO, once they
/// are), then its context.
fn from_envelope<C: Connector, A, P>(
    runtime: &Runtime<C>,
    capability: &'static str,
    mut envelope: RequestEnvelope<P>,
    credentials: A,
) -> Result<Call<C::Settings, A, P>> {
    let shown = shown_settings(envelope.settings.as_ref(), &runtime.secret_settings);
    let logged = runtime
        .settings_log
        .payload(envelope.settings.as_ref(), &runtime.secret_settings);
    let settings = check_settings::<C>(envelope.settings.take(), &runtime.metadata)?;
    if let Some(logged) = logged {
        crate::settings_log::emit(runtime.metadata.app_id, capability, &logged);
    }
    let cx = Context::new(
        runtime.metadata.app_id,
        capability,
        Arc::new(settings),
        Arc::new(credentials),
        envelope.include_raw_data.unwrap_or(false),
        envelope.rate_limit.take(),
    )
    .with_shown_settings(shown);
    Ok(Call {
        cx,
        request: envelope.request,
        page: envelope.page,
    })
}

/// A runtime-made call: no raw data and no rate-limit information, as a fresh envelope.
fn from_checked<C: Connector, A, P: DeserializeOwned>(
    app_id: &'static str,
    capability: &'static str,
    checked: Checked<C>,
    credentials: Arc<A>,
) -> Result<Call<C::Settings, A, P>> {
    let request = checked_payload(checked.request)?;
    let cx = Context::new(
        app_id,
        capability,
        checked.settings,
        credentials,
        false,
        None,
    );
    Ok(Call {
        cx,
        request,
        page: checked.page,
    })
}

fn checked_payload<P: DeserializeOwned>(request: Value) -> Result<P> {
    serde_path_to_error::deserialize(request).map_err(|err| {
        ConnectorError::bad_request(format!(
            "Invalid request - request.{}: {}",
            err.path(),
            without_values(&err.inner().to_string())
        ))
    })
}

/// The settings as `Debug` of the context shows them: secret fields `[REDACTED]`.
fn shown_settings(settings: Option<&Map<String, Value>>, secret: &[String]) -> Value {
    match settings {
        None => Value::Null,
        Some(settings) => Value::Object(
            settings
                .iter()
                .map(|(key, value)| {
                    let value = if secret.contains(key) {
                        Value::String("[REDACTED]".to_owned())
                    } else {
                        value.clone()
                    };
                    (key.clone(), value)
                })
                .collect(),
        ),
    }
}

/// The credentials of an authenticated envelope, checked as the reference does.
pub(crate) fn check_credentials<A: Credentials>(
    auth: Option<&AuthCredential>,
    credentials: Option<&[AuthCredential]>,
    specs: &crate::credentials::CredentialSpecs,
) -> Result<A> {
    match (auth, credentials) {
        (Some(_), Some(_)) => Err(ConnectorError::bad_request(
            "Cannot pass credentials and auth in the same request, if you've meant to make this connector multi-auth compatible, please remove the auth field.",
        )),
        (None, None) => Err(ConnectorError::bad_request(
            "Missing auth/credentials in request",
        )),
        _ => A::from_request(auth, credentials, specs),
    }
}

/// The connector's typed settings, checked as the reference does.
pub(crate) fn check_settings<C: Connector>(
    settings: Option<serde_json::Map<String, Value>>,
    metadata: &Metadata,
) -> Result<C::Settings> {
    if TypeId::of::<C::Settings>() == TypeId::of::<NoSettings>() {
        return serde_json::from_value(Value::Object(Default::default()))
            .map_err(|_| ConnectorError::internal_error("The empty settings could not be built."));
    }
    let Some(settings) = settings else {
        return Err(ConnectorError::bad_request(format!(
            "No settings passed on request: {} requires {}",
            metadata.app_id,
            <C::Settings as schemars::JsonSchema>::schema_name()
        )));
    };
    let value = Value::Object(settings);
    serde_path_to_error::deserialize::<_, C::Settings>(&value).map_err(|err| {
        // Only a failed call reads the settings' schema (it is built per call: 39% of a
        // successful dispatch's instructions when it was read every time).
        let missing = value
            .as_object()
            .map(crate::schema::missing_required::<C::Settings>)
            .unwrap_or_default();
        let mut message = String::from("Invalid settings passed on request.");
        if missing.is_empty() {
            let path = err.path().to_string();
            let detail = super::envelope::error_kind(err.inner());
            if path == "." {
                message.push_str(&format!(" {detail}"));
            } else {
                message.push_str(&format!(" {path}: {detail}"));
            }
        } else {
            message.push_str(&format!(
                " Missing required settings: {}",
                missing.join(", ")
            ));
        }
        ConnectorError::bad_request(message)
    })
}
