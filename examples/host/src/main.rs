//! A host of two connectors in one binary:
//! `connector-host pretend_app list_accounts --json '{…}'`, `connector-host scim info`,
//! `connector-host list_connector_app_ids`, and `connector-host serve` to serve both at
//! `/{app_id}/{capability}`.

fn main() -> std::process::ExitCode {
    connector_sdk::host![pretend_app::PretendApp, scim_connector::Scim].run()
}
