//! One served connector behind a type-erased handle: its app_id, its capability names and
//! its `info` envelope, computed once when the server or host is built, and its dispatch.

use futures_util::future::BoxFuture;
use serde_json::Value;
use std::ffi::OsString;
use std::process::ExitCode;
use tokio::sync::OnceCell;

use crate::connector::Connector;
use crate::dispatch::Answer;

/// A connector as the server and the host see it: no type parameter, built once.
pub(crate) trait Served: Send + Sync + 'static {
    /// The connector's app_id.
    fn app_id(&self) -> &str;
    /// The capabilities `info` lists, in its order.
    fn capabilities(&self) -> &[String];
    /// The `info` envelope, as the CLI prints it.
    fn info(&self) -> &Value;
    /// Runs a capability as the library entry does; the answer is serialised only when
    /// the server streams it.
    fn dispatch<'a>(&'a self, capability: &'a str, json: &'a str) -> BoxFuture<'a, Answer>;
    /// The `app_info` capability's OpenAPI document, computed on first use; `None` when the
    /// connector does not answer it.
    fn openapi(&self) -> BoxFuture<'_, Option<String>>;
    /// Runs the connector's own CLI on `args` (the first one is the program name).
    fn run_cli(self: Box<Self>, args: Vec<OsString>) -> ExitCode;
}

/// A connector value with what the server needs to know about it.
pub(crate) struct ServedConnector<C> {
    connector: C,
    app_id: String,
    capabilities: Vec<String>,
    info: Value,
    openapi: OnceCell<Option<String>>,
}

impl<C: Connector> ServedConnector<C> {
    /// Reads the connector's `info` once.
    pub(crate) fn new(connector: C) -> Self {
        let mut info = crate::info::info_envelope::<C>();
        info.sort_all_objects();
        let response = &info["response"];
        let app_id = response["app_id"].as_str().unwrap_or_default().to_owned();
        let capabilities = response["capabilities"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect();
        ServedConnector {
            connector,
            app_id,
            capabilities,
            info,
            openapi: OnceCell::new(),
        }
    }
}

impl<C: Connector> Served for ServedConnector<C> {
    fn app_id(&self) -> &str {
        &self.app_id
    }

    fn capabilities(&self) -> &[String] {
        &self.capabilities
    }

    fn info(&self) -> &Value {
        &self.info
    }

    fn dispatch<'a>(&'a self, capability: &'a str, json: &'a str) -> BoxFuture<'a, Answer> {
        Box::pin(crate::dispatch::answer(&self.connector, capability, json))
    }

    fn openapi(&self) -> BoxFuture<'_, Option<String>> {
        Box::pin(async {
            self.openapi
                .get_or_init(|| async {
                    let output = self
                        .connector
                        .dispatch("app_info", r#"{"request":{}}"#)
                        .await;
                    let envelope: Value = serde_json::from_str(&output).ok()?;
                    let document = envelope.get("response")?.get("app_schema")?;
                    Some(document.to_string())
                })
                .await
                .clone()
        })
    }

    fn run_cli(self: Box<Self>, args: Vec<OsString>) -> ExitCode {
        crate::cli::run_with(self.connector, args)
    }
}
