//! Every capability of the example connector pretend-app, through the library entry
//! (`PretendApp::default().dispatch`; writes then reads on one connector value) and,
//! call by call, through the built `pretend-app` binary, which must print what a fresh
//! connector's library entry returns.

mod common;

use std::collections::BTreeSet;

use common::*;
use connector_sdk::Connector as _;
use pretend_app::PretendApp;
use serde_json::{Value, json};

const AUTH: &str = r#""auth": {"token": {"token": "tok-SECRET-5d41402abc4b2a76"}}"#;
const SETTINGS: &str = r#""settings": {"base_url": "https://pretend.example"}"#;
const SEEDED: usize = 30;

fn envelope(rest: &str) -> String {
    format!("{{{AUTH}, {SETTINGS}, {rest}}}")
}

/// Calls `capability` on `app` with the good token and settings plus `rest`.
fn call(app: &PretendApp, capability: &str, rest: &str) -> Value {
    parse(&block_on(app.dispatch(capability, &envelope(rest))))
}

fn ok(out: Value) -> Value {
    assert!(out.get("is_error").is_none(), "an error: {out}");
    let keys: Vec<&String> = out.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "response",
            "raw_data",
            "page",
            "rate_limit",
            "execution_summary"
        ],
        "standard envelope key order"
    );
    out
}

/// Lists every account, following page tokens; returns the ids in order.
fn all_account_ids(app: &PretendApp, size: Option<u32>) -> Vec<String> {
    let mut ids = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut page = serde_json::Map::new();
        if let Some(size) = size {
            page.insert("size".into(), json!(size));
        }
        if let Some(token) = &token {
            page.insert("token".into(), json!(token));
        }
        let out = ok(call(
            app,
            "list_accounts",
            &format!(r#""request": {{}}, "page": {}"#, Value::Object(page)),
        ));
        let items = out["response"].as_array().unwrap();
        let expected_size = size.unwrap_or(10) as usize;
        assert!(
            items.len() <= expected_size,
            "a page is not larger than asked"
        );
        ids.extend(
            items
                .iter()
                .map(|item| item["integration_specific_id"].as_str().unwrap().to_owned()),
        );
        pages += 1;
        assert!(pages <= 100, "paging does not end");
        match &out["page"] {
            Value::Null => break,
            page => {
                assert_eq!(items.len(), expected_size, "only the last page is short");
                assert_eq!(page["size"], json!(expected_size), "the size is echoed");
                token = Some(page["token"].as_str().expect("a token").to_owned());
            }
        }
    }
    ids
}

#[test]
fn list_accounts_pages_to_the_end_with_every_account_once() {
    let app = PretendApp::default();
    let expected: Vec<String> = (1..=SEEDED).map(|n| format!("user-{n}")).collect();
    for size in [Some(1), Some(7), None] {
        let ids = all_account_ids(&app, size);
        assert_eq!(ids, expected, "page size {size:?}");
        let unique: BTreeSet<&String> = ids.iter().collect();
        assert_eq!(unique.len(), SEEDED, "page size {size:?}: duplicates");
    }
    let default_first = ok(call(&app, "list_accounts", r#""request": {}"#));
    assert_eq!(default_first["response"].as_array().unwrap().len(), 10);
    assert_eq!(default_first["page"]["size"], 10);
}

#[test]
fn validate_credentials_names_the_tenant() {
    let out = ok(call(
        &PretendApp::default(),
        "validate_credentials",
        r#""request": {}"#,
    ));
    assert_eq!(
        out["response"],
        json!({"valid": true, "unique_tenant_id": "https://pretend.example"})
    );
}

#[test]
fn list_entitlements_lists_roles_groups_and_memberships() {
    let out = ok(call(
        &PretendApp::default(),
        "list_entitlements",
        r#""request": {}"#,
    ));
    let items = out["response"].as_array().unwrap();
    assert_eq!(items.len(), 7);
    let types: BTreeSet<&str> = items
        .iter()
        .map(|item| item["entitlement_type"].as_str().unwrap())
        .collect();
    assert_eq!(types, BTreeSet::from(["role", "group", "workspace_member"]));
    assert_eq!(out["page"], Value::Null);
    let keys: Vec<&String> = items[0].as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "entitlement_type",
            "extra_data",
            "integration_specific_id",
            "integration_specific_resource_id",
            "is_assignable",
            "label",
            "description",
            "custom_attributes"
        ]
    );
}

#[test]
fn list_resources_with_and_without_raw_data() {
    let app = PretendApp::default();
    let plain = ok(call(&app, "list_resources", r#""request": {}"#));
    assert_eq!(plain["raw_data"], Value::Null);
    assert_eq!(plain["response"].as_array().unwrap().len(), 2);
    let raw = ok(call(
        &app,
        "list_resources",
        r#""request": {}, "include_raw_data": true"#,
    ));
    assert_eq!(
        raw["raw_data"],
        json!({"workspaces": [{"id": "ws-1"}, {"id": "ws-2"}]})
    );
    assert_eq!(raw["response"], plain["response"]);
    let not_asked = ok(call(
        &app,
        "list_resources",
        r#""request": {}, "include_raw_data": false"#,
    ));
    assert_eq!(not_asked["raw_data"], Value::Null);
}

/// The associations as (account, entitlement, resource).
fn associations(app: &PretendApp) -> BTreeSet<(String, String, String)> {
    let out = ok(call(
        app,
        "find_entitlement_associations",
        r#""request": {}, "page": {"size": 1000}"#,
    ));
    assert_eq!(out["page"], Value::Null);
    out["response"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| {
            (
                item["account_id"].as_str().unwrap().to_owned(),
                item["integration_specific_entitlement_id"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
                item["integration_specific_resource_id"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            )
        })
        .collect()
}

fn association(account: &str, entitlement: &str, resource: &str) -> (String, String, String) {
    (
        account.to_owned(),
        entitlement.to_owned(),
        resource.to_owned(),
    )
}

#[test]
fn find_entitlement_associations_lists_every_grant() {
    let found = associations(&PretendApp::default());
    // Every account has a role and a group; even ones are in workspace one.
    assert_eq!(found.len(), SEEDED * 2 + SEEDED / 2);
    assert!(found.contains(&association("user-1", "member", "")));
    assert!(found.contains(&association("user-5", "admin", "")));
    assert!(found.contains(&association("user-2", "ws-1-member", "ws-1")));
}

#[test]
fn get_last_activity_of_known_and_unknown_accounts() {
    let app = PretendApp::default();
    let out = ok(call(
        &app,
        "get_last_activity",
        r#""request": {"account_ids": ["user-1", "user-3"]}"#,
    ));
    let items = out["response"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["account_id"], "user-1");
    assert_eq!(items[0]["event_type"], "last_login");
    assert!(
        items[1]["happened_at"]
            .as_str()
            .unwrap()
            .starts_with("2026-11-")
    );
    let unknown = call(
        &app,
        "get_last_activity",
        r#""request": {"account_ids": ["user-404"]}"#,
    );
    assert_eq!(
        assert_error_code(&unknown, "not_found"),
        "Account user-404 not found"
    );
}

#[test]
fn list_custom_attributes_schema_lists_the_department() {
    let out = ok(call(
        &PretendApp::default(),
        "list_custom_attributes_schema",
        r#""request": {}"#,
    ));
    assert_eq!(
        out["response"],
        json!([{"customized_type": "account", "name": "department", "attribute_type": "string", "description": "The account's department"}])
    );
}

/// The account `id` as listed, if it is.
fn listed(app: &PretendApp, id: &str) -> Option<Value> {
    let out = ok(call(
        app,
        "list_accounts",
        r#""request": {}, "page": {"size": 1000}"#,
    ));
    out["response"]
        .as_array()
        .unwrap()
        .iter()
        .find(|account| account["integration_specific_id"] == id)
        .cloned()
}

#[test]
fn an_account_from_creation_to_deletion() {
    let app = PretendApp::default();
    let created = ok(call(
        &app,
        "create_account",
        r#""request": {"username": "newbie", "email": "newbie@pretend.example", "given_name": "New", "entitlements": [{"entitlement_type": "role", "integration_specific_id": "viewer", "integration_specific_resource_id": ""}]}"#,
    ));
    assert_eq!(
        created["response"],
        json!({"id": "user-31", "status": "ACTIVE", "created": true})
    );
    let account = listed(&app, "user-31").expect("the new account is listed");
    assert_eq!(account["username"], "newbie");
    assert_eq!(account["email"], "newbie@pretend.example");
    assert_eq!(account["user_status"], "ACTIVE");
    assert!(associations(&app).contains(&association("user-31", "viewer", "")));

    let updated = ok(call(
        &app,
        "update_account",
        r#""request": {"id": "user-31", "email": "changed@pretend.example", "family_name": "Comer"}"#,
    ));
    assert_eq!(updated["response"]["id"], "user-31");
    let account = listed(&app, "user-31").unwrap();
    assert_eq!(account["email"], "changed@pretend.example");
    assert_eq!(account["family_name"], "Comer");
    assert_eq!(account["given_name"], "New", "unchanged fields stay");

    let deactivated = ok(call(
        &app,
        "deactivate_account",
        r#""request": {"account_id": "user-31"}"#,
    ));
    assert_eq!(
        deactivated["response"],
        json!({"status": "INACTIVE", "deactivated": true})
    );
    assert_eq!(listed(&app, "user-31").unwrap()["user_status"], "INACTIVE");

    let activated = ok(call(
        &app,
        "activate_account",
        r#""request": {"account_id": "user-31"}"#,
    ));
    assert_eq!(
        activated["response"],
        json!({"status": "ACTIVE", "activated": true})
    );
    assert_eq!(listed(&app, "user-31").unwrap()["user_status"], "ACTIVE");

    let grant = r#""request": {"account_integration_specific_id": "user-31", "resource_integration_specific_id": "ws-2", "resource_type": "workspace", "entitlement_type": "workspace_member", "entitlement_integration_specific_id": "ws-2-member"}"#;
    let assigned = ok(call(&app, "assign_entitlement", grant));
    assert_eq!(assigned["response"], json!({"assigned": true}));
    assert!(associations(&app).contains(&association("user-31", "ws-2-member", "ws-2")));

    let unassigned = ok(call(&app, "unassign_entitlement", grant));
    assert_eq!(unassigned["response"], json!({"unassigned": true}));
    assert!(!associations(&app).contains(&association("user-31", "ws-2-member", "ws-2")));
    let again = call(&app, "unassign_entitlement", grant);
    assert_eq!(
        assert_error_code(&again, "not_found"),
        "Entitlement assignment not found"
    );
    assert_eq!(
        again["error"]["app_error_code"],
        "pretend_app.assignment_not_found"
    );
    assert_eq!(
        again["error"]["raised_in"],
        "pretend_app::unassign_entitlement"
    );
    assert_eq!(again["error"]["raised_by"], "NotFoundError");

    let deleted = ok(call(
        &app,
        "delete_account",
        r#""request": {"account_id": "user-31"}"#,
    ));
    assert_eq!(
        deleted["response"],
        json!({"status": "DELETED", "deleted": true})
    );
    assert_eq!(listed(&app, "user-31"), None, "gone from the list");
    assert!(
        associations(&app)
            .iter()
            .all(|(account, ..)| account != "user-31")
    );
    let twice = call(
        &app,
        "delete_account",
        r#""request": {"account_id": "user-31"}"#,
    );
    assert_error_code(&twice, "not_found");
    assert_eq!(all_account_ids(&app, Some(7)).len(), SEEDED);
}

#[test]
fn a_duplicate_username_is_conflict() {
    let app = PretendApp::default();
    let out = call(
        &app,
        "create_account",
        r#""request": {"username": "user1"}"#,
    );
    let message = assert_error_code(&out, "conflict");
    assert!(message.contains("user1"), "{message}");
    assert_eq!(out["error"]["error_metadata"]["fault"], "caller");
    let out = call(
        &app,
        "create_account",
        r#""request": {"username": "x", "entitlements": [{"entitlement_type": "role", "integration_specific_id": "emperor"}]}"#,
    );
    assert_error_code(&out, "invalid_value");
    assert_eq!(
        all_account_ids(&app, None).len(),
        SEEDED,
        "nothing was created"
    );
}

#[test]
fn an_unknown_account_is_not_found() {
    let app = PretendApp::default();
    for (capability, request) in [
        ("deactivate_account", r#"{"account_id": "user-999"}"#),
        ("activate_account", r#"{"account_id": "user-999"}"#),
        ("delete_account", r#"{"account_id": "user-999"}"#),
        ("update_account", r#"{"id": "user-999", "email": "x@y"}"#),
        (
            "assign_entitlement",
            r#"{"account_integration_specific_id": "user-999", "resource_integration_specific_id": "", "resource_type": "", "entitlement_type": "role", "entitlement_integration_specific_id": "admin"}"#,
        ),
    ] {
        let out = call(&app, capability, &format!(r#""request": {request}"#));
        assert_eq!(
            assert_error_code(&out, "not_found"),
            "Account user-999 not found",
            "{capability}"
        );
        assert_eq!(
            out["error"]["app_error_code"],
            "pretend_app.account_not_found"
        );
        assert_eq!(
            out["error"]["raised_in"],
            format!("pretend_app::{capability}")
        );
    }
}

#[test]
fn bad_token_is_unauthorized_everywhere() {
    let app = PretendApp::default();
    let bad = r#""auth": {"token": {"token": "bad-token"}}"#;
    for (capability, request) in [
        ("validate_credentials", "{}"),
        ("list_accounts", "{}"),
        ("list_entitlements", "{}"),
        ("list_resources", "{}"),
        ("find_entitlement_associations", "{}"),
        ("get_last_activity", r#"{"account_ids": []}"#),
        ("list_custom_attributes_schema", "{}"),
        ("create_account", r#"{"username": "z"}"#),
        ("update_account", r#"{"id": "user-1"}"#),
        ("activate_account", r#"{"account_id": "user-1"}"#),
        ("deactivate_account", r#"{"account_id": "user-1"}"#),
        ("delete_account", r#"{"account_id": "user-1"}"#),
        ("count_accounts", "{}"),
    ] {
        let json = format!(r#"{{{bad}, {SETTINGS}, "request": {request}}}"#);
        let out = parse(&block_on(app.dispatch(capability, &json)));
        assert_error_code(&out, "unauthorized");
        assert_eq!(
            out["error"]["error_metadata"]["refreshable"], true,
            "{capability}"
        );
        assert_eq!(out["error"]["error_metadata"]["category"], "authentication");
    }
    assert_eq!(
        all_account_ids(&app, None).len(),
        SEEDED,
        "nothing was changed"
    );
}

#[test]
fn count_accounts_is_a_custom_capability() {
    let app = PretendApp::default();
    let out = call(&app, "count_accounts", r#""request": {}"#);
    let keys: Vec<&String> = out.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "page",
            "raw_data",
            "execution_summary",
            "rate_limit",
            "response"
        ],
        "the custom envelope's key order: {out}"
    );
    assert_eq!(out["response"], json!({"count": SEEDED}));
    let suspended = call(
        &app,
        "count_accounts",
        r#""request": {"status": "SUSPENDED"}"#,
    );
    assert_eq!(suspended["response"]["count"], 1);
    let inactive = call(
        &app,
        "count_accounts",
        r#""request": {"status": "INACTIVE"}"#,
    );
    assert_eq!(inactive["response"]["count"], 4, "user-7, 14, 21, 28");
    let wrong = call(&app, "count_accounts", r#""request": {"status": "SLEEPY"}"#);
    assert!(assert_error_code(&wrong, "bad_request").contains("request.status"));
}

/// Each capability once through the binary: what a fresh connector's library entry says.
#[test]
fn every_capability_through_the_binary() {
    let grant = r#"{"account_integration_specific_id": "user-1", "resource_integration_specific_id": "", "resource_type": "", "entitlement_type": "group", "entitlement_integration_specific_id": "sales"}"#;
    let cases = [
        ("validate_credentials", "{}".to_owned()),
        ("list_accounts", "{}".to_owned()),
        ("list_entitlements", "{}".to_owned()),
        ("list_resources", "{}".to_owned()),
        ("find_entitlement_associations", "{}".to_owned()),
        (
            "get_last_activity",
            r#"{"account_ids": ["user-2"]}"#.to_owned(),
        ),
        ("list_custom_attributes_schema", "{}".to_owned()),
        ("create_account", r#"{"username": "cli-made"}"#.to_owned()),
        (
            "update_account",
            r#"{"id": "user-2", "email": "e@x"}"#.to_owned(),
        ),
        ("activate_account", r#"{"account_id": "user-7"}"#.to_owned()),
        (
            "deactivate_account",
            r#"{"account_id": "user-2"}"#.to_owned(),
        ),
        ("delete_account", r#"{"account_id": "user-3"}"#.to_owned()),
        ("assign_entitlement", grant.to_owned()),
        (
            "unassign_entitlement",
            grant.replace("sales", "engineering"),
        ),
        ("count_accounts", r#"{"status": "ACTIVE"}"#.to_owned()),
    ];
    let bin = pretend_app();
    for (capability, request) in cases {
        let json = envelope(&format!(
            r#""request": {request}, "include_raw_data": true"#
        ));
        let expected = block_on(PretendApp::default().dispatch(capability, &json));
        let dir = temp_dir();
        let run = common::run(command(&bin, dir.path()).args([capability, "--json", &json]));
        assert_eq!(run.code, 0, "{capability}: {}", run.err());
        assert_eq!(run.out(), format!("{expected}\n"), "{capability}");
        assert_eq!(run.err(), "", "{capability}");
        assert!(
            parse(&expected).get("is_error").is_none(),
            "{capability}: {expected}"
        );
    }
}
