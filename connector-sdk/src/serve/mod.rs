//! Serving connectors over HTTP (feature `serve`): `<bin> serve`, `<bin> dev http-server`
//! as the reference spells it, the multi-connector [`Host`], and the dev console at `GET /`.
//!
//! A served capability answers exactly what the CLI prints (without the newline), error
//! envelopes included, with status 200. What the server itself refuses (a missing caller
//! token, a body past the limit, too many calls at once, a call past its deadline) is an
//! error envelope with 401, 413, 503 or 504.
//!
//! ```no_run
//! # use connector_sdk::connector::*; use connector_sdk::prelude::*;
//! # #[derive(Default)] struct MyConnector;
//! # impl Connector for MyConnector { type Settings = NoSettings; type Credentials = TokenCredential;
//! #   fn metadata() -> Metadata { Metadata::new("my_app", "1.0.0") }
//! #   fn capabilities() -> Capabilities<Self> { Capabilities::new() } }
//! use connector_sdk::serve::{ServeOptions, Server};
//!
//! # async fn run() -> Result<(), connector_sdk::serve::ServeError> {
//! let server = Server::bind_connector(MyConnector, ServeOptions::default()).await?;
//! println!("listening on {}", server.local_addr());
//! server.run_until(connector_sdk::serve::signal()).await?;
//! # Ok(()) }
//! ```

mod access_log;
mod answer;
mod app;
mod auth;
pub(crate) mod command;
mod console;
mod host;
mod limits;
mod routes;
mod shutdown;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

pub use auth::{CallerToken, TOKEN_ENV};
pub use command::{run_cli, wants_server};
pub use host::Host;
pub use shutdown::signal;

use crate::connector::Connector;
use app::{Served, ServedConnector};

/// How routes are laid out: one connector at `/{capability}`, or a host's at
/// `/{app_id}/{capability}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Layout {
    /// `/{capability}`.
    Single,
    /// `/{app_id}/{capability}` and `/list_connector_app_ids`.
    Host,
}

/// How a server listens and what it allows.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// Where to listen (default `127.0.0.1:8000`).
    pub addr: SocketAddr,
    /// The token callers must send; required for any address but loopback.
    pub token: Option<CallerToken>,
    /// The largest request body accepted (default 10 MiB); larger ones get 413.
    pub max_body_bytes: usize,
    /// How many calls may run at once (default 64); the next one gets 503.
    pub max_in_flight: usize,
    /// How long one call may run (default 300 s); then it gets 504.
    pub timeout: Duration,
    /// How long calls in flight may run on after SIGTERM or Ctrl-C (default 30 s).
    pub grace: Duration,
    /// Whether each request is logged on stderr (default true).
    pub access_log: bool,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            addr: SocketAddr::from(([127, 0, 0, 1], 8000)),
            token: None,
            max_body_bytes: 10 * 1024 * 1024,
            max_in_flight: 64,
            timeout: Duration::from_secs(300),
            grace: Duration::from_secs(30),
            access_log: true,
        }
    }
}

/// Why a server did not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// A non-loopback address was asked for without a caller token.
    #[error(
        "refusing to serve on {0} without a caller token: anything but loopback needs one; \
         give a file holding it with --token-file or set {TOKEN_ENV}"
    )]
    Unprotected(SocketAddr),
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// Serving failed.
    #[error("the server failed: {0}")]
    Io(#[from] std::io::Error),
    /// A host holds two connectors with one app_id.
    #[error("two connectors of this host have the app_id {0}")]
    DuplicateAppId(String),
}

/// A server bound to its address, not yet answering.
pub struct Server {
    listener: tokio::net::TcpListener,
    router: axum::Router,
    grace: Duration,
}

impl Server {
    /// Binds a server of one connector, its capabilities at `/{capability}`.
    pub async fn bind_connector<C: Connector>(
        connector: C,
        options: ServeOptions,
    ) -> Result<Server, ServeError> {
        let served: Arc<dyn Served> = Arc::new(ServedConnector::new(connector));
        Server::bind(vec![served], Layout::Single, options).await
    }

    /// Binds a server of every connector of `host`, at `/{app_id}/{capability}`.
    pub async fn bind_host(host: Host, options: ServeOptions) -> Result<Server, ServeError> {
        if let Some(app_id) = host.duplicate() {
            return Err(ServeError::DuplicateAppId(app_id.to_owned()));
        }
        Server::bind(host.into_served(), Layout::Host, options).await
    }

    pub(crate) async fn bind(
        apps: Vec<Arc<dyn Served>>,
        layout: Layout,
        options: ServeOptions,
    ) -> Result<Server, ServeError> {
        if !auth::may_serve(&options.addr, options.token.as_ref()) {
            return Err(ServeError::Unprotected(options.addr));
        }
        let listener = tokio::net::TcpListener::bind(options.addr)
            .await
            .map_err(|source| ServeError::Bind {
                addr: options.addr,
                source,
            })?;
        let shared = Arc::new(routes::Shared {
            apps,
            layout,
            token: options.token,
            limits: limits::Limits::new(
                options.max_body_bytes,
                options.max_in_flight.max(1),
                options.timeout,
            ),
        });
        Ok(Server {
            listener,
            router: routes::router(shared, access_log::AccessLog(options.access_log)),
            grace: options.grace,
        })
    }

    /// The address the server listens on (useful after binding port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    /// Answers until `stop` resolves, then stops taking connections and lets the calls in
    /// flight finish within the grace period. Returns whether they all finished in time.
    pub async fn run_until(
        self,
        stop: impl Future<Output = ()> + Send + 'static,
    ) -> Result<bool, ServeError> {
        let (stopped, stopped_rx) = tokio::sync::oneshot::channel();
        use axum::serve::ListenerExt as _;
        // Answers go out as they are written (headers, then chunks): without TCP_NODELAY,
        // Nagle's algorithm and the client's delayed ACK would hold each one back ~40 ms.
        let listener = self.listener.tap_io(|tcp| {
            if let Err(err) = tcp.set_nodelay(true) {
                tracing::debug!("TCP_NODELAY could not be set: {err}");
            }
        });
        let server = axum::serve(listener, self.router).with_graceful_shutdown(async move {
            stop.await;
            let _ = stopped.send(());
        });
        Ok(shutdown::drain(server.into_future(), stopped_rx, self.grace).await?)
    }
}
