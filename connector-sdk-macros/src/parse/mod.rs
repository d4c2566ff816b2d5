//! Parse stage: the attribute's tokens and the annotated item into an AST that keeps every
//! token (and so every span) the later stages report errors at. Keys are looked up in the
//! key table here; what their values mean is the validate stage's.

mod args;
mod method;

pub(crate) use args::Arg;
pub(crate) use method::{MethodArg, MethodInput};

use proc_macro2::TokenStream;
use syn::{ImplItem, ItemImpl};

/// `#[connector(args)] item`, parsed.
pub(crate) struct Input {
    /// The attribute's `key = value` pairs in order, or its syntax error.
    pub(crate) args: syn::Result<Vec<Arg>>,
    /// What the attribute is on.
    pub(crate) item: Item,
}

/// What the attribute is on.
pub(crate) enum Item {
    /// An `impl` block, the only right place.
    Impl(Box<ImplInput>),
    /// Anything else, unchanged.
    Other(TokenStream),
}

/// An `impl` block and its methods.
pub(crate) struct ImplInput {
    /// The block as the user wrote it, minus the methods' `#[connector(...)]` attributes:
    /// what the expansion re-emits.
    pub(crate) item: ItemImpl,
    /// Its methods, with their `#[connector(...)]` attributes parsed.
    pub(crate) methods: Vec<MethodInput>,
}

/// Parses `#[connector(args)] item`. Its mistakes are kept in the AST, where they were
/// found, so that the validate stage reports every one in source order.
pub(crate) fn parse(args: TokenStream, item: TokenStream) -> Input {
    let args = args::parse(args);
    let item = match syn::parse2::<ItemImpl>(item.clone()) {
        Ok(item_impl) => Item::Impl(Box::new(parse_impl(item_impl))),
        Err(_) => Item::Other(item),
    };
    Input { args, item }
}

fn parse_impl(mut item: ItemImpl) -> ImplInput {
    // A trait impl's methods are the trait's: they are not capabilities to read.
    let methods = if item.trait_.is_some() {
        Vec::new()
    } else {
        item.items
            .iter()
            .filter_map(|impl_item| match impl_item {
                ImplItem::Fn(function) => Some(method::parse(function)),
                _ => None,
            })
            .collect()
    };
    for impl_item in &mut item.items {
        if let ImplItem::Fn(function) = impl_item {
            function
                .attrs
                .retain(|attr| !method::is_connector_attr(attr));
        }
    }
    ImplInput { item, methods }
}
