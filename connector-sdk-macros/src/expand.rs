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
    let args =
        match syn::parse::Parser::parse2(Punctuated::<RawArg, Token![,]>::parse_terminated, args) {
            Ok(raw) => ConnectorArgs::from_raw(raw, &mut errors),
            Err(err) => {
                errors.push(err);
                // Defaults, without the errors of an empty attribute ("missing `app_id`"):
                // the syntax error above is the one to fix.
                ConnectorArgs::from_raw(Punctuated::new(), &mut Errors::default())
            }
        };
    let krate = args
        .krate
        .clone()
        .unwrap_or_else(|| syn::parse_quote!(::connector_sdk));
    let mut item_impl: ItemImpl = match syn::parse2(item.clone()) {
        Ok(item_impl) => item_impl,
        Err(_) => return not_an_impl(item, &args, &krate, errors),
    };
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
    // A trait impl's methods are the trait's: checking them as capabilities would only
    // repeat the error above.
    let items = if item_impl.trait_.is_some() {
        &[][..]
    } else {
        &item_impl.items[..]
    };
    for impl_item in items {
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
    let self_ty = &item_impl.self_ty;
    let settings = settings_type(&args, &krate);
    let credentials = credentials_type(&args, &krate);

    if let Some(error) = errors.into_error() {
        let error = error.into_compile_error();
        // `#[connector] impl Connector for T` already is the trait's implementation: a
        // stand-in would conflict with it.
        let implements_connector = item_impl.trait_.as_ref().is_some_and(|(path, _)| {
            path.segments
                .last()
                .is_some_and(|segment| segment.ident == "Connector")
        });
        let stand_in =
            (!implements_connector).then(|| stand_in(self_ty, &settings, &credentials, &krate));
        return quote! {
            #item_impl
            #error
            #stand_in
        };
    }

    let metadata = metadata(&args, &krate);
    let capabilities = capabilities(&methods, &krate);
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
                #capabilities
            }
        }
    }
}

/// The body of `capabilities()`: one chain of registrations, or, when a method is
/// compiled only under a `#[cfg]`, one `let` per registration carrying the method's cfgs.
fn capabilities(methods: &[Method], krate: &Path) -> TokenStream {
    let new = quote!(#krate::__private::Capabilities::<Self>::new());
    if methods.iter().all(|method| method.cfgs.is_empty()) {
        let registrations = methods
            .iter()
            .filter_map(|method| registration(method, krate));
        return quote!(#new #(#registrations)*);
    }
    let registrations = methods.iter().filter_map(|method| {
        let registration = registration(method, krate)?;
        let cfgs = &method.cfgs;
        Some(quote! {
            #(#cfgs)*
            let __capabilities = __capabilities #registration;
        })
    });
    quote! {
        let __capabilities = #new;
        #(#registrations)*
        __capabilities
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
fn stand_in(self_ty: &Type, settings: &Type, credentials: &Type, krate: &Path) -> TokenStream {
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

/// `#[connector]` on something other than an impl block: the item, unchanged, and the error
/// at its keyword and name (with the attribute's own errors, if any).
fn not_an_impl(
    item: TokenStream,
    args: &ConnectorArgs,
    krate: &Path,
    mut errors: Errors,
) -> TokenStream {
    const SHAPE: &str = "#[connector(app_id = \"...\")] impl";
    let (at, message, type_item) = match syn::parse2::<syn::Item>(item.clone()) {
        Ok(syn::Item::Struct(item)) => {
            let (keyword, ident) = (&item.struct_token, &item.ident);
            (
                quote!(#keyword #ident),
                format!(
                    "#[connector] goes on the inherent `impl` block that holds the capabilities, not on the struct: `{SHAPE} {ident} {{ ... }}`"
                ),
                Some(self_type(ident, &item.generics)),
            )
        }
        Ok(syn::Item::Enum(item)) => {
            let (keyword, ident) = (&item.enum_token, &item.ident);
            (
                quote!(#keyword #ident),
                format!(
                    "#[connector] goes on the inherent `impl` block that holds the capabilities, not on the enum: `{SHAPE} {ident} {{ ... }}`"
                ),
                Some(self_type(ident, &item.generics)),
            )
        }
        Ok(syn::Item::Fn(item)) => {
            let (keyword, ident) = (&item.sig.fn_token, &item.sig.ident);
            (
                quote!(#keyword #ident),
                format!(
                    "#[connector] goes on an inherent `impl` block, not on a function: `{SHAPE} MyConnector {{ fn {ident}(&self, ...) ... }}`"
                ),
                None,
            )
        }
        _ => (
            item.clone()
                .into_iter()
                .next()
                .map(quote::ToTokens::into_token_stream)
                .unwrap_or_default(),
            format!(
                "#[connector] goes on an inherent `impl` block: `{SHAPE} MyConnector {{ ... }}`"
            ),
            None,
        ),
    };
    if at.is_empty() {
        errors.push(syn::Error::new(proc_macro2::Span::call_site(), message));
    } else {
        errors.at(at, message);
    }
    let error = errors
        .into_error()
        .map(syn::Error::into_compile_error)
        .unwrap_or_default();
    // A struct or enum of its own is a connector type put in the wrong place: a stand-in
    // keeps the code that uses it quiet.
    let stand_in = type_item.map(|self_ty| {
        stand_in(
            &self_ty,
            &settings_type(args, krate),
            &credentials_type(args, krate),
            krate,
        )
    });
    quote!(#item #error #stand_in)
}

/// `tokens`, every one of them at `span`.
fn respan(tokens: TokenStream, span: proc_macro2::Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut token| {
            if let proc_macro2::TokenTree::Group(group) = &token {
                let mut inner =
                    proc_macro2::Group::new(group.delimiter(), respan(group.stream(), span));
                inner.set_span(span);
                token = proc_macro2::TokenTree::Group(inner);
            }
            token.set_span(span);
            token
        })
        .collect()
}

/// `Name<T, 'a, N>`: the type a struct or enum declares.
fn self_type(ident: &syn::Ident, generics: &syn::Generics) -> Type {
    let (_, ty_generics, _) = generics.split_for_impl();
    syn::parse_quote!(#ident #ty_generics)
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
    // The arguments are spanned where the method declares them: "expected
    // `PageRequest<u32>`, found `PageRequest<String>`" then points at the user's parameter.
    let args = ["__cx", "__request", "__page"]
        .into_iter()
        .enumerate()
        .map(|(index, arg)| {
            let at = method.arg_spans.get(index).copied().unwrap_or(span);
            syn::Ident::new(arg, at)
        })
        .collect::<Vec<_>>();
    let (cx, request) = (&args[0], &args[1]);
    // The whole boxing expression carries the method's span, the crate path included: a
    // future that is not `Send` is then reported at the method, not at the attribute.
    let boxed = respan(quote!(#krate::__private::Box::pin), span);
    let call = |args: TokenStream| {
        if method.is_async {
            quote_spanned!(span=> #boxed(__connector.#name(#args)))
        } else {
            quote_spanned!(span=> #boxed(async move { __connector.#name(#args) }))
        }
    };
    // rustc reports an unmet bound of a builder's explicit type argument (a payload that is
    // not the capability's, a return type that is not its response) at that argument, the
    // user's own type, with "required by a bound introduced by this call" at the builder's
    // name: at the method's name, that label reads as "registering this method". A list's
    // return type is checked while normalizing `O::Cursor`, which rustc reports at the
    // builder's name only: there, the name carries the return type's span.
    let register = match &method.role {
        Role::Skip => return None,
        Role::Standard(standard) => {
            let marker = syn::Ident::new(standard.marker, span);
            let marker = quote!(#krate::__private::caps::#marker);
            match standard.kind {
                Kind::List => {
                    let page = &args[2];
                    let call = call(quote!(#cx, #request, #page));
                    let builder =
                        quote_spanned!(output.span()=> list::<#marker, #payload, #output, _>);
                    let page_size = method
                        .page_size
                        .as_ref()
                        .map(|size| quote!(.default_page_size(#size)));
                    quote!(.#builder(|__connector, __cx, __request, __page| #call) #page_size)
                }
                Kind::Unauthenticated => {
                    let call = call(quote!(#cx, #request));
                    let builder =
                        quote_spanned!(span=> unauthenticated::<#marker, #payload, #output, _>);
                    quote!(.#builder(|__connector, __cx, __request| #call))
                }
                Kind::Single | Kind::Generated | Kind::Forbidden => {
                    let call = call(quote!(#cx, #request));
                    let builder = quote_spanned!(span=> standard::<#marker, #payload, #output, _>);
                    quote!(.#builder(|__connector, __cx, __request| #call))
                }
            }
        }
        Role::Custom(level) => {
            let call = call(quote!(#cx, #request));
            let level = match level {
                Level::Read => quote!(Read),
                Level::Write => quote!(Write),
                Level::Validation => quote!(Validation),
            };
            let name_text = name.to_string();
            let response = output;
            let builder = quote_spanned!(span=> custom::<#payload, #response, _, _>);
            quote!(.#builder(#name_text, #krate::__private::CapabilityLevel::#level, |__connector, __cx, __request| #call))
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
