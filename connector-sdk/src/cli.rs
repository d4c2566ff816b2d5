//! The connector's command line, for on-prem deployment:
//! `<bin> info`, `<bin> <capability> --json '<obj>' | --json-file PATH|- [--result-file-path out.gz]`.
//! The author's tools live under `<bin> dev` (`dev crawl`, in [`crate::crawl`]).
//!
//! A capability's error is an error envelope on stdout with exit 0, as the reference.
//! A usage error (unknown capability, bad flags, unreadable file, ...) is one line on
//! stderr, nothing on stdout, and exit 2. When the result file cannot be written after
//! the capability ran, the envelope goes to stdout, a line to stderr, and the exit is 1.
//! A closed or failing stdout is one line on stderr and exit 1.

use std::ffi::OsString;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Arg, ArgAction, ArgGroup, Command};
use serde_json::Value;

use crate::cli_io::{self, Input, ResultFile};
use crate::connector::Connector;
use crate::dispatch::Answer;

/// Exit code of a usage error.
const USAGE: u8 = 2;

/// Runs the CLI of connector `C` (built with `Default`) on the process arguments.
///
/// ```no_run
/// # use connector_sdk::connector::*; use connector_sdk::prelude::*;
/// # #[derive(Default)] struct MyConnector;
/// # impl Connector for MyConnector { type Settings = NoSettings; type Credentials = TokenCredential;
/// #   fn metadata() -> Metadata { Metadata::new("my_app", "1.0.0") }
/// #   fn capabilities() -> Capabilities<Self> { Capabilities::new() } }
/// fn main() -> std::process::ExitCode {
///     connector_sdk::cli::run::<MyConnector>()
/// }
/// ```
pub fn run<C: Connector + Default>() -> ExitCode {
    run_with(C::default(), std::env::args_os())
}

/// The subcommand of the author's and operator's tools (`dev build-bundle`, `dev crawl`,
/// `dev http-server`).
const DEV: &str = "dev";

/// Runs the CLI of `connector` on `args` (the first one is the program name).
pub fn run_with<C: Connector>(connector: C, args: impl IntoIterator<Item = OsString>) -> ExitCode {
    // The default hook prints the panic message, which may hold a secret.
    crate::dispatch::guard::quiet_all_panics();
    // Taken before any file is opened, so a closed stdout is noticed, not reused.
    let stdout = cli_io::open_stdout();
    let runtime = crate::runtime::Runtime::<C>::get();
    let metadata = &runtime.metadata;
    let capabilities = &runtime.capabilities;
    let args: Vec<OsString> = args.into_iter().collect();
    #[cfg(feature = "serve")]
    if crate::serve::wants_server(&args) {
        return crate::serve::run_cli(connector, &args);
    }
    let bin = args
        .first()
        .and_then(|arg| Path::new(arg).file_name())
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| metadata.app_id.to_owned());

    let mut command = Command::new(bin.clone())
        .version(metadata.version)
        .about(format!(
            "Lumos integration CLI for {}",
            metadata.name.unwrap_or(metadata.app_id)
        ))
        .subcommand_value_name("CAPABILITY")
        .subcommand_help_heading("Capabilities")
        .after_help(format!(
            "Every capability but `info` takes the request envelope as JSON:\n  {bin} validate_credentials --json '{{\"auth\": {{...}}, \"settings\": {{...}}, \"request\": {{}}}}'"
        ))
        .subcommand(
            Command::new("info")
                .about("Print what this connector supports and how to call it")
                .arg(result_file_arg()),
        );
    // `dev build-bundle`, `dev crawl` (and `dev http-server`, read before clap by the
    // server), unless a capability takes the name.
    let dev = capabilities.get(DEV).is_none();
    if dev {
        command = command.subcommand(
            crate::bundle::dev_command().subcommand(crate::crawl::command::crawl_command()),
        );
    }
    for entry in capabilities.entries() {
        let about = entry
            .description()
            .map(str::to_owned)
            .unwrap_or_else(|| entry.display_name());
        command = command.subcommand(
            Command::new(entry.name())
                .about(about)
                .arg(
                    Arg::new("json")
                        .long("json")
                        .value_name("JSON")
                        .help("The request envelope as JSON text")
                        .value_parser(clap::value_parser!(OsString)),
                )
                .arg(
                    Arg::new("json-file")
                        .long("json-file")
                        .value_name("PATH")
                        .help("A file holding the request envelope; - reads it from stdin")
                        .value_parser(clap::value_parser!(OsString)),
                )
                .group(
                    ArgGroup::new("input")
                        .args(["json", "json-file"])
                        .required(true),
                )
                .arg(result_file_arg()),
        );
    }

    let matches = match command.clone().try_get_matches_from(&args) {
        Ok(matches) => matches,
        Err(err) => {
            use clap::error::ErrorKind;
            return match err.kind() {
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
                    let _ = err.print();
                    ExitCode::SUCCESS
                }
                ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
                | ErrorKind::MissingSubcommand => {
                    usage_error(&format!("no capability given; `{bin} --help` lists them"))
                }
                _ => usage_error(&one_line(&err.render().to_string())),
            };
        }
    };
    let Some((name, sub)) = matches.subcommand() else {
        return usage_error(&format!("no capability given; `{bin} --help` lists them"));
    };
    if dev && name == DEV {
        return match sub.subcommand() {
            Some(("crawl", crawl)) => crate::crawl::command::run(&connector, crawl)
                .unwrap_or_else(|message| usage_error(&message)),
            _ => crate::bundle::run_dev::<C>(sub),
        };
    }
    if let Err(message) = crate::logging::init(metadata.app_id) {
        return usage_error(&message);
    }
    let _flush_agent_log = crate::agent_log::FlushOnDrop;
    tracing::info!(
        "Running command started at {}",
        time::OffsetDateTime::now_utc()
    );

    let result_path = match sub
        .get_one::<OsString>("result-file-path")
        .map(checked_result_path)
    {
        None => None,
        Some(Ok(file)) => Some(file),
        Some(Err(message)) => return usage_error(&message),
    };

    let limit = crate::limits::MAX_REQUEST_BYTES.get();
    let output = if name == "info" {
        let mut info = crate::info::info_envelope::<C>();
        info.sort_all_objects();
        Answer::Built(info.to_string())
    } else {
        let json = match read_input(sub, limit) {
            Ok(Input::Text(json)) => json,
            Ok(Input::TooLarge) => {
                let output = Answer::Built(crate::dispatch::request_too_large(metadata.app_id));
                return deliver(stdout, result_path, &output);
            }
            Err(message) => return usage_error(&message),
        };
        log_arguments(&runtime.secret_settings, name, &json);
        let runtime = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(runtime) => runtime,
            Err(err) => {
                eprintln!("error: cannot start the async runtime: {err}");
                return ExitCode::FAILURE;
            }
        };
        runtime.block_on(crate::dispatch::answer(&connector, name, &json))
    };

    deliver(stdout, result_path, &output)
}

/// Writes the output to the result file, or to stdout, serialised straight into it; a
/// failure is one line on stderr and exit 1 (when the result file fails, the output goes
/// to stdout too).
fn deliver(stdout: Option<File>, result: Option<ResultFile>, output: &Answer) -> ExitCode {
    match result {
        None => print_output(stdout, output),
        Some(result) => {
            let path = result.path().to_path_buf();
            match result.commit(|writer| output.write_to(writer)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(err) => {
                    let _ = print_output(stdout, output);
                    eprintln!(
                        "error: cannot write the result file {}: {err}; the result is on stdout",
                        path.display()
                    );
                    ExitCode::FAILURE
                }
            }
        }
    }
}

/// Prints the output document and a newline. A closed or failing stdout (the reader went
/// away) is reported in one line and exit 1, not a panic and not a silent success.
fn print_output(stdout: Option<File>, output: &Answer) -> ExitCode {
    use std::io::Write as _;
    let Some(stdout) = stdout else {
        eprintln!("error: cannot write the result to stdout: it is closed");
        return ExitCode::FAILURE;
    };
    let mut stdout = std::io::BufWriter::new(stdout);
    match output
        .write_to(&mut stdout)
        .and_then(|()| stdout.write_all(b"\n"))
        .and_then(|()| stdout.flush())
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: cannot write the result to stdout: {err}");
            ExitCode::FAILURE
        }
    }
}

fn result_file_arg() -> Arg {
    Arg::new("result-file-path")
        .long("result-file-path")
        .value_name("PATH")
        .help("Write the result gzip-compressed to PATH (must end in .gz) instead of stdout")
        .value_parser(clap::value_parser!(OsString))
        .action(ArgAction::Set)
}

fn usage_error(message: &str) -> ExitCode {
    let message = message.trim();
    let message = message.strip_prefix("error: ").unwrap_or(message);
    eprintln!("error: {message}");
    ExitCode::from(USAGE)
}

/// clap's multi-line error as one line: the error and its tip, without the usage block.
fn one_line(rendered: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for line in rendered.lines().map(str::trim) {
        if line.starts_with("Usage:") || line.starts_with("For more information") {
            break;
        }
        if !line.is_empty() {
            parts.push(line);
        }
    }
    parts.join("; ")
}

/// The result path without surrounding quotes, checked and prepared before the
/// capability runs (the previous result stays until the new one is complete).
fn checked_result_path(raw: &OsString) -> Result<ResultFile, String> {
    let text = raw.to_string_lossy();
    ResultFile::prepare(PathBuf::from(strip_quotes(&text)))
}

fn strip_quotes(text: &str) -> &str {
    let trimmed = text.trim();
    for quote in ['"', '\''] {
        if let Some(inner) = trimmed
            .strip_prefix(quote)
            .and_then(|rest| rest.strip_suffix(quote))
        {
            return inner;
        }
    }
    trimmed
}

/// The envelope from `--json` or `--json-file` (`-`: stdin), at most `limit` bytes read.
fn read_input(sub: &clap::ArgMatches, limit: u64) -> Result<Input, String> {
    if let Some(json) = sub.get_one::<OsString>("json") {
        let json = json
            .to_str()
            .ok_or_else(|| "--json is not valid UTF-8".to_owned())?;
        if json.trim().is_empty() {
            return Err("--json is empty: give the request envelope as a JSON object".to_owned());
        }
        if json.len() as u64 > limit {
            return Ok(Input::TooLarge);
        }
        return Ok(Input::Text(json.to_owned()));
    }
    let raw = sub
        .get_one::<OsString>("json-file")
        .ok_or_else(|| "give --json or --json-file".to_owned())?;
    let path = PathBuf::from(strip_quotes(&raw.to_string_lossy()));
    cli_io::read_json_file(&path, limit)
}

/// Logs the command's arguments with secrets redacted (INFO).
fn log_arguments(secret_settings: &[String], capability: &str, json: &str) {
    if !tracing::enabled!(tracing::Level::INFO) {
        return;
    }
    // The log line is capped; a request far past the cap is not even parsed for it.
    let max = crate::limits::MAX_LOGGED_REQUEST_CHARS.get_usize();
    let shown = if json.len() > max.saturating_mul(64) {
        format!("<{} bytes, too large to log>", json.len())
    } else {
        match serde_json::from_str::<Value>(json) {
            Ok(value) => crate::redact::redact_request(&value, secret_settings).to_string(),
            Err(_) => String::from("<not JSON>"),
        }
    };
    let shown = match shown.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…(truncated)", &shown[..cut]),
        None => shown,
    };
    tracing::info!("Command arguments: {{\"command\": \"{capability}\", \"json\": {shown}}}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_around_paths_are_stripped() {
        assert_eq!(strip_quotes("'out.gz'"), "out.gz");
        assert_eq!(strip_quotes("\"a b.gz\""), "a b.gz");
        assert_eq!(strip_quotes("plain.gz"), "plain.gz");
    }

    #[test]
    fn clap_errors_fold_into_one_line() {
        let rendered = "error: unrecognized subcommand 'list_acounts'\n\n  tip: a similar subcommand exists: 'list_accounts'\n\nUsage: app [COMMAND]\n\nFor more information, try '--help'.\n";
        assert_eq!(
            one_line(rendered),
            "error: unrecognized subcommand 'list_acounts'; tip: a similar subcommand exists: 'list_accounts'"
        );
    }
}
