//! The [`Connector`] trait: what the `#[connector]` macro implements for an author's type,
//! and what the runtime's dispatch, `info` and CLI are generic over.

use std::future::Future;

use schemars::JsonSchema;
use serde::de::DeserializeOwned;

use crate::context::Context;
use crate::credentials::{CredentialSpec, CredentialSpecs, Credentials};
use crate::models::{AppCategory, EntitlementType, ResourceType};
pub use crate::registry::{Capabilities, CapabilityEntry};

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

    /// The connector's OAuth configurations (none by default): the runtime registers the
    /// OAuth capabilities their flows give and describes them in `info` and `app_info`.
    #[cfg(feature = "http")]
    fn oauth() -> crate::oauth::OAuth<Self::Settings> {
        crate::oauth::OAuth::none()
    }

    /// The library entry: runs capability `capability` on a request envelope (JSON text)
    /// and returns the response or error envelope (JSON text). Never panics.
    fn dispatch<'a>(
        &'a self,
        capability: &'a str,
        request_json: &'a str,
    ) -> impl Future<Output = String> + Send + 'a {
        crate::dispatch::dispatch(self, capability, request_json)
    }

    /// [`dispatch`](Connector::dispatch), writing the envelope into `writer` instead of
    /// returning it: the same bytes, serialised straight into the writer with no whole copy
    /// in memory. Serialising starts only once the capability has returned, so a failing or
    /// panicking capability still writes a whole error envelope. An error is the writer's
    /// (or a response that could not be serialised part-way), and leaves a partial document
    /// in `writer`; wrap an unbuffered writer (a file, a socket) in a `BufWriter`. The
    /// writer is held across the call, so it is `Send` (`stdout()`, not its lock).
    ///
    /// ```no_run
    /// # use connector_sdk::connector::Connector;
    /// # async fn answer<C: Connector>(connector: &C) -> std::io::Result<()> {
    /// let mut out = std::io::BufWriter::new(std::io::stdout());
    /// connector.dispatch_to("list_accounts", r#"{"request": {}}"#, &mut out).await?;
    /// std::io::Write::flush(&mut out)
    /// # }
    /// ```
    fn dispatch_to<'a, W: std::io::Write + Send + 'a>(
        &'a self,
        capability: &'a str,
        request_json: &'a str,
        writer: W,
    ) -> impl Future<Output = std::io::Result<()>> + Send + 'a {
        crate::dispatch::dispatch_to(self, capability, request_json, writer)
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
