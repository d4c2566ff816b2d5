//! Delivery of forwarded log lines to the on-prem agent: a bounded queue, one background
//! thread posting each line, a flush with a deadline, and a single stderr line when
//! anything could not be delivered.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::AgentConfig;

/// How many records may wait for the agent; past that, records are dropped (and counted).
const QUEUE_CAPACITY: usize = 64;

/// How long one POST may take before it counts as failed.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

/// The name of the sending thread; records logged on it are not forwarded (no loops).
pub(crate) const WORKER_NAME: &str = "agent-log-forwarder";

/// The queue between the layer and the sending thread, and what went wrong with it.
pub(crate) struct Sender {
    config: AgentConfig,
    /// The sending end (the thread starts on the first line; `None` again once flushed).
    state: Mutex<Sending>,
    /// Lines queued and not yet sent or failed.
    pending: AtomicUsize,
    /// Lines dropped because the queue was full or already flushed.
    dropped: AtomicUsize,
    /// Whether the one stderr line about a failure was printed.
    reported: AtomicBool,
}

#[derive(Default)]
struct Sending {
    started: bool,
    queue: Option<tokio::sync::mpsc::Sender<String>>,
    done: Option<std::sync::mpsc::Receiver<()>>,
}

impl Sender {
    pub(crate) fn new(config: AgentConfig) -> Arc<Sender> {
        Arc::new(Sender {
            config,
            state: Mutex::new(Sending::default()),
            pending: AtomicUsize::new(0),
            dropped: AtomicUsize::new(0),
            reported: AtomicBool::new(false),
        })
    }

    /// Queues one line without waiting; starts the sending thread on the first one.
    pub(crate) fn enqueue(self: &Arc<Self>, line: String) {
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        if !state.started {
            state.started = true;
            let (queue, receiver) = tokio::sync::mpsc::channel(QUEUE_CAPACITY);
            let (done_tx, done_rx) = std::sync::mpsc::channel();
            let sender = Arc::clone(self);
            let spawned = std::thread::Builder::new()
                .name(WORKER_NAME.to_owned())
                .spawn(move || {
                    sender.send_all(receiver);
                    let _ = done_tx.send(());
                });
            match spawned {
                Ok(_) => {
                    state.queue = Some(queue);
                    state.done = Some(done_rx);
                }
                Err(err) => self.report(&format!("cannot start the sending thread: {err}")),
            }
        }
        // Counted before it is queued, so the thread never sees it uncounted.
        self.pending.fetch_add(1, Ordering::SeqCst);
        let queued = state
            .queue
            .as_ref()
            .is_some_and(|queue| queue.try_send(line).is_ok());
        if !queued {
            self.pending.fetch_sub(1, Ordering::SeqCst);
            self.dropped.fetch_add(1, Ordering::SeqCst);
        }
    }

    /// The sending thread: posts each queued line until [`Sender::flush`] closes the queue.
    fn send_all(&self, mut receiver: tokio::sync::mpsc::Receiver<String>) {
        let runtime = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(runtime) => runtime,
            Err(err) => {
                self.report(&format!("cannot start the async runtime: {err}"));
                return;
            }
        };
        // reqwest is built without a default TLS provider; install ring's unless one is.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = match reqwest::Client::builder().timeout(REQUEST_TIMEOUT).build() {
            Ok(client) => client,
            Err(_) => {
                self.report("cannot build the HTTP client");
                return;
            }
        };
        runtime.block_on(async {
            while let Some(line) = receiver.recv().await {
                if let Err(reason) = self.post(&client, line).await {
                    self.report(&reason);
                }
                self.pending.fetch_sub(1, Ordering::SeqCst);
            }
        });
    }

    /// One POST to the agent. The error says why, without the URL or the key.
    async fn post(&self, client: &reqwest::Client, line: String) -> Result<(), String> {
        let body = serde_json::json!({
            "agent_identifier": self.config.agent_identifier,
            "log": line,
        });
        let response = client
            .post(&self.config.endpoint)
            .bearer_auth(self.config.api_key.expose())
            .header("X-Agent-Identifier", &self.config.agent_identifier)
            .json(&body)
            .send()
            .await
            .map_err(|err| {
                if err.is_timeout() {
                    "the agent did not answer in time"
                } else if err.is_connect() {
                    "cannot connect to the agent"
                } else if err.is_builder() {
                    "the agent's URL, identifier or API key cannot be used in a request"
                } else {
                    "the request to the agent failed"
                }
                .to_owned()
            })?;
        let status = response.status();
        if status.is_success() {
            Ok(())
        } else {
            Err(format!("the agent answered HTTP {}", status.as_u16()))
        }
    }

    /// Closes the queue and waits up to `deadline` for the sending thread to empty it.
    pub(crate) fn flush(&self, deadline: Duration) {
        let done = match self.state.lock() {
            Ok(mut state) => {
                state.queue = None;
                state.done.take()
            }
            Err(_) => None,
        };
        if let Some(done) = done
            && done.recv_timeout(deadline).is_err()
        {
            let waiting = self.pending.load(Ordering::SeqCst);
            self.report(&format!(
                "{waiting} record(s) not delivered within {} s",
                deadline.as_secs_f32()
            ));
        }
        let dropped = self.dropped.swap(0, Ordering::SeqCst);
        if dropped > 0 {
            self.report(&format!(
                "{dropped} record(s) dropped (the queue holds {QUEUE_CAPACITY})"
            ));
        }
    }

    /// Lines queued and not yet sent or failed.
    #[cfg(test)]
    pub(crate) fn pending(&self) -> usize {
        self.pending.load(Ordering::SeqCst)
    }

    /// Whether a delivery failure was reported on stderr.
    #[cfg(test)]
    pub(crate) fn reported(&self) -> bool {
        self.reported.load(Ordering::SeqCst)
    }

    /// Prints the single stderr line about a delivery failure (later ones are silent).
    fn report(&self, reason: &str) {
        if !self.reported.swap(true, Ordering::SeqCst) {
            eprintln!(
                "warning: cannot forward ERROR logs to the on-prem agent at {}: {reason}",
                shown_endpoint(&self.config.endpoint)
            );
        }
    }
}

/// The endpoint without user info, query or fragment (which could carry a secret).
fn shown_endpoint(endpoint: &str) -> String {
    match url::Url::parse(endpoint) {
        Ok(mut url) => {
            let _ = url.set_username("");
            let _ = url.set_password(None);
            url.set_query(None);
            url.set_fragment(None);
            url.to_string()
        }
        Err(_) => "an invalid URL".to_owned(),
    }
}
