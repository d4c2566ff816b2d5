//! The registry: a connector's capability table ([`Capabilities`]), one typed
//! registration method per kind of capability, each erasing its handler into a
//! [`CapabilityEntry`] the runtime routes to by name.

use futures_util::future::BoxFuture;
use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::capability::{
    Authenticated, Capability, CapabilityLevel, CapabilityResult, ListCapability, ListResult,
    PayloadFor, Unauthenticated,
};
use crate::connector::{Connector, ContextOf, UnauthenticatedContextOf};
use crate::page::PageRequest;

/// A handler with its types erased: runs one capability on the raw request JSON.
pub(crate) type ErasedHandler<C> = Box<
    dyn for<'a> Fn(
            &'a C,
            crate::dispatch::Invocation<'a, C>,
        ) -> BoxFuture<'a, crate::dispatch::Answer>
        + Send
        + Sync,
>;

/// One registered capability.
pub struct CapabilityEntry<C: Connector> {
    pub(crate) name: &'static str,
    pub(crate) display_name: Option<&'static str>,
    pub(crate) description: Option<&'static str>,
    pub(crate) level: CapabilityLevel,
    pub(crate) custom: bool,
    pub(crate) default_page_size: Option<u32>,
    /// For a list capability, the item's identity fields (its schema's `x-unique-hash`).
    pub(crate) item_identity: Option<fn() -> Vec<String>>,
    pub(crate) schemas: fn() -> (Value, Value),
    pub(crate) handler: ErasedHandler<C>,
}

impl<C: Connector> CapabilityEntry<C> {
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
            item_identity: None,
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

    /// Whether this is a list capability (answers in pages).
    pub fn is_paginated(&self) -> bool {
        self.item_identity.is_some()
    }

    /// For a list capability, the fields that identify one item (the item schema's
    /// `x-unique-hash`; empty when it has none).
    pub fn item_identity(&self) -> Vec<String> {
        self.item_identity
            .map(|fields| fields())
            .unwrap_or_default()
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
pub struct Capabilities<C: Connector> {
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

    /// Adds a standard capability that returns one payload (not a list) and takes the
    /// authenticated envelope (its [`Capability::Kind`] is [`Authenticated`]).
    pub fn standard<Cap, P, O, F>(mut self, handler: F) -> Self
    where
        Cap: Capability<Kind = Authenticated>,
        P: PayloadFor<Cap>,
        O: CapabilityResult<Cap::Response>,
        F: for<'a> Fn(&'a C, &'a ContextOf<C>, P) -> BoxFuture<'a, O>
            + Copy
            + Send
            + Sync
            + 'static,
    {
        self.entries.push(CapabilityEntry::new(
            Cap::NAME,
            Cap::LEVEL,
            false,
            crate::schema::standard_schemas::<P, Cap::Response>,
            erase(move |c, invocation| {
                Box::pin(crate::dispatch::runners::run_standard::<C, Cap, P, O, F>(
                    c, invocation, handler,
                ))
            }),
        ));
        self
    }

    /// Adds a standard capability whose envelope carries no credentials (the OAuth flows,
    /// `validate_credential_config`; its [`Capability::Kind`] is [`Unauthenticated`]): its
    /// context has `()` as credentials.
    pub fn unauthenticated<Cap, P, O, F>(mut self, handler: F) -> Self
    where
        Cap: Capability<Kind = Unauthenticated>,
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
            crate::schema::standard_schemas::<P, Cap::Response>,
            erase(move |c, invocation| {
                Box::pin(crate::dispatch::runners::run_unauthenticated::<
                    C,
                    Cap,
                    P,
                    O,
                    F,
                >(c, invocation, handler))
            }),
        ));
        self
    }

    /// Adds a list capability: the handler gets a [`PageRequest`] with the decoded cursor
    /// of the author's own type `Cur`, and returns a [`Paged`] page.
    pub fn list<Cap, P, O, F>(mut self, handler: F) -> Self
    where
        Cap: ListCapability + Capability<Kind = Authenticated>,
        P: PayloadFor<Cap>,
        O: ListResult<Cap::Item>,
        F: for<'a> Fn(&'a C, &'a ContextOf<C>, P, PageRequest<O::Cursor>) -> BoxFuture<'a, O>
            + Copy
            + Send
            + Sync
            + 'static,
    {
        let mut entry = CapabilityEntry::new(
            Cap::NAME,
            Cap::LEVEL,
            false,
            crate::schema::list_schemas::<P>,
            erase(move |c, invocation| {
                Box::pin(crate::dispatch::runners::run_list::<C, Cap, P, O, F>(
                    c, invocation, handler,
                ))
            }),
        );
        entry.item_identity = Some(crate::schema::unique_hash::<Cap::Item>);
        self.entries.push(entry);
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
            crate::schema::standard_schemas::<P, R>,
            erase(move |c, invocation| {
                Box::pin(crate::dispatch::runners::run_custom::<C, P, R, O, F>(
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
    pub(crate) fn into_entries(self) -> Vec<CapabilityEntry<C>> {
        self.entries
    }

    /// Adds an entry.
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

pub(crate) fn erase<C: Connector, G>(handler: G) -> ErasedHandler<C>
where
    G: for<'a> Fn(
            &'a C,
            crate::dispatch::Invocation<'a, C>,
        ) -> BoxFuture<'a, crate::dispatch::Answer>
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
