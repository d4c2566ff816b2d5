//! Record and replay of HTTP exchanges ([`Cassette`]): with `CONNECTOR_RECORD=<file>` the
//! toolkit appends every exchange to a cassette (JSON lines), redacted before it touches
//! the disk; with `CONNECTOR_REPLAY=<file>` it answers from the cassette instead of the
//! network and fails on a request the cassette does not hold. Tests use
//! [`Cassette::record`] and [`Cassette::replay`] with [`Cassette::scope`] instead of the
//! environment.
//!
//! What a line holds: the method, the URL, the request's and the response's headers and
//! bodies, and the status (the request's own headers; the headers every request of the
//! setup carries, such as `User-Agent`, are not repeated). Before it is written, secret-looking header and query names,
//! JSON keys with secret-looking names (the crate's one key-name rule), form fields with
//! secret names, settings marked secret, and the very values of the request's credentials
//! wherever they appear are replaced; the file is created with mode 0600.
//!
//! A replayed request matches a recorded one by method, path with query, and request
//! body (after the same redaction), whatever the host: a cassette recorded against one
//! server replays against any base URL. Matching entries are served in recorded order;
//! once all are used, the last one answers again.

use std::fs::{File, OpenOptions};
use std::future::Future;
use std::io::{BufRead, BufReader, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use base64::Engine as _;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{StatusCode, Url};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::logging::Redactor;
use super::transport::{Exchange, Exchanged, exchange};
use crate::error::{ConnectorError, Result};
use crate::redact::REDACTED_VALUE;

/// The environment variable naming a cassette to record into (appended to).
pub const RECORD_ENV: &str = "CONNECTOR_RECORD";
/// The environment variable naming a cassette to replay from.
pub const REPLAY_ENV: &str = "CONNECTOR_REPLAY";

/// The largest cassette replayed (64 MiB): a bigger file is refused, not read.
const MAX_CASSETTE_BYTES: u64 = 64 * 1024 * 1024;

/// A cassette of recorded HTTP exchanges, being written or being replayed.
///
/// ```no_run
/// use connector_sdk::http::Cassette;
///
/// # async fn demo() -> connector_sdk::Result<()> {
/// let cassette = Cassette::replay("tests/data/list_accounts.jsonl")?;
/// let out = cassette.scope(async { /* call the connector */ 42 }).await;
/// # let _ = out; Ok(()) }
/// ```
#[derive(Clone)]
pub struct Cassette {
    tape: Arc<Tape>,
}

impl std::fmt::Debug for Cassette {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mode = match &self.tape.mode {
            Mode::Record(_) => "record",
            Mode::Replay { .. } => "replay",
        };
        f.debug_struct("Cassette")
            .field("mode", &mode)
            .field("path", &self.tape.path)
            .finish()
    }
}

struct Tape {
    path: PathBuf,
    mode: Mode,
}

enum Mode {
    Record(Mutex<File>),
    Replay {
        entries: Vec<Entry>,
        used: Mutex<Vec<bool>>,
    },
}

/// One recorded exchange: a line of the cassette.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
struct Entry {
    method: String,
    url: String,
    request_headers: Vec<(String, String)>,
    request_body: Body,
    status: u16,
    response_headers: Vec<(String, String)>,
    response_body: Body,
}

/// A body as kept in a cassette.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "snake_case")]
enum Body {
    /// No body.
    #[default]
    Empty,
    /// A JSON document.
    Json(Value),
    /// UTF-8 text that is not JSON.
    Text(String),
    /// Anything else, base64-encoded.
    Base64(String),
}

tokio::task_local! {
    static SCOPED: Cassette;
}

impl Cassette {
    /// A new cassette at `path` (replacing one there), written with mode 0600.
    pub fn record(path: impl AsRef<Path>) -> Result<Self> {
        Self::open_record(path.as_ref(), false)
    }

    /// The cassette at `path`, to answer requests from.
    pub fn replay(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let unreadable = |what: &str| {
            ConnectorError::internal_error(format!(
                "The cassette {} cannot be replayed: {what}.",
                path.display()
            ))
        };
        let file = File::open(path).map_err(|err| unreadable(&err.kind().to_string()))?;
        let mut entries = Vec::new();
        let reader = BufReader::new(file.take(MAX_CASSETTE_BYTES + 1));
        let mut read = 0u64;
        for (number, line) in reader.lines().enumerate() {
            let line = line.map_err(|_| unreadable("it is not UTF-8 text"))?;
            read += line.len() as u64 + 1;
            if read > MAX_CASSETTE_BYTES {
                return Err(unreadable("it is larger than 64 MiB"));
            }
            if line.trim().is_empty() {
                continue;
            }
            let entry = serde_json::from_str::<Entry>(&line).map_err(|_| {
                unreadable(&format!("line {} is not a recorded exchange", number + 1))
            })?;
            entries.push(entry);
        }
        let used = Mutex::new(vec![false; entries.len()]);
        Ok(Cassette {
            tape: Arc::new(Tape {
                path: path.to_owned(),
                mode: Mode::Replay { entries, used },
            }),
        })
    }

    /// Runs `future` with this cassette: every request the toolkit sends inside it is
    /// recorded, or answered from the cassette (the environment's cassette is ignored).
    pub async fn scope<F: Future>(&self, future: F) -> F::Output {
        SCOPED.scope(self.clone(), future).await
    }

    /// How many recorded exchanges a replay has not served yet (0 when recording).
    pub fn unused(&self) -> usize {
        match &self.tape.mode {
            Mode::Record(_) => 0,
            Mode::Replay { used, .. } => used
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .iter()
                .filter(|used| !**used)
                .count(),
        }
    }

    fn open_record(path: &Path, append: bool) -> Result<Self> {
        let refuse = |what: String| {
            ConnectorError::internal_error(format!(
                "The cassette {} cannot be written: {what}.",
                path.display()
            ))
        };
        if std::fs::symlink_metadata(path).is_ok_and(|meta| meta.file_type().is_symlink()) {
            return Err(refuse("it is a symbolic link".to_owned()));
        }
        let mut options = OpenOptions::new();
        options.create(true);
        if append {
            options.append(true);
        } else {
            options.write(true).truncate(true);
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(0o600);
        }
        let file = options
            .open(path)
            .map_err(|err| refuse(err.kind().to_string()))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            file.set_permissions(std::fs::Permissions::from_mode(0o600))
                .map_err(|err| refuse(err.kind().to_string()))?;
        }
        Ok(Cassette {
            tape: Arc::new(Tape {
                path: path.to_owned(),
                mode: Mode::Record(Mutex::new(file)),
            }),
        })
    }

    /// The cassette in force: the scoped one, else the environment's.
    fn current() -> Result<Option<Cassette>> {
        if let Ok(scoped) = SCOPED.try_with(Cassette::clone) {
            return Ok(Some(scoped));
        }
        static FROM_ENV: OnceLock<std::result::Result<Option<Cassette>, ConnectorError>> =
            OnceLock::new();
        FROM_ENV.get_or_init(from_env).clone()
    }
}

/// The cassette the environment names, if any.
fn from_env() -> Result<Option<Cassette>> {
    let named = |name: &str| std::env::var_os(name).filter(|value| !value.is_empty());
    match (named(RECORD_ENV), named(REPLAY_ENV)) {
        (None, None) => Ok(None),
        (Some(_), Some(_)) => Err(ConnectorError::internal_error(format!(
            "Set {RECORD_ENV} or {REPLAY_ENV}, not both."
        ))),
        (Some(path), None) => Cassette::open_record(Path::new(&path), true).map(Some),
        (None, Some(path)) => Cassette::replay(path).map(Some),
    }
}

/// One exchange through the cassette in force, or over the network when there is none.
pub(super) async fn exchange_or_replay(
    http: &reqwest::Client,
    redactor: &Redactor,
    request: reqwest::Request,
    max: usize,
) -> Result<std::result::Result<Exchange, Exchanged>> {
    let Some(cassette) = Cassette::current()? else {
        return Ok(exchange(http, request, max).await);
    };
    let method = request.method().to_string();
    let url = request.url().clone();
    let request_headers = headers(redactor, request.headers());
    let request_body = body(
        redactor,
        request
            .body()
            .and_then(reqwest::Body::as_bytes)
            .unwrap_or_default(),
    );
    match &cassette.tape.mode {
        Mode::Replay { entries, used } => {
            let wanted = path_and_query(&redactor.url(&url));
            let mut used = used.lock().unwrap_or_else(PoisonError::into_inner);
            let matching = |entry: &Entry| {
                entry.method == method
                    && path_and_query(&entry.url) == wanted
                    && entry.request_body == request_body
            };
            let index = (0..entries.len())
                .find(|&index| !used[index] && matching(&entries[index]))
                .or_else(|| (0..entries.len()).rev().find(|&i| matching(&entries[i])));
            let Some(index) = index else {
                return Err(ConnectorError::internal_error(format!(
                    "The cassette {} holds no response to {method} {wanted}.",
                    cassette.tape.path.display()
                )));
            };
            used[index] = true;
            Ok(Ok(replayed(&entries[index], url)))
        }
        Mode::Record(file) => {
            let exchanged = exchange(http, request, max).await;
            if let Ok(exchanged) = &exchanged {
                let entry = Entry {
                    method,
                    url: redactor.url(&url),
                    request_headers,
                    request_body,
                    status: exchanged.status.as_u16(),
                    response_headers: headers(redactor, &exchanged.headers),
                    response_body: body(redactor, &exchanged.body),
                };
                let mut line = serde_json::to_string(&entry).map_err(|_| {
                    ConnectorError::internal_error("An exchange could not be recorded.")
                })?;
                line.push('\n');
                let mut file = file.lock().unwrap_or_else(PoisonError::into_inner);
                file.write_all(line.as_bytes()).map_err(|err| {
                    ConnectorError::internal_error(format!(
                        "The cassette {} cannot be written: {}.",
                        cassette.tape.path.display(),
                        err.kind()
                    ))
                })?;
            }
            Ok(exchanged)
        }
    }
}

/// The path and query of a URL as recorded (`/v2/Users?count=2`).
fn path_and_query(url: &str) -> String {
    match Url::parse(url) {
        Ok(url) => match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        },
        Err(_) => url.to_owned(),
    }
}

/// A recorded exchange as the transport would have returned it.
fn replayed(entry: &Entry, url: Url) -> Exchange {
    let mut headers = HeaderMap::new();
    for (name, value) in &entry.response_headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            headers.append(name, value);
        }
    }
    let body = match &entry.response_body {
        Body::Empty => Vec::new(),
        Body::Json(value) => value.to_string().into_bytes(),
        Body::Text(text) => text.clone().into_bytes(),
        Body::Base64(encoded) => base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .unwrap_or_default(),
    };
    Exchange {
        url,
        status: StatusCode::from_u16(entry.status).unwrap_or(StatusCode::OK),
        headers,
        body,
    }
}

/// Headers as recorded: secret ones replaced, credential values scrubbed from the rest.
fn headers(redactor: &Redactor, headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            let shown = if value.is_sensitive() || redactor.is_secret_name(name.as_str()) {
                REDACTED_VALUE.to_owned()
            } else {
                redactor.scrub(&String::from_utf8_lossy(value.as_bytes()))
            };
            (name.as_str().to_owned(), shown)
        })
        .collect()
}

/// A body as recorded: JSON with secret keys redacted and credential values scrubbed,
/// text (form fields with secret names redacted), or base64 for bytes.
fn body(redactor: &Redactor, bytes: &[u8]) -> Body {
    if bytes.is_empty() {
        return Body::Empty;
    }
    if let Ok(mut json) = serde_json::from_slice::<Value>(bytes) {
        redactor.redact_json(&mut json);
        scrub_strings(redactor, &mut json);
        return Body::Json(json);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Body::Text(redactor.scrub(&redactor.form(text))),
        Err(_) => Body::Base64(base64::engine::general_purpose::STANDARD.encode(bytes)),
    }
}

/// Scrubs credential values from every string (and key) inside a JSON value.
fn scrub_strings(redactor: &Redactor, value: &mut Value) {
    match value {
        Value::String(text) => *text = redactor.scrub(text),
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| scrub_strings(redactor, item)),
        Value::Object(map) => {
            let entries = std::mem::take(map);
            for (key, mut inner) in entries {
                scrub_strings(redactor, &mut inner);
                map.insert(redactor.scrub(&key), inner);
            }
        }
        _ => {}
    }
}
