//! How the server answers: JSON text with `content-type: application/json` and no trailing
//! newline (a capability's answer streamed as it is serialised), the reference's
//! `{"detail": …}` bodies for unknown routes and methods, and error envelopes for what the
//! server itself refuses.

use axum::body::{Body, Bytes};
use axum::http::header::{CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;

use crate::dispatch::Answer;
use crate::error::{ConnectorError, ErrorEnvelope};

/// The size of the pieces a streamed answer is sent in: what the serialiser writes at a
/// time.
const CHUNK_BYTES: usize = crate::dispatch::answer::SERIALISE_BUFFER_BYTES;
/// How many pieces may wait for the client before serialisation pauses: the memory a
/// slow client can hold up is this many chunks, whatever the answer's size.
const CHUNKS_IN_FLIGHT: usize = 4;

/// `status` with `body` as JSON.
pub(crate) fn json(status: StatusCode, body: String) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// 200 with a capability's answer. One already built (an error, `info`) or small enough
/// to fit one chunk is sent whole, with its length; a larger success envelope is
/// serialised again on a blocking thread straight into the body, a chunk at a time, so a
/// large listing never exists whole in memory. Serialising began only after the
/// capability returned, so a failed call is a whole error envelope; a failure part-way
/// through a streamed answer (a response that cannot be serialised, a client gone) aborts
/// the body, and the client sees a truncated transfer rather than a document that looks
/// whole.
pub(crate) fn streamed(answer: Answer) -> Response {
    let answer = match answer.into_string_within(CHUNK_BYTES) {
        Ok(text) => return json(StatusCode::OK, text),
        Err(larger) => larger,
    };
    let (sender, mut receiver) =
        tokio::sync::mpsc::channel::<std::io::Result<Bytes>>(CHUNKS_IN_FLIGHT);
    tokio::task::spawn_blocking(move || {
        let mut body = ChunkSender(sender);
        if let Err(err) = answer.write_to(&mut body) {
            tracing::warn!("the answer could not be streamed whole: {err}");
            // The client may be gone already; then there is no one to tell.
            let _ = body.0.blocking_send(Err(err));
        }
    });
    let chunks = futures_util::stream::poll_fn(move |cx| receiver.poll_recv(cx));
    let mut response = Response::new(Body::from_stream(chunks));
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// The writer a streamed answer is serialised into: each write goes to the body as one
/// chunk. The serialiser already buffers (`dispatch/answer.rs` writes 64 KiB at a time),
/// so a second buffer here would only copy every byte once more.
struct ChunkSender(tokio::sync::mpsc::Sender<std::io::Result<Bytes>>);

impl std::io::Write for ChunkSender {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if bytes.is_empty() {
            return Ok(0);
        }
        self.0
            .blocking_send(Ok(Bytes::copy_from_slice(bytes)))
            .map_err(|_| {
                std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the client went away")
            })?;
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
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
