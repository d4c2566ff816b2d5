//! One method of the impl block: the method as written, and its `#[connector(...)]`
//! attributes as keys of the key table with their values.

use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Expr, Ident, ImplItemFn, Token};

use crate::keys::{Key, MethodKey};

/// A method and its helper attributes.
pub(crate) struct MethodInput {
    /// The method as written, attributes included.
    pub(crate) item: ImplItemFn,
    /// Its `#[connector(...)]` keys in order, each with a value exactly when it takes one,
    /// or the mistake found in its place.
    pub(crate) args: Vec<syn::Result<MethodArg>>,
}

/// `skip`, or `key = value`.
pub(crate) struct MethodArg {
    pub(crate) key: MethodKey,
    /// `None` for a flag.
    pub(crate) value: Option<Expr>,
}

struct RawMethodArg {
    key: Ident,
    value: Option<Expr>,
}

impl Parse for RawMethodArg {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let key: Ident = input.call(syn::ext::IdentExt::parse_any)?;
        let value = if input.peek(Token![=]) {
            input.parse::<Token![=]>()?;
            Some(input.parse()?)
        } else {
            None
        };
        Ok(RawMethodArg { key, value })
    }
}

/// Whether an attribute is ours.
pub(super) fn is_connector_attr(attr: &syn::Attribute) -> bool {
    attr.path().is_ident("connector")
}

/// Reads the method's helper attributes.
pub(super) fn parse(item: &ImplItemFn) -> MethodInput {
    let mut args = Vec::new();
    for attr in item.attrs.iter().filter(|attr| is_connector_attr(attr)) {
        match attr.parse_args_with(Punctuated::<RawMethodArg, Token![,]>::parse_terminated) {
            Ok(raw) => args.extend(raw.into_iter().map(arg)),
            Err(err) => args.push(Err(err)),
        }
    }
    MethodInput {
        item: item.clone(),
        args,
    }
}

fn arg(RawMethodArg { key: ident, value }: RawMethodArg) -> syn::Result<MethodArg> {
    let key = MethodKey::lookup(&ident).map_err(|unknown| unknown.error)?;
    match (key.is_flag(), value) {
        (true, Some(value)) => Err(syn::Error::new_spanned(
            value,
            format!("`{ident}` takes no value"),
        )),
        (false, None) => Err(syn::Error::new(
            ident.span(),
            format!("`{ident}` needs a value: `{ident} = ...`"),
        )),
        (_, value) => Ok(MethodArg { key, value }),
    }
}
