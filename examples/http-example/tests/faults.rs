//! http-example against each upstream fault of the test kit, with the answer the protocol
//! demands; waits are recorded by a `RecordingSleeper`, not spent.

use std::time::Duration;

use connector_sdk::http::{HttpConfig, RecordingSleeper, RetryPolicy};
use connector_sdk::testing::faults::{
    Fault, FaultyApp, ListShape, assert_error, assert_success, assert_waits,
};
use connector_sdk::{Connector, ErrorCode};
use http_example::HttpExample;
use serde_json::{Value, json};

/// The connector with waits recorded and no jitter, and the sleeper that records them.
fn connector() -> (HttpExample, RecordingSleeper) {
    let sleeper = RecordingSleeper::new();
    let http = HttpConfig::from_metadata(&HttpExample::metadata())
        .retry(RetryPolicy::default().jitter(false))
        .sleeper(sleeper.clone());
    (HttpExample::with_http(http), sleeper)
}

fn envelope(app: &FaultyApp, page: Value) -> String {
    json!({
        "auth": {"token": {"token": "t"}},
        "settings": {"base_url": app.uri(), "timeout_seconds": 1},
        "request": {},
        "page": page,
    })
    .to_string()
}

fn users(count: usize) -> Vec<Value> {
    (0..count)
        .map(|n| json!({"id": format!("u{n}"), "active": true}))
        .collect()
}

fn shape() -> ListShape {
    ListShape::new("offset", "limit", "users", "total")
}

#[tokio::test]
async fn a_429_within_the_budget_waits_its_retry_after_then_succeeds() {
    let app = FaultyApp::start().await;
    app.serve("/me", json!({"tenant_id": "acme"})).await;
    app.inject(
        "/me",
        Fault::RateLimited {
            retry_after_seconds: 7,
            times: 2,
        },
    )
    .await;
    let (connector, sleeper) = connector();
    assert_success(
        &connector
            .dispatch("validate_credentials", &envelope(&app, Value::Null))
            .await,
    );
    assert_waits(&sleeper, &[Duration::from_secs(7), Duration::from_secs(7)]);
}

#[tokio::test]
async fn a_429_past_the_budget_is_rate_limit_with_retry_after() {
    let app = FaultyApp::start().await;
    app.inject(
        "/me",
        Fault::RateLimited {
            retry_after_seconds: 3,
            times: 100,
        },
    )
    .await;
    let (connector, _sleeper) = connector();
    let answer = assert_error(
        &connector
            .dispatch("validate_credentials", &envelope(&app, Value::Null))
            .await,
        ErrorCode::RateLimit,
    );
    assert_eq!(answer["error"]["error_metadata"]["retry_after_seconds"], 3);
}

#[tokio::test]
async fn a_burst_of_502_past_the_budget_is_bad_gateway() {
    let app = FaultyApp::start().await;
    app.inject(
        "/me",
        Fault::ServerErrors {
            status: 502,
            times: 100,
        },
    )
    .await;
    let (connector, sleeper) = connector();
    assert_error(
        &connector
            .dispatch("validate_credentials", &envelope(&app, Value::Null))
            .await,
        ErrorCode::BadGateway,
    );
    assert_eq!(sleeper.waits().len(), 3, "four attempts, three waits");
}

#[tokio::test]
async fn a_short_burst_of_503_is_retried_to_success() {
    let app = FaultyApp::start().await;
    app.serve("/me", json!({"tenant_id": "acme"})).await;
    app.inject(
        "/me",
        Fault::ServerErrors {
            status: 503,
            times: 1,
        },
    )
    .await;
    let (connector, sleeper) = connector();
    assert_success(
        &connector
            .dispatch("validate_credentials", &envelope(&app, Value::Null))
            .await,
    );
    assert_eq!(sleeper.waits().len(), 1);
}

#[tokio::test]
async fn an_answer_slower_than_the_timeout_is_request_timeout() {
    let app = FaultyApp::start().await;
    app.inject(
        "/me",
        Fault::Slow {
            delay: Duration::from_millis(1500),
            body: json!({"tenant_id": "acme"}),
        },
    )
    .await;
    let (connector, _sleeper) = connector();
    assert_error(
        &connector
            .dispatch("validate_credentials", &envelope(&app, Value::Null))
            .await,
        ErrorCode::RequestTimeout,
    );
}

#[tokio::test]
async fn a_truncated_body_is_invalid_response() {
    let app = FaultyApp::start().await;
    app.inject(
        "/users",
        Fault::Truncated {
            body: json!({"users": users(3), "total": 3}),
        },
    )
    .await;
    let (connector, _sleeper) = connector();
    assert_error(
        &connector
            .dispatch("list_accounts", &envelope(&app, Value::Null))
            .await,
        ErrorCode::InvalidResponse,
    );
}

#[tokio::test]
async fn an_html_page_is_invalid_response() {
    let app = FaultyApp::start().await;
    app.inject("/me", Fault::NotJson).await;
    let (connector, _sleeper) = connector();
    assert_error(
        &connector
            .dispatch("validate_credentials", &envelope(&app, Value::Null))
            .await,
        ErrorCode::InvalidResponse,
    );
}

#[tokio::test]
async fn a_token_expiring_mid_paging_is_unauthorized_on_the_next_page() {
    let app = FaultyApp::start().await;
    app.inject(
        "/users",
        Fault::ExpiredTokenMidPaging {
            shape: shape(),
            items: users(5),
        },
    )
    .await;
    let (connector, _sleeper) = connector();
    let first = assert_success(
        &connector
            .dispatch("list_accounts", &envelope(&app, json!({"size": 2})))
            .await,
    );
    let token = first["page"]["token"]
        .as_str()
        .expect("a next page")
        .to_owned();
    let next = envelope(&app, json!({"size": 2, "token": token}));
    assert_error(
        &connector.dispatch("list_accounts", &next).await,
        ErrorCode::Unauthorized,
    );
}

#[tokio::test]
async fn a_server_capping_its_pages_still_lists_every_user_once() {
    let app = FaultyApp::start().await;
    app.inject(
        "/users",
        Fault::CappedPages {
            shape: shape(),
            items: users(7),
            cap: 3,
        },
    )
    .await;
    let (connector, _sleeper) = connector();
    let mut ids = Vec::new();
    let mut page = json!({"size": 5});
    for _ in 0..10 {
        let answer = assert_success(
            &connector
                .dispatch("list_accounts", &envelope(&app, page.clone()))
                .await,
        );
        ids.extend(
            answer["response"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|a| a["integration_specific_id"].clone()),
        );
        match answer["page"]["token"].as_str() {
            Some(token) => page = json!({"size": 5, "token": token}),
            None => break,
        }
    }
    let expected: Vec<Value> = (0..7).map(|n| json!(format!("u{n}"))).collect();
    assert_eq!(ids, expected);
}
