//! scim-connector passes the conformance suite against a scripted SCIM server (wiremock):
//! 9 users, 3 groups with members, one user readable by id, and every request without
//! the token refused.

use connector_sdk::testing::faults::{FaultyApp, ListShape};
use connector_sdk::testing::{Fixtures, Rule, check};
use scim_connector::Scim;
use serde_json::{Value, json};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, Request, ResponseTemplate};

const TOKEN: &str = "scim-conformance-token-91c2";

fn user(n: usize) -> Value {
    json!({"id": format!("u{n}"), "userName": format!("user{n}"), "active": !n.is_multiple_of(4)})
}

fn groups() -> Vec<Value> {
    (0..3)
        .map(|g| {
            let members: Vec<Value> = (0..9)
                .filter(|n| n % 3 == g)
                .map(|n| json!({"value": format!("u{n}"), "type": "User"}))
                .collect();
            json!({"id": format!("g{g}"), "displayName": format!("group {g}"), "members": members})
        })
        .collect()
}

#[test]
fn scim_conforms_against_a_scripted_server() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let app = runtime.block_on(async {
        let app = FaultyApp::start().await;
        let good = format!("Bearer {TOKEN}");
        Mock::given(move |request: &Request| {
            request
                .headers
                .get("authorization")
                .is_none_or(|value| value.as_bytes() != good.as_bytes())
        })
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(json!({"status": "401", "detail": "bad token"})),
        )
        .with_priority(1)
        .mount(app.server())
        .await;
        Mock::given(method("GET"))
            .and(path("/scim/v2/Users/u1"))
            .respond_with(ResponseTemplate::new(200).set_body_json(user(1)))
            .with_priority(2)
            .mount(app.server())
            .await;
        Mock::given(method("GET"))
            .and(path_regex("^/scim/v2/(Users|Groups)/.+"))
            .respond_with(
                ResponseTemplate::new(404)
                    .set_body_json(json!({"status": "404", "detail": "not found"})),
            )
            .with_priority(3)
            .mount(app.server())
            .await;
        app.serve_list(
            "/scim/v2/Users",
            ListShape::scim(),
            (0..9).map(user).collect(),
        )
        .await;
        app.serve_list("/scim/v2/Groups", ListShape::scim(), groups())
            .await;
        app
    });
    let fixtures = Fixtures::new(
        json!({"base_url": format!("{}/scim/v2", app.uri())}),
        json!({"auth": {"token": {"token": TOKEN}}}),
    );
    let report = check(Scim::default(), fixtures);
    for rule in [
        Rule::AssociationsReferToListedIds,
        Rule::UnknownIdIsNotFound,
        Rule::PaginationSameSetAtEverySize,
    ] {
        assert!(report.checked.contains(&rule), "{rule} was not checked");
    }
}
