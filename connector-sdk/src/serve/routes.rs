//! The server's routes: `POST /{capability}` (or `/{app_id}/{capability}` on a host) runs a
//! capability and answers 200 with exactly the CLI's JSON; `GET /info`, `GET /openapi.json`,
//! `GET /healthz`, `GET /` (the console); the reference's 404 and 405 everywhere else; the
//! caller token checked before anything but `/` and `/healthz`.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::any;
use futures_util::FutureExt as _;

use crate::error::{ConnectorError, ErrorEnvelope};
use crate::serve::Layout;
use crate::serve::access_log::{self, AccessLog};
use crate::serve::answer;
use crate::serve::app::Served;
use crate::serve::auth::CallerToken;
use crate::serve::host::{LIST_APP_IDS, app_ids_envelope, normalize};
use crate::serve::limits::{BodyError, Limits};

/// What every handler shares.
pub(crate) struct Shared {
    pub apps: Vec<Arc<dyn Served>>,
    pub layout: Layout,
    pub token: Option<CallerToken>,
    pub limits: Limits,
}

impl Shared {
    fn app(&self, app_id: &str) -> Option<&Arc<dyn Served>> {
        self.apps.iter().find(|app| app.app_id() == app_id)
    }

    /// The app_id an error envelope for `path` names.
    fn app_id_for(&self, path: &str) -> String {
        match self.layout {
            Layout::Single => self.apps.first().map(|app| app.app_id().to_owned()),
            Layout::Host => path
                .trim_start_matches('/')
                .split('/')
                .next()
                .and_then(|first| self.app(first))
                .map(|app| app.app_id().to_owned()),
        }
        .unwrap_or_default()
    }
}

/// The router of a server.
pub(crate) fn router(shared: Arc<Shared>, access: AccessLog) -> Router {
    let router = Router::new()
        .route("/", any(console))
        .route("/healthz", any(healthz));
    let router = match shared.layout {
        Layout::Single => router.route("/{name}", any(single)),
        Layout::Host => router
            .route("/{name}", any(host_top))
            .route("/{app_id}/{name}", any(hosted)),
    };
    router
        .fallback(|| async { answer::not_found() })
        .layer(middleware::from_fn_with_state(Arc::clone(&shared), guard))
        .layer(middleware::from_fn_with_state(access, access_log::record))
        .with_state(shared)
}

/// Checks the caller token on every route but the console page and the health check.
async fn guard(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let open = matches!(request.uri().path(), "/" | "/healthz");
    match &shared.token {
        Some(token) if !open && !token.admits(request.headers()) => {
            answer::unauthorized(&shared.app_id_for(request.uri().path()))
        }
        _ => next.run(request).await,
    }
}

async fn console(State(shared): State<Arc<Shared>>, method: Method) -> Response {
    if method != Method::GET {
        return answer::not_found();
    }
    crate::serve::console::page(shared.layout, shared.token.is_some())
}

async fn healthz(method: Method) -> Response {
    if method != Method::GET {
        return answer::not_found();
    }
    answer::json(StatusCode::OK, r#"{"status":"ok"}"#.to_owned())
}

/// `/{name}` of a single-connector server.
async fn single(
    State(shared): State<Arc<Shared>>,
    Path(name): Path<String>,
    method: Method,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Some(app) = shared.apps.first().cloned() else {
        return answer::not_found();
    };
    routed(&shared, &app, &name, method, headers, body).await
}

/// `/{name}` of a host: only `POST /list_connector_app_ids` (or `/list-connector-app-ids`).
async fn host_top(
    State(shared): State<Arc<Shared>>,
    Path(name): Path<String>,
    method: Method,
) -> Response {
    if normalize(&name) != LIST_APP_IDS {
        return answer::not_found();
    }
    if method != Method::POST {
        return answer::method_not_allowed();
    }
    let body = app_ids_envelope(shared.apps.iter().map(|app| app.app_id()));
    answer::json(StatusCode::OK, body)
}

/// `/{app_id}/{name}` of a host.
async fn hosted(
    State(shared): State<Arc<Shared>>,
    Path((app_id, name)): Path<(String, String)>,
    method: Method,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Some(app) = shared.app(&app_id).cloned() else {
        return answer::not_found();
    };
    routed(&shared, &app, &name, method, headers, body).await
}

/// The routes of one connector: `info`, `openapi.json` and its capabilities.
async fn routed(
    shared: &Shared,
    app: &Arc<dyn Served>,
    name: &str,
    method: Method,
    headers: HeaderMap,
    body: Body,
) -> Response {
    match (name, method) {
        ("info", Method::GET) => answer::json(StatusCode::OK, app.info().to_string()),
        ("openapi.json", Method::GET) => match app.openapi().await {
            Some(document) => answer::json(StatusCode::OK, document),
            None => answer::not_found(),
        },
        ("info" | "openapi.json", _) => answer::not_found(),
        (name, method) => {
            let capability = normalize(name);
            if !app.capabilities().contains(&capability) {
                return answer::not_found();
            }
            if method != Method::POST {
                return answer::method_not_allowed();
            }
            call(shared, app, &capability, &headers, body).await
        }
    }
}

/// Runs one capability within the server's limits.
async fn call(
    shared: &Shared,
    app: &Arc<dyn Served>,
    capability: &str,
    headers: &HeaderMap,
    body: Body,
) -> Response {
    let limits = &shared.limits;
    let Some(_permit) = limits.try_enter() else {
        return answer::busy(app.app_id());
    };
    // One deadline for reading the body and running the call.
    let deadline = tokio::time::Instant::now() + limits.timeout;
    let read = tokio::time::timeout_at(deadline, limits.read_body(headers, body));
    let bytes = match read.await {
        Err(_elapsed) => return answer::deadline(app.app_id(), limits.timeout.as_secs()),
        Ok(Ok(bytes)) => bytes,
        Ok(Err(BodyError::TooLarge)) => {
            return answer::too_large(app.app_id(), limits.max_body_bytes);
        }
        Ok(Err(BodyError::Broken)) => {
            return answer::refusal(
                StatusCode::BAD_REQUEST,
                app.app_id(),
                ConnectorError::bad_request("The request body could not be read."),
            );
        }
    };
    let Ok(json) = String::from_utf8(bytes) else {
        return envelope(
            app.app_id(),
            ConnectorError::bad_request("The request body is not UTF-8 text."),
        );
    };
    let run = AssertUnwindSafe(app.dispatch(capability, &json)).catch_unwind();
    match tokio::time::timeout_at(deadline, run).await {
        Ok(Ok(output)) => answer::streamed(output),
        Ok(Err(_panic)) => envelope(
            app.app_id(),
            ConnectorError::internal_error(crate::PANIC_MESSAGE),
        ),
        Err(_elapsed) => answer::deadline(app.app_id(), limits.timeout.as_secs()),
    }
}

/// 200 with an error envelope, as a capability's own error.
fn envelope(app_id: &str, error: ConnectorError) -> Response {
    let envelope = ErrorEnvelope::new(error.to_wire(app_id, None));
    answer::json(
        StatusCode::OK,
        serde_json::to_string(&envelope).unwrap_or_default(),
    )
}
