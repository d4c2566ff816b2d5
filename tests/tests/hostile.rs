//! Hostile input: deep nesting, invalid UTF-8, NUL bytes, huge values, huge or odd
//! capability names, control characters. Each must give `bad_request` (or, on the command
//! line, a usage error) or a normal answer, and never a crash or a hang: library calls run
//! under a 20-second guard, binaries are killed after 20 seconds.

mod common;

use common::*;
use connector_sdk::Connector as _;
use pretend_app::PretendApp;
use serde_json::Value;

const AUTH: &str = r#""auth": {"token": {"token": "tok-SECRET-5d41402abc4b2a76"}}"#;
const SETTINGS: &str = r#""settings": {"base_url": "https://pretend.example"}"#;

/// The library's answer, on a fresh connector, under the timeout guard.
fn library(capability: impl Into<String>, json: impl Into<String>) -> Value {
    let (capability, json) = (capability.into(), json.into());
    let out = within_timeout(move || block_on(PretendApp::default().dispatch(&capability, &json)));
    parse(&out)
}

/// The binary's answer to a request given in a file.
fn binary_with_file(capability: &str, bytes: &[u8]) -> Run {
    let dir = temp_dir();
    let file = dir.path().join("request.json");
    std::fs::write(&file, bytes).unwrap();
    common::run(command(&pretend_app(), dir.path()).args([
        capability,
        "--json-file",
        file.to_str().unwrap(),
    ]))
}

fn assert_bad_request(out: &Value) -> String {
    assert_error_code(out, "bad_request")
}

fn nested(depth: usize, open: &str, close: &str, inner: &str) -> String {
    let mut text = String::with_capacity(depth * (open.len() + close.len()) + inner.len());
    for _ in 0..depth {
        text.push_str(open);
    }
    text.push_str(inner);
    for _ in 0..depth {
        text.push_str(close);
    }
    text
}

/// Requests nested 100,000 deep, as arrays and as objects, at the top and inside
/// `request`, each with whether it must be `bad_request`. A deep value under a key that
/// is ignored (unknown keys are) may also be skipped and the call answered: serde_json
/// skips ignored values without recursing, so that is safe (the reference would refuse
/// it: its JSON parser has a recursion limit).
fn deep_requests() -> Vec<(String, bool)> {
    let depth = 100_000;
    vec![
        (nested(depth, "[", "]", ""), true),
        (nested(depth, r#"{"a":"#, "}", "1"), true),
        (
            format!(
                r#"{{{AUTH}, {SETTINGS}, "request": {}}}"#,
                nested(depth, "[", "]", "")
            ),
            true,
        ),
        (
            format!(
                r#"{{{AUTH}, {SETTINGS}, "request": {{"custom_attributes": {}}}}}"#,
                nested(depth, "[", "]", "")
            ),
            true,
        ),
        (
            format!(
                r#"{{{AUTH}, {SETTINGS}, "request": {{}}, "page": {}}}"#,
                nested(depth, r#"{"size":"#, "}", "1")
            ),
            true,
        ),
        // Unterminated.
        (format!(r#"{{"zzz": {}"#, nested(depth, "[", "", "")), true),
        // Under ignored keys.
        (
            format!(
                r#"{{{AUTH}, {SETTINGS}, "request": {{"x": {}}}}}"#,
                nested(depth, r#"{"a":"#, "}", "null")
            ),
            false,
        ),
        (
            format!(
                r#"{{{AUTH}, {SETTINGS}, "request": {{}}, "zzz": {}}}"#,
                nested(depth, "[", "]", "")
            ),
            false,
        ),
    ]
}

fn check_deep_answer(out: &Value, must_fail: bool) {
    if !must_fail && out.get("is_error").is_none() {
        assert!(out["response"].is_array(), "{out}");
        return;
    }
    let message = assert_bad_request(out);
    assert!(message.starts_with("Invalid request - "), "{message}");
    assert!(
        message.len() < 2_000,
        "a short message: {} bytes",
        message.len()
    );
}

#[test]
fn deep_nesting_is_bad_request_through_the_library() {
    for (json, must_fail) in deep_requests() {
        check_deep_answer(&library("list_accounts", json), must_fail);
    }
}

#[test]
fn deep_nesting_is_bad_request_through_the_binary() {
    for (json, must_fail) in deep_requests() {
        let run = binary_with_file("list_accounts", json.as_bytes());
        assert_eq!(run.code, 0, "{}", run.err());
        check_deep_answer(&run.json(), must_fail);
    }
}

#[test]
fn invalid_utf8_in_a_json_file_is_a_usage_error() {
    let mut bytes = format!(r#"{{{AUTH}, {SETTINGS}, "request": {{"x": ""#).into_bytes();
    bytes.extend_from_slice(&[0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80]);
    bytes.extend_from_slice(br#""}}"#);
    let run = binary_with_file("validate_credentials", &bytes);
    run.assert_usage_error();
}

#[test]
fn nul_bytes_in_strings_and_as_raw_bytes() {
    // Escaped NUL inside a string: valid JSON, an ordinary value.
    let escaped =
        format!(r#"{{{AUTH}, {SETTINGS}, "request": {{"account_id": "user-1\u0000; DROP"}}}}"#);
    let out = library("deactivate_account", escaped.clone());
    assert_error_code(&out, "not_found");
    let run = binary_with_file("deactivate_account", escaped.as_bytes());
    assert_eq!(run.code, 0);
    assert_error_code(&run.json(), "not_found");

    // A raw NUL byte inside a string, and one between tokens: not JSON.
    for raw in [
        format!("{{{AUTH}, {SETTINGS}, \"request\": {{\"account_id\": \"user-1\0\"}}}}"),
        format!("{{{AUTH}, {SETTINGS},\0 \"request\": {{}}}}"),
        format!("\0{{{AUTH}, {SETTINGS}, \"request\": {{}}}}"),
        format!("{{{AUTH}, {SETTINGS}, \"request\": {{}}}}\0"),
    ] {
        assert_bad_request(&library("deactivate_account", raw.clone()));
        let run = binary_with_file("deactivate_account", raw.as_bytes());
        assert_eq!(run.code, 0, "{}", run.err());
        assert_bad_request(&run.json());
    }
}

#[test]
fn a_20_mb_string_value() {
    let huge = "A".repeat(20 << 20);
    // In an ignored key: the call succeeds.
    let ignored = format!(r#"{{{AUTH}, {SETTINGS}, "request": {{}}, "padding": "{huge}"}}"#);
    let out = library("validate_credentials", ignored.clone());
    assert_eq!(out["response"]["valid"], true);
    let run = binary_with_file("validate_credentials", ignored.as_bytes());
    assert_eq!(run.code, 0, "{}", run.err());
    assert_eq!(run.json()["response"]["valid"], true);

    // As an account id: an ordinary not_found answer.
    let id = format!(r#"{{{AUTH}, {SETTINGS}, "request": {{"account_id": "{huge}"}}}}"#);
    assert_error_code(&library("deactivate_account", id), "not_found");
}

/// A huge value of the wrong type: `bad_request`, naming the field, without copying the
/// value into the message (which also goes into the log file and onto stdout).
#[test]
fn a_huge_value_of_the_wrong_type_is_not_echoed_into_the_message() {
    let huge = "A".repeat(20 << 20);
    let wrong = format!(r#"{{{AUTH}, {SETTINGS}, "request": {{}}, "page": {{"size": "{huge}"}}}}"#);
    let out = library("list_accounts", wrong);
    let message = assert_bad_request(&out);
    assert!(
        message.len() < 100_000,
        "the message echoes the value: {} bytes",
        message.len()
    );

    assert!(
        message.contains("page.size"),
        "{}",
        &message[..200.min(message.len())]
    );
}

#[test]
fn a_1_mb_capability_name_through_the_library() {
    let name = "x".repeat(1 << 20);
    let json = format!(r#"{{{AUTH}, {SETTINGS}, "request": {{}}}}"#);
    let out = library(name, json);
    let message = assert_error_code(&out, "unsupported_operation");
    assert!(
        message.len() < 1_000,
        "the name is shortened: {} bytes",
        message.len()
    );
    assert!(message.starts_with("Capability 'xxxx"), "{message}");
}

#[test]
fn a_huge_capability_name_through_the_binary() {
    // One argument may not exceed 128 KiB on Linux (MAX_ARG_STRLEN), so 100 KB here.
    let name = "y".repeat(100_000);
    let dir = temp_dir();
    let run = common::run(command(&pretend_app(), dir.path()).args([
        name.as_str(),
        "--json",
        r#"{"request": {}}"#,
    ]));
    assert_eq!(
        run.code,
        2,
        "{}",
        run.err().chars().take(300).collect::<String>()
    );
    assert!(run.stdout.is_empty());
    assert_eq!(run.err().matches('\n').count(), 1, "one line on stderr");
}

#[test]
fn control_characters() {
    // In a capability name: unsupported_operation, the name shown escaped.
    let json = format!(r#"{{{AUTH}, {SETTINGS}, "request": {{}}}}"#);
    let out = library("list_accounts\u{0}\u{1b}[2J\n", json.clone());
    let message = assert_error_code(&out, "unsupported_operation");
    assert!(
        !message.chars().any(|c| c.is_control()),
        "control characters are escaped: {message:?}"
    );

    // Raw control characters inside JSON strings are not JSON.
    for c in ['\u{1}', '\u{7}', '\u{1b}', '\u{1f}', '\n', '\t'] {
        let raw = format!(r#"{{{AUTH}, {SETTINGS}, "request": {{"account_id": "a{c}b"}}}}"#);
        assert_bad_request(&library("deactivate_account", raw.clone()));
        let dir = temp_dir();
        let run = common::run(command(&pretend_app(), dir.path()).args([
            "deactivate_account",
            "--json",
            &raw,
        ]));
        assert_eq!(run.code, 0, "{c:?}: {}", run.err());
        assert_bad_request(&run.json());
    }

    // Escaped control characters are ordinary values, and come back escaped.
    let escaped = format!(r#"{{{AUTH}, {SETTINGS}, "request": {{"account_id": "a\u001b[31mb"}}}}"#);
    let dir = temp_dir();
    let run = common::run(command(&pretend_app(), dir.path()).args([
        "deactivate_account",
        "--json",
        &escaped,
    ]));
    assert_eq!(run.code, 0);
    assert!(
        !run.out().contains('\u{1b}'),
        "stdout holds a raw escape: {:?}",
        run.out()
    );
    assert_error_code(&run.json(), "not_found");

    // A capability name with control characters on the command line: a usage error.
    let run = common::run(command(&pretend_app(), dir.path()).args([
        "list_accounts\u{1b}[2J",
        "--json",
        &json,
    ]));
    assert_eq!(run.code, 2);
    assert!(run.stdout.is_empty());
}

#[test]
fn many_keys_and_long_arrays_still_answer() {
    let keys: Vec<String> = (0..200_000).map(|n| format!(r#""k{n}": {n}"#)).collect();
    let json = format!(
        r#"{{{AUTH}, {SETTINGS}, "request": {{{}}}}}"#,
        keys.join(",")
    );
    assert_eq!(
        library("validate_credentials", json)["response"]["valid"],
        true
    );
    let ids: Vec<String> = (0..100_000).map(|n| format!(r#""user-{n}""#)).collect();
    let json = format!(
        r#"{{{AUTH}, {SETTINGS}, "request": {{"account_ids": [{}]}}}}"#,
        ids.join(",")
    );
    assert_error_code(&library("get_last_activity", json), "not_found");
    // A duplicated key is refused, naming the key (the reference keeps the last one).
    let dup = format!(r#"{{{AUTH}, {SETTINGS}, "request": {{}}, "request": {{}}}}"#);
    let out = library("validate_credentials", dup);
    let message = assert_error_code(&out, "bad_request");
    assert!(message.contains("duplicate field `request`"), "{message}");
}
