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

/// The recorded run `name` through dispatch of `connector`, its settings pointed at a
/// local token endpoint answering as the reference's stub did.
async fn replay<C: Connector>(connector: &C, name: &str) {
    let recorded = fixture(name);
    let server = MockServer::start().await;
    let stub = &recorded["upstream_requests_seen_by_stub_token_endpoint"][0];
    Mock::given(method(stub["method"].as_str().unwrap()))
        .and(path("/token"))
        .and(body_string(stub["body"].as_str().unwrap()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "at-123", "refresh_token": "rt-456", "token_type": "Bearer", "expires_in": 3600
        })))
        .expect(1)
        .mount(&server)
        .await;
    let mut input = recorded["input_json"].clone();
    input["settings"]["base_url"] = json!(server.uri());
    let capability = recorded["argv"][1].as_str().unwrap();
    let out: Value =
        serde_json::from_str(&connector.dispatch(capability, &input.to_string()).await).unwrap();
    assert_eq!(out, recorded["stdout_json"], "{name}");
}

#[tokio::test(flavor = "multi_thread")]
async fn oauth_token_flows_answer_as_recorded() {
    replay(&DemoOAuth, "oauth_handle_authorization_callback").await;
    replay(&DemoOAuth, "oauth_refresh_access_token").await;
    replay(&DemoOAuthCc, "oauth_cc_handle_client_credentials_request").await;
}
