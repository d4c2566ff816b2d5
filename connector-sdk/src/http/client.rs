//! [`HttpConfig`] (built once per connector) and [`HttpClient`] (made per call from the
//! capability's context), with their requests and responses.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode, Url};
use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::auth::{Auth, HttpAuth};
use super::errors::{self, ErrorMapper, HttpFailure, ceil_seconds, human_duration};
use super::logging::{self, LOG_TARGET, Redactor};
use super::pagination::{Link, LinkCursor, parse_link_header};
use super::rate_limit::{Limiter, RateLimit, RateLimitMode};
use super::retry::{RetryPolicy, Sleeper, TokioSleeper};
use crate::context::Context;
use crate::error::{ConnectorError, ErrorCode, Result};

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
enum ProxyChoice {
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
    app_id: String,
    version: String,
    user_agent: Option<String>,
    connect_timeout: Duration,
    timeout: Duration,
    retry: RetryPolicy,
    limiter: Option<Arc<Limiter>>,
    mode: Option<RateLimitMode>,
    error_mapper: Option<ErrorMapper>,
    headers: HeaderMap,
    proxy: ProxyChoice,
    ca_pem: Option<String>,
    redact_keys: Vec<String>,
    sleeper: Arc<dyn Sleeper>,
    max_response_bytes: usize,
    setup_error: Option<ConnectorError>,
    clients: Arc<Mutex<ClientCache>>,
}

/// `reqwest` clients already built, by CA bundle.
type ClientCache = Vec<(Option<String>, reqwest::Client)>;

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
        if let Some(error) = &self.setup_error {
            return Err(error.clone());
        }
        let base = parse_base_url(cx.settings().base_url())?;
        let ca = cx
            .settings()
            .ca_bundle_pem()
            .map(str::to_owned)
            .or_else(|| self.ca_pem.clone());
        let http = self.reqwest_client(ca)?;
        let info = cx.rate_limit();
        let caller_mode = info.and_then(|info| info.caller_override_mode);
        let mode = self
            .mode
            .or(caller_mode)
            .unwrap_or_else(|| RateLimitMode::default_for(cx.capability()));
        let caller_retry_attempt = info
            .and_then(|info| info.caller_retry_attempt)
            .map_or(0, |attempts| {
                u32::try_from(attempts.max(0)).unwrap_or(u32::MAX)
            });
        if let Some(limiter) = &self.limiter
            && let Some(snapshot) = cx.last_known_rate_limit_state(limiter.config().config_id())
        {
            limiter.seed(&snapshot, Instant::now(), SystemTime::now());
        }
        let mut keys = secret_setting_names::<S>();
        keys.extend(self.redact_keys.iter().cloned());
        keys.extend(
            std::env::var("LUMOS_ADDITIONAL_REDACTED_LOG_KEYS")
                .unwrap_or_default()
                .split(',')
                .map(|key| key.trim().to_ascii_lowercase())
                .filter(|key| !key.is_empty()),
        );
        let redactor = Arc::new(Redactor::new(
            auth.secret_values(),
            keys.clone(),
            auth.secret_names(),
        ));
        Ok(HttpClient {
            config: self,
            http,
            base,
            auth,
            redact_keys: keys,
            redactor,
            deadline: cx.deadline(),
            timeout: cx.settings().timeout().unwrap_or(self.timeout),
            mode,
            caller_retry_attempt,
            sink: cx,
        })
    }

    /// The cached `reqwest` client for a CA bundle, or a new one.
    fn reqwest_client(&self, ca: Option<String>) -> Result<reqwest::Client> {
        let mut clients = self.clients.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((_, client)) = clients.iter().find(|(key, _)| *key == ca) {
            return Ok(client.clone());
        }
        let client = self.build_reqwest_client(ca.as_deref())?;
        if clients.len() >= 8 {
            clients.remove(0);
        }
        clients.push((ca, client.clone()));
        Ok(client)
    }

    fn build_reqwest_client(&self, ca: Option<&str>) -> Result<reqwest::Client> {
        ensure_crypto_provider();
        let mut builder = reqwest::Client::builder()
            .user_agent(self.user_agent_string())
            .connect_timeout(self.connect_timeout)
            .default_headers(self.headers.clone())
            .pool_idle_timeout(Duration::from_secs(60))
            .redirect(reqwest::redirect::Policy::custom(|attempt| {
                if attempt.previous().len() > MAX_REDIRECTS {
                    return attempt.stop();
                }
                match attempt.previous().first() {
                    Some(first) if redirect_allowed(first, attempt.url()) => attempt.follow(),
                    _ => attempt.stop(),
                }
            }));
        builder = match &self.proxy {
            ProxyChoice::Environment => builder,
            ProxyChoice::Direct => builder.no_proxy(),
            ProxyChoice::Url(url) => {
                let proxy = reqwest::Proxy::all(url.as_str())
                    .map_err(|_| {
                        ConnectorError::invalid_value("The configured proxy URL is not valid.")
                    })?
                    .no_proxy(reqwest::NoProxy::from_env());
                builder.proxy(proxy)
            }
        };
        if let Some(pem) = ca {
            let certificates = reqwest::Certificate::from_pem_bundle(pem.as_bytes())
                .ok()
                .filter(|certificates| !certificates.is_empty())
                .ok_or_else(|| {
                    ConnectorError::invalid_value(
                        "The CA bundle is not valid: it must hold PEM certificates.",
                    )
                })?;
            builder = builder.tls_certs_merge(certificates);
        }
        builder.build().map_err(|err| {
            let (_, detail) = errors::classify(&err);
            ConnectorError::internal_error(format!(
                "The HTTP client could not be set up{}.",
                detail
                    .map(|detail| format!(" ({detail})"))
                    .unwrap_or_default()
            ))
        })
    }
}

/// The most redirects followed for one request.
const MAX_REDIRECTS: usize = 10;

/// Whether a redirect from `from` to `to` is followed: on the same origin, or from http
/// to https on the same host. Elsewhere the credentials (an API key header, say) would
/// go along, so the redirect is returned as the response (`invalid_response`).
fn redirect_allowed(from: &Url, to: &Url) -> bool {
    from.origin() == to.origin()
        || (from.scheme() == "http" && to.scheme() == "https" && from.host() == to.host())
}

/// Installs rustls's ring provider as the process default, unless one is installed.
fn ensure_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Losing a race to another thread installing one is fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

/// The base URL from the settings, checked.
fn parse_base_url(text: &str) -> Result<Url> {
    let invalid = || {
        ConnectorError::invalid_value(
            "The base URL in the settings is not a valid http:// or https:// URL.",
        )
        .with_hint("Review the integration settings and correct the indicated field.")
    };
    let mut url = Url::parse(text.trim()).map_err(|_| invalid())?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(invalid());
    }
    url.set_fragment(None);
    Ok(url)
}

/// The names of the settings fields whose schema is marked `x-secret`.
fn secret_setting_names<S: JsonSchema>() -> Vec<String> {
    let schema = schemars::SchemaGenerator::default().into_root_schema_for::<S>();
    let value = schema.as_value();
    let mut names = Vec::new();
    if let Some(properties) = value.get("properties").and_then(Value::as_object) {
        for (name, property) in properties {
            if marks_secret(property, value, 0) {
                names.push(name.to_ascii_lowercase());
            }
        }
    }
    names
}

/// Whether a schema (or one it refers to or combines) carries `x-secret: true`.
fn marks_secret(schema: &Value, root: &Value, depth: u8) -> bool {
    if depth > 8 {
        return false;
    }
    if schema.get("x-secret") == Some(&Value::Bool(true)) {
        return true;
    }
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str)
        && let Some(target) = reference
            .strip_prefix('#')
            .and_then(|pointer| root.pointer(pointer))
        && marks_secret(target, root, depth + 1)
    {
        return true;
    }
    ["anyOf", "oneOf", "allOf"].iter().any(|key| {
        schema
            .get(*key)
            .and_then(Value::as_array)
            .is_some_and(|options| {
                options
                    .iter()
                    .any(|option| marks_secret(option, root, depth + 1))
            })
    })
}

/// Where the client records rate-limit state: the call's [`Context`].
trait StateSink: Sync {
    fn record(&self, config_id: &str, snapshot: Value);
}

impl<S: Send + Sync, A: Send + Sync> StateSink for Context<S, A> {
    fn record(&self, config_id: &str, snapshot: Value) {
        self.record_rate_limit_state(config_id, snapshot);
    }
}

/// The HTTP client of one call: requests go to the settings' base URL with the call's
/// credentials, retries, rate limit and deadline. Made by [`HttpConfig::client`].
///
/// ```
/// use connector_sdk::Context;
/// use connector_sdk::http::HttpConfig;
///
/// let http = HttpConfig::new("my_app", "1.0.0");
/// let cx = Context::for_tests("my_app", "https://api.example.com/v1/".to_owned(), ());
/// let api = http.client(&cx).unwrap();
/// assert_eq!(api.url("/users?active=true").unwrap().as_str(), "https://api.example.com/v1/users?active=true");
///
/// // Per capability: other credentials, another mode, another host.
/// use connector_sdk::Secret;
/// use connector_sdk::http::{Auth, RateLimitMode};
/// let api = api
///     .with_auth(Auth::header("X-Api-Key", Secret::from("k3y")))
///     .with_mode(RateLimitMode::EnforceNoRetry)
///     .with_base_url("https://auth.example.com")
///     .unwrap();
/// assert_eq!(api.mode(), RateLimitMode::EnforceNoRetry);
/// assert_eq!(api.base_url().host_str(), Some("auth.example.com"));
/// let request = api.get("/users").query(&[("limit", 10)]).timeout(std::time::Duration::from_secs(5));
/// # let _ = request;
/// ```
pub struct HttpClient<'a> {
    config: &'a HttpConfig,
    http: reqwest::Client,
    base: Url,
    auth: Auth,
    redact_keys: Vec<String>,
    redactor: Arc<Redactor>,
    deadline: Instant,
    timeout: Duration,
    mode: RateLimitMode,
    caller_retry_attempt: u32,
    sink: &'a dyn StateSink,
}

impl fmt::Debug for HttpClient<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpClient")
            .field("base", &self.redactor.url(&self.base))
            .field("auth", &self.auth)
            .field("mode", &self.mode)
            .finish_non_exhaustive()
    }
}

impl<'a> HttpClient<'a> {
    /// The same client with other authentication.
    pub fn with_auth(mut self, auth: Auth) -> Self {
        self.redactor = Arc::new(Redactor::new(
            auth.secret_values(),
            self.redact_keys.clone(),
            auth.secret_names(),
        ));
        self.auth = auth;
        self
    }

    /// The same client with the capability's own rate-limit mode, which takes precedence
    /// over the connector's and the caller's.
    pub fn with_mode(mut self, mode: RateLimitMode) -> Self {
        self.mode = mode;
        self
    }

    /// The same client on another base URL (an app with a separate host for some calls).
    pub fn with_base_url(mut self, base_url: &str) -> Result<Self> {
        self.base = parse_base_url(base_url)?;
        Ok(self)
    }

    /// The base URL.
    pub fn base_url(&self) -> &Url {
        &self.base
    }

    /// The rate-limit mode in force.
    pub fn mode(&self) -> RateLimitMode {
        self.mode
    }

    /// The URL of `path` (with an optional `?query`) on the base URL. An absolute URL is
    /// accepted only on the base URL's host.
    pub fn url(&self, path: &str) -> Result<Url> {
        if path.starts_with("http://") || path.starts_with("https://") {
            let url = Url::parse(path)
                .map_err(|_| ConnectorError::invalid_value("The request URL is not valid."))?;
            if url.origin() != self.base.origin() {
                return Err(ConnectorError::invalid_value(
                    "The request URL is not on the app's host.",
                ));
            }
            return Ok(url);
        }
        let (path, query) = match path.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (path, None),
        };
        let mut url = self.base.clone();
        let joined = format!(
            "{}/{}",
            self.base.path().trim_end_matches('/'),
            path.trim_start_matches('/')
        );
        url.set_path(&joined);
        if let Some(query) = query.filter(|query| !query.is_empty()) {
            let combined = match url.query() {
                Some(existing) if !existing.is_empty() => format!("{existing}&{query}"),
                _ => query.to_owned(),
            };
            url.set_query(Some(&combined));
        }
        Ok(url)
    }

    /// A request of `method` to `path` (see [`HttpClient::url`]).
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder<'_> {
        match self.url(path) {
            Ok(url) => RequestBuilder::new(self, method.clone(), self.http.request(method, url)),
            Err(error) => {
                let mut builder = RequestBuilder::new(
                    self,
                    method.clone(),
                    self.http.request(method, self.base.clone()),
                );
                builder.error = Some(error);
                builder
            }
        }
    }

    /// A GET request.
    pub fn get(&self, path: &str) -> RequestBuilder<'_> {
        self.request(Method::GET, path)
    }

    /// A POST request (not retried on server errors unless marked idempotent).
    pub fn post(&self, path: &str) -> RequestBuilder<'_> {
        self.request(Method::POST, path)
    }

    /// A PUT request.
    pub fn put(&self, path: &str) -> RequestBuilder<'_> {
        self.request(Method::PUT, path)
    }

    /// A PATCH request (not retried on server errors unless marked idempotent).
    pub fn patch(&self, path: &str) -> RequestBuilder<'_> {
        self.request(Method::PATCH, path)
    }

    /// A DELETE request.
    pub fn delete(&self, path: &str) -> RequestBuilder<'_> {
        self.request(Method::DELETE, path)
    }

    /// A GET of the next page named by a [`LinkCursor`] (from
    /// [`HttpResponse::next_link`]), always on the base URL's host: a cursor from a forged
    /// token cannot send the credentials elsewhere.
    pub fn follow(&self, cursor: &LinkCursor) -> RequestBuilder<'_> {
        let link = cursor.link.as_str();
        let valid = link.starts_with('/') && !link.starts_with("//") && !link.contains(['\\', '#']);
        let mut url = self.base.clone();
        let (path, query) = match link.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (link, None),
        };
        url.set_path(path);
        url.set_query(query);
        let mut builder = RequestBuilder::new(self, Method::GET, self.http.get(url));
        if !valid {
            builder.error = Some(ConnectorError::invalid_page_token(
                "Invalid page token: its link is not a path on the app's host.",
            ));
        }
        builder
    }

    fn record_state(&self) {
        if let Some(limiter) = &self.config.limiter {
            let snapshot = limiter.snapshot(Instant::now(), SystemTime::now());
            self.sink.record(limiter.config().config_id(), snapshot);
        }
    }
}

/// Whether a method is idempotent by definition (RFC 9110): GET, HEAD, PUT, DELETE,
/// OPTIONS, TRACE.
fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS | Method::TRACE
    )
}

/// A request being built: add a query, headers, a body, then [`send`](RequestBuilder::send)
/// it or [`fetch`](RequestBuilder::fetch) its JSON.
///
/// ```no_run
/// # async fn demo(api: &connector_sdk::http::HttpClient<'_>) -> connector_sdk::Result<()> {
/// #[derive(serde::Deserialize)]
/// struct User { id: String }
///
/// let users: Vec<User> = api.get("/users").query(&[("limit", 50)]).fetch().await?;
/// api.post("/users").json(&serde_json::json!({"name": "ann"})).send().await?;
/// # let _ = users; Ok(()) }
/// ```
pub struct RequestBuilder<'c> {
    client: &'c HttpClient<'c>,
    method: Method,
    inner: reqwest::RequestBuilder,
    idempotent: Option<bool>,
    timeout: Option<Duration>,
    retry: Option<RetryPolicy>,
    mapper: Option<ErrorMapper>,
    error: Option<ConnectorError>,
}

impl fmt::Debug for RequestBuilder<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestBuilder")
            .field("method", &self.method)
            .finish_non_exhaustive()
    }
}

impl<'c> RequestBuilder<'c> {
    fn new(client: &'c HttpClient<'c>, method: Method, inner: reqwest::RequestBuilder) -> Self {
        RequestBuilder {
            client,
            method,
            inner,
            idempotent: None,
            timeout: None,
            retry: None,
            mapper: None,
            error: None,
        }
    }

    /// Adds query parameters (anything serde serializes as pairs: `&[("limit", 50)]`, a
    /// struct, a map).
    pub fn query<T: Serialize + ?Sized>(mut self, query: &T) -> Self {
        self.inner = self.inner.query(query);
        self
    }

    /// Adds a header. An invalid name or value fails the request with `invalid_value`.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        match (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            (Ok(name), Ok(value)) => self.inner = self.inner.header(name, value),
            _ => {
                self.error.get_or_insert_with(|| {
                    ConnectorError::invalid_value(format!(
                        "The header `{}` is not a valid HTTP header.",
                        name.chars().take(60).collect::<String>()
                    ))
                });
            }
        }
        self
    }

    /// Sends `body` as JSON (`Content-Type: application/json`).
    pub fn json<T: Serialize + ?Sized>(mut self, body: &T) -> Self {
        self.inner = self.inner.json(body);
        self
    }

    /// Sends `body` form-encoded (`application/x-www-form-urlencoded`).
    pub fn form<T: Serialize + ?Sized>(mut self, body: &T) -> Self {
        self.inner = self.inner.form(body);
        self
    }

    /// Sends raw bytes with a content type.
    pub fn body(mut self, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        self = self.header(CONTENT_TYPE.as_str(), content_type);
        self.inner = self.inner.body(body.into());
        self
    }

    /// Marks the request safe (or not) to repeat after a server error or a broken
    /// connection. GET, HEAD, PUT, DELETE, OPTIONS and TRACE are by default; a POST
    /// that only searches can be marked so. A 429, and a connection that was never made,
    /// are retried whatever the method.
    pub fn idempotent(mut self, idempotent: bool) -> Self {
        self.idempotent = Some(idempotent);
        self
    }

    /// Sets this request's timeout per attempt (the settings' or the setup's by default).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Sets this request's retry policy (the setup's by default).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Hooks a mapping of this request's failed response, run before the setup's hook and
    /// the default table.
    pub fn map_errors<F>(mut self, mapper: F) -> Self
    where
        F: Fn(&HttpFailure<'_>) -> Option<ConnectorError> + Send + Sync + 'static,
    {
        self.mapper = Some(Arc::new(mapper));
        self
    }

    /// Sends the request (retrying as the policy and mode allow) and returns the
    /// successful (2xx) response; any other status, or a transport failure, is the
    /// mapped [`ConnectorError`].
    pub async fn send(self) -> Result<HttpResponse> {
        let RequestBuilder {
            client,
            method,
            inner,
            idempotent,
            timeout,
            retry,
            mapper,
            error,
        } = self;
        if let Some(error) = error {
            return Err(error);
        }
        client.auth.validate()?;
        let request = client.auth.apply(inner).build().map_err(|_| {
            ConnectorError::invalid_value(format!(
                "The request {method} could not be built from its parameters."
            ))
        })?;
        let path = request.url().path().to_owned();
        let config = client.config;
        let policy = retry.as_ref().unwrap_or(&config.retry);
        let idempotent = idempotent.unwrap_or_else(|| is_idempotent(&method));
        let max_attempts = if client.mode.retries() {
            policy
                .attempts()
                .saturating_sub(client.caller_retry_attempt)
                .max(1)
        } else {
            1
        };
        let limiter = config.limiter.as_deref().filter(|_| client.mode.limits());
        let timeout = timeout.unwrap_or(client.timeout);
        let mappers: Vec<&ErrorMapper> = mapper.iter().chain(config.error_mapper.iter()).collect();
        let mut waited = Duration::ZERO;
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let permit = match limiter {
                Some(limiter) => {
                    let wait = limiter.reserve(Instant::now(), SystemTime::now());
                    if !wait.is_zero() {
                        if Instant::now() + wait > client.deadline {
                            return Err(ConnectorError::budget_exhausted(format!(
                                "The client-side rate limit allows {method} {path} only in {}, after the deadline of this call.",
                                human_duration(wait)
                            ))
                            .with_retry_after_seconds(ceil_seconds(wait)));
                        }
                        tracing::debug!(target: LOG_TARGET, %method, path, wait_ms = wait.as_millis() as u64, "waiting for the client-side rate limit");
                        config.sleeper.sleep(wait).await;
                    }
                    Some(
                        limiter
                            .semaphore
                            .clone()
                            .acquire_owned()
                            .await
                            .map_err(|_| {
                                ConnectorError::internal_error("The rate limiter was shut down.")
                            })?,
                    )
                }
                None => None,
            };
            let remaining = client.deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                return Err(ConnectorError::budget_exhausted(format!(
                    "The time budget of this call ran out before {method} {path}."
                )));
            }
            let attempt_timeout = timeout.min(remaining);
            let mut outgoing = request.try_clone().ok_or_else(|| {
                ConnectorError::internal_error(format!(
                    "The body of {method} {path} cannot be sent again."
                ))
            })?;
            *outgoing.timeout_mut() = Some(attempt_timeout);
            logging::log_request(&client.redactor, attempt, &outgoing);
            let started = Instant::now();
            let outcome = exchange(&client.http, outgoing, config.max_response_bytes).await;
            drop(permit);
            let wall = SystemTime::now();
            let (error, retryable) = match outcome {
                Ok(exchanged) => {
                    logging::log_response(
                        &client.redactor,
                        &method,
                        &exchanged.url,
                        exchanged.status,
                        &exchanged.headers,
                        &exchanged.body,
                        started.elapsed(),
                    );
                    if let Some(limiter) = &config.limiter {
                        limiter.observe(&exchanged.headers, wall);
                    }
                    client.record_state();
                    if exchanged.status.is_success() {
                        crate::raw_data::record(&exchanged.body);
                        return Ok(HttpResponse {
                            method,
                            path,
                            url: exchanged.url,
                            status: exchanged.status,
                            headers: exchanged.headers,
                            body: exchanged.body,
                        });
                    }
                    let retry_after = super::retry::retry_after(&exchanged.headers, wall);
                    let failure = HttpFailure {
                        method: &method,
                        path: &path,
                        status: exchanged.status,
                        headers: &exchanged.headers,
                        body: &exchanged.body,
                        retry_after,
                        redactor: &client.redactor,
                    };
                    let error = errors::status_error(&failure, &mappers);
                    let status = exchanged.status.as_u16();
                    let retryable = status == 429
                        || error.code() == ErrorCode::RateLimit
                        || (idempotent && matches!(status, 500 | 502 | 503 | 504));
                    (error, retryable.then_some(retry_after.unwrap_or_default()))
                }
                Err(Exchanged::TooLarge) => {
                    return Err(ConnectorError::invalid_response(format!(
                        "The response to {method} {path} is larger than {} bytes.",
                        config.max_response_bytes
                    )));
                }
                Err(Exchanged::Transport(err)) => {
                    let (kind, detail) = errors::classify(&err);
                    if kind.is_timeout() && attempt_timeout < timeout {
                        return Err(ConnectorError::budget_exhausted(format!(
                            "The time budget of this call ran out during {method} {path}."
                        )));
                    }
                    let error = errors::transport_error(
                        &method,
                        &path,
                        kind,
                        detail.as_deref(),
                        attempt_timeout,
                    );
                    let retryable = if kind.is_timeout() {
                        policy.retries_timeouts() && (idempotent || kind.never_sent())
                    } else {
                        matches!(
                            kind,
                            errors::TransportKind::Refused | errors::TransportKind::ConnectFailed
                        ) || (idempotent && kind == errors::TransportKind::Closed)
                    };
                    tracing::debug!(target: LOG_TARGET, %method, path, code = %error.code(), "HTTP transport failure");
                    (error, retryable.then_some(Duration::ZERO))
                }
            };
            let Some(asked) = retryable.filter(|_| attempt < max_attempts) else {
                return Err(error);
            };
            let wait = policy.backoff(attempt - 1).max(asked);
            if Instant::now() + wait > client.deadline {
                let mut exhausted = ConnectorError::budget_exhausted(format!(
                    "{method} {path} failed ({}) and waiting {} to retry would pass the deadline of this call.",
                    error.code(),
                    human_duration(wait)
                ))
                .with_retry_after_seconds(ceil_seconds(wait));
                if let Some(status) = error.status_code() {
                    exhausted = exhausted.with_status_code(status);
                }
                return Err(exhausted);
            }
            if waited + wait > policy.total_wait() {
                return Err(error);
            }
            tracing::debug!(
                target: LOG_TARGET,
                %method,
                path,
                code = %error.code(),
                attempt,
                max_attempts,
                wait_ms = wait.as_millis() as u64,
                "retrying"
            );
            config.sleeper.sleep(wait).await;
            waited += wait;
        }
    }

    /// Sends the request and parses its JSON answer into `T` (see [`HttpResponse::json`]).
    pub async fn fetch<T: DeserializeOwned>(self) -> Result<T> {
        self.send().await?.json()
    }
}

/// What one exchange produced.
struct Exchange {
    url: Url,
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

/// Why one exchange failed.
enum Exchanged {
    Transport(reqwest::Error),
    TooLarge,
}

/// Sends one request and reads the whole response body (at most `max` bytes).
async fn exchange(
    http: &reqwest::Client,
    request: reqwest::Request,
    max: usize,
) -> Result<Exchange, Exchanged> {
    let mut response = http.execute(request).await.map_err(Exchanged::Transport)?;
    if response
        .content_length()
        .is_some_and(|length| length > max as u64)
    {
        return Err(Exchanged::TooLarge);
    }
    let url = response.url().clone();
    let status = response.status();
    let headers = response.headers().clone();
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(Exchanged::Transport)? {
        if body.len() + chunk.len() > max {
            return Err(Exchanged::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Exchange {
        url,
        status,
        headers,
        body,
    })
}

/// Whether a `Content-Type` is JSON: `application/json` or any `+json` type.
///
/// ```
/// use connector_sdk::http::is_json_content_type;
///
/// assert!(is_json_content_type("application/json; charset=utf-8"));
/// assert!(is_json_content_type("application/scim+json"));
/// assert!(!is_json_content_type("text/html"));
/// ```
pub fn is_json_content_type(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json" || (essence.ends_with("+json") && essence.contains('/'))
}

/// A successful response, its body read in full.
///
/// ```no_run
/// # async fn demo(api: &connector_sdk::http::HttpClient<'_>) -> connector_sdk::Result<()> {
/// let response = api.get("/users").send().await?;
/// let total = response.header("x-total-count").and_then(|total| total.parse::<u64>().ok());
/// let users: Vec<serde_json::Value> = response.json()?;
/// let next = response.next_link()?;
/// # let _ = (total, users, next); Ok(()) }
/// ```
#[derive(Clone)]
pub struct HttpResponse {
    method: Method,
    path: String,
    url: Url,
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpResponse")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("status", &self.status.as_u16())
            .field("content_length", &self.body.len())
            .finish_non_exhaustive()
    }
}

impl HttpResponse {
    /// The status code.
    pub fn status(&self) -> u16 {
        self.status.as_u16()
    }

    /// The request's URL path (no query string).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// A header as text, if present and readable.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }

    /// The body.
    pub fn bytes(&self) -> &[u8] {
        &self.body
    }

    /// Takes the body out.
    pub fn into_bytes(self) -> Vec<u8> {
        self.body
    }

    /// The body as UTF-8 text; anything else is `invalid_response`.
    pub fn text(&self) -> Result<&str> {
        std::str::from_utf8(&self.body).map_err(|_| {
            ConnectorError::invalid_response(format!(
                "The response to {} {} is not UTF-8 text.",
                self.method, self.path
            ))
        })
    }

    /// Parses the JSON body into `T`. The body must be JSON (`application/json`, any
    /// `+json` type, or no `Content-Type` at all); HTML, a truncated body, or JSON of
    /// another shape is `invalid_response`, with the path of the field that did not fit and
    /// never the values. An empty body is `None` for an `Option`, `()` for `()`, and
    /// `invalid_response` for anything else.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T> {
        let what = || format!("{} {}", self.method, self.path);
        if let Some(content_type) = self.header(CONTENT_TYPE.as_str())
            && !is_json_content_type(content_type)
        {
            let shown: String = content_type
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .chars()
                .take(60)
                .collect();
            return Err(ConnectorError::invalid_response(format!(
                "The response to {} is {shown}, not the JSON expected.",
                what()
            ))
            .with_status_code(self.status()));
        }
        if self.body.iter().all(u8::is_ascii_whitespace) {
            // No content (a 204, say) is fine for a type that takes null: `()`, `Option<_>`.
            if let Ok(nothing) = serde_json::from_value::<T>(Value::Null) {
                return Ok(nothing);
            }
            return Err(ConnectorError::invalid_response(format!(
                "The response to {} is empty, not the JSON expected.",
                what()
            ))
            .with_status_code(self.status()));
        }
        let mut deserializer = serde_json::Deserializer::from_slice(&self.body);
        match serde_path_to_error::deserialize::<_, T>(&mut deserializer) {
            Ok(value) => {
                deserializer
                    .end()
                    .map_err(|err| self.json_error(String::new(), &err))?;
                Ok(value)
            }
            Err(err) => {
                let field = err.path().to_string();
                Err(self.json_error(field, err.inner()))
            }
        }
    }

    /// The `invalid_response` of a body that did not parse.
    fn json_error(&self, field: String, err: &serde_json::Error) -> ConnectorError {
        let what = format!("{} {}", self.method, self.path);
        let message = match err.classify() {
            serde_json::error::Category::Eof => {
                format!("The response to {what} is truncated JSON.")
            }
            serde_json::error::Category::Syntax | serde_json::error::Category::Io => {
                format!("The response to {what} is not valid JSON.")
            }
            serde_json::error::Category::Data => {
                let at = if field.is_empty() || field == "." {
                    String::new()
                } else {
                    format!(" at `{field}`")
                };
                format!(
                    "The response to {what} is not the JSON expected{at}: {}.",
                    errors::without_values(&err.to_string())
                )
            }
        };
        ConnectorError::invalid_response(message).with_status_code(self.status())
    }

    /// The JSON body as a [`Value`] (same checks as [`HttpResponse::json`]).
    pub fn json_value(&self) -> Result<Value> {
        self.json()
    }

    /// The links of the `Link` headers (RFC 8288).
    pub fn links(&self) -> Vec<Link> {
        self.headers
            .get_all(reqwest::header::LINK)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(parse_link_header)
            .collect()
    }

    /// The `rel="next"` link as a [`LinkCursor`], or `None` on the last page. A next link
    /// to another host is `invalid_response`.
    pub fn next_link(&self) -> Result<Option<LinkCursor>> {
        let Some(link) = self.links().into_iter().find(|link| link.has_rel("next")) else {
            return Ok(None);
        };
        let foreign = || {
            ConnectorError::invalid_response(format!(
                "The next-page link of {} {} does not point at the app's host.",
                self.method, self.path
            ))
        };
        let target = self.url.join(&link.target).map_err(|_| foreign())?;
        if target.origin() != self.url.origin() {
            return Err(foreign());
        }
        let mut cursor = target.path().to_owned();
        if let Some(query) = target.query() {
            cursor.push('?');
            cursor.push_str(query);
        }
        Ok(Some(LinkCursor { link: cursor }))
    }
}

/// Percent-encodes one path segment (an id from the request, say) so it cannot change
/// the path: `/`, `?`, `#` and the like are encoded; `.` and `..` and the empty string
/// are refused as `invalid_value`.
///
/// ```
/// use connector_sdk::http::path_segment;
///
/// assert_eq!(path_segment("a b/c?d").unwrap(), "a%20b%2Fc%3Fd");
/// assert!(path_segment("..").is_err());
/// ```
pub fn path_segment(segment: &str) -> Result<String> {
    if segment.is_empty() || segment == "." || segment == ".." {
        return Err(ConnectorError::invalid_value(
            "An id used in a URL path must not be empty, `.` or `..`.",
        ));
    }
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~' | b'@' | b':') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client_for(base: &str) -> (HttpConfig, Context<String, ()>) {
        (
            HttpConfig::new("app", "1.0.0"),
            Context::for_tests("app", base.to_owned(), ()),
        )
    }

    #[test]
    fn paths_join_the_base_path_and_keep_both_queries() {
        let (config, cx) = client_for("https://h.example/api/v2?tenant=t1");
        let client = config.client(&cx).unwrap();
        assert_eq!(
            client.url("users").unwrap().as_str(),
            "https://h.example/api/v2/users?tenant=t1"
        );
        assert_eq!(
            client.url("/users?a=1").unwrap().as_str(),
            "https://h.example/api/v2/users?tenant=t1&a=1"
        );
        assert_eq!(
            client.url("https://h.example/x").unwrap().as_str(),
            "https://h.example/x"
        );
        assert_eq!(
            client.url("https://evil.example/x").unwrap_err().code(),
            ErrorCode::InvalidValue
        );
    }

    #[test]
    fn bad_base_urls_are_invalid_value() {
        for base in [
            "",
            "not a url",
            "ftp://h.example",
            "file:///etc/passwd",
            "http://",
        ] {
            let (config, cx) = client_for(base);
            assert_eq!(
                config.client(&cx).unwrap_err().code(),
                ErrorCode::InvalidValue,
                "{base}"
            );
        }
    }

    #[test]
    fn follow_refuses_links_off_the_host() {
        let (config, cx) = client_for("https://h.example/api");
        let client = config.client(&cx).unwrap();
        for bad in ["//evil.example/x", "https://evil.example/", "x", "/a\\b"] {
            let builder = client.follow(&LinkCursor {
                link: bad.to_owned(),
            });
            assert_eq!(
                builder.error.map(|error| error.code()),
                Some(ErrorCode::InvalidPageToken),
                "{bad}"
            );
        }
        assert!(
            client
                .follow(&LinkCursor {
                    link: "/api/users?page=2".to_owned()
                })
                .error
                .is_none()
        );
    }

    #[test]
    fn secret_settings_are_found_in_the_schema() {
        #[derive(JsonSchema)]
        #[allow(dead_code)]
        struct Settings {
            base_url: String,
            api_key: crate::Secret,
            signing: Option<crate::Secret>,
        }
        assert_eq!(
            secret_setting_names::<Settings>(),
            vec!["api_key".to_owned(), "signing".to_owned()]
        );
    }

    #[test]
    fn redirects_stay_on_the_apps_host() {
        let url = |text: &str| Url::parse(text).unwrap();
        assert!(redirect_allowed(
            &url("https://h.example/a"),
            &url("https://h.example/b?x=1")
        ));
        assert!(redirect_allowed(
            &url("http://h.example/a"),
            &url("https://h.example/a")
        ));
        assert!(!redirect_allowed(
            &url("https://h.example/a"),
            &url("http://h.example/a")
        ));
        assert!(!redirect_allowed(
            &url("https://h.example/a"),
            &url("https://cdn.example/a")
        ));
        assert!(!redirect_allowed(
            &url("https://h.example/a"),
            &url("https://h.example:8443/a")
        ));
    }

    #[test]
    fn json_content_types() {
        assert!(is_json_content_type("Application/JSON"));
        assert!(is_json_content_type(
            "application/problem+json; charset=utf-8"
        ));
        assert!(!is_json_content_type("+json"));
        assert!(!is_json_content_type("application/jsonp"));
    }

    fn response(content_type: Option<&str>, body: &str) -> HttpResponse {
        let mut headers = HeaderMap::new();
        if let Some(content_type) = content_type {
            headers.insert(CONTENT_TYPE, HeaderValue::from_str(content_type).unwrap());
        }
        HttpResponse {
            method: Method::GET,
            path: "/users".to_owned(),
            url: Url::parse("https://h.example/users?secret=1").unwrap(),
            status: StatusCode::OK,
            headers,
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn unexpected_bodies_are_invalid_response_without_values() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct User {
            id: u64,
        }
        let cases = [
            (
                Some("text/html"),
                "<html></html>",
                "is text/html, not the JSON expected",
            ),
            (Some("application/json"), "", "is empty"),
            (Some("application/json"), "[{\"id\": 1", "truncated"),
            (None, "[}", "not valid JSON"),
            (None, "{}", "not the JSON expected: invalid type: map"),
            (
                Some("application/json"),
                "[{\"id\": \"hunter2\"}]",
                "at `[0].id`",
            ),
            (Some("application/json"), "[] trailing", "not valid JSON"),
        ];
        for (content_type, body, expected) in cases {
            let error = response(content_type, body)
                .json::<Vec<User>>()
                .unwrap_err();
            assert_eq!(error.code(), ErrorCode::InvalidResponse);
            assert!(error.message().contains(expected), "{}", error.message());
            assert!(
                error.message().starts_with("The response to GET /users "),
                "{}",
                error.message()
            );
            assert!(!error.message().contains("hunter2") && !error.message().contains("secret"));
        }
        assert_eq!(
            response(Some("application/vnd.api+json"), "[{\"id\":1}]")
                .json::<Vec<User>>()
                .unwrap()[0]
                .id,
            1
        );
        let empty = response(Some("application/json"), "");
        assert_eq!(
            empty.json::<Option<User>>().unwrap().map(|user| user.id),
            None
        );
        empty.json::<()>().unwrap();
    }

    #[test]
    fn next_links_stay_on_the_host() {
        let mut ok = response(None, "[]");
        ok.headers.insert(
            reqwest::header::LINK,
            HeaderValue::from_static("<https://h.example/users?page=2>; rel=\"next\""),
        );
        assert_eq!(
            ok.next_link().unwrap(),
            Some(LinkCursor {
                link: "/users?page=2".to_owned()
            })
        );
        let mut relative = response(None, "[]");
        relative.headers.insert(
            reqwest::header::LINK,
            HeaderValue::from_static("</users?page=3>; rel=next"),
        );
        assert_eq!(
            relative.next_link().unwrap(),
            Some(LinkCursor {
                link: "/users?page=3".to_owned()
            })
        );
        let mut foreign = response(None, "[]");
        foreign.headers.insert(
            reqwest::header::LINK,
            HeaderValue::from_static("<https://evil.example/u>; rel=next"),
        );
        assert_eq!(
            foreign.next_link().unwrap_err().code(),
            ErrorCode::InvalidResponse
        );
        assert_eq!(response(None, "[]").next_link().unwrap(), None);
    }

    #[test]
    fn path_segments_are_encoded() {
        assert_eq!(
            path_segment("user@example.com").unwrap(),
            "user@example.com"
        );
        assert_eq!(path_segment("a/../b").unwrap(), "a%2F..%2Fb");
        assert_eq!(path_segment("é").unwrap(), "%C3%A9");
        assert!(path_segment("").is_err() && path_segment(".").is_err());
    }
}
