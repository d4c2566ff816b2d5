//! DEBUG logging of the HTTP toolkit, captured: requests and responses are logged, and no
//! secret reaches the log (headers, query parameters, JSON keys, settings marked secret,
//! credential values echoed by the app).
#![cfg(feature = "http")]

mod http_support;

use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};

use connector_sdk::http::{Auth, HttpSettings};
use connector_sdk::{Context, ErrorCode, Secret};
use http_support::{TOKEN, recorded};
use serde_json::json;
use tracing_subscriber::fmt::MakeWriter;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A log sink shared by the test and the subscriber.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(PoisonError::into_inner)).into_owned()
    }
}

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// Settings with a field marked secret (its schema carries `x-secret`).
#[derive(schemars::JsonSchema)]
struct Settings {
    base_url: String,
    // Read only through its schema, which marks it secret.
    #[allow(dead_code)]
    signing_salt: Secret,
}

impl HttpSettings for Settings {
    fn base_url(&self) -> &str {
        &self.base_url
    }
}

const SALT: &str = "salt-9a8b7c6d";
const PASSWORD: &str = "pa55-Word-42";
const COOKIE: &str = "session=ck-77aa99bb";
const API_KEY: &str = "key-0f1e2d3c4b";

#[tokio::test]
async fn nothing_secret_reaches_the_debug_log() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/login"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("set-cookie", COOKIE)
                .insert_header("x-request-id", "req-1")
                .set_body_json(json!({
                    "access_token": "at-from-app-123",
                    "user": {"name": "ann", "password": PASSWORD},
                    "signing_salt": SALT,
                    "echo": TOKEN,
                })),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/denied"))
        .respond_with(
            ResponseTemplate::new(401).set_body_json(json!({"error": "bad token", "token": TOKEN})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/keyed"))
        .respond_with(ResponseTemplate::new(200).set_body_string(format!("key was {API_KEY}")))
        .mount(&server)
        .await;

    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(captured.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let (config, _) = recorded();
    let settings = Settings {
        base_url: server.uri(),
        signing_salt: Secret::from(SALT),
    };
    let cx = Context::for_tests("test_app", settings, ());
    let api = config
        .client(&cx)
        .unwrap()
        .with_auth(Auth::bearer(Secret::from(TOKEN)));
    api.post("/login")
        .header("cookie", COOKIE)
        .json(&json!({"username": "ann", "password": PASSWORD, "client_secret": "cs-1234abcd"}))
        .send()
        .await
        .unwrap();
    let denied = api.get("/denied").send().await.unwrap_err();
    assert_eq!(denied.code(), ErrorCode::Unauthorized);
    assert!(!denied.message().contains(TOKEN));
    let api = api.with_auth(Auth::query("api_key", Secret::from(API_KEY)));
    api.get("/keyed").send().await.unwrap();
    let api = api.with_auth(Auth::header("X-Custom-Auth", Secret::from(API_KEY)));
    api.get("/keyed").send().await.unwrap();

    let log = captured.text();
    assert!(
        log.contains("HTTP request") && log.contains("HTTP response"),
        "{log}"
    );
    assert!(
        log.contains("status=401") && log.contains("/login"),
        "{log}"
    );
    assert!(
        log.contains("\"name\":\"ann\""),
        "non-secret fields stay readable: {log}"
    );
    for secret in [
        TOKEN,
        PASSWORD,
        SALT,
        COOKIE,
        "ck-77aa99bb",
        API_KEY,
        "at-from-app-123",
        "cs-1234abcd",
    ] {
        assert!(!log.contains(secret), "{secret} is in the log:\n{log}");
    }
}
