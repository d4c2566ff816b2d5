//! How a failed token request becomes an error, as the reference maps it: 429 →
//! `rate_limit` (not throttled), 5xx → `bad_gateway`, 403 or the OAuth error
//! `access_denied`/`unauthorized_client` → `permission_denied`, `invalid_grant` →
//! `authentication_expired` (not refreshable), anything else → `unauthorized` (not
//! refreshable). None is retryable and none carries a `status_code`.
//!
//! The message names the status, the endpoint without its query and the OAuth `error`
//! code; the rest of the body (which may echo a secret) stays out of it.

use serde_json::Value;

use crate::{ConnectorError, ErrorCode};

/// The error for a token endpoint's answer with status `status` and body `body`, sent to
/// `endpoint` (its query is dropped).
pub fn token_failure(status: u16, endpoint: &str, body: &[u8]) -> ConnectorError {
    let json: Option<Value> = serde_json::from_slice(body).ok();
    let oauth_error = json
        .as_ref()
        .and_then(|body| body.get("error"))
        .and_then(Value::as_str);
    let code = match (status, oauth_error) {
        (429, _) => ErrorCode::RateLimit,
        (500.., _) => ErrorCode::BadGateway,
        (403, _) | (_, Some("access_denied" | "unauthorized_client")) => {
            ErrorCode::PermissionDenied
        }
        (_, Some("invalid_grant")) => ErrorCode::AuthenticationExpired,
        _ => ErrorCode::Unauthorized,
    };
    let endpoint = endpoint.split(['?', '#']).next().unwrap_or_default();
    let detail = match (oauth_error, &json) {
        (Some(error), _) => sanitize(error),
        (None, Some(_)) => "no OAuth error code in the answer".to_owned(),
        (None, None) => "the answer is not JSON".to_owned(),
    };
    ConnectorError::new(
        code,
        format!("[{status}][{endpoint}] OAuth request failed: {detail}"),
    )
    .with_retryable(false)
    .with_throttled(false)
    .with_refreshable(false)
}

/// An OAuth error code as it may appear in a message: its printable ASCII, at most 64
/// characters.
fn sanitize(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_graphic())
        .take(64)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(status: u16, body: &str) -> ErrorCode {
        token_failure(status, "https://idp.example.com/token?x=1", body.as_bytes()).code()
    }

    #[test]
    fn the_reference_table() {
        assert_eq!(
            code(429, r#"{"error":"invalid_grant"}"#),
            ErrorCode::RateLimit
        );
        assert_eq!(code(502, "oops"), ErrorCode::BadGateway);
        assert_eq!(code(403, "{}"), ErrorCode::PermissionDenied);
        assert_eq!(
            code(400, r#"{"error":"access_denied"}"#),
            ErrorCode::PermissionDenied
        );
        assert_eq!(
            code(401, r#"{"error":"unauthorized_client"}"#),
            ErrorCode::PermissionDenied
        );
        assert_eq!(
            code(400, r#"{"error":"invalid_grant"}"#),
            ErrorCode::AuthenticationExpired
        );
        assert_eq!(code(401, "{}"), ErrorCode::Unauthorized);
        assert_eq!(code(400, "<html>"), ErrorCode::Unauthorized);
    }

    #[test]
    fn nothing_is_retryable_and_the_message_keeps_the_body_out() {
        let error = token_failure(
            429,
            "https://idp.example.com/token?client_secret=s3cret",
            br#"{"error":"slow_down","echo":"s3cret"}"#,
        );
        let metadata = error.metadata();
        assert!(!metadata.retryable && !metadata.throttled && !metadata.refreshable);
        assert_eq!(error.status_code(), None);
        assert_eq!(
            error.message(),
            "[429][https://idp.example.com/token] OAuth request failed: slow_down"
        );
    }
}
