//! DEBUG logging of every request and response, with secrets redacted: headers, query
//! and form parameters and JSON keys that the one key-name rule (`redact::is_secret_key`)
//! calls secret, the settings marked secret, and the very values of the request's
//! credentials wherever they appear.
//!
//! Events go to target `connector_sdk::http` at DEBUG level.

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode, Url};
use serde_json::Value;

use crate::redact::{REDACTED_VALUE, is_secret_key, redact_keys};

/// The target of the toolkit's log events (all at DEBUG level).
///
/// ```
/// assert_eq!(connector_sdk::http::LOG_TARGET, "connector_sdk::http");
/// ```
pub const LOG_TARGET: &str = "connector_sdk::http";

/// How much of a body is logged, in characters.
const BODY_PREVIEW_CHARS: usize = 8 * 1024;

/// Secrets shorter than this are not searched for in text (they would mangle it).
const MIN_SCRUBBED_SECRET_LEN: usize = 4;

/// What the toolkit redacts before logging, and in error messages.
#[derive(Clone, Debug, Default)]
pub(crate) struct Redactor {
    /// Secret values (credentials) removed wherever they appear.
    secrets: Vec<String>,
    /// Extra JSON key names to redact (settings marked secret, configured keys).
    keys: Vec<String>,
    /// Extra header or query names to redact (an API key's header or parameter).
    names: Vec<String>,
}

impl Redactor {
    pub(crate) fn new(secrets: Vec<String>, keys: Vec<String>, names: Vec<String>) -> Self {
        let mut secrets: Vec<String> = secrets
            .into_iter()
            .filter(|secret| secret.len() >= MIN_SCRUBBED_SECRET_LEN)
            .collect();
        // Longest first, so a secret that contains another is removed whole.
        secrets.sort_by_key(|secret| std::cmp::Reverse(secret.len()));
        secrets.dedup();
        let encoded: Vec<String> = secrets
            .iter()
            .map(|secret| {
                url::form_urlencoded::byte_serialize(secret.as_bytes()).collect::<String>()
            })
            .filter(|encoded| !secrets.contains(encoded))
            .collect();
        secrets.extend(encoded);
        Redactor {
            secrets,
            keys,
            names,
        }
    }

    /// `text` with every known secret value replaced (this client's, and those of the
    /// calls in flight).
    pub(crate) fn scrub(&self, text: &str) -> String {
        let mut out = crate::scrub::scrub(text);
        for secret in &self.secrets {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), crate::secret::REDACTED);
            }
        }
        out
    }

    /// Whether a header or query parameter named `name` holds a secret.
    pub(crate) fn is_secret_name(&self, name: &str) -> bool {
        is_secret_key(name, &self.keys) || is_secret_key(name, &self.names)
    }

    /// Redacts secret-looking keys in a JSON value.
    pub(crate) fn redact_json(&self, value: &mut Value) {
        redact_keys(value, &self.keys);
        if !self.names.is_empty() {
            redact_keys(value, &self.names);
        }
    }

    /// The URL with secret query values redacted.
    pub(crate) fn url(&self, url: &Url) -> String {
        let mut shown = url.clone();
        let _ = shown.set_password(None);
        if !url.username().is_empty() {
            let _ = shown.set_username(REDACTED_VALUE);
        }
        if url.query().is_some() {
            let pairs: Vec<(String, String)> = url
                .query_pairs()
                .map(|(name, value)| {
                    let value = if self.is_secret_name(&name) {
                        REDACTED_VALUE.to_owned()
                    } else {
                        value.into_owned()
                    };
                    (name.into_owned(), value)
                })
                .collect();
            shown.query_pairs_mut().clear().extend_pairs(pairs);
        }
        self.scrub(shown.as_str())
    }

    /// The headers as `name: value` lines, secret ones redacted.
    pub(crate) fn headers(&self, headers: &HeaderMap) -> String {
        let mut out = String::new();
        for (name, value) in headers {
            if !out.is_empty() {
                out.push_str(", ");
            }
            out.push_str(name.as_str());
            out.push_str(": ");
            if value.is_sensitive() || self.is_secret_name(name.as_str()) {
                out.push_str(REDACTED_VALUE);
            } else {
                out.push_str(&self.scrub(&String::from_utf8_lossy(value.as_bytes())));
            }
        }
        out
    }

    /// A body as logged: JSON with secret keys redacted, text, or a byte count.
    pub(crate) fn body(&self, body: &[u8]) -> String {
        if body.is_empty() {
            return String::new();
        }
        let body = match super::errors::showable_body(body) {
            Ok(body) => body,
            Err(summary) => return format!("<{summary}>"),
        };
        if let Ok(mut json) = serde_json::from_slice::<Value>(body) {
            self.redact_json(&mut json);
            return super::errors::truncate(&self.scrub(&json.to_string()), BODY_PREVIEW_CHARS);
        }
        match std::str::from_utf8(body) {
            Ok(text) => {
                let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
                super::errors::truncate(&self.scrub(&self.form(&one_line)), BODY_PREVIEW_CHARS)
            }
            Err(_) => format!("<{} bytes of binary data>", body.len()),
        }
    }

    /// A form-encoded body with secret fields redacted; other text unchanged.
    pub(super) fn form(&self, text: &str) -> String {
        let looks_like_form = !text.is_empty()
            && text.contains('=')
            && !text.contains(char::is_whitespace)
            && text.split('&').all(|pair| pair.contains('='));
        if !looks_like_form {
            return text.to_owned();
        }
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(text.as_bytes())
            .map(|(name, value)| {
                let value = if self.is_secret_name(&name) {
                    REDACTED_VALUE.to_owned()
                } else {
                    value.into_owned()
                };
                (name.into_owned(), value)
            })
            .collect();
        url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish()
    }
}

/// Logs a request about to be sent.
pub(crate) fn log_request(redactor: &Redactor, attempt: u32, request: &reqwest::Request) {
    if !tracing::enabled!(target: LOG_TARGET, tracing::Level::DEBUG) {
        return;
    }
    let body = request
        .body()
        .and_then(reqwest::Body::as_bytes)
        .map(|bytes| redactor.body(bytes))
        .unwrap_or_default();
    tracing::debug!(
        target: LOG_TARGET,
        method = %request.method(),
        url = %redactor.url(request.url()),
        attempt,
        headers = %redactor.headers(request.headers()),
        body = %body,
        "HTTP request"
    );
}

/// Logs a response that arrived.
pub(crate) fn log_response(
    redactor: &Redactor,
    method: &Method,
    url: &Url,
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
    elapsed: std::time::Duration,
) {
    if !tracing::enabled!(target: LOG_TARGET, tracing::Level::DEBUG) {
        return;
    }
    tracing::debug!(
        target: LOG_TARGET,
        method = %method,
        url = %redactor.url(url),
        status = status.as_u16(),
        elapsed_ms = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
        headers = %redactor.headers(headers),
        content_length = body.len(),
        body = %redactor.body(body),
        "HTTP response"
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{AUTHORIZATION, HeaderValue};

    #[test]
    fn urls_lose_secret_query_values_and_userinfo() {
        let redactor = Redactor::new(
            vec!["s3cr3t-key".to_owned()],
            Vec::new(),
            vec!["sig".to_owned()],
        );
        let url =
            Url::parse("https://u:p@h.example/a?api_key=s3cr3t-key&page=2&sig=x1&q=s3cr3t-key")
                .unwrap();
        let shown = redactor.url(&url);
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(!shown.contains(":p@") && !shown.contains("x1"), "{shown}");
        assert!(shown.contains("page=2"), "{shown}");
    }

    #[test]
    fn secret_headers_and_values_are_redacted() {
        let redactor = Redactor::new(vec!["tok-123456".to_owned()], Vec::new(), Vec::new());
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, HeaderValue::from_static("Bearer tok-123456"));
        headers.insert("x-api-key", HeaderValue::from_static("k-abc"));
        headers.insert("x-echo", HeaderValue::from_static("tok-123456"));
        headers.insert("accept", HeaderValue::from_static("application/json"));
        let shown = redactor.headers(&headers);
        assert!(
            !shown.contains("tok-123456") && !shown.contains("k-abc"),
            "{shown}"
        );
        assert!(shown.contains("accept: application/json"), "{shown}");
    }

    #[test]
    fn bodies_are_redacted_by_key_value_and_form_field() {
        let redactor = Redactor::new(
            vec!["pa55word!".to_owned()],
            vec!["pin".to_owned()],
            Vec::new(),
        );
        let json = br#"{"user":"ann","password":"x","pin":"1234","note":"pa55word!","nested":[{"client_secret":"cs"}]}"#;
        let shown = redactor.body(json);
        for secret in ["\"x\"", "1234", "pa55word", "\"cs\""] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert!(shown.contains("ann"));
        let form = redactor.body(b"grant_type=client_credentials&client_secret=cs99&scope=read");
        assert!(
            !form.contains("cs99") && form.contains("scope=read"),
            "{form}"
        );
        assert_eq!(
            redactor.body(&[0xff, 0xfe, 0x00]),
            "<3 bytes of binary data>"
        );
    }
}
