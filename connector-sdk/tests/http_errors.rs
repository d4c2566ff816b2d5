//! Error mapping of the HTTP toolkit: every row of the protocol's status table, the
//! transport failures, bodies that are not the JSON expected, and the author's hook.
#![cfg(feature = "http")]

mod http_support;

use std::time::Duration;

use connector_sdk::ConnectorError;
use connector_sdk::ErrorCode;
use connector_sdk::http::{HttpConfig, RetryPolicy};
use http_support::{TOKEN, recorded, token_cx};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The protocol's `HTTPHandler` table, plus statuses it does not name.
const TABLE: &[(u16, ErrorCode)] = &[
    (400, ErrorCode::BadRequest),
    (413, ErrorCode::BadRequest),
    (415, ErrorCode::BadRequest),
    (422, ErrorCode::BadRequest),
    (401, ErrorCode::Unauthorized),
    (403, ErrorCode::PermissionDenied),
    (404, ErrorCode::NotFound),
    (405, ErrorCode::UnsupportedOperation),
    (406, ErrorCode::UnsupportedOperation),
    (501, ErrorCode::UnsupportedOperation),
    (408, ErrorCode::RequestTimeout),
    (409, ErrorCode::Conflict),
    (429, ErrorCode::RateLimit),
    (503, ErrorCode::ServiceError),
    (500, ErrorCode::BadGateway),
    (502, ErrorCode::BadGateway),
    (504, ErrorCode::BadGateway),
    (302, ErrorCode::InvalidResponse),
    (410, ErrorCode::InvalidResponse),
    (418, ErrorCode::InvalidResponse),
    (507, ErrorCode::InvalidResponse),
];

#[tokio::test]
async fn every_status_maps_to_its_code_with_the_status_code() {
    let server = MockServer::start().await;
    for (status, _) in TABLE {
        Mock::given(method("GET"))
            .and(path(format!("/api/s/{status}")))
            .respond_with(
                ResponseTemplate::new(*status)
                    .set_body_json(json!({"error": "nope", "token": TOKEN})),
            )
            .mount(&server)
            .await;
    }
    let (config, sleeper) = recorded();
    let cx = token_cx(&format!("{}/api", server.uri()));
    let api = config.client(&cx).unwrap();
    for (status, code) in TABLE {
        let error = api
            .get(&format!("/s/{status}?filter=hidden-query"))
            .send()
            .await
            .unwrap_err();
        assert_eq!(error.code(), *code, "status {status}: {error}");
        assert_eq!(error.status_code(), Some(*status), "status {status}");
        let message = error.message();
        assert!(
            message.starts_with(&format!("GET /api/s/{status} failed with HTTP {status}")),
            "{message}"
        );
        assert!(!message.contains("hidden-query"), "{message}");
        assert!(!message.contains(TOKEN), "{message}");
    }
    // 429, 500, 502, 503 and 504 were retried (three waits each); nothing else was.
    assert_eq!(sleeper.waits().len(), 5 * 3);
}

#[tokio::test]
async fn redirects_off_the_apps_host_are_not_followed() {
    let server = MockServer::start().await;
    Mock::given(path("/away"))
        .respond_with(
            ResponseTemplate::new(302)
                .insert_header("location", "https://elsewhere.example/steal?k=1"),
        )
        .mount(&server)
        .await;
    Mock::given(path("/moved"))
        .respond_with(ResponseTemplate::new(301).insert_header("location", "/here"))
        .mount(&server)
        .await;
    Mock::given(path("/here"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"here": true})))
        .mount(&server)
        .await;
    let (config, _) = recorded();
    let cx = token_cx(&server.uri());
    let api = config.client(&cx).unwrap();
    let error = api.get("/away").send().await.unwrap_err();
    assert_eq!(
        (error.code(), error.status_code()),
        (ErrorCode::InvalidResponse, Some(302))
    );
    assert!(
        error.message().contains("elsewhere.example") && !error.message().contains("k=1"),
        "{error}"
    );
    let moved: serde_json::Value = api.get("/moved").fetch().await.unwrap();
    assert_eq!(moved, json!({"here": true}));
}

#[tokio::test]
async fn nothing_listening_is_connection_rejected() {
    let (config, sleeper) = recorded();
    let cx = token_cx(&format!("http://{}", http_support::nothing_listening()));
    let error = config
        .client(&cx)
        .unwrap()
        .get("/users?x=1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), ErrorCode::ConnectionRejected, "{error}");
    assert!(
        error.message().contains("GET /users") && !error.message().contains("x=1"),
        "{error}"
    );
    assert_eq!(error.status_code(), None);
    // A connection that was never made is retried, whatever the method.
    assert_eq!(sleeper.waits().len(), 3);
}

#[tokio::test]
async fn a_server_that_never_answers_is_request_timeout() {
    let (config, sleeper) = recorded();
    let config = config.timeout(Duration::from_millis(150));
    let cx = token_cx(&format!("http://{}", http_support::silent_server().await));
    let started = std::time::Instant::now();
    let error = config
        .client(&cx)
        .unwrap()
        .get("/users")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), ErrorCode::RequestTimeout, "{error}");
    assert!(
        error.message().contains("GET /users") && error.message().contains("150ms"),
        "{error}"
    );
    // Timeouts are not retried by default: one attempt, no waits.
    assert!(sleeper.waits().is_empty());
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn timeouts_are_retried_when_the_policy_says_so() {
    let (config, sleeper) = recorded();
    let config = config
        .timeout(Duration::from_millis(100))
        .retry(RetryPolicy::default().retry_timeouts(true).max_attempts(2));
    let cx = token_cx(&format!("http://{}", http_support::silent_server().await));
    let error = config
        .client(&cx)
        .unwrap()
        .get("/users")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), ErrorCode::RequestTimeout);
    assert_eq!(sleeper.waits().len(), 1);
}

#[tokio::test]
async fn a_server_that_hangs_up_is_connection_closed() {
    let (config, sleeper) = recorded();
    let cx = token_cx(&format!(
        "http://{}",
        http_support::hanging_up_server().await
    ));
    let api = config.client(&cx).unwrap();
    let error = api.get("/users").send().await.unwrap_err();
    assert_eq!(error.code(), ErrorCode::ConnectionClosed, "{error}");
    assert_eq!(sleeper.waits().len(), 3, "an idempotent request is retried");
    sleeper.clear();
    let error = api
        .post("/users")
        .json(&json!({"name": "ann"}))
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), ErrorCode::ConnectionClosed, "{error}");
    assert!(
        sleeper.waits().is_empty(),
        "a POST that may have arrived is not repeated"
    );
}

#[tokio::test]
async fn a_truncated_body_is_connection_closed() {
    let (config, _) = recorded();
    let cx = token_cx(&format!(
        "http://{}",
        http_support::truncating_server().await
    ));
    let error = config
        .client(&cx)
        .unwrap()
        .get("/users")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), ErrorCode::ConnectionClosed, "{error}");
}

#[tokio::test]
async fn bodies_that_are_not_the_json_expected_are_invalid_response() {
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct User {
        id: u64,
    }
    let server = MockServer::start().await;
    let cases: &[(&str, ResponseTemplate, &str)] = &[
        (
            "/html",
            ResponseTemplate::new(200).set_body_raw("<html><body>Login</body></html>", "text/html"),
            "text/html",
        ),
        (
            "/truncated",
            ResponseTemplate::new(200).set_body_raw("[{\"id\": 1}, {\"id\"", "application/json"),
            "truncated",
        ),
        (
            "/shape",
            ResponseTemplate::new(200).set_body_json(json!([{"id": TOKEN}])),
            "at `[0].id`",
        ),
        (
            "/empty",
            ResponseTemplate::new(200).set_body_raw("", "application/json"),
            "empty",
        ),
    ];
    for (route, template, _) in cases {
        Mock::given(method("GET"))
            .and(path(*route))
            .respond_with(template.clone())
            .mount(&server)
            .await;
    }
    Mock::given(method("GET"))
        .and(path("/scim"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw("[{\"id\": 7}]", "application/scim+json"),
        )
        .mount(&server)
        .await;
    let (config, _) = recorded();
    let cx = token_cx(&server.uri());
    let api = config.client(&cx).unwrap();
    for (route, _, expected) in cases {
        let error = api.get(route).fetch::<Vec<User>>().await.unwrap_err();
        assert_eq!(error.code(), ErrorCode::InvalidResponse, "{route}");
        assert_eq!(error.status_code(), Some(200), "{route}");
        assert!(error.message().contains(&format!("GET {route}")), "{error}");
        assert!(error.message().contains(expected), "{error}");
        assert!(!error.message().contains(TOKEN), "{error}");
    }
    let users: Vec<User> = api.get("/scim").fetch().await.unwrap();
    assert_eq!(users[0].id, 7);
}

#[tokio::test]
async fn the_authors_hook_runs_before_the_table() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/locked"))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"errorCode": "E_LOCKED", "detail": TOKEN})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/throttled"))
        .respond_with(
            ResponseTemplate::new(403)
                .set_body_json(json!({"errorCode": "E_RATE"}))
                .insert_header("retry-after", "3"),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/other"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"errorCode": "E_OTHER"})))
        .mount(&server)
        .await;
    let (config, sleeper) = recorded();
    let config = config.map_errors(|failure| {
        let body = failure.json_value()?;
        match body.get("errorCode")?.as_str()? {
            // A careless hook that quotes the body: the token must still not show.
            "E_LOCKED" => Some(
                ConnectorError::conflict(format!("The user is locked: {}", failure.text()))
                    .with_app_error_code("app.locked"),
            ),
            "E_RATE" => Some(ConnectorError::rate_limit("Throttled")),
            _ => None,
        }
    });
    let cx = token_cx(&server.uri());
    let api = config.client(&cx).unwrap();

    let locked = api.get("/locked").send().await.unwrap_err();
    assert_eq!(locked.code(), ErrorCode::Conflict);
    assert_eq!(locked.app_error_code(), Some("app.locked"));
    assert_eq!(
        locked.status_code(),
        Some(400),
        "the hook's error gets the status code"
    );
    assert!(!locked.message().contains(TOKEN), "{locked}");

    // A hook that says rate_limit makes the request retried, with the app's Retry-After.
    let throttled = api.get("/throttled").send().await.unwrap_err();
    assert_eq!(throttled.code(), ErrorCode::RateLimit);
    assert_eq!(throttled.retry_after_seconds(), Some(3));
    let waits = sleeper.waits();
    assert_eq!(waits.len(), 3);
    assert!(
        waits.iter().all(|wait| *wait >= Duration::from_secs(3)),
        "{waits:?}"
    );

    // None falls through to the table.
    let other = api.get("/other").send().await.unwrap_err();
    assert_eq!(other.code(), ErrorCode::BadRequest);

    // A request's own hook comes first.
    let own = api
        .get("/other")
        .map_errors(|failure| {
            (failure.status() == 400).then(|| ConnectorError::invalid_value("mine"))
        })
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        (own.code(), own.message()),
        (ErrorCode::InvalidValue, "mine")
    );
}

#[tokio::test]
async fn bad_settings_and_credentials_are_reported_before_any_request() {
    let config = HttpConfig::new("test_app", "1.0.0");
    let cx = token_cx("ftp://files.example");
    assert_eq!(
        config.client(&cx).unwrap_err().code(),
        ErrorCode::InvalidValue
    );

    let empty = connector_sdk::Context::for_tests(
        "test_app",
        "http://127.0.0.1:9".to_owned(),
        connector_sdk::models::TokenCredential {
            token: connector_sdk::Secret::from(""),
        },
    );
    let error = config
        .client(&empty)
        .unwrap()
        .get("/users")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), ErrorCode::IntegrationMissingParameter);

    let bad_ca = HttpConfig::new("test_app", "1.0.0").ca_bundle_pem("not a certificate");
    assert_eq!(
        bad_ca
            .client(&token_cx("https://h.example"))
            .unwrap_err()
            .code(),
        ErrorCode::InvalidValue
    );
}
