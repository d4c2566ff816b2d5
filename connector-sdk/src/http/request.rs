//! [`RequestBuilder`]: one request being built (query, headers, body, and its own
//! timeout, retry policy or error hook) before the send loop sends it.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use reqwest::Method;
use reqwest::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::client::HttpClient;
use super::errors::{ErrorMapper, HttpFailure};
use super::retry::RetryPolicy;
use crate::error::{ConnectorError, Result};

/// Whether a method is idempotent by definition (RFC 9110): GET, HEAD, PUT, DELETE,
/// OPTIONS, TRACE.
pub(super) fn is_idempotent(method: &Method) -> bool {
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
    pub(super) target: Option<Target<'c>>,
    pub(super) method: Method,
    pub(super) idempotent: Option<bool>,
    pub(super) timeout: Option<Duration>,
    pub(super) retry: Option<RetryPolicy>,
    pub(super) mapper: Option<ErrorMapper>,
    pub(super) error: Option<ConnectorError>,
}

/// Where a request goes: the call's client and the `reqwest` request being built.
pub(super) struct Target<'c> {
    pub(super) client: ClientRef<'c>,
    pub(super) inner: reqwest::RequestBuilder,
}

/// The client a request is sent with: borrowed from the author's [`HttpClient`], or made
/// for this one request ([`HttpConfig::get`](super::HttpConfig::get) and the others).
pub(crate) enum ClientRef<'c> {
    /// The author's client.
    Borrowed(&'c HttpClient<'c>),
    /// A client made for this request.
    Owned(Box<HttpClient<'c>>),
}

impl<'c> Deref for ClientRef<'c> {
    type Target = HttpClient<'c>;

    fn deref(&self) -> &HttpClient<'c> {
        match self {
            ClientRef::Borrowed(client) => client,
            ClientRef::Owned(client) => client,
        }
    }
}

impl fmt::Debug for RequestBuilder<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestBuilder")
            .field("method", &self.method)
            .finish_non_exhaustive()
    }
}

impl<'c> RequestBuilder<'c> {
    /// A request to send with `client`; `error` (a path off the app's host, say) fails it
    /// when sent.
    pub(crate) fn new(
        client: ClientRef<'c>,
        method: Method,
        inner: reqwest::RequestBuilder,
        error: Option<ConnectorError>,
    ) -> Self {
        RequestBuilder {
            target: Some(Target { client, inner }),
            method,
            idempotent: None,
            timeout: None,
            retry: None,
            mapper: None,
            error,
        }
    }

    /// A request that fails with `error` when sent (its client could not be made).
    pub(crate) fn failed(method: Method, error: ConnectorError) -> Self {
        RequestBuilder {
            target: None,
            method,
            idempotent: None,
            timeout: None,
            retry: None,
            mapper: None,
            error: Some(error),
        }
    }

    /// Changes the `reqwest` request being built.
    fn map_inner(
        mut self,
        change: impl FnOnce(reqwest::RequestBuilder) -> reqwest::RequestBuilder,
    ) -> Self {
        self.target = self.target.map(|target| Target {
            client: target.client,
            inner: change(target.inner),
        });
        self
    }

    /// Adds query parameters (anything serde serializes as pairs: `&[("limit", 50)]`, a
    /// struct, a map).
    pub fn query<T: Serialize + ?Sized>(self, query: &T) -> Self {
        self.map_inner(|inner| inner.query(query))
    }

    /// Adds a header. An invalid name or value fails the request with `invalid_value`.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        if let (Ok(header), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            return self.map_inner(|inner| inner.header(header, value));
        }
        self.error.get_or_insert_with(|| {
            ConnectorError::invalid_value(format!(
                "The header `{}` is not a valid HTTP header.",
                name.chars().take(60).collect::<String>()
            ))
        });
        self
    }

    /// Sends `body` as JSON (`Content-Type: application/json`).
    pub fn json<T: Serialize + ?Sized>(self, body: &T) -> Self {
        self.map_inner(|inner| inner.json(body))
    }

    /// Sends `body` form-encoded (`application/x-www-form-urlencoded`).
    pub fn form<T: Serialize + ?Sized>(self, body: &T) -> Self {
        self.map_inner(|inner| inner.form(body))
    }

    /// Sends raw bytes with a content type.
    pub fn body(self, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        let body = body.into();
        self.header(CONTENT_TYPE.as_str(), content_type)
            .map_inner(|inner| inner.body(body))
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

    /// Sends the request and parses its JSON answer into `T` (see
    /// [`HttpResponse::json`](super::HttpResponse::json)).
    pub async fn fetch<T: DeserializeOwned>(self) -> Result<T> {
        self.send().await?.json()
    }
}
