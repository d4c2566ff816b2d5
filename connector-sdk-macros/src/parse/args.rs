//! The arguments of `#[connector(...)]` on the impl block: `key = value` pairs (and
//! `oauth(...)` lists), each key looked up in the key table, its value kept as written.

use proc_macro2::TokenStream;
use syn::parse::{Parse, ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{Expr, Ident, Token};

use crate::keys::{ConnectorKey, Key, Unknown};

/// One `key = value` pair.
pub(crate) struct Arg {
    /// The key, or why it is in no table.
    pub(crate) key: Result<ConnectorKey, Unknown>,
    /// The key as written, for spans.
    pub(crate) ident: Ident,
    pub(crate) value: Expr,
}

impl Parse for Arg {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let ident = if input.peek(Token![crate]) {
            let token: Token![crate] = input.parse()?;
            Ident::new("crate", token.span)
        } else {
            input.call(syn::ext::IdentExt::parse_any)?
        };
        // `oauth(...)`: a list of its own, kept as a call expression.
        if input.peek(syn::token::Paren) {
            let content;
            let paren = syn::parenthesized!(content in input);
            let args = Punctuated::<Expr, Token![,]>::parse_terminated(&content)?;
            let func = Expr::Path(syn::ExprPath {
                attrs: Vec::new(),
                qself: None,
                path: ident.clone().into(),
            });
            return Ok(Arg {
                key: ConnectorKey::lookup(&ident),
                ident,
                value: Expr::Call(syn::ExprCall {
                    attrs: Vec::new(),
                    func: Box::new(func),
                    paren_token: paren,
                    args,
                }),
            });
        }
        if !input.peek(Token![=]) {
            return Err(syn::Error::new(
                ident.span(),
                format!("expected `{ident} = ...`"),
            ));
        }
        input.parse::<Token![=]>()?;
        let value: Expr = input.parse()?;
        Ok(Arg {
            key: ConnectorKey::lookup(&ident),
            ident,
            value,
        })
    }
}

/// The pairs, in order.
pub(super) fn parse(tokens: TokenStream) -> syn::Result<Vec<Arg>> {
    Punctuated::<Arg, Token![,]>::parse_terminated
        .parse2(tokens)
        .map(|args| args.into_iter().collect())
}
