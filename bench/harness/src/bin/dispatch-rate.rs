//! In-process dispatch rate of the demo twin: how many `dispatch(capability, json)` calls
//! a second one thread completes, bounded by a count and a time.
//!
//! ```text
//! dispatch-rate [--capability validate_credentials] [--json ENVELOPE] [--calls 200000] [--seconds 3]
//! ```
//!
//! Prints one JSON line: `{"capability", "calls", "seconds", "calls_per_second"}`. The
//! first answer must not be an error envelope (else the rate would measure the error path).

use std::process::ExitCode;
use std::time::Instant;

use bench_harness::{Flags, per_second};
use connector_sdk::Connector;
use connector_sdk_tests::demo_app::DemoApp;

const ENVELOPE: &str = r#"{"auth":{"token":{"token":"bench-token"}},"settings":{"base_url":"https://demo.example.com"},"request":{}}"#;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("dispatch-rate: {err}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let flags = Flags::from_env()?;
    let capability = flags.text("capability").unwrap_or("validate_credentials");
    let json = flags.text("json").unwrap_or(ENVELOPE);
    let calls = flags.number("calls", 200_000)?;
    let limit = flags.seconds("seconds", 3.0)?;
    let connector = DemoApp::default();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(|err| format!("no runtime: {err}"))?;
    runtime.block_on(async {
        let first = connector.dispatch(capability, json).await;
        if first.starts_with(r#"{"is_error":true"#) {
            return Err(format!("the call fails, not timing it: {first}"));
        }
        let start = Instant::now();
        let mut done = 0u64;
        while done < calls && start.elapsed() < limit {
            let answer = connector.dispatch(capability, json).await;
            std::hint::black_box(answer);
            done += 1;
        }
        let elapsed = start.elapsed();
        println!(
            "{}",
            serde_json::json!({
                "capability": capability,
                "calls": done,
                "seconds": elapsed.as_secs_f64(),
                "calls_per_second": per_second(done, elapsed),
            })
        );
        Ok(())
    })
}
