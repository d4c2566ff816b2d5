//! The library entry: one request envelope in, one response or error envelope out, in the
//! reference's order of checks (capability name, envelope shape, credentials, settings,
//! then the capability). Routing lives here; the steps live in the submodules.

pub(crate) mod answer;
pub(crate) mod checks;
pub(crate) mod envelope;
pub(crate) mod guard;
pub(crate) mod runners;

use std::sync::Arc;

use serde_json::Value;

use crate::connector::Connector;
use crate::error::{ConnectorError, ErrorEnvelope};
use crate::page::{DEFAULT_PAGE_SIZE, Page};
use crate::runtime::Runtime;
pub(crate) use answer::Answer;

/// What a handler receives: the request and where it runs.
pub(crate) struct Invocation<'a, C: Connector> {
    pub runtime: &'static Runtime<C>,
    pub capability: &'static str,
    pub default_page_size: u32,
    pub input: Input<'a, C>,
}

/// A request as it reaches a capability: envelope text from a caller, or a request the
/// runtime makes itself with settings and credentials another call already checked.
pub(crate) enum Input<'a, C: Connector> {
    /// The request envelope as JSON text.
    Json(&'a str),
    /// A runtime-made request (probe_integration's calls).
    Checked(Checked<C>),
}

/// A runtime-made request: checked settings and credentials, a payload and a page.
pub(crate) struct Checked<C: Connector> {
    pub settings: Arc<C::Settings>,
    pub credentials: Arc<C::Credentials>,
    pub request: Value,
    pub page: Option<Page>,
}

/// Runs capability `name` of `connector` on `json`. See [`Connector::dispatch`].
///
/// No input can make it panic or parse without bound: a request over
/// [`MAX_REQUEST_BYTES`](crate::limits::MAX_REQUEST_BYTES) is `bad_request` unread, and a
/// panic anywhere in the call is an `internal_error` envelope.
pub(crate) async fn dispatch<C: Connector>(connector: &C, name: &str, json: &str) -> String {
    answer(connector, name, json).await.into_string()
}

/// Runs capability `name` of `connector` on `json` and writes the answer into `writer`.
/// See [`Connector::dispatch_to`].
pub(crate) async fn dispatch_to<C: Connector, W: std::io::Write>(
    connector: &C,
    name: &str,
    json: &str,
    mut writer: W,
) -> std::io::Result<()> {
    answer(connector, name, json).await.write_to(&mut writer)
}

/// The answer of capability `name` of `connector` on `json`, not yet serialised: the
/// capability has returned (or failed, or panicked) when this does.
pub(crate) async fn answer<C: Connector>(connector: &C, name: &str, json: &str) -> Answer {
    let runtime = Runtime::<C>::get();
    let app_id = runtime.metadata.app_id;
    if json.len() > crate::limits::MAX_REQUEST_BYTES.get_usize() {
        return Answer::Built(request_too_large(app_id));
    }
    guard::contained(route(connector, runtime, name, Input::Json(json)), || {
        Answer::Built(panic_json(app_id))
    })
    .await
}

/// The `internal_error` envelope of a panic anywhere in a call (its message withheld).
pub(crate) fn panic_json(app_id: &str) -> String {
    error_json(
        &ConnectorError::internal_error(guard::PANIC_MESSAGE),
        app_id,
        None,
    )
}

/// The `bad_request` envelope of a request over the request limit.
pub(crate) fn request_too_large(app_id: &str) -> String {
    let limit = &crate::limits::MAX_REQUEST_BYTES;
    let err = ConnectorError::bad_request(format!(
        "The request is larger than the limit of {} bytes; {} raises it.",
        limit.get(),
        limit.env
    ));
    error_json(&err, app_id, None)
}

/// Runs capability `name` on `input`; an unknown name is `unsupported_operation`.
pub(crate) async fn route<C: Connector>(
    connector: &C,
    runtime: &'static Runtime<C>,
    name: &str,
    input: Input<'_, C>,
) -> Answer {
    let Some(entry) = runtime.capabilities.get(name) else {
        let err = ConnectorError::unsupported_operation(format!(
            "Capability '{}' is not implemented.",
            printable(name)
        ));
        return Answer::Built(error_json(&err, runtime.metadata.app_id, None));
    };
    let invocation = Invocation {
        runtime,
        capability: entry.name,
        default_page_size: entry.default_page_size.unwrap_or(DEFAULT_PAGE_SIZE),
        input,
    };
    // The call's credentials and secret settings are scrubbed from every log line and
    // error message until it ends (a runtime-made call runs inside the one that checked them).
    let _secrets = match &invocation.input {
        Input::Json(json) => serde_json::from_str::<Value>(json).ok().map(|envelope| {
            crate::scrub::register(crate::scrub::envelope_secrets(
                &envelope,
                &runtime.secret_settings,
            ))
        }),
        Input::Checked(_) => None,
    };
    tracing::debug!(capability = entry.name, "dispatching");
    (entry.handler)(connector, invocation).await
}

/// A capability name as shown in a message: at most 100 characters, control characters escaped.
fn printable(name: &str) -> String {
    let shown: String = name
        .chars()
        .take(100)
        .flat_map(char::escape_default)
        .collect();
    if name.chars().count() > 100 {
        format!("{shown}…")
    } else {
        shown
    }
}

/// A failure and whether the capability itself raised it (only those carry `raised_in`).
pub(crate) struct Failure {
    pub(crate) error: ConnectorError,
    pub(crate) raised: bool,
}

impl From<ConnectorError> for Failure {
    fn from(error: ConnectorError) -> Self {
        Failure {
            error,
            raised: false,
        }
    }
}

pub(crate) fn error_json(error: &ConnectorError, app_id: &str, raised_in: Option<&str>) -> String {
    // The message may quote an upstream that echoed the call's own credentials.
    let message = crate::scrub::scrub(error.message());
    tracing::error!(
        "{app_id}/{}: {} | error_fault={:?} error_category={:?}",
        error.code(),
        message,
        error.code().fault(),
        error.code().category()
    );
    let mut body = error.to_wire(app_id, raised_in);
    body.message = message;
    if let Some(metadata) = body.error_metadata.as_mut()
        && let Some(hint) = metadata.hint.as_mut()
    {
        *hint = crate::scrub::scrub(hint);
    }
    let envelope = ErrorEnvelope::new(body);
    serde_json::to_string(&envelope).unwrap_or_else(|_| {
        // Serializing plain strings, numbers and booleans cannot fail; keep a valid envelope anyway.
        String::from(r#"{"is_error":true,"error":{"message":"The error could not be serialized.","status_code":null,"app_error_code":null,"error_code":"internal_error","app_id":"","raised_by":null,"raised_in":null,"error_metadata":{"fault":"connector","category":"internal","hint":null,"retryable":true,"throttled":false,"refreshable":false,"retry_after_seconds":null}},"raw_data":null,"page":null}"#)
    })
}

/// The answer of a finished call: its success envelope (serialised when written), or its
/// error envelope (with `raised_in` when the capability itself failed).
fn finish<C: Connector, E: serde::Serialize + Send + 'static>(
    runtime: &Runtime<C>,
    capability: &str,
    outcome: std::result::Result<E, Failure>,
) -> Answer {
    let raised_in = || format!("{}::{}", runtime.metadata.crate_name, capability);
    match outcome {
        Ok(envelope) => Answer::success(envelope, runtime.metadata.app_id, raised_in()),
        Err(failure) => Answer::Built(error_json(
            &failure.error,
            runtime.metadata.app_id,
            failure.raised.then(raised_in).as_deref(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_and_odd_capability_names_are_shortened_for_messages() {
        assert_eq!(printable("a\u{0}b"), "a\\u{0}b");
        assert_eq!(printable(&"x".repeat(500)).chars().count(), 101);
    }
}
