//! [`HttpConfig`]: the per-connector HTTP setup and its builders, the [`HttpSettings`]
//! a connector's settings implement, and the ways to get from a capability's context to
//! requests ([`HttpConfig::client`], [`HttpConfig::get`] and the other methods).

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::Method;
use reqwest::header::{ACCEPT, HeaderMap, HeaderName, HeaderValue};
use schemars::JsonSchema;

use super::auth::{Auth, HttpAuth};
use super::client::HttpClient;
use super::errors::{ErrorMapper, HttpFailure};
use super::pagination::LinkCursor;
use super::rate_limit::{Limiter, RateLimit, RateLimitMode};
use super::request::{ClientRef, RequestBuilder};
use super::retry::RetryPolicy;
use super::sleep::{Sleeper, TokioSleeper};
use crate::context::Context;
use crate::error::{ConnectorError, Result};

/// The default time allowed to connect: 10 seconds.
///
/// ```
/// use std::time::Duration;
/// use connector_sdk::http::{DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT};
///
/// assert_eq!(DEFAULT_CONNECT_TIMEOUT, Duration::from_secs(10));
/// assert_eq!(DEFAULT_TIMEOUT, Duration::from_secs(30));
/// assert_eq!(DEFAULT_MAX_RESPONSE_BYTES, 64 << 20);
/// ```
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The default time allowed for one attempt of a request, body included: 30 seconds
/// (see [`DEFAULT_CONNECT_TIMEOUT`] for an example).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// The default largest response body read: 64 MiB (see [`DEFAULT_CONNECT_TIMEOUT`] for
/// an example).
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 64 * 1024 * 1024;

/// Settings that tell the client where the app is: implemented by a connector's settings
/// type for [`HttpConfig::client`].
///
/// ```
/// use connector_sdk::http::HttpSettings;
///
/// #[derive(serde::Deserialize, schemars::JsonSchema)]
/// struct Settings {
///     base_url: String,
///     /// PEM certificates of a private CA, for on-prem apps.
///     ca_bundle: Option<String>,
///     /// Seconds to wait for an answer.
///     timeout_seconds: Option<u64>,
/// }
///
/// impl HttpSettings for Settings {
///     fn base_url(&self) -> &str {
///         &self.base_url
///     }
///     fn ca_bundle_pem(&self) -> Option<&str> {
///         self.ca_bundle.as_deref()
///     }
///     fn timeout(&self) -> Option<std::time::Duration> {
///         self.timeout_seconds.map(std::time::Duration::from_secs)
///     }
/// }
/// ```
pub trait HttpSettings {
    /// The API's base URL; request paths are appended to it (`https://h/api` + `/users`
    /// → `https://h/api/users`).
    fn base_url(&self) -> &str;

    /// PEM certificates to trust besides the system's (a private CA of an on-prem app).
    fn ca_bundle_pem(&self) -> Option<&str> {
        None
    }

    /// The time allowed for one attempt of a request, when the settings choose it (a slow
    /// on-prem app); the setup's ([`HttpConfig::timeout`]) otherwise.
    fn timeout(&self) -> Option<Duration> {
        None
    }
}

/// A bare base URL, handy in tests: `Context::for_tests("app", url, credentials)`.
impl HttpSettings for String {
    fn base_url(&self) -> &str {
        self
    }
}

/// Which proxy the client uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum ProxyChoice {
    /// `HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY` and `NO_PROXY` from the environment.
    Environment,
    /// No proxy at all.
    Direct,
    /// This proxy for every request (`NO_PROXY` still applies).
    Url(String),
}

/// The per-connector HTTP setup, built once (typically in the connector's `Default`) and
/// shared by every call: user agent, timeouts, retries, rate limit, proxy, CA bundle,
/// error hook. [`HttpConfig::client`] makes the per-call [`HttpClient`] from a
/// capability's context.
///
/// Defaults: connect timeout 10 s, request timeout 30 s, [`RetryPolicy::default`], no
/// client-side rate limit, proxy from the environment, the system's CA certificates,
/// `Accept: application/json`, user agent `<app_id>/<version> connector-sdk/<sdk version>`.
///
/// ```
/// use std::time::Duration;
/// use connector_sdk::http::{HttpConfig, RateLimit, RetryPolicy};
///
/// let http = HttpConfig::new("my_app", "1.2.0")
///     .timeout(Duration::from_secs(20))
///     .retry(RetryPolicy::default().max_attempts(3))
///     .rate_limit(RateLimit::new("my_app", 600, Duration::from_secs(60)).max_concurrent(4));
/// assert_eq!(http.user_agent_string(), format!("my_app/1.2.0 connector-sdk/{}", env!("CARGO_PKG_VERSION")));
/// ```
#[derive(Clone)]
pub struct HttpConfig {
    pub(super) app_id: String,
    pub(super) version: String,
    pub(super) user_agent: Option<String>,
    pub(super) connect_timeout: Duration,
    pub(super) timeout: Duration,
    pub(super) retry: RetryPolicy,
    pub(super) limiter: Option<Arc<Limiter>>,
    pub(super) mode: Option<RateLimitMode>,
    pub(super) error_mapper: Option<ErrorMapper>,
    pub(super) headers: HeaderMap,
    pub(super) proxy: ProxyChoice,
    pub(super) ca_pem: Option<String>,
    pub(super) redact_keys: Vec<String>,
    pub(super) sleeper: Arc<dyn Sleeper>,
    pub(super) max_response_bytes: usize,
    pub(super) setup_error: Option<ConnectorError>,
    pub(super) clients: Arc<Mutex<ClientCache>>,
}

/// `reqwest` clients already built, by CA bundle.
pub(super) type ClientCache = Vec<(Option<String>, reqwest::Client)>;

impl fmt::Debug for HttpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpConfig")
            .field("user_agent", &self.user_agent_string())
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field(
                "rate_limit",
                &self.limiter.as_ref().map(|limiter| limiter.config()),
            )
            .field("mode", &self.mode)
            .field("proxy", &self.proxy)
            .finish_non_exhaustive()
    }
}

impl HttpConfig {
    /// The setup of connector `app_id` at `version` (both named in the user agent).
    pub fn new(app_id: impl Into<String>, version: impl Into<String>) -> Self {
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        HttpConfig {
            app_id: app_id.into(),
            version: version.into(),
            user_agent: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            retry: RetryPolicy::default(),
            limiter: None,
            mode: None,
            error_mapper: None,
            headers,
            proxy: ProxyChoice::Environment,
            ca_pem: None,
            redact_keys: Vec::new(),
            sleeper: Arc::new(TokioSleeper),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            setup_error: None,
            clients: Arc::default(),
        }
    }

    /// The setup of the connector described by `metadata` (its app_id and version).
    ///
    /// ```
    /// use connector_sdk::connector::Metadata;
    /// use connector_sdk::http::HttpConfig;
    ///
    /// let http = HttpConfig::from_metadata(&Metadata::new("my_app", "2.0.0"));
    /// assert!(http.user_agent_string().starts_with("my_app/2.0.0 "));
    /// ```
    pub fn from_metadata(metadata: &crate::connector::Metadata) -> Self {
        HttpConfig::new(metadata.app_id, metadata.version)
    }

    /// Drops the cached `reqwest` clients after a change of setup.
    fn changed(mut self) -> Self {
        self.clients = Arc::default();
        self
    }

    /// Sets the user agent (instead of `<app_id>/<version> connector-sdk/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self.changed()
    }

    /// The user agent sent.
    pub fn user_agent_string(&self) -> String {
        self.user_agent.clone().unwrap_or_else(|| {
            format!(
                "{}/{} connector-sdk/{}",
                self.app_id,
                self.version,
                env!("CARGO_PKG_VERSION")
            )
        })
    }

    /// Sets the time allowed to connect (10 s by default).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self.changed()
    }

    /// Sets the time allowed for one attempt of a request, from sending it to the end of
    /// the response body (30 s by default). The call's deadline shortens it when nearer.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets the retry policy ([`RetryPolicy::default`] by default).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Declares the connector's client-side rate limit. Its state is shared by every
    /// client made from this setup (and its clones), and reported in each response's
    /// `rate_limit.current_state`.
    pub fn rate_limit(mut self, rate_limit: RateLimit) -> Self {
        self.limiter = Some(Arc::new(Limiter::new(rate_limit)));
        self
    }

    /// Sets the connector's rate-limit mode; it takes precedence over the caller's
    /// `caller_override_mode` (see [`RateLimitMode`]).
    pub fn mode(mut self, mode: RateLimitMode) -> Self {
        self.mode = Some(mode);
        self
    }

    /// Hooks a mapping of failed responses to errors, run before the default table (see
    /// [`ErrorMapper`]).
    ///
    /// ```
    /// use connector_sdk::ConnectorError;
    /// use connector_sdk::http::HttpConfig;
    ///
    /// let http = HttpConfig::new("my_app", "1.0.0").map_errors(|failure| {
    ///     let body = failure.json_value()?;
    ///     let code = body.get("errorCode")?.as_str()?;
    ///     (code == "E0000047").then(|| ConnectorError::rate_limit("API call exceeded rate limit"))
    /// });
    /// # let _ = http;
    /// ```
    pub fn map_errors<F>(mut self, mapper: F) -> Self
    where
        F: Fn(&HttpFailure<'_>) -> Option<ConnectorError> + Send + Sync + 'static,
    {
        self.error_mapper = Some(Arc::new(mapper));
        self
    }

    /// Adds a header sent with every request. An invalid name or value makes every
    /// request fail with `invalid_value`.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        match (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            (Ok(name), Ok(value)) => {
                self.headers.insert(name, value);
            }
            _ => {
                self.setup_error = Some(ConnectorError::invalid_value(format!(
                    "The default header `{}` is not a valid HTTP header.",
                    name.chars().take(60).collect::<String>()
                )));
            }
        }
        self.changed()
    }

    /// Sends every request through this proxy (`NO_PROXY` still applies), instead of the
    /// proxy named by `HTTPS_PROXY` / `HTTP_PROXY` / `ALL_PROXY`.
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.proxy = ProxyChoice::Url(url.into());
        self.changed()
    }

    /// Uses no proxy, whatever the environment says.
    pub fn no_proxy(mut self) -> Self {
        self.proxy = ProxyChoice::Direct;
        self.changed()
    }

    /// Trusts the PEM certificates in `pem` besides the system's (a private CA of an
    /// on-prem app). A CA bundle in the settings ([`HttpSettings::ca_bundle_pem`]) is used
    /// instead when present.
    pub fn ca_bundle_pem(mut self, pem: impl Into<String>) -> Self {
        self.ca_pem = Some(pem.into());
        self.changed()
    }

    /// Adds JSON keys (and header or query names) to redact in logs, besides the
    /// secret-looking ones and the settings whose schema is marked `x-secret`.
    pub fn redact_keys<I, K>(mut self, keys: I) -> Self
    where
        I: IntoIterator<Item = K>,
        K: Into<String>,
    {
        self.redact_keys
            .extend(keys.into_iter().map(|key| key.into().to_ascii_lowercase()));
        self
    }

    /// Replaces what waits between attempts and for the rate limiter (tests use a
    /// [`RecordingSleeper`](super::RecordingSleeper)).
    pub fn sleeper(mut self, sleeper: impl Sleeper) -> Self {
        self.sleeper = Arc::new(sleeper);
        self
    }

    /// Sets the largest response body read (64 MiB by default); a larger one is
    /// `invalid_response`.
    pub fn max_response_bytes(mut self, bytes: usize) -> Self {
        self.max_response_bytes = bytes;
        self
    }

    /// The per-call client for a capability's context: base URL and CA bundle from the
    /// settings, authentication from the credentials ([`HttpAuth`]), deadline and
    /// rate-limit mode from the request.
    ///
    /// A capability that needs no other authentication, mode or host calls the request
    /// methods taking the context ([`HttpConfig::get`] and the others) instead.
    pub fn client<'a, S, A>(&'a self, cx: &'a Context<S, A>) -> Result<HttpClient<'a>>
    where
        S: HttpSettings + JsonSchema + Send + Sync,
        A: HttpAuth + Send + Sync,
    {
        self.client_with_auth(cx, cx.credentials().http_auth())
    }

    /// Like [`HttpConfig::client`], with the authentication given (an API key in a
    /// header, credentials of a multi-credential connector, …).
    ///
    /// ```
    /// use connector_sdk::{Context, Secret};
    /// use connector_sdk::http::{Auth, HttpConfig};
    ///
    /// let http = HttpConfig::new("my_app", "1.0.0");
    /// let cx = Context::for_tests("my_app", "https://api.example.com/v1".to_owned(), ());
    /// let api = http.client_with_auth(&cx, Auth::header("X-Api-Key", Secret::from("k3y"))).unwrap();
    /// assert_eq!(api.base_url().as_str(), "https://api.example.com/v1");
    /// ```
    pub fn client_with_auth<'a, S, A>(
        &'a self,
        cx: &'a Context<S, A>,
        auth: Auth,
    ) -> Result<HttpClient<'a>>
    where
        S: HttpSettings + JsonSchema + Send + Sync,
        A: Send + Sync,
    {
        HttpClient::for_call(self, cx, auth)
    }

    /// A request of `method` to `path` for the call of `cx`: the same as
    /// `self.client(cx)?.request(method, path)`, with a failure to make the client
    /// returned when the request is sent.
    ///
    /// ```no_run
    /// # async fn demo(http: &connector_sdk::http::HttpConfig, cx: &connector_sdk::Context<String, connector_sdk::models::TokenCredential>) -> connector_sdk::Result<()> {
    /// #[derive(serde::Deserialize)]
    /// struct User { id: String }
    ///
    /// let users: Vec<User> = http.get(cx, "/users").query(&[("limit", 50)]).fetch().await?;
    /// http.post(cx, "/users").json(&serde_json::json!({"name": "ann"})).send().await?;
    /// # let _ = users; Ok(()) }
    /// ```
    pub fn request<'a, S, A>(
        &'a self,
        cx: &'a Context<S, A>,
        method: Method,
        path: &str,
    ) -> RequestBuilder<'a>
    where
        S: HttpSettings + JsonSchema + Send + Sync,
        A: HttpAuth + Send + Sync,
    {
        match self.client(cx) {
            Ok(client) => {
                let (inner, error) = client.start(method.clone(), path);
                RequestBuilder::new(ClientRef::Owned(Box::new(client)), method, inner, error)
            }
            Err(error) => RequestBuilder::failed(method, error),
        }
    }

    /// A GET request for the call of `cx` (see [`HttpConfig::request`]).
    pub fn get<'a, S, A>(&'a self, cx: &'a Context<S, A>, path: &str) -> RequestBuilder<'a>
    where
        S: HttpSettings + JsonSchema + Send + Sync,
        A: HttpAuth + Send + Sync,
    {
        self.request(cx, Method::GET, path)
    }

    /// A POST request for the call of `cx` (not retried on server errors unless marked
    /// idempotent; see [`HttpConfig::request`]).
    pub fn post<'a, S, A>(&'a self, cx: &'a Context<S, A>, path: &str) -> RequestBuilder<'a>
    where
        S: HttpSettings + JsonSchema + Send + Sync,
        A: HttpAuth + Send + Sync,
    {
        self.request(cx, Method::POST, path)
    }

    /// A PUT request for the call of `cx` (see [`HttpConfig::request`]).
    pub fn put<'a, S, A>(&'a self, cx: &'a Context<S, A>, path: &str) -> RequestBuilder<'a>
    where
        S: HttpSettings + JsonSchema + Send + Sync,
        A: HttpAuth + Send + Sync,
    {
        self.request(cx, Method::PUT, path)
    }

    /// A PATCH request for the call of `cx` (not retried on server errors unless marked
    /// idempotent; see [`HttpConfig::request`]).
    pub fn patch<'a, S, A>(&'a self, cx: &'a Context<S, A>, path: &str) -> RequestBuilder<'a>
    where
        S: HttpSettings + JsonSchema + Send + Sync,
        A: HttpAuth + Send + Sync,
    {
        self.request(cx, Method::PATCH, path)
    }

    /// A DELETE request for the call of `cx` (see [`HttpConfig::request`]).
    pub fn delete<'a, S, A>(&'a self, cx: &'a Context<S, A>, path: &str) -> RequestBuilder<'a>
    where
        S: HttpSettings + JsonSchema + Send + Sync,
        A: HttpAuth + Send + Sync,
    {
        self.request(cx, Method::DELETE, path)
    }

    /// A GET of the next page named by a [`LinkCursor`] for the call of `cx` (see
    /// [`HttpClient::follow`]).
    pub fn follow<'a, S, A>(
        &'a self,
        cx: &'a Context<S, A>,
        cursor: &LinkCursor,
    ) -> RequestBuilder<'a>
    where
        S: HttpSettings + JsonSchema + Send + Sync,
        A: HttpAuth + Send + Sync,
    {
        match self.client(cx) {
            Ok(client) => {
                let (inner, error) = client.start_follow(cursor);
                RequestBuilder::new(
                    ClientRef::Owned(Box::new(client)),
                    Method::GET,
                    inner,
                    error,
                )
            }
            Err(error) => RequestBuilder::failed(Method::GET, error),
        }
    }
}
