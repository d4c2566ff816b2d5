//! Generating the `info` document (metadata, capabilities and every payload's JSON
//! schema) of the bench connector, as `<connector> info` does once per process.
//!
//! `cargo bench -p connector-sdk --bench info`

// Only the connector type is used here; the tenant helpers serve the dispatch bench.
#[allow(dead_code)]
mod common;

fn main() {
    divan::main();
}

#[divan::bench]
fn info_envelope() -> serde_json::Value {
    connector_sdk::info::info_envelope::<common::Bench>()
}

#[divan::bench]
fn info_envelope_as_text() -> String {
    connector_sdk::info::info_envelope::<common::Bench>().to_string()
}
