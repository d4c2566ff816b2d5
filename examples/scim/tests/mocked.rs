//! scim-connector against a scripted SCIM server (wiremock), for what a real server does
//! not show: exactly one GET per page, the page size sent, the PUT fallback of servers
//! without PATCH, endpoint overrides, and every SCIM error type's code.

use connector_sdk::Connector;
use scim_connector::Scim;
use serde_json::{Value, json};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const TOKEN: &str = "scim-mock-token-5e1f";

fn envelope(server: &MockServer, settings: Value, request: Value, page: Option<Value>) -> Value {
    let mut settings = settings;
    settings["base_url"] = json!(format!("{}/scim/v2", server.uri()));
    json!({
        "auth": {"token": {"token": TOKEN}},
        "settings": settings,
        "request": request,
        "page": page,
    })
}

async fn call(capability: &str, envelope: &Value) -> Value {
    let out = Scim::default()
        .dispatch(capability, &envelope.to_string())
        .await;
    serde_json::from_str(&out).unwrap_or_else(|_| panic!("not JSON: {out}"))
}

fn scim(body: Value) -> ResponseTemplate {
    ResponseTemplate::new(200)
        .insert_header("content-type", "application/scim+json")
        .set_body_json(body)
}

fn users(range: std::ops::Range<u32>, total: u32) -> Value {
    let resources: Vec<Value> = range
        .clone()
        .map(|n| json!({"id": format!("u{n}"), "userName": format!("user{n}"), "active": true}))
        .collect();
    json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": total, "startIndex": range.start + 1, "itemsPerPage": resources.len(),
        "Resources": resources,
    })
}

async fn service_provider_config(server: &MockServer, patch: bool) {
    Mock::given(method("GET"))
        .and(path("/scim/v2/ServiceProviderConfig"))
        .respond_with(scim(json!({"patch": {"supported": patch}})))
        .mount(server)
        .await;
}

#[tokio::test]
async fn list_accounts_makes_exactly_one_get_per_page() {
    let server = MockServer::start().await;
    for (start, range) in [("1", 0..2), ("3", 2..4), ("5", 4..5)] {
        Mock::given(method("GET"))
            .and(path("/scim/v2/Users"))
            .and(query_param("startIndex", start))
            .and(query_param("count", "2"))
            .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
            .respond_with(scim(users(range, 5)))
            .expect(1)
            .mount(&server)
            .await;
    }
    let mut page = Some(json!({"size": 2}));
    let mut ids = Vec::new();
    while let Some(current) = page {
        let out = call(
            "list_accounts",
            &envelope(&server, json!({}), json!({}), Some(current)),
        )
        .await;
        assert_eq!(out.get("is_error"), None, "{out}");
        for account in out["response"].as_array().expect("accounts") {
            ids.push(account["integration_specific_id"].clone());
        }
        page = out["page"]["token"].as_str().map(|_| out["page"].clone());
    }
    assert_eq!(ids, ["u0", "u1", "u2", "u3", "u4"]);
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(3));
}

#[tokio::test]
async fn a_server_that_returns_fewer_than_asked_is_paged_by_total_results() {
    let server = MockServer::start().await;
    for (start, range) in [("1", 0..3), ("4", 3..5)] {
        Mock::given(method("GET"))
            .and(path("/scim/v2/Users"))
            .and(query_param("startIndex", start))
            .respond_with(scim(users(range, 5)))
            .expect(1)
            .mount(&server)
            .await;
    }
    let first = call(
        "list_accounts",
        &envelope(&server, json!({}), json!({}), Some(json!({"size": 50}))),
    )
    .await;
    assert_eq!(first["response"].as_array().map(Vec::len), Some(3));
    let second = call(
        "list_accounts",
        &envelope(&server, json!({}), json!({}), Some(first["page"].clone())),
    )
    .await;
    assert_eq!(second["response"].as_array().map(Vec::len), Some(2));
    assert_eq!(second["page"], Value::Null);
}

#[tokio::test]
async fn the_page_size_is_the_requests_then_the_settings_then_100() {
    let server = MockServer::start().await;
    for count in ["100", "25", "3"] {
        Mock::given(method("GET"))
            .and(path("/scim/v2/Users"))
            .and(query_param("count", count))
            .respond_with(scim(users(0..0, 0)))
            .expect(1)
            .mount(&server)
            .await;
    }
    for (settings, page) in [
        (json!({}), None),
        (json!({"default_page_size": 25}), None),
        (json!({"default_page_size": 25}), Some(json!({"size": 3}))),
    ] {
        let out = call(
            "list_accounts",
            &envelope(&server, settings, json!({}), page),
        )
        .await;
        assert_eq!(out["response"], json!([]), "{out}");
    }
    let out = call(
        "list_accounts",
        &envelope(&server, json!({"default_page_size": 0}), json!({}), None),
    )
    .await;
    assert_eq!(out["error"]["error_code"], json!("invalid_value"), "{out}");
}

#[tokio::test]
async fn endpoint_overrides_are_used() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/scim/v2/tenant/Accounts"))
        .respond_with(scim(users(0..1, 1)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/scim/v2/tenant/Teams"))
        .and(query_param("excludedAttributes", "members"))
        .respond_with(scim(
            json!({"totalResults": 1, "Resources": [{"id": "g1", "displayName": "Ops"}]}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let settings = json!({"users_endpoint": "/tenant/Accounts", "groups_endpoint": "tenant/Teams"});
    let out = call(
        "list_accounts",
        &envelope(&server, settings.clone(), json!({}), None),
    )
    .await;
    assert_eq!(
        out["response"][0]["integration_specific_id"],
        json!("u0"),
        "{out}"
    );
    let out = call(
        "list_entitlements",
        &envelope(&server, settings, json!({}), None),
    )
    .await;
    assert_eq!(
        out["response"],
        json!([{
            "entitlement_type": "group", "extra_data": null, "integration_specific_id": "g1",
            "integration_specific_resource_id": "", "is_assignable": true, "label": "Ops",
            "description": null, "custom_attributes": null
        }])
    );
}

#[tokio::test]
async fn without_patch_support_writes_put_the_whole_resource() {
    let server = MockServer::start().await;
    service_provider_config(&server, false).await;
    let user = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": "u1", "userName": "ann",
        "active": true, "meta": {"resourceType": "User", "version": "W/\"3\""},
        "groups": [{"value": "g1"}], "emails": [{"value": "a@x.io", "primary": true}],
    });
    Mock::given(method("GET"))
        .and(path("/scim/v2/Users/u1"))
        .respond_with(scim(user))
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/scim/v2/Users/u1"))
        .and(header("content-type", "application/scim+json"))
        .and(body_json(json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": "u1", "userName": "ann",
            "active": false, "emails": [{"value": "a@x.io", "primary": true}],
        })))
        .respond_with(scim(json!({"id": "u1"})))
        .expect(1)
        .mount(&server)
        .await;
    let out = call(
        "deactivate_account",
        &envelope(&server, json!({}), json!({"account_id": "u1"}), None),
    )
    .await;
    assert_eq!(
        out["execution_summary"]["effect"]["kind"],
        json!("updated"),
        "{out}"
    );
}

#[tokio::test]
async fn a_patch_answered_501_is_sent_again_as_a_put() {
    let server = MockServer::start().await;
    service_provider_config(&server, true).await;
    let group =
        json!({"id": "g1", "displayName": "Ops", "members": [{"value": "u1"}, {"value": "u2"}]});
    Mock::given(method("GET"))
        .and(path("/scim/v2/Groups/g1"))
        .respond_with(scim(group))
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(path("/scim/v2/Groups/g1"))
        .and(body_json(json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "remove", "path": "members[value eq \"u1\"]"}],
        })))
        .respond_with(ResponseTemplate::new(501))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/scim/v2/Groups/g1"))
        .and(body_json(
            json!({"id": "g1", "displayName": "Ops", "members": [{"value": "u2"}]}),
        ))
        .respond_with(scim(json!({"id": "g1"})))
        .expect(1)
        .mount(&server)
        .await;
    let request = json!({
        "account_integration_specific_id": "u1", "resource_type": "", "resource_integration_specific_id": "",
        "entitlement_type": "group", "entitlement_integration_specific_id": "g1",
    });
    let out = call(
        "unassign_entitlement",
        &envelope(&server, json!({}), request, None),
    )
    .await;
    assert_eq!(
        out["execution_summary"]["effect"]["kind"],
        json!("deleted"),
        "{out}"
    );
}

#[tokio::test]
async fn scim_error_types_map_to_the_protocols_codes() {
    let cases = [
        (409, Some("uniqueness"), "conflict"),
        (400, Some("noTarget"), "not_found"),
        (400, Some("invalidValue"), "invalid_value"),
        (400, Some("invalidSyntax"), "bad_request"),
        (400, Some("mutability"), "bad_request"),
        (400, Some("invalidFilter"), "bad_request"),
        (400, Some("tooMany"), "bad_request"),
        (404, None, "not_found"),
        (401, None, "unauthorized"),
        (403, None, "permission_denied"),
        (501, None, "unsupported_operation"),
    ];
    for (status, scim_type, code) in cases {
        let server = MockServer::start().await;
        let mut body = json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
            "status": status.to_string(), "detail": "what the server said",
        });
        if let Some(scim_type) = scim_type {
            body["scimType"] = json!(scim_type);
        }
        Mock::given(method("GET"))
            .and(path("/scim/v2/Users/u1"))
            .respond_with(
                ResponseTemplate::new(status)
                    .insert_header("content-type", "application/scim+json")
                    .set_body_json(body),
            )
            .mount(&server)
            .await;
        let out = call(
            "get_account",
            &envelope(&server, json!({}), json!({"account_id": "u1"}), None),
        )
        .await;
        let error = &out["error"];
        assert_eq!(
            error["error_code"],
            json!(code),
            "{status} {scim_type:?}: {out}"
        );
        assert_eq!(error["status_code"], json!(status));
        let message = error["message"].as_str().unwrap_or_default();
        assert!(message.contains("what the server said"), "{message}");
        assert!(message.contains("GET /scim/v2/Users/u1"), "{message}");
        let app_code = match scim_type {
            Some(scim_type) => format!("scim.{scim_type}"),
            None => format!("scim.http_{status}"),
        };
        assert_eq!(error["app_error_code"], json!(app_code));
    }
}

#[tokio::test]
async fn a_wrong_base_url_says_so() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(|_: &Request| ResponseTemplate::new(404).set_body_string("no such page"))
        .mount(&server)
        .await;
    let out = call(
        "validate_credentials",
        &envelope(&server, json!({}), json!({}), None),
    )
    .await;
    assert_eq!(out["error"]["error_code"], json!("not_found"), "{out}");
    let message = out["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("no SCIM Users endpoint"), "{message}");
}
