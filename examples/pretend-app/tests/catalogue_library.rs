//! Write-then-read sequences on one pretend-app value through the library entry
//! (`PretendApp::default().dispatch(name, json)`), for the capabilities added for the rest
//! of the catalogue: what a write changes is what the next read sees.

use std::collections::BTreeSet;

use connector_sdk::Connector as _;
use pretend_app::PretendApp;
use serde_json::{Value, json};

/// Runs a future to completion on a fresh single-threaded runtime.
fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(future)
}

/// Calls `capability` on `app` with the good token and settings, `request` and `page`.
fn call_paged(app: &PretendApp, capability: &str, request: Value, page: Value) -> Value {
    let envelope = json!({
        "auth": {"token": {"token": "tok-5d41402abc4b2a76"}},
        "settings": {"base_url": "https://pretend.example"},
        "request": request,
        "page": page,
    });
    let out = block_on(app.dispatch(capability, &envelope.to_string()));
    serde_json::from_str(&out).unwrap_or_else(|err| panic!("{capability}: {err}: {out}"))
}

fn call(app: &PretendApp, capability: &str, request: Value) -> Value {
    call_paged(app, capability, request, Value::Null)
}

/// A success envelope of `capability`.
fn ok(app: &PretendApp, capability: &str, request: Value) -> Value {
    let out = call(app, capability, request);
    assert!(out.get("is_error").is_none(), "{capability}: {out}");
    out
}

/// The error code of an error envelope.
fn error_code(app: &PretendApp, capability: &str, request: Value) -> String {
    let out = call(app, capability, request);
    assert_eq!(out["is_error"], true, "{capability}: {out}");
    out["error"]["error_code"].as_str().unwrap().to_owned()
}

/// Every item of a list capability, page by page to the end.
fn all(app: &PretendApp, capability: &str, request: Value) -> Vec<Value> {
    let mut items = Vec::new();
    let mut page = json!({"size": 10});
    for _ in 0..100 {
        let out = call_paged(app, capability, request.clone(), page.clone());
        assert!(out.get("is_error").is_none(), "{capability}: {out}");
        items.extend(out["response"].as_array().unwrap().iter().cloned());
        match out["page"]["token"].as_str() {
            Some(token) => page = json!({"size": 10, "token": token}),
            None => return items,
        }
    }
    panic!("{capability}: paging does not end");
}

/// The (id, updated_at) of every account list_updated_accounts reports for `since`,
/// following its cursor.
fn updated_since(app: &PretendApp, since: &str) -> Vec<(String, String)> {
    let mut request = json!({"since": since});
    let mut found = Vec::new();
    for _ in 0..100 {
        let out = ok(app, "list_updated_accounts", request.clone());
        for account in out["response"]["accounts"].as_array().unwrap() {
            found.push((
                account["integration_specific_id"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
                account["extra_data"]["updated_at"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            ));
        }
        match &out["response"]["cursor"] {
            Value::String(cursor) => request["cursor"] = json!(cursor),
            _ => return found,
        }
    }
    panic!("the cursor does not end");
}

fn ids(found: &[(String, String)]) -> Vec<&str> {
    found.iter().map(|(id, _)| id.as_str()).collect()
}

fn account(app: &PretendApp, id: &str) -> Value {
    ok(app, "get_account", json!({"account_id": id}))["response"].clone()
}

fn effect(out: &Value) -> &str {
    out["execution_summary"]["effect"]["kind"].as_str().unwrap()
}

const NOW: &str = "2026-12-01T00:00:00Z";

#[test]
fn writes_stamp_accounts_and_list_updated_accounts_sees_them() {
    let app = PretendApp::default();
    assert!(updated_since(&app, NOW).is_empty(), "nothing changed yet");

    ok(
        &app,
        "update_account",
        json!({"id": "user-3", "email": "three@pretend.example"}),
    );
    ok(&app, "deactivate_account", json!({"account_id": "user-5"}));
    // A write that changes nothing stamps nothing.
    ok(&app, "deactivate_account", json!({"account_id": "user-7"}));
    ok(&app, "activate_account", json!({"account_id": "user-1"}));
    ok(
        &app,
        "assign_entitlement",
        json!({"account_integration_specific_id": "user-9", "resource_integration_specific_id": "", "resource_type": "", "entitlement_type": "group", "entitlement_integration_specific_id": "sales"}),
    );
    ok(
        &app,
        "unassign_entitlement",
        json!({"account_integration_specific_id": "user-11", "resource_integration_specific_id": "", "resource_type": "", "entitlement_type": "group", "entitlement_integration_specific_id": "engineering"}),
    );
    let created = ok(&app, "create_account", json!({"username": "newcomer"}));
    let new_id = created["response"]["id"].as_str().unwrap().to_owned();
    assert_eq!(new_id, "user-31");

    let found = updated_since(&app, NOW);
    assert_eq!(
        found,
        [
            ("user-3".to_owned(), "2026-12-01T00:00:00Z".to_owned()),
            ("user-5".to_owned(), "2026-12-01T00:01:00Z".to_owned()),
            ("user-9".to_owned(), "2026-12-01T00:02:00Z".to_owned()),
            ("user-11".to_owned(), "2026-12-01T00:03:00Z".to_owned()),
            ("user-31".to_owned(), "2026-12-01T00:04:00Z".to_owned()),
        ]
    );
    let details = ok(
        &app,
        "list_updated_accounts",
        json!({"since": "2026-12-01T00:01:00Z"}),
    );
    let accounts = details["response"]["accounts"].as_array().unwrap();
    assert_eq!(
        accounts[0]["user_status"], "INACTIVE",
        "user-5 as it is now"
    );
    assert_eq!(
        accounts[3]["extra_data"],
        json!({"license": "free", "documents": 0, "updated_at": "2026-12-01T00:04:00Z"}),
        "a new account holds no paid license and no documents"
    );
    assert_eq!(account(&app, "user-3")["email"], "three@pretend.example");
}

#[test]
fn an_account_changed_while_the_feed_is_read_comes_again_at_the_end() {
    let app = PretendApp::default();
    let first = ok(&app, "list_updated_accounts", json!({}));
    let batch: Vec<&str> = first["response"]["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|account| account["integration_specific_id"].as_str().unwrap())
        .collect();
    assert_eq!(batch.first(), Some(&"user-1"));
    let cursor = first["response"]["cursor"].as_str().unwrap().to_owned();

    // user-2 (already read) and user-25 (not yet read) change before the next batch.
    ok(&app, "downgrade_license", json!({"account_id": "user-2"}));
    ok(&app, "downgrade_license", json!({"account_id": "user-25"}));

    let mut rest = Vec::new();
    let mut request = json!({"cursor": cursor});
    loop {
        let out = ok(&app, "list_updated_accounts", request.clone());
        rest.extend(
            out["response"]["accounts"]
                .as_array()
                .unwrap()
                .iter()
                .map(|account| {
                    account["integration_specific_id"]
                        .as_str()
                        .unwrap()
                        .to_owned()
                }),
        );
        match &out["response"]["cursor"] {
            Value::String(cursor) => request["cursor"] = json!(cursor),
            _ => break,
        }
    }
    let mut expected: Vec<String> = (11..=30)
        .filter(|n| *n != 25)
        .map(|n| format!("user-{n}"))
        .collect();
    expected.extend(["user-2".to_owned(), "user-25".to_owned()]);
    assert_eq!(rest, expected, "nothing skipped, the changed ones last");
}

#[test]
fn transfer_data_moves_documents_once() {
    let app = PretendApp::default();
    let documents = |id: &str| account(&app, id)["extra_data"]["documents"].clone();
    assert_eq!(
        (documents("user-3"), documents("user-2")),
        (json!(3), json!(2))
    );
    let request = json!({"source_account_id": "user-3", "target_account_id": "user-2"});
    let out = ok(&app, "transfer_data", request.clone());
    assert_eq!(effect(&out), "updated");
    assert_eq!(
        (documents("user-3"), documents("user-2")),
        (json!(0), json!(5))
    );
    assert_eq!(
        ids(&updated_since(&app, NOW)),
        ["user-3", "user-2"],
        "both accounts changed"
    );
    let again = ok(&app, "transfer_data", request);
    assert_eq!(
        effect(&again),
        "noop",
        "the same request again changes nothing"
    );
    assert_eq!(
        again["response"]["reason"],
        "Account user-3 owns no documents"
    );
    assert_eq!(
        (documents("user-3"), documents("user-2")),
        (json!(0), json!(5))
    );
    assert_eq!(updated_since(&app, NOW).len(), 2);
}

#[test]
fn downgrade_license_frees_the_seat_once() {
    let app = PretendApp::default();
    let license = |id: &str| account(&app, id)["extra_data"]["license"].clone();
    assert_eq!(license("user-10"), "enterprise");
    let out = ok(&app, "downgrade_license", json!({"account_id": "user-10"}));
    assert_eq!(effect(&out), "updated");
    assert_eq!(out["execution_summary"]["is_idempotent"], true);
    assert_eq!(license("user-10"), "free");
    let again = ok(&app, "downgrade_license", json!({"account_id": "user-10"}));
    assert_eq!(effect(&again), "noop");
    assert_eq!(ids(&updated_since(&app, NOW)), ["user-10"]);
}

fn assignment(app: &PretendApp, application: &str, account: &str) -> Result<Value, String> {
    let out = call(
        app,
        "get_application_account",
        json!({"application_instance_id": application, "account_id": account}),
    );
    if out["is_error"] == true {
        Err(out["error"]["error_code"].as_str().unwrap().to_owned())
    } else {
        Ok(out["response"].clone())
    }
}

/// The (application, account, entitlement, resource) grants inside the applications.
fn application_grants(app: &PretendApp) -> BTreeSet<(String, String, String, String)> {
    all(app, "list_applications_entitlement_associations", json!({}))
        .iter()
        .map(|grant| {
            let text = |key: &str| grant[key].as_str().unwrap().to_owned();
            (
                text("application_instance_id"),
                text("account_id"),
                text("integration_specific_entitlement_id"),
                text("integration_specific_resource_id"),
            )
        })
        .collect()
}

fn grant(
    application: &str,
    account: &str,
    entitlement: &str,
    resource: &str,
) -> (String, String, String, String) {
    (
        application.to_owned(),
        account.to_owned(),
        entitlement.to_owned(),
        resource.to_owned(),
    )
}

#[test]
fn assigning_and_unassigning_an_application_is_seen_by_the_reads() {
    let app = PretendApp::default();
    assert_eq!(
        assignment(&app, "app-wiki", "user-7"),
        Err("not_found".into())
    );
    let before = all(&app, "list_applications_accounts", json!({})).len();

    let out = ok(
        &app,
        "assign_application",
        json!({"application_instance_id": "app-wiki", "account_id": "user-7"}),
    );
    assert_eq!(effect(&out), "created");
    assert_eq!(
        assignment(&app, "app-wiki", "user-7"),
        Ok(
            json!({"account_id": "user-7", "application_instance_id": "app-wiki", "status": "INACTIVE"})
        ),
        "assigned with the account's status"
    );
    let listed = all(&app, "list_applications_accounts", json!({}));
    assert_eq!(listed.len(), before + 1);
    assert!(listed.contains(&json!({"account_id": "user-7", "application_instance_id": "app-wiki", "status": "INACTIVE"})));
    let again = ok(
        &app,
        "assign_application",
        json!({"application_instance_id": "app-wiki", "account_id": "user-7"}),
    );
    assert_eq!(effect(&again), "noop");
    assert_eq!(
        all(&app, "list_applications_accounts", json!({})).len(),
        before + 1
    );

    // Removing an account from an application takes its entitlements there too.
    assert!(application_grants(&app).contains(&grant(
        "app-chat",
        "user-1",
        "chat-eng-member",
        "chat-eng"
    )));
    let out = ok(
        &app,
        "unassign_application",
        json!({"application_instance_id": "app-chat", "account_id": "user-1"}),
    );
    assert_eq!(effect(&out), "deleted");
    assert_eq!(
        assignment(&app, "app-chat", "user-1"),
        Err("not_found".into())
    );
    let grants = application_grants(&app);
    assert!(
        !grants
            .iter()
            .any(|(application, account, ..)| application == "app-chat" && account == "user-1")
    );
    assert!(
        grants.contains(&grant("app-chat", "user-3", "chat-eng-member", "chat-eng")),
        "others keep theirs"
    );
    assert_eq!(
        error_code(
            &app,
            "unassign_application",
            json!({"application_instance_id": "app-chat", "account_id": "user-1"}),
        ),
        "not_found",
        "removing it twice"
    );
    assert_eq!(
        ids(&updated_since(&app, NOW)),
        ["user-7", "user-1"],
        "both accounts changed once"
    );
}

fn chat_grant(account: &str, kind: &str, resource: &str, id: &str) -> Value {
    json!({
        "application_instance_id": "app-chat",
        "account_integration_specific_id": account,
        "resource_integration_specific_id": resource,
        "resource_type": "workspace",
        "entitlement_type": kind,
        "entitlement_integration_specific_id": id,
    })
}

#[test]
fn application_entitlements_granted_and_revoked_are_seen_by_the_reads() {
    let app = PretendApp::default();
    let sales = grant("app-chat", "user-1", "chat-sales-member", "chat-sales");
    assert!(!application_grants(&app).contains(&sales));
    let request = chat_grant(
        "user-1",
        "workspace_member",
        "chat-sales",
        "chat-sales-member",
    );
    let out = ok(&app, "assign_application_entitlement", request.clone());
    assert_eq!(effect(&out), "created");
    assert!(application_grants(&app).contains(&sales));
    let again = ok(&app, "assign_application_entitlement", request.clone());
    assert_eq!(effect(&again), "noop");

    let out = ok(&app, "unassign_application_entitlement", request.clone());
    assert_eq!(effect(&out), "deleted");
    assert!(!application_grants(&app).contains(&sales));
    assert_eq!(
        error_code(&app, "unassign_application_entitlement", request),
        "not_found",
        "revoking it twice"
    );
    assert_eq!(ids(&updated_since(&app, NOW)), ["user-1"]);

    // An account newly assigned to an application can be granted its entitlements.
    let wiki = json!({
        "application_instance_id": "app-wiki",
        "account_integration_specific_id": "user-3",
        "resource_integration_specific_id": "wiki-eng",
        "resource_type": "workspace",
        "entitlement_type": "workspace_member",
        "entitlement_integration_specific_id": "wiki-eng-member",
    });
    assert_eq!(
        error_code(&app, "assign_application_entitlement", wiki.clone()),
        "not_found"
    );
    ok(
        &app,
        "assign_application",
        json!({"application_instance_id": "app-wiki", "account_id": "user-3"}),
    );
    ok(&app, "assign_application_entitlement", wiki);
    assert!(application_grants(&app).contains(&grant(
        "app-wiki",
        "user-3",
        "wiki-eng-member",
        "wiki-eng"
    )));
}

#[test]
fn a_deleted_account_leaves_its_applications_but_not_the_log() {
    let app = PretendApp::default();
    let since = json!({"since_date": "2026-01-01", "actors": []});
    let log = all(&app, "list_activity_records", since.clone());
    let app_log = all(&app, "list_applications_activity_records", since.clone());
    ok(&app, "delete_account", json!({"account_id": "user-2"}));

    assert_eq!(
        assignment(&app, "app-chat", "user-2"),
        Err("not_found".into())
    );
    assert_eq!(
        assignment(&app, "app-wiki", "user-2"),
        Err("not_found".into())
    );
    assert!(
        !application_grants(&app)
            .iter()
            .any(|(_, account, ..)| account == "user-2")
    );
    assert!(
        !all(&app, "list_applications_accounts", json!({}))
            .iter()
            .any(|item| item["account_id"] == "user-2")
    );
    assert_eq!(
        error_code(&app, "get_account", json!({"account_id": "user-2"})),
        "not_found"
    );

    // What happened stays in the log; asking for a deleted actor by name is not_found.
    assert_eq!(all(&app, "list_activity_records", since.clone()), log);
    assert_eq!(
        all(&app, "list_applications_activity_records", since),
        app_log
    );
    assert_eq!(
        error_code(
            &app,
            "list_activity_records",
            json!({"since_date": "2026-01-01", "actors": [{"account_id": "user-2"}]}),
        ),
        "not_found"
    );
}

#[test]
fn the_existing_capabilities_answer_as_before_after_the_new_writes() {
    // The new writes touch only their own parts of the tenant.
    let app = PretendApp::default();
    let accounts = all(&app, "list_accounts", json!({}));
    let associations = all(&app, "find_entitlement_associations", json!({}));
    ok(
        &app,
        "transfer_data",
        json!({"source_account_id": "user-3", "target_account_id": "user-2"}),
    );
    ok(&app, "downgrade_license", json!({"account_id": "user-5"}));
    ok(
        &app,
        "assign_application",
        json!({"application_instance_id": "app-wiki", "account_id": "user-3"}),
    );
    ok(
        &app,
        "unassign_application",
        json!({"application_instance_id": "app-chat", "account_id": "user-4"}),
    );
    ok(
        &app,
        "assign_application_entitlement",
        chat_grant("user-1", "role", "", "chat-admin"),
    );
    assert_eq!(all(&app, "list_accounts", json!({})), accounts);
    assert_eq!(
        all(&app, "find_entitlement_associations", json!({})),
        associations
    );
    let last = ok(
        &app,
        "get_last_activity",
        json!({"account_ids": ["user-2"]}),
    );
    assert_eq!(last["response"][0]["happened_at"], "2026-11-02T09:00:00Z");
    let log = all(
        &app,
        "list_activity_records",
        json!({"since_date": "2026-11-02", "actors": [{"account_id": "user-2"}]}),
    );
    assert_eq!(
        log[0]["timestamp"], last["response"][0]["happened_at"],
        "the log agrees with get_last_activity"
    );
}
