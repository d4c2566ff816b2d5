//! Generate stage: the [`Connector`] model into the user's impl block and an
//! `impl Connector` that registers each capability with the runtime; an invalid input into
//! its impl block, its errors and a stand-in implementation.

mod metadata;
mod oauth;
mod registration;

use proc_macro2::TokenStream;
use quote::quote;

use crate::model::{Connector, Invalid, StandIn};

/// The expansion.
pub(crate) fn generate(connector: Result<Connector, Invalid>) -> TokenStream {
    match connector {
        Ok(connector) => valid(&connector),
        Err(invalid) => {
            let item = &invalid.item;
            let error = invalid.error.to_compile_error();
            let stand_in = invalid.stand_in.as_deref().map(stand_in);
            quote!(#item #error #stand_in)
        }
    }
}

fn valid(connector: &Connector) -> TokenStream {
    let item = &connector.item;
    let self_ty = &item.self_ty;
    let krate = &connector.attr.krate;
    let (settings, credentials) = (&connector.attr.settings, &connector.attr.credentials);
    let metadata = metadata::metadata(&connector.attr.metadata, krate);
    let capabilities = registration::capabilities(&connector.capabilities, krate);
    let oauth = oauth::oauth(&connector.attr.oauth, krate, settings);
    quote! {
        #item
        #[automatically_derived]
        impl #krate::__private::Connector for #self_ty {
            type Settings = #settings;
            type Credentials = #credentials;
            fn metadata() -> #krate::__private::Metadata {
                #metadata
            }
            fn capabilities() -> #krate::__private::Capabilities<Self> {
                #capabilities
            }
            #oauth
        }
    }
}

/// The `Connector` implementation emitted when the input has errors: it has no
/// capabilities, but code that uses the connector (`cli::run::<T>()`, tests) compiles, so
/// the macro's errors are the only ones.
///
/// A generic impl is an error already, and the stand-in declares none of its parameters:
/// rustc does not report names it cannot find in a module that holds a `compile_error!`
/// (rust-lang/rust#149484, in 1.95, our rust-version), and the type becomes one that
/// matches every use, so neither this impl nor the user's methods add errors. Lifetimes are
/// not covered by that rule and add one "undeclared lifetime" error; declaring them, or
/// making them `'static`, adds more.
fn stand_in(stand_in: &StandIn) -> TokenStream {
    let StandIn {
        self_ty,
        krate,
        settings,
        credentials,
    } = stand_in;
    quote! {
        #[automatically_derived]
        impl #krate::__private::Connector for #self_ty {
            type Settings = #settings;
            type Credentials = #credentials;
            fn metadata() -> #krate::__private::Metadata {
                #krate::__private::Metadata::new("", "")
            }
            fn capabilities() -> #krate::__private::Capabilities<Self> {
                #krate::__private::Capabilities::new()
            }
        }
    }
}
