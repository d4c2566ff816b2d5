//! Schema fidelity: the JSON schemas of the generated models, passed through
//! [`crate::schema::schema_for`], must equal what the reference prints in `info`
//! (recorded in `connector-sdk/tests/data/*_info.json`), and the models must keep the
//! reference's wire shape.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::*;
use crate::capability::Capability;
use crate::caps;
use crate::schema::{schema_for, schema_with_field_order};

const CLI_INFO: &str = include_str!("../../tests/data/cli_info.json");
const MULTI_CLI_INFO: &str = include_str!("../../tests/data/multi_cli_info.json");
const OAUTH_CLI_INFO: &str = include_str!("../../tests/data/oauth_cli_info.json");

fn recorded_info(text: &str) -> Value {
    let run: Value = serde_json::from_str(text).expect("recorded run");
    run["stdout_json"]["response"].clone()
}

/// What the reference prints as the output schema of a list capability.
fn empty_output() -> Value {
    json!({"properties": {}, "title": "Empty", "type": "object"})
}

fn output_schema<R: JsonSchema>() -> Value {
    let schema = schema_for::<R>();
    if schema.get("type") == Some(&json!("array")) {
        empty_output()
    } else {
        schema
    }
}

/// The demo connector's custom capability `echo_message`.
#[derive(Deserialize, JsonSchema)]
#[schemars(description = "")]
#[allow(dead_code)]
struct EchoMessage {
    /// Text to echo
    message: String,
}

/// The demo's output of `echo_message`.
#[derive(Serialize, JsonSchema)]
#[schemars(description = "")]
struct EchoedMessage {
    echoed: String,
}

/// The demo connector's extended `create_account` payload (`CreatableAccount` plus
/// `email`), written out field by field.
#[derive(Deserialize, JsonSchema)]
#[schemars(rename = "CreateAccount", description = "")]
#[schemars(extend("x-capability-level" = "write"))]
#[allow(dead_code)]
struct DemoCreateAccount {
    /// List of _required_ entitlements that must be set when an account is created. This list is all entitlement types with a min > 0
    #[serde(default)]
    entitlements: Vec<CreateAccountEntitlement>,
    /// The email address for the new account
    #[serde(default)]
    email: Option<String>,
}

/// The same payload written as an extension of `CreatableAccount` with `#[serde(flatten)]`.
#[derive(Deserialize, JsonSchema)]
#[schemars(rename = "CreateAccount")]
#[allow(dead_code)]
struct FlattenedCreateAccount {
    #[serde(flatten)]
    base: CreatableAccount,
    /// The email address for the new account
    #[serde(default)]
    email: Option<String>,
}

#[test]
fn flattened_extension_keeps_the_base_schema() {
    // schemars merges the flattened base's root keywords (its description and
    // `x-capability-level`); apart from the description the schema is the reference's.
    let mut ours = schema_for::<FlattenedCreateAccount>();
    assert_eq!(ours["x-capability-level"], json!("write"));
    ours.as_object_mut().unwrap().remove("description");
    let recorded =
        recorded_info(CLI_INFO)["capability_schema"]["create_account"]["argument"].clone();
    let mut failures = Vec::new();
    assert_same("flattened create_account", &ours, &recorded, &mut failures);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let parsed: FlattenedCreateAccount = serde_json::from_value(json!({"email": "a@b.c"})).unwrap();
    assert!(parsed.base.entitlements.is_empty());
}

/// (argument, output) schemas of a capability as our runtime would print them.
fn our_schemas(name: &str) -> Option<(Value, Value)> {
    macro_rules! standard {
        ($($marker:ident),* $(,)?) => {
            match name {
                $(
                    n if n == <caps::$marker as Capability>::NAME => Some((
                        schema_for::<<caps::$marker as Capability>::Payload>(),
                        output_schema::<<caps::$marker as Capability>::Response>(),
                    )),
                )*
                _ => None,
            }
        };
    }
    match name {
        "echo_message" => {
            return Some((schema_for::<EchoMessage>(), schema_for::<EchoedMessage>()));
        }
        // The demo extends create_account's payload with `email`.
        "create_account" => {
            return Some((
                schema_for::<DemoCreateAccount>(),
                output_schema::<<caps::CreateAccount as Capability>::Response>(),
            ));
        }
        _ => {}
    }
    standard!(
        ActivateAccount,
        AppInfo,
        AssignApplication,
        AssignApplicationEntitlement,
        AssignEntitlement,
        DeactivateAccount,
        DeleteAccount,
        DowngradeLicense,
        FindEntitlementAssignments,
        FindEntitlementAssociations,
        FindEntitlementGraph,
        FindResourceGraph,
        FulfillArbitraryEndpoint,
        GetAccount,
        GetAccountEntitlementAssociations,
        GetApplication,
        GetApplicationAccount,
        GetAuthorizationUrl,
        GetCredentialLastActivity,
        GetDataRecency,
        GetLastActivity,
        GetNonHumanAccountLastActivity,
        HandleAuthorizationCallback,
        HandleClientCredentialsRequest,
        ListAccounts,
        ListActivityRecords,
        ListApplications,
        ListApplicationsAccounts,
        ListApplicationsActivityRecords,
        ListApplicationsEntitlementAssociations,
        ListApplicationsEntitlements,
        ListApplicationsResources,
        ListCredentials,
        ListCustomAttributesSchema,
        ListEntitlements,
        ListExpenses,
        ListNonHumanAccounts,
        ListResources,
        ListUpdatedAccounts,
        ProbeIntegration,
        RefreshAccessToken,
        ReleaseResources,
        TransferData,
        UnassignApplication,
        UnassignApplicationEntitlement,
        UnassignEntitlement,
        UpdateAccount,
        ValidateCredentialConfig,
        ValidateCredentials,
    )
}

/// Every difference between two JSON values, as `path: ours != recorded` lines.
fn diff(path: &str, ours: &Value, recorded: &Value, out: &mut Vec<String>) {
    match (ours, recorded) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, va) in a {
                match b.get(k) {
                    Some(vb) => diff(&format!("{path}/{k}"), va, vb, out),
                    None => out.push(format!("{path}/{k}: extra in ours: {va}")),
                }
            }
            for (k, vb) in b {
                if !a.contains_key(k) {
                    out.push(format!("{path}/{k}: missing in ours: {vb}"));
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (va, vb)) in a.iter().zip(b).enumerate() {
                diff(&format!("{path}/{i}"), va, vb, out);
            }
        }
        _ if ours == recorded => {}
        _ => out.push(format!("{path}: ours {ours} != recorded {recorded}")),
    }
}

fn assert_same(what: &str, ours: &Value, recorded: &Value, failures: &mut Vec<String>) {
    let mut lines = Vec::new();
    diff("", ours, recorded, &mut lines);
    if !lines.is_empty() {
        failures.push(format!("{what}:\n  {}", lines.join("\n  ")));
    }
}

fn check_capability_schemas(file: &str, text: &str) {
    let info = recorded_info(text);
    let mut failures = Vec::new();
    let mut checked = 0;
    for (name, recorded) in info["capability_schema"]
        .as_object()
        .expect("capability_schema")
    {
        let (argument, output) =
            our_schemas(name).unwrap_or_else(|| panic!("{file}: no schema for {name}"));
        assert_same(
            &format!("{file} {name} argument"),
            &argument,
            &recorded["argument"],
            &mut failures,
        );
        assert_same(
            &format!("{file} {name} output"),
            &output,
            &recorded["output"],
            &mut failures,
        );
        checked += 1;
    }
    assert!(checked > 0);
    assert!(
        failures.is_empty(),
        "{} schema mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn capability_schemas_match_cli_info() {
    check_capability_schemas("cli_info.json", CLI_INFO);
}

#[test]
fn capability_schemas_match_multi_cli_info() {
    check_capability_schemas("multi_cli_info.json", MULTI_CLI_INFO);
}

#[test]
fn capability_schemas_match_oauth_cli_info() {
    check_capability_schemas("oauth_cli_info.json", OAUTH_CLI_INFO);
}

#[test]
fn authentication_schemas_match() {
    let mut failures = Vec::new();
    let token = recorded_info(CLI_INFO)["authentication_schema"].clone();
    assert_same(
        "TokenCredential",
        &schema_with_field_order::<TokenCredential>(),
        &token,
        &mut failures,
    );
    let oauth = recorded_info(OAUTH_CLI_INFO)["authentication_schema"].clone();
    assert_same(
        "OAuthCredential",
        &schema_with_field_order::<OAuthCredential>(),
        &oauth,
        &mut failures,
    );

    // The multi-credential form: the credential's schema plus `id`, `x-optional` and the
    // connector's own description.
    let mut multi = recorded_info(MULTI_CLI_INFO)["credentials_schema"][0].clone();
    let obj = multi.as_object_mut().unwrap();
    obj.remove("id");
    obj.remove("x-optional");
    obj.insert(
        "description".into(),
        json!("Token-based authentication credentials."),
    );
    assert_same(
        "credentials_schema[0]",
        &schema_with_field_order::<TokenCredential>(),
        &multi,
        &mut failures,
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_capability_has_a_schema_and_a_marker() {
    assert_eq!(caps::ALL.len(), 50);
    let mut names: Vec<&str> = caps::ALL.iter().map(|(name, _, _)| *name).collect();
    let sorted = {
        let mut s = names.clone();
        s.sort_unstable();
        s
    };
    assert_eq!(names, sorted, "caps::ALL is sorted by name");
    names.dedup();
    assert_eq!(names.len(), 50);
    for name in names {
        let (argument, output) =
            our_schemas(name).unwrap_or_else(|| panic!("no marker for {name}"));
        assert!(argument["title"].is_string(), "{name}: {argument}");
        assert!(output["title"].is_string(), "{name}: {output}");
    }
}

#[test]
fn levels_and_envelopes() {
    use crate::capability::{CapabilityLevel, Envelope};
    assert_eq!(caps::ListAccounts::LEVEL, CapabilityLevel::Read);
    assert_eq!(caps::CreateAccount::LEVEL, CapabilityLevel::Write);
    const {
        assert!(caps::CreateAccount::CUSTOMIZABLE);
        assert!(caps::UpdateAccount::CUSTOMIZABLE);
        assert!(!caps::DeleteAccount::CUSTOMIZABLE);
    }
    assert_eq!(
        caps::ValidateCredentialConfig::LEVEL,
        CapabilityLevel::Validation
    );
    assert_eq!(
        caps::ValidateCredentialConfig::ENVELOPE,
        Envelope::Unauthenticated
    );
    assert_eq!(
        caps::RefreshAccessToken::ENVELOPE,
        Envelope::Unauthenticated
    );
    assert_eq!(caps::AppInfo::ENVELOPE, Envelope::Exempt);
    assert_eq!(caps::ListAccounts::ENVELOPE, Envelope::Authenticated);
}

#[test]
fn found_account_data_wire_order_and_nulls() {
    let account = FoundAccountData {
        integration_specific_id: "u1".into(),
        email: Some("a@example.com".into()),
        user_status: Some(AccountStatus::Active),
        ..FoundAccountData::new_for_test()
    };
    assert_eq!(
        serde_json::to_string(&account).unwrap(),
        r#"{"integration_specific_id":"u1","resource_id":null,"email":"a@example.com","given_name":null,"family_name":null,"username":null,"user_status":"ACTIVE","extra_data":null,"custom_attributes":null,"account_type":null}"#
    );
}

impl FoundAccountData {
    fn new_for_test() -> Self {
        serde_json::from_value(json!({"integration_specific_id": ""})).unwrap()
    }
}

#[test]
fn unknown_keys_are_ignored_and_types_are_strict() {
    let payload: ListAccounts =
        serde_json::from_value(json!({"custom_attributes": ["a"], "extra": 1})).unwrap();
    assert_eq!(payload.custom_attributes, Some(vec!["a".to_owned()]));
    assert!(serde_json::from_value::<DeleteAccount>(json!({"account_id": 42})).is_err());
    assert!(serde_json::from_value::<DeleteAccount>(json!({})).is_err());
    let empty: ListResources = serde_json::from_value(json!({})).unwrap();
    assert_eq!(empty, ListResources::default());
}

#[test]
fn auth_credential_bag() {
    let bag: AuthCredential =
        serde_json::from_value(json!({"id": "demo_token", "token": {"token": "s3cr3t"}})).unwrap();
    assert_eq!(bag.present_keys(), vec!["token"]);
    let token = bag.get::<TokenCredential>().expect("token");
    assert_eq!(token.token.expose(), "s3cr3t");
    assert!(bag.get::<BasicCredential>().is_none());
    assert_eq!(TokenCredential::KEY, "token");
    assert_eq!(TokenCredential::LABEL, "Token");
    assert_eq!(OAuthCredential::LABEL, "OAuth 2.0");
    assert!(!format!("{bag:?}").contains("s3cr3t"));
    for (key, schema) in [
        (OAuthCredential::KEY, schema_for::<OAuthCredential>()),
        (
            OAuthClientCredential::KEY,
            schema_for::<OAuthClientCredential>(),
        ),
        (OAuth1Credential::KEY, schema_for::<OAuth1Credential>()),
        (BasicCredential::KEY, schema_for::<BasicCredential>()),
        (TokenCredential::KEY, schema_for::<TokenCredential>()),
        (JWTCredential::KEY, schema_for::<JWTCredential>()),
        (
            ServiceAccountCredential::KEY,
            schema_for::<ServiceAccountCredential>(),
        ),
        (KeyPairCredential::KEY, schema_for::<KeyPairCredential>()),
        (EmptyCredential::KEY, schema_for::<EmptyCredential>()),
    ] {
        assert_eq!(schema["x-credential-type"], json!(key));
        assert!(AuthCredential::KEYS.contains(&key));
    }
}

#[test]
fn execution_summary_effects() {
    let summary = ExecutionSummary {
        effect: Effect::Noop {
            reason: NoopEffectReason::StateAlreadyMatches,
        },
        request_fingerprint: "abc".into(),
        is_idempotent: true,
        description: None,
        caught_errors: None,
    };
    assert_eq!(
        serde_json::to_string(&summary).unwrap(),
        r#"{"effect":{"kind":"noop","reason":"state_already_matches"},"request_fingerprint":"abc","is_idempotent":true,"description":null,"caught_errors":null}"#
    );
    assert_eq!(
        serde_json::to_value(Effect::Created).unwrap(),
        json!({"kind": "created"})
    );
    let back: Effect = serde_json::from_value(json!({"kind": "deleted"})).unwrap();
    assert_eq!(back, Effect::Deleted);
}

#[test]
fn probe_samples_dispatch_on_kind() {
    let sample: ProbeSample = serde_json::from_value(json!({
        "kind": "entitlement",
        "integration_specific_id": "e",
        "integration_specific_resource_id": "",
        "entitlement_type": "role",
        "label": "Role",
    }))
    .unwrap();
    assert!(matches!(sample, ProbeSample::Entitlement(_)));
    let sample: ProbeSample =
        serde_json::from_value(json!({"integration_specific_id": "u"})).unwrap();
    match sample {
        ProbeSample::Account(account) => assert_eq!(account.kind, "account"),
        other => panic!("{other:?}"),
    }
}

/// Parses a recorded run's request payload and response payload into our models and
/// checks that they serialize back byte for byte (same keys, same order, same nulls).
fn wire_roundtrip<P, R>(text: &str)
where
    P: serde::de::DeserializeOwned,
    R: Serialize + serde::de::DeserializeOwned,
{
    let run: Value = serde_json::from_str(text).unwrap();
    let input = &run["input_json"];
    serde_json::from_value::<P>(input["request"].clone()).expect("request payload");
    if let Some(auth) = input.get("auth") {
        serde_json::from_value::<AuthCredential>(auth.clone()).expect("auth");
    }
    let stdout: Value = serde_json::from_str(run["stdout"].as_str().unwrap()).unwrap();
    let recorded = serde_json::to_string(&stdout["response"]).unwrap();
    let typed: R = serde_json::from_value(stdout["response"].clone()).expect("response payload");
    assert_eq!(serde_json::to_string(&typed).unwrap(), recorded);
    if !stdout["execution_summary"].is_null() {
        let recorded = serde_json::to_string(&stdout["execution_summary"]).unwrap();
        let typed: ExecutionSummary =
            serde_json::from_value(stdout["execution_summary"].clone()).unwrap();
        assert_eq!(serde_json::to_string(&typed).unwrap(), recorded);
    }
}

#[test]
fn recorded_runs_roundtrip_through_the_models() {
    macro_rules! roundtrip {
        ($file:literal, $marker:ident) => {
            wire_roundtrip::<
                <caps::$marker as Capability>::Payload,
                <caps::$marker as Capability>::Response,
            >(include_str!(concat!("../../tests/data/", $file)))
        };
    }
    roundtrip!("cli_list_accounts_page1.json", ListAccounts);
    roundtrip!("cli_list_accounts_page2.json", ListAccounts);
    roundtrip!("cli_create_account.json", CreateAccount);
    roundtrip!("cli_assign_entitlement.json", AssignEntitlement);
    roundtrip!("cli_validate_credentials.json", ValidateCredentials);
    roundtrip!(
        "oauth_handle_authorization_callback.json",
        HandleAuthorizationCallback
    );
    roundtrip!("oauth_refresh_access_token.json", RefreshAccessToken);
    roundtrip!("oauth_get_authorization_url_pkce.json", GetAuthorizationUrl);
    roundtrip!(
        "oauth_cc_handle_client_credentials_request.json",
        HandleClientCredentialsRequest
    );
    roundtrip!("cli_app_info.json", AppInfo);
}

/// A pydantic schema in the form `app_info` prints it (OpenAPI 3.0): `anyOf [X, null]`
/// merged into `X` + `"nullable": true`, refs under `#/components/schemas/`.
fn to_openapi(value: &mut Value) {
    match value {
        Value::Object(obj) => {
            let nullable_branch = match obj.get("anyOf").and_then(Value::as_array) {
                Some(branches) if branches.len() == 2 && branches[1] == json!({"type": "null"}) => {
                    Some(branches[0].clone())
                }
                _ => None,
            };
            if let Some(Value::Object(branch)) = nullable_branch {
                obj.remove("anyOf");
                obj.extend(branch);
                obj.insert("nullable".into(), json!(true));
            }
            if let Some(Value::String(r)) = obj.get_mut("$ref") {
                *r = r.replace("#/$defs/", "#/components/schemas/");
            }
            obj.values_mut().for_each(to_openapi);
        }
        Value::Array(items) => items.iter_mut().for_each(to_openapi),
        _ => {}
    }
}

#[test]
fn app_info_components_match() {
    let run: Value =
        serde_json::from_str(include_str!("../../tests/data/cli_app_info.json")).unwrap();
    let components = &run["stdout_json"]["response"]["app_schema"]["components"]["schemas"];
    let mut ours = serde_json::Map::new();
    let mut add = |mut schema: Value| {
        let obj = schema.as_object_mut().unwrap();
        if let Some(Value::Object(defs)) = obj.remove("$defs") {
            for (name, def) in defs {
                ours.insert(name, def);
            }
        }
        let title = obj["title"].as_str().unwrap().to_owned();
        ours.insert(title, schema);
    };
    macro_rules! all {
        ($($ty:ty),* $(,)?) => { $( add(schema_for::<$ty>()); )* };
    }
    all!(
        AppInfoRequestPayload,
        AppInfo,
        AuthCredential,
        RateLimitRequestInfo,
        RateLimitResponseInfo,
        ExecutionSummary,
        AssignEntitlement,
        AssignedEntitlement,
        CreatableAccount,
        CreatedAccount,
        DeactivateAccount,
        DeactivatedAccount,
        FindEntitlementAssociations,
        FoundEntitlementAssociation,
        GetLastActivity,
        LastActivityData,
        ListAccounts,
        FoundAccountData,
        ListCustomAttributesSchema,
        CustomAttributeSchema,
        ListEntitlements,
        FoundEntitlementData,
        ListResources,
        FoundResourceData,
        ProbeIntegration,
        ProbeResults,
        UnassignEntitlement,
        UnassignedEntitlement,
        ValidateCredentials,
        ValidatedCredentials,
    );
    let mut failures = Vec::new();
    let mut checked = 0;
    for (name, recorded) in components.as_object().unwrap() {
        let Some(ours) = ours.get(name) else {
            // The demo's own models, the connector's Settings/Auth and the runtime's Page.
            assert!(
                [
                    "Settings",
                    "Auth",
                    "Page",
                    "CreateAccount",
                    "EchoMessage",
                    "EchoedMessage"
                ]
                .contains(&name.as_str()),
                "no model for component {name}"
            );
            continue;
        };
        let mut ours = ours.clone();
        to_openapi(&mut ours);
        let mut recorded = recorded.clone();
        // app_info replaces the `x-entitlement-type` / `x-resource-type` marks with an
        // `enum` of the connector's declared types.
        for (prop, mark) in [
            ("entitlement_type", "x-entitlement-type"),
            ("resource_type", "x-resource-type"),
        ] {
            let path = format!("/properties/{prop}");
            if let Some(p) = recorded.pointer_mut(&path).and_then(Value::as_object_mut)
                && p.remove("enum").is_some()
                && let Some(o) = ours.pointer_mut(&path).and_then(Value::as_object_mut)
            {
                o.remove(mark);
            }
        }
        assert_same(
            &format!("component {name}"),
            &ours,
            &recorded,
            &mut failures,
        );
        checked += 1;
    }
    assert!(checked > 50, "{checked}");
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
