//! Record and replay through the HTTP toolkit: a recorded cassette holds no credential or
//! secret-looking value, is private to its owner, and answers the same requests later
//! without the network, refusing one it does not hold.

use connector_sdk::http::{Cassette, HttpConfig};
use connector_sdk::models::TokenCredential;
use connector_sdk::{Context, ErrorCode, Secret};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "tok-abcdef123456";

fn context(base: String) -> Context<String, TokenCredential> {
    Context::for_tests(
        "app",
        base,
        TokenCredential {
            token: Secret::from(TOKEN),
        },
    )
}

async fn create_user(
    config: &HttpConfig,
    cx: &Context<String, TokenCredential>,
) -> connector_sdk::Result<Value> {
    config
        .client(cx)?
        .post("/users?api_key=qk-99999&expand=groups")
        .json(&json!({"name": "ann", "password": "pw-secret-1", "note": TOKEN}))
        .fetch()
        .await
}

async fn recorded(file: &std::path::Path) -> Value {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/users"))
        .respond_with(
            ResponseTemplate::new(201)
                .insert_header("set-cookie", "session=cookie-secret-5")
                .set_body_json(json!({"id": "u1", "name": "ann", "api_token": "resp-secret-77", "echo": TOKEN})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let cassette = Cassette::record(file).unwrap();
    let config = HttpConfig::new("app", "1.0.0");
    let cx = context(server.uri());
    cassette.scope(create_user(&config, &cx)).await.unwrap()
}

#[tokio::test]
async fn a_recorded_cassette_holds_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cassette.jsonl");
    let live = recorded(&file).await;
    assert_eq!(
        live["api_token"], "resp-secret-77",
        "the connector itself sees the real answer"
    );
    let text = std::fs::read_to_string(&file).unwrap();
    for secret in [
        TOKEN,
        "qk-99999",
        "pw-secret-1",
        "resp-secret-77",
        "cookie-secret-5",
    ] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
    let line: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(line["method"], "POST");
    assert_eq!(line["status"], 201);
    assert_eq!(line["request_body"]["json"]["name"], "ann");
    assert_eq!(line["response_body"]["json"]["id"], "u1");
    assert!(line["url"].as_str().unwrap().contains("expand=groups"));
}

#[cfg(unix)]
#[tokio::test]
async fn a_cassette_is_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cassette.jsonl");
    recorded(&file).await;
    let mode = std::fs::metadata(&file).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[tokio::test]
async fn a_cassette_replays_without_the_network_and_refuses_other_requests() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cassette.jsonl");
    recorded(&file).await;
    // The server is gone; an unused port stands for the app.
    let cassette = Cassette::replay(&file).unwrap();
    let config = HttpConfig::new("app", "1.0.0");
    let cx = context("http://127.0.0.1:9/".to_owned());
    let replayed = cassette.scope(create_user(&config, &cx)).await.unwrap();
    assert_eq!(replayed["id"], "u1");
    assert_eq!(replayed["api_token"], "REDACTED");
    assert_eq!(cassette.unused(), 0);

    let other = cassette
        .scope(async { config.client(&cx)?.get("/groups").send().await })
        .await
        .unwrap_err();
    assert_eq!(other.code(), ErrorCode::InternalError);
    assert!(
        other.message().contains("GET /groups"),
        "{}",
        other.message()
    );
}

#[tokio::test]
async fn a_cassette_that_is_not_one_is_refused_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cassette.jsonl");
    std::fs::write(&file, "{\"method\": \"GET\"}\n").unwrap();
    let error = Cassette::replay(&file).unwrap_err();
    assert!(error.message().contains("line 1"), "{}", error.message());
}
