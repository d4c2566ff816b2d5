//! The capability catalogue: the spec's 52 names, the runtime's markers and the macro's
//! table must agree.

use connector_sdk::capability::{CapabilityLevel, Envelope};
use connector_sdk::caps;

/// `StandardCapabilityName` of the protocol's spec, written out here on purpose: the spec
/// is not in the repository, and this list changing should be a conscious edit.
const SPEC_NAMES: [&str; 52] = [
    "activate_account",
    "app_info",
    "assign_application",
    "assign_application_entitlement",
    "assign_entitlement",
    "connected_info",
    "create_account",
    "deactivate_account",
    "delete_account",
    "downgrade_license",
    "find_entitlement_assignments",
    "find_entitlement_associations",
    "find_entitlement_graph",
    "find_resource_graph",
    "fulfill_arbitrary_endpoint",
    "get_account",
    "get_account_entitlement_associations",
    "get_application",
    "get_application_account",
    "get_authorization_url",
    "get_credential_last_activity",
    "get_data_recency",
    "get_last_activity",
    "get_non_human_account_last_activity",
    "handle_authorization_callback",
    "handle_client_credentials_request",
    "info",
    "list_accounts",
    "list_activity_records",
    "list_applications",
    "list_applications_accounts",
    "list_applications_activity_records",
    "list_applications_entitlement_associations",
    "list_applications_entitlements",
    "list_applications_resources",
    "list_credentials",
    "list_custom_attributes_schema",
    "list_entitlements",
    "list_expenses",
    "list_non_human_accounts",
    "list_resources",
    "list_updated_accounts",
    "probe_integration",
    "refresh_access_token",
    "release_resources",
    "transfer_data",
    "unassign_application",
    "unassign_application_entitlement",
    "unassign_entitlement",
    "update_account",
    "validate_credential_config",
    "validate_credentials",
];

/// The two names the protocol gives no signature.
const WITHOUT_SIGNATURE: [&str; 2] = ["connected_info", "info"];

/// The macro's generated table: (name, marker, kind, level, envelope, payload, response, list).
type MacroEntry = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    bool,
);
const MACRO_TABLE: &[MacroEntry] = connector_sdk_macros::__standard_capabilities!();

#[test]
fn the_runtime_has_a_marker_for_every_name_with_a_signature() {
    let runtime: Vec<&str> = caps::ALL.iter().map(|(name, ..)| *name).collect();
    let expected: Vec<&str> = SPEC_NAMES
        .iter()
        .copied()
        .filter(|name| !WITHOUT_SIGNATURE.contains(name))
        .collect();
    assert_eq!(runtime, expected);
}

#[test]
fn the_macro_knows_exactly_the_spec_s_names() {
    let names: Vec<&str> = MACRO_TABLE.iter().map(|(name, ..)| *name).collect();
    assert_eq!(names, SPEC_NAMES);
}

#[test]
fn the_macro_and_the_runtime_agree_on_every_capability() {
    for (name, level, envelope) in caps::ALL {
        let (_, marker, kind, macro_level, macro_envelope, payload, response, list) = MACRO_TABLE
            .iter()
            .find(|(macro_name, ..)| macro_name == name)
            .unwrap_or_else(|| panic!("the macro does not know {name}"));
        assert_eq!(snake(marker), *name, "marker of {name}");
        assert_eq!(*macro_level, format!("{level:?}"), "level of {name}");
        assert_eq!(
            *macro_envelope,
            format!("{envelope:?}"),
            "envelope of {name}"
        );
        assert_eq!(*list, LIST.contains(name), "list response of {name}");
        assert!(
            !payload.is_empty() && !response.is_empty(),
            "types of {name}"
        );
        let expected_kind = match (name, envelope) {
            (&"app_info" | &"probe_integration", _) => "Generated",
            (_, Envelope::Unauthenticated) => "Unauthenticated",
            _ if LIST.contains(name) => "List",
            _ => "Single",
        };
        assert_eq!(*kind, expected_kind, "kind of {name}");
    }
    for name in WITHOUT_SIGNATURE {
        let (_, _, kind, ..) = MACRO_TABLE
            .iter()
            .find(|(macro_name, ..)| *macro_name == name)
            .unwrap();
        assert_eq!(*kind, "Forbidden");
    }
}

/// The capabilities whose response is a list (`ListCapability` in the runtime, checked
/// at compile time in `the_list_capabilities_are_list_capabilities`).
const LIST: [&str; 20] = [
    "find_entitlement_assignments",
    "find_entitlement_associations",
    "get_account_entitlement_associations",
    "get_credential_last_activity",
    "get_last_activity",
    "get_non_human_account_last_activity",
    "list_accounts",
    "list_activity_records",
    "list_applications",
    "list_applications_accounts",
    "list_applications_activity_records",
    "list_applications_entitlement_associations",
    "list_applications_entitlements",
    "list_applications_resources",
    "list_credentials",
    "list_custom_attributes_schema",
    "list_entitlements",
    "list_expenses",
    "list_non_human_accounts",
    "list_resources",
];

#[test]
fn the_list_capabilities_are_list_capabilities() {
    fn list<C: connector_sdk::capability::ListCapability>() -> &'static str {
        <C as connector_sdk::capability::Capability>::NAME
    }
    let names = [
        list::<caps::FindEntitlementAssignments>(),
        list::<caps::FindEntitlementAssociations>(),
        list::<caps::GetAccountEntitlementAssociations>(),
        list::<caps::GetCredentialLastActivity>(),
        list::<caps::GetLastActivity>(),
        list::<caps::GetNonHumanAccountLastActivity>(),
        list::<caps::ListAccounts>(),
        list::<caps::ListActivityRecords>(),
        list::<caps::ListApplications>(),
        list::<caps::ListApplicationsAccounts>(),
        list::<caps::ListApplicationsActivityRecords>(),
        list::<caps::ListApplicationsEntitlementAssociations>(),
        list::<caps::ListApplicationsEntitlements>(),
        list::<caps::ListApplicationsResources>(),
        list::<caps::ListCredentials>(),
        list::<caps::ListCustomAttributesSchema>(),
        list::<caps::ListEntitlements>(),
        list::<caps::ListExpenses>(),
        list::<caps::ListNonHumanAccounts>(),
        list::<caps::ListResources>(),
    ];
    assert_eq!(names, LIST);
}

#[test]
fn levels_follow_the_spec() {
    let level = |name: &str| {
        caps::ALL
            .iter()
            .find(|(n, ..)| *n == name)
            .map(|(_, level, _)| *level)
            .unwrap()
    };
    assert_eq!(level("list_accounts"), CapabilityLevel::Read);
    assert_eq!(level("create_account"), CapabilityLevel::Write);
    assert_eq!(
        level("validate_credential_config"),
        CapabilityLevel::Validation
    );
    assert_eq!(
        level("assign_application_entitlement"),
        CapabilityLevel::Write
    );
}

fn snake(marker: &str) -> String {
    let mut out = String::new();
    for (index, ch) in marker.chars().enumerate() {
        if ch.is_ascii_uppercase() {
            if index > 0 {
                out.push('_');
            }
            out.push(ch.to_ascii_lowercase());
        } else {
            out.push(ch);
        }
    }
    out
}

/// The README's sentence counting the standard capabilities, as the catalogue computes it.
fn readme_counts_sentence() -> String {
    let of_kind = |wanted: &[&str]| -> Vec<&str> {
        MACRO_TABLE
            .iter()
            .filter(|(_, _, kind, ..)| wanted.contains(kind))
            .map(|(name, ..)| *name)
            .collect()
    };
    let generated = of_kind(&["Generated"]);
    let forbidden = of_kind(&["Forbidden"]);
    let authored = of_kind(&["Single", "List", "Unauthenticated"]);
    let quoted = |names: &[&str]| {
        names
            .iter()
            .map(|name| format!("`{name}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "the protocol names {} standard capabilities; {} have a signature, of which you write \
         any of {} and the SDK generates {} ({}); the other {} ({}) have none and cannot be \
         capabilities",
        MACRO_TABLE.len(),
        caps::ALL.len(),
        authored.len(),
        generated.len(),
        quoted(&generated),
        forbidden.len(),
        quoted(&forbidden),
    )
}

#[test]
fn the_readme_counts_come_from_the_catalogue() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md");
    let readme = std::fs::read_to_string(path).expect("README.md beside the workspace");
    let words = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
    let expected = readme_counts_sentence();
    assert!(
        words(&readme).contains(&expected),
        "README.md should say, word for word (line breaks free): {expected}"
    );
}

/// The generated request/response schemas of every capability (tools/gen_models.py).
fn capability_schemas() -> serde_json::Value {
    serde_json::from_str(include_str!("../spec/capabilities.json")).expect("valid JSON")
}

fn refs(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, inner) in map {
                match (key.as_str(), inner.as_str()) {
                    ("$ref", Some(target)) => out.push(target.to_owned()),
                    _ => refs(inner, out),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|item| refs(item, out)),
        _ => {}
    }
}

#[test]
fn the_schema_file_covers_every_capability_with_its_level_and_envelope() {
    let document = capability_schemas();
    let capabilities = document["capabilities"].as_object().unwrap();
    let names: Vec<&str> = capabilities.keys().map(String::as_str).collect();
    let runtime: Vec<&str> = caps::ALL.iter().map(|(name, ..)| *name).collect();
    assert_eq!(names, runtime);
    for (name, level, envelope) in caps::ALL {
        let entry = &capabilities[*name];
        assert!(entry["request"].is_object(), "request schema of {name}");
        assert!(entry["response"].is_object(), "response schema of {name}");
        assert_eq!(
            entry["level"],
            serde_json::to_value(level).unwrap(),
            "level of {name}"
        );
        assert_eq!(
            entry["envelope"],
            format!("{envelope:?}"),
            "envelope of {name}"
        );
        assert_eq!(
            entry["list"],
            LIST.contains(name),
            "list response of {name}"
        );
    }
}

#[test]
fn every_reference_in_the_schema_file_resolves() {
    let document = capability_schemas();
    let mut found = Vec::new();
    refs(&document, &mut found);
    assert!(!found.is_empty());
    for target in found {
        let pointer = target.strip_prefix('#').expect("a local reference");
        assert!(
            document.pointer(pointer).is_some(),
            "{target} does not resolve"
        );
    }
}
