//! The capability catalogue as types: [`Capability`] describes one standard capability
//! (its wire name, level, envelope, payload and response types); the marker types that
//! implement it live in [`crate::caps`].

use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// Whether a capability reads, writes, or validates (the spec's `x-capability-level`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CapabilityLevel {
    /// Reads from the app.
    Read,
    /// Changes the app.
    Write,
    /// Checks credentials or configuration.
    Validation,
}

impl CapabilityLevel {
    /// The level as written in schemas.
    pub fn as_str(self) -> &'static str {
        match self {
            CapabilityLevel::Read => "read",
            CapabilityLevel::Write => "write",
            CapabilityLevel::Validation => "validation",
        }
    }
}

/// Which request envelope a capability takes, and so which checks run before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Envelope {
    /// `{request, auth | credentials, settings, page, include_raw_data, rate_limit}`:
    /// credentials and settings are checked before the capability runs.
    Authenticated,
    /// The OAuth flows and `validate_credential_config`: no `auth` or `credentials`;
    /// settings are still checked.
    Unauthenticated,
    /// `app_info`: the authenticated envelope, but neither auth nor settings are checked.
    Exempt,
}

/// The envelope kinds as types, so that registering a capability with the wrong
/// envelope does not compile: [`Authenticated`], [`Unauthenticated`], [`Exempt`].
pub trait EnvelopeKind: sealed::SealedKind + Send + Sync + 'static {
    /// The kind as a value.
    const ENVELOPE: Envelope;
}

/// The authenticated envelope ([`Envelope::Authenticated`]) as a type.
#[derive(Clone, Copy, Debug)]
pub struct Authenticated;

/// The envelope without credentials ([`Envelope::Unauthenticated`]) as a type.
#[derive(Clone, Copy, Debug)]
pub struct Unauthenticated;

/// The envelope the runtime answers unchecked ([`Envelope::Exempt`]) as a type.
#[derive(Clone, Copy, Debug)]
pub struct Exempt;

impl sealed::SealedKind for Authenticated {}
impl sealed::SealedKind for Unauthenticated {}
impl sealed::SealedKind for Exempt {}

impl EnvelopeKind for Authenticated {
    const ENVELOPE: Envelope = Envelope::Authenticated;
}

impl EnvelopeKind for Unauthenticated {
    const ENVELOPE: Envelope = Envelope::Unauthenticated;
}

impl EnvelopeKind for Exempt {
    const ENVELOPE: Envelope = Envelope::Exempt;
}

/// One standard capability of the protocol. Implemented by the marker types in [`crate::caps`].
///
/// ```
/// use connector_sdk::capability::{Capability, CapabilityLevel};
/// use connector_sdk::caps;
///
/// assert_eq!(caps::ListAccounts::NAME, "list_accounts");
/// assert_eq!(caps::ListAccounts::LEVEL, CapabilityLevel::Read);
/// ```
pub trait Capability: Send + Sync + 'static {
    /// The wire name, such as `"list_accounts"`.
    const NAME: &'static str;
    /// Read, write or validation.
    const LEVEL: CapabilityLevel;
    /// Which envelope the capability takes, as a type ([`Authenticated`],
    /// [`Unauthenticated`] or [`Exempt`]): the registration methods of
    /// [`Capabilities`](crate::connector::Capabilities) require the matching one.
    type Kind: EnvelopeKind;
    /// Which envelope the capability takes, as a value.
    const ENVELOPE: Envelope = <Self::Kind as EnvelopeKind>::ENVELOPE;
    /// Whether authors may extend the payload with their own fields (create_account, update_account).
    const CUSTOMIZABLE: bool = false;
    /// The type of the envelope's `request` field.
    type Payload: DeserializeOwned + JsonSchema + Send + 'static;
    /// The type of the response envelope's `response` field (a `Vec` for list capabilities).
    type Response: Serialize + JsonSchema + Send + 'static;
}

/// A capability whose response is a page of items, continued through page tokens.
pub trait ListCapability: Capability<Response = Vec<Self::Item>> {
    /// The type of one listed item.
    type Item: Serialize + JsonSchema + Send + 'static;
}

/// A payload type a capability accepts: its own payload type, or, for a customizable
/// capability, an author's type that extends it.
///
/// Sealed: the SDK implements it for every standard payload, and for every type that
/// implements [`Extends`] of the create_account or update_account payload.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a payload that capability `{Cap}` accepts",
    label = "not a payload of `{Cap}`",
    note = "a standard capability takes its own payload type, such as `ListAccounts` for `caps::ListAccounts`",
    note = "only create_account and update_account take a type of your own: one that holds `CreatableAccount` (or `UpdateableAccount`) flattened and implements `Extends<CreatableAccount>` (or `Extends<UpdateableAccount>`)"
)]
pub trait PayloadFor<Cap: Capability>:
    sealed::Sealed<Cap> + DeserializeOwned + Serialize + JsonSchema + Send + 'static
{
}

#[doc(hidden)]
pub mod sealed {
    /// Keeps [`PayloadFor`](super::PayloadFor) implemented by the SDK only.
    pub trait Sealed<Cap> {}
    /// Keeps [`EnvelopeKind`](super::EnvelopeKind) implemented by the SDK only.
    pub trait SealedKind {}
}

/// An author's payload that extends a customizable capability's payload (`CreatableAccount`
/// for create_account, `UpdateableAccount` for update_account) with fields of its own.
/// It holds the base payload, flattened, so every standard field stays on the wire and in
/// the schema.
///
/// ```
/// use connector_sdk::capability::Extends;
/// use connector_sdk::models::CreatableAccount;
///
/// #[derive(serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
/// struct NewAccount {
///     #[serde(flatten)]
///     base: CreatableAccount,
///     /// The login name.
///     username: String,
/// }
///
/// impl Extends<CreatableAccount> for NewAccount {
///     fn base(&self) -> &CreatableAccount {
///         &self.base
///     }
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not extend `{Base}`",
    note = "hold the standard payload flattened (`#[serde(flatten)] base: {Base}`) and implement `Extends<{Base}>` returning it"
)]
pub trait Extends<Base>: DeserializeOwned + Serialize + JsonSchema + Send + 'static {
    /// The standard payload inside.
    fn base(&self) -> &Base;
}

/// Declares a standard capability marker type. Used by [`crate::caps`].
macro_rules! standard_capability {
    (
        $(#[$doc:meta])*
        $marker:ident = $name:literal, $level:ident, $envelope:ident,
        $payload:ty => $response:ty, customizable = true
    ) => {
        $crate::capability::standard_capability!(@marker $(#[$doc])* $marker = $name, $level, $envelope, $payload => $response, true);

        impl<T: $crate::capability::Extends<$payload>> $crate::capability::sealed::Sealed<$marker> for T {}
        impl<T: $crate::capability::Extends<$payload>> $crate::capability::PayloadFor<$marker> for T {}
        impl $crate::capability::Extends<$payload> for $payload {
            fn base(&self) -> &$payload {
                self
            }
        }
    };
    (
        $(#[$doc:meta])*
        $marker:ident = $name:literal, $level:ident, $envelope:ident,
        $payload:ty => $response:ty $(, list item $item:ty)?
    ) => {
        $crate::capability::standard_capability!(@marker $(#[$doc])* $marker = $name, $level, $envelope, $payload => $response, false);

        impl $crate::capability::sealed::Sealed<$marker> for $payload {}
        impl $crate::capability::PayloadFor<$marker> for $payload {}

        $(
            impl $crate::capability::ListCapability for $marker {
                type Item = $item;
            }
        )?
    };
    (
        @marker $(#[$doc:meta])*
        $marker:ident = $name:literal, $level:ident, $envelope:ident, $payload:ty => $response:ty, $custom:literal
    ) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default)]
        pub struct $marker;

        impl $crate::capability::Capability for $marker {
            const NAME: &'static str = $name;
            const LEVEL: $crate::capability::CapabilityLevel = $crate::capability::CapabilityLevel::$level;
            type Kind = $crate::capability::$envelope;
            const CUSTOMIZABLE: bool = $custom;
            type Payload = $payload;
            type Response = $response;
        }
    };
}
pub(crate) use standard_capability;

/// What a single-payload capability method returns: `Result<T, E>` where `T` is the
/// response payload or a [`Reply`](crate::Reply) of it and `E` converts into
/// [`ConnectorError`](crate::ConnectorError).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not what this capability returns",
    label = "expected `Result<{Response}>` or `Result<Reply<{Response}>>`",
    note = "a capability returns `connector_sdk::Result<{Response}>`, or `Result<Reply<{Response}>>` to add raw_data or an execution_summary"
)]
pub trait CapabilityResult<Response>: Send + 'static {
    /// Converts into the runtime's form.
    fn into_reply(self) -> crate::Result<crate::Reply<Response>>;
}

impl<Response, T, E> CapabilityResult<Response> for Result<T, E>
where
    T: IntoReply<Response> + Send + 'static,
    E: Into<crate::ConnectorError> + Send + 'static,
{
    fn into_reply(self) -> crate::Result<crate::Reply<Response>> {
        self.map(IntoReply::into_reply).map_err(Into::into)
    }
}

/// A response payload or a [`Reply`](crate::Reply) of it.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not the response payload `{Response}`",
    label = "expected `{Response}` or `Reply<{Response}>`"
)]
pub trait IntoReply<Response> {
    /// Converts into a reply.
    fn into_reply(self) -> crate::Reply<Response>;
}

impl<Response> IntoReply<Response> for Response {
    fn into_reply(self) -> crate::Reply<Response> {
        crate::Reply::new(self)
    }
}

impl<Response> IntoReply<Response> for crate::Reply<Response> {
    fn into_reply(self) -> crate::Reply<Response> {
        self
    }
}

/// What a list capability method returns: `Result<Paged<Item, Cursor>, E>`, with the
/// author's own cursor type.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not what this list capability returns",
    label = "expected `Result<Paged<{Item}, Cursor>>`",
    note = "a list capability returns `connector_sdk::Result<Paged<{Item}, Cursor>>`, where `Cursor` is your own serde type, the same as in its `PageRequest<Cursor>` argument"
)]
pub trait ListResult<Item>: Send + 'static {
    /// The author's cursor type.
    type Cursor: Serialize + DeserializeOwned + Send + Sync + 'static;
    /// Converts into the runtime's form.
    fn into_page(self) -> crate::Result<crate::Paged<Item, Self::Cursor>>;
}

impl<Item, Cursor, E> ListResult<Item> for Result<crate::Paged<Item, Cursor>, E>
where
    Item: Send + 'static,
    Cursor: Serialize + DeserializeOwned + Send + Sync + 'static,
    E: Into<crate::ConnectorError> + Send + 'static,
{
    type Cursor = Cursor;
    fn into_page(self) -> crate::Result<crate::Paged<Item, Cursor>> {
        self.map_err(Into::into)
    }
}
