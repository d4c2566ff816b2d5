//! The CLI of the hazard connector. With `HAZARD_LIBRARY_MODE=1` it skips the CLI and
//! calls the library entry directly: `hazard-app <capability> <json>` prints the envelope,
//! so a test can see what a library caller's process prints when a capability panics.

use connector_sdk::Connector as _;
use connector_sdk_tests::hazard::HazardApp;

fn main() -> std::process::ExitCode {
    if std::env::var_os("HAZARD_LIBRARY_MODE").is_none() {
        return connector_sdk::cli::run::<HazardApp>();
    }
    let args: Vec<String> = std::env::args().collect();
    let (Some(capability), Some(json)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: HAZARD_LIBRARY_MODE=1 hazard-app <capability> <json>");
        return std::process::ExitCode::from(2);
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a current-thread runtime");
    println!("{}", runtime.block_on(HazardApp.dispatch(capability, json)));
    std::process::ExitCode::SUCCESS
}
