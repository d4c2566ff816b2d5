//! The http-example command line: `http-example info`,
//! `http-example list_accounts --json '{...}'`.

fn main() -> std::process::ExitCode {
    connector_sdk::cli::run::<http_example::HttpExample>()
}
