//! The validated connector: what the generate stage emits code from. Every capability is
//! resolved (its kind, marker, payload, return type and argument spans), so generating
//! cannot fail.

use proc_macro2::Span;
use syn::{Expr, Ident, ItemImpl, LitInt, LitStr, Path, Type};

/// A connector with no mistakes.
pub(crate) struct Connector {
    /// The impl block to re-emit, minus the helper attributes.
    pub(crate) item: ItemImpl,
    /// What the attribute says about the connector.
    pub(crate) attr: Attr,
    /// Its capabilities, in the impl's order; helpers (`skip`) are not among them.
    pub(crate) capabilities: Vec<Capability>,
}

/// What `#[connector(...)]` on the impl block says, checked.
pub(crate) struct Attr {
    /// Where the runtime is (`::connector_sdk` unless `crate = ...`).
    pub(crate) krate: Path,
    /// `Connector::Settings`.
    pub(crate) settings: Type,
    /// `Connector::Credentials`.
    pub(crate) credentials: Type,
    pub(crate) metadata: Metadata,
    /// The OAuth declarations: `oauth(...)` on the attribute, or on OAuth credentials.
    pub(crate) oauth: Vec<OAuthDecl>,
}

/// One `oauth(...)` declaration, checked.
pub(crate) struct OAuthDecl {
    /// The credential it belongs to (multi-credential), `None` for the attribute's own.
    pub(crate) credential_id: Option<LitStr>,
    /// A string literal or the path of a `fn(&Settings) -> String`.
    pub(crate) authorization_url: Option<Expr>,
    pub(crate) token_url: Expr,
    /// Capability name → space-separated scopes, in declaration order.
    pub(crate) scopes: Vec<(Ident, LitStr)>,
    pub(crate) pkce: bool,
    /// Variant names of the runtime's enums: `Code`, `Body`, `PostForm`, …
    pub(crate) flow: Ident,
    pub(crate) client_auth: Ident,
    pub(crate) token_request: Ident,
    /// `capabilities(refresh_access_token = false, ...)`.
    pub(crate) capabilities: Vec<(Ident, bool)>,
}

/// The connector's self-description.
pub(crate) struct Metadata {
    pub(crate) app_id: LitStr,
    /// `None`: the crate's version.
    pub(crate) version: Option<LitStr>,
    pub(crate) name: Option<LitStr>,
    pub(crate) description: Option<LitStr>,
    pub(crate) logo_url: Option<LitStr>,
    pub(crate) app_vendor_domain: Option<LitStr>,
    pub(crate) categories: Vec<Path>,
    pub(crate) resource_types: Option<Expr>,
    pub(crate) entitlement_types: Option<Expr>,
    pub(crate) credentials: Vec<Credential>,
    pub(crate) allowed_credentials: Vec<Vec<LitStr>>,
}

/// One credential of `credentials = [TokenCredential(id = "api", description = "...", optional), ...]`.
pub(crate) struct Credential {
    pub(crate) ty: Path,
    pub(crate) id: LitStr,
    pub(crate) description: LitStr,
    pub(crate) optional: bool,
}

/// One capability method.
pub(crate) struct Capability {
    /// The method's name, also the capability's.
    pub(crate) name: Ident,
    pub(crate) kind: Kind,
    /// The request payload's type, as the method declares it.
    pub(crate) payload: Type,
    /// The return type as written: the runtime's traits decide what it carries.
    pub(crate) output: Type,
    pub(crate) is_async: bool,
    /// Where the context and the request are declared: a mismatch with what the runtime
    /// passes is reported there.
    pub(crate) cx: Span,
    pub(crate) request: Span,
    pub(crate) display_name: Option<LitStr>,
    pub(crate) description: Option<String>,
    /// The method's `#[cfg(...)]` attributes: its registration is compiled under them too.
    pub(crate) cfgs: Vec<syn::Attribute>,
}

/// How a capability is registered with the runtime.
pub(crate) enum Kind {
    /// A standard capability answering one payload, with an authenticated envelope.
    Single { marker: &'static str },
    /// A standard capability answering a page.
    List {
        marker: &'static str,
        /// Where the page (`PageRequest<Cursor>`) is declared.
        page: Span,
        page_size: Option<LitInt>,
    },
    /// A standard capability whose envelope carries no credentials.
    Unauthenticated { marker: &'static str },
    /// A capability of the author's own.
    Custom { level: Level },
}

/// A custom capability's level.
#[derive(Clone, Copy)]
pub(crate) enum Level {
    Read,
    Write,
    Validation,
}

/// An input with mistakes: what the expansion still emits, so that the macro's errors are
/// the only ones.
pub(crate) struct Invalid {
    /// The item as written (an impl block minus the helper attributes).
    pub(crate) item: proc_macro2::TokenStream,
    /// Every mistake, combined.
    pub(crate) error: syn::Error,
    /// A `Connector` implementation with no capabilities, when the item declares a type
    /// that code elsewhere uses as a connector.
    pub(crate) stand_in: Option<Box<StandIn>>,
}

/// What a stand-in `Connector` implementation needs.
pub(crate) struct StandIn {
    pub(crate) self_ty: Type,
    pub(crate) krate: Path,
    pub(crate) settings: Type,
    pub(crate) credentials: Type,
}
