//! `info`: the connector's self-description, built from its [`Metadata`], its capability
//! table and the JSON schemas of its types.

use schemars::JsonSchema;
use serde_json::{Map, Value, json};

use crate::connector::{Connector, Metadata, NoSettings};
use crate::credentials::Credentials;

/// The schemas of a single-payload capability: `(argument, output)`.
pub(crate) fn standard_schemas<P: JsonSchema, R: JsonSchema>() -> (Value, Value) {
    (
        crate::schema::schema_for::<P>(),
        crate::schema::schema_for::<R>(),
    )
}

/// The schemas of a list capability: the reference prints an empty object as the output.
pub(crate) fn list_schemas<P: JsonSchema>() -> (Value, Value) {
    (
        crate::schema::schema_for::<P>(),
        json!({"properties": {}, "title": "Empty", "type": "object"}),
    )
}

/// The titles of the required settings that `settings` lacks.
pub(crate) fn missing_required_settings<S: JsonSchema>(
    settings: &Map<String, Value>,
) -> Vec<String> {
    let schema = crate::schema::schema_for::<S>();
    let properties = schema.get("properties").and_then(Value::as_object);
    let required = schema.get("required").and_then(Value::as_array);
    required
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter(|name| !settings.contains_key(*name))
        .map(|name| {
            properties
                .and_then(|props| props.get(name))
                .and_then(|prop| prop.get("title"))
                .and_then(Value::as_str)
                .unwrap_or(name)
                .to_owned()
        })
        .collect()
}

/// The `info` response payload of connector `C` (without the envelope).
pub fn info<C: Connector>() -> Value {
    let metadata: Metadata = C::metadata();
    let capabilities = crate::connector::registered::<C>();
    let mut capability_schema = Map::new();
    for entry in capabilities.entries() {
        let (argument, output) = entry.schemas();
        capability_schema.insert(
            entry.name().to_owned(),
            json!({
                "argument": argument,
                "output": output,
                "display_name": entry.display_name(),
                "description": entry.description(),
            }),
        );
    }
    let request_settings_schema =
        if std::any::TypeId::of::<C::Settings>() == std::any::TypeId::of::<NoSettings>() {
            json!({"properties": {}, "title": "EmptySettings", "type": "object", "field_order": []})
        } else {
            crate::schema::schema_with_field_order::<C::Settings>()
        };
    json!({
        "app_id": metadata.app_id.trim(),
        "version": metadata.version,
        "capabilities": capabilities.names(),
        "capability_schema": capability_schema,
        "oauth_scopes": Value::Null,
        "authentication_schema": <C::Credentials as Credentials>::authentication_schema(),
        "credentials_schema": metadata.credentials.specs.iter().map(|spec| spec.schema()).collect::<Vec<Value>>(),
        "logo_url": metadata.logo_url,
        "user_friendly_name": metadata.name,
        "description": metadata.description,
        "categories": metadata.categories,
        "request_settings_schema": request_settings_schema,
        "entitlement_types": metadata.entitlement_types,
        "resource_types": metadata.resource_types,
        "app_vendor_domain": metadata.app_vendor_domain,
        "access_graph_entitlement_types": [],
        "access_graph_entitlement_rules": [],
        "implied_access_rules": [],
    })
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

/// The settings fields whose schema marks them secret (`x-secret`).
pub fn secret_settings<S: JsonSchema>() -> Vec<String> {
    let schema = crate::schema::schema_for::<S>();
    schema
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(_, prop)| {
            prop.get("x-secret")
                .and_then(Value::as_bool)
                .unwrap_or(false)
        })
        .map(|(name, _)| name.clone())
        .collect()
}
