//! A twin of the reference demo connector (`demo_app` of connector-py 4.280.0, the one the
//! recorded runs in `connector-sdk/tests/data/` came from), written by hand with [`Connector`] and
//! [`Capabilities`].
//!
//! Same app_id, settings, credentials, metadata, resource and entitlement types, the same
//! in-memory accounts (`DEMO_ACCOUNTS` sets how many, 5 by default), page size 2, and the
//! same capabilities with the same answers, including the ones that always fail:
//!
//! | capability | answer |
//! |---|---|
//! | `unassign_entitlement` | `not_found` with `app_error_code` `demo_app.assignment_not_found` |
//! | `find_entitlement_associations` | `permission_denied`, status 403, as an HTTP 403 is mapped |
//! | `list_custom_attributes_schema` | `internal_error` "boom" (a plain exception) |
//! | `get_last_activity` | `internal_error` "NotImplementedError: (no message)" |
//!
//! The reference's `app_info` and `probe_integration` are not written here: the runtime
//! answers them for every connector, from its declaration.

use connector_sdk::capability::{CapabilityLevel, Extends};
use connector_sdk::connector::{Capabilities, Metadata};
use connector_sdk::prelude::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// The app_id.
pub const APP_ID: &str = "demo_app";
/// How many accounts the tenant holds unless `DEMO_ACCOUNTS` says otherwise.
pub const DEFAULT_ACCOUNTS: usize = 5;
/// The page size of `list_accounts` when the request names none.
pub const DEFAULT_PAGE_SIZE: u32 = 2;
/// The token every capability that checks tokens rejects.
pub const BAD_TOKEN: &str = "bad-token";

// The structs below that appear in `info` carry no doc comments on purpose: schemars turns
// doc comments into `description`s, and the reference's models have none there.

/// The demo's settings.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[schemars(rename = "DemoAppSettings")]
#[schemars(transform = drop_description)]
pub struct DemoAppSettings {
    #[allow(missing_docs)]
    #[schemars(
        title = "Base URL",
        description = "Base URL of the demo tenant.",
        extend("x-semantic" = "tenant-id")
    )]
    pub base_url: String,
}

/// The payload of `create_account`: the standard fields plus an email, as the reference's
/// `CreateAccount(CreatableAccount)`.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[schemars(rename = "CreateAccount", extend("x-capability-level" = "write"))]
#[schemars(transform = drop_description)]
pub struct CreateDemoAccount {
    /// The standard fields (`entitlements`).
    #[serde(flatten)]
    pub base: CreatableAccount,
    #[allow(missing_docs)]
    #[serde(default)]
    #[schemars(description = "The email address for the new account")]
    pub email: Option<String>,
}

impl Extends<CreatableAccount> for CreateDemoAccount {
    fn base(&self) -> &CreatableAccount {
        &self.base
    }
}

/// The payload of the custom capability `echo_message`.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[schemars(rename = "EchoMessage")]
#[schemars(transform = drop_description)]
pub struct EchoMessage {
    #[allow(missing_docs)]
    #[schemars(description = "Text to echo")]
    pub message: String,
}

/// The response of the custom capability `echo_message`.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[schemars(rename = "EchoedMessage")]
#[schemars(transform = drop_description)]
pub struct EchoedMessage {
    #[allow(missing_docs)]
    pub echoed: String,
}

/// Removes a `description` (schemars takes one from doc comments; the reference has none).
fn drop_description(schema: &mut schemars::Schema) {
    schema.remove("description");
}

/// Where `list_accounts` continues: the reference's `Pagination(endpoint, offset)`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoCursor {
    /// The endpoint being listed (`/users`).
    pub endpoint: Option<String>,
    /// The offset of the next account.
    pub offset: usize,
}

/// The twin of the reference demo connector.
#[derive(Clone, Debug)]
pub struct DemoApp {
    accounts: Vec<FoundAccountData>,
}

impl Default for DemoApp {
    /// A tenant with `DEMO_ACCOUNTS` accounts (5 when unset or not a number).
    fn default() -> Self {
        let count = std::env::var("DEMO_ACCOUNTS")
            .ok()
            .and_then(|value| value.trim().parse().ok())
            .unwrap_or(DEFAULT_ACCOUNTS);
        DemoApp::with_accounts(count)
    }
}

/// The demo's accounts `user-1` … `user-<count>` (`user-4` is suspended).
pub fn demo_accounts(count: usize) -> Vec<FoundAccountData> {
    (1..=count)
        .map(|i| FoundAccountData {
            integration_specific_id: format!("user-{i}"),
            resource_id: None,
            email: Some(format!("user{i}@example.com")),
            given_name: Some(format!("Given{i}")),
            family_name: Some(format!("Family{i}")),
            username: Some(format!("user{i}")),
            user_status: Some(if i == 4 {
                AccountStatus::Suspended
            } else {
                AccountStatus::Active
            }),
            extra_data: None,
            custom_attributes: None,
            account_type: Some(AccountType::User),
        })
        .collect()
}

/// The fingerprint of a request payload, as the reference's `request_fingerprint`: the
/// SHA-256 (lowercase hex) of the payload's canonical JSON (nulls left out, keys sorted,
/// no spaces, non-ASCII escaped).
///
/// ```
/// let payload = serde_json::json!({"email": "new@example.com", "entitlements": []});
/// assert_eq!(
///     connector_sdk_tests::demo_app::request_fingerprint(&payload),
///     connector_sdk_tests::demo_app::request_fingerprint(&serde_json::json!({"entitlements": [], "email": "new@example.com", "x": null})),
/// );
/// ```
pub fn request_fingerprint<T: Serialize>(payload: &T) -> String {
    let value = serde_json::to_value(payload).unwrap_or(Value::Null);
    let digest = Sha256::digest(canonical_json(&value).as_bytes());
    digest.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Python's `json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)`
/// of `value` with null object members left out (pydantic's `exclude_none`).
///
/// ```
/// use connector_sdk_tests::demo_app::canonical_json;
/// let value = serde_json::json!({"b": [1, true, null], "a": "é\n", "c": null});
/// assert_eq!(canonical_json(&value), r#"{"a":"\u00e9\n","b":[1,true,null]}"#);
/// ```
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> =
                map.iter().filter(|(_, value)| !value.is_null()).collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (index, (key, value)) in entries.into_iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                write_ascii_string(key, out);
                out.push(':');
                write_canonical(value, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        Value::String(text) => write_ascii_string(text, out),
        other => out.push_str(&other.to_string()),
    }
}

/// A JSON string as Python's `json.dumps(..., ensure_ascii=True)` writes it.
fn write_ascii_string(text: &str, out: &mut String) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The error the reference's `HTTPHandler` makes of an `httpx.HTTPStatusError`: the code
/// from the status, the status itself, `raised_by` "HTTPStatusError", and the message
/// `"[<status>][<url without query>] <Python repr of the JSON body>"`.
pub fn http_status_error(status: u16, url: &str, body: &Value) -> ConnectorError {
    let code = match status {
        400 | 413 | 415 | 422 => ErrorCode::BadRequest,
        401 => ErrorCode::Unauthorized,
        403 => ErrorCode::PermissionDenied,
        404 => ErrorCode::NotFound,
        405 | 406 | 501 => ErrorCode::UnsupportedOperation,
        408 => ErrorCode::RequestTimeout,
        409 => ErrorCode::Conflict,
        429 => ErrorCode::RateLimit,
        503 => ErrorCode::ServiceError,
        500 | 502 | 504 => ErrorCode::BadGateway,
        _ => ErrorCode::InvalidResponse,
    };
    let url = url.split(['?', '#']).next().unwrap_or_default();
    ConnectorError::new(code, format!("[{status}][{url}] {}", python_repr(body)))
        .with_status_code(status)
        .with_raised_by("HTTPStatusError")
}

/// Python's `repr` of a parsed JSON value (`{'error': 'forbidden'}`).
fn python_repr(value: &Value) -> String {
    match value {
        Value::Null => "None".to_owned(),
        Value::Bool(true) => "True".to_owned(),
        Value::Bool(false) => "False".to_owned(),
        Value::Number(number) => number.to_string(),
        Value::String(text) => {
            let quote = if text.contains('\'') && !text.contains('"') {
                '"'
            } else {
                '\''
            };
            let mut out = String::from(quote);
            for c in text.chars() {
                match c {
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    '\t' => out.push_str("\\t"),
                    c if c == quote => {
                        out.push('\\');
                        out.push(c);
                    }
                    c if (c as u32) < 0x20 || c == '\u{7f}' => {
                        out.push_str(&format!("\\x{:02x}", c as u32));
                    }
                    c => out.push(c),
                }
            }
            out.push(quote);
            out
        }
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(python_repr).collect::<Vec<_>>().join(", ")
        ),
        Value::Object(map) => format!(
            "{{{}}}",
            map.iter()
                .map(|(key, value)| format!(
                    "{}: {}",
                    python_repr(&Value::String(key.clone())),
                    python_repr(value)
                ))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

impl DemoApp {
    /// A tenant with `count` accounts.
    pub fn with_accounts(count: usize) -> Self {
        DemoApp {
            accounts: demo_accounts(count),
        }
    }

    /// The tenant's accounts.
    pub fn accounts(&self) -> &[FoundAccountData] {
        &self.accounts
    }

    fn check_token(cx: &ContextOf<Self>) -> Result<()> {
        if cx.credentials().token.expose() == BAD_TOKEN {
            return Err(ConnectorError::unauthorized("The demo token was rejected"));
        }
        Ok(())
    }

    fn has_account(&self, id: &str) -> bool {
        self.accounts
            .iter()
            .any(|account| account.integration_specific_id == id)
    }

    /// Checks the token; the tenant is named by its base URL.
    pub async fn validate_credentials(
        &self,
        cx: &ContextOf<Self>,
        _req: ValidateCredentials,
    ) -> Result<ValidatedCredentials> {
        Self::check_token(cx)?;
        Ok(ValidatedCredentials {
            valid: true,
            unique_tenant_id: cx.settings().base_url.clone(),
        })
    }

    /// Lists the accounts, two to a page unless the request says otherwise.
    pub async fn list_accounts(
        &self,
        cx: &ContextOf<Self>,
        _req: ListAccounts,
        page: PageRequest<DemoCursor>,
    ) -> Result<Paged<FoundAccountData, DemoCursor>> {
        Self::check_token(cx)?;
        let current = page.cursor().cloned().unwrap_or(DemoCursor {
            endpoint: Some("/users".to_owned()),
            offset: 0,
        });
        let start = current.offset.min(self.accounts.len());
        let end = start
            .saturating_add(page.size() as usize)
            .min(self.accounts.len());
        let next = (end < self.accounts.len()).then(|| DemoCursor {
            endpoint: current.endpoint.clone(),
            offset: end,
        });
        Ok(Paged::new(self.accounts[start..end].to_vec(), next))
    }

    /// The global admin role and the workspace membership.
    pub async fn list_entitlements(
        &self,
        cx: &ContextOf<Self>,
        _req: ListEntitlements,
        _page: PageRequest<DemoCursor>,
    ) -> Result<Paged<FoundEntitlementData, DemoCursor>> {
        Self::check_token(cx)?;
        Ok(Paged::last(vec![
            FoundEntitlementData {
                entitlement_type: "ROLE".to_owned(),
                extra_data: None,
                integration_specific_id: "admin".to_owned(),
                integration_specific_resource_id: String::new(),
                is_assignable: Some(true),
                label: "Admin".to_owned(),
                description: None,
                custom_attributes: None,
            },
            FoundEntitlementData {
                entitlement_type: "WORKSPACE_MEMBER".to_owned(),
                extra_data: None,
                integration_specific_id: "member".to_owned(),
                integration_specific_resource_id: "ws-1".to_owned(),
                is_assignable: None,
                label: "Workspace 1 member".to_owned(),
                description: Some("Member of workspace 1".to_owned()),
                custom_attributes: None,
            },
        ]))
    }

    /// The one workspace, with the app's raw answer when asked.
    pub async fn list_resources(
        &self,
        cx: &ContextOf<Self>,
        _req: ListResources,
        _page: PageRequest<DemoCursor>,
    ) -> Result<Paged<FoundResourceData, DemoCursor>> {
        Self::check_token(cx)?;
        let page = Paged::last(vec![FoundResourceData {
            integration_specific_id: "ws-1".to_owned(),
            label: "Workspace One".to_owned(),
            description: None,
            resource_type: "WORKSPACE".to_owned(),
            extra_data: None,
        }]);
        // The runtime shows raw_data only when the request asks for it.
        Ok(page.with_raw_data(json!({"workspaces": [{"id": "ws-1", "name": "Workspace One"}]})))
    }

    /// Assigns anything to a known account.
    pub async fn assign_entitlement(
        &self,
        cx: &ContextOf<Self>,
        req: AssignEntitlement,
    ) -> Result<AssignedEntitlement> {
        Self::check_token(cx)?;
        if !self.has_account(&req.account_integration_specific_id) {
            return Err(ConnectorError::not_found(format!(
                "Account {} not found",
                req.account_integration_specific_id
            )));
        }
        Ok(AssignedEntitlement { assigned: true })
    }

    /// "Creates" `user-6`, with an execution summary.
    pub async fn create_account(
        &self,
        cx: &ContextOf<Self>,
        req: CreateDemoAccount,
    ) -> Result<Reply<CreatedAccount>> {
        Self::check_token(cx)?;
        let summary = ExecutionSummary {
            effect: Effect::Created,
            request_fingerprint: request_fingerprint(&req),
            is_idempotent: false,
            description: Some(format!(
                "Created account for {}",
                req.email.as_deref().unwrap_or("None")
            )),
            caught_errors: None,
        };
        Ok(Reply::new(CreatedAccount {
            id: Some("user-6".to_owned()),
            status: AccountStatus::Active,
            created: true,
        })
        .with_execution_summary(summary))
    }

    /// "Deactivates" a known account.
    pub async fn deactivate_account(
        &self,
        cx: &ContextOf<Self>,
        req: DeactivateAccount,
    ) -> Result<DeactivatedAccount> {
        Self::check_token(cx)?;
        if !self.has_account(&req.account_id) {
            return Err(ConnectorError::not_found(format!(
                "Account {} not found",
                req.account_id
            )));
        }
        Ok(DeactivatedAccount {
            status: AccountStatus::Inactive,
            deactivated: true,
        })
    }

    /// Always fails: a typed error with an app error code.
    pub async fn unassign_entitlement(
        &self,
        _cx: &ContextOf<Self>,
        _req: UnassignEntitlement,
    ) -> Result<UnassignedEntitlement> {
        Err(
            ConnectorError::not_found("Entitlement assignment not found")
                .with_app_error_code("demo_app.assignment_not_found"),
        )
    }

    /// Always fails as an upstream HTTP 403 does.
    pub async fn find_entitlement_associations(
        &self,
        _cx: &ContextOf<Self>,
        _req: FindEntitlementAssociations,
        _page: PageRequest<DemoCursor>,
    ) -> Result<Paged<FoundEntitlementAssociation, DemoCursor>> {
        Err(http_status_error(
            403,
            "https://demo.example.com/api/associations?secret=1",
            &json!({"error": "forbidden"}),
        ))
    }

    /// Always fails as a plain exception does.
    pub async fn list_custom_attributes_schema(
        &self,
        _cx: &ContextOf<Self>,
        _req: ListCustomAttributesSchema,
        _page: PageRequest<DemoCursor>,
    ) -> Result<Paged<CustomAttributeSchema, DemoCursor>> {
        Err(ConnectorError::internal_error("boom").with_raised_by("RuntimeError"))
    }

    /// Registered but not implemented, as in the scaffold.
    pub async fn get_last_activity(
        &self,
        _cx: &ContextOf<Self>,
        _req: GetLastActivity,
        _page: PageRequest<DemoCursor>,
    ) -> Result<Paged<LastActivityData, DemoCursor>> {
        Err(
            ConnectorError::internal_error("NotImplementedError: (no message)")
                .with_raised_by("NotImplementedError"),
        )
    }

    /// Echoes the message (a custom capability).
    pub async fn echo_message(
        &self,
        cx: &ContextOf<Self>,
        req: EchoMessage,
    ) -> Result<EchoedMessage> {
        Self::check_token(cx)?;
        Ok(EchoedMessage {
            echoed: req.message,
        })
    }
}

impl Connector for DemoApp {
    type Settings = DemoAppSettings;
    type Credentials = TokenCredential;

    fn metadata() -> Metadata {
        Metadata::new(APP_ID, "0.1.0")
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
                EntitlementType {
                    type_id: "ROLE".into(),
                    type_label: "Role".into(),
                    resource_type_id: String::new(),
                    min: 0,
                    max: None,
                    requirements: None,
                },
                EntitlementType {
                    type_id: "WORKSPACE_MEMBER".into(),
                    type_label: "Workspace Member".into(),
                    resource_type_id: "WORKSPACE".into(),
                    min: 0,
                    max: Some(1),
                    requirements: None,
                },
            ])
    }

    fn capabilities() -> Capabilities<Self> {
        // The reference's registration order.
        Capabilities::<Self>::new()
            .standard::<caps::ValidateCredentials, _, _, _>(|c, cx, req| {
                Box::pin(c.validate_credentials(cx, req))
            })
            .list::<caps::ListAccounts, _, _, _>(|c, cx, req, page| {
                Box::pin(c.list_accounts(cx, req, page))
            })
            .default_page_size(DEFAULT_PAGE_SIZE)
            .list::<caps::ListEntitlements, _, _, _>(|c, cx, req, page| {
                Box::pin(c.list_entitlements(cx, req, page))
            })
            .default_page_size(DEFAULT_PAGE_SIZE)
            .list::<caps::ListResources, _, _, _>(|c, cx, req, page| {
                Box::pin(c.list_resources(cx, req, page))
            })
            .default_page_size(DEFAULT_PAGE_SIZE)
            .standard::<caps::AssignEntitlement, _, _, _>(|c, cx, req| {
                Box::pin(c.assign_entitlement(cx, req))
            })
            .standard::<caps::CreateAccount, _, _, _>(|c, cx, req| {
                Box::pin(c.create_account(cx, req))
            })
            .display_name("Create Demo Account")
            .description("Creates an account.")
            .standard::<caps::DeactivateAccount, _, _, _>(|c, cx, req| {
                Box::pin(c.deactivate_account(cx, req))
            })
            .standard::<caps::UnassignEntitlement, _, _, _>(|c, cx, req| {
                Box::pin(c.unassign_entitlement(cx, req))
            })
            .list::<caps::FindEntitlementAssociations, _, _, _>(|c, cx, req, page| {
                Box::pin(c.find_entitlement_associations(cx, req, page))
            })
            .list::<caps::ListCustomAttributesSchema, _, _, _>(|c, cx, req, page| {
                Box::pin(c.list_custom_attributes_schema(cx, req, page))
            })
            .list::<caps::GetLastActivity, _, _, _>(|c, cx, req, page| {
                Box::pin(c.get_last_activity(cx, req, page))
            })
            .custom::<EchoMessage, EchoedMessage, _, _>(
                "echo_message",
                CapabilityLevel::Write,
                |c, cx, req| Box::pin(c.echo_message(cx, req)),
            )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reference_fingerprint_of_the_recorded_create_account() {
        let payload: CreateDemoAccount = serde_json::from_value(json!({
            "email": "new@example.com",
            "entitlements": [{"entitlement_type": "ROLE", "integration_specific_id": "admin", "integration_specific_resource_id": ""}]
        }))
        .unwrap();
        assert_eq!(
            request_fingerprint(&payload),
            "4bf545374c50659b2d226340a1dea9cd71ba4822485389219fbcdb4600534c12"
        );
    }

    #[test]
    fn canonical_json_escapes_as_python_does() {
        assert_eq!(
            canonical_json(&json!({"k": "a\u{1}\u{7f}😀\"\\"})),
            r#"{"k":"a\u0001\u007f\ud83d\ude00\"\\"}"#
        );
    }

    #[test]
    fn python_repr_of_json_bodies() {
        assert_eq!(
            python_repr(&json!({"error": "forbidden", "n": [1, true, null], "q": "it's"})),
            r#"{'error': 'forbidden', 'n': [1, True, None], 'q': "it's"}"#
        );
    }

    #[test]
    fn http_status_errors_drop_the_query() {
        let err = http_status_error(403, "https://x.example/a?secret=1", &json!({}));
        assert_eq!(err.message(), "[403][https://x.example/a] {}");
        assert_eq!(err.status_code(), Some(403));
        assert_eq!(err.code(), ErrorCode::PermissionDenied);
    }

    #[test]
    fn demo_accounts_env_sized() {
        assert_eq!(DemoApp::with_accounts(7).accounts().len(), 7);
        assert_eq!(
            DemoApp::with_accounts(5).accounts()[3].user_status,
            Some(AccountStatus::Suspended)
        );
    }
}
