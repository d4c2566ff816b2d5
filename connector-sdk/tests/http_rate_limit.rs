//! Client-side rate limiting of the HTTP toolkit: requests per window, concurrency, the
//! modes that skip it, and the state snapshot seeded from the request.
#![cfg(feature = "http")]

mod http_support;

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant, SystemTime};

use connector_sdk::ErrorCode;
use connector_sdk::http::{RateLimit, RateLimitMode};
use connector_sdk::models::{RateLimitRequestInfo, RateLimitStateSnapshot};
use http_support::{about, cx_with_rate_limit, recorded, token_cx};
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn ok_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(path("/users"))
        .respond_with(ResponseTemplate::new(200).set_body_string("[]"))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn requests_past_the_window_wait_for_the_next_window() {
    let server = ok_server().await;
    let (config, sleeper) = recorded();
    let config = config.rate_limit(RateLimit::new("test_app", 2, Duration::from_secs(10)));
    let cx = token_cx(&server.uri());
    let api = config.client(&cx).unwrap();
    for _ in 0..5 {
        api.get("/users").send().await.unwrap();
    }
    let waits = sleeper.waits();
    assert_eq!(waits.len(), 3, "{waits:?}");
    assert!(
        about(waits[0], Duration::from_secs(10)) && about(waits[1], Duration::from_secs(10)),
        "{waits:?}"
    );
    assert!(about(waits[2], Duration::from_secs(20)), "{waits:?}");
}

#[tokio::test]
async fn the_limit_is_shared_by_every_client_of_the_connector() {
    let server = ok_server().await;
    let (config, sleeper) = recorded();
    let config = config.rate_limit(RateLimit::new("test_app", 1, Duration::from_secs(30)));
    let first = token_cx(&server.uri());
    let second = token_cx(&server.uri());
    config
        .client(&first)
        .unwrap()
        .get("/users")
        .send()
        .await
        .unwrap();
    config
        .clone()
        .client(&second)
        .unwrap()
        .get("/users")
        .send()
        .await
        .unwrap();
    assert_eq!(sleeper.waits().len(), 1);
}

#[tokio::test]
async fn modes_that_do_not_enforce_skip_the_limit() {
    let server = ok_server().await;
    for (mode, limited) in [
        (RateLimitMode::Enforce, true),
        (RateLimitMode::EnforceNoRetry, true),
        (RateLimitMode::RetryOnly, false),
        (RateLimitMode::Bypass, false),
    ] {
        let (config, sleeper) = recorded();
        let config = config.rate_limit(RateLimit::new("test_app", 1, Duration::from_secs(30)));
        let info = RateLimitRequestInfo {
            caller_override_mode: Some(mode),
            ..Default::default()
        };
        let cx = cx_with_rate_limit(&server.uri(), "list_accounts", info);
        let api = config.client(&cx).unwrap();
        api.get("/users").send().await.unwrap();
        api.get("/users").send().await.unwrap();
        assert_eq!(sleeper.waits().len(), usize::from(limited), "{mode:?}");
    }
    // Writes default to retry_only: not limited.
    let (config, sleeper) = recorded();
    let config = config.rate_limit(RateLimit::new("test_app", 1, Duration::from_secs(30)));
    let cx = cx_with_rate_limit(
        &server.uri(),
        "create_account",
        RateLimitRequestInfo::default(),
    );
    let api = config.client(&cx).unwrap();
    api.get("/users").send().await.unwrap();
    api.get("/users").send().await.unwrap();
    assert!(sleeper.waits().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_most_max_concurrent_requests_are_in_flight() {
    for limit in [1usize, 3] {
        let (address, peak) = http_support::counting_server(Duration::from_millis(80)).await;
        let (config, _) = recorded();
        let limit_config =
            RateLimit::new("test_app", 100, Duration::from_secs(60)).max_concurrent(limit);
        let config = config.rate_limit(limit_config);
        let cx = token_cx(&format!("http://{address}"));
        let api = config.client(&cx).unwrap();
        let started = Instant::now();
        let calls = (0..3).map(|_| api.get("/users").send());
        for result in futures_util::future::join_all(calls).await {
            result.unwrap();
        }
        let peak = peak.load(Ordering::SeqCst);
        if limit == 1 {
            assert_eq!(peak, 1);
            assert!(
                started.elapsed() >= Duration::from_millis(240),
                "{:?}",
                started.elapsed()
            );
        } else {
            // All three may go at once (a loaded machine may stagger them a little).
            assert!((2..=3).contains(&peak), "{peak}");
        }
    }
}

#[tokio::test]
async fn the_callers_last_known_state_seeds_the_limiter() {
    let server = ok_server().await;
    let (config, sleeper) = recorded();
    let config = config.rate_limit(RateLimit::new("users_api", 10, Duration::from_secs(60)));
    let reset = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 20;
    let snapshot = RateLimitStateSnapshot {
        remaining: Some(0),
        limit: Some(10),
        reset: Some(i64::try_from(reset).unwrap()),
        ..Default::default()
    };
    let info = RateLimitRequestInfo {
        last_known_state: Some(BTreeMap::from([("users_api".to_owned(), snapshot)])),
        ..Default::default()
    };
    let cx = cx_with_rate_limit(&server.uri(), "list_accounts", info);
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
        waits[0] > Duration::from_secs(18) && waits[0] <= Duration::from_secs(20),
        "{waits:?}"
    );
}

#[tokio::test]
async fn a_limit_wait_past_the_deadline_is_budget_exhausted() {
    let server = ok_server().await;
    let (config, sleeper) = recorded();
    let config = config.rate_limit(RateLimit::new("test_app", 1, Duration::from_secs(60)));
    let info = RateLimitRequestInfo {
        max_execution_time: Some(20),
        ..Default::default()
    };
    let cx = cx_with_rate_limit(&server.uri(), "list_accounts", info);
    let api = config.client(&cx).unwrap();
    api.get("/users").send().await.unwrap();
    let error = api.get("/users").send().await.unwrap_err();
    assert_eq!(error.code(), ErrorCode::BudgetExhausted, "{error}");
    assert!(
        error
            .retry_after_seconds()
            .is_some_and(|seconds| seconds >= 59)
    );
    assert!(sleeper.waits().is_empty());
}

#[tokio::test]
async fn the_apps_own_rate_limit_headers_are_obeyed() {
    let server = MockServer::start().await;
    let reset = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 15;
    Mock::given(path("/users"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string("[]")
                .insert_header("x-ratelimit-remaining", "0")
                .insert_header("x-ratelimit-limit", "100")
                .insert_header("x-ratelimit-reset", reset.to_string().as_str()),
        )
        .mount(&server)
        .await;
    let (config, sleeper) = recorded();
    let config = config.rate_limit(RateLimit::new("test_app", 1000, Duration::from_secs(60)));
    let cx = token_cx(&server.uri());
    let api = config.client(&cx).unwrap();
    api.get("/users").send().await.unwrap();
    api.get("/users").send().await.unwrap();
    let waits = sleeper.waits();
    assert_eq!(waits.len(), 1);
    assert!(
        waits[0] > Duration::from_secs(13) && waits[0] <= Duration::from_secs(15),
        "{waits:?}"
    );
}
