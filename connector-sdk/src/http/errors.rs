//! How HTTP statuses and transport failures become [`ConnectorError`]s: the protocol's
//! `HTTPHandler` table, plus the transport classes of the reference's default handler.

use std::borrow::Cow;
use std::error::Error as StdError;
use std::fmt;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::logging::Redactor;
use crate::error::{ConnectorError, ErrorCode};

/// The longest excerpt of an error body quoted in an error message, in characters.
const BODY_EXCERPT_CHARS: usize = 300;

/// The error code of an upstream HTTP status, as the protocol's `HTTPHandler` maps it:
/// 400/413/415/422 → `bad_request`, 401 → `unauthorized`, 403 → `permission_denied`,
/// 404 → `not_found`, 405/406/501 → `unsupported_operation`, 408 → `request_timeout`,
/// 409 → `conflict`, 429 → `rate_limit`, 503 → `service_error`, 500/502/504 →
/// `bad_gateway`, anything else → `invalid_response`.
///
/// ```
/// use connector_sdk::ErrorCode;
/// use connector_sdk::http::error_code_for_status;
///
/// assert_eq!(error_code_for_status(404), ErrorCode::NotFound);
/// assert_eq!(error_code_for_status(501), ErrorCode::UnsupportedOperation);
/// assert_eq!(error_code_for_status(418), ErrorCode::InvalidResponse);
/// ```
pub fn error_code_for_status(status: u16) -> ErrorCode {
    match status {
        400 | 413 | 415 | 422 => ErrorCode::BadRequest,
        401 => ErrorCode::Unauthorized,
        403 => ErrorCode::PermissionDenied,
        404 => ErrorCode::NotFound,
        405 | 406 | 501 => ErrorCode::UnsupportedOperation,
        408 => ErrorCode::RequestTimeout,
        409 => ErrorCode::Conflict,
        429 => ErrorCode::RateLimit,
        503 => ErrorCode::ServiceError,
        500 | 502 | 504 => ErrorCode::BadGateway,
        _ => ErrorCode::InvalidResponse,
    }
}

/// A hook that turns a failed response into the connector's own error (for example by
/// reading the app's error body), or returns `None` to use the default table.
///
/// Set it for every request with [`HttpConfig::map_errors`](super::HttpConfig::map_errors)
/// or for one with [`RequestBuilder::map_errors`](super::RequestBuilder::map_errors).
/// When the hook leaves them unset, the error gets the response's `status_code` and the
/// `Retry-After` seconds.
///
/// ```
/// use std::sync::Arc;
/// use connector_sdk::ConnectorError;
/// use connector_sdk::http::{ErrorMapper, HttpFailure};
///
/// let mapper: ErrorMapper = Arc::new(|failure: &HttpFailure<'_>| {
///     let body = failure.json_value()?;
///     (body["error"] == "user_locked").then(|| ConnectorError::conflict("The user is locked"))
/// });
/// # let _ = mapper;
/// ```
pub type ErrorMapper = Arc<dyn Fn(&HttpFailure<'_>) -> Option<ConnectorError> + Send + Sync>;

/// A response with a status that is not a success (not 2xx), as an [`ErrorMapper`] sees it.
///
/// ```
/// use connector_sdk::http::HttpFailure;
///
/// fn app_code(failure: &HttpFailure<'_>) -> Option<String> {
///     failure.json_value()?.get("code")?.as_str().map(str::to_owned)
/// }
/// # let _ = app_code;
/// ```
pub struct HttpFailure<'a> {
    pub(crate) method: &'a Method,
    pub(crate) path: &'a str,
    pub(crate) status: StatusCode,
    pub(crate) headers: &'a HeaderMap,
    pub(crate) body: &'a [u8],
    pub(crate) retry_after: Option<Duration>,
    pub(crate) redactor: &'a Redactor,
}

impl fmt::Debug for HttpFailure<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpFailure")
            .field("method", self.method)
            .field("path", &self.path)
            .field("status", &self.status.as_u16())
            .finish_non_exhaustive()
    }
}

impl<'a> HttpFailure<'a> {
    /// The request's method.
    pub fn method(&self) -> &Method {
        self.method
    }

    /// The request's URL path, without the query string.
    pub fn path(&self) -> &str {
        self.path
    }

    /// The response's status code.
    pub fn status(&self) -> u16 {
        self.status.as_u16()
    }

    /// The response's headers.
    pub fn headers(&self) -> &HeaderMap {
        self.headers
    }

    /// A response header as text, if present and readable.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }

    /// The response body.
    pub fn body(&self) -> &[u8] {
        self.body
    }

    /// The response body as text (invalid UTF-8 replaced).
    pub fn text(&self) -> Cow<'a, str> {
        String::from_utf8_lossy(self.body)
    }

    /// The response body parsed as JSON, if it is JSON.
    pub fn json_value(&self) -> Option<Value> {
        serde_json::from_slice(self.body).ok()
    }

    /// The response body parsed into `T`, if it has that shape.
    pub fn json<T: DeserializeOwned>(&self) -> Option<T> {
        serde_json::from_slice(self.body).ok()
    }

    /// How long the app asked to wait before a retry (`Retry-After`), if it said.
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    /// The error the default table gives this response: its code from
    /// [`error_code_for_status`], a message naming the method, the path and the status
    /// with a short excerpt of the body (secrets redacted), the `status_code`, and the
    /// `Retry-After` seconds if any.
    pub fn default_error(&self) -> ConnectorError {
        let code = error_code_for_status(self.status.as_u16());
        let reason = self.status.canonical_reason().unwrap_or("");
        let mut message = format!(
            "{} {} failed with HTTP {}",
            self.method,
            self.path,
            self.status.as_u16()
        );
        if !reason.is_empty() {
            message.push(' ');
            message.push_str(reason);
        }
        if self.status.is_redirection() {
            let target = self
                .header("location")
                .and_then(|location| reqwest::Url::parse(location).ok())
                .and_then(|url| url.host_str().map(str::to_owned));
            message.push_str(": a redirect that was not followed");
            if let Some(host) = target {
                message.push_str(&format!(" (to {host})"));
            }
            message
                .push_str(", as it leaves the app's host or repeats too often; check the base URL");
        } else if let Some(excerpt) = body_excerpt(self.headers, self.body, self.redactor) {
            message.push_str(": ");
            message.push_str(&excerpt);
        }
        finish(
            ConnectorError::new(code, message),
            self.status.as_u16(),
            self.retry_after,
        )
    }
}

/// Sets the status code and the retry-after seconds on an error that lacks them.
fn finish(mut error: ConnectorError, status: u16, retry_after: Option<Duration>) -> ConnectorError {
    if error.status_code().is_none() {
        error = error.with_status_code(status);
    }
    if let (None, Some(wait)) = (error.retry_after_seconds(), retry_after) {
        error = error.with_retry_after_seconds(ceil_seconds(wait));
    }
    error
}

/// Whole seconds, rounded up.
pub(crate) fn ceil_seconds(duration: Duration) -> u64 {
    duration
        .as_secs()
        .saturating_add(u64::from(duration.subsec_nanos() > 0))
}

/// The error of a failed response: the hooks first (request's, then config's), then the table.
pub(crate) fn status_error(failure: &HttpFailure<'_>, mappers: &[&ErrorMapper]) -> ConnectorError {
    for mapper in mappers {
        if let Some(error) = mapper(failure) {
            let error = finish(error, failure.status(), failure.retry_after);
            let message = failure.redactor.scrub(error.message());
            return if message == error.message() {
                error
            } else {
                rebuild_with_message(error, message)
            };
        }
    }
    failure.default_error()
}

/// The same error with another message (used to scrub secrets out of a hook's message).
fn rebuild_with_message(error: ConnectorError, message: String) -> ConnectorError {
    let mut rebuilt = ConnectorError::new(error.code(), message);
    if let Some(code) = error.app_error_code() {
        rebuilt = rebuilt.with_app_error_code(code);
    }
    if let Some(hint) = error.hint() {
        rebuilt = rebuilt.with_hint(hint);
    }
    if let Some(status) = error.status_code() {
        rebuilt = rebuilt.with_status_code(status);
    }
    if let Some(seconds) = error.retry_after_seconds() {
        rebuilt = rebuilt.with_retry_after_seconds(seconds);
    }
    let wire = error.metadata();
    rebuilt
        .with_retryable(wire.retryable)
        .with_throttled(wire.throttled)
        .with_refreshable(wire.refreshable)
}

/// The part of a body that may be shown (in an error excerpt or a DEBUG log line): all of
/// it up to [`MAX_BODY_PREFIX_BYTES`](crate::limits::MAX_BODY_PREFIX_BYTES), else a text
/// prefix cut at a character boundary. A larger JSON body is not shown at all (`Err` with
/// a summary): a prefix cannot be parsed, so its secret keys could not be redacted.
pub(crate) fn showable_body(body: &[u8]) -> Result<&[u8], String> {
    let limit = crate::limits::MAX_BODY_PREFIX_BYTES.get_usize();
    if body.len() <= limit {
        return Ok(body);
    }
    let first = body.iter().find(|byte| !byte.is_ascii_whitespace());
    if matches!(first, Some(b'{' | b'[')) {
        return Err(format!("over {limit} bytes of JSON, too large to show"));
    }
    let prefix = &body[..limit];
    Ok(match std::str::from_utf8(prefix) {
        Ok(_) => prefix,
        // Cut inside a character: back to its start (a few bytes at most).
        Err(err) if err.error_len().is_none() => &prefix[..err.valid_up_to()],
        Err(_) => prefix,
    })
}

/// A short, redacted excerpt of an error body for a message (only a prefix of a large
/// body is read).
fn body_excerpt(headers: &HeaderMap, body: &[u8], redactor: &Redactor) -> Option<String> {
    let body = match showable_body(body) {
        Ok(body) => body,
        Err(summary) => return Some(summary),
    };
    if body.iter().all(u8::is_ascii_whitespace) {
        return None;
    }
    if let Ok(mut json) = serde_json::from_slice::<Value>(body) {
        redactor.redact_json(&mut json);
        return Some(truncate(
            &redactor.scrub(&json.to_string()),
            BODY_EXCERPT_CHARS,
        ));
    }
    let text = String::from_utf8_lossy(body);
    let content_type = headers
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("");
    let start = text
        .trim_start()
        .get(..15)
        .unwrap_or("")
        .to_ascii_lowercase();
    if content_type.contains("html")
        || start.starts_with("<!doctype html")
        || start.starts_with("<html")
    {
        return Some("Upstream HTML error response.".to_owned());
    }
    if std::str::from_utf8(body).is_err() {
        return Some(format!("{} bytes of binary data", body.len()));
    }
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    Some(truncate(&redactor.scrub(&collapsed), BODY_EXCERPT_CHARS))
}

/// At most `max` characters, with "…(truncated)" when cut.
pub(crate) fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…(truncated)", &text[..cut]),
        None => text.to_owned(),
    }
}

/// What kind of transport failure a `reqwest` error is; decides the code and whether a
/// retry may help.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TransportKind {
    /// Could not connect in time, or the name did not resolve: `connection_timeout`.
    ConnectTimeout,
    /// Connecting failed otherwise (unreachable network, DNS): `connection_timeout`.
    ConnectFailed,
    /// Nothing listens, or a firewall said no: `connection_rejected`.
    Refused,
    /// The TLS handshake failed (an untrusted certificate): `connection_rejected`.
    Tls,
    /// No answer in time: `request_timeout`.
    Timeout,
    /// The connection broke mid-exchange: `connection_closed`.
    Closed,
    /// The request could not be built or redirected: `invalid_response`.
    Other,
}

impl TransportKind {
    /// Whether the request certainly never reached the app (safe to retry any method).
    pub(crate) fn never_sent(self) -> bool {
        matches!(
            self,
            TransportKind::Refused | TransportKind::ConnectTimeout | TransportKind::ConnectFailed
        )
    }

    /// Whether this is a timeout (retried only when the policy says so).
    pub(crate) fn is_timeout(self) -> bool {
        matches!(self, TransportKind::Timeout | TransportKind::ConnectTimeout)
    }
}

/// Classifies a `reqwest` error by walking its chain of causes.
pub(crate) fn classify(err: &reqwest::Error) -> (TransportKind, Option<String>) {
    let mut detail = None;
    let mut io_kind: Option<io::ErrorKind> = None;
    let mut tls = None;
    // `io::Error::source` skips the error it wraps, so wrapped errors are visited too.
    let mut pending: Vec<&(dyn StdError + 'static)> = err.source().into_iter().collect();
    let mut visited = 0;
    while let Some(cause) = pending.pop() {
        visited += 1;
        if visited > 32 {
            break;
        }
        if let Some(rustls_err) = cause.downcast_ref::<rustls::Error>() {
            tls = Some(rustls_err.to_string());
        }
        if let Some(io_err) = cause.downcast_ref::<io::Error>() {
            if io_kind.is_none_or(|kind| kind == io::ErrorKind::Other) {
                io_kind = Some(io_err.kind());
            }
            if let Some(inner) = io_err.get_ref() {
                pending.push(inner);
            }
        }
        pending.extend(cause.source());
    }
    if let Some(tls) = tls {
        return (TransportKind::Tls, Some(tls));
    }
    if let Some(kind) = io_kind {
        detail = Some(kind.to_string());
    }
    let kind = if err.is_connect() {
        match io_kind {
            Some(io::ErrorKind::ConnectionRefused) => TransportKind::Refused,
            Some(io::ErrorKind::TimedOut) => TransportKind::ConnectTimeout,
            _ if err.is_timeout() => TransportKind::ConnectTimeout,
            _ => TransportKind::ConnectFailed,
        }
    } else if err.is_timeout() || io_kind == Some(io::ErrorKind::TimedOut) {
        TransportKind::Timeout
    } else if err.is_builder() || err.is_redirect() {
        TransportKind::Other
    } else {
        TransportKind::Closed
    };
    (kind, detail)
}

/// The error of a transport failure of `method path`, after `timeout` (the per-attempt
/// limit in force).
pub(crate) fn transport_error(
    method: &Method,
    path: &str,
    kind: TransportKind,
    detail: Option<&str>,
    timeout: Duration,
) -> ConnectorError {
    let detail = detail
        .map(|detail| format!(" ({detail})"))
        .unwrap_or_default();
    match kind {
        TransportKind::ConnectTimeout | TransportKind::ConnectFailed => {
            ConnectorError::connection_timeout(format!(
                "Failed to connect to the API for {method} {path}{detail}. Please verify the URL or try at a later time due to a potential temporary network issue."
            ))
        }
        TransportKind::Refused => ConnectorError::connection_rejected(format!(
            "The API refused the connection for {method} {path}{detail}: nothing is listening at that address, or a firewall rejects the connection."
        )),
        TransportKind::Tls => ConnectorError::connection_rejected(format!(
            "The TLS handshake with the API failed for {method} {path}{detail}. If the app uses a private certificate authority, configure its CA bundle."
        )),
        TransportKind::Timeout => ConnectorError::request_timeout(format!(
            "The upstream API did not respond in time to {method} {path} (timeout {}).",
            human_duration(timeout)
        )),
        TransportKind::Closed => ConnectorError::connection_closed(format!(
            "The upstream API closed the connection unexpectedly during {method} {path}{detail}."
        )),
        TransportKind::Other => ConnectorError::invalid_response(format!(
            "The request {method} {path} could not be completed{detail}."
        )),
    }
}

/// `1.5s`, `30s`, `250ms`.
pub(crate) fn human_duration(duration: Duration) -> String {
    if duration.as_millis() < 1000 {
        format!("{}ms", duration.as_millis())
    } else if duration.subsec_millis() == 0 {
        format!("{}s", duration.as_secs())
    } else {
        format!("{:.1}s", duration.as_secs_f64())
    }
}

/// A serde error message without the values it quotes (they may be secrets).
pub(crate) fn without_values(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut in_quotes = false;
    for ch in message.chars() {
        match ch {
            '"' if !in_quotes => {
                in_quotes = true;
                out.push_str("\"…");
            }
            '"' => {
                in_quotes = false;
                out.push('"');
            }
            _ if in_quotes => {}
            _ => out.push(ch),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_the_protocols() {
        let table: &[(u16, ErrorCode)] = &[
            (400, ErrorCode::BadRequest),
            (401, ErrorCode::Unauthorized),
            (403, ErrorCode::PermissionDenied),
            (404, ErrorCode::NotFound),
            (405, ErrorCode::UnsupportedOperation),
            (406, ErrorCode::UnsupportedOperation),
            (408, ErrorCode::RequestTimeout),
            (409, ErrorCode::Conflict),
            (413, ErrorCode::BadRequest),
            (415, ErrorCode::BadRequest),
            (422, ErrorCode::BadRequest),
            (429, ErrorCode::RateLimit),
            (500, ErrorCode::BadGateway),
            (501, ErrorCode::UnsupportedOperation),
            (502, ErrorCode::BadGateway),
            (503, ErrorCode::ServiceError),
            (504, ErrorCode::BadGateway),
            (302, ErrorCode::InvalidResponse),
            (410, ErrorCode::InvalidResponse),
            (599, ErrorCode::InvalidResponse),
        ];
        for (status, code) in table {
            assert_eq!(error_code_for_status(*status), *code, "{status}");
        }
    }

    #[test]
    fn default_error_names_the_request_and_redacts_the_body() {
        let redactor = Redactor::new(vec!["sekr1t-value".to_owned()], Vec::new(), Vec::new());
        let headers = HeaderMap::new();
        let body = br#"{"error":"bad","access_token":"abc","echo":"sekr1t-value"}"#;
        let failure = HttpFailure {
            method: &Method::GET,
            path: "/users",
            status: StatusCode::UNPROCESSABLE_ENTITY,
            headers: &headers,
            body,
            retry_after: Some(Duration::from_millis(1500)),
            redactor: &redactor,
        };
        let error = failure.default_error();
        assert_eq!(error.code(), ErrorCode::BadRequest);
        assert_eq!(error.status_code(), Some(422));
        assert_eq!(error.retry_after_seconds(), Some(2));
        assert!(
            error
                .message()
                .starts_with("GET /users failed with HTTP 422 Unprocessable Entity: ")
        );
        assert!(
            !error.message().contains("abc") && !error.message().contains("sekr1t"),
            "{}",
            error.message()
        );
    }

    #[test]
    fn html_bodies_are_summarised_and_long_text_truncated() {
        let redactor = Redactor::default();
        let headers = HeaderMap::new();
        let html = b"<!DOCTYPE html><html><body>Bad gateway</body></html>";
        assert_eq!(
            body_excerpt(&headers, html, &redactor).as_deref(),
            Some("Upstream HTML error response.")
        );
        let long = "x ".repeat(1000);
        let excerpt = body_excerpt(&headers, long.as_bytes(), &redactor).unwrap_or_default();
        assert!(excerpt.ends_with("…(truncated)") && excerpt.chars().count() < 320);
        assert_eq!(body_excerpt(&headers, b"  \n", &redactor), None);
    }

    #[test]
    fn serde_messages_lose_their_values() {
        assert_eq!(
            without_values("invalid type: string \"hunter2\", expected u64 at line 1 column 9"),
            "invalid type: string \"…\", expected u64 at line 1 column 9"
        );
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(human_duration(Duration::from_secs(30)), "30s");
        assert_eq!(human_duration(Duration::from_millis(250)), "250ms");
        assert_eq!(human_duration(Duration::from_millis(1500)), "1.5s");
        assert_eq!(ceil_seconds(Duration::from_millis(1001)), 2);
        assert_eq!(ceil_seconds(Duration::from_secs(3)), 3);
    }
}
