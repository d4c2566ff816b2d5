//! `app_info`: the connector's OpenAPI 3.0.0 document, with the reference's `x-`
//! extensions, built from the typed [`Info`] and the capability table.
//!
//! The document is the one connector-py's InfoModule prints (`app_info` of connector-py
//! 4.280.0), step for step:
//!
//! * `info`: title (the name people see, else the app_id), description, version and the
//!   `x-` extensions (app id, logo, vendor domain, entitlement and resource types, access
//!   graph rules, categories, OAuth settings, sorted capability names, multi-credential
//!   flag, the probe checks `probe_integration` can perform, allowed credential sets);
//! * one `POST /<capability>` per capability, in name order: `operationId`, a tag from
//!   the payload's `x-capability-level` (`"Read Capabilities"`, `"Write Capabilities"`)
//!   or else its `x-capability-category` (`"Specification"`, `"Authorization"`), the
//!   display name as `summary`, the request body `{request, settings, auth | credentials}`
//!   (with the reference's `required: [request, settings, auth, credentials]`), the
//!   response payload's schema and the security requirement;
//! * `components.schemas`: `Settings`, `Auth` (single credential) or `Credentials`, and
//!   every definition the capabilities' request and response envelopes use, in OpenAPI
//!   3.0 form (`anyOf [X, null]` → X with `nullable: true`, `const` → `enum`); the
//!   `entitlement_type` and `resource_type` fields marked `x-entitlement-type` /
//!   `x-resource-type` become enums of the connector's declared type ids;
//! * `components.securitySchemes` and the fixed `tags` list.
//!
//! ```
//! use connector_sdk::prelude::*;
//! use connector_sdk::connector::{Capabilities, Metadata, NoSettings};
//!
//! struct Hello;
//!
//! impl Connector for Hello {
//!     type Settings = NoSettings;
//!     type Credentials = TokenCredential;
//!     fn metadata() -> Metadata {
//!         Metadata::new("hello", "1.0.0")
//!     }
//!     fn capabilities() -> Capabilities<Self> {
//!         Capabilities::<Self>::new().standard::<caps::ValidateCredentials, _, _, _>(|_, _, _: ValidateCredentials| {
//!             Box::pin(async { Ok::<_, ConnectorError>(ValidatedCredentials { valid: true, unique_tenant_id: "hello".into() }) })
//!         })
//!     }
//! }
//!
//! let document = connector_sdk::info::app_info_document::<Hello>();
//! assert_eq!(document["openapi"], "3.0.0");
//! assert_eq!(document["paths"]["/validate_credentials"]["post"]["tags"][0], "Read Capabilities");
//! assert_eq!(document["info"]["x-capabilities"][0], "app_info");
//! ```

mod builder;
mod security;

use std::collections::BTreeSet;

use schemars::JsonSchema;
use serde_json::{Map, Value, json};

use crate::capability::{Capability, Envelope};
use crate::caps;
use crate::connector::{CapabilityEntry, Connector};
use crate::info::Info;
use crate::models::{
    AppInfo, AppInfoRequestPayload, AuthCredential, ExecutionSummary, RateLimitRequestInfo,
    RateLimitResponseInfo,
};
use crate::registry::erase;
use crate::runtime::Runtime;
use crate::schema::openapi::{collect_refs, pydantic_order, to_component_refs};
use builder::Builder;

/// The registration of `app_info` for connector `C`: the authenticated envelope, parsed,
/// but neither credentials nor settings are checked.
pub(crate) fn entry<C: Connector>() -> CapabilityEntry<C> {
    CapabilityEntry::new(
        caps::AppInfo::NAME,
        caps::AppInfo::LEVEL,
        false,
        crate::schema::standard_schemas::<AppInfoRequestPayload, AppInfo>,
        erase(|connector: &C, invocation| {
            Box::pin(crate::dispatch::runners::run_exempt::<C, caps::AppInfo, _>(
                connector,
                invocation,
                |_, _| Box::pin(async { Ok(Runtime::<C>::get().app_info().clone()) }),
            ))
        }),
    )
}

/// The `app_info` response payload of a connector: its app_id and [`document`].
pub(crate) fn app_info<C: Connector>(runtime: &Runtime<C>) -> AppInfo {
    let app_schema = match document(runtime) {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    AppInfo {
        app_id: runtime.info().app_id.to_owned(),
        app_schema,
    }
}

/// The OpenAPI 3.0.0 document of a connector, as `app_info` returns it.
fn document<C: Connector>(runtime: &Runtime<C>) -> Value {
    let info: &Info = runtime.info();
    let capabilities = &runtime.capabilities;
    let names: Vec<&'static str> = capabilities.names();
    let mut builder = Builder {
        schemas: Map::new(),
        used: BTreeSet::new(),
        entitlement_type_ids: info
            .entitlement_types
            .iter()
            .map(|t| t.type_id.clone())
            .collect(),
        resource_type_ids: info
            .resource_types
            .iter()
            .map(|t| t.type_id.clone())
            .collect(),
    };

    // Settings come first, then the credentials, as in the reference.
    builder.add_settings(&info.request_settings_schema);
    let single = info
        .authentication_schema
        .as_object()
        .is_some_and(|schema| !schema.is_empty());
    let mut security = if single {
        builder.add_auth(info)
    } else {
        builder.add_credentials(info, &runtime.metadata.credentials)
    };
    let oauth_settings = describe_oauth(runtime, &mut security);

    let envelopes = Envelopes::new();
    let mut paths = Map::new();
    for entry in names.iter().filter_map(|name| capabilities.get(name)) {
        let operation = builder.operation(entry, &envelopes, &security);
        paths.insert(
            format!("/{}", entry.name().to_lowercase()),
            json!({ "post": operation }),
        );
    }

    // Only what something refers to stays.
    let used = std::mem::take(&mut builder.used);
    let schemas: Map<String, Value> = std::mem::take(&mut builder.schemas)
        .into_iter()
        .filter(|(name, _)| used.contains(name))
        .collect();

    let app_id = info.app_id;
    let probe_checks: Vec<&str> = super::probe::performable_checks(&names)
        .into_iter()
        .map(|check| check.as_str())
        .collect();
    json!({
        "openapi": "3.0.0",
        "info": {
            "title": info.user_friendly_name.unwrap_or(app_id),
            "description": info.description.unwrap_or_default(),
            "version": info.version,
            "x-app-id": app_id,
            "x-app-logo-url": info.logo_url.unwrap_or_default(),
            "x-app-vendor-domain": info.app_vendor_domain.unwrap_or_default(),
            "x-entitlement-types": info.entitlement_types,
            "x-access-graph-entitlement-types": info.access_graph_entitlement_types,
            "x-access-graph-entitlement-rules": info.access_graph_entitlement_rules,
            "x-implied-access-rules": info.implied_access_rules,
            "x-resource-types": info.resource_types,
            "x-categories": {"type": "enum", "enum": info.categories},
            "x-oauth-settings": oauth_settings,
            "x-capabilities": names,
            "x-multi-credential": security.multi_credential,
            "x-probe-checks": probe_checks,
            "x-allowed-credentials": security.allowed,
        },
        "servers": [],
        "paths": paths,
        "components": {
            "securitySchemes": security.schemes,
            "schemas": schemas,
        },
        "tags": [
            {"name": "Read Capabilities", "description": "These capabilities only perform read operations."},
            {"name": "Write Capabilities", "description": "These capabilities perform write operations on top of potential read operations."},
            {"name": "Authorization", "description": "OAuth 2.0 authorization capabilities."},
            {"name": "Specification", "description": "Capabilities used for specifying the connector's capabilities."},
            {"name": "Validation", "description": "Capabilities used for validating the connector's credentials."},
        ],
    })
}

/// `x-oauth-settings` (one object, or one per OAuth credential id), with the OAuth
/// security schemes and scopes put into `security`.
#[cfg(feature = "http")]
fn describe_oauth<C: Connector>(runtime: &Runtime<C>, security: &mut Security) -> Value {
    use crate::oauth::describe::{security_scheme, x_oauth_settings};
    let implemented = |name: &str| {
        runtime.capabilities.get(name).is_some()
            && !runtime
                .oauth
                .configs()
                .iter()
                .any(|(_, settings)| settings.registers(name))
    };
    let mut by_credential = Map::new();
    for (credential_id, settings) in runtime.oauth.configs() {
        let described = x_oauth_settings(settings, implemented);
        let id = match credential_id {
            None => {
                let id = runtime.info().app_id.to_owned();
                security
                    .schemes
                    .insert(id.clone(), security_scheme(settings));
                security.oauth_scopes.insert(id, settings.scopes.clone());
                return described;
            }
            Some(id) => (*id).to_owned(),
        };
        security
            .oauth_scopes
            .insert(id.clone(), settings.scopes.clone());
        by_credential.insert(id, described);
    }
    Value::Object(by_credential)
}

/// Without the HTTP toolkit there is no OAuth: `x-oauth-settings` is empty.
#[cfg(not(feature = "http"))]
fn describe_oauth<C: Connector>(_: &Runtime<C>, _: &mut Security) -> Value {
    json!({})
}

/// How requests authenticate: `auth` with one credential type, or `credentials`.
struct Security {
    /// One credential type (`Auth`), else a credential set (`Credentials`).
    single: bool,
    schemes: Map<String, Value>,
    /// The names every operation's security requirement lists.
    ids: Vec<String>,
    allowed: Vec<Value>,
    multi_credential: bool,
    /// Security id → the OAuth scope map (capability, scopes) of that credential.
    oauth_scopes: std::collections::HashMap<String, Vec<(&'static str, &'static str)>>,
}

/// Which envelope a capability takes: the catalogue's for standard capabilities, the
/// authenticated one for custom capabilities.
fn envelope_of<C: Connector>(entry: &CapabilityEntry<C>) -> Envelope {
    caps::ALL
        .iter()
        .find(|(name, _, _)| *name == entry.name())
        .filter(|_| !entry.is_custom())
        .map(|(_, _, envelope)| *envelope)
        .unwrap_or(Envelope::Authenticated)
}

/// One side (request or response) of a capability's envelope, as pydantic describes it:
/// the payload property (a `$ref` to the payload's definition, or an inline list schema)
/// and the envelope's definitions, sorted by name.
struct EnvelopeSide {
    payload: Value,
    /// The envelope's other properties (auth, page, rate_limit, ...), for their references.
    others: Vec<Value>,
    definitions: Vec<(String, Value)>,
}

impl EnvelopeSide {
    fn collect(&self, used: &mut BTreeSet<String>) {
        collect_refs(&self.payload, used);
        for other in &self.others {
            collect_refs(other, used);
        }
        for (_, definition) in &self.definitions {
            collect_refs(definition, used);
        }
    }
}

/// The parts every envelope shares besides its payload.
struct Envelopes {
    authenticated: (Vec<Value>, Map<String, Value>),
    unauthenticated: (Vec<Value>, Map<String, Value>),
    response: (Vec<Value>, Map<String, Value>),
}

impl Envelopes {
    fn new() -> Self {
        Envelopes {
            authenticated: envelope_parts::<AuthenticatedEnvelope>(),
            unauthenticated: envelope_parts::<UnauthenticatedEnvelope>(),
            response: envelope_parts::<ResponseEnvelope>(),
        }
    }
}

/// The wire `Page` as the reference's model describes it.
#[derive(JsonSchema)]
#[schemars(
    rename = "Page",
    description = "Pagination parameters for requests and responses."
)]
#[allow(dead_code)]
struct PageModel {
    #[serde(default)]
    #[schemars(
        description = "Opaque token representing the next page of results. Include this token in subsequent requests to retrieve the next page."
    )]
    token: Option<String>,
    #[serde(default)]
    #[schemars(
        description = "Number of items to return per page. This should remain consistent throughout a pagination sequence."
    )]
    size: Option<i64>,
}

/// The authenticated request envelope, less `request`, `settings` and `include_raw_data`
/// (which refer to no definition).
#[derive(JsonSchema)]
#[allow(dead_code)]
struct AuthenticatedEnvelope {
    #[serde(default)]
    auth: Option<AuthCredential>,
    #[serde(default)]
    credentials: Option<Vec<AuthCredential>>,
    #[serde(default)]
    page: Option<PageModel>,
    #[serde(default)]
    rate_limit: Option<RateLimitRequestInfo>,
}

/// The envelope of the OAuth flows and `validate_credential_config`.
#[derive(JsonSchema)]
#[allow(dead_code)]
struct UnauthenticatedEnvelope {
    #[serde(default)]
    page: Option<PageModel>,
    #[serde(default)]
    rate_limit: Option<RateLimitRequestInfo>,
}

/// The success envelope, less `response` and `raw_data`.
#[derive(JsonSchema)]
#[allow(dead_code)]
struct ResponseEnvelope {
    #[serde(default)]
    page: Option<PageModel>,
    #[serde(default)]
    rate_limit: Option<RateLimitResponseInfo>,
    #[serde(default)]
    execution_summary: Option<ExecutionSummary>,
}

/// An envelope's property schemas and definitions, with component references.
fn envelope_parts<T: JsonSchema>() -> (Vec<Value>, Map<String, Value>) {
    let mut schema = crate::schema::schema_for::<T>();
    to_component_refs(&mut schema);
    pydantic_order(&mut schema);
    let definitions = match schema.as_object_mut().and_then(|s| s.shift_remove("$defs")) {
        Some(Value::Object(definitions)) => definitions,
        _ => Map::new(),
    };
    let properties = schema["properties"]
        .as_object()
        .map(|properties| properties.values().cloned().collect())
        .unwrap_or_default();
    (properties, definitions)
}

/// The schema of one item of a standard list capability (their `info` output is the
/// reference's `Empty`).
fn list_item_schema(name: &str) -> Option<Value> {
    macro_rules! lists {
        ($($marker:ident),* $(,)?) => {
            match name {
                $(
                    n if n == <caps::$marker as Capability>::NAME => Some(crate::schema::schema_for::<
                        <caps::$marker as crate::capability::ListCapability>::Item,
                    >()),
                )*
                _ => None,
            }
        };
    }
    lists!(
        FindEntitlementAssignments,
        FindEntitlementAssociations,
        GetAccountEntitlementAssociations,
        GetCredentialLastActivity,
        GetLastActivity,
        GetNonHumanAccountLastActivity,
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
    )
}

/// Whether an `info` output schema is the reference's `Empty` (list capabilities).
fn is_empty_output(output: &Value) -> bool {
    *output == json!({"properties": {}, "title": "Empty", "type": "object"})
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_owned()
}

/// Python's `str.capitalize()`: the first character upper case, the rest lower case.
fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first
            .to_uppercase()
            .chain(chars.flat_map(char::to_lowercase))
            .collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::openapi::convert_null_type;

    #[test]
    fn nullable_merges_the_single_branch_and_keeps_annotations() {
        let converted = convert_null_type(json!({
            "anyOf": [{"$ref": "#/components/schemas/AccountStatus"}, {"type": "null"}],
            "default": null,
            "description": "The current status."
        }));
        assert_eq!(
            converted,
            json!({"default": null, "description": "The current status.", "$ref": "#/components/schemas/AccountStatus", "nullable": true})
        );
        let keys: Vec<&String> = converted.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["default", "description", "$ref", "nullable"]);
    }

    #[test]
    fn nullable_of_several_types_and_consts() {
        assert_eq!(
            convert_null_type(
                json!({"anyOf": [{"type": "string"}, {"type": "integer"}, {"type": "null"}]})
            ),
            json!({"anyOf": [{"type": "string"}, {"type": "integer"}], "nullable": true})
        );
        assert_eq!(
            convert_null_type(json!({"properties": {"kind": {"const": "created"}}})),
            json!({"properties": {"kind": {"enum": ["created"]}}})
        );
    }

    #[test]
    fn python_capitalize() {
        assert_eq!(capitalize("read"), "Read");
        assert_eq!(capitalize("sPECIFICATION"), "Specification");
        assert_eq!(capitalize(""), "");
    }

    #[test]
    fn every_standard_list_capability_has_an_item_schema() {
        macro_rules! all {
            ($($marker:ident),* $(,)?) => {
                $(
                    let response = crate::schema::schema_for::<<caps::$marker as Capability>::Response>();
                    let is_list = response["type"] == "array";
                    assert_eq!(
                        list_item_schema(<caps::$marker as Capability>::NAME).is_some(),
                        is_list,
                        "{}",
                        <caps::$marker as Capability>::NAME
                    );
                )*
            };
        }
        all!(
            ActivateAccount,
            AppInfo,
            AssignApplication,
            AssignApplicationEntitlement,
            AssignEntitlement,
            CreateAccount,
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
        );
        assert_eq!(caps::ALL.len(), 50);
    }
}
