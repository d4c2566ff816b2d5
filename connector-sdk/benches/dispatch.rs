//! Dispatch overhead: `dispatch(capability, json)` on the bench connector against a bare
//! program doing the least the same answer needs (parse the envelope into typed structs,
//! build the payload, serialise the same envelope), for a tiny answer and for a page of
//! 1,000 accounts.
//!
//! `cargo bench -p connector-sdk --bench dispatch`

mod common;

use common::{Bench, envelope};
use connector_sdk::Connector;
use connector_sdk::prelude::*;
use serde::{Deserialize, Serialize};

fn main() {
    divan::main();
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a current-thread runtime")
}

/// What the bare program reads of an envelope.
#[derive(Deserialize)]
struct BareRequest {
    auth: BareAuth,
    settings: common::BenchSettings,
    #[allow(dead_code)]
    request: serde_json::Map<String, serde_json::Value>,
    page: Option<BarePage>,
}

#[derive(Deserialize)]
struct BareAuth {
    token: BareToken,
}

#[derive(Deserialize)]
struct BareToken {
    token: String,
}

#[derive(Deserialize)]
struct BarePage {
    size: Option<u32>,
}

/// The success envelope the bare program writes.
#[derive(Serialize)]
struct BareResponse<T> {
    response: T,
    raw_data: Option<()>,
    page: Option<()>,
    rate_limit: Option<()>,
    execution_summary: Option<()>,
}

impl<T> BareResponse<T> {
    fn new(response: T) -> Self {
        BareResponse {
            response,
            raw_data: None,
            page: None,
            rate_limit: None,
            execution_summary: None,
        }
    }
}

#[divan::bench]
fn validate_credentials_dispatch(bencher: divan::Bencher) {
    let connector = Bench::with_accounts(0);
    let json = envelope("null");
    let rt = runtime();
    bencher.bench_local(|| rt.block_on(connector.dispatch("validate_credentials", &json)));
}

#[divan::bench]
fn validate_credentials_bare(bencher: divan::Bencher) {
    let json = envelope("null");
    bencher.bench_local(|| {
        let request: BareRequest = serde_json::from_str(&json).expect("a valid envelope");
        divan::black_box(&request.auth.token.token);
        serde_json::to_string(&BareResponse::new(ValidatedCredentials {
            valid: true,
            unique_tenant_id: request.settings.base_url,
        }))
        .expect("serialisable")
    });
}

const PAGE: usize = 1_000;

#[divan::bench]
fn list_1000_accounts_dispatch(bencher: divan::Bencher) {
    let connector = Bench::with_accounts(PAGE);
    let json = envelope(&format!(r#"{{"size":{PAGE}}}"#));
    let rt = runtime();
    let answer = rt.block_on(connector.dispatch("list_accounts", &json));
    assert!(answer.ends_with(r#""page":null,"rate_limit":null,"execution_summary":null}"#));
    bencher.bench_local(|| rt.block_on(connector.dispatch("list_accounts", &json)));
}

#[divan::bench]
fn list_1000_accounts_bare(bencher: divan::Bencher) {
    let accounts = common::accounts(PAGE);
    let json = envelope(&format!(r#"{{"size":{PAGE}}}"#));
    bencher.bench_local(|| {
        let request: BareRequest = serde_json::from_str(&json).expect("a valid envelope");
        divan::black_box(&request.auth.token.token);
        let size = request.page.and_then(|page| page.size).unwrap_or(100) as usize;
        let page: Vec<FoundAccountData> = accounts[..size.min(accounts.len())].to_vec();
        serde_json::to_string(&BareResponse::new(page)).expect("serialisable")
    });
}
