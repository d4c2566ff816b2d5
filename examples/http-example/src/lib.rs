//! http-example: a connector for a small REST API, written with connector-sdk's HTTP
//! toolkit ([`connector_sdk::http`]).
//!
//! The app it talks to (any server with this shape will do):
//!
//! * `GET <base_url>/me` → `{"tenant_id": "acme"}` (checks the token),
//! * `GET <base_url>/users?offset=0&limit=100` →
//!   `{"users": [{"id", "email", "given_name", "family_name", "active"}], "total": 250}`.
//!
//! Requests carry `Authorization: Bearer <token>` from the `token` credential. Errors,
//! retries (429 with `Retry-After`, 5xx), the client-side rate limit, timeouts and
//! redacted DEBUG logging all come from the toolkit: the capability code below is only
//! the mapping from the app's JSON to the protocol's models.
//!
//! ```
//! use connector_sdk::Connector;
//! use http_example::HttpExample;
//!
//! let info = serde_json::to_value(connector_sdk::info::info::<HttpExample>()).unwrap();
//! # let _ = info;
//! assert_eq!(HttpExample::metadata().app_id, "http_example");
//! ```

use std::time::Duration;

use connector_sdk::connector::{Capabilities, Metadata};
use connector_sdk::http::{HttpConfig, HttpSettings, OffsetCursor, RateLimit};
use connector_sdk::prelude::*;
use schemars::JsonSchema;
use serde::Deserialize;

/// The connector's settings.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[schemars(rename = "HttpExampleSettings")]
pub struct Settings {
    /// The API's base URL, such as `https://acme.example.com/api/v1`.
    #[schemars(title = "Base URL")]
    pub base_url: String,
    /// PEM certificates of the private CA of an on-prem installation.
    #[serde(default)]
    #[schemars(title = "CA bundle")]
    pub ca_bundle: Option<String>,
    /// Seconds to wait for an answer from the API (30 by default).
    #[serde(default)]
    #[schemars(title = "Timeout (seconds)")]
    pub timeout_seconds: Option<u64>,
}

impl HttpSettings for Settings {
    fn base_url(&self) -> &str {
        &self.base_url
    }

    fn ca_bundle_pem(&self) -> Option<&str> {
        self.ca_bundle.as_deref()
    }

    fn timeout(&self) -> Option<Duration> {
        self.timeout_seconds.map(Duration::from_secs)
    }
}

/// A user as the app lists it.
#[derive(Debug, Deserialize)]
struct User {
    id: String,
    email: Option<String>,
    given_name: Option<String>,
    family_name: Option<String>,
    active: bool,
}

/// One page of `GET /users`.
#[derive(Debug, Deserialize)]
struct Users {
    users: Vec<User>,
    total: Option<u64>,
}

/// The connector: its HTTP setup, shared by every call.
#[derive(Debug)]
pub struct HttpExample {
    http: HttpConfig,
}

impl Default for HttpExample {
    fn default() -> Self {
        let limit = RateLimit::new("http_example", 600, Duration::from_secs(60)).max_concurrent(4);
        HttpExample {
            http: HttpConfig::from_metadata(&Self::metadata()).rate_limit(limit),
        }
    }
}

impl HttpExample {
    /// The connector with another HTTP setup (tests inject a recording sleeper or a retry
    /// policy).
    pub fn with_http(http: HttpConfig) -> Self {
        HttpExample { http }
    }

    /// Checks the token by asking the app who it belongs to.
    pub async fn validate_credentials(
        &self,
        cx: &ContextOf<Self>,
        _req: ValidateCredentials,
    ) -> Result<ValidatedCredentials> {
        #[derive(Deserialize)]
        struct Me {
            tenant_id: String,
        }
        let me: Me = self.http.get(cx, "/me").fetch().await?;
        Ok(ValidatedCredentials {
            valid: true,
            unique_tenant_id: me.tenant_id,
        })
    }

    /// Lists the app's users, a page at a time.
    pub async fn list_accounts(
        &self,
        cx: &ContextOf<Self>,
        _req: ListAccounts,
        page: PageRequest<OffsetCursor>,
    ) -> Result<Paged<FoundAccountData, OffsetCursor>> {
        let offset = OffsetCursor::offset_of(&page);
        let query = [("offset", offset), ("limit", u64::from(page.size()))];
        let found: Users = self.http.get(cx, "/users").query(&query).fetch().await?;
        let next = OffsetCursor::after(offset, found.users.len(), page.size(), found.total);
        let accounts = found.users.into_iter().map(|user| FoundAccountData {
            integration_specific_id: user.id,
            email: user.email,
            given_name: user.given_name,
            family_name: user.family_name,
            user_status: Some(if user.active {
                AccountStatus::Active
            } else {
                AccountStatus::Inactive
            }),
            ..Default::default()
        });
        Ok(Paged::new(accounts.collect(), next))
    }
}

impl Connector for HttpExample {
    type Settings = Settings;
    type Credentials = TokenCredential;

    fn metadata() -> Metadata {
        Metadata::new("http_example", env!("CARGO_PKG_VERSION"))
            .crate_name("http_example")
            .name("HTTP Example")
            .description(
                "An example connector for a REST API, built on connector-sdk's HTTP toolkit.",
            )
    }

    fn capabilities() -> Capabilities<Self> {
        Capabilities::<Self>::new()
            .standard::<caps::ValidateCredentials, _, _, _>(|c, cx, req| {
                Box::pin(c.validate_credentials(cx, req))
            })
            .list::<caps::ListAccounts, _, _, _>(|c, cx, req, page| {
                Box::pin(c.list_accounts(cx, req, page))
            })
    }
}
