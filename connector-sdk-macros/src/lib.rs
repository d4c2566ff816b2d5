//! Implementation detail of `connector-sdk`: the `#[connector]` attribute.
//! Depend on `connector-sdk` and use `connector_sdk::connector` instead; its
//! documentation describes the attribute.

mod args;
mod catalogue;
mod errors;
mod expand;
mod method;

use proc_macro::TokenStream;

/// Turns an annotated inherent `impl` block into a connector. See `connector_sdk::connector`.
#[proc_macro_attribute]
pub fn connector(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand(args.into(), item.into()).into()
}
