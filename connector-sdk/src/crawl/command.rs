//! The `dev crawl` command of a connector's CLI: `<bin> dev crawl --json-file PATH|-
//! [--report PATH] [--page-size N] [--max-pages N]`.
//!
//! The text report goes to stdout, progress to stderr; the exit is 0 when every list
//! capability was walked to its last page, 1 when one stopped on an error, 2 on a usage
//! error.

use std::ffi::OsString;
use std::io::Read as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Arg, ArgMatches, Command};
use serde_json::Value;

use super::{DEFAULT_MAX_PAGES, Options, Progress, crawl};
use crate::connector::Connector;

/// The largest envelope read from stdin or a file (16 MiB).
const MAX_ENVELOPE_BYTES: u64 = 16 * 1024 * 1024;

/// The `crawl` command of the `dev` subcommand.
pub(crate) fn crawl_command() -> Command {
    Command::new("crawl")
        .about("Walk every list capability to its last page and report what came back")
        .arg(
            Arg::new("json-file")
                .long("json-file")
                .value_name("PATH")
                .required(true)
                .help("A file holding the envelope (settings and credentials), or - for stdin")
                .value_parser(clap::value_parser!(OsString)),
        )
        .arg(
            Arg::new("report")
                .long("report")
                .value_name("PATH")
                .help("Also write the report as JSON to PATH")
                .value_parser(clap::value_parser!(PathBuf)),
        )
        .arg(
            Arg::new("page-size")
                .long("page-size")
                .value_name("N")
                .help("The page size to ask for (the connector's default otherwise)")
                .value_parser(clap::value_parser!(u32).range(1..)),
        )
        .arg(
            Arg::new("max-pages")
                .long("max-pages")
                .value_name("N")
                .help("Stop a capability after N pages (default 100000)")
                .value_parser(clap::value_parser!(u64).range(1..)),
        )
}

/// Runs `dev crawl` with `sub` (the `crawl` command's matches); usage errors are returned
/// as their message.
pub(crate) fn run<C: Connector>(connector: &C, sub: &ArgMatches) -> Result<ExitCode, String> {
    let raw = sub
        .get_one::<OsString>("json-file")
        .ok_or_else(|| "give --json-file PATH or --json-file -".to_owned())?;
    let envelope = read_envelope(raw)?;
    let options = Options {
        page_size: sub.get_one::<u32>("page-size").copied(),
        max_pages: sub
            .get_one::<u64>("max-pages")
            .copied()
            .unwrap_or(DEFAULT_MAX_PAGES),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|err| format!("cannot start the async runtime: {err}"))?;
    let progress = Progress::for_stderr();
    let report = runtime.block_on(crawl(connector, &envelope, &options, &progress));
    print!("{}", report.render());
    if let Some(path) = sub.get_one::<PathBuf>("report") {
        let json = serde_json::to_string_pretty(&report)
            .map_err(|err| format!("cannot encode the report: {err}"))?;
        std::fs::write(path, json + "\n")
            .map_err(|err| format!("cannot write the report {}: {err}", path.display()))?;
    }
    Ok(if report.errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The envelope from a file or stdin (`-`): a JSON object of at most 16 MiB.
fn read_envelope(raw: &OsString) -> Result<serde_json::Map<String, Value>, String> {
    let mut bytes = Vec::new();
    let (name, read) = if raw == "-" {
        let read = std::io::stdin()
            .lock()
            .take(MAX_ENVELOPE_BYTES + 1)
            .read_to_end(&mut bytes);
        ("stdin".to_owned(), read)
    } else {
        let path = PathBuf::from(raw);
        let read = std::fs::File::open(&path)
            .and_then(|file| file.take(MAX_ENVELOPE_BYTES + 1).read_to_end(&mut bytes));
        (path.display().to_string(), read)
    };
    read.map_err(|err| format!("cannot read --json-file {name}: {err}"))?;
    if bytes.len() as u64 > MAX_ENVELOPE_BYTES {
        return Err(format!("--json-file {name} is larger than 16 MiB"));
    }
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(envelope)) => Ok(envelope),
        Ok(_) => Err(format!(
            "--json-file {name} must hold a JSON object (the envelope)"
        )),
        Err(err) => Err(format!(
            "--json-file {name} is not JSON (line {}, column {})",
            err.line(),
            err.column()
        )),
    }
}
