//! The HTTP toolkit inside a connector, through `dispatch`: the request envelope's
//! `rate_limit` (last known state, override mode, max execution time) in, the error
//! envelope's codes and the response's `rate_limit.current_state` out.
#![cfg(feature = "http")]

mod http_support;

use std::time::Duration;

use connector_sdk::connector::{Capabilities, Metadata};
use connector_sdk::http::{HttpConfig, HttpSettings, OffsetCursor, RateLimit, RecordingSleeper};
use connector_sdk::prelude::*;
use http_support::TOKEN;
use serde_json::{Value, json};
use wiremock::matchers::{header, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Settings {
    base_url: String,
}

impl HttpSettings for Settings {
    fn base_url(&self) -> &str {
        &self.base_url
    }
}

#[derive(serde::Deserialize)]
struct User {
    id: String,
}

struct Api {
    http: HttpConfig,
}

impl Api {
    fn new(sleeper: &RecordingSleeper) -> Self {
        let limit = RateLimit::new("api_users", 100, Duration::from_secs(60));
        Api {
            http: HttpConfig::new("http_test", "1.0.0")
                .rate_limit(limit)
                .sleeper(sleeper.clone()),
        }
    }

    async fn list_accounts(
        &self,
        cx: &ContextOf<Self>,
        _req: ListAccounts,
        page: PageRequest<OffsetCursor>,
    ) -> Result<Paged<FoundAccountData, OffsetCursor>> {
        let offset = OffsetCursor::offset_of(&page);
        let api = self.http.client(cx)?;
        let users: Vec<User> = api
            .get("/users")
            .query(&[("offset", offset)])
            .fetch()
            .await?;
        let next = OffsetCursor::after(offset, users.len(), page.size(), None);
        let accounts = users
            .into_iter()
            .map(|user| FoundAccountData {
                integration_specific_id: user.id,
                ..Default::default()
            })
            .collect();
        Ok(Paged::new(accounts, next))
    }
}

impl Connector for Api {
    type Settings = Settings;
    type Credentials = TokenCredential;

    fn metadata() -> Metadata {
        Metadata::new("http_test", "1.0.0")
    }

    fn capabilities() -> Capabilities<Self> {
        Capabilities::<Self>::new().list::<caps::ListAccounts, _, _, _>(|c, cx, req, page| {
            Box::pin(c.list_accounts(cx, req, page))
        })
    }
}

async fn list(server: &MockServer, rate_limit: Value) -> (Value, RecordingSleeper) {
    let sleeper = RecordingSleeper::new();
    let request = json!({
        "auth": {"token": {"token": TOKEN}},
        "settings": {"base_url": server.uri()},
        "request": {},
        "page": {"size": 2},
        "rate_limit": rate_limit,
    });
    let out = Api::new(&sleeper)
        .dispatch("list_accounts", &request.to_string())
        .await;
    assert!(!out.contains(TOKEN), "{out}");
    (serde_json::from_str(&out).unwrap(), sleeper)
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_secs())
}

#[tokio::test]
async fn the_rate_limit_state_round_trips_through_the_envelopes() {
    let server = MockServer::start().await;
    Mock::given(path("/users"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([{"id": "u1"}, {"id": "u2"}])))
        .mount(&server)
        .await;

    // First page: no state in, the limiter's counter out.
    let (first, sleeper) = list(&server, Value::Null).await;
    assert_eq!(
        first["response"][1]["integration_specific_id"], "u2",
        "{first}"
    );
    let state = &first["rate_limit"]["current_state"]["api_users"];
    assert_eq!(state["remaining"], 99, "{first}");
    assert_eq!(state["limit"], 100);
    assert_eq!(state["window_seconds"], 60);
    assert_eq!(state["source"], "sdk_counter");
    assert!(sleeper.waits().is_empty());

    // Next page: the caller sends it back, and it seeds the limiter of the new process.
    let page = list(&server, json!({"last_known_state": {"api_users": state}}))
        .await
        .0;
    assert_eq!(
        page["rate_limit"]["current_state"]["api_users"]["remaining"], 98,
        "{page}"
    );

    // A spent budget makes the next call wait for the reset.
    let spent = json!({"api_users": {"remaining": 0, "limit": 100, "reset": unix_now() + 30, "window_seconds": 60}});
    let (_, sleeper) = list(&server, json!({"last_known_state": spent})).await;
    let waits = sleeper.waits();
    assert_eq!(waits.len(), 1);
    assert!(
        waits[0] > Duration::from_secs(28) && waits[0] <= Duration::from_secs(30),
        "{waits:?}"
    );
}

#[tokio::test]
async fn retried_failures_look_like_success_and_exhausted_ones_like_their_code() {
    let server = MockServer::start().await;
    Mock::given(path("/users"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/users"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([{"id": "u1"}])))
        .with_priority(2)
        .mount(&server)
        .await;
    let (out, sleeper) = list(&server, Value::Null).await;
    assert_eq!(out["response"][0]["integration_specific_id"], "u1", "{out}");
    assert_eq!(out["page"], Value::Null);
    assert_eq!(sleeper.waits().len(), 2);

    let throttled = MockServer::start().await;
    Mock::given(path("/users"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "3"))
        .mount(&throttled)
        .await;
    let (out, sleeper) = list(&throttled, Value::Null).await;
    let error = &out["error"];
    assert_eq!(error["error_code"], "rate_limit", "{out}");
    assert_eq!(error["status_code"], 429);
    assert_eq!(error["error_metadata"]["retry_after_seconds"], 3);
    assert_eq!(error["error_metadata"]["throttled"], true);
    assert_eq!(sleeper.waits().len(), 3);

    // The caller manages retries itself: bypass.
    let (out, sleeper) = list(&throttled, json!({"caller_override_mode": "bypass"})).await;
    assert_eq!(out["error"]["error_code"], "rate_limit");
    assert!(sleeper.waits().is_empty());

    // The caller's deadline is nearer than the app's Retry-After.
    let (out, _) = list(&throttled, json!({"max_execution_time": 12})).await;
    assert_eq!(out["error"]["error_code"], "budget_exhausted", "{out}");
    assert_eq!(out["error"]["error_metadata"]["retry_after_seconds"], 3);
}

#[tokio::test]
async fn upstream_errors_carry_their_status_code() {
    let server = MockServer::start().await;
    Mock::given(path("/users"))
        .respond_with(
            ResponseTemplate::new(403)
                .set_body_json(json!({"message": "missing scope users:read"})),
        )
        .mount(&server)
        .await;
    let (out, _) = list(&server, Value::Null).await;
    let error = &out["error"];
    assert_eq!(error["error_code"], "permission_denied", "{out}");
    assert_eq!(error["status_code"], 403);
    assert_eq!(error["raised_in"], "http_test::list_accounts");
    let message = error["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("GET /users failed with HTTP 403") && message.contains("missing scope"),
        "{message}"
    );
    assert!(!message.contains("offset="), "{message}");
}
