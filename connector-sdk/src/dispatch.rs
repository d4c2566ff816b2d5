//! The library entry: one request envelope in, one response or error envelope out, in the
//! reference's order of checks (capability name, envelope shape, credentials, settings,
//! then the capability).

use std::any::TypeId;
use std::panic::AssertUnwindSafe;

use futures_util::FutureExt as _;
use futures_util::future::BoxFuture;
use serde::de::{DeserializeOwned, IgnoredAny};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::capability::{
    Capability, CapabilityLevel, CapabilityResult, Envelope, ListCapability, ListResult,
};
use crate::connector::{Connector, ContextOf, NoSettings, UnauthenticatedContextOf};
use crate::context::Context;
use crate::credentials::Credentials;
use crate::error::{ConnectorError, ErrorEnvelope, Result};
use crate::models::{AuthCredential, RateLimitRequestInfo};
use crate::page::{self, DEFAULT_PAGE_SIZE, Page, PageRequest};
use crate::reply::{CustomSuccessEnvelope, Reply, SuccessEnvelope};

/// What a handler receives: the raw request and where it runs.
pub(crate) struct Invocation<'a> {
    pub app_id: &'static str,
    pub credentials: &'a crate::credentials::CredentialSpecs,
    pub crate_name: &'static str,
    pub capability: &'static str,
    pub default_page_size: u32,
    pub json: &'a str,
}

/// The message of an internal error caused by a panic; the panic's own text may hold a
/// secret, so it is never shown.
pub const PANIC_MESSAGE: &str = "The connector failed unexpectedly while running this capability.";

/// Runs capability `name` of `connector` on `json`. See [`Connector::dispatch`].
pub async fn dispatch<C: Connector>(connector: &C, name: &str, json: &str) -> String {
    let metadata = C::metadata();
    let capabilities = crate::connector::registered::<C>();
    let Some(entry) = capabilities.get(name) else {
        let err = ConnectorError::unsupported_operation(format!(
            "Capability '{}' is not implemented.",
            printable(name)
        ));
        return error_json(&err, metadata.app_id, None);
    };
    let invocation = Invocation {
        app_id: metadata.app_id,
        credentials: &metadata.credentials,
        crate_name: metadata.crate_name,
        capability: entry.name,
        default_page_size: entry.default_page_size.unwrap_or(DEFAULT_PAGE_SIZE),
        json,
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

/// The request envelope, generic over the payload type.
#[derive(Deserialize)]
struct RequestEnvelope<P> {
    request: P,
    #[serde(default)]
    auth: Option<AuthCredential>,
    #[serde(default)]
    credentials: Option<Vec<AuthCredential>>,
    #[serde(default)]
    settings: Option<serde_json::Map<String, Value>>,
    #[serde(default)]
    page: Option<Page>,
    #[serde(default)]
    include_raw_data: Option<bool>,
    #[serde(default)]
    rate_limit: Option<RateLimitRequestInfo>,
}

/// Which keys a custom capability's envelope has: the reference requires `settings` there.
#[derive(Deserialize)]
struct CustomEnvelopeKeys {
    #[serde(rename = "settings")]
    _settings: Option<IgnoredAny>,
}

/// A failure and whether the capability itself raised it (only those carry `raised_in`).
struct Failure {
    error: ConnectorError,
    raised: bool,
}

impl From<ConnectorError> for Failure {
    fn from(error: ConnectorError) -> Self {
        Failure {
            error,
            raised: false,
        }
    }
}

fn error_json(error: &ConnectorError, app_id: &str, raised_in: Option<&str>) -> String {
    tracing::error!(
        "{app_id}/{}: {} | error_fault={:?} error_category={:?}",
        error.code(),
        error.message(),
        error.code().fault(),
        error.code().category()
    );
    let envelope = ErrorEnvelope::new(error.to_wire(app_id, raised_in));
    serde_json::to_string(&envelope).unwrap_or_else(|_| {
        // Serializing plain strings, numbers and booleans cannot fail; keep a valid envelope anyway.
        String::from(r#"{"is_error":true,"error":{"message":"The error could not be serialized.","status_code":null,"app_error_code":null,"error_code":"internal_error","app_id":"","raised_by":null,"raised_in":null,"error_metadata":{"fault":"connector","category":"internal","hint":null,"retryable":true,"throttled":false,"refreshable":false,"retry_after_seconds":null}},"raw_data":null,"page":null}"#)
    })
}

fn finish(invocation: &Invocation<'_>, outcome: std::result::Result<String, Failure>) -> String {
    match outcome {
        Ok(json) => json,
        Err(failure) => {
            let raised_in = failure
                .raised
                .then(|| format!("{}::{}", invocation.crate_name, invocation.capability));
            error_json(&failure.error, invocation.app_id, raised_in.as_deref())
        }
    }
}

/// Parses the envelope; any failure is `bad_request` naming the field path.
fn parse_envelope<P: DeserializeOwned>(json: &str) -> Result<RequestEnvelope<P>> {
    // serde reads a JSON array into a struct by position; the protocol wants objects.
    let mut deserializer = serde_json::Deserializer::from_str(json);
    if let Ok(shape) = serde::de::DeserializeSeed::deserialize(ShapeSeed::TOP, &mut deserializer) {
        check_shape(&shape)?;
    }
    parse_json(json)
}

/// The shape of a JSON value, read without keeping its values: kinds only, and the keys
/// of objects only where a check needs them.
enum Shape {
    Object(Vec<(String, Shape)>),
    Array(Vec<Shape>),
    Null,
    Scalar,
}

/// How deep to record a [`Shape`]: `levels` more levels of children; at the top, only the
/// credential bags are looked into.
#[derive(Clone, Copy)]
struct ShapeSeed {
    levels: u8,
    top: bool,
}

impl ShapeSeed {
    const TOP: ShapeSeed = ShapeSeed {
        levels: 1,
        top: true,
    };

    fn child(self, key: &str) -> ShapeSeed {
        match (self.top, key) {
            (true, "auth") => ShapeSeed {
                levels: 1,
                top: false,
            },
            (true, "credentials") => ShapeSeed {
                levels: 2,
                top: false,
            },
            _ => ShapeSeed {
                levels: self.levels.saturating_sub(1),
                top: false,
            },
        }
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for ShapeSeed {
    type Value = Shape;
    fn deserialize<D: serde::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> std::result::Result<Shape, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for ShapeSeed {
    type Value = Shape;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<Shape, A::Error> {
        let mut fields = Vec::new();
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if self.levels == 0 {
                map.next_value::<IgnoredAny>()?;
            } else {
                let shape = map.next_value_seed(self.child(&key))?;
                fields.push((key.into_owned(), shape));
            }
        }
        Ok(Shape::Object(fields))
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(
        self,
        mut seq: A,
    ) -> std::result::Result<Shape, A::Error> {
        let mut items = Vec::new();
        if self.levels == 0 {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
        } else {
            while let Some(item) = seq.next_element_seed(self.child(""))? {
                items.push(item);
            }
        }
        Ok(Shape::Array(items))
    }
    fn visit_unit<E>(self) -> std::result::Result<Shape, E> {
        Ok(Shape::Null)
    }
    fn visit_bool<E>(self, _: bool) -> std::result::Result<Shape, E> {
        Ok(Shape::Scalar)
    }
    fn visit_i64<E>(self, _: i64) -> std::result::Result<Shape, E> {
        Ok(Shape::Scalar)
    }
    fn visit_u64<E>(self, _: u64) -> std::result::Result<Shape, E> {
        Ok(Shape::Scalar)
    }
    fn visit_f64<E>(self, _: f64) -> std::result::Result<Shape, E> {
        Ok(Shape::Scalar)
    }
    fn visit_str<E>(self, _: &str) -> std::result::Result<Shape, E> {
        Ok(Shape::Scalar)
    }
}

/// Objects where the protocol wants objects: the envelope, `request`, `page`,
/// `rate_limit`, and the credential payloads inside `auth` and `credentials`.
fn check_shape(shape: &Shape) -> Result<()> {
    let Shape::Object(fields) = shape else {
        return Err(ConnectorError::bad_request(
            "Invalid request - the request envelope must be a JSON object",
        ));
    };
    let object_or_null = |shape: &Shape| matches!(shape, Shape::Object(_) | Shape::Null);
    let bag_ok = |shape: &Shape| match shape {
        Shape::Null => true,
        Shape::Object(fields) => fields.iter().all(|(key, inner)| {
            !AuthCredential::KEYS.contains(&key.as_str()) || object_or_null(inner)
        }),
        _ => false,
    };
    for (key, value) in fields {
        let ok = match key.as_str() {
            "request" => matches!(value, Shape::Object(_)),
            "page" | "rate_limit" => object_or_null(value),
            "auth" => bag_ok(value),
            "credentials" => match value {
                Shape::Array(items) => items.iter().all(bag_ok),
                _ => true,
            },
            _ => true,
        };
        if !ok {
            let what = if matches!(key.as_str(), "auth" | "credentials") {
                "each credential must be a JSON object"
            } else {
                "must be a JSON object"
            };
            return Err(ConnectorError::bad_request(format!(
                "Invalid request - {key}: {what}"
            )));
        }
    }
    Ok(())
}

fn parse_json<T: DeserializeOwned>(json: &str) -> Result<T> {
    let mut deserializer = serde_json::Deserializer::from_str(json);
    let value = serde_path_to_error::deserialize(&mut deserializer)
        .map_err(|err| ConnectorError::bad_request(describe_parse_error(&err)))?;
    deserializer
        .end()
        .map_err(|err| ConnectorError::bad_request(format!("Invalid request - {err}")))?;
    Ok(value)
}

/// "Invalid request - request.account_id: invalid type: integer `42`, expected a string".
/// Values inside `auth`, `credentials` and `settings` are left out: they may be secrets.
fn describe_parse_error(err: &serde_path_to_error::Error<serde_json::Error>) -> String {
    let path = err.path().to_string();
    let inner = err.inner();
    let mut message = inner.to_string();
    let sensitive = ["auth", "credentials", "settings"].iter().any(|root| {
        path == *root
            || path.starts_with(&format!("{root}."))
            || path.starts_with(&format!("{root}["))
    });
    if sensitive && inner.is_data() {
        message = without_values(&message);
    }
    let message = shorten(&message, MAX_DETAIL_CHARS);
    let path = shorten(&path, MAX_DETAIL_CHARS);
    if path == "." || path.is_empty() {
        format!("Invalid request - {message}")
    } else {
        format!("Invalid request - {path}: {message}")
    }
}

/// How much of an input value or path a message may quote.
const MAX_DETAIL_CHARS: usize = 300;

/// `text`, cut to `max` characters (with `…`) so a huge input is never echoed whole.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut cut: String = text.chars().take(max).collect();
        cut.push('…');
        cut
    }
}

/// Drops what serde quotes of an input value (`string "…"`, `` integer `…` ``) from a message.
fn without_values(message: &str) -> String {
    let cut = |text: &str, marker: &str| -> Option<String> {
        let start = text.find(marker)?;
        let rest = &text[start + marker.len()..];
        let end = rest.find(", expected").unwrap_or(rest.len());
        Some(format!(
            "{}{}{}",
            &text[..start],
            marker.trim_end(),
            &rest[end..]
        ))
    };
    for marker in [
        "invalid type: string ",
        "invalid value: string ",
        "invalid type: integer ",
        "invalid value: integer ",
        "invalid type: floating point ",
        "invalid value: floating point ",
        "unknown variant ",
        "invalid length ",
    ] {
        if let Some(cleaned) = cut(message, marker) {
            return cleaned
                .split(" at line ")
                .next()
                .unwrap_or_default()
                .to_owned();
        }
    }
    message
        .split(" at line ")
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// The credentials of an authenticated envelope, checked as the reference does.
fn check_credentials<A: Credentials>(
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
fn check_settings<C: Connector>(
    settings: Option<serde_json::Map<String, Value>>,
) -> Result<C::Settings> {
    if TypeId::of::<C::Settings>() == TypeId::of::<NoSettings>() {
        return serde_json::from_value(Value::Object(Default::default()))
            .map_err(|_| ConnectorError::internal_error("The empty settings could not be built."));
    }
    let metadata = C::metadata();
    let Some(settings) = settings else {
        return Err(ConnectorError::bad_request(format!(
            "No settings passed on request: {} requires {}",
            metadata.app_id,
            <C::Settings as schemars::JsonSchema>::schema_name()
        )));
    };
    let missing = crate::info::missing_required_settings::<C::Settings>(&settings);
    let value = Value::Object(settings);
    serde_path_to_error::deserialize::<_, C::Settings>(&value).map_err(|err| {
        let mut message = String::from("Invalid settings passed on request.");
        if missing.is_empty() {
            let path = err.path().to_string();
            let detail = without_values(&err.inner().to_string());
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

/// Awaits a capability's future; a panic becomes an internal error with a fixed message.
async fn guarded<O, T>(
    future: BoxFuture<'_, O>,
    convert: fn(O) -> Result<T>,
) -> std::result::Result<T, Failure> {
    install_quiet_panic_hook();
    let mut future = future;
    let quiet = futures_util::future::poll_fn(move |cx| {
        let _inside = InsideCapability::enter();
        future.as_mut().poll(cx)
    });
    match AssertUnwindSafe(quiet).catch_unwind().await.map(convert) {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(Failure {
            error,
            raised: true,
        }),
        Err(_panic) => {
            tracing::error!(
                "a capability panicked; its message is not logged, as it may hold a secret"
            );
            Err(Failure {
                error: ConnectorError::internal_error(PANIC_MESSAGE),
                raised: true,
            })
        }
    }
}

thread_local! {
    static IN_CAPABILITY: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Marks the current thread as polling a capability, until dropped (also on unwind).
struct InsideCapability(bool);

impl InsideCapability {
    fn enter() -> Self {
        InsideCapability(IN_CAPABILITY.with(|flag| flag.replace(true)))
    }
}

impl Drop for InsideCapability {
    fn drop(&mut self) {
        IN_CAPABILITY.with(|flag| flag.set(self.0));
    }
}

/// Wraps the process's panic hook once: a panic inside a capability prints a fixed line
/// instead of its message (which may hold a secret); other panics go to the previous hook.
fn install_quiet_panic_hook() {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if IN_CAPABILITY.with(std::cell::Cell::get) {
                eprintln!(
                    "error: a capability failed unexpectedly; its message is withheld, as it may hold a secret"
                );
            } else {
                previous(info);
            }
        }));
    });
}

fn to_json<T: Serialize>(value: &T) -> std::result::Result<String, Failure> {
    serde_json::to_string(value).map_err(|err| Failure {
        error: ConnectorError::invalid_response(format!(
            "The capability's response could not be serialized: {err}"
        )),
        raised: true,
    })
}

fn page_size(page: Option<&Page>, default: u32) -> u32 {
    page.and_then(|page| page.size)
        .filter(|size| *size > 0)
        .unwrap_or(default)
}

fn authenticated_context<C: Connector, P>(
    invocation: &Invocation<'_>,
    envelope: &mut RequestEnvelope<P>,
) -> Result<ContextOf<C>> {
    let credentials = check_credentials::<C::Credentials>(
        envelope.auth.as_ref(),
        envelope.credentials.as_deref(),
        invocation.credentials,
    )?;
    let mut replay = serde_json::Map::new();
    for (key, value) in [
        ("auth", serde_json::to_value(&envelope.auth)),
        ("credentials", serde_json::to_value(&envelope.credentials)),
        ("settings", serde_json::to_value(&envelope.settings)),
    ] {
        if let Ok(value) = value
            && !value.is_null()
        {
            replay.insert(key.to_owned(), value);
        }
    }
    let settings = check_settings::<C>(envelope.settings.take())?;
    Ok(Context::new(
        invocation.app_id,
        invocation.capability,
        settings,
        credentials,
        envelope.include_raw_data.unwrap_or(false),
        envelope.rate_limit.take(),
    )
    .with_replay(replay))
}

pub(crate) async fn run_standard<C, Cap, P, O, F>(
    connector: &C,
    invocation: Invocation<'_>,
    handler: F,
) -> String
where
    C: Connector,
    Cap: Capability,
    P: DeserializeOwned + Serialize + Send + 'static,
    O: CapabilityResult<Cap::Response>,
    F: for<'a> Fn(&'a C, &'a ContextOf<C>, P) -> BoxFuture<'a, O>,
{
    let outcome = async {
        let mut envelope = parse_envelope::<P>(invocation.json)?;
        if Cap::ENVELOPE == Envelope::Exempt {
            return Err(ConnectorError::internal_error(format!(
                "{} is answered by the runtime.",
                Cap::NAME
            ))
            .into());
        }
        let cx = authenticated_context::<C, P>(&invocation, &mut envelope)?;
        let fingerprint = write_fingerprint::<Cap, P>(&envelope.request);
        let reply = guarded(
            handler(connector, &cx, envelope.request),
            CapabilityResult::into_reply,
        )
        .await?;
        success_json(reply, fingerprint.as_deref(), &cx)
    }
    .await;
    finish(&invocation, outcome)
}

/// The request fingerprint of a write (the execution summary's), `None` for reads.
fn write_fingerprint<Cap: Capability, P: Serialize>(payload: &P) -> Option<String> {
    (Cap::LEVEL != CapabilityLevel::Read).then(|| crate::fingerprint::fingerprint(payload))
}

/// The success envelope of a single-payload capability's reply.
fn success_json<T: Serialize, S, A>(
    reply: Reply<T>,
    fingerprint: Option<&str>,
    cx: &Context<S, A>,
) -> std::result::Result<String, Failure> {
    let (response, raw_data, execution_summary) = reply.into_parts(fingerprint);
    to_json(&SuccessEnvelope {
        response,
        raw_data,
        page: None,
        rate_limit: cx.rate_limit_response(),
        execution_summary,
    })
}

pub(crate) async fn run_unauthenticated<C, Cap, P, O, F>(
    connector: &C,
    invocation: Invocation<'_>,
    handler: F,
) -> String
where
    C: Connector,
    Cap: Capability,
    P: DeserializeOwned + Serialize + Send + 'static,
    O: CapabilityResult<Cap::Response>,
    F: for<'a> Fn(&'a C, &'a UnauthenticatedContextOf<C>, P) -> BoxFuture<'a, O>,
{
    let outcome = async {
        let mut envelope = parse_envelope::<P>(invocation.json)?;
        let settings = check_settings::<C>(envelope.settings.take())?;
        let cx = Context::new(
            invocation.app_id,
            invocation.capability,
            settings,
            (),
            envelope.include_raw_data.unwrap_or(false),
            envelope.rate_limit.take(),
        );
        let fingerprint = write_fingerprint::<Cap, P>(&envelope.request);
        let reply = guarded(
            handler(connector, &cx, envelope.request),
            CapabilityResult::into_reply,
        )
        .await?;
        success_json(reply, fingerprint.as_deref(), &cx)
    }
    .await;
    finish(&invocation, outcome)
}

pub(crate) async fn run_list<C, Cap, P, O, F>(
    connector: &C,
    invocation: Invocation<'_>,
    handler: F,
) -> String
where
    C: Connector,
    Cap: ListCapability,
    P: DeserializeOwned + Serialize + Send + 'static,
    O: ListResult<Cap::Item>,
    F: for<'a> Fn(&'a C, &'a ContextOf<C>, P, PageRequest<O::Cursor>) -> BoxFuture<'a, O>,
{
    let outcome = async {
        let mut envelope = parse_envelope::<P>(invocation.json)?;
        let cx = authenticated_context::<C, P>(&invocation, &mut envelope)?;
        let size = page_size(envelope.page.as_ref(), invocation.default_page_size);
        let cursor = match envelope
            .page
            .as_ref()
            .and_then(|page| page.token.as_deref())
        {
            Some(token) => Some(page::decode_token::<O::Cursor>(Cap::NAME, token)?),
            None => None,
        };
        let paged = guarded(
            handler(
                connector,
                &cx,
                envelope.request,
                PageRequest::new(size, cursor).with_requested_size(
                    envelope
                        .page
                        .as_ref()
                        .and_then(|page| page.size)
                        .filter(|size| *size > 0),
                ),
            ),
            ListResult::into_page,
        )
        .await?;
        let size = paged.page_size().unwrap_or(size);
        let (items, next, raw_data) = paged.into_parts();
        let page = match next {
            Some(cursor) => Some(Page {
                token: Some(
                    page::encode_token(Cap::NAME, &cursor).map_err(|error| Failure {
                        error,
                        raised: true,
                    })?,
                ),
                size: Some(size),
            }),
            None => None,
        };
        to_json(&SuccessEnvelope {
            response: items,
            raw_data,
            page,
            rate_limit: cx.rate_limit_response(),
            execution_summary: None,
        })
    }
    .await;
    finish(&invocation, outcome)
}

pub(crate) async fn run_custom<C, P, R, O, F>(
    connector: &C,
    invocation: Invocation<'_>,
    handler: F,
) -> String
where
    C: Connector,
    P: DeserializeOwned + Serialize + Send + 'static,
    R: Serialize + Send + 'static,
    O: CapabilityResult<R>,
    F: for<'a> Fn(&'a C, &'a ContextOf<C>, P) -> BoxFuture<'a, O>,
{
    let outcome = async {
        let mut envelope = parse_envelope::<P>(invocation.json)?;
        parse_json::<CustomEnvelopeKeys>(invocation.json)?;
        let cx = authenticated_context::<C, P>(&invocation, &mut envelope)?;
        let fingerprint = Some(crate::fingerprint::fingerprint(&envelope.request));
        let reply = guarded(
            handler(connector, &cx, envelope.request),
            CapabilityResult::into_reply,
        )
        .await?;
        let (response, raw_data, execution_summary) = reply.into_parts(fingerprint.as_deref());
        to_json(&CustomSuccessEnvelope {
            page: None,
            raw_data,
            execution_summary,
            rate_limit: cx.rate_limit_response(),
            response,
        })
    }
    .await;
    finish(&invocation, outcome)
}

/// Runs a capability whose envelope is exempt from the credential and settings checks
/// (`app_info`): only the envelope's shape is checked.
pub(crate) async fn run_exempt<C, Cap, F>(
    connector: &C,
    invocation: Invocation<'_>,
    handler: F,
) -> String
where
    C: Connector,
    Cap: Capability,
    F: for<'a> Fn(&'a C, Cap::Payload) -> BoxFuture<'a, Result<Cap::Response>>,
{
    let outcome = async {
        let envelope = parse_envelope::<Cap::Payload>(invocation.json)?;
        let response =
            guarded(handler(connector, envelope.request), std::convert::identity).await?;
        to_json(&SuccessEnvelope {
            response,
            raw_data: None,
            page: None,
            rate_limit: None,
            execution_summary: None,
        })
    }
    .await;
    finish(&invocation, outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_shapes() {
        let ok = r#"{"request": {}, "page": null, "rate_limit": null, "auth": {"token": {"token": "t"}, "extra": 1}}"#;
        assert!(parse_envelope::<serde_json::Value>(ok).is_ok());
        for bad in [
            r#"[{}]"#,
            r#"{"request": []}"#,
            r#"{"request": null}"#,
            r#"{"request": {}, "page": [null, 5]}"#,
            r#"{"request": {}, "auth": {"token": ["t"]}}"#,
            r#"{"request": {}, "credentials": [["id", {}]]}"#,
        ] {
            let err = parse_envelope::<serde_json::Value>(bad).err().unwrap();
            assert_eq!(err.code(), crate::ErrorCode::BadRequest, "{bad}");
        }
    }

    #[test]
    fn secret_values_are_cut_from_messages() {
        let message =
            "invalid type: string \"hunter2\", expected struct TokenCredential at line 1 column 30";
        assert_eq!(
            without_values(message),
            "invalid type: string, expected struct TokenCredential"
        );
        let plain = "missing field `token` at line 1 column 30";
        assert_eq!(without_values(plain), "missing field `token`");
    }

    #[test]
    fn long_and_odd_capability_names_are_shortened_for_messages() {
        assert_eq!(printable("a\u{0}b"), "a\\u{0}b");
        assert_eq!(printable(&"x".repeat(500)).chars().count(), 101);
    }
}
