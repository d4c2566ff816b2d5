//! `multi-credential info`, `multi-credential list_accounts --json '{...}'`.

fn main() -> std::process::ExitCode {
    connector_sdk::cli::run::<multi_credential::Directory>()
}
