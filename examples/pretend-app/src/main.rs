//! The pretend-app command line: `pretend-app info`, `pretend-app list_accounts --json '{...}'`.

fn main() -> std::process::ExitCode {
    connector_sdk::cli::run::<pretend_app::PretendApp>()
}
