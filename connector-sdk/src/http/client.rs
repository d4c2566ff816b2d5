//! [`HttpClient`]: the client of one call, made from the setup and the capability's
//! context (base URL, credentials, deadline, rate-limit mode, what to redact), and the
//! URLs its requests go to.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use reqwest::{Method, Url};
use schemars::JsonSchema;
use serde_json::Value;

use super::auth::Auth;
use super::config::{HttpConfig, HttpSettings};
use super::logging::Redactor;
use super::pagination::LinkCursor;
use super::rate_limit::RateLimitMode;
use super::request::{ClientRef, RequestBuilder};
use crate::context::Context;
use crate::error::{ConnectorError, Result};

/// The base URL from the settings, checked.
pub(super) fn parse_base_url(text: &str) -> Result<Url> {
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

/// What the client records into the call's [`Context`] as it goes: the rate limiter's
/// state after each response.
pub(super) trait CallSink: Sync {
    /// Records the state of the rate limit `config_id`.
    fn record(&self, config_id: &str, snapshot: Value);
}

impl<S: Send + Sync, A: Send + Sync> CallSink for Context<S, A> {
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
    pub(super) config: &'a HttpConfig,
    pub(super) http: reqwest::Client,
    pub(super) base: Url,
    pub(super) auth: Auth,
    pub(super) redact_keys: Vec<String>,
    pub(super) redactor: Arc<Redactor>,
    pub(super) deadline: Instant,
    pub(super) timeout: Duration,
    pub(super) mode: RateLimitMode,
    pub(super) caller_retry_attempt: u32,
    pub(super) sink: &'a dyn CallSink,
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
    /// The client of the call of `cx` (see [`HttpConfig::client_with_auth`]).
    pub(super) fn for_call<S, A>(
        config: &'a HttpConfig,
        cx: &'a Context<S, A>,
        auth: Auth,
    ) -> Result<Self>
    where
        S: HttpSettings + JsonSchema + Send + Sync,
        A: Send + Sync,
    {
        let base = parse_base_url(cx.settings().base_url())?;
        let ca = cx.settings().ca_bundle_pem().map(str::to_owned);
        let timeout = cx.settings().timeout();
        Self::for_base(config, cx, base, ca, timeout, auth)
    }

    /// The client of the call of `cx` on `base_url`, whatever its settings (the runtime's
    /// OAuth token requests).
    pub(crate) fn for_endpoint<S, A>(
        config: &'a HttpConfig,
        cx: &'a Context<S, A>,
        base_url: &str,
        auth: Auth,
    ) -> Result<Self>
    where
        S: JsonSchema + Send + Sync,
        A: Send + Sync,
    {
        Self::for_base(config, cx, parse_base_url(base_url)?, None, None, auth)
    }

    fn for_base<S, A>(
        config: &'a HttpConfig,
        cx: &'a Context<S, A>,
        base: Url,
        ca: Option<String>,
        timeout: Option<Duration>,
        auth: Auth,
    ) -> Result<Self>
    where
        S: JsonSchema + Send + Sync,
        A: Send + Sync,
    {
        if let Some(error) = &config.setup_error {
            return Err(error.clone());
        }
        let http = config.reqwest_client(ca.or_else(|| config.ca_pem.clone()))?;
        let info = cx.rate_limit();
        let caller_mode = info.and_then(|info| info.caller_override_mode);
        let mode = config
            .mode
            .or(caller_mode)
            .unwrap_or_else(|| RateLimitMode::default_for(cx.capability()));
        let caller_retry_attempt = info
            .and_then(|info| info.caller_retry_attempt)
            .map_or(0, |attempts| {
                u32::try_from(attempts.max(0)).unwrap_or(u32::MAX)
            });
        if let Some(limiter) = &config.limiter
            && let Some(snapshot) = cx.last_known_rate_limit_state(limiter.config().config_id())
        {
            limiter.seed(&snapshot, Instant::now(), SystemTime::now());
        }
        let mut keys = crate::schema::secret_fields::<S>();
        keys.extend(config.redact_keys.iter().cloned());
        let redactor = Arc::new(Redactor::new(
            auth.secret_values(),
            keys.clone(),
            auth.secret_names(),
        ));
        Ok(HttpClient {
            config,
            http,
            base,
            auth,
            redact_keys: keys,
            redactor,
            deadline: cx.deadline(),
            timeout: timeout.unwrap_or(config.timeout),
            mode,
            caller_retry_attempt,
            sink: cx,
        })
    }

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
        let (inner, error) = self.start(method.clone(), path);
        RequestBuilder::new(ClientRef::Borrowed(self), method, inner, error)
    }

    /// The `reqwest` request of `method` to `path`, and why it cannot be sent if the path
    /// is not on the app's host.
    pub(super) fn start(
        &self,
        method: Method,
        path: &str,
    ) -> (reqwest::RequestBuilder, Option<ConnectorError>) {
        match self.url(path) {
            Ok(url) => (self.http.request(method, url), None),
            Err(error) => (self.http.request(method, self.base.clone()), Some(error)),
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
        let (inner, error) = self.start_follow(cursor);
        RequestBuilder::new(ClientRef::Borrowed(self), Method::GET, inner, error)
    }

    /// The `reqwest` GET of a [`LinkCursor`]'s page, and why it cannot be sent if the
    /// link is not a path on the app's host.
    pub(super) fn start_follow(
        &self,
        cursor: &LinkCursor,
    ) -> (reqwest::RequestBuilder, Option<ConnectorError>) {
        let link = cursor.link.as_str();
        let valid = link.starts_with('/') && !link.starts_with("//") && !link.contains(['\\', '#']);
        let mut url = self.base.clone();
        let (path, query) = match link.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (link, None),
        };
        url.set_path(path);
        url.set_query(query);
        let error = (!valid).then(|| {
            ConnectorError::invalid_page_token(
                "Invalid page token: its link is not a path on the app's host.",
            )
        });
        (self.http.get(url), error)
    }

    /// Records the rate limiter's state into the call's context.
    pub(super) fn record_state(&self) {
        if let Some(limiter) = &self.config.limiter {
            let snapshot = limiter.snapshot(Instant::now(), SystemTime::now());
            self.sink.record(limiter.config().config_id(), snapshot);
        }
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
    use crate::error::ErrorCode;

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
            let (_, error) = client.start_follow(&LinkCursor {
                link: bad.to_owned(),
            });
            assert_eq!(
                error.map(|error| error.code()),
                Some(ErrorCode::InvalidPageToken),
                "{bad}"
            );
        }
        let (_, error) = client.start_follow(&LinkCursor {
            link: "/api/users?page=2".to_owned(),
        });
        assert!(error.is_none());
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
