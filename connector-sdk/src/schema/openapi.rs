//! General JSON-schema transforms from the reference's pydantic form into OpenAPI 3.0
//! components: `#/$defs/X` → `#/components/schemas/X`, `anyOf [X, null]` → `nullable`,
//! `const` → `enum`, pydantic's key order, and reference bookkeeping.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

/// Where OpenAPI components live.
const COMPONENTS: &str = "#/components/schemas/";

/// `#/components/schemas/<name>`.
pub(crate) fn component(name: &str) -> String {
    format!("{COMPONENTS}{name}")
}

/// Puts a model schema into `definitions` under its title (with its own `$defs`) and
/// returns the reference to it; a schema without a title stays inline.
pub(crate) fn as_definition(mut schema: Value, definitions: &mut BTreeMap<String, Value>) -> Value {
    to_component_refs(&mut schema);
    let nested = schema.as_object_mut().and_then(|s| s.shift_remove("$defs"));
    if let Some(Value::Object(nested)) = nested {
        definitions.extend(nested);
    }
    match schema
        .get("title")
        .and_then(Value::as_str)
        .map(str::to_owned)
    {
        Some(title) => {
            definitions.insert(title.clone(), schema);
            json!({"$ref": component(&title)})
        }
        None => schema,
    }
}

/// The values of a string enum schema: its `enum`, or the values of a `oneOf` of
/// single-value enums (schemars' form when the variants have doc comments).
pub(crate) fn enum_values(schema: &Value) -> Option<Vec<Value>> {
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        return Some(values.clone());
    }
    let branches = schema.get("oneOf")?.as_array()?;
    let mut values = Vec::new();
    for branch in branches {
        match (
            branch.get("enum").and_then(Value::as_array),
            branch.get("const"),
        ) {
            (Some(enumerated), _) => values.extend(enumerated.iter().cloned()),
            (None, Some(constant)) => values.push(constant.clone()),
            (None, None) => return None,
        }
    }
    Some(values)
}

/// `"field_order": [...]` (as `info` prints it) → `"x-field_order": [...]` after the
/// schema's keys in pydantic's order, as the reference's `_get_model_extended_json_schema`.
pub(crate) fn field_order_to_extension(schema: &mut Value) {
    let order = schema
        .as_object_mut()
        .and_then(|map| map.shift_remove("field_order"));
    pydantic_order(schema);
    if let (Some(map), Some(order)) = (schema.as_object_mut(), order) {
        map.insert("x-field_order".into(), order);
    }
}

/// Orders keys as pydantic's `model_json_schema()` does: sorted at every level except
/// the members of `properties` (field order) and the inside of `default` values.
pub(crate) fn pydantic_order(value: &mut Value) {
    sort_keys(value, None);
}

pub(crate) fn sort_keys(value: &mut Value, parent: Option<&str>) {
    match value {
        Value::Object(map) => {
            if !matches!(parent, Some("properties" | "default")) {
                map.sort_keys();
            }
            for (key, value) in map.iter_mut() {
                sort_keys(value, Some(key));
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| sort_keys(item, parent)),
        _ => {}
    }
}

/// Rewrites `#/$defs/X` references into `#/components/schemas/X`, everywhere.
pub(crate) fn to_component_refs(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get_mut("$ref")
                && let Some(name) = reference.strip_prefix("#/$defs/")
            {
                *reference = component(name);
            }
            map.values_mut().for_each(to_component_refs);
        }
        Value::Array(items) => items.iter_mut().for_each(to_component_refs),
        _ => {}
    }
}

/// The names every `$ref` in `value` points to.
pub(crate) fn collect_refs(value: &Value, refs: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
                refs.insert(reference.rsplit('/').next().unwrap_or_default().to_owned());
            }
            map.values().for_each(|value| collect_refs(value, refs));
        }
        Value::Array(items) => items.iter().for_each(|item| collect_refs(item, refs)),
        _ => {}
    }
}

/// JSON Schema → OpenAPI 3.0, as the reference's `_convert_null_type` does it:
/// `const: x` → `enum: [x]`; `anyOf: [X, {"type": "null"}]` → X's keywords merged in with
/// `nullable: true` (and no further conversion inside); `anyOf` of several types and
/// null → those types with `nullable: true`; then every nested schema.
pub(crate) fn convert_null_type(schema: Value) -> Value {
    let Value::Object(mut map) = schema else {
        return schema;
    };
    if let Some(constant) = map.shift_remove("const") {
        map.insert("enum".into(), json!([constant]));
        return Value::Object(map);
    }
    if let Some(Value::Array(branches)) = map.get("anyOf") {
        let is_null = |branch: &Value| branch.get("type") == Some(&json!("null"));
        let types: Vec<Value> = branches.iter().filter(|b| !is_null(b)).cloned().collect();
        let has_null = types.len() != branches.len();
        if has_null && types.len() == 1 {
            let mut merged = map;
            if let Value::Object(only) = &types[0] {
                for (key, value) in only {
                    merged.insert(key.clone(), value.clone());
                }
            }
            merged.insert("nullable".into(), json!(true));
            merged.shift_remove("anyOf");
            return Value::Object(merged);
        }
        if has_null && !types.is_empty() {
            map.insert("anyOf".into(), Value::Array(types));
            map.insert("nullable".into(), json!(true));
        }
    }
    for value in map.values_mut() {
        match value {
            Value::Object(_) => *value = convert_null_type(std::mem::take(value)),
            Value::Array(items) => {
                for item in items.iter_mut().filter(|item| item.is_object()) {
                    *item = convert_null_type(std::mem::take(item));
                }
            }
            _ => {}
        }
    }
    Value::Object(map)
}
