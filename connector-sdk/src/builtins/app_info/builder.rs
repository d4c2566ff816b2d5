//! The assembly of the `app_info` document's components: settings, credentials, and each
//! capability's operation with the definitions its envelopes use.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use super::security::{credential_name, multi_security_scheme, single_security_scheme};
use super::{
    EnvelopeSide, Envelopes, Security, capitalize, envelope_of, is_empty_output, list_item_schema,
    text,
};
use crate::capability::Envelope;
use crate::connector::{CapabilityEntry, Connector};
use crate::credentials::CredentialSpecs;
use crate::info::Info;
use crate::schema::openapi::{
    as_definition, collect_refs, component, convert_null_type, enum_values,
    field_order_to_extension, pydantic_order, to_component_refs,
};

/// The schemas being assembled.
pub(super) struct Builder {
    pub(super) schemas: Map<String, Value>,
    pub(super) used: BTreeSet<String>,
    pub(super) entitlement_type_ids: Vec<String>,
    pub(super) resource_type_ids: Vec<String>,
}

impl Builder {
    /// `Settings`: the settings model with `x-field_order`; its definitions become
    /// components of their own.
    pub(super) fn add_settings(&mut self, settings: &Value) {
        let mut settings = settings.clone();
        field_order_to_extension(&mut settings);
        to_component_refs(&mut settings);
        let mut settings = convert_null_type(settings);
        let mut definitions = match settings
            .as_object_mut()
            .and_then(|s| s.shift_remove("$defs"))
        {
            Some(Value::Object(definitions)) => definitions,
            _ => Map::new(),
        };
        self.used.insert("Settings".into());
        collect_refs(&settings, &mut self.used);
        // What the fields refer to, in field order: enums first (written as the reference
        // writes them: type, enum, title, description), then models.
        let mut referenced: Vec<String> = Vec::new();
        for property in settings["properties"].as_object().into_iter().flatten() {
            let mut refs = BTreeSet::new();
            collect_refs(property.1, &mut refs);
            for name in refs {
                if !referenced.contains(&name) {
                    referenced.push(name);
                }
            }
        }
        self.schemas.insert("Settings".into(), settings);
        let (enums, models): (Vec<String>, Vec<String>) = referenced
            .into_iter()
            .filter(|name| definitions.contains_key(name))
            .partition(|name| enum_values(&definitions[name.as_str()]).is_some());
        for name in enums.into_iter().chain(models) {
            let Some(definition) = definitions.shift_remove(&name) else {
                continue;
            };
            let definition = match enum_values(&definition) {
                Some(values) => json!({
                    "type": "string",
                    "enum": values,
                    "title": definition.get("title").cloned().unwrap_or(json!(name)),
                    "description": definition["description"],
                }),
                None => convert_null_type(definition),
            };
            collect_refs(&definition, &mut self.used);
            self.schemas.entry(name).or_insert(definition);
        }
        // Definitions only other definitions refer to.
        for (name, definition) in definitions {
            let definition = convert_null_type(definition);
            if self.used.contains(&name) {
                collect_refs(&definition, &mut self.used);
            }
            self.schemas.entry(name).or_insert(definition);
        }
    }

    /// `Auth`: the connector's one credential type under its key, and its security scheme
    /// (named by the app_id).
    pub(super) fn add_auth(&mut self, info: &Info) -> Security {
        let app_id = info.app_id.to_owned();
        let mut auth_model = info.authentication_schema.clone();
        field_order_to_extension(&mut auth_model);
        to_component_refs(&mut auth_model);
        let auth_model = convert_null_type(auth_model);
        let auth_type = text(&auth_model["x-credential-type"]);
        let mut property = Map::new();
        property.insert("type".into(), json!("object"));
        if let Value::Object(model) = auth_model {
            property.extend(model);
        }
        let mut auth = convert_null_type(json!({
            "properties": {auth_type.clone(): Value::Object(property)},
            "required": [auth_type.clone()],
        }));
        // `Auth` comes before the definitions it holds.
        self.schemas.insert("Auth".into(), Value::Null);
        self.used.insert("Auth".into());
        collect_refs(&auth, &mut self.used);
        self.process_definitions(&mut auth);
        self.schemas.insert("Auth".into(), auth);
        let mut schemes = Map::new();
        if let Some(scheme) = single_security_scheme(&auth_type) {
            schemes.insert(app_id.clone(), scheme);
        }
        Security {
            single: true,
            schemes,
            ids: vec![app_id],
            allowed: Vec::new(),
            multi_credential: false,
            oauth_scopes: Default::default(),
        }
    }

    /// `Credentials`: an array of identified credentials (empty for a connector that takes
    /// none, as the reference's `auth=None`), each with its security scheme.
    pub(super) fn add_credentials(&mut self, info: &Info, specs: &CredentialSpecs) -> Security {
        let mut schemes = Map::new();
        let mut ids = Vec::new();
        let mut variants = Vec::new();
        for spec in &info.credentials_schema {
            let id = text(&spec["id"]);
            let auth_type = text(&spec["x-credential-type"]);
            let mut auth_info = spec.clone();
            let optional = auth_info
                .as_object_mut()
                .and_then(|map| {
                    map.shift_remove("id");
                    map.shift_remove("x-optional")
                })
                .unwrap_or(json!(false));
            field_order_to_extension(&mut auth_info);
            to_component_refs(&mut auth_info);
            if let Some(map) = auth_info.as_object_mut() {
                // The reference describes token and basic credentials of a credential set
                // with its `TokenAuthentication` / `BasicAuthentication` models.
                match auth_type.as_str() {
                    "token" => {
                        map.insert("title".into(), json!("TokenAuthentication"));
                    }
                    "basic" => {
                        map.insert("title".into(), json!("BasicAuthentication"));
                    }
                    _ => {}
                }
                map.insert("x-optional".into(), optional);
                map.insert(
                    "x-credential-name".into(),
                    json!(credential_name(&auth_type)),
                );
            }
            if let Some(scheme) = multi_security_scheme(&auth_type) {
                schemes.insert(id.clone(), scheme);
            }
            variants.push(json!({
                "type": "object",
                "properties": {
                    "id": {"type": "string", "enum": [id.clone()]},
                    auth_type.clone(): convert_null_type(auth_info),
                },
                "required": ["id", auth_type],
            }));
            ids.push(id);
        }
        let mut credentials = json!({"type": "array", "items": {"allOf": variants}});
        self.schemas.insert("Credentials".into(), Value::Null);
        self.used.insert("Credentials".into());
        collect_refs(&credentials, &mut self.used);
        self.process_definitions(&mut credentials);
        self.schemas.insert("Credentials".into(), credentials);
        Security {
            single: false,
            schemes,
            ids,
            allowed: specs
                .allowed_combinations()
                .into_iter()
                .map(|combination| json!(combination))
                .collect(),
            multi_credential: !specs.specs.is_empty(),
            oauth_scopes: Default::default(),
        }
    }

    /// The `post` operation of one capability; adds what its envelopes define.
    pub(super) fn operation<C: Connector>(
        &mut self,
        entry: &CapabilityEntry<C>,
        envelopes: &Envelopes,
        security: &Security,
    ) -> Value {
        let (request, response) = self.capability_schemas(entry, envelopes);
        // Every reference an envelope makes counts as used, as in the reference.
        request.collect(&mut self.used);
        response.collect(&mut self.used);
        self.add_definitions(request.definitions);
        self.add_definitions(response.definitions);
        let request_payload = self.resolve(request.payload);
        let response_payload = self.resolve(response.payload);

        // The tag: from the payload's level, else from its category.
        let category = request_payload
            .get("x-capability-category")
            .and_then(Value::as_str)
            .map(capitalize)
            .unwrap_or_else(|| "Capabilities".to_owned());
        let tag = request_payload
            .get("x-capability-level")
            .and_then(Value::as_str)
            .map(|level| format!("{} Capabilities", capitalize(level)))
            .unwrap_or_else(|| category.clone());

        let mut properties = Map::new();
        properties.insert("request".into(), request_payload);
        properties.insert("settings".into(), json!({"$ref": component("Settings")}));
        let mut required = vec![json!("request"), json!("settings")];
        if envelope_of(entry) != Envelope::Unauthenticated {
            // The reference requires both, whichever the connector uses.
            required.push(json!("auth"));
            required.push(json!("credentials"));
            if category != "Authorization" {
                let (key, name) = if security.single {
                    ("auth", "Auth")
                } else {
                    ("credentials", "Credentials")
                };
                properties.insert(key.into(), json!({"$ref": component(name)}));
            }
        }
        // A credential with OAuth scopes lists the capability's own scopes, and nothing
        // when it needs none; any other lists none.
        let requirements: Vec<Value> = security
            .ids
            .iter()
            .filter_map(|id| {
                match security.oauth_scopes.get(id) {
                Some(scopes) if !scopes.is_empty() => scopes
                    .iter()
                    .find(|(capability, scope)| *capability == entry.name() && !scope.is_empty())
                    .map(|(_, scope)| {
                        json!({ id.clone(): scope.split_whitespace().collect::<Vec<_>>() })
                    }),
                _ => Some(json!({ id.clone(): [] })),
            }
            })
            .collect();
        json!({
            "operationId": entry.name(),
            "tags": [tag],
            "summary": entry.display_name(),
            "description": entry.description(),
            "requestBody": {"content": {"application/json": {"schema": {
                "type": "object",
                "properties": properties,
                "required": required,
            }}}},
            "responses": {"200": {
                "description": "Successful response",
                "content": {"application/json": {"schema": response_payload}},
            }},
            "security": requirements,
        })
    }

    /// The request and response sides of `entry`'s envelopes.
    pub(super) fn capability_schemas<C: Connector>(
        &self,
        entry: &CapabilityEntry<C>,
        envelopes: &Envelopes,
    ) -> (EnvelopeSide, EnvelopeSide) {
        let (argument, output) = entry.schemas();
        let (request_others, request_envelope_definitions) = match envelope_of(entry) {
            Envelope::Unauthenticated => &envelopes.unauthenticated,
            Envelope::Authenticated | Envelope::Exempt => &envelopes.authenticated,
        };

        let mut definitions = BTreeMap::new();
        let mut payload = argument;
        pydantic_order(&mut payload);
        if entry.is_custom()
            && let Some(map) = payload.as_object_mut()
        {
            // The reference's CustomRequest marks a custom payload with its level.
            map.insert("x-capability-level".into(), json!(entry.level().as_str()));
        }
        let request_payload = as_definition(payload, &mut definitions);
        for (name, definition) in request_envelope_definitions {
            definitions
                .entry(name.clone())
                .or_insert_with(|| definition.clone());
        }
        let request = EnvelopeSide {
            payload: request_payload,
            others: request_others.clone(),
            definitions: definitions.into_iter().collect(),
        };

        let mut definitions = BTreeMap::new();
        let response_payload = match list_item_schema(entry.name()) {
            Some(mut item) if is_empty_output(&output) => {
                pydantic_order(&mut item);
                let item = as_definition(item, &mut definitions);
                json!({"items": item, "title": "Response", "type": "array"})
            }
            _ => {
                let mut output = output;
                pydantic_order(&mut output);
                as_definition(output, &mut definitions)
            }
        };
        let (response_others, response_envelope_definitions) = &envelopes.response;
        for (name, definition) in response_envelope_definitions {
            definitions
                .entry(name.clone())
                .or_insert_with(|| definition.clone());
        }
        let response = EnvelopeSide {
            payload: response_payload,
            others: response_others.clone(),
            definitions: definitions.into_iter().collect(),
        };
        (request, response)
    }

    /// Adds an envelope's definitions (converted to OpenAPI 3.0) that are not there yet.
    pub(super) fn add_definitions(&mut self, definitions: Vec<(String, Value)>) {
        for (name, definition) in definitions {
            if self.schemas.contains_key(&name) {
                continue;
            }
            let mut definition = convert_null_type(definition);
            self.process_definitions(&mut definition);
            self.replace_declared_types(&mut definition);
            self.schemas.insert(name, definition);
        }
    }

    /// Moves nested `$defs` into the components (the reference's `_process_definitions`).
    pub(super) fn process_definitions(&mut self, value: &mut Value) {
        match value {
            Value::Object(map) => {
                if let Some(Value::Object(definitions)) = map.shift_remove("$defs") {
                    for (name, mut definition) in definitions {
                        self.replace_declared_types(&mut definition);
                        self.process_definitions(&mut definition);
                        if !self.schemas.contains_key(&name) {
                            self.schemas.insert(name, definition);
                        }
                    }
                }
                for value in map.values_mut() {
                    self.process_definitions(value);
                }
            }
            Value::Array(items) => items
                .iter_mut()
                .for_each(|item| self.process_definitions(item)),
            _ => {}
        }
    }

    /// A model's `entitlement_type` / `resource_type` field marked `x-entitlement-type` /
    /// `x-resource-type` becomes a string enum of the connector's declared type ids.
    pub(super) fn replace_declared_types(&self, definition: &mut Value) {
        let Some(properties) = definition
            .get_mut("properties")
            .and_then(Value::as_object_mut)
        else {
            return;
        };
        for (field, mark, ids) in [
            (
                "entitlement_type",
                "x-entitlement-type",
                &self.entitlement_type_ids,
            ),
            ("resource_type", "x-resource-type", &self.resource_type_ids),
        ] {
            let marked = properties
                .values()
                .any(|property| property.get(mark).is_some());
            let Some(current) = properties.get(field).filter(|_| marked) else {
                continue;
            };
            let mut replaced = Map::new();
            replaced.insert("type".into(), json!("string"));
            replaced.insert("title".into(), current["title"].clone());
            replaced.insert("description".into(), current["description"].clone());
            if !ids.is_empty() {
                replaced.insert("enum".into(), json!(ids));
            }
            properties.insert(field.into(), Value::Object(replaced));
        }
    }

    /// A payload property: the component it refers to, or itself.
    pub(super) fn resolve(&self, property: Value) -> Value {
        match property.get("$ref").and_then(Value::as_str) {
            Some(reference) => {
                let name = reference.rsplit('/').next().unwrap_or_default();
                self.schemas.get(name).cloned().unwrap_or(property)
            }
            None => property,
        }
    }
}
