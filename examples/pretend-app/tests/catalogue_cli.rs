//! The capabilities added to pretend-app for the rest of the catalogue (get_account,
//! list_updated_accounts, list_activity_records, transfer_data, downgrade_license and the
//! application family), each through the built `pretend-app` binary with `--json`.
//!
//! Every run is a new process with a fresh, seeded tenant: a write here is checked by what
//! it answers; write-then-read sequences are in `catalogue_library.rs`.

use std::collections::BTreeSet;
use std::process::Command;

use serde_json::{Map, Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_pretend-app");

/// Runs `pretend-app <capability> --json <envelope>` and returns its one line of JSON.
fn run(capability: &str, envelope: &Value) -> Value {
    let dir = env!("CARGO_TARGET_TMPDIR");
    let output = Command::new(BIN)
        .args([capability, "--json", &envelope.to_string()])
        .current_dir(dir)
        .env("LUMOS_LOG_DIRECTORY", dir)
        .env_remove("LUMOS_LOG_LEVEL")
        .output()
        .expect("pretend-app runs");
    let stdout = String::from_utf8(output.stdout).expect("UTF-8 on stdout");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{capability}: exit {:?}, stderr {stderr}",
        output.status
    );
    assert_eq!(stderr, "", "{capability}: stderr");
    assert!(
        stdout.ends_with('\n') && stdout.matches('\n').count() == 1,
        "{capability}: not one line: {stdout:?}"
    );
    serde_json::from_str(&stdout).unwrap_or_else(|err| panic!("{capability}: {err}: {stdout}"))
}

/// The envelope of `request` with the good token and settings, and `page` if given.
fn envelope(request: Value, page: Option<Value>) -> Value {
    let mut envelope = json!({
        "auth": {"token": {"token": "tok-5d41402abc4b2a76"}},
        "settings": {"base_url": "https://pretend.example"},
        "request": request,
    });
    if let Some(page) = page {
        envelope["page"] = page;
    }
    envelope
}

/// Calls `capability` with `request` and asserts a success envelope.
fn ok(capability: &str, request: Value) -> Value {
    success(capability, run(capability, &envelope(request, None)))
}

fn success(capability: &str, out: Value) -> Value {
    assert!(out.get("is_error").is_none(), "{capability}: {out}");
    let keys: Vec<&str> = out
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "response",
            "raw_data",
            "page",
            "rate_limit",
            "execution_summary"
        ],
        "{capability}: the standard envelope"
    );
    out
}

/// Calls `capability` with `request`, asserts an error envelope with `code` raised by the
/// capability, and returns the error object.
fn expect_error(capability: &str, request: Value, code: &str) -> Value {
    let out = run(capability, &envelope(request, None));
    assert_eq!(out["is_error"], true, "{capability}: {out}");
    let error = out["error"].clone();
    assert_eq!(error["error_code"], code, "{capability}: {out}");
    assert_eq!(error["app_id"], "pretend_app");
    assert_eq!(
        error["raised_in"],
        format!("pretend_app::{capability}"),
        "{capability}: {out}"
    );
    error
}

/// Every item of a list capability, following page tokens to the end; checks that every
/// page but the last is full and echoes the size, and returns the items and page count.
fn all_pages(capability: &str, request: Value, size: Option<u32>) -> (Vec<Value>, usize) {
    let mut items = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut page = Map::new();
        if let Some(size) = size {
            page.insert("size".into(), json!(size));
        }
        if let Some(token) = &token {
            page.insert("token".into(), json!(token));
        }
        let out = success(
            capability,
            run(
                capability,
                &envelope(request.clone(), Some(Value::Object(page))),
            ),
        );
        let batch = out["response"].as_array().expect("a list").clone();
        pages += 1;
        assert!(pages <= 50, "{capability}: paging does not end");
        match &out["page"] {
            Value::Null => {
                items.extend(batch);
                return (items, pages);
            }
            page => {
                let expected = page["size"].as_u64().expect("the size is echoed") as usize;
                if let Some(size) = size {
                    assert_eq!(expected, size as usize, "{capability}: the size asked for");
                }
                assert_eq!(
                    batch.len(),
                    expected,
                    "{capability}: only the last page is short"
                );
                token = Some(page["token"].as_str().expect("a token").to_owned());
                items.extend(batch);
            }
        }
    }
}

fn strings<'a>(items: &'a [Value], key: &str) -> Vec<&'a str> {
    items
        .iter()
        .map(|item| {
            item[key]
                .as_str()
                .unwrap_or_else(|| panic!("{key}: {item}"))
        })
        .collect()
}

fn effect(out: &Value) -> (&str, bool) {
    let summary = &out["execution_summary"];
    assert_eq!(
        summary["request_fingerprint"].as_str().map(str::len),
        Some(64),
        "a fingerprint: {out}"
    );
    (
        summary["effect"]["kind"].as_str().expect("an effect"),
        summary["is_idempotent"].as_bool().expect("a flag"),
    )
}

#[test]
fn get_account_returns_the_details() {
    let out = ok("get_account", json!({"account_id": "user-5"}));
    assert_eq!(
        out["response"],
        json!({
            "integration_specific_id": "user-5",
            "resource_id": null,
            "email": "user5@pretend.example",
            "given_name": "Given5",
            "family_name": "Family5",
            "username": "user5",
            "user_status": "ACTIVE",
            "extra_data": {"license": "enterprise", "documents": 1, "updated_at": "2026-09-01T05:00:00Z"},
            "custom_attributes": null,
            "account_type": "user"
        })
    );
    assert_eq!(out["page"], Value::Null);
    assert_eq!(out["execution_summary"], Value::Null);

    let suspended = ok("get_account", json!({"account_id": "user-4"}));
    assert_eq!(suspended["response"]["user_status"], "SUSPENDED");
    assert_eq!(
        suspended["response"]["extra_data"]["license"],
        "professional"
    );
    let inactive = ok("get_account", json!({"account_id": "user-7"}));
    assert_eq!(inactive["response"]["user_status"], "INACTIVE");
    assert_eq!(inactive["response"]["extra_data"]["license"], "free");
}

#[test]
fn get_account_fills_the_custom_attribute_asked_for() {
    let odd = ok(
        "get_account",
        json!({"account_id": "user-3", "custom_attributes": ["department", "shoe_size"]}),
    );
    assert_eq!(
        odd["response"]["custom_attributes"],
        json!({"department": "Engineering"})
    );
    let even = ok(
        "get_account",
        json!({"account_id": "user-8", "custom_attributes": ["department"]}),
    );
    assert_eq!(
        even["response"]["custom_attributes"],
        json!({"department": "Sales"})
    );
    let other = ok(
        "get_account",
        json!({"account_id": "user-8", "custom_attributes": ["shoe_size"]}),
    );
    assert_eq!(other["response"]["custom_attributes"], Value::Null);
}

#[test]
fn get_account_of_an_unknown_account_is_not_found() {
    let error = expect_error(
        "get_account",
        json!({"account_id": "user-999"}),
        "not_found",
    );
    assert_eq!(error["message"], "Account user-999 not found");
    assert_eq!(error["app_error_code"], "pretend_app.account_not_found");
    assert_eq!(error["raised_by"], "NotFoundError");
}

/// Every account of list_updated_accounts, following its cursor: (ids, answers).
fn updated_accounts(request: Value) -> (Vec<String>, usize) {
    let mut ids = Vec::new();
    let mut request = request;
    let mut answers = 0;
    loop {
        let out = ok("list_updated_accounts", request.clone());
        answers += 1;
        assert!(answers <= 20, "the cursor does not end");
        assert_eq!(out["page"], Value::Null, "the cursor is in the response");
        let accounts = out["response"]["accounts"].as_array().unwrap();
        ids.extend(
            strings(accounts, "integration_specific_id")
                .into_iter()
                .map(str::to_owned),
        );
        let stamps = accounts
            .iter()
            .map(|account| account["extra_data"]["updated_at"].as_str().unwrap())
            .collect::<Vec<_>>();
        assert!(
            stamps.windows(2).all(|pair| pair[0] <= pair[1]),
            "least recently changed first: {stamps:?}"
        );
        match &out["response"]["cursor"] {
            Value::Null => return (ids, answers),
            Value::String(cursor) => {
                assert_eq!(accounts.len(), 10, "only the last batch is short");
                request["cursor"] = json!(cursor);
            }
            other => panic!("cursor: {other}"),
        }
    }
}

#[test]
fn list_updated_accounts_follows_its_cursor_to_the_end() {
    let (ids, answers) = updated_accounts(json!({}));
    let expected: Vec<String> = (1..=30).map(|n| format!("user-{n}")).collect();
    assert_eq!(ids, expected, "every account once, oldest change first");
    assert_eq!(answers, 3);

    let (recent, answers) = updated_accounts(json!({"since": "2026-09-02T00:00:00Z"}));
    let expected: Vec<String> = (24..=30).map(|n| format!("user-{n}")).collect();
    assert_eq!(recent, expected, "changed at or after `since`");
    assert_eq!(answers, 1);

    let (offset, _) = updated_accounts(json!({"since": "2026-09-02T01:30:00+02:00"}));
    assert_eq!(offset.first().map(String::as_str), Some("user-24"));

    let (none, _) = updated_accounts(json!({"since": "2027-01-01"}));
    assert!(none.is_empty());
}

#[test]
fn list_updated_accounts_answers_the_details_and_custom_attributes() {
    let out = ok(
        "list_updated_accounts",
        json!({"since": "2026-09-02T06:00:00Z", "custom_attributes": ["department"]}),
    );
    let accounts = out["response"]["accounts"].as_array().unwrap();
    assert_eq!(strings(accounts, "integration_specific_id"), ["user-30"]);
    assert_eq!(
        accounts[0]["extra_data"],
        json!({"license": "enterprise", "documents": 2, "updated_at": "2026-09-02T06:00:00Z"})
    );
    assert_eq!(
        accounts[0]["custom_attributes"],
        json!({"department": "Sales"})
    );
    assert_eq!(out["response"]["cursor"], Value::Null);
}

#[test]
fn list_updated_accounts_rejects_a_bad_since_or_cursor() {
    for since in ["yesterday", "2026-02-30", "2026-12-01T25:00:00Z", ""] {
        let error = expect_error(
            "list_updated_accounts",
            json!({"since": since}),
            "invalid_value",
        );
        assert!(
            error["message"]
                .as_str()
                .unwrap()
                .starts_with("since is not"),
            "{error}"
        );
    }
    // A list_accounts page token is no cursor of list_updated_accounts.
    let page = ok("list_accounts", json!({}));
    let foreign = page["page"]["token"].as_str().unwrap();
    for cursor in ["not-a-cursor", foreign, ""] {
        expect_error(
            "list_updated_accounts",
            json!({"cursor": cursor}),
            "invalid_page_token",
        );
    }
}

#[test]
fn list_activity_records_pages_to_the_end() {
    // Each account logged in twice; the six admins also assumed their role.
    let (records, pages) = all_pages(
        "list_activity_records",
        json!({"since_date": "2026-01-01", "actors": []}),
        None,
    );
    assert_eq!(records.len(), 66);
    assert_eq!(pages, 3, "25 to a page");
    let (by_seven, pages) = all_pages(
        "list_activity_records",
        json!({"since_date": "2026-01-01", "actors": []}),
        Some(7),
    );
    assert_eq!(by_seven, records, "the same records whatever the page size");
    assert_eq!(pages, 10);
    let ids: BTreeSet<&str> = strings(&records, "id").into_iter().collect();
    assert_eq!(ids.len(), 66, "unique ids");
    let stamps = strings(&records, "timestamp");
    assert!(
        stamps.windows(2).all(|pair| pair[0] <= pair[1]),
        "oldest first"
    );
    assert_eq!(
        records[0],
        json!({
            "id": "evt-1",
            "activity_type": "ACCOUNT_LOGIN",
            "timestamp": "2026-10-01T09:00:00Z",
            "actor": {"account_id": "user-1"},
            "targets": [],
            "metadata": {"ip": "10.0.0.1"}
        })
    );
    let assumed: Vec<&Value> = records
        .iter()
        .filter(|record| record["activity_type"] == "AssumeRole")
        .collect();
    assert_eq!(assumed.len(), 6);
    assert_eq!(
        assumed[0]["targets"],
        json!([{"account_id": null, "entitlement": {"id": "admin", "type": "role", "resource_id": null, "resource_type": null}}])
    );
}

#[test]
fn list_activity_records_filters_by_time_and_actor() {
    let (mine, _) = all_pages(
        "list_activity_records",
        json!({"since_date": "2026-01-01", "actors": [{"account_id": "user-5"}]}),
        None,
    );
    assert_eq!(
        strings(&mine, "timestamp"),
        [
            "2026-10-05T09:00:00Z",
            "2026-11-05T09:00:00Z",
            "2026-11-05T09:30:00Z"
        ]
    );
    let (november, _) = all_pages(
        "list_activity_records",
        json!({"since_date": "2026-11-27T09:00:00Z", "actors": []}),
        None,
    );
    assert_eq!(strings(&november, "timestamp").len(), 2, "user-27, user-28");
    let (two, _) = all_pages(
        "list_activity_records",
        json!({"since_date": "2026-11-01T00:00:00Z", "actors": [{"account_id": "user-1"}, {"account_id": "user-2"}]}),
        None,
    );
    let actors: Vec<&str> = two
        .iter()
        .map(|record| record["actor"]["account_id"].as_str().unwrap())
        .collect();
    assert_eq!(actors, ["user-1", "user-2"]);
}

#[test]
fn list_activity_records_rejects_unknown_actors_and_bad_dates() {
    let error = expect_error(
        "list_activity_records",
        json!({"since_date": "2026-01-01", "actors": [{"account_id": "user-1"}, {"account_id": "ghost"}]}),
        "not_found",
    );
    assert_eq!(error["message"], "Account ghost not found");
    let error = expect_error(
        "list_activity_records",
        json!({"since_date": "last week", "actors": []}),
        "invalid_value",
    );
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .starts_with("since_date is not")
    );
}

#[test]
fn transfer_data_states_its_effect() {
    let out = ok(
        "transfer_data",
        json!({"source_account_id": "user-3", "target_account_id": "user-2"}),
    );
    assert_eq!(out["response"], json!({"success": true, "reason": null}));
    assert_eq!(effect(&out), ("updated", true));
    assert_eq!(
        out["execution_summary"]["description"],
        "Moved 3 documents from user-3 to user-2"
    );
    // user-4 owns no documents: nothing to move.
    let out = ok(
        "transfer_data",
        json!({"source_account_id": "user-4", "target_account_id": "user-2"}),
    );
    assert_eq!(
        out["response"],
        json!({"success": true, "reason": "Account user-4 owns no documents"})
    );
    assert_eq!(effect(&out), ("noop", true));
    assert_eq!(
        out["execution_summary"]["effect"]["reason"],
        "state_already_matches"
    );
}

#[test]
fn transfer_data_between_unknown_or_the_same_accounts_fails() {
    for (source, target, missing) in [
        ("user-999", "user-2", "user-999"),
        ("user-3", "user-998", "user-998"),
    ] {
        let error = expect_error(
            "transfer_data",
            json!({"source_account_id": source, "target_account_id": target}),
            "not_found",
        );
        assert_eq!(error["message"], format!("Account {missing} not found"));
    }
    expect_error(
        "transfer_data",
        json!({"source_account_id": "user-3", "target_account_id": "user-3"}),
        "invalid_value",
    );
}

#[test]
fn downgrade_license_states_its_effect() {
    let out = ok("downgrade_license", json!({"account_id": "user-1"}));
    assert_eq!(out["response"], json!({"success": true, "reason": null}));
    assert_eq!(effect(&out), ("updated", true));
    assert_eq!(
        out["execution_summary"]["description"],
        "Downgraded account user-1 from professional to free"
    );
    let out = ok("downgrade_license", json!({"account_id": "user-5"}));
    assert_eq!(
        out["execution_summary"]["description"],
        "Downgraded account user-5 from enterprise to free"
    );
    // user-7 is inactive and holds no paid license.
    let out = ok("downgrade_license", json!({"account_id": "user-7"}));
    assert_eq!(
        out["response"],
        json!({"success": true, "reason": "Account user-7 has no paid license"})
    );
    assert_eq!(effect(&out), ("noop", true));
    let error = expect_error(
        "downgrade_license",
        json!({"account_id": "user-999"}),
        "not_found",
    );
    assert_eq!(error["app_error_code"], "pretend_app.account_not_found");
}

#[test]
fn list_applications_pages_to_the_end() {
    let (apps, pages) = all_pages("list_applications", json!({}), None);
    assert_eq!(pages, 2, "two to a page");
    assert_eq!(strings(&apps, "id"), ["app-chat", "app-wiki", "app-legacy"]);
    let (one_by_one, pages) = all_pages("list_applications", json!({}), Some(1));
    assert_eq!(one_by_one, apps);
    assert_eq!(pages, 3);
    let (all, pages) = all_pages("list_applications", json!({}), Some(100));
    assert_eq!((all.len(), pages), (3, 1));
    assert_eq!(
        apps[2],
        json!({
            "id": "app-legacy",
            "name": "legacy.pretend.example",
            "display_name": "Legacy Portal",
            "description": "The old portal, kept read-only.",
            "status": "INACTIVE",
            "logo": null,
            "sign_on_mode": "BOOKMARK",
            "sso_login_url": null,
            "assignment_modes": ["ACCOUNT"]
        })
    );
}

#[test]
fn get_application_finds_one_or_is_not_found() {
    let out = ok(
        "get_application",
        json!({"application_instance_id": "app-wiki"}),
    );
    assert_eq!(out["response"]["name"], "wiki.pretend.example");
    assert_eq!(out["response"]["sign_on_mode"], "OIDC");
    assert_eq!(
        out["response"]["assignment_modes"],
        json!(["ACCOUNT", "ENTITLEMENT"])
    );
    let (apps, _) = all_pages("list_applications", json!({}), None);
    assert_eq!(out["response"], apps[1], "as listed");
    let error = expect_error(
        "get_application",
        json!({"application_instance_id": "app-nope"}),
        "not_found",
    );
    assert_eq!(error["message"], "Application app-nope not found");
    assert_eq!(error["app_error_code"], "pretend_app.application_not_found");
}

#[test]
fn list_applications_accounts_pages_to_the_end() {
    let (assignments, pages) = all_pages("list_applications_accounts", json!({}), None);
    // Everyone in chat, even ones in the wiki, every third one in the legacy portal.
    assert_eq!(assignments.len(), 30 + 15 + 10);
    assert_eq!(pages, 3, "25 to a page");
    let pairs: BTreeSet<(&str, &str)> = assignments
        .iter()
        .map(|item| {
            (
                item["application_instance_id"].as_str().unwrap(),
                item["account_id"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(pairs.len(), 55, "no duplicates");
    assert!(pairs.contains(&("app-wiki", "user-2")));
    assert!(!pairs.contains(&("app-wiki", "user-3")));
    assert!(pairs.contains(&("app-legacy", "user-3")));
    let suspended: Vec<&Value> = assignments
        .iter()
        .filter(|item| item["status"] == "SUSPENDED")
        .collect();
    assert_eq!(suspended.len(), 2, "user-4 in chat and wiki");
    let (by_ten, pages) = all_pages("list_applications_accounts", json!({}), Some(10));
    assert_eq!(by_ten, assignments);
    assert_eq!(pages, 6);
}

#[test]
fn list_applications_activity_records_pages_to_the_end() {
    let request = json!({"since_date": "2026-01-01T00:00:00Z", "actors": []});
    let (records, pages) = all_pages("list_applications_activity_records", request.clone(), None);
    assert_eq!(records.len(), 30 + 15, "chat logins and wiki page views");
    assert_eq!(pages, 2);
    let (by_four, _) = all_pages("list_applications_activity_records", request, Some(4));
    assert_eq!(by_four, records);
    let apps: BTreeSet<&str> = strings(&records, "application_instance_id")
        .into_iter()
        .collect();
    assert_eq!(apps, BTreeSet::from(["app-chat", "app-wiki"]));
    let view = records
        .iter()
        .find(|record| record["activity_type"] == "ViewPage")
        .unwrap();
    assert_eq!(
        view["targets"][0]["entitlement"],
        json!({"id": "wiki-eng-member", "type": "workspace_member", "resource_id": "wiki-eng", "resource_type": "workspace"})
    );
    let keys: Vec<&String> = records[0].as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "application_instance_id",
            "id",
            "activity_type",
            "timestamp",
            "actor",
            "targets",
            "metadata"
        ]
    );
    let (mine, _) = all_pages(
        "list_applications_activity_records",
        json!({"since_date": "2026-01-01", "actors": [{"account_id": "user-2"}]}),
        None,
    );
    assert_eq!(
        strings(&mine, "application_instance_id"),
        ["app-chat", "app-wiki"]
    );
    expect_error(
        "list_applications_activity_records",
        json!({"since_date": "2026-01-01", "actors": [{"account_id": "user-999"}]}),
        "not_found",
    );
    expect_error(
        "list_applications_activity_records",
        json!({"since_date": "01/11/2026", "actors": []}),
        "invalid_value",
    );
}

#[test]
fn list_applications_entitlement_associations_pages_to_the_end() {
    let (grants, pages) = all_pages(
        "list_applications_entitlement_associations",
        json!({}),
        None,
    );
    // Chat: a role and a channel membership each; wiki: a role each; legacy: one role each.
    assert_eq!(grants.len(), 60 + 15 + 10);
    assert_eq!(pages, 4);
    let unique: BTreeSet<String> = grants.iter().map(Value::to_string).collect();
    assert_eq!(unique.len(), grants.len());
    assert!(grants.contains(&json!({
        "application_instance_id": "app-chat",
        "account_id": "user-5",
        "integration_specific_entitlement_id": "chat-admin",
        "integration_specific_resource_id": ""
    })));
    assert!(grants.contains(&json!({
        "application_instance_id": "app-chat",
        "account_id": "user-1",
        "integration_specific_entitlement_id": "chat-eng-member",
        "integration_specific_resource_id": "chat-eng"
    })));
}

#[test]
fn list_applications_entitlements_pages_to_the_end() {
    let (entitlements, pages) = all_pages("list_applications_entitlements", json!({}), None);
    assert_eq!(entitlements.len(), 9);
    assert_eq!(pages, 2, "five to a page");
    assert_eq!(
        entitlements[2],
        json!({
            "application_instance_id": "app-chat",
            "entitlement_type": "workspace_member",
            "extra_data": null,
            "integration_specific_id": "chat-eng-member",
            "integration_specific_resource_id": "chat-eng",
            "is_assignable": true,
            "label": "Engineering channels member",
            "description": null,
            "custom_attributes": null
        })
    );
    assert_eq!(entitlements[8]["integration_specific_id"], "legacy-user");
    assert_eq!(entitlements[8]["is_assignable"], false);
    let types: BTreeSet<&str> = strings(&entitlements, "entitlement_type")
        .into_iter()
        .collect();
    assert_eq!(
        types,
        BTreeSet::from(["role", "group", "workspace_member"]),
        "the connector's declared entitlement types"
    );
}

#[test]
fn list_applications_resources_pages_to_the_end() {
    let (resources, pages) = all_pages("list_applications_resources", json!({}), None);
    assert_eq!(pages, 2, "two to a page");
    assert_eq!(
        resources,
        [
            json!({"application_instance_id": "app-chat", "integration_specific_id": "chat-eng", "label": "Engineering channels", "description": null, "resource_type": "workspace", "extra_data": null}),
            json!({"application_instance_id": "app-chat", "integration_specific_id": "chat-sales", "label": "Sales channels", "description": null, "resource_type": "workspace", "extra_data": null}),
            json!({"application_instance_id": "app-wiki", "integration_specific_id": "wiki-eng", "label": "Engineering space", "description": null, "resource_type": "workspace", "extra_data": null}),
        ]
    );
}

#[test]
fn get_application_account_finds_an_assignment_or_is_not_found() {
    let out = ok(
        "get_application_account",
        json!({"application_instance_id": "app-wiki", "account_id": "user-2"}),
    );
    assert_eq!(
        out["response"],
        json!({"account_id": "user-2", "application_instance_id": "app-wiki", "status": "ACTIVE"})
    );
    let out = ok(
        "get_application_account",
        json!({"application_instance_id": "app-chat", "account_id": "user-4"}),
    );
    assert_eq!(out["response"]["status"], "SUSPENDED");
    for (application, account, message, code) in [
        (
            "app-wiki",
            "user-3",
            "Account user-3 is not assigned to application app-wiki",
            "pretend_app.application_account_not_found",
        ),
        (
            "app-wiki",
            "user-999",
            "Account user-999 is not assigned to application app-wiki",
            "pretend_app.application_account_not_found",
        ),
        (
            "app-nope",
            "user-2",
            "Application app-nope not found",
            "pretend_app.application_not_found",
        ),
    ] {
        let error = expect_error(
            "get_application_account",
            json!({"application_instance_id": application, "account_id": account}),
            "not_found",
        );
        assert_eq!(error["message"], message);
        assert_eq!(error["app_error_code"], code);
    }
}

#[test]
fn assign_application_states_its_effect() {
    let out = ok(
        "assign_application",
        json!({"application_instance_id": "app-wiki", "account_id": "user-3"}),
    );
    assert_eq!(
        out["response"],
        json!({"assigned": true, "provisioned": true})
    );
    assert_eq!(effect(&out), ("created", true));
    assert_eq!(
        out["execution_summary"]["description"],
        "Assigned account user-3 to application app-wiki"
    );
    let out = ok(
        "assign_application",
        json!({"application_instance_id": "app-wiki", "account_id": "user-2"}),
    );
    assert_eq!(effect(&out), ("noop", true), "already assigned");
    let error = expect_error(
        "assign_application",
        json!({"application_instance_id": "app-legacy", "account_id": "user-1"}),
        "conflict",
    );
    assert_eq!(error["app_error_code"], "pretend_app.application_inactive");
    expect_error(
        "assign_application",
        json!({"application_instance_id": "app-nope", "account_id": "user-1"}),
        "not_found",
    );
    let error = expect_error(
        "assign_application",
        json!({"application_instance_id": "app-wiki", "account_id": "user-999"}),
        "not_found",
    );
    assert_eq!(error["message"], "Account user-999 not found");
}

#[test]
fn unassign_application_states_its_effect() {
    let out = ok(
        "unassign_application",
        json!({"application_instance_id": "app-wiki", "account_id": "user-2"}),
    );
    assert_eq!(
        out["response"],
        json!({"unassigned": true, "deprovisioned": true, "status": "DEPROVISIONED"})
    );
    assert_eq!(effect(&out), ("deleted", false));
    // An inactive application's accounts can still be removed.
    let out = ok(
        "unassign_application",
        json!({"application_instance_id": "app-legacy", "account_id": "user-3"}),
    );
    assert_eq!(effect(&out), ("deleted", false));
    for (application, account) in [
        ("app-wiki", "user-3"),
        ("app-wiki", "user-999"),
        ("app-nope", "user-2"),
    ] {
        expect_error(
            "unassign_application",
            json!({"application_instance_id": application, "account_id": account}),
            "not_found",
        );
    }
}

fn application_grant(
    application: &str,
    account: &str,
    kind: &str,
    resource: &str,
    id: &str,
) -> Value {
    json!({
        "application_instance_id": application,
        "account_integration_specific_id": account,
        "resource_integration_specific_id": resource,
        "resource_type": if resource.is_empty() { "" } else { "workspace" },
        "entitlement_type": kind,
        "entitlement_integration_specific_id": id,
    })
}

#[test]
fn assign_application_entitlement_states_its_effect() {
    let out = ok(
        "assign_application_entitlement",
        application_grant(
            "app-chat",
            "user-1",
            "workspace_member",
            "chat-sales",
            "chat-sales-member",
        ),
    );
    assert_eq!(out["response"], json!({"assigned": true}));
    assert_eq!(effect(&out), ("created", true));
    assert_eq!(
        out["execution_summary"]["description"],
        "Granted chat-sales-member in application app-chat to account user-1"
    );
    let out = ok(
        "assign_application_entitlement",
        application_grant("app-chat", "user-1", "role", "", "chat-member"),
    );
    assert_eq!(effect(&out), ("noop", true), "already held");

    let cases = [
        // An entitlement of another application, a wrong resource, a wrong type.
        (
            application_grant("app-chat", "user-1", "role", "", "wiki-editor"),
            "not_found",
            "pretend_app.application_entitlement_not_found",
        ),
        (
            application_grant(
                "app-chat",
                "user-1",
                "workspace_member",
                "chat-eng",
                "chat-sales-member",
            ),
            "not_found",
            "pretend_app.application_entitlement_not_found",
        ),
        (
            application_grant("app-chat", "user-1", "group", "", "chat-member"),
            "not_found",
            "pretend_app.application_entitlement_not_found",
        ),
        // user-3 is not in the wiki; user-999 does not exist; nor does app-nope.
        (
            application_grant("app-wiki", "user-3", "role", "", "wiki-reader"),
            "not_found",
            "pretend_app.application_account_not_found",
        ),
        (
            application_grant("app-wiki", "user-999", "role", "", "wiki-reader"),
            "not_found",
            "pretend_app.account_not_found",
        ),
        (
            application_grant("app-nope", "user-2", "role", "", "wiki-reader"),
            "not_found",
            "pretend_app.application_not_found",
        ),
        (
            application_grant("app-legacy", "user-3", "role", "", "legacy-user"),
            "conflict",
            "pretend_app.application_inactive",
        ),
    ];
    for (request, code, app_code) in cases {
        let error = expect_error("assign_application_entitlement", request.clone(), code);
        assert_eq!(error["app_error_code"], app_code, "{request}");
    }
}

#[test]
fn unassign_application_entitlement_states_its_effect() {
    let out = ok(
        "unassign_application_entitlement",
        application_grant(
            "app-chat",
            "user-1",
            "workspace_member",
            "chat-eng",
            "chat-eng-member",
        ),
    );
    assert_eq!(out["response"], json!({"unassigned": true}));
    assert_eq!(effect(&out), ("deleted", false));
    for request in [
        application_grant(
            "app-chat",
            "user-1",
            "workspace_member",
            "chat-sales",
            "chat-sales-member",
        ),
        application_grant("app-wiki", "user-3", "role", "", "wiki-reader"),
        application_grant("app-chat", "user-999", "role", "", "chat-member"),
    ] {
        let error = expect_error("unassign_application_entitlement", request, "not_found");
        assert_eq!(error["app_error_code"], "pretend_app.assignment_not_found");
    }
    let error = expect_error(
        "unassign_application_entitlement",
        application_grant("app-nope", "user-1", "role", "", "chat-member"),
        "not_found",
    );
    assert_eq!(error["app_error_code"], "pretend_app.application_not_found");
}

#[test]
fn a_bad_token_is_unauthorized_for_every_added_capability() {
    let since = json!({"since_date": "2026-01-01", "actors": []});
    let cases = [
        ("get_account", json!({"account_id": "user-1"})),
        ("list_updated_accounts", json!({})),
        ("list_activity_records", since.clone()),
        (
            "transfer_data",
            json!({"source_account_id": "user-3", "target_account_id": "user-2"}),
        ),
        ("downgrade_license", json!({"account_id": "user-1"})),
        ("list_applications", json!({})),
        (
            "get_application",
            json!({"application_instance_id": "app-chat"}),
        ),
        ("list_applications_accounts", json!({})),
        ("list_applications_activity_records", since),
        ("list_applications_entitlement_associations", json!({})),
        ("list_applications_entitlements", json!({})),
        ("list_applications_resources", json!({})),
        (
            "get_application_account",
            json!({"application_instance_id": "app-chat", "account_id": "user-1"}),
        ),
        (
            "assign_application",
            json!({"application_instance_id": "app-wiki", "account_id": "user-3"}),
        ),
        (
            "unassign_application",
            json!({"application_instance_id": "app-wiki", "account_id": "user-2"}),
        ),
        (
            "assign_application_entitlement",
            application_grant("app-chat", "user-1", "role", "", "chat-admin"),
        ),
        (
            "unassign_application_entitlement",
            application_grant("app-chat", "user-1", "role", "", "chat-member"),
        ),
    ];
    for (capability, request) in cases {
        let mut envelope = envelope(request, None);
        envelope["auth"]["token"]["token"] = json!("bad-token");
        let out = run(capability, &envelope);
        assert_eq!(
            out["error"]["error_code"], "unauthorized",
            "{capability}: {out}"
        );
        assert_eq!(out["error"]["message"], "The pretend token was rejected");
    }
}

#[test]
fn info_lists_the_added_capabilities_with_their_schemas() {
    let dir = env!("CARGO_TARGET_TMPDIR");
    let output = Command::new(BIN)
        .arg("info")
        .current_dir(dir)
        .env("LUMOS_LOG_DIRECTORY", dir)
        .output()
        .expect("pretend-app runs");
    assert!(output.status.success());
    let info: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let info = &info["response"];
    let listed: BTreeSet<&str> = info["capabilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|name| name.as_str().unwrap())
        .collect();
    for (name, level) in [
        ("get_account", "read"),
        ("list_updated_accounts", "read"),
        ("list_activity_records", "read"),
        ("transfer_data", "write"),
        ("downgrade_license", "write"),
        ("list_applications", "read"),
        ("get_application", "read"),
        ("list_applications_accounts", "read"),
        ("list_applications_activity_records", "read"),
        ("list_applications_entitlement_associations", "read"),
        ("list_applications_entitlements", "read"),
        ("list_applications_resources", "read"),
        ("get_application_account", "read"),
        ("assign_application", "write"),
        ("unassign_application", "write"),
        ("assign_application_entitlement", "write"),
        ("unassign_application_entitlement", "write"),
    ] {
        assert!(listed.contains(name), "{name}");
        let schema = &info["capability_schema"][name];
        assert_eq!(schema["argument"]["x-capability-level"], level, "{name}");
        assert!(schema["output"].is_object(), "{name}");
        assert!(
            schema["description"]
                .as_str()
                .is_some_and(|text| !text.is_empty()),
            "{name}: described by its doc comment"
        );
    }
}
