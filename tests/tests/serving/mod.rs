//! Helpers of the serving tests: a server of one connector on a loopback port, an HTTP
//! client, the recorded runs, and `tortoise-app serve` as a child process.

#![allow(dead_code)]

use std::io::{BufRead as _, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use connector_sdk::Connector;
use connector_sdk::serve::{ServeError, ServeOptions, Server};
use serde_json::{Value, json};

use crate::common::*;

/// The caller token of the servers that need one.
pub const CALLER: &str = "caller-token-7d1f0c";

/// A running server: its base URL and how to stop it.
pub struct Running {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    stop: tokio::sync::oneshot::Sender<()>,
    done: tokio::task::JoinHandle<Result<bool, ServeError>>,
}

impl Running {
    /// Stops the server and checks every call finished.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        assert!(
            self.done
                .await
                .expect("the server task")
                .expect("the server")
        );
    }
}

/// Server options for tests: a free loopback port, no access lines.
pub fn options() -> ServeOptions {
    ServeOptions {
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        access_log: false,
        ..ServeOptions::default()
    }
}

/// Starts a server of `connector` in this runtime.
pub async fn start<C: Connector>(connector: C, options: ServeOptions) -> Running {
    let server = Server::bind_connector(connector, options)
        .await
        .expect("binds");
    let base = format!("http://{}", server.local_addr());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let done = tokio::spawn(server.run_until(async {
        let _ = stopped.await;
    }));
    Running { base, stop, done }
}

/// An HTTP client (rustls needs its crypto provider installed first).
pub fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("a client")
}

/// POSTs `body` to `path` and returns the status, content type and body text.
pub async fn post(client: &reqwest::Client, url: String, body: String) -> (u16, String, String) {
    let answer = client.post(url).body(body).send().await.expect("an answer");
    let status = answer.status().as_u16();
    let content_type = answer
        .headers()
        .get("content-type")
        .map(|value| value.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, content_type, answer.text().await.unwrap())
}

/// A recorded run of the reference from `connector-sdk/tests/data/`.
pub fn reference(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../connector-sdk/tests/data")
        .join(format!("{name}.json"));
    parse(&std::fs::read_to_string(path).unwrap())
}

/// A `nap` request envelope of the tortoise connector.
pub fn nap(millis: u64, tag: u64) -> String {
    json!({"auth": {"token": {"token": "t"}}, "request": {"millis": millis, "tag": tag}})
        .to_string()
}

/// Starts `tortoise-app serve` (with `env` added) and returns it with the address it
/// printed and the rest of its stderr.
pub fn spawn_tortoise(
    dir: &Path,
    env: &[(&str, &str)],
) -> (
    std::process::Child,
    String,
    BufReader<std::process::ChildStderr>,
) {
    let mut child = command(&tortoise_app(), dir)
        .env_remove("CONNECTOR_SERVER_TOKEN")
        .envs(env.iter().copied())
        .args(["serve", "--port", "0", "--grace-seconds", "10"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("tortoise-app starts");
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    while !line.starts_with("serving on") {
        line.clear();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "tortoise-app did not start"
        );
    }
    let base = line
        .split_whitespace()
        .find(|word| word.starts_with("http://"))
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_owned();
    (child, base, stderr)
}

/// The slow and panicking test connector's binary.
pub fn tortoise_app() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_BIN_EXE_tortoise-app"))
}
