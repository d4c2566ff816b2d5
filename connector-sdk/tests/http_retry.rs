//! Retries of the HTTP toolkit: what is retried, how long it waits (backoff, Retry-After
//! in seconds and as a date, never undercut), what it returns when retries run out or the
//! deadline nears, and the caller's `caller_override_mode` and `caller_retry_attempt`.
//!
//! Waits are recorded by a `RecordingSleeper`, not spent; examples/http-example's CLI test
//! checks a real `Retry-After` wait end to end.
#![cfg(feature = "http")]

mod http_support;

use std::time::{Duration, SystemTime};

use connector_sdk::ErrorCode;
use connector_sdk::http::{RateLimitMode, RetryPolicy};
use connector_sdk::models::RateLimitRequestInfo;
use http_support::{cx_with_rate_limit, recorded, token_cx};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A server that answers `path` with `failures` (in order, once each), then 200.
async fn failing_then_ok(route: &str, failures: Vec<ResponseTemplate>) -> MockServer {
    let server = MockServer::start().await;
    for (index, failure) in failures.into_iter().enumerate() {
        Mock::given(path(route.to_owned()))
            .respond_with(failure)
            .up_to_n_times(1)
            .with_priority(u8::try_from(index + 1).unwrap_or(u8::MAX))
            .mount(&server)
            .await;
    }
    Mock::given(path(route.to_owned()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": true})))
        .with_priority(100)
        .mount(&server)
        .await;
    server
}

async fn requests(server: &MockServer) -> usize {
    server
        .received_requests()
        .await
        .map_or(0, |requests| requests.len())
}

#[tokio::test]
async fn two_503s_then_a_200_is_a_success() {
    let server = failing_then_ok(
        "/users",
        vec![ResponseTemplate::new(503), ResponseTemplate::new(503)],
    )
    .await;
    let (config, sleeper) = recorded();
    let cx = token_cx(&server.uri());
    let body: serde_json::Value = config
        .client(&cx)
        .unwrap()
        .get("/users")
        .fetch()
        .await
        .unwrap();
    assert_eq!(body, json!({"ok": true}));
    assert_eq!(requests(&server).await, 3);
    let waits = sleeper.waits();
    assert_eq!(waits.len(), 2);
    // Exponential backoff with jitter: the first in [0.5 s, 1 s], the second in [1 s, 2 s].
    assert!(
        waits[0] >= Duration::from_millis(500) && waits[0] <= Duration::from_secs(1),
        "{waits:?}"
    );
    assert!(
        waits[1] >= Duration::from_secs(1) && waits[1] <= Duration::from_secs(2),
        "{waits:?}"
    );
}

#[tokio::test]
async fn retry_after_seconds_is_honoured_and_never_undercut() {
    let server = failing_then_ok(
        "/users",
        vec![ResponseTemplate::new(429).insert_header("retry-after", "7")],
    )
    .await;
    let (config, sleeper) = recorded();
    let cx = token_cx(&server.uri());
    config
        .client(&cx)
        .unwrap()
        .get("/users")
        .send()
        .await
        .unwrap();
    assert_eq!(sleeper.waits(), vec![Duration::from_secs(7)]);
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_honoured() {
    let date = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(12));
    let server = failing_then_ok(
        "/users",
        vec![ResponseTemplate::new(503).insert_header("retry-after", date.as_str())],
    )
    .await;
    let (config, sleeper) = recorded();
    let cx = token_cx(&server.uri());
    config
        .client(&cx)
        .unwrap()
        .get("/users")
        .send()
        .await
        .unwrap();
    let waits = sleeper.waits();
    assert_eq!(waits.len(), 1);
    assert!(
        waits[0] > Duration::from_secs(10) && waits[0] <= Duration::from_secs(12),
        "{waits:?}"
    );
}

#[tokio::test]
async fn when_retries_run_out_the_error_is_the_last_responses() {
    let server = MockServer::start().await;
    Mock::given(path("/throttled"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "2"))
        .mount(&server)
        .await;
    Mock::given(path("/down"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    Mock::given(path("/broken"))
        .respond_with(ResponseTemplate::new(502))
        .mount(&server)
        .await;
    let (config, sleeper) = recorded();
    let cx = token_cx(&server.uri());
    let api = config.client(&cx).unwrap();

    let error = api.get("/throttled").send().await.unwrap_err();
    assert_eq!(error.code(), ErrorCode::RateLimit);
    assert_eq!(error.status_code(), Some(429));
    assert_eq!(error.retry_after_seconds(), Some(2));
    let waits = sleeper.waits();
    assert_eq!(waits.len(), 3, "4 attempts, 3 waits");
    assert!(
        waits.iter().all(|wait| *wait >= Duration::from_secs(2)),
        "{waits:?}"
    );

    let error = api.get("/down").send().await.unwrap_err();
    assert_eq!(
        (error.code(), error.status_code()),
        (ErrorCode::ServiceError, Some(503))
    );
    assert_eq!(error.retry_after_seconds(), None);
    let error = api.get("/broken").send().await.unwrap_err();
    assert_eq!(
        (error.code(), error.status_code()),
        (ErrorCode::BadGateway, Some(502))
    );
    assert_eq!(requests(&server).await, 12);
}

#[tokio::test]
async fn a_retry_after_beyond_the_wait_budget_is_returned_at_once() {
    let server = failing_then_ok(
        "/users",
        vec![ResponseTemplate::new(429).insert_header("retry-after", "120")],
    )
    .await;
    let (config, sleeper) = recorded();
    let cx = token_cx(&server.uri());
    let error = config
        .client(&cx)
        .unwrap()
        .get("/users")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), ErrorCode::RateLimit);
    assert_eq!(error.retry_after_seconds(), Some(120));
    assert!(sleeper.waits().is_empty());
    assert_eq!(requests(&server).await, 1);
}

#[tokio::test]
async fn a_wait_past_the_deadline_is_budget_exhausted() {
    let server = failing_then_ok(
        "/users",
        vec![ResponseTemplate::new(429).insert_header("retry-after", "30")],
    )
    .await;
    let (config, sleeper) = recorded();
    // max_execution_time 15 s: the deadline is 5 s away (10 s margin).
    let info = RateLimitRequestInfo {
        max_execution_time: Some(15),
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
    assert_eq!(error.code(), ErrorCode::BudgetExhausted, "{error}");
    assert_eq!(error.retry_after_seconds(), Some(30));
    assert_eq!(error.status_code(), Some(429));
    assert!(error.message().contains("GET /users"), "{error}");
    assert!(sleeper.waits().is_empty());
}

#[tokio::test]
async fn what_is_retried_depends_on_the_method_and_status() {
    let server = MockServer::start().await;
    for status in [429u16, 501, 503] {
        Mock::given(path(format!("/s/{status}")))
            .respond_with(ResponseTemplate::new(status))
            .mount(&server)
            .await;
    }
    let (config, sleeper) = recorded();
    let cx = token_cx(&server.uri());
    let api = config.client(&cx).unwrap();
    let attempts = |expected: usize| {
        let waits = sleeper.waits().len();
        sleeper.clear();
        assert_eq!(waits + 1, expected);
    };
    // 501 is never retried, even for GET.
    assert_eq!(
        api.get("/s/501").send().await.unwrap_err().code(),
        ErrorCode::UnsupportedOperation
    );
    attempts(1);
    // A POST may have done its work before a 503: not retried…
    assert_eq!(
        api.post("/s/503").send().await.unwrap_err().code(),
        ErrorCode::ServiceError
    );
    attempts(1);
    // …unless marked idempotent.
    assert_eq!(
        api.post("/s/503")
            .idempotent(true)
            .send()
            .await
            .unwrap_err()
            .code(),
        ErrorCode::ServiceError
    );
    attempts(4);
    // A 429 was refused before any work: retried whatever the method.
    assert_eq!(
        api.post("/s/429").send().await.unwrap_err().code(),
        ErrorCode::RateLimit
    );
    attempts(4);
    assert_eq!(
        api.delete("/s/503").send().await.unwrap_err().code(),
        ErrorCode::ServiceError
    );
    attempts(4);
    // A request's own policy.
    let policy = RetryPolicy::default().max_attempts(2);
    assert_eq!(
        api.get("/s/503")
            .retry(policy)
            .send()
            .await
            .unwrap_err()
            .code(),
        ErrorCode::ServiceError
    );
    attempts(2);
}

#[tokio::test]
async fn the_callers_override_mode_is_honoured() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/users"))
        .respond_with(ResponseTemplate::new(429))
        .mount(&server)
        .await;
    let cases = [
        (None, None, 4),
        (Some(RateLimitMode::Enforce), None, 4),
        (Some(RateLimitMode::RetryOnly), None, 4),
        (Some(RateLimitMode::Bypass), None, 1),
        (Some(RateLimitMode::EnforceNoRetry), None, 1),
        // The connector's own mode comes before the caller's.
        (Some(RateLimitMode::Bypass), Some(RateLimitMode::Enforce), 4),
        (Some(RateLimitMode::Enforce), Some(RateLimitMode::Bypass), 1),
    ];
    for (caller, connector, expected) in cases {
        let (config, sleeper) = recorded();
        let config = match connector {
            Some(mode) => config.mode(mode),
            None => config,
        };
        let info = RateLimitRequestInfo {
            caller_override_mode: caller,
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
        assert_eq!(error.code(), ErrorCode::RateLimit);
        assert_eq!(
            sleeper.waits().len() + 1,
            expected,
            "caller {caller:?}, connector {connector:?}"
        );
    }
    // The capability's own mode comes first of all.
    let (config, sleeper) = recorded();
    let info = RateLimitRequestInfo {
        caller_override_mode: Some(RateLimitMode::Enforce),
        ..Default::default()
    };
    let cx = cx_with_rate_limit(&server.uri(), "list_accounts", info);
    let config = config.mode(RateLimitMode::Enforce);
    let api = config
        .client(&cx)
        .unwrap()
        .with_mode(RateLimitMode::EnforceNoRetry);
    assert_eq!(api.mode(), RateLimitMode::EnforceNoRetry);
    api.get("/users").send().await.unwrap_err();
    assert!(sleeper.waits().is_empty());
}

#[tokio::test]
async fn the_callers_own_retries_are_counted() {
    let server = MockServer::start().await;
    Mock::given(path("/users"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let (config, sleeper) = recorded();
    let info = RateLimitRequestInfo {
        caller_retry_attempt: Some(2),
        ..Default::default()
    };
    let cx = cx_with_rate_limit(&server.uri(), "list_accounts", info);
    config
        .client(&cx)
        .unwrap()
        .get("/users")
        .send()
        .await
        .unwrap_err();
    assert_eq!(sleeper.waits().len(), 1, "4 attempts less the caller's 2");
}

#[tokio::test]
async fn waits_stop_at_the_total_wait_budget() {
    let server = MockServer::start().await;
    Mock::given(path("/users"))
        .respond_with(ResponseTemplate::new(503).insert_header("retry-after", "25"))
        .mount(&server)
        .await;
    let (config, sleeper) = recorded();
    let cx = token_cx(&server.uri());
    let error = config
        .client(&cx)
        .unwrap()
        .get("/users")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), ErrorCode::ServiceError);
    assert_eq!(error.retry_after_seconds(), Some(25));
    // 25 + 25 = 50 s fits in 60 s; a third wait would not.
    assert_eq!(sleeper.waits(), vec![Duration::from_secs(25); 2]);
}
