//! Fuzz target: any string decodes to a cursor or `invalid_page_token`, and a decoded
//! cursor encodes back to a token that decodes to the same cursor.
#![no_main]

use connector_sdk::error::ErrorCode;
use connector_sdk::page::{decode_token, encode_token};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|token: &str| {
    match decode_token::<serde_json::Value>("list_accounts", token) {
        Ok(cursor) => {
            let again = encode_token("list_accounts", &cursor).expect("encodes");
            assert_eq!(decode_token::<serde_json::Value>("list_accounts", &again).ok(), Some(cursor));
        }
        Err(err) => assert_eq!(err.code(), ErrorCode::InvalidPageToken),
    }
});
