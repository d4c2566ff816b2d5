//! A hostile upstream through the HTTP toolkit: huge error bodies, absurd rate-limit
//! headers, a body that trickles in. Each ends in a structured error within the call's
//! time, never a panic, and messages quote only a bounded excerpt.
#![cfg(feature = "http")]

mod http_support;

use std::time::{Duration, Instant};

use connector_sdk::ErrorCode;
use connector_sdk::http::HttpConfig;
use connector_sdk::models::RateLimitRequestInfo;
use http_support::{cx_with_rate_limit, recorded, token_cx};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn answering(template: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(template)
        .mount(&server)
        .await;
    server
}

/// The error of `GET /users` on `server` through a client of `config`, tried once.
async fn failed_get(server: &MockServer, config: HttpConfig) -> connector_sdk::ConnectorError {
    let cx = token_cx(&server.uri());
    config
        .retry(connector_sdk::http::RetryPolicy::default().max_attempts(1))
        .client(&cx)
        .unwrap()
        .get("/users")
        .send()
        .await
        .unwrap_err()
}

#[tokio::test]
async fn a_huge_json_error_body_is_summarised_not_quoted() {
    let body = format!(
        "{{\"password\": \"hunter2\", \"pad\": \"{}\"}}",
        "x".repeat(8 << 20)
    );
    let server = answering(ResponseTemplate::new(500).set_body_raw(body, "application/json")).await;
    let error = failed_get(&server, recorded().0).await;
    assert_eq!(error.code(), ErrorCode::BadGateway);
    assert!(error.message().len() < 1000, "{}", error.message());
    assert!(!error.message().contains("hunter2"));
}

#[tokio::test]
async fn an_error_body_past_the_response_limit_is_still_the_status_error() {
    // Only a prefix of an error answer is read, so its size never turns a 503 into
    // `invalid_response` (nor costs the memory of the whole page).
    let server =
        answering(ResponseTemplate::new(503).set_body_raw("E".repeat(4 << 20), "text/html")).await;
    let error = failed_get(&server, recorded().0.max_response_bytes(1 << 20)).await;
    assert_eq!(error.code(), ErrorCode::ServiceError, "{}", error.message());
}

#[tokio::test]
async fn a_huge_text_error_body_is_quoted_as_a_short_excerpt() {
    let server =
        answering(ResponseTemplate::new(400).set_body_raw("E".repeat(8 << 20), "text/plain")).await;
    let error = failed_get(&server, recorded().0).await;
    assert_eq!(error.code(), ErrorCode::BadRequest);
    assert!(error.message().len() < 1000, "{}", error.message());
}

#[tokio::test]
async fn absurd_rate_limit_headers_are_rate_limit_with_the_wait_clamped() {
    for (name, value) in [
        ("retry-after", "18446744073709551616"),
        ("retry-after", "1e308"),
        ("x-ratelimit-reset", "1e300"),
        ("ratelimit-reset", "99999999999999999999"),
    ] {
        let server = answering(ResponseTemplate::new(429).insert_header(name, value)).await;
        let (config, sleeper) = recorded();
        let info = RateLimitRequestInfo {
            max_execution_time: Some(70),
            ..Default::default()
        };
        let cx = cx_with_rate_limit(&server.uri(), "list_accounts", info);
        let error = config
            .client(&cx)
            .unwrap()
            .get("/users")
            .send()
            .await
            .unwrap_err();
        assert_eq!(
            error.code(),
            ErrorCode::RateLimit,
            "{name}: {value}: {error}"
        );
        assert!(
            error
                .retry_after_seconds()
                .is_some_and(|seconds| seconds <= 60),
            "{name}: {value}: {:?}",
            error.retry_after_seconds()
        );
        assert!(sleeper.waits().is_empty());
    }
}

#[tokio::test]
async fn a_trickling_body_ends_at_the_timeout() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buffer = [0u8; 4096];
                let _ = socket.read(&mut buffer).await;
                let _ = socket
                    .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000000\r\n\r\n[")
                    .await;
                loop {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    if socket.write_all(b" ").await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    let config = HttpConfig::new("test_app", "9.9.9")
        .timeout(Duration::from_secs(1))
        .retry(connector_sdk::http::RetryPolicy::default().max_attempts(1));
    let cx = token_cx(&format!("http://{address}"));
    let started = Instant::now();
    let error = config
        .client(&cx)
        .unwrap()
        .get("/users")
        .send()
        .await
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert!(
        matches!(
            error.code(),
            ErrorCode::RequestTimeout | ErrorCode::ConnectionTimeout
        ),
        "{error}"
    );
}
