//! Generate stage for the connector's self-description: the body of `metadata()`, one
//! builder call per key given.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::Path;
use syn::spanned::Spanned;

use crate::model::Metadata;

/// `Metadata::new(app_id, version).crate_name(..)` and a setter per key given.
pub(super) fn metadata(metadata: &Metadata, krate: &Path) -> TokenStream {
    let app_id = &metadata.app_id;
    let version = match &metadata.version {
        Some(version) => quote!(#version),
        None => quote!(::core::env!("CARGO_PKG_VERSION")),
    };
    let optional = [
        ("name", &metadata.name),
        ("description", &metadata.description),
        ("logo_url", &metadata.logo_url),
        ("app_vendor_domain", &metadata.app_vendor_domain),
    ]
    .into_iter()
    .filter_map(|(setter, value)| {
        let setter = syn::Ident::new(setter, Span::call_site());
        value.as_ref().map(|value| quote!(.#setter(#value)))
    });
    let categories = (!metadata.categories.is_empty()).then(|| {
        let categories = metadata.categories.iter().map(
            |category| quote_spanned!(category.span()=> #krate::__private::AppCategory::#category),
        );
        quote!(.categories(#krate::__private::vec![#(#categories),*]))
    });
    let resource_types = metadata
        .resource_types
        .as_ref()
        .map(|expr| quote!(.resource_types(#expr)));
    let credentials = (!metadata.credentials.is_empty()).then(|| {
        let specs = metadata.credentials.iter().map(|credential| {
            let (ty, id, description) = (&credential.ty, &credential.id, &credential.description);
            let optional = credential.optional.then(|| quote!(.optional()));
            quote_spanned!(ty.span()=> #krate::__private::CredentialSpec::new::<#ty>(#id, #description) #optional)
        });
        quote!(.credentials(#krate::__private::vec![#(#specs),*]))
    });
    let allowed = (!metadata.allowed_credentials.is_empty()).then(|| {
        let combinations = metadata
            .allowed_credentials
            .iter()
            .map(|ids| quote!(#krate::__private::vec![#(#ids),*]));
        quote!(.allowed_credentials(#krate::__private::vec![#(#combinations),*]))
    });
    let entitlement_types = metadata
        .entitlement_types
        .as_ref()
        .map(|expr| quote!(.entitlement_types(#expr)));
    quote! {
        #krate::__private::Metadata::new(#app_id, #version)
            .crate_name(::core::env!("CARGO_CRATE_NAME"))
            #(#optional)*
            #categories
            #resource_types
            #entitlement_types
            #credentials
            #allowed
    }
}
