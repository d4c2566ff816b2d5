//! The arguments of `#[connector(...)]` on the impl block.

use proc_macro2::Span;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Expr, Ident, LitStr, Path, Token, Type};

use crate::catalogue::did_you_mean;
use crate::errors::Errors;

/// Every key `#[connector(...)]` takes.
pub const KEYS: &[&str] = &[
    "app_id",
    "name",
    "description",
    "logo_url",
    "app_vendor_domain",
    "categories",
    "version",
    "auth",
    "credentials",
    "settings",
    "resource_types",
    "entitlement_types",
    "crate",
];

/// One `key = value` pair, before its value is interpreted.
pub struct RawArg {
    pub key: Ident,
    pub value: Expr,
}

impl Parse for RawArg {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let key = if input.peek(Token![crate]) {
            let token: Token![crate] = input.parse()?;
            Ident::new("crate", token.span)
        } else {
            input.call(syn::ext::IdentExt::parse_any)?
        };
        if !input.peek(Token![=]) {
            return Err(syn::Error::new(
                key.span(),
                format!("expected `{key} = ...`"),
            ));
        }
        input.parse::<Token![=]>()?;
        let value: Expr = input.parse()?;
        Ok(RawArg { key, value })
    }
}

/// The parsed arguments.
pub struct ConnectorArgs {
    pub app_id: Option<LitStr>,
    pub name: Option<LitStr>,
    pub description: Option<LitStr>,
    pub logo_url: Option<LitStr>,
    pub app_vendor_domain: Option<LitStr>,
    pub version: Option<LitStr>,
    pub categories: Vec<Path>,
    pub auth: Option<Type>,
    pub credentials: Option<Expr>,
    pub settings: Option<Type>,
    pub resource_types: Option<Expr>,
    pub entitlement_types: Option<Expr>,
    pub krate: Option<Path>,
}

impl ConnectorArgs {
    /// Interprets the raw pairs; every mistake goes into `errors`.
    pub fn from_raw(raw: Punctuated<RawArg, Token![,]>, errors: &mut Errors) -> ConnectorArgs {
        let mut args = ConnectorArgs {
            app_id: None,
            name: None,
            description: None,
            logo_url: None,
            app_vendor_domain: None,
            version: None,
            categories: Vec::new(),
            auth: None,
            credentials: None,
            settings: None,
            resource_types: None,
            entitlement_types: None,
            krate: None,
        };
        let mut seen: Vec<String> = Vec::new();
        for RawArg { key, value } in raw {
            let name = key.to_string();
            if seen.contains(&name) {
                errors.at(&key, format!("`{name}` is given twice"));
                continue;
            }
            seen.push(name.clone());
            match name.as_str() {
                "app_id" => {
                    if let Some(lit) = string(&value, &name, errors) {
                        if lit.value().trim().is_empty() {
                            errors.at(&lit, "`app_id` must not be empty");
                        }
                        args.app_id = Some(lit);
                    }
                }
                "name" => args.name = string(&value, &name, errors),
                "description" => args.description = string(&value, &name, errors),
                "logo_url" => args.logo_url = string(&value, &name, errors),
                "app_vendor_domain" => args.app_vendor_domain = string(&value, &name, errors),
                "version" => args.version = string(&value, &name, errors),
                "categories" => match &value {
                    Expr::Array(array) => {
                        for element in &array.elems {
                            match element {
                                Expr::Path(path) => args.categories.push(path.path.clone()),
                                other => {
                                    errors.at(other, "expected a category such as `Developers`")
                                }
                            }
                        }
                    }
                    other => errors.at(
                        other,
                        "expected a list of categories: `categories = [Developers, ItAndSecurity]`",
                    ),
                },
                "auth" => args.auth = ty(&value, &name, errors),
                "settings" => args.settings = ty(&value, &name, errors),
                "credentials" => args.credentials = Some(value),
                "resource_types" => args.resource_types = Some(value),
                "entitlement_types" => args.entitlement_types = Some(value),
                "crate" => match &value {
                    Expr::Path(path) => args.krate = Some(path.path.clone()),
                    Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(lit),
                        ..
                    }) => match lit.parse::<Path>() {
                        Ok(path) => args.krate = Some(path),
                        Err(_) => errors.at(lit, "expected a path such as `::connector_sdk`"),
                    },
                    other => errors.at(other, "expected a path such as `::connector_sdk`"),
                },
                _ => {
                    let message = match did_you_mean(&name, KEYS.iter().copied()) {
                        Some(key_name) => {
                            format!("unknown key `{name}`; did you mean `{key_name}`?")
                        }
                        None => {
                            format!("unknown key `{name}`; expected one of: {}", KEYS.join(", "))
                        }
                    };
                    errors.at(&key, message);
                }
            }
        }
        if args.auth.is_some() && args.credentials.is_some() {
            errors.push(syn::Error::new(
                Span::call_site(),
                "give either `auth` (one credential type) or `credentials` (several), not both",
            ));
        }
        args
    }
}

fn string(value: &Expr, key: &str, errors: &mut Errors) -> Option<LitStr> {
    match value {
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(lit),
            ..
        }) => Some(lit.clone()),
        other => {
            errors.at(other, format!("`{key}` takes a string literal"));
            None
        }
    }
}

fn ty(value: &Expr, key: &str, errors: &mut Errors) -> Option<Type> {
    match value {
        Expr::Path(path) => Some(Type::Path(syn::TypePath {
            attrs: Vec::new(),
            qself: path.qself.clone(),
            path: path.path.clone(),
        })),
        Expr::Tuple(tuple) if tuple.elems.is_empty() => Some(syn::parse_quote!(())),
        other => {
            errors.at(
                other,
                format!("`{key}` takes a type, such as `TokenCredential`"),
            );
            None
        }
    }
}
