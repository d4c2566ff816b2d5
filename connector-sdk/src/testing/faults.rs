//! Upstream faults on demand: a scripted app over wiremock that misbehaves the way real
//! apps do, each [`Fault`] documented with the protocol answer the connector must give,
//! and assertion helpers for those answers.
//!
//! Waits are not spent: build the connector's [`HttpConfig`](crate::http::HttpConfig) with
//! `.sleeper(sleeper.clone())` for a [`RecordingSleeper`], and read what it was asked to
//! wait with [`assert_waits`]. (tokio's paused time does not mix with reqwest's timeouts.)
//! Only [`Fault::Slow`] takes real time: keep its delay just above the connector's timeout.
//!
//! | fault | the protocol answer |
//! | --- | --- |
//! | [`Fault::RateLimited`] fewer times than the retry budget | success, after one wait of `Retry-After` per 429 |
//! | [`Fault::RateLimited`] past the budget | `rate_limit`, with `retry_after_seconds` |
//! | [`Fault::ServerErrors`] (500/502/504) past the budget | `bad_gateway`; 503 is `service_error`; a short burst is retried to success |
//! | [`Fault::Slow`] beyond the timeout | `request_timeout` |
//! | [`Fault::Truncated`], [`Fault::NotJson`] | `invalid_response` |
//! | [`Fault::ExpiredTokenMidPaging`] | the first page succeeds; the next is `unauthorized` (no partial success) |
//! | [`Fault::CappedPages`] | every item listed once, at any requested page size |

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde_json::{Map, Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::ErrorCode;
use crate::http::RecordingSleeper;

/// How a scripted app pages a JSON list: its query parameters and body keys.
#[derive(Clone, Debug)]
pub struct ListShape {
    /// The query parameter of the first item's position (`offset`, `startIndex`).
    pub offset_param: String,
    /// The query parameter of the page size (`limit`, `count`).
    pub limit_param: String,
    /// Whether positions start at 1 (SCIM's `startIndex`) rather than 0.
    pub one_based: bool,
    /// The body key holding the items (`users`, `Resources`).
    pub items_key: String,
    /// The body key holding the total count (`total`, `totalResults`).
    pub total_key: String,
}

impl ListShape {
    /// A shape from its parameter names and body keys, 0-based.
    pub fn new(offset_param: &str, limit_param: &str, items_key: &str, total_key: &str) -> Self {
        ListShape {
            offset_param: offset_param.to_owned(),
            limit_param: limit_param.to_owned(),
            one_based: false,
            items_key: items_key.to_owned(),
            total_key: total_key.to_owned(),
        }
    }

    /// SCIM's `startIndex`/`count` paging of `Resources` with `totalResults` (1-based).
    pub fn scim() -> Self {
        ListShape {
            one_based: true,
            ..ListShape::new("startIndex", "count", "Resources", "totalResults")
        }
    }
}

/// One way an upstream app misbehaves. See the module table for the answer each demands.
#[derive(Clone, Debug)]
pub enum Fault {
    /// 429 with `Retry-After: retry_after_seconds`, `times` times, then the healthy route.
    RateLimited {
        /// The `Retry-After` header, in seconds.
        retry_after_seconds: u64,
        /// How many requests are refused.
        times: u64,
    },
    /// `status` (a 5xx), `times` times, then the healthy route.
    ServerErrors {
        /// The status answered.
        status: u16,
        /// How many requests fail.
        times: u64,
    },
    /// `body` after `delay` (real time).
    Slow {
        /// How long the app takes.
        delay: Duration,
        /// What it finally answers.
        body: Value,
    },
    /// 200 with `body` cut in the middle.
    Truncated {
        /// The body before cutting.
        body: Value,
    },
    /// 200 with an HTML page instead of JSON.
    NotJson,
    /// A paged list whose first page answers and whose later pages are 401 (the token
    /// expired while paging).
    ExpiredTokenMidPaging {
        /// How the list pages.
        shape: ListShape,
        /// Every item.
        items: Vec<Value>,
    },
    /// A paged list that never answers more than `cap` items, whatever size is asked for.
    CappedPages {
        /// How the list pages.
        shape: ListShape,
        /// Every item.
        items: Vec<Value>,
        /// The most items one page holds.
        cap: usize,
    },
}

/// A scripted upstream app on a local port.
pub struct FaultyApp {
    server: MockServer,
}

impl FaultyApp {
    /// Starts the app (on 127.0.0.1, a free port).
    pub async fn start() -> Self {
        FaultyApp {
            server: MockServer::start().await,
        }
    }

    /// The app's base URL.
    pub fn uri(&self) -> String {
        self.server.uri()
    }

    /// The wiremock server, for routes of your own.
    pub fn server(&self) -> &MockServer {
        &self.server
    }

    /// Answers `GET route` with `body` (the healthy route faults fall back to).
    pub async fn serve(&self, route: &str, body: Value) {
        Mock::given(method("GET"))
            .and(path(route))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .with_priority(10)
            .mount(&self.server)
            .await;
    }

    /// Answers `GET route` with a healthy paged list of `items`, paged as `shape` says.
    pub async fn serve_list(&self, route: &str, shape: ListShape, items: Vec<Value>) {
        Mock::given(method("GET"))
            .and(path(route))
            .respond_with(PagedList {
                shape,
                items: Arc::new(items),
                cap: usize::MAX,
                expire_after_first: false,
                served: Arc::default(),
            })
            .with_priority(10)
            .mount(&self.server)
            .await;
    }

    /// Makes `GET route` misbehave as `fault` says.
    pub async fn inject(&self, route: &str, fault: Fault) {
        let mock = || Mock::given(method("GET")).and(path(route));
        let mock = match fault {
            Fault::RateLimited {
                retry_after_seconds,
                times,
            } => mock()
                .respond_with(
                    ResponseTemplate::new(429)
                        .insert_header("retry-after", retry_after_seconds.to_string().as_str())
                        .set_body_json(json!({"error": "rate limited"})),
                )
                .up_to_n_times(times),
            Fault::ServerErrors { status, times } => mock()
                .respond_with(
                    ResponseTemplate::new(status)
                        .set_body_json(json!({"error": "upstream failure"})),
                )
                .up_to_n_times(times),
            Fault::Slow { delay, body } => mock().respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(body)
                    .set_delay(delay),
            ),
            Fault::Truncated { body } => {
                let text = body.to_string();
                let cut = text.len() / 2;
                mock().respond_with(
                    ResponseTemplate::new(200)
                        .insert_header("content-type", "application/json")
                        .set_body_bytes(text.as_bytes()[..cut].to_vec()),
                )
            }
            Fault::NotJson => mock().respond_with(
                ResponseTemplate::new(200)
                    .insert_header("content-type", "text/html")
                    .set_body_string("<html><body>Service temporarily unavailable</body></html>"),
            ),
            Fault::ExpiredTokenMidPaging { shape, items } => mock().respond_with(PagedList {
                shape,
                items: Arc::new(items),
                cap: usize::MAX,
                expire_after_first: true,
                served: Arc::default(),
            }),
            Fault::CappedPages { shape, items, cap } => mock().respond_with(PagedList {
                shape,
                items: Arc::new(items),
                cap,
                expire_after_first: false,
                served: Arc::default(),
            }),
        };
        mock.with_priority(1).mount(&self.server).await;
    }
}

/// A paged JSON list answering from its query parameters.
struct PagedList {
    shape: ListShape,
    items: Arc<Vec<Value>>,
    cap: usize,
    expire_after_first: bool,
    served: Arc<AtomicU64>,
}

impl Respond for PagedList {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let query = |name: &str| {
            request
                .url
                .query_pairs()
                .find(|(key, _)| key == name)
                .and_then(|(_, value)| value.parse::<usize>().ok())
        };
        let base = usize::from(self.shape.one_based);
        let start = query(&self.shape.offset_param)
            .unwrap_or(base)
            .saturating_sub(base);
        if self.expire_after_first && self.served.fetch_add(1, Ordering::SeqCst) > 0 {
            return ResponseTemplate::new(401).set_body_json(json!({"error": "token expired"}));
        }
        let size = query(&self.shape.limit_param)
            .unwrap_or(self.items.len())
            .min(self.cap);
        let start = start.min(self.items.len());
        let end = start.saturating_add(size).min(self.items.len());
        let mut body = Map::new();
        body.insert(
            self.shape.items_key.clone(),
            Value::Array(self.items[start..end].to_vec()),
        );
        body.insert(self.shape.total_key.clone(), json!(self.items.len()));
        ResponseTemplate::new(200).set_body_json(Value::Object(body))
    }
}

/// The parsed answer when it is an error envelope with `code`; panics naming the code found.
#[track_caller]
pub fn assert_error(answer: &str, code: ErrorCode) -> Value {
    let parsed: Value = serde_json::from_str(answer)
        .unwrap_or_else(|err| panic!("the answer is not JSON ({err}): {answer}"));
    let want = serde_json::to_value(code).unwrap_or_default();
    assert!(
        parsed["is_error"] == json!(true) && parsed["error"]["error_code"] == want,
        "expected the error {want}, got: {answer}"
    );
    parsed
}

/// The parsed answer when it is a success envelope; panics with the error otherwise.
#[track_caller]
pub fn assert_success(answer: &str) -> Value {
    let parsed: Value = serde_json::from_str(answer)
        .unwrap_or_else(|err| panic!("the answer is not JSON ({err}): {answer}"));
    assert!(
        parsed.get("is_error").is_none_or(|e| e != &json!(true)),
        "expected success, got: {answer}"
    );
    parsed
}

/// The sleeper was asked for exactly `expected`, in order (no real time was spent).
#[track_caller]
pub fn assert_waits(sleeper: &RecordingSleeper, expected: &[Duration]) {
    assert_eq!(
        sleeper.waits(),
        expected,
        "the waits the connector asked for"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
    }

    async fn get(url: &str) -> (u16, String) {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let response = reqwest::get(url).await.expect("the local app answers");
        let status = response.status().as_u16();
        (status, response.text().await.unwrap_or_default())
    }

    #[test]
    fn a_rate_limit_burst_ends_in_the_healthy_route() {
        runtime().block_on(async {
            let app = FaultyApp::start().await;
            app.serve("/me", json!({"ok": true})).await;
            app.inject(
                "/me",
                Fault::RateLimited {
                    retry_after_seconds: 7,
                    times: 1,
                },
            )
            .await;
            assert_eq!(get(&format!("{}/me", app.uri())).await.0, 429);
            assert_eq!(
                get(&format!("{}/me", app.uri())).await,
                (200, r#"{"ok":true}"#.to_owned())
            );
        });
    }

    #[test]
    fn capped_pages_never_answer_more_than_the_cap() {
        runtime().block_on(async {
            let app = FaultyApp::start().await;
            let items: Vec<Value> = (0..5).map(|n| json!({"id": n})).collect();
            app.inject(
                "/users",
                Fault::CappedPages {
                    shape: ListShape::new("offset", "limit", "users", "total"),
                    items,
                    cap: 2,
                },
            )
            .await;
            let (_, body) = get(&format!("{}/users?offset=3&limit=100", app.uri())).await;
            assert_eq!(
                serde_json::from_str::<Value>(&body).unwrap(),
                json!({"users": [{"id": 3}, {"id": 4}], "total": 5})
            );
        });
    }

    #[test]
    fn an_expired_token_answers_the_first_page_only() {
        runtime().block_on(async {
            let app = FaultyApp::start().await;
            let items: Vec<Value> = (0..5).map(|n| json!({"id": n})).collect();
            app.inject(
                "/Users",
                Fault::ExpiredTokenMidPaging {
                    shape: ListShape::scim(),
                    items,
                },
            )
            .await;
            assert_eq!(
                get(&format!("{}/Users?startIndex=1&count=2", app.uri()))
                    .await
                    .0,
                200
            );
            assert_eq!(
                get(&format!("{}/Users?startIndex=3&count=2", app.uri()))
                    .await
                    .0,
                401
            );
        });
    }

    #[test]
    fn a_truncated_body_is_not_json() {
        runtime().block_on(async {
            let app = FaultyApp::start().await;
            app.inject(
                "/x",
                Fault::Truncated {
                    body: json!({"users": [1, 2, 3]}),
                },
            )
            .await;
            let (status, body) = get(&format!("{}/x", app.uri())).await;
            assert_eq!(status, 200);
            assert!(serde_json::from_str::<Value>(&body).is_err(), "{body}");
        });
    }
}
