//! The OAuth twins against the reference's recorded runs (`oauth_*` in
//! `connector-sdk/tests/data/`): `info` equal whatever the key order, and the token
//! flows answering as recorded (the token endpoint here is a wiremock server answering
//! what the reference's stub answered).

mod common;

use std::path::Path;

use common::*;
use connector_sdk::Connector;
use connector_sdk_tests::demo_oauth::{DemoOAuth, DemoOAuthCc};
use serde_json::{Value, json};
use wiremock::matchers::{body_string, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn fixture(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../connector-sdk/tests/data")
        .join(format!("{name}.json"));
    parse(&std::fs::read_to_string(path).unwrap())
}

#[test]
fn oauth_info_is_the_references() {
    let recorded = fixture("oauth_cli_info");
    let info = connector_sdk::info::info_envelope::<DemoOAuth>();
    assert_equal_json_any_order(&info, &recorded["stdout_json"]);
}

/// The recorded run `name` through dispatch of `connector`, with a token endpoint at the
/// recorded address answering as the reference's stub did.
async fn replay<C: Connector>(server: &MockServer, connector: &C, name: &str) {
    let recorded = fixture(name);
    server.reset().await;
    let stub = &recorded["upstream_requests_seen_by_stub_token_endpoint"][0];
    Mock::given(method(stub["method"].as_str().unwrap()))
        .and(path("/token"))
        .and(body_string(stub["body"].as_str().unwrap()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "at-123", "refresh_token": "rt-456", "token_type": "Bearer", "expires_in": 3600
        })))
        .expect(1)
        .mount(server)
        .await;
    let input = recorded["input_json"].clone();
    let capability = recorded["argv"][1].as_str().unwrap();
    let out: Value =
        serde_json::from_str(&connector.dispatch(capability, &input.to_string()).await).unwrap();
    assert_eq!(out, recorded["stdout_json"], "{name}");
}

#[tokio::test(flavor = "multi_thread")]
async fn oauth_token_flows_answer_as_recorded() {
    // The twins' token endpoint is the recorded one, on a fixed loopback port.
    let listener = std::net::TcpListener::bind("127.0.0.1:43281").expect("port 43281 is free");
    let server = MockServer::builder().listener(listener).start().await;
    replay(&server, &DemoOAuth, "oauth_handle_authorization_callback").await;
    replay(&server, &DemoOAuth, "oauth_refresh_access_token").await;
    replay(
        &server,
        &DemoOAuthCc,
        "oauth_cc_handle_client_credentials_request",
    )
    .await;
}

/// The document `app_info` of connector `C` answers.
async fn app_info<C: Connector + Default>() -> Value {
    let input = json!({"request": {}, "settings": {"base_url": "https://demo.example.com"}});
    let out = C::default().dispatch("app_info", &input.to_string()).await;
    serde_json::from_str(&out).unwrap()
}

fn reference(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../connector-sdk/tests/data/oauth_reference")
        .join(format!("{name}.json"));
    parse(&std::fs::read_to_string(path).unwrap())
}

#[tokio::test]
async fn oauth_app_info_is_the_references() {
    assert_equal_json_any_order(
        &app_info::<DemoOAuth>().await,
        &reference("demo_app_oauth_app_info"),
    );
}

#[tokio::test]
async fn client_credentials_app_info_is_the_references() {
    assert_equal_json_any_order(
        &app_info::<DemoOAuthCc>().await,
        &reference("demo_app_oauth_cc_app_info"),
    );
}

#[test]
fn client_credentials_info_is_the_references() {
    let info = connector_sdk::info::info_envelope::<DemoOAuthCc>();
    assert_equal_json_any_order(&info, &reference("demo_app_oauth_cc_info"));
}
