//! How the server answers: JSON text with `content-type: application/json` and no trailing
//! newline, the reference's `{"detail": …}` bodies for unknown routes and methods, and
//! error envelopes for what the server itself refuses.

use axum::body::Body;
use axum::http::header::{CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;

use crate::error::{ConnectorError, ErrorEnvelope};

/// `status` with `body` as JSON.
pub(crate) fn json(status: StatusCode, body: String) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// 404 `{"detail": "Not Found"}`, as the reference.
pub(crate) fn not_found() -> Response {
    json(
        StatusCode::NOT_FOUND,
        r#"{"detail": "Not Found"}"#.to_owned(),
    )
}

/// 405 `{"detail": "Method Not Allowed"}`, as the reference.
pub(crate) fn method_not_allowed() -> Response {
    json(
        StatusCode::METHOD_NOT_ALLOWED,
        r#"{"detail": "Method Not Allowed"}"#.to_owned(),
    )
}

/// `status` with the error envelope of `error` raised by the server for `app_id`.
pub(crate) fn refusal(status: StatusCode, app_id: &str, error: ConnectorError) -> Response {
    let envelope = ErrorEnvelope::new(
        error
            .with_status_code(status.as_u16())
            .to_wire(app_id, None),
    );
    let body = serde_json::to_string(&envelope).unwrap_or_default();
    let mut response = json(status, body);
    let retry_after = envelope
        .error
        .error_metadata
        .as_ref()
        .and_then(|metadata| metadata.retry_after_seconds);
    if let Some(seconds) = retry_after {
        response
            .headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

/// 401: no or a wrong caller token.
pub(crate) fn unauthorized(app_id: &str) -> Response {
    refusal(
        StatusCode::UNAUTHORIZED,
        app_id,
        ConnectorError::unauthorized(
            "The server needs the caller token: send `Authorization: Bearer <token>`.",
        )
        .without_hint(),
    )
}

/// 413: the body is larger than the server accepts.
pub(crate) fn too_large(app_id: &str, limit: usize) -> Response {
    refusal(
        StatusCode::PAYLOAD_TOO_LARGE,
        app_id,
        ConnectorError::bad_request(format!(
            "The request body is larger than this server accepts ({limit} bytes)."
        )),
    )
}

/// 503 with `Retry-After`: too many calls are running.
pub(crate) fn busy(app_id: &str) -> Response {
    refusal(
        StatusCode::SERVICE_UNAVAILABLE,
        app_id,
        ConnectorError::service_error(
            "The server is running as many calls as it may; retry shortly.",
        )
        .with_retry_after_seconds(1),
    )
}

/// 504: the call ran past the server's per-request deadline.
pub(crate) fn deadline(app_id: &str, seconds: u64) -> Response {
    refusal(
        StatusCode::GATEWAY_TIMEOUT,
        app_id,
        ConnectorError::budget_exhausted(format!(
            "The call did not finish within the server's deadline of {seconds} seconds."
        )),
    )
}
