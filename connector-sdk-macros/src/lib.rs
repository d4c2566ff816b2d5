//! Implementation detail of `connector-sdk`: the `#[connector]` attribute.
//! Depend on `connector-sdk` and use `connector_sdk::connector` instead; its
//! documentation describes the attribute.

mod catalogue;
mod errors;
mod expand;
mod generate;
mod keys;
mod model;
mod parse;
#[cfg(test)]
mod tests;
mod validate;

use proc_macro::TokenStream;

/// Turns an annotated inherent `impl` block into a connector. See `connector_sdk::connector`.
#[proc_macro_attribute]
pub fn connector(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand(args.into(), item.into()).into()
}

/// The macro's capability table as data, for the runtime's test that keeps it and the
/// runtime's `caps` module in agreement. Not public API.
#[doc(hidden)]
#[proc_macro]
pub fn __standard_capabilities(_input: TokenStream) -> TokenStream {
    catalogue::table_tokens().into()
}
