//! HTTP client toolkit for connectors that talk to REST APIs (feature `http`, on by
//! default).
//!
//! A connector keeps one [`HttpConfig`] (user agent, timeouts, retries, rate limit, error
//! hook) and sends requests for a capability's context with it: `self.http.get(cx,
//! "/users")` (and [`HttpConfig::post`], [`put`](HttpConfig::put), …) go to the base URL
//! and CA bundle of the settings ([`HttpSettings`]) with the credentials applied
//! ([`HttpAuth`], [`Auth`]: bearer token, OAuth access token, HTTP Basic, an API key in a
//! header or query parameter), and the request's deadline and rate-limit mode. A
//! capability that needs other credentials, another mode or another host makes an
//! [`HttpClient`] with [`HttpConfig::client`] or [`HttpConfig::client_with_auth`].
//!
//! The flow, one file each: the setup ([`HttpConfig`]), the client of one call
//! ([`HttpClient`]), a request being built ([`RequestBuilder`]), the send loop
//! ([`RequestBuilder::send`]: rate limit, deadline, exchange, then the [`RetryPolicy`]
//! decides retry or stop), and the response ([`HttpResponse`]).
//!
//! What every request gets without asking:
//!
//! * **Errors as the protocol maps them** ([`error_code_for_status`]): 404 → `not_found`,
//!   429 → `rate_limit`, 503 → `service_error`, … always with `status_code`; transport
//!   failures → `connection_timeout`, `connection_rejected`, `connection_closed` or
//!   `request_timeout`; a body that is not the JSON expected → `invalid_response`.
//!   Messages name the method and path (never the query string or a secret). A hook
//!   ([`HttpConfig::map_errors`]) reads the app's own error body first.
//! * **Retries** ([`RetryPolicy`]) of 429 and of 500/502/503/504 and broken connections
//!   for idempotent requests, with exponential backoff and jitter, `Retry-After`
//!   honoured (never undercut), at most 4 attempts and 60 s of waiting by default, and
//!   never past the call's deadline (`budget_exhausted` then). The caller's
//!   `rate_limit.caller_override_mode` is honoured ([`RateLimitMode`]).
//! * **Client-side rate limiting** ([`RateLimit`]), its state returned in the response's
//!   `rate_limit.current_state` and seeded from the request's `last_known_state`.
//! * **DEBUG logging** of requests and responses (target `connector_sdk::http`) with
//!   `Authorization`, cookies, API keys, secret-looking JSON keys, settings marked secret
//!   and the credential values themselves redacted.
//! * **Record and replay** ([`Cassette`]): `CONNECTOR_RECORD=<file>` appends every
//!   exchange to a cassette (JSON lines, secrets redacted, mode 0600);
//!   `CONNECTOR_REPLAY=<file>` answers from it instead of the network.
//! * Proxy from the environment (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`), a connect
//!   timeout of 10 s and a request timeout of 30 s.
//!
//! Pagination helpers ([`OffsetCursor`], [`PageNumberCursor`], [`BodyCursor`],
//! [`LinkCursor`], [`EndpointsCursor`]) are plain serde types, so the runtime encodes them
//! into its page tokens.
//!
//! # Example: `list_accounts` against a REST API
//!
//! ```
//! use connector_sdk::prelude::*;
//! use connector_sdk::http::{HttpConfig, HttpSettings, OffsetCursor};
//!
//! #[derive(serde::Deserialize, schemars::JsonSchema)]
//! struct Settings { base_url: String }
//! impl HttpSettings for Settings {
//!     fn base_url(&self) -> &str { &self.base_url }
//! }
//!
//! #[derive(serde::Deserialize)]
//! struct User { id: String, email: Option<String> }
//!
//! struct Demo { http: HttpConfig }
//!
//! impl Demo {
//!     async fn list_accounts(
//!         &self, cx: &Context<Settings, TokenCredential>, _req: ListAccounts, page: PageRequest<OffsetCursor>,
//!     ) -> Result<Paged<FoundAccountData, OffsetCursor>> {
//!         let offset = OffsetCursor::offset_of(&page);
//!         let users: Vec<User> = self.http.get(cx, "/users").query(&[("offset", offset), ("limit", page.size().into())]).fetch().await?;
//!         let next = OffsetCursor::after(offset, users.len(), page.size(), None);
//!         let accounts = users
//!             .into_iter()
//!             .map(|user| FoundAccountData { integration_specific_id: user.id, email: user.email, ..Default::default() })
//!             .collect();
//!         Ok(Paged::new(accounts, next))
//!     }
//! }
//! # let _ = Demo { http: HttpConfig::new("demo", "1.0.0") };
//! ```
//!
//! The `examples/http-example` crate is a complete connector built this way.
#![cfg(feature = "http")]

mod auth;
mod cassette;
mod client;
mod config;
mod errors;
mod logging;
mod pagination;
mod rate_limit;
mod request;
mod response;
mod retry;
mod send;
mod sleep;
mod transport;

pub use auth::{Auth, HttpAuth};
pub use cassette::{Cassette, RECORD_ENV, REPLAY_ENV};
pub use client::{HttpClient, path_segment};
pub use config::{
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT, HttpConfig, HttpSettings,
};
pub use errors::{ErrorMapper, HttpFailure, error_code_for_status};
pub use logging::LOG_TARGET;
pub use pagination::{
    BodyCursor, EndpointsCursor, Link, LinkCursor, OffsetCursor, PageNumberCursor,
    parse_link_header,
};
pub use rate_limit::{RateLimit, RateLimitMode};
pub use request::RequestBuilder;
pub use response::{HttpResponse, is_json_content_type};
pub use retry::{RetryPolicy, parse_retry_after, retry_after};
pub use sleep::{RecordingSleeper, Sleeper, TokioSleeper};

/// HTTP methods, re-exported from `reqwest`.
pub use reqwest::Method;
/// URLs, re-exported from `reqwest`.
pub use reqwest::Url;
/// Header maps and names, re-exported from `reqwest`.
pub use reqwest::header;
