//! `app_info`: the connector's OpenAPI 3.0.0 document, with the reference's `x-`
//! extensions, built from [`info`](crate::info::info) and the capability table.
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
//! let document = connector_sdk::builtins::app_info::document::<Hello>();
//! assert_eq!(document["openapi"], "3.0.0");
//! assert_eq!(document["paths"]["/validate_credentials"]["post"]["tags"][0], "Read Capabilities");
//! assert_eq!(document["info"]["x-capabilities"][0], "app_info");
//! ```

use std::collections::{BTreeMap, BTreeSet};

use schemars::JsonSchema;
use serde_json::{Map, Value, json};

use crate::capability::{Capability, Envelope};
use crate::caps;
use crate::connector::{CapabilityEntry, Connector, erase};
use crate::credentials::CredentialSpecs;
use crate::models::{
    AppInfo, AppInfoRequestPayload, AuthCredential, ExecutionSummary, RateLimitRequestInfo,
    RateLimitResponseInfo,
};

/// Where OpenAPI components live.
const COMPONENTS: &str = "#/components/schemas/";

/// The registration of `app_info` for connector `C`: the authenticated envelope, parsed,
/// but neither credentials nor settings are checked.
pub(crate) fn entry<C: Connector>() -> CapabilityEntry<C> {
    CapabilityEntry {
        name: caps::AppInfo::NAME,
        display_name: None,
        description: None,
        level: caps::AppInfo::LEVEL,
        custom: false,
        default_page_size: None,
        schemas: crate::info::standard_schemas::<AppInfoRequestPayload, AppInfo>,
        handler: erase(|connector: &C, invocation| {
            Box::pin(crate::dispatch::run_exempt::<C, caps::AppInfo, _>(
                connector,
                invocation,
                |_, _| Box::pin(async { Ok(app_info::<C>()) }),
            ))
        }),
    }
}

/// The `app_info` response payload of connector `C`: its app_id and [`document`].
pub fn app_info<C: Connector>() -> AppInfo {
    let document = document::<C>();
    AppInfo {
        app_id: document["info"]["x-app-id"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        app_schema: match document {
            Value::Object(map) => map,
            _ => Map::new(),
        },
    }
}

/// The OpenAPI 3.0.0 document of connector `C`, as `app_info` returns it.
pub fn document<C: Connector>() -> Value {
    let info = crate::info::info::<C>();
    let capabilities = crate::connector::registered::<C>();
    let names: Vec<&'static str> = capabilities.names();
    let mut builder = Builder {
        schemas: Map::new(),
        used: BTreeSet::new(),
        entitlement_type_ids: type_ids(&info["entitlement_types"]),
        resource_type_ids: type_ids(&info["resource_types"]),
    };

    // Settings come first, then the credentials, as in the reference.
    builder.add_settings(&info["request_settings_schema"]);
    let single = info["authentication_schema"]
        .as_object()
        .is_some_and(|schema| !schema.is_empty());
    let security = if single {
        builder.add_auth(&info)
    } else {
        builder.add_credentials(&info, &C::metadata().credentials)
    };

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

    let app_id = text(&info["app_id"]);
    let probe_checks: Vec<&str> = super::probe::performable_checks(&names)
        .into_iter()
        .map(|check| check.as_str())
        .collect();
    json!({
        "openapi": "3.0.0",
        "info": {
            "title": info["user_friendly_name"].as_str().unwrap_or(&app_id),
            "description": info["description"].as_str().unwrap_or_default(),
            "version": info["version"],
            "x-app-id": app_id,
            "x-app-logo-url": info["logo_url"].as_str().unwrap_or_default(),
            "x-app-vendor-domain": info["app_vendor_domain"].as_str().unwrap_or_default(),
            "x-entitlement-types": info["entitlement_types"],
            "x-access-graph-entitlement-types": info["access_graph_entitlement_types"],
            "x-access-graph-entitlement-rules": info["access_graph_entitlement_rules"],
            "x-implied-access-rules": info["implied_access_rules"],
            "x-resource-types": info["resource_types"],
            "x-categories": {"type": "enum", "enum": info["categories"]},
            "x-oauth-settings": {},
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

/// How requests authenticate: `auth` with one credential type, or `credentials`.
struct Security {
    /// One credential type (`Auth`), else a credential set (`Credentials`).
    single: bool,
    schemes: Map<String, Value>,
    /// The names every operation's security requirement lists.
    ids: Vec<String>,
    allowed: Vec<Value>,
    multi_credential: bool,
}

/// Which envelope a capability takes: the catalogue's for standard capabilities, the
/// authenticated one for custom capabilities.
fn envelope_of<C>(entry: &CapabilityEntry<C>) -> Envelope {
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

/// The schemas being assembled.
struct Builder {
    schemas: Map<String, Value>,
    used: BTreeSet<String>,
    entitlement_type_ids: Vec<String>,
    resource_type_ids: Vec<String>,
}

impl Builder {
    /// `Settings`: the settings model with `x-field_order`; its definitions become
    /// components of their own.
    fn add_settings(&mut self, settings: &Value) {
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
    fn add_auth(&mut self, info: &Value) -> Security {
        let app_id = text(&info["app_id"]);
        let mut auth_model = info["authentication_schema"].clone();
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
        }
    }

    /// `Credentials`: an array of identified credentials (empty for a connector that takes
    /// none, as the reference's `auth=None`), each with its security scheme.
    fn add_credentials(&mut self, info: &Value, specs: &CredentialSpecs) -> Security {
        let mut schemes = Map::new();
        let mut ids = Vec::new();
        let mut variants = Vec::new();
        for spec in info["credentials_schema"].as_array().into_iter().flatten() {
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
        }
    }

    /// The `post` operation of one capability; adds what its envelopes define.
    fn operation<C>(
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
        let requirements: Vec<Value> = security
            .ids
            .iter()
            .map(|id| json!({ id.clone(): [] }))
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
    fn capability_schemas<C>(
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
    fn add_definitions(&mut self, definitions: Vec<(String, Value)>) {
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
    fn process_definitions(&mut self, value: &mut Value) {
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
    fn replace_declared_types(&self, definition: &mut Value) {
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
    fn resolve(&self, property: Value) -> Value {
        match property.get("$ref").and_then(Value::as_str) {
            Some(reference) => {
                let name = reference.rsplit('/').next().unwrap_or_default();
                self.schemas.get(name).cloned().unwrap_or(property)
            }
            None => property,
        }
    }
}

/// Puts a model schema into `definitions` under its title (with its own `$defs`) and
/// returns the reference to it; a schema without a title stays inline.
fn as_definition(mut schema: Value, definitions: &mut BTreeMap<String, Value>) -> Value {
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

/// The values of a string enum schema: its `enum`, or the values of a `oneOf` of
/// single-value enums (schemars' form when the variants have doc comments).
fn enum_values(schema: &Value) -> Option<Vec<Value>> {
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

/// Whether an `info` output schema is the reference's `Empty` (list capabilities).
fn is_empty_output(output: &Value) -> bool {
    *output == json!({"properties": {}, "title": "Empty", "type": "object"})
}

/// The security scheme of a single-credential connector's credential type.
fn single_security_scheme(auth_type: &str) -> Option<Value> {
    let api_key = |description: &str| json!({"type": "apiKey", "in": "header", "name": "Authorization", "description": description});
    let bearer_jwt = |description: &str| json!({"type": "http", "scheme": "bearer", "bearerFormat": "JWT", "description": description});
    Some(match auth_type {
        "oauth" => json!({"type": "oauth2", "flows": {"authorizationCode": {
            "authorizationUrl": "", "tokenUrl": "", "scopes": {}
        }}}),
        "oauth_client_credentials" => json!({"type": "oauth2", "flows": {"clientCredentials": {
            "tokenUrl": "", "scopes": {}
        }}}),
        "oauth1" => api_key("OAuth 1.0a signed request token for authentication"),
        "token" => api_key("API Token / API Key for authentication"),
        "basic" => json!({"type": "http"}),
        "jwt" => bearer_jwt("JWT Token for authentication"),
        "service_account" => api_key("Service Account Token for authentication"),
        "key_pair" => bearer_jwt("Key-pair for authentication"),
        _ => return None,
    })
}

/// The security scheme of one credential of a credential set (the reference describes
/// only token, JWT and basic ones when they have no OAuth settings).
fn multi_security_scheme(auth_type: &str) -> Option<Value> {
    match auth_type {
        "token" | "jwt" => Some(json!({
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "API Token / API Key for authentication",
        })),
        "basic" => Some(json!({"type": "http"})),
        _ => None,
    }
}

/// The reference's name of a credential type (`x-credential-name`).
fn credential_name(auth_type: &str) -> &'static str {
    match auth_type {
        "oauth" => "OAuth 2.0",
        "oauth_client_credentials" => "OAuth 2.0 Client Credentials",
        "basic" => "Basic Auth",
        "token" => "Token",
        "jwt" => "JWT",
        "service_account" => "Service Account",
        "key_pair" => "Key Pair",
        "oauth1" => "OAuth 1.0",
        "empty" => "Empty Credentials",
        _ => "",
    }
}

/// `#/components/schemas/<name>`.
fn component(name: &str) -> String {
    format!("{COMPONENTS}{name}")
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_owned()
}

/// The `type_id`s of declared resource or entitlement types.
fn type_ids(types: &Value) -> Vec<String> {
    types
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t.get("type_id").and_then(Value::as_str))
        .map(str::to_owned)
        .collect()
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

/// `"field_order": [...]` (as `info` prints it) → `"x-field_order": [...]` after the
/// schema's keys in pydantic's order, as the reference's `_get_model_extended_json_schema`.
fn field_order_to_extension(schema: &mut Value) {
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
fn pydantic_order(value: &mut Value) {
    sort_keys(value, None);
}

fn sort_keys(value: &mut Value, parent: Option<&str>) {
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
fn to_component_refs(value: &mut Value) {
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
fn collect_refs(value: &Value, refs: &mut BTreeSet<String>) {
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
fn convert_null_type(schema: Value) -> Value {
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

#[cfg(test)]
mod tests {
    use super::*;

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
