//! The CLI of the demo twin: `demo-app info`, `demo-app list_accounts --json '{...}'`.

fn main() -> std::process::ExitCode {
    connector_sdk::cli::run::<connector_sdk_tests::demo_app::DemoApp>()
}
