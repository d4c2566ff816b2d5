//! http-example through its command line, against a loopback server with scripted
//! faults: paging, the error mapping with `status_code`, a 429 retried after its
//! `Retry-After`, a timeout, and no token in any output or log at DEBUG.
//!
//! Retries that wait for the backoff (503s, refused connections) are tested in
//! connector-sdk's `http_*` tests, where the waits are recorded instead of spent.

use std::process::Output;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::io::AsyncReadExt;
use tokio::net::TcpListener;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "tok-EXAMPLE-7c4b1e0f9d";

/// Runs `http-example <capability> --json <request>` with the log at DEBUG on stderr.
async fn run(capability: &str, request: &Value) -> (Value, Output) {
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_http-example"))
        .args([capability, "--json", &request.to_string()])
        .env("LUMOS_LOG_LEVEL", "DEBUG")
        .env("LUMOS_LOG_TO_STDOUT", "true")
        .env_remove("HTTP_PROXY")
        .env_remove("HTTPS_PROXY")
        .env_remove("ALL_PROXY")
        .output()
        .await
        .expect("run http-example");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stdout.contains(TOKEN), "the token is on stdout: {stdout}");
    assert!(!stderr.contains(TOKEN), "the token is in the log: {stderr}");
    let envelope = serde_json::from_str(stdout.trim())
        .unwrap_or_else(|_| panic!("not JSON: {stdout}\n{stderr}"));
    (envelope, output)
}

fn request(base_url: &str, page: Option<Value>) -> Value {
    json!({
        "auth": {"token": {"token": TOKEN}},
        "settings": {"base_url": base_url, "timeout_seconds": 1},
        "request": {},
        "page": page,
    })
}

fn users(range: std::ops::Range<u32>) -> Value {
    let users: Vec<Value> = range
        .map(|n| json!({"id": format!("u{n}"), "email": format!("u{n}@example.com"), "active": n % 2 == 0}))
        .collect();
    json!({"users": users, "total": 5})
}

#[tokio::test]
async fn list_accounts_walks_every_page() {
    let server = MockServer::start().await;
    for (offset, range) in [("0", 0..2), ("2", 2..4), ("4", 4..5)] {
        Mock::given(method("GET"))
            .and(path("/api/users"))
            .and(query_param("offset", offset))
            .and(query_param("limit", "2"))
            .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
            .respond_with(ResponseTemplate::new(200).set_body_json(users(range)))
            .mount(&server)
            .await;
    }
    let base = format!("{}/api", server.uri());
    let mut page = Some(json!({"size": 2}));
    let mut ids = Vec::new();
    while let Some(current) = page {
        let (envelope, output) = run("list_accounts", &request(&base, Some(current))).await;
        assert!(output.status.success());
        assert_eq!(envelope.get("is_error"), None, "{envelope}");
        for account in envelope["response"].as_array().expect("accounts") {
            ids.push(
                account["integration_specific_id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            );
        }
        // The rate limiter's state is returned for the next page.
        assert_eq!(
            envelope["rate_limit"]["current_state"]["http_example"]["source"], "sdk_counter",
            "{envelope}"
        );
        page = envelope["page"]
            .as_object()
            .map(|page| Value::Object(page.clone()));
    }
    assert_eq!(ids, ["u0", "u1", "u2", "u3", "u4"]);
    let log_of_one = run("list_accounts", &request(&base, Some(json!({"size": 2}))))
        .await
        .1;
    let stderr = String::from_utf8_lossy(&log_of_one.stderr);
    assert!(
        stderr.contains("HTTP request") && stderr.contains("HTTP response"),
        "{stderr}"
    );
}

#[tokio::test]
async fn every_status_maps_to_its_code_in_the_envelope() {
    let server = MockServer::start().await;
    let table = [
        (400, "bad_request"),
        (401, "unauthorized"),
        (403, "permission_denied"),
        (404, "not_found"),
        (409, "conflict"),
        (422, "bad_request"),
        (501, "unsupported_operation"),
        (418, "invalid_response"),
    ];
    for (status, code) in table {
        Mock::given(method("GET"))
            .and(path(format!("/{status}/me")))
            .respond_with(
                ResponseTemplate::new(status)
                    .set_body_json(json!({"error": "nope", "echo": TOKEN})),
            )
            .mount(&server)
            .await;
        let (envelope, _) = run(
            "validate_credentials",
            &request(&format!("{}/{status}", server.uri()), None),
        )
        .await;
        assert_eq!(envelope["error"]["error_code"], code, "{envelope}");
        assert_eq!(envelope["error"]["status_code"], status, "{envelope}");
        assert!(
            envelope["error"]["message"]
                .as_str()
                .unwrap_or_default()
                .contains(&format!("GET /{status}/me"))
        );
    }
}

#[tokio::test]
async fn a_429_is_retried_after_its_retry_after_and_not_sooner() {
    let server = MockServer::start().await;
    Mock::given(path("/me"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/me"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"tenant_id": "acme"})))
        .with_priority(2)
        .mount(&server)
        .await;
    let started = Instant::now();
    let (envelope, _) = run("validate_credentials", &request(&server.uri(), None)).await;
    assert_eq!(envelope["response"]["valid"], true, "{envelope}");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn an_upstream_that_never_answers_is_a_timeout() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buffer = [0u8; 1024];
            let _ = socket.read(&mut buffer).await;
            held.push(socket);
        }
    });
    let started = Instant::now();
    let (envelope, _) = run(
        "validate_credentials",
        &request(&format!("http://{address}"), None),
    )
    .await;
    assert_eq!(
        envelope["error"]["error_code"], "request_timeout",
        "{envelope}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}
