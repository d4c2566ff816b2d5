//! `info`: the connector's self-description as a typed value ([`Info`]), built once per
//! process from its [`Metadata`], its capability table and the JSON schemas of its types.

use std::any::TypeId;

use serde::Serialize;
use serde::ser::SerializeMap as _;
use serde_json::{Value, json};

use crate::connector::{Capabilities, Connector, Metadata, NoSettings};
use crate::credentials::Credentials;
use crate::models::{AppCategory, EntitlementType, ResourceType};

/// The `info` response payload: what a connector supports and how to call it.
///
/// ```
/// use connector_sdk::prelude::*;
/// use connector_sdk::connector::{Capabilities, Metadata, NoSettings};
///
/// struct Hello;
///
/// impl Connector for Hello {
///     type Settings = NoSettings;
///     type Credentials = TokenCredential;
///     fn metadata() -> Metadata {
///         Metadata::new("hello", "1.0.0")
///     }
///     fn capabilities() -> Capabilities<Self> {
///         Capabilities::new()
///     }
/// }
///
/// let info = connector_sdk::info::info::<Hello>();
/// assert_eq!(info.app_id, "hello");
/// assert!(info.capabilities.contains(&"app_info"));
/// ```
#[derive(Clone, Debug, Serialize)]
#[non_exhaustive]
pub struct Info {
    /// The connector's id.
    pub app_id: &'static str,
    /// The connector's version.
    pub version: &'static str,
    /// Every capability name, sorted (the runtime's own included).
    pub capabilities: Vec<&'static str>,
    /// Each capability's schemas and names, in registration order.
    #[serde(serialize_with = "as_map")]
    pub capability_schema: Vec<(&'static str, CapabilitySchema)>,
    /// The OAuth scope map of a single-credential connector with an OAuth declaration
    /// (capability → space-separated scopes); null otherwise.
    pub oauth_scopes: Option<Value>,
    /// The schema of the one credential type of a single-credential connector (else `{}`).
    pub authentication_schema: Value,
    /// The schemas of a multi-credential connector's credentials.
    pub credentials_schema: Vec<Value>,
    /// The app's logo.
    pub logo_url: Option<&'static str>,
    /// The name people see.
    pub user_friendly_name: Option<&'static str>,
    /// What the app is.
    pub description: Option<&'static str>,
    /// The app's categories.
    pub categories: Vec<AppCategory>,
    /// The schema of the settings every request carries.
    pub request_settings_schema: Value,
    /// The entitlement types the connector lists.
    pub entitlement_types: Vec<EntitlementType>,
    /// The resource types the connector lists.
    pub resource_types: Vec<ResourceType>,
    /// The vendor's domain.
    pub app_vendor_domain: Option<&'static str>,
    /// Always empty (access-graph types are not declared by Rust connectors).
    pub access_graph_entitlement_types: Vec<Value>,
    /// Always empty (access-graph rules are not declared by Rust connectors).
    pub access_graph_entitlement_rules: Vec<Value>,
    /// Always empty (implied-access rules are not declared by Rust connectors).
    pub implied_access_rules: Vec<Value>,
}

/// One capability as `info.capability_schema` describes it.
#[derive(Clone, Debug, Serialize)]
#[non_exhaustive]
pub struct CapabilitySchema {
    /// The JSON schema of the payload.
    pub argument: Value,
    /// The JSON schema of the response (an empty object for list capabilities).
    pub output: Value,
    /// The display name ("List Accounts" unless one was given).
    pub display_name: String,
    /// The description, if any.
    pub description: Option<&'static str>,
}

fn as_map<S: serde::Serializer>(
    entries: &[(&'static str, CapabilitySchema)],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let mut map = serializer.serialize_map(Some(entries.len()))?;
    for (name, schema) in entries {
        map.serialize_entry(name, schema)?;
    }
    map.end()
}

impl Info {
    /// Builds the description of connector `C` from its metadata and full capability table.
    pub(crate) fn build<C: Connector>(metadata: &Metadata, capabilities: &Capabilities<C>) -> Info {
        let capability_schema = capabilities
            .entries()
            .iter()
            .map(|entry| {
                let (argument, output) = entry.schemas();
                let schema = CapabilitySchema {
                    argument,
                    output,
                    display_name: entry.display_name(),
                    description: entry.description(),
                };
                (entry.name(), schema)
            })
            .collect();
        let request_settings_schema = if TypeId::of::<C::Settings>() == TypeId::of::<NoSettings>() {
            json!({"properties": {}, "title": "EmptySettings", "type": "object", "field_order": []})
        } else {
            crate::schema::schema_with_field_order::<C::Settings>()
        };
        Info {
            app_id: metadata.app_id.trim(),
            version: metadata.version,
            capabilities: capabilities.names(),
            capability_schema,
            oauth_scopes: None,
            authentication_schema: <C::Credentials as Credentials>::authentication_schema(),
            credentials_schema: metadata
                .credentials
                .specs
                .iter()
                .map(|spec| spec.schema())
                .collect(),
            logo_url: metadata.logo_url,
            user_friendly_name: metadata.name,
            description: metadata.description,
            categories: metadata.categories.clone(),
            request_settings_schema,
            entitlement_types: metadata.entitlement_types.clone(),
            resource_types: metadata.resource_types.clone(),
            app_vendor_domain: metadata.app_vendor_domain,
            access_graph_entitlement_types: Vec::new(),
            access_graph_entitlement_rules: Vec::new(),
            implied_access_rules: Vec::new(),
        }
    }
}

/// The `info` response payload of connector `C` (without the envelope), built once per
/// process.
pub fn info<C: Connector>() -> &'static Info {
    crate::runtime::Runtime::<C>::get().info()
}

/// The `info` envelope of connector `C`, as the CLI prints it.
pub fn info_envelope<C: Connector>() -> Value {
    json!({
        "execution_summary": Value::Null,
        "page": Value::Null,
        "rate_limit": Value::Null,
        "raw_data": Value::Null,
        "response": info::<C>(),
    })
}

/// The OpenAPI 3.0.0 document `app_info` answers with for connector `C` (its
/// `app_schema`), built once per process.
pub fn app_info_document<C: Connector>() -> Value {
    Value::Object(
        crate::runtime::Runtime::<C>::get()
            .app_info()
            .app_schema
            .clone(),
    )
}
