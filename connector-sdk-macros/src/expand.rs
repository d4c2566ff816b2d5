//! The pipeline: parse the attribute and the impl, check everything (collecting every
//! error), then generate the `Connector` implementation, or, on error, the user's impl,
//! the errors and a stand-in implementation so no secondary errors follow.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{ImplItem, ItemImpl, Path, Token, Type};

use crate::args::{ConnectorArgs, RawArg};
use crate::catalogue::Kind;
use crate::errors::Errors;
use crate::method::{self, Level, Method, Role};

/// Expands `#[connector(args)] item`.
pub fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let raw =
        match syn::parse::Parser::parse2(Punctuated::<RawArg, Token![,]>::parse_terminated, args) {
            Ok(raw) => raw,
            Err(err) => {
                errors.push(err);
                Punctuated::new()
            }
        };
    let mut item_impl: ItemImpl = match syn::parse2(item.clone()) {
        Ok(item_impl) => item_impl,
        Err(_) => {
            let error = syn::Error::new(
                first_token_span(&item),
                "#[connector] goes on an inherent `impl` block: `#[connector(app_id = \"...\")] impl MyConnector { ... }`",
            );
            let error = error.into_compile_error();
            return quote!(#item #error);
        }
    };
    let args = ConnectorArgs::from_raw(raw, &mut errors);
    if args.app_id.is_none() {
        errors.push(syn::Error::new(
            proc_macro2::Span::call_site(),
            "missing `app_id`: `#[connector(app_id = \"my_app\", ...)]`",
        ));
    }
    if let Some((trait_path, _)) = &item_impl.trait_ {
        errors.at(
            trait_path,
            "#[connector] goes on an inherent `impl` block, not on a trait implementation",
        );
    }
    if !item_impl.generics.params.is_empty() {
        errors.at(
            &item_impl.generics,
            "a connector type cannot be generic: #[connector] needs one concrete type",
        );
    }

    let mut methods = Vec::new();
    for impl_item in &item_impl.items {
        match impl_item {
            ImplItem::Fn(function) => {
                if let Some(method) = method::read(function, &mut errors) {
                    methods.push(method);
                }
            }
            ImplItem::Macro(mac) => errors.at(
                mac,
                "macros cannot expand to capabilities inside a #[connector] impl; move this to another impl block",
            ),
            _ => {}
        }
    }

    strip_helper_attributes(&mut item_impl);
    let krate = args
        .krate
        .clone()
        .unwrap_or_else(|| syn::parse_quote!(::connector_sdk));
    let self_ty = &item_impl.self_ty;
    let settings = settings_type(&args, &krate);
    let credentials = credentials_type(&args, &krate);

    if let Some(error) = errors.into_error() {
        let error = error.into_compile_error();
        return quote! {
            #item_impl
            #error
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
        };
    }

    let metadata = metadata(&args, &krate);
    let registrations = methods
        .iter()
        .filter_map(|method| registration(method, &krate));
    quote! {
        #item_impl
        #[automatically_derived]
        impl #krate::__private::Connector for #self_ty {
            type Settings = #settings;
            type Credentials = #credentials;
            fn metadata() -> #krate::__private::Metadata {
                #metadata
            }
            fn capabilities() -> #krate::__private::Capabilities<Self> {
                #krate::__private::Capabilities::<Self>::new()
                    #(#registrations)*
            }
        }
    }
}

fn first_token_span(item: &TokenStream) -> proc_macro2::Span {
    item.clone()
        .into_iter()
        .next()
        .map_or_else(proc_macro2::Span::call_site, |token| token.span())
}

fn strip_helper_attributes(item_impl: &mut ItemImpl) {
    for impl_item in &mut item_impl.items {
        if let ImplItem::Fn(function) = impl_item {
            function
                .attrs
                .retain(|attr| !method::is_connector_attr(attr));
        }
    }
}

fn settings_type(args: &ConnectorArgs, krate: &Path) -> Type {
    args.settings
        .clone()
        .unwrap_or_else(|| syn::parse_quote!(#krate::__private::NoSettings))
}

fn credentials_type(args: &ConnectorArgs, krate: &Path) -> Type {
    if !args.credentials.is_empty() {
        return syn::parse_quote!(#krate::__private::CredentialSet);
    }
    args.auth.clone().unwrap_or_else(|| syn::parse_quote!(()))
}

fn metadata(args: &ConnectorArgs, krate: &Path) -> TokenStream {
    let app_id = &args.app_id;
    let version = match &args.version {
        Some(version) => quote!(#version),
        None => quote!(::core::env!("CARGO_PKG_VERSION")),
    };
    let optional = [
        ("name", &args.name),
        ("description", &args.description),
        ("logo_url", &args.logo_url),
        ("app_vendor_domain", &args.app_vendor_domain),
    ]
    .into_iter()
    .filter_map(|(setter, value)| {
        let setter = syn::Ident::new(setter, proc_macro2::Span::call_site());
        value.as_ref().map(|value| quote!(.#setter(#value)))
    });
    let categories = (!args.categories.is_empty()).then(|| {
        let categories = args.categories.iter().map(
            |category| quote_spanned!(category.span()=> #krate::__private::AppCategory::#category),
        );
        quote!(.categories(#krate::__private::vec![#(#categories),*]))
    });
    let resource_types = args
        .resource_types
        .as_ref()
        .map(|expr| quote!(.resource_types(#expr)));
    let credentials = (!args.credentials.is_empty()).then(|| {
        let specs = args.credentials.iter().map(|credential| {
            let (ty, id, description) = (&credential.ty, &credential.id, &credential.description);
            let optional = credential.optional.then(|| quote!(.optional()));
            quote_spanned!(ty.span()=> #krate::__private::CredentialSpec::new::<#ty>(#id, #description) #optional)
        });
        quote!(.credentials(#krate::__private::vec![#(#specs),*]))
    });
    let allowed = (!args.allowed_credentials.is_empty()).then(|| {
        let combinations = args
            .allowed_credentials
            .iter()
            .map(|ids| quote!(#krate::__private::vec![#(#ids),*]));
        quote!(.allowed_credentials(#krate::__private::vec![#(#combinations),*]))
    });
    let entitlement_types = args
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

/// One `.standard::<...>(handler)` (or `.list`, `.unauthenticated`, `.custom`) call.
fn registration(method: &Method, krate: &Path) -> Option<TokenStream> {
    let name = &method.name;
    let payload = method.payload.as_ref()?;
    let output = method.output.as_ref()?;
    let span = name.span();
    let call = |args: TokenStream| {
        if method.is_async {
            quote_spanned!(span=> #krate::__private::Box::pin(__connector.#name(#args)))
        } else {
            quote_spanned!(span=> #krate::__private::Box::pin(async move { __connector.#name(#args) }))
        }
    };
    let register = match &method.role {
        Role::Skip => return None,
        Role::Standard(standard) => {
            let marker = syn::Ident::new(standard.marker, span);
            let marker = quote!(#krate::__private::caps::#marker);
            match standard.kind {
                Kind::List => {
                    let call = call(quote!(__cx, __request, __page));
                    let builder =
                        quote_spanned!(payload.span()=> list::<#marker, #payload, #output, _>);
                    let page_size = method
                        .page_size
                        .as_ref()
                        .map(|size| quote!(.default_page_size(#size)));
                    quote!(.#builder(|__connector, __cx, __request, __page| #call) #page_size)
                }
                Kind::Unauthenticated => {
                    let call = call(quote!(__cx, __request));
                    let builder = quote_spanned!(payload.span()=> unauthenticated::<#marker, #payload, #output, _>);
                    quote!(.#builder(|__connector, __cx, __request| #call))
                }
                Kind::Single | Kind::Generated | Kind::Forbidden => {
                    let call = call(quote!(__cx, __request));
                    let builder =
                        quote_spanned!(payload.span()=> standard::<#marker, #payload, #output, _>);
                    quote!(.#builder(|__connector, __cx, __request| #call))
                }
            }
        }
        Role::Custom(level) => {
            let call = call(quote!(__cx, __request));
            let level = match level {
                Level::Read => quote!(Read),
                Level::Write => quote!(Write),
                Level::Validation => quote!(Validation),
            };
            let name_text = name.to_string();
            let response = output;
            quote!(.custom::<#payload, #response, _, _>(#name_text, #krate::__private::CapabilityLevel::#level, |__connector, __cx, __request| #call))
        }
    };
    let display_name = method
        .display_name
        .as_ref()
        .map(|display| quote!(.display_name(#display)));
    let description = method
        .description
        .as_ref()
        .map(|description| quote!(.description(#description)));
    Some(quote!(#register #display_name #description))
}
