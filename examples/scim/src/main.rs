//! The scim-connector command line: `scim-connector info`,
//! `scim-connector list_accounts --json '{...}'`.

fn main() -> std::process::ExitCode {
    connector_sdk::cli::run::<scim_connector::Scim>()
}
