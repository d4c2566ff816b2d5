//! pretend-app passes the conformance suite, in-process and through its built binary.

use connector_sdk::testing::{EntitlementFixture, Fixtures, Rule, check, check_binary};
use pretend_app::PretendApp;
use serde_json::json;

/// The settings, the token, an account the suite may change (user-2 is not in
/// engineering), and an account it may create and delete.
fn fixtures() -> Fixtures {
    Fixtures::new(
        json!({"base_url": "https://pretend.example"}),
        json!({"auth": {"token": {"token": "tok-5d41402abc4b2a76"}}}),
    )
    .assignable(
        "user-2",
        EntitlementFixture::new("engineering", "", "group", "group"),
    )
    .creatable_account(json!({"username": "conformance-new", "entitlements": []}))
    .wrong_credentials(json!({"auth": {"token": {"token": "bad-token"}}}))
}

#[test]
fn pretend_app_conforms_in_process() {
    let report = check(PretendApp::default(), fixtures());
    for rule in [
        Rule::AssignUnassignRestores,
        Rule::AssignUnassignIdempotent,
        Rule::CreateGetDeleteRoundTrip,
        Rule::AssociationsReferToListedIds,
    ] {
        assert!(report.checked.contains(&rule), "{rule} was not checked");
    }
}

#[test]
fn pretend_app_conforms_through_its_cli() {
    // Each CLI run starts a fresh tenant, so the write rules (which read back what a
    // write changed) run in-process only; one page size keeps the process count low.
    let fixtures = Fixtures::new(
        json!({"base_url": "https://pretend.example"}),
        json!({"auth": {"token": {"token": "tok-5d41402abc4b2a76"}}}),
    )
    .wrong_credentials(json!({"auth": {"token": {"token": "bad-token"}}}))
    .page_sizes(&[4]);
    check_binary(env!("CARGO_BIN_EXE_pretend-app"), fixtures);
}
