//! Every dispatch error path, through the library entry (`PretendApp::default().dispatch`)
//! AND through the built `pretend-app` binary (`pretend-app <cap> --json <envelope>`),
//! which must print exactly what the library returns plus a newline, with exit 0.
//! Also: a panic inside a capability (the `hazard-app` connector of this crate) becomes an
//! `internal_error` with the runtime's fixed message, and its secret text reaches neither
//! stdout, stderr nor the log file.

mod common;

use common::*;
use connector_sdk::Connector as _;
use connector_sdk::PANIC_MESSAGE;
use connector_sdk_tests::hazard::{HazardApp, PANIC_SECRET};
use pretend_app::PretendApp;
use serde_json::{Value, json};

const AUTH: &str = r#""auth": {"token": {"token": "tok-SECRET-5d41402abc4b2a76"}}"#;
const SETTINGS: &str = r#""settings": {"base_url": "https://pretend.example"}"#;

/// An envelope with the good token and settings plus `rest`.
fn envelope(rest: &str) -> String {
    format!("{{{AUTH}, {SETTINGS}, {rest}}}")
}

/// The library's answer.
fn library(capability: &str, json: &str) -> String {
    block_on(PretendApp::default().dispatch(capability, json))
}

/// The binary's answer, checked to be the library's plus a newline with exit 0.
fn both(capability: &str, json: &str) -> Value {
    let from_library = library(capability, json);
    let dir = temp_dir();
    let run = common::run(command(&pretend_app(), dir.path()).args([capability, "--json", json]));
    assert_eq!(run.code, 0, "exit code; stderr: {}", run.err());
    assert_eq!(
        run.out(),
        format!("{from_library}\n"),
        "CLI output = library output"
    );
    assert_eq!(run.err(), "", "stderr");
    parse(&from_library)
}

/// Asserts a pre-execution error: the code, no raised_by/raised_in/status_code, and the
/// metadata of the code; returns the message.
fn assert_pre_execution_error(envelope: &Value, code: &str) -> String {
    let message = assert_error_code(envelope, code);
    let error = error_of(envelope);
    assert_eq!(error["app_id"], "pretend_app");
    assert_eq!(error["raised_by"], Value::Null, "{envelope}");
    assert_eq!(error["raised_in"], Value::Null, "{envelope}");
    assert_eq!(error["status_code"], Value::Null, "{envelope}");
    assert_eq!(error["app_error_code"], Value::Null, "{envelope}");
    message
}

fn assert_bad_request(capability: &str, json: &str) -> String {
    let out = both(capability, json);
    let message = assert_pre_execution_error(&out, "bad_request");
    assert_eq!(
        out["error"]["error_metadata"],
        json!({"fault": "caller", "category": "client", "hint": null, "retryable": false, "throttled": false, "refreshable": false, "retry_after_seconds": null})
    );
    assert!(!message.contains(TOKEN), "the token leaked: {message}");
    message
}

#[test]
fn unknown_capability_is_unsupported_operation() {
    // Through the library only: the CLI rejects an unknown capability as a usage error
    // before dispatching (see tests/cli.rs).
    for name in ["nope", "info", "List_Accounts", "list_accounts ", ""] {
        let out = parse(&library(name, &envelope(r#""request": {}"#)));
        let message = assert_pre_execution_error(&out, "unsupported_operation");
        assert_eq!(message, format!("Capability '{name}' is not implemented."));
    }
}

#[test]
fn malformed_json_is_bad_request() {
    for json in [
        "{",
        r#"{"request": }"#,
        "{'request': {}}",
        r#"{"request": {}} trailing"#,
        r#"{"request": {},}"#,
        "",
        "   ",
    ] {
        if json.trim().is_empty() {
            // The CLI refuses an empty --json as a usage error; the library answers.
            let out = parse(&library("validate_credentials", json));
            assert!(
                assert_pre_execution_error(&out, "bad_request").starts_with("Invalid request - ")
            );
            continue;
        }
        let message = assert_bad_request("validate_credentials", json);
        assert!(
            message.starts_with("Invalid request - "),
            "{json}: {message}"
        );
    }
}

#[test]
fn json_that_is_not_an_object_is_bad_request() {
    for json in ["[]", r#""request""#, "42", "null", "true", "1.5"] {
        let message = assert_bad_request("validate_credentials", json);
        assert!(
            message.starts_with("Invalid request - "),
            "{json}: {message}"
        );
    }
}

/// The reference (pydantic) accepts only JSON objects for the envelope and for every
/// model inside it; serde's derived `Deserialize` also accepts an array, read
/// positionally, so `[{}, {"token": {...}}, null, {...}]` would be a valid envelope and
/// `"request": ["user-1"]` a valid `DeactivateAccount`.
#[test]
fn an_array_is_neither_an_envelope_nor_a_payload() {
    let positional = r#"[{}, {"token": {"token": "tok-SECRET-5d41402abc4b2a76"}}, null, {"base_url": "https://pretend.example"}]"#;
    let message = assert_bad_request("validate_credentials", positional);
    assert!(message.starts_with("Invalid request - "), "{message}");
    let message = assert_bad_request("validate_credentials", r#"[{"request": {}}]"#);
    assert!(message.starts_with("Invalid request - "), "{message}");
    let message = assert_bad_request("deactivate_account", &envelope(r#""request": ["user-1"]"#));
    assert!(message.contains("request"), "{message}");
    let json = r#"{"auth": {"token": ["tok-SECRET-5d41402abc4b2a76"]}, "settings": {"base_url": "https://pretend.example"}, "request": {}}"#;
    let message = assert_bad_request("validate_credentials", json);
    assert!(message.contains("auth"), "{message}");
}

#[test]
fn missing_request_key_is_bad_request() {
    let message = assert_bad_request("validate_credentials", &format!("{{{AUTH}, {SETTINGS}}}"));
    assert!(message.starts_with("Invalid request - "), "{message}");
    assert!(message.contains("request"), "{message}");
    let message = assert_bad_request("list_accounts", &envelope(r#""request": null"#));
    assert!(message.contains("request"), "{message}");
}

#[test]
fn wrong_field_type_names_the_field_path() {
    let message = assert_bad_request(
        "deactivate_account",
        &envelope(r#""request": {"account_id": 42}"#),
    );
    assert!(message.contains("request.account_id"), "{message}");
    let message = assert_bad_request(
        "get_last_activity",
        &envelope(r#""request": {"account_ids": ["user-1", 7]}"#),
    );
    assert!(message.contains("request.account_ids"), "{message}");
    let message = assert_bad_request(
        "list_resources",
        &envelope(r#""request": {}, "include_raw_data": "yes""#),
    );
    assert!(message.contains("include_raw_data"), "{message}");
}

#[test]
fn page_size_as_a_string_is_bad_request() {
    let message = assert_bad_request(
        "list_accounts",
        &envelope(r#""request": {}, "page": {"size": "2"}"#),
    );
    assert!(message.contains("page.size"), "{message}");
    let message = assert_bad_request(
        "list_accounts",
        &envelope(r#""request": {}, "page": {"token": 5}"#),
    );
    assert!(message.contains("page.token"), "{message}");
}

#[test]
fn unknown_keys_are_ignored_at_every_level() {
    let json = r#"{"auth": {"token": {"token": "tok-SECRET-5d41402abc4b2a76", "extra": 1}, "zz": true}, "settings": {"base_url": "https://pretend.example", "region": "eu"}, "request": {"unexpected": [1, 2]}, "page": {"size": 1, "cursor": "x"}, "something_else": {"a": null}}"#;
    let out = both("validate_credentials", json);
    assert_eq!(out["response"]["valid"], true);
    let out = both("list_accounts", json);
    assert_eq!(out["response"].as_array().unwrap().len(), 1);
}

#[test]
fn missing_auth_is_bad_request() {
    for json in [
        format!(r#"{{{SETTINGS}, "request": {{}}}}"#),
        format!(r#"{{"auth": null, {SETTINGS}, "request": {{}}}}"#),
        // Auth is checked before settings, as the reference does.
        r#"{"request": {}}"#.to_owned(),
    ] {
        let message = assert_bad_request("validate_credentials", &json);
        assert_eq!(message, "Missing auth/credentials in request");
    }
}

#[test]
fn auth_and_credentials_together_are_bad_request() {
    let json = format!(
        r#"{{{AUTH}, "credentials": [{{"id": "x", "token": {{"token": "t"}}}}], {SETTINGS}, "request": {{}}}}"#
    );
    assert_eq!(
        assert_bad_request("validate_credentials", &json),
        "Cannot pass credentials and auth in the same request, if you've meant to make this connector multi-auth compatible, please remove the auth field."
    );
}

#[test]
fn wrong_credential_type_is_bad_request() {
    let json = format!(
        r#"{{"auth": {{"basic": {{"username": "u", "password": "p4ssw0rd-SECRET"}}}}, {SETTINGS}, "request": {{}}}}"#
    );
    let message = assert_bad_request("validate_credentials", &json);
    assert_eq!(message, "Missing 'token' auth in request");
    let json = format!(r#"{{"auth": {{}}, {SETTINGS}, "request": {{}}}}"#);
    assert_eq!(
        assert_bad_request("list_accounts", &json),
        "Missing 'token' auth in request"
    );
}

#[test]
fn malformed_auth_is_bad_request_without_the_secret() {
    for auth in [
        r#"{"token": {}}"#,
        r#"{"token": {"tok": "x"}}"#,
        r#"{"token": "tok-SECRET-5d41402abc4b2a76"}"#,
        r#"{"token": {"token": 987654321}}"#,
        r#""tok-SECRET-5d41402abc4b2a76""#,
        r#"[{"token": {"token": "tok-SECRET-5d41402abc4b2a76"}}]"#,
    ] {
        let json = format!(r#"{{"auth": {auth}, {SETTINGS}, "request": {{}}}}"#);
        let message = assert_bad_request("validate_credentials", &json);
        assert!(
            message.starts_with("Invalid request - "),
            "{auth}: {message}"
        );
        assert!(message.contains("auth"), "{auth}: {message}");
        assert!(!message.contains("987654321"), "{auth}: {message}");
    }
}

#[test]
fn missing_settings_is_bad_request() {
    for settings in ["", r#""settings": null, "#] {
        let json = format!(r#"{{{AUTH}, {settings}"request": {{}}}}"#);
        assert_eq!(
            assert_bad_request("validate_credentials", &json),
            "No settings passed on request: pretend_app requires PretendAppSettings"
        );
    }
}

#[test]
fn settings_missing_a_required_field_names_its_title() {
    let json = format!(r#"{{{AUTH}, "settings": {{"region": "eu"}}, "request": {{}}}}"#);
    assert_eq!(
        assert_bad_request("validate_credentials", &json),
        "Invalid settings passed on request. Missing required settings: Base URL"
    );
}

#[test]
fn settings_of_the_wrong_type_are_bad_request() {
    for settings in [
        r#"{"base_url": 31337}"#,
        r#"{"base_url": ["x"]}"#,
        r#"{"base_url": null}"#,
    ] {
        let json = format!(r#"{{{AUTH}, "settings": {settings}, "request": {{}}}}"#);
        let message = assert_bad_request("validate_credentials", &json);
        assert!(
            message.starts_with("Invalid settings passed on request."),
            "{message}"
        );
        assert!(
            !message.contains("31337"),
            "a settings value leaked: {message}"
        );
    }
    // Settings that are not an object fail the envelope itself.
    let json = format!(r#"{{{AUTH}, "settings": "https://pretend.example", "request": {{}}}}"#);
    let message = assert_bad_request("validate_credentials", &json);
    assert!(message.contains("settings"), "{message}");
}

/// A first page of `capability` at `size`, and its next-page token.
fn first_page_token(capability: &str, size: u32) -> String {
    let out = parse(&library(
        capability,
        &envelope(&format!(r#""request": {{}}, "page": {{"size": {size}}}"#)),
    ));
    out["page"]["token"]
        .as_str()
        .expect("a next page")
        .to_owned()
}

#[test]
fn bad_page_tokens_are_invalid_page_token() {
    let ours = first_page_token("list_accounts", 2);
    let from_entitlements = first_page_token("list_entitlements", 1);
    let truncated = ours[..ours.len() - 3].to_owned();
    let mut flipped = ours.clone().into_bytes();
    let middle = flipped.len() / 2;
    flipped[middle] = if flipped[middle] == b'A' { b'B' } else { b'A' };
    let flipped = String::from_utf8(flipped).unwrap();
    for token in [
        "garbage!!",
        "",
        // The reference's msgpack-hex token for the same position.
        "9182a8656e64706f696e74a62f7573657273a66f666673657402",
        &from_entitlements,
        &truncated,
        &flipped,
        "1.e30.00000000",
    ] {
        let json = envelope(&format!(
            r#""request": {{}}, "page": {{"token": {}, "size": 2}}"#,
            Value::String(token.to_owned())
        ));
        let out = both("list_accounts", &json);
        if token.is_empty() && out.get("is_error").is_none() {
            // An empty token may be taken as none: then it is the first page.
            assert_eq!(out["response"][0]["integration_specific_id"], "user-1");
            continue;
        }
        assert_error_code(&out, "invalid_page_token");
        assert_eq!(out["error"]["error_metadata"]["fault"], "caller");
    }
    // Our own token still works, on its own capability.
    let json = envelope(&format!(
        r#""request": {{}}, "page": {{"token": "{ours}", "size": 2}}"#
    ));
    let out = both("list_accounts", &json);
    assert_eq!(out["response"][0]["integration_specific_id"], "user-3");
}

#[test]
fn the_order_of_checks_is_the_references() {
    // Envelope shape first: a missing request wins over missing auth and settings.
    let message = assert_bad_request("validate_credentials", "{}");
    assert!(message.starts_with("Invalid request - "), "{message}");
    // Then auth: missing auth wins over missing settings.
    assert_eq!(
        assert_bad_request("validate_credentials", r#"{"request": {}}"#),
        "Missing auth/credentials in request"
    );
    // Then settings, before the capability (which would reject `bad-token`).
    let json = r#"{"auth": {"token": {"token": "bad-token"}}, "request": {}}"#;
    assert!(assert_bad_request("validate_credentials", json).starts_with("No settings passed"));
}

#[test]
fn custom_capabilities_require_the_settings_key() {
    // As the reference's CustomRequest: `settings` is a required key (null accepted by the
    // schema, then refused by the settings check).
    let message = assert_bad_request("count_accounts", &format!(r#"{{{AUTH}, "request": {{}}}}"#));
    assert!(message.contains("settings"), "{message}");
}

// ---- panics ---------------------------------------------------------------------------

const HAZARD_ENVELOPE: &str = r#"{"auth": {"token": {"token": "tok-SECRET-5d41402abc4b2a76"}}, "settings": {}, "request": {}}"#;

fn assert_panic_envelope(text: &str) {
    let out = parse(text.trim_end());
    assert_eq!(assert_error_code(&out, "internal_error"), PANIC_MESSAGE);
    assert_eq!(out["error"]["app_id"], "hazard_app");
    assert_eq!(out["error"]["error_metadata"]["retryable"], true);
    assert!(
        !text.contains(PANIC_SECRET) && !text.contains(TOKEN),
        "{text}"
    );
}

#[test]
fn a_panic_through_the_library_is_internal_error_with_the_fixed_message() {
    let out =
        within_timeout(|| block_on(HazardApp.dispatch("validate_credentials", HAZARD_ENVELOPE)));
    assert_panic_envelope(&out);
    // The runtime still works after a panic.
    let again =
        within_timeout(|| block_on(HazardApp.dispatch("validate_credentials", HAZARD_ENVELOPE)));
    assert_panic_envelope(&again);
}

#[test]
fn a_panic_through_the_cli_leaks_nothing() {
    let dir = temp_dir();
    let run = common::run(
        command(&hazard_app(), dir.path())
            .env("LUMOS_LOG_LEVEL", "DEBUG")
            .args(["validate_credentials", "--json", HAZARD_ENVELOPE]),
    );
    assert_eq!(run.code, 0, "a capability's failure is exit 0");
    assert_panic_envelope(&run.out());
    let stderr = run.err();
    assert!(
        !stderr.contains(PANIC_SECRET) && !stderr.contains(TOKEN),
        "stderr: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "stderr: {stderr}");
    let logs = files_under(dir.path());
    assert!(!logs.is_empty(), "a log file is written under ./logs");
    for (path, text) in logs {
        assert!(
            !text.contains(PANIC_SECRET) && !text.contains(TOKEN),
            "{} holds the secret:\n{text}",
            path.display()
        );
    }
}

/// A process that uses the library entry directly (no CLI, so no panic hook installed by
/// the CLI) must not print the panic's secret either: `dispatch` promises a panic becomes
/// an error envelope, and the panic text may hold a secret.
#[test]
fn a_panic_through_the_library_prints_no_secret_on_stderr() {
    let dir = temp_dir();
    let run = common::run(
        command(&hazard_app(), dir.path())
            .env("HAZARD_LIBRARY_MODE", "1")
            .env("RUST_BACKTRACE", "0")
            .args(["validate_credentials", HAZARD_ENVELOPE]),
    );
    assert_eq!(run.code, 0);
    assert_panic_envelope(&run.out());
    let stderr = run.err();
    assert!(
        !stderr.contains(PANIC_SECRET) && !stderr.contains(TOKEN),
        "the panic message (with its secret) reached stderr: {stderr}"
    );
}
