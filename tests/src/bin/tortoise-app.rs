//! The CLI of the slow and panicking test connector: `tortoise-app serve …`.

fn main() -> std::process::ExitCode {
    connector_sdk::cli::run::<connector_sdk_tests::tortoise::TortoiseApp>()
}
