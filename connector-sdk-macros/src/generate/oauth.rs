//! Generate stage for `oauth(...)`: the body of `Connector::oauth()`, one
//! `OAuthSettings` value per declaration for the runtime's flows.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Expr, Path, Type};

use crate::model::OAuthDecl;

/// `fn oauth()`, or nothing when the connector declares no OAuth.
pub(super) fn oauth(decls: &[OAuthDecl], krate: &Path, settings: &Type) -> Option<TokenStream> {
    if decls.is_empty() {
        return None;
    }
    let p = quote!(#krate::__private::oauth);
    let configs = decls.iter().map(|decl| {
        let endpoint = |expr: &Expr| match expr {
            Expr::Lit(_) => quote!(#p::Endpoint::Fixed(#expr)),
            _ => quote!(#p::Endpoint::Computed(#expr)),
        };
        let authorization_url = match &decl.authorization_url {
            Some(url) => {
                let url = endpoint(url);
                quote!(::core::option::Option::Some(#url))
            }
            None => quote!(::core::option::Option::None),
        };
        let token_url = endpoint(&decl.token_url);
        let scopes = decl.scopes.iter().map(|(name, scopes)| {
            let name = name.to_string();
            quote!((#name, #scopes))
        });
        let (flow, client_auth, token_request, pkce) = (
            &decl.flow,
            &decl.client_auth,
            &decl.token_request,
            decl.pkce,
        );
        let capabilities = decl
            .capabilities
            .iter()
            .map(|(name, on)| quote!(#name: #on,));
        let settings = quote! {
            #p::OAuthSettings {
                authorization_url: #authorization_url,
                token_url: #token_url,
                scopes: #krate::__private::vec![#(#scopes),*],
                flow: #p::Flow::#flow,
                client_auth: #p::ClientAuth::#client_auth,
                token_request: #p::TokenRequest::#token_request,
                pkce: #pkce,
                capabilities: #p::OAuthCapabilities {
                    #(#capabilities)*
                    ..::core::default::Default::default()
                },
            }
        };
        match &decl.credential_id {
            Some(id) => quote!(.credential(#id, #settings)),
            // The attribute's own declaration: the connector's only one.
            None => quote!(.single(#settings)),
        }
    });
    let start = quote!(#p::OAuth::<#settings>);
    Some(quote! {
        fn oauth() -> #p::OAuth<#settings> {
            #start::none() #(#configs)*
        }
    })
}
