//! Forwarding of ERROR log records to the on-prem agent, as the reference's log handler:
//! with `LUMOS_ON_PREMISE_AGENT_SEND_CRITICAL_LOGS_TO_LUMOS=true` and `LUMOS_AGENT_IDENTIFIER`
//! set, each ERROR record is POSTed to `<LUMOS_ON_PREMISE_AGENT_BASE_URL>/logs` as
//! `{"agent_identifier": …, "log": …}` with `Authorization: Bearer <LUMOS_ON_PREMISE_AGENT_API_KEY>`
//! and `X-Agent-Identifier` (feature `http`).
//!
//! This file owns the switch (the variables), the [`tracing`] layer and the text it sends
//! (`HH:MM:SS,mmm <target> ERROR <message> <fields>`, redacted); `sender.rs` owns the
//! delivery. Unlike the reference, a record never waits for the agent: the layer puts the
//! line on a bounded queue and a background thread sends it; [`flush`], called by the CLI
//! before it exits, waits at most [`FLUSH_DEADLINE`]. A record that cannot be delivered
//! (the agent refuses, hangs, answers an error, or the queue is full) is reported once,
//! in one line on stderr; the call itself is neither slowed nor failed.

#[cfg(feature = "http")]
mod sender;

use std::time::Duration;

use serde_json::Value;
use tracing::Subscriber;
use tracing::field::{Field, Visit};
use tracing_subscriber::util::SubscriberInitExt as _;

use crate::secret::Secret;

/// How long [`flush`] waits, at most, for queued records to reach the agent.
pub const FLUSH_DEADLINE: Duration = Duration::from_secs(2);

/// Where and as whom records are forwarded, read from the environment.
#[derive(Debug, Clone)]
pub(crate) struct AgentConfig {
    /// `<LUMOS_ON_PREMISE_AGENT_BASE_URL>/logs`.
    endpoint: String,
    /// `LUMOS_ON_PREMISE_AGENT_API_KEY` (its `Debug` is `[REDACTED]`).
    api_key: Secret,
    /// `LUMOS_AGENT_IDENTIFIER`.
    agent_identifier: String,
}

impl AgentConfig {
    /// Reads the forwarding variables through `var`. `Ok(None)` when forwarding is off
    /// (the switch is not `true`, or no agent identifier); `Err` with a one-line reason
    /// when it is asked for but cannot work (no base URL or API key).
    fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Option<AgentConfig>, String> {
        let wanted = var("LUMOS_ON_PREMISE_AGENT_SEND_CRITICAL_LOGS_TO_LUMOS")
            .is_some_and(|value| value.eq_ignore_ascii_case("true"));
        let identifier = var("LUMOS_AGENT_IDENTIFIER").filter(|id| !id.is_empty());
        let (true, Some(agent_identifier)) = (wanted, identifier) else {
            return Ok(None);
        };
        let missing = |name: &str| {
            format!("{name} is not set, so ERROR logs are not forwarded to the on-prem agent")
        };
        let base_url = var("LUMOS_ON_PREMISE_AGENT_BASE_URL")
            .filter(|url| !url.trim().is_empty())
            .ok_or_else(|| missing("LUMOS_ON_PREMISE_AGENT_BASE_URL"))?;
        let api_key = var("LUMOS_ON_PREMISE_AGENT_API_KEY")
            .filter(|key| !key.is_empty())
            .ok_or_else(|| missing("LUMOS_ON_PREMISE_AGENT_API_KEY"))?;
        Ok(Some(AgentConfig {
            endpoint: format!("{}/logs", base_url.trim().trim_end_matches('/')),
            api_key: Secret::new(api_key),
            agent_identifier,
        }))
    }
}

/// The [`tracing_subscriber::Layer`] that queues each ERROR record, formatted and redacted.
#[cfg(feature = "http")]
struct AgentLogLayer {
    sender: std::sync::Arc<sender::Sender>,
    /// Key names to redact beyond the SDK's rule (which reads
    /// `LUMOS_ADDITIONAL_REDACTED_LOG_KEYS` itself): none but in tests.
    extra_keys: Vec<String>,
}

#[cfg(feature = "http")]
impl<S: Subscriber> tracing_subscriber::Layer<S> for AgentLogLayer {
    fn on_event(
        &self,
        event: &tracing::Event<'_>,
        _ctx: tracing_subscriber::layer::Context<'_, S>,
    ) {
        if *event.metadata().level() != tracing::Level::ERROR
            || std::thread::current().name() == Some(sender::WORKER_NAME)
        {
            return;
        }
        // The call's own credential values go too, whatever their key.
        self.sender
            .enqueue(crate::scrub::scrub(&log_line(event, &self.extra_keys)));
    }
}

/// The text forwarded for `event`: `HH:MM:SS,mmm <target> ERROR <message> <name>=<value>…`
/// (the reference's record format), redacted.
#[cfg_attr(not(feature = "http"), allow(dead_code))]
fn log_line(event: &tracing::Event<'_>, extra_keys: &[String]) -> String {
    use tracing_subscriber::fmt::format::Writer;
    use tracing_subscriber::fmt::time::FormatTime as _;

    let mut fields = Fields {
        extra_keys,
        message: String::new(),
        rest: String::new(),
    };
    event.record(&mut fields);
    let mut time = String::new();
    let _ = crate::logging::ClockTime.format_time(&mut Writer::new(&mut time));
    format!(
        "{time} {} {} {}{}",
        event.metadata().target(),
        event.metadata().level(),
        fields.message,
        fields.rest
    )
}

/// Collects an event's message and its other fields, redacted.
struct Fields<'a> {
    extra_keys: &'a [String],
    message: String,
    rest: String,
}

impl Visit for Fields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.record_debug(field, &format_args!("{value}"));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let name = field.name();
        let text = format!("{value:?}");
        if name == "message" {
            self.message = redact_text(&text, self.extra_keys);
        } else if crate::redact::is_secret_key(name, self.extra_keys) {
            self.rest
                .push_str(&format!(" {name}={}", crate::redact::REDACTED_VALUE));
        } else {
            let shown = redact_text(&text, self.extra_keys);
            self.rest.push_str(&format!(" {name}={shown}"));
        }
    }
}

/// Redacts the JSON in a log text by the crate's key rule ([`crate::redact::redact_keys`]):
/// the whole text when it is JSON, else the JSON object or array that ends it (as in
/// `Command arguments: {…}`).
fn redact_text(text: &str, extra_keys: &[String]) -> String {
    let starts = text
        .char_indices()
        .filter(|(_, c)| *c == '{' || *c == '[')
        .map(|(at, _)| at);
    for at in starts {
        if let Ok(mut value) = serde_json::from_str::<Value>(&text[at..]) {
            crate::redact::redact_keys(&mut value, extra_keys);
            return format!("{}{value}", &text[..at]);
        }
    }
    text.to_owned()
}

/// The process's sender, once logging is set up with forwarding on.
#[cfg(feature = "http")]
static SENDER: std::sync::OnceLock<std::sync::Arc<sender::Sender>> = std::sync::OnceLock::new();

/// Installs `subscriber` as the global default, with the agent layer on top when the
/// forwarding variables ask for it. A configuration that cannot work is one stderr line.
pub(crate) fn try_init<S>(subscriber: S)
where
    S: Subscriber + Send + Sync + 'static,
{
    match AgentConfig::from_vars(|name| std::env::var(name).ok()) {
        Ok(None) => {
            let _ = subscriber.try_init();
        }
        #[cfg(feature = "http")]
        Ok(Some(config)) => {
            use tracing_subscriber::layer::SubscriberExt as _;
            let sender = sender::Sender::new(config);
            let layer = AgentLogLayer {
                sender: std::sync::Arc::clone(&sender),
                extra_keys: Vec::new(),
            };
            if subscriber.with(layer).try_init().is_ok() {
                let _ = SENDER.set(sender);
            }
        }
        #[cfg(not(feature = "http"))]
        Ok(Some(_)) => {
            eprintln!(
                "warning: forwarding ERROR logs to the on-prem agent needs the `http` feature of connector-sdk"
            );
            let _ = subscriber.try_init();
        }
        Err(reason) => {
            eprintln!("warning: {reason}");
            let _ = subscriber.try_init();
        }
    }
}

/// Like [`try_init`] when no log file can be written: only ERROR records, only forwarded.
pub(crate) fn try_init_without_log() {
    use tracing_subscriber::layer::SubscriberExt as _;
    try_init(tracing_subscriber::registry().with(tracing::level_filters::LevelFilter::ERROR));
}

/// Waits up to [`FLUSH_DEADLINE`] for ERROR records still on their way to the on-prem
/// agent. Call it once, before the process exits (the CLI does); records logged after it
/// are not sent. Returns at once when forwarding is off or nothing was logged.
pub fn flush() {
    #[cfg(feature = "http")]
    if let Some(sender) = SENDER.get() {
        sender.flush(FLUSH_DEADLINE);
    }
}

/// Calls [`flush`] when dropped: the CLI holds one for the length of a call.
pub(crate) struct FlushOnDrop;

impl Drop for FlushOnDrop {
    fn drop(&mut self) {
        flush();
    }
}

#[cfg(all(test, feature = "http"))]
mod tests {
    use std::sync::Arc;
    use std::time::Instant;

    use tracing_subscriber::layer::SubscriberExt as _;
    use wiremock::matchers::{header, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    use super::*;

    const KEY: &str = "agent-KEY-9f86d081884c7d65";

    fn config(base_url: &str) -> AgentConfig {
        let vars = [
            ("LUMOS_ON_PREMISE_AGENT_SEND_CRITICAL_LOGS_TO_LUMOS", "True"),
            ("LUMOS_AGENT_IDENTIFIER", "agent-7"),
            ("LUMOS_ON_PREMISE_AGENT_BASE_URL", base_url),
            ("LUMOS_ON_PREMISE_AGENT_API_KEY", KEY),
        ];
        let var = |name: &str| {
            vars.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value).to_owned())
        };
        AgentConfig::from_vars(var).unwrap().unwrap()
    }

    /// Logs `log` with a forwarding layer to `base_url` installed, then flushes; returns
    /// the sender and how long logging and flushing took.
    fn log_and_flush(
        base_url: &str,
        log: impl FnOnce(),
    ) -> (Arc<sender::Sender>, Duration, Duration) {
        let sender = sender::Sender::new(config(base_url));
        let layer = AgentLogLayer {
            sender: Arc::clone(&sender),
            extra_keys: vec!["pin".to_owned()],
        };
        let subscriber = tracing_subscriber::registry().with(layer);
        let started = Instant::now();
        tracing::subscriber::with_default(subscriber, log);
        let logging = started.elapsed();
        let started = Instant::now();
        sender.flush(FLUSH_DEADLINE);
        (sender, logging, started.elapsed())
    }

    #[test]
    fn forwarding_needs_the_switch_the_identifier_a_url_and_a_key() {
        let from = |pairs: &[(&str, &str)]| {
            let owned: Vec<(String, String)> = pairs
                .iter()
                .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
                .collect();
            AgentConfig::from_vars(move |name| {
                owned
                    .iter()
                    .find(|(key, _)| key == name)
                    .map(|(_, value)| value.clone())
            })
        };
        let switch = ("LUMOS_ON_PREMISE_AGENT_SEND_CRITICAL_LOGS_TO_LUMOS", "true");
        let id = ("LUMOS_AGENT_IDENTIFIER", "agent-7");
        let url = ("LUMOS_ON_PREMISE_AGENT_BASE_URL", "http://127.0.0.1:9/");
        let key = ("LUMOS_ON_PREMISE_AGENT_API_KEY", KEY);
        assert!(from(&[id, url, key]).unwrap().is_none());
        assert!(from(&[switch, url, key]).unwrap().is_none());
        let no_key = from(&[switch, id, url]).unwrap_err();
        assert!(
            no_key.contains("LUMOS_ON_PREMISE_AGENT_API_KEY"),
            "{no_key}"
        );
        let on = from(&[switch, id, url, key]).unwrap().unwrap();
        assert_eq!(on.endpoint, "http://127.0.0.1:9/logs");
        assert!(!format!("{on:?}").contains(KEY));
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn an_error_reaches_the_agent_with_its_headers_redacted() {
        let agent = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/base/logs"))
            .and(header("authorization", format!("Bearer {KEY}").as_str()))
            .and(header("x-agent-identifier", "agent-7"))
            .respond_with(ResponseTemplate::new(200))
            .expect(1)
            .mount(&agent)
            .await;
        let base = format!("{}/base/", agent.uri());
        let (sender, _, _) = tokio::task::spawn_blocking(move || {
            log_and_flush(&base, || {
                tracing::info!("not an error, not forwarded");
                tracing::error!(
                    api_key = "k-123",
                    pin = "4321",
                    "Command arguments: {}",
                    r#"{"settings": {"password": "pw-456", "region": "eu"}}"#
                );
            })
        })
        .await
        .unwrap();
        assert_eq!(sender.pending(), 0);
        let requests = agent.received_requests().await.unwrap();
        let body: Value = serde_json::from_slice(&requests[0].body).unwrap();
        assert_eq!(body["agent_identifier"], "agent-7");
        assert_eq!(body.as_object().unwrap().len(), 2, "{body}");
        let log = body["log"].as_str().unwrap();
        assert!(
            log.contains(" ERROR Command arguments: {\"settings\""),
            "{log}"
        );
        assert!(log.contains("\"region\":\"eu\""), "{log}");
        for secret in ["k-123", "4321", "pw-456", KEY] {
            assert!(!log.contains(secret), "{secret} in {log}");
        }
    }

    #[test]
    fn a_hanging_agent_delays_the_exit_by_the_flush_deadline_at_most() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        // Accepts connections and never answers.
        std::thread::spawn(move || {
            let mut held = Vec::new();
            for stream in listener.incoming() {
                held.push(stream);
            }
        });
        let (sender, logging, flushing) = log_and_flush(&base, || {
            for _ in 0..3 {
                tracing::error!("the upstream failed");
            }
        });
        assert!(logging < Duration::from_millis(200), "{logging:?}");
        assert!(flushing >= FLUSH_DEADLINE, "{flushing:?}");
        assert!(
            flushing < FLUSH_DEADLINE + Duration::from_millis(500),
            "{flushing:?}"
        );
        assert!(sender.reported());
    }

    #[test]
    fn a_refusing_agent_is_reported_without_waiting() {
        let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", free.local_addr().unwrap());
        drop(free);
        let (sender, _, flushing) = log_and_flush(&base, || tracing::error!("the upstream failed"));
        assert!(flushing < Duration::from_secs(1), "{flushing:?}");
        assert!(sender.reported());
        assert_eq!(sender.pending(), 0);
    }

    #[test]
    fn json_at_the_end_of_a_message_is_redacted_by_key() {
        let shown = redact_text(r#"args: {"token": "t-1", "list": [1]}"#, &[]);
        assert_eq!(shown, r#"args: {"token":"REDACTED","list":[1]}"#);
        assert_eq!(redact_text("no json [here", &[]), "no json [here");
    }
}
