//! Generate stage for the capability table: the body of `capabilities()`, one
//! registration call into the runtime per capability.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Ident, Path};

use crate::model::{Capability, Kind, Level};

/// The body of `capabilities()`: one chain of registrations, or, when a method is
/// compiled only under a `#[cfg]`, one `let` per registration carrying the method's cfgs.
pub(super) fn capabilities(capabilities: &[Capability], krate: &Path) -> TokenStream {
    let new = quote!(#krate::__private::Capabilities::<Self>::new());
    let response = capabilities
        .iter()
        .any(|capability| matches!(capability.kind, Kind::Custom { .. }))
        .then(|| custom_response(krate));
    if capabilities
        .iter()
        .all(|capability| capability.cfgs.is_empty())
    {
        let registrations = capabilities
            .iter()
            .map(|capability| registration(capability, krate));
        return quote!(#response #new #(#registrations)*);
    }
    let registrations = capabilities.iter().map(|capability| {
        let registration = registration(capability, krate);
        let cfgs = &capability.cfgs;
        quote! {
            #(#cfgs)*
            let __capabilities = __capabilities #registration;
        }
    });
    quote! {
        #response
        let __capabilities = #new;
        #(#registrations)*
        __capabilities
    }
}

/// The response type a custom capability's return type carries, as the compiler finds it:
/// `T` in `Result<T, E>` and in `Result<Reply<T>, E>`. A response is serializable and a
/// `Reply` is not, so exactly one form fits each return type, and `<R as
/// __ConnectorResponse<_>>::Response` names its `T`.
fn custom_response(krate: &Path) -> TokenStream {
    quote! {
        #[diagnostic::on_unimplemented(
            message = "`{Self}` is not what a custom capability returns",
            label = "expected `Result<T>` or `Result<Reply<T>>`, where `T` is the response type"
        )]
        trait __ConnectorResponse<Form> {
            type Response;
        }
        enum __Bare {}
        enum __Replied {}
        impl<T: ::serde::Serialize, E> __ConnectorResponse<__Bare> for ::core::result::Result<T, E> {
            type Response = T;
        }
        impl<T, E> __ConnectorResponse<__Replied> for ::core::result::Result<#krate::Reply<T>, E> {
            type Response = T;
        }
    }
}

/// One `.standard::<...>(handler)` (or `.list`, `.unauthenticated`, `.custom`) call.
fn registration(capability: &Capability, krate: &Path) -> TokenStream {
    let Capability {
        name,
        payload,
        output,
        ..
    } = capability;
    let span = name.span();
    // The arguments are spanned where the method declares them: "expected
    // `PageRequest<u32>`, found `PageRequest<String>`" then points at the user's parameter.
    let cx = Ident::new("__cx", capability.cx);
    let request = Ident::new("__request", capability.request);
    // The whole boxing expression carries the method's span, the crate path included: a
    // future that is not `Send` is then reported at the method, not at the attribute.
    let boxed = respan(quote!(#krate::__private::Box::pin), span);
    let call = |args: TokenStream| {
        if capability.is_async {
            quote_spanned!(span=> #boxed(__connector.#name(#args)))
        } else {
            quote_spanned!(span=> #boxed(async move { __connector.#name(#args) }))
        }
    };
    let marker = |marker: &str| {
        let marker = Ident::new(marker, span);
        quote!(#krate::__private::caps::#marker)
    };
    // rustc reports an unmet bound of a builder's explicit type argument (a payload that is
    // not the capability's, a return type that is not its response) at that argument, the
    // user's own type, with "required by a bound introduced by this call" at the builder's
    // name: at the method's name, that label reads as "registering this method". A list's
    // return type is checked while normalizing `O::Cursor`, which rustc reports at the
    // builder's name only: there, the name carries the return type's span.
    let register = match &capability.kind {
        Kind::List {
            marker: list,
            page,
            page_size,
        } => {
            let marker = marker(list);
            let page = Ident::new("__page", *page);
            let call = call(quote!(#cx, #request, #page));
            let builder = quote_spanned!(output.span()=> list::<#marker, #payload, #output, _>);
            let page_size = page_size
                .as_ref()
                .map(|size| quote!(.default_page_size(#size)));
            quote!(.#builder(|__connector, __cx, __request, __page| #call) #page_size)
        }
        Kind::Unauthenticated { marker: standard } => {
            let marker = marker(standard);
            let call = call(quote!(#cx, #request));
            let builder = quote_spanned!(span=> unauthenticated::<#marker, #payload, #output, _>);
            quote!(.#builder(|__connector, __cx, __request| #call))
        }
        Kind::Single { marker: standard } => {
            let marker = marker(standard);
            let call = call(quote!(#cx, #request));
            let builder = quote_spanned!(span=> standard::<#marker, #payload, #output, _>);
            quote!(.#builder(|__connector, __cx, __request| #call))
        }
        Kind::Custom { level } => {
            let call = call(quote!(#cx, #request));
            let level = match level {
                Level::Read => quote!(Read),
                Level::Write => quote!(Write),
                Level::Validation => quote!(Validation),
            };
            let name_text = name.to_string();
            let response =
                quote_spanned!(innermost(output)=> <#output as __ConnectorResponse<_>>::Response);
            let builder = quote_spanned!(span=> custom::<#payload, #response, _, _>);
            quote!(.#builder(#name_text, #krate::__private::CapabilityLevel::#level, |__connector, __cx, __request| #call))
        }
    };
    let display_name = capability
        .display_name
        .as_ref()
        .map(|display| quote!(.display_name(#display)));
    let description = capability
        .description
        .as_ref()
        .map(|description| quote!(.description(#description)));
    quote!(#register #display_name #description)
}

/// Where a custom capability's response type is reported: at the innermost type argument
/// (`Pong` in `Result<Pong>` and in `Result<Reply<Pong>>`), the likeliest place of a
/// response type that is not serializable. Only a span: the compiler decides what the
/// return type carries.
fn innermost(ty: &syn::Type) -> Span {
    let syn::Type::Path(path) = ty else {
        return ty.span();
    };
    let Some(segment) = path.path.segments.last() else {
        return ty.span();
    };
    let syn::PathArguments::AngleBracketed(args) = &segment.arguments else {
        return segment.ident.span();
    };
    args.args
        .iter()
        .find_map(|arg| match arg {
            syn::GenericArgument::Type(inner) => Some(innermost(inner)),
            _ => None,
        })
        .unwrap_or_else(|| segment.ident.span())
}

/// `tokens`, every one of them at `span`.
fn respan(tokens: TokenStream, span: Span) -> TokenStream {
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
