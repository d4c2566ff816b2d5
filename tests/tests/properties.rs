//! Property tests (proptest): any envelope text, any hostile number in an envelope, any
//! capability name gives one JSON envelope and never a panic; page tokens round-trip and
//! any string decodes to a cursor or `invalid_page_token`.

mod common;

use common::block_on;
use connector_sdk::Connector as _;
use connector_sdk::page::{decode_token, encode_token};
use pretend_app::PretendApp;
use proptest::prelude::*;
use serde_json::Value;

const AUTH: &str = r#""auth": {"token": {"token": "tok-SECRET-5d41402abc4b2a76"}}"#;
const SETTINGS: &str = r#""settings": {"base_url": "https://pretend.example"}"#;

/// The library's answer, checked to be one JSON object that is a success or an error
/// envelope.
fn answer(capability: &str, json: &str) -> Value {
    let out = block_on(PretendApp::default().dispatch(capability, json));
    let value: Value = serde_json::from_str(&out).expect("the answer is JSON");
    assert!(
        value.get("response").is_some() || value["is_error"] == true,
        "neither a response nor an error: {out}"
    );
    value
}

/// A number as JSON text: integers of any size and sign, floats, exponents.
fn hostile_number() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        any::<u64>().prop_map(|n| n.to_string()),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| format!("{f:e}")),
        "-?[1-9][0-9]{19,40}",
        Just("1e308".to_owned()),
        Just("-0".to_owned()),
    ]
}

#[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
struct Cursor {
    offset: u64,
    name: String,
    seen: Vec<i64>,
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_text_is_answered_with_an_envelope(text in any::<String>()) {
        answer("list_accounts", &text);
    }

    #[test]
    fn any_capability_name_is_answered_with_an_envelope(name in any::<String>()) {
        answer(&name, &format!(r#"{{{AUTH}, {SETTINGS}, "request": {{}}}}"#));
    }

    #[test]
    fn hostile_numbers_are_answered_with_an_envelope(
        n in hostile_number(),
        place in 0usize..5,
    ) {
        let rest = match place {
            0 => format!(r#""rate_limit": {{"max_execution_time": {n}}}"#),
            1 => format!(r#""page": {{"size": {n}}}"#),
            2 => format!(r#""rate_limit": {{"caller_retry_attempt": {n}}}"#),
            3 => format!(
                r#""rate_limit": {{"last_known_state": {{"c": {{"remaining": {n}, "reset": {n}, "current_delay": {n}}}}}}}"#
            ),
            _ => format!(r#""page": {{"token": "1.{n}.00000000", "size": {n}}}"#),
        };
        answer(
            "list_accounts",
            &format!(r#"{{{AUTH}, {SETTINGS}, "request": {{}}, {rest}}}"#),
        );
    }

    #[test]
    fn page_tokens_round_trip(offset in any::<u64>(), name in any::<String>(), seen in proptest::collection::vec(any::<i64>(), 0..8)) {
        let cursor = Cursor { offset, name, seen };
        let token = encode_token("list_accounts", &cursor).unwrap();
        prop_assert_eq!(decode_token::<Cursor>("list_accounts", &token).unwrap(), cursor);
        prop_assert!(decode_token::<Cursor>("list_entitlements", &token).is_err());
    }

    #[test]
    fn any_token_decodes_or_is_invalid_page_token(token in any::<String>()) {
        if let Err(err) = decode_token::<Cursor>("list_accounts", &token) {
            prop_assert_eq!(err.code(), connector_sdk::error::ErrorCode::InvalidPageToken);
        }
    }
}
