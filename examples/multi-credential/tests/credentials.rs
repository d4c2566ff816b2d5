//! The multi-credential checks, through the library entry.

use connector_sdk::Connector;
use multi_credential::Directory;
use serde_json::{Value, json};

async fn call(capability: &str, request: Value) -> Value {
    serde_json::from_str(
        &Directory::default()
            .dispatch(capability, &request.to_string())
            .await,
    )
    .unwrap()
}

fn token() -> Value {
    json!({"id": "api_token", "token": {"token": "t"}})
}

fn admin() -> Value {
    json!({"id": "admin", "basic": {"username": "root", "password": "pw"}})
}

fn error_of(out: &Value) -> (&str, &str) {
    (
        out["error"]["error_code"].as_str().unwrap(),
        out["error"]["message"].as_str().unwrap(),
    )
}

#[tokio::test]
async fn a_token_alone_lists_accounts() {
    let out = call(
        "list_accounts",
        json!({"credentials": [token()], "request": {}}),
    )
    .await;
    assert_eq!(out["response"].as_array().unwrap().len(), 3, "{out}");
}

#[tokio::test]
async fn the_reference_s_credential_errors() {
    let cases = [
        (
            json!({"credentials": [], "request": {}}),
            "Missing credentials in request",
        ),
        (
            json!({"credentials": [{"token": {"token": "t"}}], "request": {}}),
            "Missing ID in credential at index 0",
        ),
        (
            json!({"credentials": [{"id": "nope", "token": {"token": "t"}}], "request": {}}),
            "Credential with id 'nope' not expected",
        ),
        (
            json!({"credentials": [admin()], "request": {}}),
            "Missing 'api_token' credential in request",
        ),
        (
            json!({"credentials": [{"id": "api_token", "basic": {"username": "u", "password": "p"}}], "request": {}}),
            "Credential with id 'api_token' must carry a 'token' credential",
        ),
        (
            json!({"request": {}}),
            "Missing auth/credentials in request",
        ),
        (
            json!({"credentials": [token()], "auth": {"token": {"token": "t"}}, "request": {}}),
            "Cannot pass credentials and auth in the same request, if you've meant to make this connector multi-auth compatible, please remove the auth field.",
        ),
    ];
    for (request, message) in cases {
        let out = call("list_accounts", request).await;
        assert_eq!(error_of(&out), ("bad_request", message));
    }
}

#[tokio::test]
async fn a_malformed_credential_is_bad_request() {
    let out = call(
        "list_accounts",
        json!({"credentials": [{"id": "api_token", "token": {"token": 5}}], "request": {}}),
    )
    .await;
    assert_eq!(error_of(&out).0, "bad_request");
}

#[tokio::test]
async fn the_legacy_auth_form_is_accepted() {
    let out = call(
        "validate_credentials",
        json!({"auth": {"token": {"token": "t"}}, "request": {}}),
    )
    .await;
    assert_eq!(out["response"]["valid"], true, "{out}");
}

#[tokio::test]
async fn writes_need_the_optional_admin_credential() {
    let without = call(
        "create_account",
        json!({"credentials": [token()], "request": {"username": "new"}}),
    )
    .await;
    assert_eq!(error_of(&without).0, "integration_missing_parameter");
    let with = call(
        "create_account",
        json!({"credentials": [token(), admin()], "request": {"username": "new"}}),
    )
    .await;
    assert_eq!(with["response"]["id"], "new", "{with}");
}

#[tokio::test]
async fn validate_credential_config_is_generated() {
    let ok = call(
        "validate_credential_config",
        json!({"request": {"credential": token()}}),
    )
    .await;
    assert_eq!(
        ok["response"],
        json!({"valid": true, "validation_errors": []})
    );
    let spaced = call(
        "validate_credential_config",
        json!({"request": {"credential": {"id": "api_token", "token": {"token": " t "}}}}),
    )
    .await;
    assert_eq!(spaced["response"]["valid"], false);
    let unknown = call(
        "validate_credential_config",
        json!({"request": {"credential": {"id": "x", "token": {"token": "t"}}}}),
    )
    .await;
    assert_eq!(
        error_of(&unknown),
        ("invalid_value", "Missing credential configuration for ID x")
    );
}

#[test]
fn info_describes_both_credentials() {
    let info = serde_json::to_value(connector_sdk::info::info::<Directory>()).unwrap();
    assert_eq!(info["authentication_schema"], json!({}));
    let credentials = info["credentials_schema"].as_array().unwrap();
    assert_eq!(credentials.len(), 2);
    assert_eq!(credentials[0]["id"], "api_token");
    assert_eq!(credentials[0]["x-credential-type"], "token");
    assert_eq!(credentials[0]["x-optional"], false);
    assert_eq!(credentials[1]["x-optional"], true);
    assert_eq!(
        credentials[1]["field_order"],
        json!(["username", "password"])
    );
    assert!(
        info["capabilities"]
            .as_array()
            .unwrap()
            .contains(&json!("validate_credential_config"))
    );
}
