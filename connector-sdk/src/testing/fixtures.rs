//! What an author hands the suite: settings, credentials, and optionally what it may change.

use serde_json::{Map, Value, json};

use crate::testing::rule::Rule;

/// An entitlement the suite may assign to and unassign from the fixture account.
#[derive(Clone, Debug)]
pub struct EntitlementFixture {
    /// The entitlement's `integration_specific_id`.
    pub id: String,
    /// Its `integration_specific_resource_id` (empty for the app itself).
    pub resource_id: String,
    /// Its `entitlement_type`.
    pub entitlement_type: String,
    /// The `resource_type` sent with assign and unassign.
    pub resource_type: String,
}

/// The suite's inputs. Only settings and credentials are required; write rules run when a
/// writable account and an entitlement (assign/unassign) or a create request
/// (create/get/delete) are given.
#[derive(Clone, Debug)]
pub struct Fixtures {
    pub(crate) settings: Value,
    pub(crate) credentials: Map<String, Value>,
    pub(crate) account: Option<String>,
    pub(crate) entitlement: Option<EntitlementFixture>,
    pub(crate) create_account: Option<Value>,
    pub(crate) wrong_credentials: Option<Map<String, Value>>,
    pub(crate) page_sizes: Vec<u64>,
    pub(crate) max_pages: usize,
    pub(crate) skipped: Vec<Rule>,
}

impl Fixtures {
    /// Settings (the envelope's `settings`) and credentials: the envelope's credential
    /// fields as an object, `{"auth": {...}}` or `{"credentials": [...]}`.
    pub fn new(settings: Value, credentials: Value) -> Self {
        let credentials = match credentials {
            Value::Object(fields) => fields,
            Value::Null => Map::new(),
            other => panic!(
                "credentials are the envelope fields {{\"auth\": ...}} or {{\"credentials\": [...]}}, not {other}"
            ),
        };
        Fixtures {
            settings,
            credentials,
            account: None,
            entitlement: None,
            create_account: None,
            wrong_credentials: None,
            page_sizes: vec![1, 2, 7],
            max_pages: 500,
            skipped: Vec::new(),
        }
    }

    /// An existing account the suite may assign `entitlement` to and unassign it from; it
    /// must not hold the entitlement before the run, and does not after.
    pub fn assignable(
        mut self,
        account_id: impl Into<String>,
        entitlement: EntitlementFixture,
    ) -> Self {
        self.account = Some(account_id.into());
        self.entitlement = Some(entitlement);
        self
    }

    /// A `create_account` request payload; the suite creates it, reads it back by the id
    /// the answer gives, deletes it and checks it is gone.
    pub fn creatable_account(mut self, request: Value) -> Self {
        self.create_account = Some(request);
        self
    }

    /// Wrong credentials (same shape as in [`Fixtures::new`]); by default every string in
    /// the good ones is replaced.
    pub fn wrong_credentials(mut self, credentials: Value) -> Self {
        if let Value::Object(fields) = credentials {
            self.wrong_credentials = Some(fields);
        }
        self
    }

    /// The page sizes pagination is compared at (default 1, 2 and 7).
    pub fn page_sizes(mut self, sizes: &[u64]) -> Self {
        self.page_sizes = sizes.to_vec();
        self
    }

    /// The most pages one walk may take before `pagination-ends` fails (default 500).
    pub fn max_pages(mut self, pages: usize) -> Self {
        self.max_pages = pages;
        self
    }

    /// Leaves `rule` unchecked, for a connector that cannot meet it (say why in your test).
    pub fn skip(mut self, rule: Rule) -> Self {
        self.skipped.push(rule);
        self
    }

    /// The envelope for `request` and `page` with these settings and credentials.
    pub(crate) fn envelope(&self, request: Value, page: Option<Value>) -> Value {
        let mut envelope = self.credentials.clone();
        envelope.insert("settings".into(), self.settings.clone());
        envelope.insert("request".into(), request);
        if let Some(page) = page {
            envelope.insert("page".into(), page);
        }
        Value::Object(envelope)
    }

    /// The wrong credentials given, or the good ones with every string replaced.
    pub(crate) fn wrong(&self) -> Map<String, Value> {
        self.wrong_credentials.clone().unwrap_or_else(|| {
            let mut fields = Value::Object(self.credentials.clone());
            spoil(&mut fields, "");
            match fields {
                Value::Object(fields) => fields,
                _ => Map::new(),
            }
        })
    }
}

/// Replaces every string that is not a credential id with a wrong value.
fn spoil(value: &mut Value, key: &str) {
    match value {
        Value::String(text) if key != "id" => *text = format!("wrong-{}", text.len()),
        Value::Array(items) => items.iter_mut().for_each(|item| spoil(item, key)),
        Value::Object(fields) => fields.iter_mut().for_each(|(k, v)| spoil(v, k)),
        _ => {}
    }
}

impl EntitlementFixture {
    /// An entitlement with its id, resource id, entitlement type and resource type.
    pub fn new(
        id: impl Into<String>,
        resource_id: impl Into<String>,
        entitlement_type: impl Into<String>,
        resource_type: impl Into<String>,
    ) -> Self {
        EntitlementFixture {
            id: id.into(),
            resource_id: resource_id.into(),
            entitlement_type: entitlement_type.into(),
            resource_type: resource_type.into(),
        }
    }

    /// The assign/unassign request for `account`.
    pub(crate) fn request(&self, account: &str) -> Value {
        json!({
            "account_integration_specific_id": account,
            "resource_integration_specific_id": self.resource_id,
            "resource_type": self.resource_type,
            "entitlement_type": self.entitlement_type,
            "entitlement_integration_specific_id": self.id,
        })
    }
}
