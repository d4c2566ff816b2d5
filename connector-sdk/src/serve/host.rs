//! The multi-connector host: several connector types in one binary, each built once,
//! reached as `<host> <app_id> <capability> --json …` on the command line and as
//! `POST /{app_id}/{capability}` when served.

use std::ffi::OsString;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use crate::connector::Connector;
use crate::serve::app::{Served, ServedConnector};

/// Several connectors served or run from one binary.
///
/// Build it with [`host!`](crate::host) (each connector made with `Default`) or with
/// [`Host::with`], then hand the process arguments to [`Host::run`]:
///
/// ```no_run
/// # use connector_sdk::connector::*; use connector_sdk::prelude::*;
/// # #[derive(Default)] struct First;
/// # impl Connector for First { type Settings = NoSettings; type Credentials = TokenCredential;
/// #   fn metadata() -> Metadata { Metadata::new("first", "1.0.0") }
/// #   fn capabilities() -> Capabilities<Self> { Capabilities::new() } }
/// # #[derive(Default)] struct Second;
/// # impl Connector for Second { type Settings = NoSettings; type Credentials = TokenCredential;
/// #   fn metadata() -> Metadata { Metadata::new("second", "1.0.0") }
/// #   fn capabilities() -> Capabilities<Self> { Capabilities::new() } }
/// fn main() -> std::process::ExitCode {
///     // `host first info`, `host second validate_credentials --json '{…}'`, `host serve`
///     connector_sdk::host![First, Second].run()
/// }
/// ```
#[derive(Default)]
pub struct Host {
    apps: Vec<Box<dyn Served>>,
    duplicates: Vec<String>,
}

impl Host {
    /// A host with no connector yet.
    pub fn new() -> Self {
        Host::default()
    }

    /// Adds a connector. Two connectors with the same app_id are refused when the host runs.
    pub fn with<C: Connector>(mut self, connector: C) -> Self {
        let served = ServedConnector::new(connector);
        if self.apps.iter().any(|app| app.app_id() == served.app_id()) {
            self.duplicates.push(served.app_id().to_owned());
        } else {
            self.apps.push(Box::new(served));
        }
        self
    }

    /// The app_ids of the hosted connectors, in the order they were added.
    pub fn app_ids(&self) -> Vec<&str> {
        self.apps.iter().map(|app| app.app_id()).collect()
    }

    /// Runs the host's command line on the process arguments.
    pub fn run(self) -> ExitCode {
        self.run_with(std::env::args_os())
    }

    /// Runs the host's command line on `args` (the first one is the program name):
    /// `<bin> <app_id> …` is that connector's own command line, `<bin> list_connector_app_ids`
    /// prints the app_ids as a response envelope, `<bin> serve …` and `<bin> dev http-server …`
    /// serve every connector under `/{app_id}/…`.
    pub fn run_with(self, args: impl IntoIterator<Item = OsString>) -> ExitCode {
        let args: Vec<OsString> = args.into_iter().collect();
        let bin = args
            .first()
            .and_then(|arg| Path::new(arg).file_name())
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_else(|| "host".to_owned());
        if let Some(app_id) = self.duplicate() {
            eprintln!("error: two connectors of this host have the app_id {app_id}");
            return ExitCode::FAILURE;
        }
        let first = args.get(1).map(|arg| arg.to_string_lossy().into_owned());
        match first.as_deref() {
            None => usage(&bin, &self, "no app_id given"),
            Some("-h" | "--help") => {
                println!("{}", help(&bin, &self));
                ExitCode::SUCCESS
            }
            Some(_) if crate::serve::command::wants_server(&args) => {
                crate::serve::command::run_host(self, &args)
            }
            Some(name) if normalize(name) == LIST_APP_IDS => {
                println!("{}", self.app_ids_envelope());
                ExitCode::SUCCESS
            }
            Some(app_id) => {
                let Some(index) = self.apps.iter().position(|app| app.app_id() == app_id) else {
                    return usage(&bin, &self, &format!("unknown app_id {app_id:?}"));
                };
                let mut apps = self.apps;
                let app = apps.swap_remove(index);
                let mut rest = vec![OsString::from(format!("{bin} {app_id}"))];
                rest.extend(args.into_iter().skip(2));
                app.run_cli(rest)
            }
        }
    }

    /// An app_id two added connectors share, if any.
    pub(crate) fn duplicate(&self) -> Option<&str> {
        self.duplicates.first().map(String::as_str)
    }

    /// The `list_connector_app_ids` response envelope.
    pub(crate) fn app_ids_envelope(&self) -> String {
        app_ids_envelope(self.apps.iter().map(|app| app.app_id()))
    }

    /// The connectors, shared by the server's handlers.
    pub(crate) fn into_served(self) -> Vec<Arc<dyn Served>> {
        self.apps.into_iter().map(Arc::from).collect()
    }
}

/// The spec's capability that lists a host's connectors (`POST /list-connector-app-ids`).
pub(crate) const LIST_APP_IDS: &str = "list_connector_app_ids";

/// A route or command name with `-` standing for `_`.
pub(crate) fn normalize(name: &str) -> String {
    name.replace('-', "_")
}

/// The response envelope listing `app_ids`.
pub(crate) fn app_ids_envelope<'a>(app_ids: impl Iterator<Item = &'a str>) -> String {
    let envelope = crate::reply::SuccessEnvelope {
        response: app_ids.collect::<Vec<&str>>(),
        raw_data: None,
        page: None,
        rate_limit: None,
        execution_summary: None,
    };
    serde_json::to_string(&envelope).unwrap_or_default()
}

fn help(bin: &str, host: &Host) -> String {
    format!(
        "A host of several connectors.\n\n\
         Usage: {bin} <APP_ID> <CAPABILITY> --json JSON   run one connector's capability\n       \
         {bin} <APP_ID> info                        what that connector supports\n       \
         {bin} {LIST_APP_IDS}              the app_ids, as a response envelope\n       \
         {bin} serve [--help]                       serve every connector at /<APP_ID>/<CAPABILITY>\n       \
         {bin} dev http-server [--port N]           the same, on loopback without a token\n\n\
         App ids: {}",
        host.app_ids().join(", ")
    )
}

fn usage(bin: &str, host: &Host, problem: &str) -> ExitCode {
    eprintln!(
        "error: {problem}; the app_ids are {}; `{bin} --help` says more",
        host.app_ids().join(", ")
    );
    ExitCode::from(2)
}

/// Builds a [`Host`] of connector types, each made with `Default`:
/// `connector_sdk::host![PretendApp, Scim]`.
#[macro_export]
macro_rules! host {
    ($($connector:ty),+ $(,)?) => {
        $crate::serve::Host::new()
            $(.with(<$connector as ::core::default::Default>::default()))+
    };
}
