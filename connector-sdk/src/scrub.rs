//! The values of the calls in flight that must never be printed (their credentials and
//! secret settings), and the scrubbing of them from every log line and error message,
//! whatever key they sit under.

use std::io::{self, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use serde_json::Value;
use tracing_subscriber::fmt::MakeWriter;

/// Values shorter than this are not searched for in text (they would mangle it).
const MIN_SCRUBBED_LEN: usize = 4;

/// Credential fields that identify rather than authenticate: not scrubbed.
const IDENTIFYING_KEYS: &[&str] = &[
    "id",
    "username",
    "user",
    "login",
    "email",
    "client_id",
    "token_type",
    "scope",
    "scopes",
    "type",
];

/// The secret values of every call in flight, each set under its registration's id.
static ACTIVE: Mutex<Vec<(u64, Vec<String>)>> = Mutex::new(Vec::new());
static NEXT_ID: AtomicU64 = AtomicU64::new(0);

/// Keeps a call's secret values registered until dropped.
#[must_use = "the values are scrubbed only while the registration lives"]
pub(crate) struct Registration(u64);

impl Drop for Registration {
    fn drop(&mut self) {
        ACTIVE
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|(id, _)| *id != self.0);
    }
}

/// Registers `values` to be scrubbed from every log line and error message while the
/// returned registration lives. Each value is also searched for as it looks in JSON and
/// URL-encoded.
pub(crate) fn register(values: Vec<String>) -> Registration {
    let mut all: Vec<String> = Vec::new();
    for value in values {
        if value.chars().count() < MIN_SCRUBBED_LEN {
            continue;
        }
        let json = serde_json::to_string(&value).unwrap_or_default();
        let json = json.trim_matches('"').to_owned();
        let url = form_encoded(&value);
        all.extend([value, json, url]);
    }
    // Longest first, so a secret that contains another is removed whole.
    all.sort_by_key(|value| std::cmp::Reverse(value.len()));
    all.dedup();
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    ACTIVE
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push((id, all));
    Registration(id)
}

/// `value` as a form or query parameter carries it (`application/x-www-form-urlencoded`).
fn form_encoded(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => {
                out.push(char::from(byte));
            }
            b' ' => out.push('+'),
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

/// The secret values of a request envelope: every string under `auth` and `credentials`
/// but identifiers (ids, user names, scopes), and the settings in `secret_settings`.
pub(crate) fn envelope_secrets(envelope: &Value, secret_settings: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for root in ["auth", "credentials"] {
        if let Some(value) = envelope.get(root) {
            collect(value, &mut out);
        }
    }
    if let Some(Value::Object(settings)) = envelope.get("settings") {
        for name in secret_settings {
            if let Some(value) = settings.get(name) {
                collect(value, &mut out);
            }
        }
    }
    out
}

fn collect(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(text) => out.push(text.clone()),
        Value::Array(items) => items.iter().for_each(|item| collect(item, out)),
        Value::Object(map) => {
            for (key, inner) in map {
                if !IDENTIFYING_KEYS.contains(&key.to_ascii_lowercase().as_str()) {
                    collect(inner, out);
                }
            }
        }
        _ => {}
    }
}

/// `text` with every registered secret value replaced by `[REDACTED]`.
pub(crate) fn scrub(text: &str) -> String {
    let active = ACTIVE.lock().unwrap_or_else(PoisonError::into_inner);
    let mut out = text.to_owned();
    for value in active.iter().flat_map(|(_, values)| values) {
        if out.contains(value.as_str()) {
            out = out.replace(value.as_str(), crate::secret::REDACTED);
        }
    }
    out
}

/// A log writer maker whose writers scrub each event before it reaches the inner writer:
/// every credential and secret-setting value of the calls in flight (through the CLI,
/// `dispatch` or the server) is replaced by `[REDACTED]`, whatever key it sits under. The
/// CLI's logging uses it; a program that calls `dispatch` and installs its own tracing
/// subscriber wraps its writer in it, so its own events are scrubbed too.
///
/// ```
/// use connector_sdk::scrub::Scrubbing;
///
/// let subscriber = tracing_subscriber::fmt()
///     .with_writer(Scrubbing::new(std::io::stderr))
///     .finish();
/// # drop(subscriber);
/// ```
pub struct Scrubbing<M>(M);

impl<M> Scrubbing<M> {
    /// Scrubs what `inner`'s writers are given.
    pub fn new(inner: M) -> Self {
        Scrubbing(inner)
    }
}

impl<'a, M: MakeWriter<'a>> MakeWriter<'a> for Scrubbing<M> {
    type Writer = ScrubbingWriter<M::Writer>;

    fn make_writer(&'a self) -> Self::Writer {
        ScrubbingWriter {
            buffer: Vec::new(),
            inner: self.0.make_writer(),
        }
    }
}

/// Collects one event and writes it scrubbed when dropped (made by [`Scrubbing`]).
pub struct ScrubbingWriter<W: Write> {
    buffer: Vec<u8>,
    inner: W,
}

impl<W: Write> Write for ScrubbingWriter<W> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.buffer.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<W: Write> Drop for ScrubbingWriter<W> {
    fn drop(&mut self) {
        if self.buffer.is_empty() {
            return;
        }
        let text = scrub(&String::from_utf8_lossy(&self.buffer));
        let _ = self.inner.write_all(text.as_bytes());
        let _ = self.inner.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_calls_credentials_are_scrubbed_under_any_key_until_it_ends() {
        let envelope = json!({
            "auth": {"oauth": {"access_token": "tok-\"q\"-999", "token_type": "Bearer"}},
            "credentials": [{"id": "main", "basic": {"username": "ann", "password": "pw&=1234"}}],
            "settings": {"api_key": "set-4444", "region": "eu-1"}
        });
        let registration = register(envelope_secrets(&envelope, &["api_key".to_owned()]));
        let text = r#"{"echo":"tok-\"q\"-999","x":"pw%26%3D1234","s":"set-4444","region":"eu-1","who":"ann","t":"Bearer"}"#;
        let shown = scrub(text);
        for secret in ["999", "1234", "4444"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert!(shown.contains("eu-1") && shown.contains("ann") && shown.contains("Bearer"));
        drop(registration);
        assert!(scrub(text).contains("set-4444"));
    }

    #[test]
    fn the_log_writer_scrubs_each_event() {
        let _registration = register(vec!["writer-secret-77".to_owned()]);
        let sink = std::sync::Arc::new(Mutex::new(Vec::<u8>::new()));
        let maker = Scrubbing(SharedSink(sink.clone()));
        {
            let mut writer = maker.make_writer();
            writer.write_all(b"value=writer-secret-77 ok\n").unwrap();
        }
        let written = String::from_utf8(sink.lock().unwrap().clone()).unwrap();
        assert_eq!(written, "value=[REDACTED] ok\n");
    }

    struct SharedSink(std::sync::Arc<Mutex<Vec<u8>>>);

    impl<'a> MakeWriter<'a> for SharedSink {
        type Writer = SinkWriter;
        fn make_writer(&'a self) -> SinkWriter {
            SinkWriter(self.0.clone())
        }
    }

    struct SinkWriter(std::sync::Arc<Mutex<Vec<u8>>>);

    impl Write for SinkWriter {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
}
