//! JSON schemas in the reference's (pydantic v2's) conventions.
//!
//! Every schema the runtime prints in `info` (capability arguments and outputs, settings,
//! credentials) comes from [`schema_for`], which runs schemars and then rewrites its output
//! into what pydantic's `model_json_schema()` prints:
//!
//! * no `$schema`; definitions under `$defs`, referenced as `#/$defs/Name`;
//! * the root and every `$defs` entry titled with its name;
//! * every property titled with its name, `_` turned into spaces and each word capitalised
//!   the way Python's `str.title()` does it (`"account_id"` → `"Account Id"`), except a
//!   property that is only a reference (`$ref`, or `anyOf` of a `$ref` and `null`);
//! * `Option<T>` as `{"anyOf": [<T>, {"type": "null"}]}` (never `"type": [.., "null"]`),
//!   with `title`, `description`, `default` and `x-` extensions beside the `anyOf`;
//! * `"default": null` on every property that is not required and has no default;
//! * integers as plain `{"type": "integer"}` and floats as `{"type": "number"}` (no
//!   `format`, no `minimum: 0` for unsigned types);
//! * `serde_json::Value` as `{}` and a `Map<String, Value>` as
//!   `{"additionalProperties": true, "type": "object"}`;
//! * every model with `"properties"`, even an empty one.

pub(crate) mod openapi;

use schemars::JsonSchema;
use schemars::generate::SchemaSettings;
use serde_json::{Map, Value};

/// The schemas of a single-payload capability: `(argument, output)`.
pub(crate) fn standard_schemas<P: JsonSchema, R: JsonSchema>() -> (Value, Value) {
    (schema_for::<P>(), schema_for::<R>())
}

/// The schemas of a list capability: the reference prints an empty object as the output.
pub(crate) fn list_schemas<P: JsonSchema>() -> (Value, Value) {
    (
        schema_for::<P>(),
        serde_json::json!({"properties": {}, "title": "Empty", "type": "object"}),
    )
}

/// The fields that identify one `T` (its schema's `x-unique-hash`; empty when none).
pub(crate) fn unique_hash<T: JsonSchema>() -> Vec<String> {
    schema_for::<T>()
        .get("x-unique-hash")
        .and_then(Value::as_array)
        .map(|fields| {
            fields
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// The titles of the required fields of `S` that `object` lacks.
pub(crate) fn missing_required<S: JsonSchema>(object: &Map<String, Value>) -> Vec<String> {
    let schema = schema_for::<S>();
    let properties = schema.get("properties").and_then(Value::as_object);
    let required = schema.get("required").and_then(Value::as_array);
    required
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter(|name| !object.contains_key(*name))
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

/// The fields of `S` whose schema marks them secret (`x-secret`, also behind a `$ref` or
/// inside an `anyOf`/`oneOf`/`allOf`, as an optional `Secret` is): the one detector of
/// secret settings, for redaction and scrubbing.
pub(crate) fn secret_fields<S: JsonSchema>() -> Vec<String> {
    let schema = schema_for::<S>();
    schema
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(_, prop)| marks_secret(prop, &schema, 0))
        .map(|(name, _)| name.clone())
        .collect()
}

/// Whether `schema` (inside `root`) carries `x-secret: true`.
fn marks_secret(schema: &Value, root: &Value, depth: u8) -> bool {
    if depth > 8 {
        return false;
    }
    if schema.get("x-secret") == Some(&Value::Bool(true)) {
        return true;
    }
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str)
        && let Some(target) = reference
            .strip_prefix('#')
            .and_then(|pointer| root.pointer(pointer))
        && marks_secret(target, root, depth + 1)
    {
        return true;
    }
    ["anyOf", "oneOf", "allOf"].iter().any(|key| {
        schema
            .get(*key)
            .and_then(Value::as_array)
            .is_some_and(|options| {
                options
                    .iter()
                    .any(|option| marks_secret(option, root, depth + 1))
            })
    })
}

/// The JSON schema of `T` as the reference prints it (pydantic v2 `model_json_schema()`).
pub fn schema_for<T: JsonSchema + ?Sized>() -> Value {
    let settings = SchemaSettings::draft2020_12().with(|s| {
        s.meta_schema = None;
        s.definitions_path = "/$defs".into();
    });
    let generator = settings.into_generator();
    let schema = generator.into_root_schema_for::<T>();
    let mut value = schema.to_value();
    pydantic_conventions(&mut value, Some(&T::schema_name()));
    value
}

/// [`schema_for`] plus `"field_order": [property names in declaration order]`, as the
/// reference adds to settings and credential schemas.
pub fn schema_with_field_order<T: JsonSchema + ?Sized>() -> Value {
    let mut value = schema_for::<T>();
    add_field_order(&mut value);
    value
}

/// Adds `"field_order"` (the `properties` keys in order) to an object schema.
pub fn add_field_order(schema: &mut Value) {
    if let Some(obj) = schema.as_object_mut() {
        let order: Vec<Value> = obj
            .get("properties")
            .and_then(Value::as_object)
            .map(|props| props.keys().cloned().map(Value::String).collect())
            .unwrap_or_default();
        obj.insert("field_order".into(), Value::Array(order));
    }
}

/// A property title as pydantic makes it: `_` → space, then Python's `str.title()`.
pub fn field_title(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut prev_cased = false;
    for c in name.replace('_', " ").chars() {
        let cased = c.is_uppercase() || c.is_lowercase();
        if cased {
            if prev_cased {
                out.extend(c.to_lowercase());
            } else {
                out.extend(c.to_uppercase());
            }
        } else {
            out.push(c);
        }
        prev_cased = cased;
    }
    out
}

/// Rewrites a schemars-generated root schema into pydantic's conventions (see the module docs).
/// `root_title` is the root's title when schemars did not set one.
pub fn pydantic_conventions(schema: &mut Value, root_title: Option<&str>) {
    let Some(root) = schema.as_object_mut() else {
        return;
    };
    root.remove("$schema");
    if let Some(Value::Object(defs)) = root.get_mut("$defs") {
        for (name, def) in defs.iter_mut() {
            if let Some(obj) = def.as_object_mut() {
                obj.entry("title")
                    .or_insert_with(|| Value::String(name.clone()));
            }
            model(def);
        }
    }
    // A model's root is titled with its name; a bare list (`Vec<T>`) is not, as in pydantic.
    if let Some(title) = root_title
        && !root.contains_key("$ref")
        && root.get("type").and_then(Value::as_str) != Some("array")
    {
        root.entry("title")
            .or_insert_with(|| Value::String(title.to_owned()));
    }
    model(schema);
}

/// Keys that describe a value (they stay beside an `anyOf` built for a nullable value).
fn is_annotation(key: &str) -> bool {
    matches!(
        key,
        "title" | "description" | "default" | "examples" | "deprecated" | "readOnly" | "writeOnly"
    ) || key.starts_with("x-")
}

/// A model (or any schema): fixes its own keywords, its properties and every subschema.
fn model(schema: &mut Value) {
    if schema.as_bool() == Some(true) {
        *schema = Value::Object(Map::new());
    }
    let Some(obj) = schema.as_object_mut() else {
        return;
    };
    nullable_to_any_of(obj);
    clean_numbers(obj);
    let is_model = obj.get("type").and_then(Value::as_str) == Some("object")
        && !obj.contains_key("additionalProperties")
        && (obj.contains_key("title") || obj.contains_key("properties"));
    if is_model {
        obj.entry("properties")
            .or_insert_with(|| Value::Object(Map::new()));
    }
    let required: Vec<String> = obj
        .get("required")
        .and_then(Value::as_array)
        .map(|r| {
            r.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    if let Some(Value::Object(props)) = obj.get_mut("properties") {
        for (name, prop) in props.iter_mut() {
            if prop.as_bool() == Some(true) {
                *prop = Value::Object(Map::new());
            }
            subschemas(prop);
            let Some(p) = prop.as_object_mut() else {
                continue;
            };
            nullable_to_any_of(p);
            clean_numbers(p);
            if !is_reference(p) {
                p.entry("title")
                    .or_insert_with(|| Value::String(field_title(name)));
            }
            if !required.contains(name) {
                p.entry("default").or_insert(Value::Null);
            }
        }
    }
    for key in [
        "items",
        "additionalProperties",
        "not",
        "if",
        "then",
        "else",
        "contains",
    ] {
        if let Some(sub) = obj.get_mut(key)
            && sub.is_object()
        {
            model(sub);
        }
    }
    for key in ["anyOf", "oneOf", "allOf", "prefixItems"] {
        if let Some(Value::Array(subs)) = obj.get_mut(key) {
            subs.iter_mut().for_each(model);
        }
    }
}

/// The subschemas of a property (not the property's own keywords, which `model` fixes
/// after the title/default handling).
fn subschemas(prop: &mut Value) {
    let Some(obj) = prop.as_object_mut() else {
        return;
    };
    for key in ["items", "additionalProperties", "not", "contains"] {
        if let Some(sub) = obj.get_mut(key)
            && sub.is_object()
        {
            model(sub);
        }
    }
    for key in ["anyOf", "oneOf", "allOf", "prefixItems"] {
        if let Some(Value::Array(subs)) = obj.get_mut(key) {
            subs.iter_mut().for_each(model);
        }
    }
    if obj.contains_key("properties") {
        model(prop);
    }
}

/// `$ref`, or `anyOf: [$ref, null]`: pydantic leaves such a property untitled.
fn is_reference(p: &Map<String, Value>) -> bool {
    if p.contains_key("$ref") {
        return true;
    }
    match p.get("anyOf").and_then(Value::as_array) {
        Some(branches) if branches.len() == 2 => {
            let is_ref = |v: &Value| {
                v.as_object()
                    .is_some_and(|o| o.len() == 1 && o.contains_key("$ref"))
            };
            let is_null = |v: &Value| v.get("type").and_then(Value::as_str) == Some("null");
            (is_ref(&branches[0]) && is_null(&branches[1]))
                || (is_null(&branches[0]) && is_ref(&branches[1]))
        }
        _ => false,
    }
}

/// `{"type": ["string", "null"], ...}` → `{"anyOf": [{"type": "string", ...}, {"type": "null"}], <annotations>}`.
fn nullable_to_any_of(obj: &mut Map<String, Value>) {
    let Some(Value::Array(types)) = obj.get("type") else {
        return;
    };
    let null = Value::String("null".into());
    if !types.contains(&null) {
        return;
    }
    let others: Vec<Value> = types.iter().filter(|t| **t != null).cloned().collect();
    let mut inner = Map::new();
    let mut outer = Map::new();
    for (key, value) in std::mem::take(obj) {
        if key == "type" {
            continue;
        }
        if is_annotation(&key) {
            outer.insert(key, value);
        } else {
            inner.insert(key, value);
        }
    }
    if let Some(Value::Array(values)) = inner.get_mut("enum") {
        values.retain(|v| !v.is_null());
    }
    let inner_type = match others.len() {
        1 => others[0].clone(),
        _ => Value::Array(others),
    };
    inner.insert("type".into(), inner_type);
    let mut inner = Value::Object(inner);
    model(&mut inner);
    let mut null_schema = Map::new();
    null_schema.insert("type".into(), null);
    obj.insert(
        "anyOf".into(),
        Value::Array(vec![inner, Value::Object(null_schema)]),
    );
    obj.extend(outer);
}

/// pydantic's `int` is `{"type": "integer"}` and `float` is `{"type": "number"}`.
fn clean_numbers(obj: &mut Map<String, Value>) {
    let ty = obj.get("type").and_then(Value::as_str);
    if !matches!(ty, Some("integer" | "number")) {
        return;
    }
    if let Some(Value::String(format)) = obj.get("format") {
        let unsigned = format.starts_with("uint");
        if matches!(
            format.as_str(),
            "int8"
                | "int16"
                | "int32"
                | "int64"
                | "int128"
                | "uint"
                | "uint8"
                | "uint16"
                | "uint32"
                | "uint64"
                | "uint128"
                | "int"
                | "float"
                | "double"
        ) {
            obj.remove("format");
            if unsigned && obj.get("minimum") == Some(&Value::from(0)) {
                obj.remove("minimum");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_settings_are_found_in_the_schema() {
        #[derive(JsonSchema)]
        #[allow(dead_code)]
        struct Settings {
            base_url: String,
            api_key: crate::Secret,
            signing: Option<crate::Secret>,
        }
        assert_eq!(
            secret_fields::<Settings>(),
            vec!["api_key".to_owned(), "signing".to_owned()]
        );
    }

    #[test]
    fn titles_follow_python_title() {
        assert_eq!(
            field_title("account_integration_specific_id"),
            "Account Integration Specific Id"
        );
        assert_eq!(field_title("x5c"), "X5C");
        assert_eq!(field_title("base_URL"), "Base Url");
    }
}

#[cfg(test)]
mod example_tests {
    use super::*;

    #[test]
    fn schemas_follow_pydantic_conventions() {
        let schema = schema_for::<crate::models::ListAccounts>();
        assert_eq!(schema["title"], "ListAccounts");
        assert_eq!(
            schema["properties"]["custom_attributes"]["title"],
            "Custom Attributes"
        );
        assert_eq!(
            schema["properties"]["custom_attributes"]["default"],
            serde_json::Value::Null
        );
    }

    #[test]
    fn field_titles_are_python_title_case() {
        assert_eq!(
            field_title("account_integration_specific_id"),
            "Account Integration Specific Id"
        );
        assert_eq!(field_title("x5t#S256"), "X5T#S256");
    }
}
