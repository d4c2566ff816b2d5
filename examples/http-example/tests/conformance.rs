//! http-example passes the conformance suite against a scripted app (wiremock) that
//! checks the token and pages its 23 users by offset and limit.

use connector_sdk::testing::faults::{FaultyApp, ListShape};
use connector_sdk::testing::{Fixtures, Rule, check};
use http_example::HttpExample;
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, ResponseTemplate};

const TOKEN: &str = "tok-conformance-41d8";

fn users() -> Vec<Value> {
    (0..23_u32)
        .map(|n| json!({"id": format!("u{n}"), "email": format!("u{n}@acme.example"), "active": !n.is_multiple_of(3)}))
        .collect()
}

#[test]
fn http_example_conforms() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let app = runtime.block_on(async {
        let app = FaultyApp::start().await;
        Mock::given(method("GET"))
            .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
            .and(path("/me"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"tenant_id": "acme"})))
            .with_priority(1)
            .mount(app.server())
            .await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": "bad token"})))
            .with_priority(20)
            .mount(app.server())
            .await;
        app.serve_list(
            "/users",
            ListShape::new("offset", "limit", "users", "total"),
            users(),
        )
        .await;
        app
    });
    let fixtures = Fixtures::new(
        json!({"base_url": app.uri()}),
        json!({"auth": {"token": {"token": TOKEN}}}),
    );
    let report = check(HttpExample::default(), fixtures);
    for rule in [
        Rule::PaginationSameSetAtEverySize,
        Rule::WrongCredentialsRejected,
        Rule::DamagedTokenIsInvalidPageToken,
    ] {
        assert!(report.checked.contains(&rule), "{rule} was not checked");
    }
}
