//! Page-token encoding and decoding: a small integer cursor and a struct cursor as the
//! demo twin's (`{endpoint, offset}`).
//!
//! `cargo bench -p connector-sdk --bench page_token`

use connector_sdk::page::{decode_token, encode_token};
use serde::{Deserialize, Serialize};

fn main() {
    divan::main();
}

/// A cursor shaped as the demo twin's.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Cursor {
    endpoint: Option<String>,
    offset: usize,
}

fn cursor() -> Cursor {
    Cursor {
        endpoint: Some("/users".to_owned()),
        offset: 40_000,
    }
}

#[divan::bench]
fn encode_integer() -> String {
    encode_token("list_accounts", divan::black_box(&40_000usize)).expect("encodable")
}

#[divan::bench]
fn decode_integer(bencher: divan::Bencher) {
    let token = encode_token("list_accounts", &40_000usize).expect("encodable");
    bencher.bench(|| decode_token::<usize>("list_accounts", divan::black_box(&token)));
}

#[divan::bench]
fn encode_struct(bencher: divan::Bencher) {
    let cursor = cursor();
    bencher.bench(|| encode_token("list_accounts", divan::black_box(&cursor)));
}

#[divan::bench]
fn decode_struct(bencher: divan::Bencher) {
    let token = encode_token("list_accounts", &cursor()).expect("encodable");
    assert_eq!(
        decode_token::<Cursor>("list_accounts", &token).ok(),
        Some(cursor())
    );
    bencher.bench(|| decode_token::<Cursor>("list_accounts", divan::black_box(&token)));
}
