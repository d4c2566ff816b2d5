//! The access log: one line on stderr per request with method, path, status and duration,
//! and the reference's observability headers, which also label the request's tracing span
//! so the connector's own log records carry them. Never a body, a query or a header value
//! other than those two.

use std::time::Instant;

use axum::extract::Request;
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument as _;

/// The observability headers the reference copies into its log records.
pub(crate) const FLOWS_HEADER: &str = "x-lumos-observability-flows_v2_execution_id";
/// See [`FLOWS_HEADER`].
pub(crate) const DAGSTER_HEADER: &str = "x-lumos-observability-dagster.run_id";

/// Whether access lines are written (a flag of the running server).
#[derive(Clone, Copy)]
pub(crate) struct AccessLog(pub bool);

/// Logs one request.
pub(crate) async fn record(
    axum::extract::State(AccessLog(enabled)): axum::extract::State<AccessLog>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = shown(request.uri().path(), 200);
    let flows = header(request.headers(), FLOWS_HEADER);
    let dagster = header(request.headers(), DAGSTER_HEADER);
    let span = tracing::info_span!(
        "request",
        flows_v2_execution_id = flows.as_deref(),
        dagster.run_id = dagster.as_deref(),
    );
    let response = next.run(request).instrument(span).await;
    if enabled {
        let mut line = format!(
            "access method={method} route={path} status={} duration_ms={}",
            response.status().as_u16(),
            started.elapsed().as_millis()
        );
        if let Some(flows) = flows {
            line.push_str(&format!(" flows_v2_execution_id={flows}"));
        }
        if let Some(dagster) = dagster {
            line.push_str(&format!(" dagster.run_id={dagster}"));
        }
        eprintln!("{line}");
    }
    response
}

/// A header's value, bounded and printable.
fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .map(|value| shown(value, 128))
}

/// At most `max` characters, anything but printable ASCII (and space) escaped.
fn shown(text: &str, max: usize) -> String {
    text.chars()
        .take(max)
        .flat_map(|ch| {
            if ch.is_ascii_graphic() {
                vec![ch]
            } else {
                ch.escape_default().collect()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_text_is_bounded_and_printable() {
        assert_eq!(shown("/list_accounts", 200), "/list_accounts");
        assert_eq!(shown("a\nb c\u{7f}", 200), "a\\nb c\\u{7f}");
        assert_eq!(shown(&"x".repeat(300), 200).len(), 200);
    }
}
