//! Fuzz target: `dispatch` of pretend-app on any capability name and any request bytes
//! (the first line is the name, the rest the envelope) answers with one JSON envelope.
#![no_main]

use connector_sdk::Connector as _;
use libfuzzer_sys::fuzz_target;

thread_local! {
    static RUNTIME: tokio::runtime::Runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
}

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|byte| *byte == b'\n').unwrap_or(data.len());
    let name = String::from_utf8_lossy(&data[..split]).into_owned();
    let Ok(json) = std::str::from_utf8(data.get(split + 1..).unwrap_or_default()) else {
        return;
    };
    let out = RUNTIME.with(|runtime| {
        runtime.block_on(pretend_app::PretendApp::default().dispatch(&name, json))
    });
    let value: serde_json::Value = serde_json::from_str(&out).expect("the answer is JSON");
    assert!(value.get("response").is_some() || value["is_error"] == true, "{out}");
});
