//! The serving subcommands of a connector's or a host's command line:
//! `<bin> serve [--host H] [--port N] [--token-file PATH] [--max-body-bytes N]
//! [--max-in-flight N] [--timeout-seconds N] [--grace-seconds N]` and the reference's
//! `<bin> dev http-server [--port N]` (loopback, no token).

use std::ffi::OsString;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Arg, ArgMatches, Command, value_parser};

use crate::connector::Connector;
use crate::serve::app::{Served, ServedConnector};
use crate::serve::{CallerToken, Host, Layout, ServeOptions, Server, TOKEN_ENV};

/// Whether a command line's first two arguments ask for a server: `serve`, `hacking`, or
/// `dev http-server` (the other `dev` commands are the CLI's).
pub(crate) fn is_serve_command(first: &str, second: Option<&str>) -> bool {
    matches!(first, "serve" | "hacking") || (first == "dev" && second == Some("http-server"))
}

/// Whether `args` (the program name first) ask for a server: `serve …` or
/// `dev http-server …`.
pub fn wants_server(args: &[OsString]) -> bool {
    let word = |at: usize| args.get(at).and_then(|arg| arg.to_str());
    word(1).is_some_and(|first| is_serve_command(first, word(2)))
}

/// Runs `<bin> serve …` or `<bin> dev http-server …` for one connector (`args` holds the
/// program name first). Called by the connector's CLI when [`wants_server`] says so.
pub fn run_cli<C: Connector>(connector: C, args: &[OsString]) -> ExitCode {
    let served: Arc<dyn Served> = Arc::new(ServedConnector::new(connector));
    let app_id = served.app_id().to_owned();
    run(vec![served], Layout::Single, &app_id, args)
}

/// Runs `<host> serve …` or `<host> dev http-server …`.
pub(crate) fn run_host(host: Host, args: &[OsString]) -> ExitCode {
    if let Some(app_id) = host.duplicate() {
        eprintln!("error: two connectors of this host have the app_id {app_id}");
        return ExitCode::FAILURE;
    }
    run(host.into_served(), Layout::Host, "connector_host", args)
}

fn run(apps: Vec<Arc<dyn Served>>, layout: Layout, log_name: &str, args: &[OsString]) -> ExitCode {
    let bin = args
        .first()
        .and_then(|arg| Path::new(arg).file_name())
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| log_name.to_owned());
    let matches = match command(&bin).try_get_matches_from(args) {
        Ok(matches) => matches,
        Err(err) => {
            use clap::error::ErrorKind;
            let _ = err.print();
            return match err.kind() {
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => ExitCode::SUCCESS,
                _ => ExitCode::from(2),
            };
        }
    };
    let options = match options(&matches) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    if let Err(message) = crate::logging::init(log_name) {
        eprintln!("error: {message}");
        return ExitCode::from(2);
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let grace = options.grace;
    runtime.block_on(async move {
        let server = match Server::bind(apps, layout, options).await {
            Ok(server) => server,
            Err(err) => {
                eprintln!("error: {err}");
                return ExitCode::FAILURE;
            }
        };
        let addr = server.local_addr();
        eprintln!(
            "serving on http://{addr} (the console is at http://{addr}/); SIGTERM or Ctrl-C stops"
        );
        match server.run_until(crate::serve::signal()).await {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => {
                eprintln!(
                    "error: calls were still running {} s after the stop signal; they were dropped",
                    grace.as_secs()
                );
                ExitCode::FAILURE
            }
            Err(err) => {
                eprintln!("error: {err}");
                ExitCode::FAILURE
            }
        }
    })
}

fn command(bin: &str) -> Command {
    let defaults = ServeOptions::default();
    let port = || {
        Arg::new("port")
            .long("port")
            .short('p')
            .value_name("PORT")
            .default_value(defaults.addr.port().to_string())
            .value_parser(value_parser!(u16))
            .help("The port to listen on")
    };
    Command::new(bin.to_owned())
        .subcommand_required(true)
        .subcommand(
            Command::new("serve")
                .about("Serve over HTTP: POST /<capability> with the request envelope as the body")
                .arg(
                    Arg::new("host")
                        .long("host")
                        .value_name("ADDRESS")
                        .default_value(defaults.addr.ip().to_string())
                        .value_parser(value_parser!(IpAddr))
                        .help("The address to listen on; anything but loopback needs a caller token"),
                )
                .arg(port())
                .arg(
                    Arg::new("token-file")
                        .long("token-file")
                        .value_name("PATH")
                        .value_parser(value_parser!(PathBuf))
                        .help(format!(
                            "A file holding the token callers send as `Authorization: Bearer <token>` (else {TOKEN_ENV})"
                        )),
                )
                .arg(number("max-body-bytes", "BYTES", defaults.max_body_bytes as u64, "The largest request body accepted; larger ones get 413"))
                .arg(number("max-in-flight", "N", defaults.max_in_flight as u64, "How many calls may run at once; more get 503 with Retry-After"))
                .arg(number("timeout-seconds", "SECONDS", defaults.timeout.as_secs(), "How long one call may run; then it gets 504"))
                .arg(number("grace-seconds", "SECONDS", defaults.grace.as_secs(), "How long calls in flight may run on after SIGTERM or Ctrl-C")),
        )
        .subcommand(
            Command::new("dev")
                .alias("hacking")
                .about("Tools for developing the connector")
                .subcommand_required(true)
                .subcommand(
                    Command::new("http-server")
                        .about("Serve on 127.0.0.1 without a caller token, as the reference's `dev http-server`")
                        .arg(port()),
                ),
        )
}

fn number(name: &'static str, value: &'static str, default: u64, help: &'static str) -> Arg {
    Arg::new(name)
        .long(name)
        .value_name(value)
        .default_value(default.to_string())
        .value_parser(value_parser!(u64).range(1..))
        .help(help)
}

fn options(matches: &ArgMatches) -> Result<ServeOptions, String> {
    let defaults = ServeOptions::default();
    match matches.subcommand() {
        Some(("serve", sub)) => {
            let ip = sub
                .get_one::<IpAddr>("host")
                .copied()
                .unwrap_or(defaults.addr.ip());
            let port = sub
                .get_one::<u16>("port")
                .copied()
                .unwrap_or(defaults.addr.port());
            let token =
                CallerToken::load(sub.get_one::<PathBuf>("token-file").map(PathBuf::as_path))?;
            let get = |name: &str| sub.get_one::<u64>(name).copied().unwrap_or(1);
            Ok(ServeOptions {
                addr: SocketAddr::new(ip, port),
                token,
                max_body_bytes: usize::try_from(get("max-body-bytes")).unwrap_or(usize::MAX),
                max_in_flight: usize::try_from(get("max-in-flight")).unwrap_or(usize::MAX),
                timeout: Duration::from_secs(get("timeout-seconds")),
                grace: Duration::from_secs(get("grace-seconds")),
                access_log: true,
            })
        }
        Some(("dev", dev)) => {
            let port = dev
                .subcommand_matches("http-server")
                .and_then(|server| server.get_one::<u16>("port").copied())
                .unwrap_or(defaults.addr.port());
            Ok(ServeOptions {
                addr: SocketAddr::from(([127, 0, 0, 1], port)),
                ..defaults
            })
        }
        _ => Err("give `serve` or `dev http-server`".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(args: &[&str]) -> Result<ServeOptions, String> {
        let matches = command("app")
            .try_get_matches_from(args)
            .map_err(|err| err.to_string())?;
        options(&matches)
    }

    #[test]
    fn serve_takes_its_limits_from_flags() {
        let options = parsed(&[
            "app",
            "serve",
            "--port",
            "9001",
            "--max-body-bytes",
            "100",
            "--max-in-flight",
            "3",
            "--timeout-seconds",
            "7",
            "--grace-seconds",
            "2",
        ])
        .unwrap();
        assert_eq!(options.addr, SocketAddr::from(([127, 0, 0, 1], 9001)));
        assert_eq!(options.max_body_bytes, 100);
        assert_eq!(options.max_in_flight, 3);
        assert_eq!(options.timeout, Duration::from_secs(7));
        assert_eq!(options.grace, Duration::from_secs(2));
    }

    #[test]
    fn dev_http_server_is_loopback_with_the_reference_port_flag() {
        let options = parsed(&["app", "dev", "http-server", "-p", "8123"]).unwrap();
        assert_eq!(options.addr, SocketAddr::from(([127, 0, 0, 1], 8123)));
        assert!(options.token.is_none());
    }

    #[test]
    fn the_token_is_never_a_command_line_value() {
        assert!(parsed(&["app", "serve", "--token", "abc"]).is_err());
    }

    #[test]
    fn only_serving_subcommands_are_taken() {
        assert!(wants_server(&["app".into(), "serve".into()]));
        assert!(wants_server(&[
            "app".into(),
            "dev".into(),
            "http-server".into()
        ]));
        assert!(!wants_server(&["app".into(), "dev".into(), "crawl".into()]));
        assert!(!wants_server(&[
            "app".into(),
            "dev".into(),
            "build-bundle".into()
        ]));
        assert!(!wants_server(&["app".into(), "list_accounts".into()]));
        assert!(!wants_server(&["app".into()]));
    }
}
