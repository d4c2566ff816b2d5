//! The [`Connector`] trait: what the `#[connector]` macro implements for an author's type,
//! and what the runtime's dispatch, `info` and CLI are generic over.

use std::future::Future;

use futures_util::future::BoxFuture;
use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::capability::{
    Capability, CapabilityLevel, CapabilityResult, Envelope, ListCapability, ListResult, PayloadFor,
};
use crate::context::Context;
use crate::credentials::{CredentialSpec, CredentialSpecs, Credentials};
use crate::models::{AppCategory, EntitlementType, ResourceType};
use crate::page::PageRequest;

/// The context an authenticated capability of connector `C` receives.
pub type ContextOf<C> = Context<<C as Connector>::Settings, <C as Connector>::Credentials>;

/// The context of the OAuth flows and other capabilities whose envelope has no credentials.
pub type UnauthenticatedContextOf<C> = Context<<C as Connector>::Settings, ()>;

/// The settings type of a connector that takes no settings: requests need none, and
/// `info.request_settings_schema` is the reference's `EmptySettings`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize, JsonSchema)]
#[schemars(rename = "EmptySettings")]
pub struct NoSettings {}

/// A connector: its self-description and its table of capabilities.
///
/// The `#[connector]` macro implements this trait from an annotated `impl` block; writing
/// it by hand is possible (examples/http-example and the demo twin in tests/src/demo_app.rs
/// do) and shows what the macro generates.
/// The value is built once per process and shared by every call, so it is `Send + Sync`;
/// each call gets its settings and credentials in a [`Context`].
///
/// ```
/// use connector_sdk::prelude::*;
/// use connector_sdk::connector::{Capabilities, Metadata, NoSettings};
///
/// #[derive(Default)]
/// struct Hello;
///
/// impl Hello {
///     async fn validate_credentials(
///         &self,
///         cx: &ContextOf<Self>,
///         _req: ValidateCredentials,
///     ) -> Result<ValidatedCredentials> {
///         Ok(ValidatedCredentials { valid: !cx.credentials().token.is_empty(), unique_tenant_id: "hello".into() })
///     }
/// }
///
/// impl Connector for Hello {
///     type Settings = NoSettings;
///     type Credentials = TokenCredential;
///     fn metadata() -> Metadata {
///         Metadata::new("hello", "1.0.0")
///     }
///     fn capabilities() -> Capabilities<Self> {
///         Capabilities::<Self>::new().standard::<caps::ValidateCredentials, _, _, _>(|c, cx, req| {
///             Box::pin(c.validate_credentials(cx, req))
///         })
///     }
/// }
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let out = Hello.dispatch("validate_credentials", r#"{"auth":{"token":{"token":"t"}},"request":{}}"#).await;
/// assert!(out.starts_with(r#"{"response":{"valid":true"#));
/// # });
/// ```
pub trait Connector: Send + Sync + Sized + 'static {
    /// The typed settings every request carries ([`NoSettings`] for none).
    type Settings: DeserializeOwned + JsonSchema + Send + Sync + 'static;
    /// The credentials every authenticated request carries (a credential type such as
    /// `TokenCredential`, or `()` for none).
    type Credentials: Credentials;

    /// The connector's self-description (app_id, version, names, types).
    fn metadata() -> Metadata;

    /// The connector's capabilities, each with its handler.
    fn capabilities() -> Capabilities<Self>;

    /// The library entry: runs capability `capability` on a request envelope (JSON text)
    /// and returns the response or error envelope (JSON text). Never panics.
    fn dispatch<'a>(
        &'a self,
        capability: &'a str,
        request_json: &'a str,
    ) -> impl Future<Output = String> + Send + 'a {
        crate::dispatch::dispatch(self, capability, request_json)
    }
}

/// The static self-description of a connector: what `info` reports besides capabilities
/// and schemas.
///
/// ```
/// use connector_sdk::connector::Metadata;
/// use connector_sdk::models::AppCategory;
///
/// let metadata = Metadata::new("pretend_app", "0.1.0")
///     .name("Pretend App")
///     .categories(vec![AppCategory::Developers]);
/// assert_eq!(metadata.app_id, "pretend_app");
/// ```
#[derive(Clone, Debug)]
pub struct Metadata {
    /// The connector's id, such as `"pretend_app"`.
    pub app_id: &'static str,
    /// The connector's version.
    pub version: &'static str,
    /// The author's crate (`raised_in` is `<crate>::<capability>`); defaults to the app_id.
    pub crate_name: &'static str,
    /// The name people see (`user_friendly_name`).
    pub name: Option<&'static str>,
    /// What the app is.
    pub description: Option<&'static str>,
    /// The app's logo.
    pub logo_url: Option<&'static str>,
    /// The vendor's domain.
    pub app_vendor_domain: Option<&'static str>,
    /// The app's categories.
    pub categories: Vec<AppCategory>,
    /// The resource types the connector lists.
    pub resource_types: Vec<ResourceType>,
    /// The entitlement types the connector lists.
    pub entitlement_types: Vec<EntitlementType>,
    /// The credentials of a multi-credential connector and their allowed combinations.
    pub credentials: CredentialSpecs,
}

impl Metadata {
    /// Metadata with an app_id and a version; everything else empty.
    pub fn new(app_id: &'static str, version: &'static str) -> Self {
        Metadata {
            app_id,
            version,
            crate_name: app_id,
            name: None,
            description: None,
            logo_url: None,
            app_vendor_domain: None,
            categories: Vec::new(),
            resource_types: Vec::new(),
            entitlement_types: Vec::new(),
            credentials: CredentialSpecs::default(),
        }
    }

    /// Sets the author's crate name, used in `raised_in`.
    pub fn crate_name(mut self, crate_name: &'static str) -> Self {
        self.crate_name = crate_name;
        self
    }

    /// Sets the name people see.
    pub fn name(mut self, name: &'static str) -> Self {
        self.name = Some(name);
        self
    }

    /// Sets the description.
    pub fn description(mut self, description: &'static str) -> Self {
        self.description = Some(description);
        self
    }

    /// Sets the logo URL.
    pub fn logo_url(mut self, logo_url: &'static str) -> Self {
        self.logo_url = Some(logo_url);
        self
    }

    /// Sets the vendor's domain.
    pub fn app_vendor_domain(mut self, domain: &'static str) -> Self {
        self.app_vendor_domain = Some(domain);
        self
    }

    /// Sets the categories.
    pub fn categories(mut self, categories: Vec<AppCategory>) -> Self {
        self.categories = categories;
        self
    }

    /// Sets the resource types.
    pub fn resource_types(mut self, resource_types: Vec<ResourceType>) -> Self {
        self.resource_types = resource_types;
        self
    }

    /// Declares the credentials of a multi-credential connector (its `Credentials` type is
    /// [`CredentialSet`](crate::credentials::CredentialSet)).
    pub fn credentials(mut self, credentials: Vec<CredentialSpec>) -> Self {
        self.credentials.specs = credentials;
        self
    }

    /// Sets the allowed combinations of credential ids (default: all required ones
    /// together, or each optional one alone).
    pub fn allowed_credentials(mut self, combinations: Vec<Vec<&'static str>>) -> Self {
        self.credentials.allowed = combinations;
        self
    }

    /// Sets the entitlement types.
    pub fn entitlement_types(mut self, entitlement_types: Vec<EntitlementType>) -> Self {
        self.entitlement_types = entitlement_types;
        self
    }
}

/// Every capability of connector `C`: the author's, plus those the runtime generates for
/// every connector (`app_info`, `probe_integration`).
pub fn registered<C: Connector>() -> Capabilities<C> {
    let mut capabilities = C::capabilities();
    if <C::Credentials as Credentials>::MULTI
        && capabilities.get("validate_credential_config").is_none()
    {
        capabilities.push(crate::credential_config::entry::<C>());
    }
    crate::builtins::add_builtins(capabilities)
}

/// A handler with its types erased: runs one capability on the raw request JSON.
pub(crate) type ErasedHandler<C> = Box<
    dyn for<'a> Fn(&'a C, crate::dispatch::Invocation<'a>) -> BoxFuture<'a, String> + Send + Sync,
>;

/// One registered capability.
pub struct CapabilityEntry<C> {
    pub(crate) name: &'static str,
    pub(crate) display_name: Option<&'static str>,
    pub(crate) description: Option<&'static str>,
    pub(crate) level: CapabilityLevel,
    pub(crate) custom: bool,
    pub(crate) default_page_size: Option<u32>,
    pub(crate) schemas: fn() -> (Value, Value),
    pub(crate) handler: ErasedHandler<C>,
}

impl<C> CapabilityEntry<C> {
    /// An entry with no display name, description or page-size default yet.
    pub(crate) fn new(
        name: &'static str,
        level: CapabilityLevel,
        custom: bool,
        schemas: fn() -> (Value, Value),
        handler: ErasedHandler<C>,
    ) -> Self {
        CapabilityEntry {
            name,
            display_name: None,
            description: None,
            level,
            custom,
            default_page_size: None,
            schemas,
            handler,
        }
    }

    /// The capability's wire name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The display name: the one given, or the name in title case ("List Accounts").
    pub fn display_name(&self) -> String {
        self.display_name
            .map(str::to_owned)
            .unwrap_or_else(|| title_case(self.name))
    }

    /// The description, if any.
    pub fn description(&self) -> Option<&'static str> {
        self.description
    }

    /// Read, write or validation.
    pub fn level(&self) -> CapabilityLevel {
        self.level
    }

    /// Whether this is a custom (non-standard) capability.
    pub fn is_custom(&self) -> bool {
        self.custom
    }

    /// The JSON schemas of the payload (`argument`) and of the response (`output`).
    pub fn schemas(&self) -> (Value, Value) {
        (self.schemas)()
    }
}

/// `"list_accounts"` → `"List Accounts"`.
pub(crate) fn title_case(name: &str) -> String {
    name.split('_')
        .filter(|word| !word.is_empty())
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => first
                    .to_uppercase()
                    .chain(chars.flat_map(char::to_lowercase))
                    .collect(),
                None => String::new(),
            }
        })
        .collect::<Vec<String>>()
        .join(" ")
}

/// A connector's capability table, built with one call per capability.
///
/// Handlers are closures that call the author's method and box its future:
/// `|c, cx, req| Box::pin(c.validate_credentials(cx, req))`. Plain (non-async) methods
/// are wrapped: `|c, cx, req| Box::pin(async move { c.plain_method(cx, req) })`.
pub struct Capabilities<C> {
    entries: Vec<CapabilityEntry<C>>,
}

impl<C: Connector> Default for Capabilities<C> {
    fn default() -> Self {
        Capabilities::new()
    }
}

impl<C: Connector> Capabilities<C> {
    /// An empty table.
    pub fn new() -> Self {
        Capabilities {
            entries: Vec::new(),
        }
    }

    /// Adds a standard capability that returns one payload (not a list) and takes an
    /// authenticated envelope (or, for `app_info`-like ones, an exempt one).
    pub fn standard<Cap, P, O, F>(mut self, handler: F) -> Self
    where
        Cap: Capability,
        P: PayloadFor<Cap>,
        O: CapabilityResult<Cap::Response>,
        F: for<'a> Fn(&'a C, &'a ContextOf<C>, P) -> BoxFuture<'a, O>
            + Copy
            + Send
            + Sync
            + 'static,
    {
        assert!(
            Cap::ENVELOPE != Envelope::Unauthenticated,
            "{} takes no credentials: register it with `unauthenticated`",
            Cap::NAME
        );
        self.entries.push(CapabilityEntry::new(
            Cap::NAME,
            Cap::LEVEL,
            false,
            crate::info::standard_schemas::<P, Cap::Response>,
            erase(move |c, invocation| {
                Box::pin(crate::dispatch::run_standard::<C, Cap, P, O, F>(
                    c, invocation, handler,
                ))
            }),
        ));
        self
    }

    /// Adds a standard capability whose envelope carries no credentials (the OAuth flows,
    /// `validate_credential_config`): its context has `()` as credentials.
    pub fn unauthenticated<Cap, P, O, F>(mut self, handler: F) -> Self
    where
        Cap: Capability,
        P: PayloadFor<Cap>,
        O: CapabilityResult<Cap::Response>,
        F: for<'a> Fn(&'a C, &'a UnauthenticatedContextOf<C>, P) -> BoxFuture<'a, O>
            + Copy
            + Send
            + Sync
            + 'static,
    {
        self.entries.push(CapabilityEntry::new(
            Cap::NAME,
            Cap::LEVEL,
            false,
            crate::info::standard_schemas::<P, Cap::Response>,
            erase(move |c, invocation| {
                Box::pin(crate::dispatch::run_unauthenticated::<C, Cap, P, O, F>(
                    c, invocation, handler,
                ))
            }),
        ));
        self
    }

    /// Adds a list capability: the handler gets a [`PageRequest`] with the decoded cursor
    /// of the author's own type `Cur`, and returns a [`Paged`] page.
    pub fn list<Cap, P, O, F>(mut self, handler: F) -> Self
    where
        Cap: ListCapability,
        P: PayloadFor<Cap>,
        O: ListResult<Cap::Item>,
        F: for<'a> Fn(&'a C, &'a ContextOf<C>, P, PageRequest<O::Cursor>) -> BoxFuture<'a, O>
            + Copy
            + Send
            + Sync
            + 'static,
    {
        self.entries.push(CapabilityEntry::new(
            Cap::NAME,
            Cap::LEVEL,
            false,
            crate::info::list_schemas::<P>,
            erase(move |c, invocation| {
                Box::pin(crate::dispatch::run_list::<C, Cap, P, O, F>(
                    c, invocation, handler,
                ))
            }),
        ));
        self
    }

    /// Adds a custom capability named `name` (lowercase letters and underscores).
    pub fn custom<P, R, O, F>(
        mut self,
        name: &'static str,
        level: CapabilityLevel,
        handler: F,
    ) -> Self
    where
        P: DeserializeOwned + Serialize + JsonSchema + Send + 'static,
        R: Serialize + JsonSchema + Send + 'static,
        O: CapabilityResult<R>,
        F: for<'a> Fn(&'a C, &'a ContextOf<C>, P) -> BoxFuture<'a, O>
            + Copy
            + Send
            + Sync
            + 'static,
    {
        self.entries.push(CapabilityEntry::new(
            name,
            level,
            true,
            crate::info::standard_schemas::<P, R>,
            erase(move |c, invocation| {
                Box::pin(crate::dispatch::run_custom::<C, P, R, O, F>(
                    c, invocation, handler,
                ))
            }),
        ));
        self
    }

    /// Gives the capability added last a display name.
    pub fn display_name(mut self, display_name: &'static str) -> Self {
        if let Some(entry) = self.entries.last_mut() {
            entry.display_name = Some(display_name);
        }
        self
    }

    /// Gives the capability added last a description.
    pub fn description(mut self, description: &'static str) -> Self {
        if let Some(entry) = self.entries.last_mut() {
            entry.description = Some(description);
        }
        self
    }

    /// Sets the page size of the list capability added last, used when a request names none.
    pub fn default_page_size(mut self, size: u32) -> Self {
        if let Some(entry) = self.entries.last_mut() {
            entry.default_page_size = Some(size);
        }
        self
    }

    /// Adds an entry built by the runtime (`app_info`, `probe_integration`, ...).
    pub(crate) fn push(&mut self, entry: CapabilityEntry<C>) {
        self.entries.push(entry);
    }

    /// The registered capabilities, in registration order.
    pub fn entries(&self) -> &[CapabilityEntry<C>] {
        &self.entries
    }

    /// The capability named `name`.
    pub fn get(&self, name: &str) -> Option<&CapabilityEntry<C>> {
        self.entries.iter().find(|entry| entry.name == name)
    }

    /// The names, sorted.
    pub fn names(&self) -> Vec<&'static str> {
        let mut names: Vec<&'static str> = self.entries.iter().map(|entry| entry.name).collect();
        names.sort_unstable();
        names
    }
}

pub(crate) fn erase<C, G>(handler: G) -> ErasedHandler<C>
where
    G: for<'a> Fn(&'a C, crate::dispatch::Invocation<'a>) -> BoxFuture<'a, String>
        + Send
        + Sync
        + 'static,
{
    Box::new(handler)
}

#[cfg(test)]
mod tests {
    use super::title_case;

    #[test]
    fn display_names_are_title_case() {
        assert_eq!(title_case("list_accounts"), "List Accounts");
        assert_eq!(title_case("echo_message"), "Echo Message");
    }
}
