//! `app_info` and `probe_integration`, which the runtime adds to every connector, through
//! the public API and against the reference (connector-py 4.280.0).
//!
//! * `app_info` of a twin of the reference demo connector (same metadata, settings,
//!   credentials and capability signatures; handlers answer fixed data) is the recorded
//!   `cli_app_info` byte for byte. Other connector shapes (a credential set, no
//!   credentials, nested credential models, settings with an enum and optional fields)
//!   give documents that pass a structural OpenAPI 3.0 check.
//! * `info` lists both, with the recorded `cli_info` entries.
//! * `probe_integration` of `Lab` answers what the reference's default probe answers for
//!   the same connector written in Python (same capabilities and data, same failures;
//!   outputs captured from connector-py 4.280.0 with `duration_ms` left out and
//!   `raised_in` in our `<crate>::<capability>` form).
//!
//! Known differences from the reference's `app_info`, none of which the demo shows:
//! * a settings field holding an optional model (`Option<Proxy>`) refers to a component
//!   the reference leaves out (a dangling `$ref` there); ours is in `components.schemas`;
//! * connectors cannot declare OAuth settings, so `x-oauth-settings` is `{}` and OAuth
//!   security schemes have empty URLs and scopes (the reference's output for an OAuth
//!   credential without OAuth settings);
//! * a custom capability's payload carries the level it was registered with
//!   (`x-capability-level`), where the reference always writes `write`.

use std::collections::{BTreeMap, BTreeSet};

use connector_sdk::capability::{CapabilityLevel, Extends};
use connector_sdk::connector::{Capabilities, Metadata, NoSettings};
use connector_sdk::credentials::{CredentialSet, CredentialSpec};
use connector_sdk::info::info;
use connector_sdk::prelude::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

const CLI_APP_INFO: &str = include_str!("data/cli_app_info.json");
const CLI_INFO: &str = include_str!("data/cli_info.json");

fn run<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(future)
}

fn call<C: Connector>(connector: &C, capability: &str, request: &str) -> Value {
    let out = run(connector.dispatch(capability, request));
    serde_json::from_str(&out).unwrap_or_else(|err| panic!("{err}: {out}"))
}

// ---------------------------------------------------------------------------------------
// The demo twin: the reference demo's metadata, settings, credentials and capability
// signatures. Structs that appear in schemas carry no doc comments where the reference's
// models have no description.

#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(rename = "DemoAppSettings", transform = drop_description)]
struct DemoAppSettings {
    #[allow(dead_code)]
    #[schemars(
        title = "Base URL",
        description = "Base URL of the demo tenant.",
        extend("x-semantic" = "tenant-id")
    )]
    base_url: String,
}

#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[schemars(rename = "CreateAccount", extend("x-capability-level" = "write"))]
#[schemars(transform = drop_description)]
struct CreateDemoAccount {
    #[serde(flatten)]
    base: CreatableAccount,
    #[serde(default)]
    #[schemars(description = "The email address for the new account")]
    email: Option<String>,
}

impl Extends<CreatableAccount> for CreateDemoAccount {
    fn base(&self) -> &CreatableAccount {
        &self.base
    }
}

#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[schemars(rename = "EchoMessage", transform = drop_description)]
struct EchoMessage {
    #[schemars(description = "Text to echo")]
    message: String,
}

#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[schemars(rename = "EchoedMessage", transform = drop_description)]
struct EchoedMessage {
    echoed: String,
}

fn drop_description(schema: &mut schemars::Schema) {
    schema.remove("description");
}

struct Demo;

fn entitlement_type(
    type_id: &str,
    label: &str,
    resource: &str,
    max: Option<i64>,
) -> EntitlementType {
    EntitlementType {
        type_id: type_id.into(),
        type_label: label.into(),
        resource_type_id: resource.into(),
        min: 0,
        max,
        requirements: None,
    }
}

impl Connector for Demo {
    type Settings = DemoAppSettings;
    type Credentials = TokenCredential;

    fn metadata() -> Metadata {
        Metadata::new("demo_app", "0.1.0")
            .name("Demo App")
            .description("In-memory demo connector used to capture golden wire vectors.")
            .logo_url("https://example.com/logo.png")
            .app_vendor_domain("example.com")
            .categories(vec![AppCategory::Developers, AppCategory::ItAndSecurity])
            .resource_types(vec![ResourceType {
                type_id: "WORKSPACE".into(),
                type_label: "Workspace".into(),
            }])
            .entitlement_types(vec![
                entitlement_type("ROLE", "Role", "", None),
                entitlement_type("WORKSPACE_MEMBER", "Workspace Member", "WORKSPACE", Some(1)),
            ])
    }

    fn capabilities() -> Capabilities<Self> {
        Capabilities::<Self>::new()
            .standard::<caps::ValidateCredentials, _, _, _>(|_, cx, _: ValidateCredentials| {
                let tenant = cx.settings().base_url.clone();
                Box::pin(async move {
                    Ok::<_, ConnectorError>(ValidatedCredentials {
                        valid: true,
                        unique_tenant_id: tenant,
                    })
                })
            })
            .list::<caps::ListAccounts, _, _, _>(|_, _, _: ListAccounts, _: PageRequest<u32>| {
                Box::pin(async { Ok::<_, ConnectorError>(Paged::last(vec![])) })
            })
            .list::<caps::ListEntitlements, _, _, _>(
                |_, _, _: ListEntitlements, _: PageRequest<u32>| {
                    Box::pin(async { Ok::<_, ConnectorError>(Paged::last(vec![])) })
                },
            )
            .list::<caps::ListResources, _, _, _>(|_, _, _: ListResources, _: PageRequest<u32>| {
                Box::pin(async { Ok::<_, ConnectorError>(Paged::last(vec![])) })
            })
            .standard::<caps::AssignEntitlement, _, _, _>(|_, _, _: AssignEntitlement| {
                Box::pin(async { Ok::<_, ConnectorError>(AssignedEntitlement { assigned: true }) })
            })
            .standard::<caps::CreateAccount, _, _, _>(|_, _, _: CreateDemoAccount| {
                Box::pin(async {
                    Ok::<_, ConnectorError>(CreatedAccount {
                        id: Some("user-6".into()),
                        status: AccountStatus::Active,
                        created: true,
                    })
                })
            })
            .display_name("Create Demo Account")
            .description("Creates an account.")
            .standard::<caps::DeactivateAccount, _, _, _>(|_, _, _: DeactivateAccount| {
                Box::pin(async {
                    Ok::<_, ConnectorError>(DeactivatedAccount {
                        status: AccountStatus::Inactive,
                        deactivated: true,
                    })
                })
            })
            .standard::<caps::UnassignEntitlement, _, _, _>(|_, _, _: UnassignEntitlement| {
                Box::pin(async {
                    Err::<UnassignedEntitlement, _>(ConnectorError::not_found(
                        "Entitlement assignment not found",
                    ))
                })
            })
            .list::<caps::FindEntitlementAssociations, _, _, _>(
                |_, _, _: FindEntitlementAssociations, _: PageRequest<u32>| {
                    Box::pin(async {
                        Err::<Paged<FoundEntitlementAssociation, u32>, _>(
                            ConnectorError::permission_denied("forbidden").with_status_code(403),
                        )
                    })
                },
            )
            .list::<caps::ListCustomAttributesSchema, _, _, _>(
                |_, _, _: ListCustomAttributesSchema, _: PageRequest<u32>| {
                    Box::pin(async {
                        Err::<Paged<CustomAttributeSchema, u32>, _>(ConnectorError::internal_error(
                            "boom",
                        ))
                    })
                },
            )
            .list::<caps::GetLastActivity, _, _, _>(
                |_, _, _: GetLastActivity, _: PageRequest<u32>| {
                    Box::pin(async { Ok::<_, ConnectorError>(Paged::last(vec![])) })
                },
            )
            .custom::<EchoMessage, EchoedMessage, _, _>(
                "echo_message",
                CapabilityLevel::Write,
                |_, _, req| {
                    Box::pin(async move {
                        Ok::<_, ConnectorError>(EchoedMessage {
                            echoed: req.message,
                        })
                    })
                },
            )
    }
}

fn recorded_app_info() -> Value {
    serde_json::from_str(CLI_APP_INFO).expect("recorded run")
}

#[test]
fn app_info_is_the_recorded_document_byte_for_byte() {
    let recorded = recorded_app_info();
    let input = recorded["input_json"].to_string();
    let out = run(Demo.dispatch("app_info", &input));
    // JSON-equal first (a readable failure), then the very bytes, key order included.
    let ours: Value = serde_json::from_str(&out).unwrap();
    let expected = &recorded["stdout_json"];
    for pointer in [
        "/response/app_schema/info",
        "/response/app_schema/paths",
        "/response/app_schema/components/securitySchemes",
        "/response/app_schema/components/schemas",
        "/response/app_schema/tags",
    ] {
        assert_eq!(
            ours.pointer(pointer),
            expected.pointer(pointer),
            "{pointer}"
        );
    }
    assert_eq!(&ours, expected);
    assert_eq!(out, recorded["stdout"].as_str().unwrap().trim_end());
}

#[test]
fn app_info_checks_the_envelope_but_not_credentials_or_settings() {
    // No credentials, wrong settings, credentials of another type: all fine.
    for request in [
        r#"{"request": {}}"#,
        r#"{"request": {}, "settings": {"unexpected": 1}}"#,
        r#"{"request": {}, "auth": {"basic": {"username": "u", "password": "p"}}}"#,
        r#"{"request": {}, "credentials": [{"id": "x", "token": {"token": "t"}}], "auth": {"token": {"token": "t"}}}"#,
    ] {
        let out = call(&Demo, "app_info", request);
        assert_eq!(out["response"]["app_id"], "demo_app", "{request}");
        assert_eq!(out["page"], Value::Null);
    }
    // Still an envelope: `request` is required and every key has its type.
    for request in [
        r#"{}"#,
        r#"[]"#,
        r#"{"request": {}, "auth": 5}"#,
        r#"{"request": {}, "page": {"size": "2"}}"#,
        r#"{"request": "#,
    ] {
        let out = call(&Demo, "app_info", request);
        assert_eq!(out["is_error"], true, "{request}");
        assert_eq!(out["error"]["error_code"], "bad_request", "{request}");
    }
}

#[test]
fn info_lists_the_generated_capabilities_as_the_reference() {
    let recorded: Value = serde_json::from_str(CLI_INFO).unwrap();
    let recorded = &recorded["stdout_json"]["response"];
    let ours = serde_json::to_value(info::<Demo>()).unwrap();
    assert_eq!(ours["capabilities"], recorded["capabilities"]);
    for name in ["app_info", "probe_integration"] {
        assert_eq!(
            ours["capability_schema"][name], recorded["capability_schema"][name],
            "{name}"
        );
    }
    assert_eq!(
        ours["capability_schema"]["app_info"]["display_name"],
        "App Info"
    );
    assert_eq!(
        ours["capability_schema"]["probe_integration"]["display_name"],
        "Probe Integration"
    );
}

// ---------------------------------------------------------------------------------------
// The document's structure, for connectors of other shapes.

/// Checks what an OpenAPI 3.0 reader relies on: the version, one `post` operation per
/// path with an operationId, a request body and a 200 response, tags from the tag list,
/// security requirements naming declared schemes, every `$ref` resolving in
/// `components.schemas`, and no JSON Schema keywords OpenAPI 3.0 lacks.
fn assert_openapi_3_0(document: &Value) -> Vec<String> {
    assert_eq!(document["openapi"], "3.0.0");
    assert!(document["info"]["title"].is_string());
    assert!(document["info"]["version"].is_string());
    assert_eq!(document["servers"], json!([]));
    let schemas = document["components"]["schemas"]
        .as_object()
        .expect("components.schemas");
    let schemes = document["components"]["securitySchemes"]
        .as_object()
        .expect("securitySchemes");
    let tags: BTreeSet<&str> = document["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|tag| tag["name"].as_str().unwrap())
        .collect();
    let paths = document["paths"].as_object().expect("paths");
    assert!(!paths.is_empty());
    let mut operations = Vec::new();
    for (path, item) in paths {
        let item = item.as_object().unwrap();
        assert_eq!(item.keys().collect::<Vec<_>>(), ["post"], "{path}");
        let post = &item["post"];
        let id = post["operationId"].as_str().expect("operationId");
        assert_eq!(path, &format!("/{id}"));
        operations.push(id.to_owned());
        let operation_tags = post["tags"].as_array().unwrap();
        assert_eq!(operation_tags.len(), 1, "{path}");
        let tag = operation_tags[0].as_str().unwrap();
        // As in the reference, validate_credential_config's tag ("Validation
        // Capabilities", from its level) is not in the document's list (OpenAPI allows that).
        assert!(
            tags.contains(tag) || tag == "Validation Capabilities",
            "{path}: {tag}"
        );
        assert!(post["summary"].is_string(), "{path}");
        let body = &post["requestBody"]["content"]["application/json"]["schema"];
        assert_eq!(body["type"], "object", "{path}");
        assert!(body["properties"]["request"].is_object(), "{path}");
        assert_eq!(
            body["properties"]["settings"]["$ref"],
            "#/components/schemas/Settings"
        );
        assert!(
            post["responses"]["200"]["content"]["application/json"]["schema"].is_object(),
            "{path}"
        );
        assert_eq!(
            post["responses"]["200"]["description"],
            "Successful response"
        );
        for requirement in post["security"].as_array().unwrap() {
            for scheme in requirement.as_object().unwrap().keys() {
                // A credential type without a scheme (`empty`) may still be required.
                assert!(
                    schemes.contains_key(scheme)
                        || document["components"]["schemas"]["Credentials"].is_object(),
                    "{path}: {scheme}"
                );
            }
        }
    }
    check_schema_keywords("#", document, schemas);
    operations
}

fn check_schema_keywords(path: &str, value: &Value, schemas: &serde_json::Map<String, Value>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                let here = format!("{path}/{key}");
                match key.as_str() {
                    "$ref" => {
                        let reference = inner.as_str().unwrap();
                        let name = reference
                            .strip_prefix("#/components/schemas/")
                            .unwrap_or_else(|| panic!("{here}: {reference}"));
                        assert!(
                            schemas.contains_key(name),
                            "{here}: {reference} does not resolve"
                        );
                    }
                    "$defs" | "const" | "prefixItems" => panic!("{here}: not OpenAPI 3.0"),
                    "type" if inner.is_array() || inner == "null" => {
                        panic!("{here}: {inner} is not an OpenAPI 3.0 type")
                    }
                    _ => {}
                }
                if !key.starts_with("x-") {
                    check_schema_keywords(&here, inner, schemas);
                }
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                check_schema_keywords(&format!("{path}/{index}"), item, schemas);
            }
        }
        _ => {}
    }
}

#[test]
fn the_demo_document_is_openapi_3_0() {
    let document = connector_sdk::info::app_info_document::<Demo>();
    let operations = assert_openapi_3_0(&document);
    assert_eq!(
        operations,
        serde_json::to_value(info::<Demo>()).unwrap()["capabilities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    );
}

/// Where a tenant lives.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
enum Region {
    /// Europe.
    Eu,
    /// The United States.
    Us,
}

/// A proxy to go through.
#[derive(Debug, Deserialize, JsonSchema)]
struct Proxy {
    /// The proxy's host.
    #[allow(dead_code)]
    host: String,
}

/// Settings with an enum, an optional number and an optional model.
#[derive(Debug, Deserialize, JsonSchema)]
#[allow(dead_code)]
struct ShapedSettings {
    /// The tenant's region.
    region: Region,
    /// Seconds to wait.
    #[serde(default)]
    timeout: Option<i64>,
    /// The proxy, if any.
    #[serde(default)]
    proxy: Option<Proxy>,
}

macro_rules! shaped {
    ($name:ident, $settings:ty, $credentials:ty, $metadata:expr) => {
        struct $name;

        impl Connector for $name {
            type Settings = $settings;
            type Credentials = $credentials;

            fn metadata() -> Metadata {
                $metadata
            }

            fn capabilities() -> Capabilities<Self> {
                Capabilities::<Self>::new()
                    .standard::<caps::ValidateCredentials, _, _, _>(
                        |_, _, _: ValidateCredentials| {
                            Box::pin(async {
                                Ok::<_, ConnectorError>(ValidatedCredentials {
                                    valid: true,
                                    unique_tenant_id: "t".into(),
                                })
                            })
                        },
                    )
                    .list::<caps::ListAccounts, _, _, _>(
                        |_, _, _: ListAccounts, _: PageRequest<u32>| {
                            Box::pin(async {
                                Ok::<_, ConnectorError>(Paged::last(vec![FoundAccountData {
                                    integration_specific_id: "u-1".into(),
                                    ..Default::default()
                                }]))
                            })
                        },
                    )
                    .custom::<EchoMessage, EchoedMessage, _, _>(
                        "peek",
                        CapabilityLevel::Read,
                        |_, _, req| {
                            Box::pin(async move {
                                Ok::<_, ConnectorError>(EchoedMessage {
                                    echoed: req.message,
                                })
                            })
                        },
                    )
            }
        }
    };
}

shaped!(
    MultiCredential,
    ShapedSettings,
    CredentialSet,
    Metadata::new("shaped", "2.0.0").credentials(vec![
        CredentialSpec::new::<TokenCredential>("api", "API token."),
        CredentialSpec::new::<BasicCredential>("admin", "Admin login.").optional(),
        CredentialSpec::new::<JWTCredential>("signer", "Signer.").optional(),
    ])
);
shaped!(
    NoCredentials,
    NoSettings,
    (),
    Metadata::new("shaped", "2.0.0")
);
shaped!(
    Jwt,
    NoSettings,
    JWTCredential,
    Metadata::new("shaped", "2.0.0").name("Shaped")
);
shaped!(
    ServiceAccount,
    NoSettings,
    ServiceAccountCredential,
    Metadata::new("shaped", "2.0.0")
);

#[test]
fn a_credential_set_is_described_as_credentials() {
    let document = connector_sdk::info::app_info_document::<MultiCredential>();
    let operations = assert_openapi_3_0(&document);
    assert_eq!(
        operations,
        [
            "app_info",
            "list_accounts",
            "peek",
            "probe_integration",
            "validate_credential_config",
            "validate_credentials"
        ]
    );
    let info = &document["info"];
    assert_eq!(info["title"], "shaped", "the app_id when no name is given");
    assert_eq!(info["x-multi-credential"], true);
    assert_eq!(
        info["x-allowed-credentials"],
        json!([["api"], ["admin"], ["signer"]])
    );
    assert_eq!(info["x-probe-checks"], json!(["accounts"]));
    let schemas = &document["components"]["schemas"];
    assert!(schemas.get("Auth").is_none());
    let variants = schemas["Credentials"]["items"]["allOf"].as_array().unwrap();
    let ids: Vec<&Value> = variants
        .iter()
        .map(|v| &v["properties"]["id"]["enum"][0])
        .collect();
    assert_eq!(ids, ["api", "admin", "signer"]);
    let token = &variants[0]["properties"]["token"];
    assert_eq!(token["title"], "TokenAuthentication");
    assert_eq!(token["description"], "API token.");
    assert_eq!(token["x-optional"], false);
    assert_eq!(token["x-credential-name"], "Token");
    assert_eq!(token["x-field_order"], json!(["token"]));
    assert_eq!(
        variants[2]["properties"]["jwt"]["properties"]["headers"]["$ref"],
        "#/components/schemas/JWTHeaders"
    );
    assert_eq!(
        document["components"]["securitySchemes"],
        json!({
            "api": {"type": "apiKey", "in": "header", "name": "Authorization", "description": "API Token / API Key for authentication"},
            "admin": {"type": "http"},
            "signer": {"type": "apiKey", "in": "header", "name": "Authorization", "description": "API Token / API Key for authentication"},
        })
    );
    let list = &document["paths"]["/list_accounts"]["post"];
    assert_eq!(
        list["security"],
        json!([{"api": []}, {"admin": []}, {"signer": []}])
    );
    let body = &list["requestBody"]["content"]["application/json"]["schema"];
    assert_eq!(
        body["properties"]["credentials"]["$ref"],
        "#/components/schemas/Credentials"
    );
    assert!(body["properties"].get("auth").is_none());
    assert_eq!(
        body["required"],
        json!(["request", "settings", "auth", "credentials"])
    );
    // The unauthenticated envelope has neither.
    let config = &document["paths"]["/validate_credential_config"]["post"];
    assert_eq!(config["tags"], json!(["Validation Capabilities"]));
    let body = &config["requestBody"]["content"]["application/json"]["schema"];
    assert_eq!(body["required"], json!(["request", "settings"]));
    assert_eq!(body["properties"].as_object().unwrap().len(), 2);
    // A custom capability is tagged with the level it was registered with.
    assert_eq!(
        document["paths"]["/peek"]["post"]["tags"],
        json!(["Read Capabilities"])
    );
    // Settings: the enum as the reference writes one, the optional fields nullable.
    let settings = &schemas["Settings"];
    assert_eq!(
        settings["x-field_order"],
        json!(["region", "timeout", "proxy"])
    );
    assert_eq!(settings["properties"]["timeout"]["nullable"], true);
    assert_eq!(
        settings["properties"]["proxy"]["$ref"],
        "#/components/schemas/Proxy"
    );
    assert_eq!(
        serde_json::to_string(&schemas["Region"]).unwrap(),
        r#"{"type":"string","enum":["eu","us"],"title":"Region","description":"Where a tenant lives."}"#
    );
    assert_eq!(schemas["Proxy"]["properties"]["host"]["type"], "string");
}

#[test]
fn a_connector_without_credentials_has_an_empty_credential_set() {
    let document = connector_sdk::info::app_info_document::<NoCredentials>();
    assert_openapi_3_0(&document);
    assert_eq!(document["info"]["x-multi-credential"], false);
    assert_eq!(document["info"]["x-allowed-credentials"], json!([]));
    assert_eq!(
        document["components"]["schemas"]["Credentials"],
        json!({"type": "array", "items": {"allOf": []}})
    );
    assert_eq!(document["components"]["securitySchemes"], json!({}));
    assert_eq!(
        document["paths"]["/list_accounts"]["post"]["security"],
        json!([])
    );
    assert_eq!(
        document["components"]["schemas"]["Settings"],
        json!({"properties": {}, "title": "EmptySettings", "type": "object", "x-field_order": []})
    );
}

#[test]
fn single_credentials_with_nested_models() {
    let document = connector_sdk::info::app_info_document::<Jwt>();
    assert_openapi_3_0(&document);
    assert_eq!(document["info"]["title"], "Shaped");
    let schemas = document["components"]["schemas"].as_object().unwrap();
    let names: Vec<&String> = schemas.keys().take(4).collect();
    assert_eq!(names, ["Settings", "Auth", "JWTClaims", "JWTHeaders"]);
    assert_eq!(schemas["Auth"]["required"], json!(["jwt"]));
    assert_eq!(schemas["Auth"]["properties"]["jwt"]["type"], "object");
    assert_eq!(
        document["components"]["securitySchemes"]["shaped"],
        json!({"type": "http", "scheme": "bearer", "bearerFormat": "JWT", "description": "JWT Token for authentication"})
    );
    let document = connector_sdk::info::app_info_document::<ServiceAccount>();
    assert_openapi_3_0(&document);
    assert_eq!(
        document["components"]["securitySchemes"]["shaped"]["description"],
        "Service Account Token for authentication"
    );
    assert!(document["components"]["schemas"]["ServiceAccountType"].is_object());
}

// ---------------------------------------------------------------------------------------
// probe_integration

/// What the probe lab's capabilities do differently (its capability table is set by the
/// type parameter: [`FULL`], [`FIND_ONLY`] or [`BARE`]).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Mode {
    /// Everything works.
    Normal,
    /// `list_accounts` returns nothing.
    NoAccounts,
    /// The second page of entitlements fails.
    EntitlementPageFails,
    /// Only two pages of entitlements (so every page gets read).
    FewEntitlements,
}

/// Every capability below.
const FULL: u8 = 0;
/// No `get_account_entitlement_associations`: associations come from `find_...`.
const FIND_ONLY: u8 = 1;
/// Only `validate_credentials`.
const BARE: u8 = 2;

/// A connector to probe: 12 accounts (custom attribute `dept` set on u-3, empty on u-4),
/// one entitlement per page over 7 pages (ROLE, ROLE, LICENSE, ROLE, ...; GROUP declared
/// but never listed), an attribute schema (`dept` and `cost_center` for accounts, one for
/// entitlements), per-account associations (u-2 fails) and global ones (one for an
/// unknown account). The token `bad-token` is rejected everywhere.
struct Lab<const TABLE: u8> {
    mode: Mode,
}

const LAB_ENTITLEMENTS: [&str; 7] = ["ROLE", "ROLE", "LICENSE", "ROLE", "ROLE", "ROLE", "ROLE"];

fn lab_accounts() -> Vec<FoundAccountData> {
    (1..=12)
        .map(|i| FoundAccountData {
            integration_specific_id: format!("u-{i}"),
            email: (i % 2 == 1).then(|| format!("u{i}@lab.test")),
            username: (i % 3 != 0).then(|| format!("user{i}")),
            custom_attributes: match i {
                3 => Some(BTreeMap::from([("dept".to_owned(), "eng".to_owned())])),
                4 => Some(BTreeMap::from([("dept".to_owned(), String::new())])),
                _ => None,
            },
            ..Default::default()
        })
        .collect()
}

fn association(account: &str, entitlement: &str) -> FoundEntitlementAssociation {
    FoundEntitlementAssociation {
        account_id: account.into(),
        integration_specific_entitlement_id: entitlement.into(),
        integration_specific_resource_id: String::new(),
    }
}

fn attribute(
    customized_type: CustomAttributeCustomizedType,
    name: &str,
    attribute_type: CustomAttributeType,
) -> CustomAttributeSchema {
    CustomAttributeSchema {
        customized_type,
        name: name.into(),
        attribute_type,
        description: None,
    }
}

impl<const TABLE: u8> Lab<TABLE> {
    fn check_token(cx: &ContextOf<Self>) -> Result<()> {
        if cx.credentials().token.expose() == "bad-token" {
            return Err(ConnectorError::unauthorized("The lab token was rejected"));
        }
        Ok(())
    }

    async fn list_accounts(
        &self,
        cx: &ContextOf<Self>,
        req: ListAccounts,
        page: PageRequest<usize>,
    ) -> Result<Paged<FoundAccountData, usize>> {
        Self::check_token(cx)?;
        if self.mode == Mode::NoAccounts {
            return Ok(Paged::last(vec![]));
        }
        let all = lab_accounts();
        let start = page.cursor().copied().unwrap_or(0).min(all.len());
        let end = (start + page.size() as usize).min(all.len());
        let wanted = req.custom_attributes.unwrap_or_default();
        let mut accounts = all[start..end].to_vec();
        for account in &mut accounts {
            if let Some(values) = &mut account.custom_attributes {
                values.retain(|name, _| wanted.contains(name));
            }
        }
        Ok(Paged::new(accounts, (end < all.len()).then_some(end)))
    }

    async fn list_entitlements(
        &self,
        cx: &ContextOf<Self>,
        page: PageRequest<usize>,
    ) -> Result<Paged<FoundEntitlementData, usize>> {
        Self::check_token(cx)?;
        let i = page.cursor().copied().unwrap_or(0);
        if self.mode == Mode::EntitlementPageFails && i == 1 {
            return Err(ConnectorError::not_found("page two is gone"));
        }
        let pages = if self.mode == Mode::FewEntitlements {
            2
        } else {
            LAB_ENTITLEMENTS.len()
        };
        let entitlement = FoundEntitlementData {
            entitlement_type: LAB_ENTITLEMENTS[i].into(),
            extra_data: None,
            integration_specific_id: format!("e-{i}"),
            integration_specific_resource_id: String::new(),
            is_assignable: None,
            label: format!("Ent {i}"),
            description: None,
            custom_attributes: None,
        };
        Ok(Paged::new(
            vec![entitlement],
            (i + 1 < pages).then_some(i + 1),
        ))
    }

    async fn attribute_schema(
        &self,
        cx: &ContextOf<Self>,
    ) -> Result<Paged<CustomAttributeSchema, usize>> {
        use CustomAttributeCustomizedType::{Account, Entitlement};
        Self::check_token(cx)?;
        Ok(Paged::last(vec![
            attribute(Account, "dept", CustomAttributeType::String),
            attribute(Account, "cost_center", CustomAttributeType::Integer),
            attribute(Entitlement, "owner", CustomAttributeType::User),
        ]))
    }

    async fn find_associations(
        &self,
        cx: &ContextOf<Self>,
    ) -> Result<Paged<FoundEntitlementAssociation, usize>> {
        Self::check_token(cx)?;
        Ok(Paged::last(vec![
            association("u-1", "e-0"),
            association("u-99", "e-0"),
        ]))
    }

    async fn account_associations(
        &self,
        cx: &ContextOf<Self>,
        account: String,
    ) -> Result<Paged<FoundEntitlementAssociation, usize>> {
        Self::check_token(cx)?;
        if account == "u-2" {
            return Err(ConnectorError::not_found("no such account"));
        }
        Ok(Paged::last(vec![
            association(&account, "e-0"),
            association(&account, "e-2"),
        ]))
    }
}

impl<const TABLE: u8> Connector for Lab<TABLE> {
    type Settings = NoSettings;
    type Credentials = TokenCredential;

    fn metadata() -> Metadata {
        Metadata::new("probe_lab", "1.0.0")
            .name("Probe Lab")
            .entitlement_types(vec![
                entitlement_type("ROLE", "Role", "", None),
                entitlement_type("LICENSE", "License", "", None),
                entitlement_type("GROUP", "Group", "", None),
            ])
    }

    fn capabilities() -> Capabilities<Self> {
        let table = Capabilities::<Self>::new().standard::<caps::ValidateCredentials, _, _, _>(
            |_, _, _: ValidateCredentials| {
                Box::pin(async {
                    Ok::<_, ConnectorError>(ValidatedCredentials {
                        valid: true,
                        unique_tenant_id: "lab".into(),
                    })
                })
            },
        );
        if TABLE == BARE {
            return table;
        }
        let table = table
            .list::<caps::ListAccounts, _, _, _>(|c, cx, req, page| {
                Box::pin(c.list_accounts(cx, req, page))
            })
            .list::<caps::ListEntitlements, _, _, _>(|c, cx, _: ListEntitlements, page| {
                Box::pin(c.list_entitlements(cx, page))
            })
            .list::<caps::ListCustomAttributesSchema, _, _, _>(
                |c, cx, _: ListCustomAttributesSchema, _: PageRequest<usize>| {
                    Box::pin(c.attribute_schema(cx))
                },
            )
            .list::<caps::FindEntitlementAssociations, _, _, _>(
                |c, cx, _: FindEntitlementAssociations, _: PageRequest<usize>| {
                    Box::pin(c.find_associations(cx))
                },
            );
        if TABLE == FIND_ONLY {
            return table;
        }
        table.list::<caps::GetAccountEntitlementAssociations, _, _, _>(
            |c, cx, req: GetAccountEntitlementAssociations, _: PageRequest<usize>| {
                Box::pin(c.account_associations(cx, req.account_id))
            },
        )
    }
}

/// Runs `probe_integration` with a token and a payload; the result without durations
/// (checked to be there: on each check that ran, and on the run).
fn probe<C: Connector>(connector: &C, token: &str, payload: Value) -> Value {
    let envelope = json!({"request": payload, "auth": {"token": {"token": token}}});
    let out = call(connector, "probe_integration", &envelope.to_string());
    assert!(out.get("is_error").is_none(), "{out}");
    assert_eq!(out["page"], Value::Null);
    let mut results = out["response"].clone();
    assert!(results["duration_ms"].is_i64(), "{results}");
    results["duration_ms"] = Value::Null;
    for check in results["checks"].as_array_mut().unwrap() {
        let skipped = check["status"] == "skipped";
        assert_eq!(check["duration_ms"].is_i64(), !skipped, "{check}");
        check["duration_ms"] = Value::Null;
    }
    results
}

fn expected(text: &str) -> Value {
    serde_json::from_str(text).expect("expected results")
}

// What connector-py 4.280.0's default probe answers for the Python twin of `Lab`.
const EXPECTED_FULL: &str = r#"{"status":"partial","checks":[{"check":"accounts","status":"passed","source":"default","capability":"list_accounts","observed_count":10,"message":"Fetched 10 account(s), including u1@lab.test. No value on any of them for: cost_center.","error":null,"samples":[{"kind":"account","integration_specific_id":"u-1","email":"u1@lab.test","username":"user1","user_status":null,"custom_attributes":[{"name":"dept","value":null,"customized_type":"account","attribute_type":"string"},{"name":"cost_center","value":null,"customized_type":"account","attribute_type":"integer"}]},{"kind":"account","integration_specific_id":"u-2","email":null,"username":"user2","user_status":null,"custom_attributes":[{"name":"dept","value":null,"customized_type":"account","attribute_type":"string"},{"name":"cost_center","value":null,"customized_type":"account","attribute_type":"integer"}]},{"kind":"account","integration_specific_id":"u-3","email":"u3@lab.test","username":null,"user_status":null,"custom_attributes":[{"name":"dept","value":"eng","customized_type":"account","attribute_type":"string"},{"name":"cost_center","value":null,"customized_type":"account","attribute_type":"integer"}]},{"kind":"account","integration_specific_id":"u-4","email":null,"username":"user4","user_status":null,"custom_attributes":[{"name":"dept","value":null,"customized_type":"account","attribute_type":"string"},{"name":"cost_center","value":null,"customized_type":"account","attribute_type":"integer"}]},{"kind":"account","integration_specific_id":"u-5","email":"u5@lab.test","username":"user5","user_status":null,"custom_attributes":[{"name":"dept","value":null,"customized_type":"account","attribute_type":"string"},{"name":"cost_center","value":null,"customized_type":"account","attribute_type":"integer"}]},{"kind":"account","integration_specific_id":"u-6","email":null,"username":null,"user_status":null,"custom_attributes":[{"name":"dept","value":null,"customized_type":"account","attribute_type":"string"},{"name":"cost_center","value":null,"customized_type":"account","attribute_type":"integer"}]},{"kind":"account","integration_specific_id":"u-7","email":"u7@lab.test","username":"user7","user_status":null,"custom_attributes":[{"name":"dept","value":null,"customized_type":"account","attribute_type":"string"},{"name":"cost_center","value":null,"customized_type":"account","attribute_type":"integer"}]},{"kind":"account","integration_specific_id":"u-8","email":null,"username":"user8","user_status":null,"custom_attributes":[{"name":"dept","value":null,"customized_type":"account","attribute_type":"string"},{"name":"cost_center","value":null,"customized_type":"account","attribute_type":"integer"}]},{"kind":"account","integration_specific_id":"u-9","email":"u9@lab.test","username":null,"user_status":null,"custom_attributes":[{"name":"dept","value":null,"customized_type":"account","attribute_type":"string"},{"name":"cost_center","value":null,"customized_type":"account","attribute_type":"integer"}]},{"kind":"account","integration_specific_id":"u-10","email":null,"username":"user10","user_status":null,"custom_attributes":[{"name":"dept","value":null,"customized_type":"account","attribute_type":"string"},{"name":"cost_center","value":null,"customized_type":"account","attribute_type":"integer"}]}],"entitlement_types":null,"custom_attributes":[{"name":"dept","status":"found"},{"name":"cost_center","status":"not_found"}],"duration_ms":null},{"check":"entitlements","status":"passed","source":"default","capability":"list_entitlements","observed_count":5,"message":"Fetched 5 entitlement(s). No entitlement seen yet for: GROUP.","error":null,"samples":[{"kind":"entitlement","integration_specific_id":"e-0","integration_specific_resource_id":"","entitlement_type":"ROLE","label":"Ent 0"},{"kind":"entitlement","integration_specific_id":"e-1","integration_specific_resource_id":"","entitlement_type":"ROLE","label":"Ent 1"},{"kind":"entitlement","integration_specific_id":"e-2","integration_specific_resource_id":"","entitlement_type":"LICENSE","label":"Ent 2"},{"kind":"entitlement","integration_specific_id":"e-3","integration_specific_resource_id":"","entitlement_type":"ROLE","label":"Ent 3"},{"kind":"entitlement","integration_specific_id":"e-4","integration_specific_resource_id":"","entitlement_type":"ROLE","label":"Ent 4"}],"entitlement_types":[{"entitlement_type":"ROLE","status":"found"},{"entitlement_type":"LICENSE","status":"found"},{"entitlement_type":"GROUP","status":"not_checked"}],"custom_attributes":null,"duration_ms":null},{"check":"entitlement_associations","status":"passed","source":"default","capability":"get_account_entitlement_associations","observed_count":2,"message":"Fetched 2 association(s) across 1 account(s).","error":null,"samples":[{"kind":"association","account_id":"u-1","integration_specific_entitlement_id":"e-0","integration_specific_resource_id":"","linked_to_sampled_account":true},{"kind":"association","account_id":"u-1","integration_specific_entitlement_id":"e-2","integration_specific_resource_id":"","linked_to_sampled_account":true}],"entitlement_types":null,"custom_attributes":null,"duration_ms":null}],"duration_ms":null}"#;
const EXPECTED_NARROWED: &str = r#"{"status":"passed","checks":[{"check":"accounts","status":"passed","source":"default","capability":"list_accounts","observed_count":10,"message":"Fetched 10 account(s), including u1@lab.test.","error":null,"samples":[{"kind":"account","integration_specific_id":"u-1","email":"u1@lab.test","username":"user1","user_status":null,"custom_attributes":[{"name":"dept","value":null,"customized_type":"account","attribute_type":"string"}]},{"kind":"account","integration_specific_id":"u-2","email":null,"username":"user2","user_status":null,"custom_attributes":[{"name":"dept","value":null,"customized_type":"account","attribute_type":"string"}]},{"kind":"account","integration_specific_id":"u-3","email":"u3@lab.test","username":null,"user_status":null,"custom_attributes":[{"name":"dept","value":"eng","customized_type":"account","attribute_type":"string"}]},{"kind":"account","integration_specific_id":"u-4","email":null,"username":"user4","user_status":null,"custom_attributes":[{"name":"dept","value":null,"customized_type":"account","attribute_type":"string"}]},{"kind":"account","integration_specific_id":"u-5","email":"u5@lab.test","username":"user5","user_status":null,"custom_attributes":[{"name":"dept","value":null,"customized_type":"account","attribute_type":"string"}]},{"kind":"account","integration_specific_id":"u-6","email":null,"username":null,"user_status":null,"custom_attributes":[{"name":"dept","value":null,"customized_type":"account","attribute_type":"string"}]},{"kind":"account","integration_specific_id":"u-7","email":"u7@lab.test","username":"user7","user_status":null,"custom_attributes":[{"name":"dept","value":null,"customized_type":"account","attribute_type":"string"}]},{"kind":"account","integration_specific_id":"u-8","email":null,"username":"user8","user_status":null,"custom_attributes":[{"name":"dept","value":null,"customized_type":"account","attribute_type":"string"}]},{"kind":"account","integration_specific_id":"u-9","email":"u9@lab.test","username":null,"user_status":null,"custom_attributes":[{"name":"dept","value":null,"customized_type":"account","attribute_type":"string"}]},{"kind":"account","integration_specific_id":"u-10","email":null,"username":"user10","user_status":null,"custom_attributes":[{"name":"dept","value":null,"customized_type":"account","attribute_type":"string"}]}],"entitlement_types":null,"custom_attributes":[{"name":"dept","status":"found"}],"duration_ms":null},{"check":"entitlements","status":"skipped","source":"default","capability":null,"observed_count":0,"message":"Not requested in this run.","error":null,"samples":[],"entitlement_types":null,"custom_attributes":null,"duration_ms":null},{"check":"entitlement_associations","status":"skipped","source":"default","capability":null,"observed_count":0,"message":"Not requested in this run.","error":null,"samples":[],"entitlement_types":null,"custom_attributes":null,"duration_ms":null}],"duration_ms":null}"#;
const EXPECTED_FIND_ONLY: &str = r#"{"status":"passed","checks":[{"check":"accounts","status":"skipped","source":"default","capability":null,"observed_count":0,"message":"Not requested in this run.","error":null,"samples":[],"entitlement_types":null,"custom_attributes":null,"duration_ms":null},{"check":"entitlements","status":"skipped","source":"default","capability":null,"observed_count":0,"message":"Not requested in this run.","error":null,"samples":[],"entitlement_types":null,"custom_attributes":null,"duration_ms":null},{"check":"entitlement_associations","status":"passed","source":"default","capability":"find_entitlement_associations","observed_count":2,"message":"Fetched 2 association(s) across 1 account(s).","error":null,"samples":[{"kind":"association","account_id":"u-1","integration_specific_entitlement_id":"e-0","integration_specific_resource_id":"","linked_to_sampled_account":true},{"kind":"association","account_id":"u-99","integration_specific_entitlement_id":"e-0","integration_specific_resource_id":"","linked_to_sampled_account":false}],"entitlement_types":null,"custom_attributes":null,"duration_ms":null}],"duration_ms":null}"#;
const EXPECTED_NO_ACCOUNTS: &str = r#"{"status":"failed","checks":[{"check":"accounts","status":"failed","source":"default","capability":"list_accounts","observed_count":0,"message":"No accounts were returned. The credentials work, but they cannot see any users - check the scopes or the permissions of the account they belong to.","error":null,"samples":[],"entitlement_types":null,"custom_attributes":null,"duration_ms":null},{"check":"entitlements","status":"passed","source":"default","capability":"list_entitlements","observed_count":5,"message":"Fetched 5 entitlement(s). No entitlement seen yet for: GROUP.","error":null,"samples":[{"kind":"entitlement","integration_specific_id":"e-0","integration_specific_resource_id":"","entitlement_type":"ROLE","label":"Ent 0"},{"kind":"entitlement","integration_specific_id":"e-1","integration_specific_resource_id":"","entitlement_type":"ROLE","label":"Ent 1"},{"kind":"entitlement","integration_specific_id":"e-2","integration_specific_resource_id":"","entitlement_type":"LICENSE","label":"Ent 2"},{"kind":"entitlement","integration_specific_id":"e-3","integration_specific_resource_id":"","entitlement_type":"ROLE","label":"Ent 3"},{"kind":"entitlement","integration_specific_id":"e-4","integration_specific_resource_id":"","entitlement_type":"ROLE","label":"Ent 4"}],"entitlement_types":[{"entitlement_type":"ROLE","status":"found"},{"entitlement_type":"LICENSE","status":"found"},{"entitlement_type":"GROUP","status":"not_checked"}],"custom_attributes":null,"duration_ms":null},{"check":"entitlement_associations","status":"passed","source":"default","capability":"find_entitlement_associations","observed_count":2,"message":"Fetched 2 association(s), but none of them belong to an account this probe could fetch, so the link could not be confirmed.","error":null,"samples":[{"kind":"association","account_id":"u-1","integration_specific_entitlement_id":"e-0","integration_specific_resource_id":"","linked_to_sampled_account":false},{"kind":"association","account_id":"u-99","integration_specific_entitlement_id":"e-0","integration_specific_resource_id":"","linked_to_sampled_account":false}],"entitlement_types":null,"custom_attributes":null,"duration_ms":null}],"duration_ms":null}"#;
const EXPECTED_ENTITLEMENT_PAGE_FAILS: &str = r#"{"status":"partial","checks":[{"check":"accounts","status":"skipped","source":"default","capability":null,"observed_count":0,"message":"Not requested in this run.","error":null,"samples":[],"entitlement_types":null,"custom_attributes":null,"duration_ms":null},{"check":"entitlements","status":"passed","source":"default","capability":"list_entitlements","observed_count":1,"message":"Fetched 1 entitlement(s). No entitlement seen yet for: LICENSE, GROUP. Reading further pages failed: page two is gone","error":null,"samples":[{"kind":"entitlement","integration_specific_id":"e-0","integration_specific_resource_id":"","entitlement_type":"ROLE","label":"Ent 0"}],"entitlement_types":[{"entitlement_type":"ROLE","status":"found"},{"entitlement_type":"LICENSE","status":"not_checked"},{"entitlement_type":"GROUP","status":"not_checked"}],"custom_attributes":null,"duration_ms":null},{"check":"entitlement_associations","status":"skipped","source":"default","capability":null,"observed_count":0,"message":"Not requested in this run.","error":null,"samples":[],"entitlement_types":null,"custom_attributes":null,"duration_ms":null}],"duration_ms":null}"#;
const EXPECTED_FEW_ENTITLEMENTS: &str = r#"{"status":"partial","checks":[{"check":"accounts","status":"skipped","source":"default","capability":null,"observed_count":0,"message":"Not requested in this run.","error":null,"samples":[],"entitlement_types":null,"custom_attributes":null,"duration_ms":null},{"check":"entitlements","status":"passed","source":"default","capability":"list_entitlements","observed_count":2,"message":"Fetched 2 entitlement(s). No entitlement seen yet for: LICENSE, GROUP.","error":null,"samples":[{"kind":"entitlement","integration_specific_id":"e-0","integration_specific_resource_id":"","entitlement_type":"ROLE","label":"Ent 0"},{"kind":"entitlement","integration_specific_id":"e-1","integration_specific_resource_id":"","entitlement_type":"ROLE","label":"Ent 1"}],"entitlement_types":[{"entitlement_type":"ROLE","status":"found"},{"entitlement_type":"LICENSE","status":"not_found"},{"entitlement_type":"GROUP","status":"not_found"}],"custom_attributes":null,"duration_ms":null},{"check":"entitlement_associations","status":"skipped","source":"default","capability":null,"observed_count":0,"message":"Not requested in this run.","error":null,"samples":[],"entitlement_types":null,"custom_attributes":null,"duration_ms":null}],"duration_ms":null}"#;
const EXPECTED_BAD_TOKEN: &str = r#"{"status":"failed","checks":[{"check":"accounts","status":"failed","source":"default","capability":"list_accounts","observed_count":0,"message":"Please contact support if the problem persists.","error":{"message":"The lab token was rejected","status_code":null,"app_error_code":null,"error_code":"unauthorized","app_id":"probe_lab","raised_by":"AuthenticationError","raised_in":"probe_lab::list_accounts","error_metadata":{"fault":"upstream","category":"authentication","hint":"Please contact support if the problem persists.","retryable":false,"throttled":false,"refreshable":true,"retry_after_seconds":null}},"samples":[],"entitlement_types":null,"custom_attributes":null,"duration_ms":null},{"check":"entitlements","status":"failed","source":"default","capability":"list_entitlements","observed_count":0,"message":"Please contact support if the problem persists.","error":{"message":"The lab token was rejected","status_code":null,"app_error_code":null,"error_code":"unauthorized","app_id":"probe_lab","raised_by":"AuthenticationError","raised_in":"probe_lab::list_entitlements","error_metadata":{"fault":"upstream","category":"authentication","hint":"Please contact support if the problem persists.","retryable":false,"throttled":false,"refreshable":true,"retry_after_seconds":null}},"samples":[],"entitlement_types":null,"custom_attributes":null,"duration_ms":null},{"check":"entitlement_associations","status":"failed","source":"default","capability":"find_entitlement_associations","observed_count":0,"message":"Please contact support if the problem persists.","error":{"message":"The lab token was rejected","status_code":null,"app_error_code":null,"error_code":"unauthorized","app_id":"probe_lab","raised_by":"AuthenticationError","raised_in":"probe_lab::find_entitlement_associations","error_metadata":{"fault":"upstream","category":"authentication","hint":"Please contact support if the problem persists.","retryable":false,"throttled":false,"refreshable":true,"retry_after_seconds":null}},"samples":[],"entitlement_types":null,"custom_attributes":null,"duration_ms":null}],"duration_ms":null}"#;
const EXPECTED_BARE: &str = r#"{"status":"failed","checks":[{"check":"accounts","status":"unsupported","source":"default","capability":"list_accounts","observed_count":0,"message":"This connector does not implement list_accounts.","error":null,"samples":[],"entitlement_types":null,"custom_attributes":null,"duration_ms":null},{"check":"entitlements","status":"unsupported","source":"default","capability":"list_entitlements","observed_count":0,"message":"This connector does not implement list_entitlements.","error":null,"samples":[],"entitlement_types":null,"custom_attributes":null,"duration_ms":null},{"check":"entitlement_associations","status":"unsupported","source":"default","capability":"find_entitlement_associations","observed_count":0,"message":"This connector does not implement find_entitlement_associations.","error":null,"samples":[],"entitlement_types":null,"custom_attributes":null,"duration_ms":null}],"duration_ms":null}"#;

#[test]
fn probe_checks_accounts_entitlements_and_associations_as_the_reference() {
    let lab = Lab::<FULL> { mode: Mode::Normal };
    assert_eq!(probe(&lab, "t", json!({})), expected(EXPECTED_FULL));
    let narrowed = json!({"custom_attributes": ["dept", "nope"], "checks": ["accounts"]});
    assert_eq!(probe(&lab, "t", narrowed), expected(EXPECTED_NARROWED));
}

#[test]
fn probe_falls_back_to_find_entitlement_associations() {
    let lab = Lab::<FIND_ONLY> { mode: Mode::Normal };
    let payload = json!({"checks": ["entitlement_associations"]});
    assert_eq!(probe(&lab, "t", payload), expected(EXPECTED_FIND_ONLY));
}

#[test]
fn probe_reports_missing_data_and_paging_failures() {
    let lab = Lab::<FULL> {
        mode: Mode::NoAccounts,
    };
    assert_eq!(probe(&lab, "t", json!({})), expected(EXPECTED_NO_ACCOUNTS));
    let entitlements_only = json!({"checks": ["entitlements"]});
    let lab = Lab::<FULL> {
        mode: Mode::EntitlementPageFails,
    };
    assert_eq!(
        probe(&lab, "t", entitlements_only.clone()),
        expected(EXPECTED_ENTITLEMENT_PAGE_FAILS)
    );
    let lab = Lab::<FULL> {
        mode: Mode::FewEntitlements,
    };
    assert_eq!(
        probe(&lab, "t", entitlements_only),
        expected(EXPECTED_FEW_ENTITLEMENTS)
    );
}

#[test]
fn probe_embeds_the_errors_of_failing_calls() {
    let lab = Lab::<FULL> { mode: Mode::Normal };
    let results = probe(&lab, "bad-token", json!({}));
    assert_eq!(results, expected(EXPECTED_BAD_TOKEN));
    assert_eq!(
        results["checks"][0]["error"]["raised_in"],
        "probe_lab::list_accounts"
    );
}

#[test]
fn probe_of_a_connector_without_list_capabilities_is_unsupported() {
    let lab = Lab::<BARE> { mode: Mode::Normal };
    assert_eq!(probe(&lab, "t", json!({})), expected(EXPECTED_BARE));
    let document = connector_sdk::info::app_info_document::<Lab<BARE>>();
    assert_eq!(document["info"]["x-probe-checks"], json!([]));
    let document = connector_sdk::info::app_info_document::<Lab<FULL>>();
    assert_eq!(
        document["info"]["x-probe-checks"],
        json!(["accounts", "entitlements", "entitlement_associations"])
    );
}

#[test]
fn probe_is_an_authenticated_capability() {
    let lab = Lab::<FULL> { mode: Mode::Normal };
    let out = call(&lab, "probe_integration", r#"{"request": {}}"#);
    assert_eq!(
        out["error"]["message"],
        "Missing auth/credentials in request"
    );
    let out = call(
        &lab,
        "probe_integration",
        r#"{"request": {"checks": ["everything"]}, "auth": {"token": {"token": "t"}}}"#,
    );
    assert_eq!(out["error"]["error_code"], "bad_request");
    // The demo needs settings: the probe's own request is refused without them...
    let out = call(
        &Demo,
        "probe_integration",
        r#"{"request": {}, "auth": {"token": {"token": "t"}}}"#,
    );
    assert_eq!(
        out["error"]["message"],
        "No settings passed on request: demo_app requires DemoAppSettings"
    );
    // ... and with them, every call it makes gets them (and the credentials).
    let out = call(
        &Demo,
        "probe_integration",
        r#"{"request": {}, "auth": {"token": {"token": "t"}}, "settings": {"base_url": "https://demo.example.com"}}"#,
    );
    let checks = &out["response"]["checks"];
    assert_eq!(out["response"]["status"], "failed");
    assert_eq!(checks[0]["status"], "failed");
    assert!(
        checks[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("No accounts were returned.")
    );
    assert!(checks[0]["error"].is_null());
    assert!(
        checks[1]["message"]
            .as_str()
            .unwrap()
            .starts_with("No entitlements were returned.")
    );
    assert_eq!(checks[2]["capability"], "find_entitlement_associations");
    assert_eq!(checks[2]["error"]["error_code"], "permission_denied");
    assert_eq!(checks[2]["error"]["status_code"], 403);
    assert_eq!(
        checks[2]["error"]["raised_in"],
        "demo_app::find_entitlement_associations"
    );
}

#[test]
fn probe_passes_a_credential_set_on() {
    let out = call(
        &MultiCredential,
        "probe_integration",
        r#"{"request": {}, "credentials": [{"id": "api", "token": {"token": "t"}}], "settings": {"region": "eu"}}"#,
    );
    let results = &out["response"];
    assert_eq!(results["status"], "passed", "{out}");
    let statuses: Vec<&Value> = results["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["status"])
        .collect();
    assert_eq!(statuses, ["passed", "unsupported", "unsupported"]);
    assert_eq!(
        results["checks"][0]["message"],
        "Fetched 1 account(s), including u-1."
    );
}

/// A connector with its own `probe_integration`.
struct OwnProbe;

impl Connector for OwnProbe {
    type Settings = NoSettings;
    type Credentials = TokenCredential;

    fn metadata() -> Metadata {
        Metadata::new("own_probe", "1.0.0")
    }

    fn capabilities() -> Capabilities<Self> {
        Capabilities::<Self>::new().standard::<caps::ProbeIntegration, _, _, _>(
            |_, _, _: ProbeIntegration| {
                Box::pin(async {
                    Ok::<_, ConnectorError>(ProbeResults {
                        status: ProbeStatus::Partial,
                        checks: vec![],
                        duration_ms: Some(7),
                    })
                })
            },
        )
    }
}

#[test]
fn an_authors_own_probe_integration_wins() {
    let out = call(
        &OwnProbe,
        "probe_integration",
        r#"{"request": {}, "auth": {"token": {"token": "t"}}}"#,
    );
    assert_eq!(
        out["response"],
        json!({"status": "partial", "checks": [], "duration_ms": 7})
    );
    let names = serde_json::to_value(info::<OwnProbe>()).unwrap()["capabilities"].clone();
    assert_eq!(names, json!(["app_info", "probe_integration"]));
    // The document still announces the checks the runtime could perform: none here.
    let document = connector_sdk::info::app_info_document::<OwnProbe>();
    assert_eq!(document["info"]["x-probe-checks"], json!([]));
}

/// A connector written with `#[connector]`; its one account is named by the token it got.
#[derive(Debug, Default)]
struct Macro;

#[connector_sdk::connector(app_id = "macro_app", auth = TokenCredential)]
impl Macro {
    /// Lists the one account.
    async fn list_accounts(
        &self,
        cx: &ContextOf<Self>,
        _req: ListAccounts,
        _page: PageRequest<usize>,
    ) -> Result<Paged<FoundAccountData, usize>> {
        Ok(Paged::last(vec![FoundAccountData {
            integration_specific_id: format!("owner-of-{}", cx.credentials().token.expose()),
            ..Default::default()
        }]))
    }
}

#[test]
fn a_macro_connector_gets_both_generated_capabilities() {
    assert_eq!(
        serde_json::to_value(info::<Macro>()).unwrap()["capabilities"],
        json!(["app_info", "list_accounts", "probe_integration"])
    );
    let out = call(&Macro, "app_info", r#"{"request": {}}"#);
    let document = &out["response"]["app_schema"];
    assert_openapi_3_0(document);
    assert_eq!(document["info"]["x-probe-checks"], json!(["accounts"]));
    let results = probe(&Macro, "t-1", json!({}));
    assert_eq!(results["status"], "passed");
    assert_eq!(
        results["checks"][0]["message"],
        "Fetched 1 account(s), including owner-of-t-1."
    );
}
