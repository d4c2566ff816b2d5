//! Validate stage: the parsed AST into the [`Connector`] model, or, with every mistake
//! collected, into what an invalid input still expands to.

pub(crate) mod attr;
mod method;
mod oauth;
mod signature;

#[cfg(test)]
pub(crate) use method::doc_of;

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::ImplItem;

use crate::errors::Errors;
use crate::model::{Connector, Invalid, StandIn};
use crate::parse::{ImplInput, Input, Item};

/// Checks everything, reporting every mistake at once.
pub(crate) fn validate(input: Input) -> Result<Connector, Invalid> {
    let mut errors = Errors::default();
    let draft = attr::validate(input.args, &mut errors);
    let ImplInput { item, methods } = match input.item {
        Item::Impl(item) => *item,
        Item::Other(tokens) => return Err(not_an_impl(tokens, &draft, errors)),
    };
    if let Some((trait_path, _)) = &item.trait_ {
        errors.at(
            trait_path,
            "#[connector] goes on an inherent `impl` block, not on a trait implementation",
        );
    }
    if !item.generics.params.is_empty() {
        errors.at(
            &item.generics,
            "a connector type cannot be generic: #[connector] needs one concrete type",
        );
    }
    let mut capabilities = Vec::new();
    let mut methods = methods.iter();
    // A trait impl's methods are the trait's: checking them as capabilities would only
    // repeat the error above.
    let items = if item.trait_.is_some() {
        &[][..]
    } else {
        &item.items[..]
    };
    for impl_item in items {
        match impl_item {
            ImplItem::Fn(_) => {
                if let Some(capability) = methods
                    .next()
                    .and_then(|method| method::validate(method, &mut errors))
                {
                    capabilities.push(capability);
                }
            }
            ImplItem::Macro(mac) => errors.at(
                mac,
                "macros cannot expand to capabilities inside a #[connector] impl; move this to another impl block",
            ),
            _ => {}
        }
    }
    oauth::check_scopes(&draft.oauth, &capabilities, &mut errors);
    let stand_in = StandIn {
        self_ty: (*item.self_ty).clone(),
        krate: draft.krate(),
        settings: draft.settings(),
        credentials: draft.credentials(),
    };
    match (errors.into_error(), draft.finish()) {
        (None, Some(attr)) => Ok(Connector {
            item,
            attr,
            capabilities,
        }),
        (error, _) => {
            // `#[connector] impl Connector for T` already is the trait's implementation: a
            // stand-in would conflict with it.
            let implements_connector = item.trait_.as_ref().is_some_and(|(path, _)| {
                path.segments
                    .last()
                    .is_some_and(|segment| segment.ident == "Connector")
            });
            Err(Invalid {
                item: item.into_token_stream(),
                // An attribute without `app_id` has had its error recorded above; this
                // message only keeps that a fact of the types too.
                error: error.unwrap_or_else(|| {
                    syn::Error::new(proc_macro2::Span::call_site(), "missing `app_id`")
                }),
                stand_in: (!implements_connector).then(|| Box::new(stand_in)),
            })
        }
    }
}

/// `#[connector]` on something other than an impl block: the error at its keyword and
/// name (after the attribute's own errors, if any).
fn not_an_impl(item: TokenStream, draft: &attr::Draft, errors: Errors) -> Invalid {
    const SHAPE: &str = "#[connector(app_id = \"...\")] impl";
    let (at, message, self_ty) = match syn::parse2::<syn::Item>(item.clone()) {
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
                .map(ToTokens::into_token_stream)
                .unwrap_or_default(),
            format!(
                "#[connector] goes on an inherent `impl` block: `{SHAPE} MyConnector {{ ... }}`"
            ),
            None,
        ),
    };
    let error = if at.is_empty() {
        syn::Error::new(proc_macro2::Span::call_site(), message)
    } else {
        syn::Error::new_spanned(at, message)
    };
    Invalid {
        item,
        error: errors.ending_with(error),
        // A struct or enum of its own is a connector type put in the wrong place: a
        // stand-in keeps the code that uses it quiet.
        stand_in: self_ty.map(|self_ty| {
            Box::new(StandIn {
                self_ty,
                krate: draft.krate(),
                settings: draft.settings(),
                credentials: draft.credentials(),
            })
        }),
    }
}

/// `Name<T, 'a, N>`: the type a struct or enum declares.
fn self_type(ident: &syn::Ident, generics: &syn::Generics) -> syn::Type {
    let (_, ty_generics, _) = generics.split_for_impl();
    syn::parse_quote!(#ident #ty_generics)
}
