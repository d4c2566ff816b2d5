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
    "allowed_credentials",
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
    pub credentials: Vec<CredentialArg>,
    pub allowed_credentials: Vec<Vec<LitStr>>,
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
            credentials: Vec::new(),
            allowed_credentials: Vec::new(),
            settings: None,
            resource_types: None,
            entitlement_types: None,
            krate: None,
        };
        let mut seen: Vec<String> = Vec::new();
        let mut app_id_misspelt = false;
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
                "credentials" => args.credentials = credentials(&value, errors),
                "allowed_credentials" => args.allowed_credentials = allowed(&value, errors),
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
                            // `app_idd = "..."` is the app_id, misspelt: that error is
                            // enough, "missing `app_id`" would repeat it.
                            if key_name == "app_id" {
                                app_id_misspelt = true;
                            }
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
        // A missing app_id is the attribute's fault as a whole; when the key is there with
        // a bad value, or misspelt, that key's own error says it all.
        if args.app_id.is_none() && !seen.iter().any(|key| key == "app_id") && !app_id_misspelt {
            errors.push(syn::Error::new(
                Span::call_site(),
                "missing `app_id`: `#[connector(app_id = \"my_app\", ...)]`",
            ));
        }
        let ids: Vec<String> = args
            .credentials
            .iter()
            .map(|credential| credential.id.value())
            .collect();
        for (index, credential) in args.credentials.iter().enumerate() {
            if ids[..index].contains(&credential.id.value()) {
                errors.at(
                    &credential.id,
                    format!(
                        "credential id `{}` is declared twice",
                        credential.id.value()
                    ),
                );
            }
        }
        for id in args.allowed_credentials.iter().flatten() {
            if !ids.contains(&id.value()) {
                let message = match did_you_mean(&id.value(), ids.iter().map(String::as_str)) {
                    Some(close) => format!(
                        "`{}` is not a declared credential id; did you mean `{close}`?",
                        id.value()
                    ),
                    None => format!("`{}` is not a declared credential id", id.value()),
                };
                errors.at(id, message);
            }
        }
        if !args.allowed_credentials.is_empty() && args.credentials.is_empty() {
            errors.push(syn::Error::new(
                Span::call_site(),
                "`allowed_credentials` needs `credentials = [...]`",
            ));
        }
        if args.auth.is_some() && !args.credentials.is_empty() {
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

/// One credential of `credentials = [TokenCredential(id = "api", description = "...", optional), ...]`.
pub struct CredentialArg {
    pub ty: Path,
    pub id: LitStr,
    pub description: LitStr,
    pub optional: bool,
}

fn credentials(value: &Expr, errors: &mut Errors) -> Vec<CredentialArg> {
    const SHAPE: &str = "expected `CredentialType(id = \"...\", description = \"...\")`, optionally with `optional`";
    let Expr::Array(array) = value else {
        errors.at(value, format!("`credentials` takes a list: [{SHAPE}, ...]"));
        return Vec::new();
    };
    let mut out = Vec::new();
    for element in &array.elems {
        let Expr::Call(call) = element else {
            errors.at(element, SHAPE);
            continue;
        };
        let Expr::Path(ty) = &*call.func else {
            errors.at(&call.func, SHAPE);
            continue;
        };
        let (mut id, mut description, mut optional) = (None, None, false);
        for arg in &call.args {
            match arg {
                Expr::Assign(assign) => {
                    let key = match &*assign.left {
                        Expr::Path(path) => path.path.get_ident().map(ToString::to_string),
                        _ => None,
                    };
                    match key.as_deref() {
                        Some("id") => id = string(&assign.right, "id", errors),
                        Some("description") => {
                            description = string(&assign.right, "description", errors)
                        }
                        _ => errors.at(&assign.left, "expected `id`, `description` or `optional`"),
                    }
                }
                Expr::Path(path) if path.path.is_ident("optional") => optional = true,
                other => errors.at(
                    other,
                    "expected `id = \"...\"`, `description = \"...\"` or `optional`",
                ),
            }
        }
        match (id, description) {
            (Some(id), Some(description)) => {
                if id.value().trim().is_empty() {
                    errors.at(&id, "a credential id must not be empty");
                }
                out.push(CredentialArg {
                    ty: ty.path.clone(),
                    id,
                    description,
                    optional,
                });
            }
            (None, _) => errors.at(call, "this credential needs an `id = \"...\"`"),
            (_, None) => errors.at(call, "this credential needs a `description = \"...\"`"),
        }
    }
    out
}

fn allowed(value: &Expr, errors: &mut Errors) -> Vec<Vec<LitStr>> {
    const SHAPE: &str =
        "`allowed_credentials` takes a list of id lists: [[\"api\"], [\"api\", \"admin\"]]";
    let Expr::Array(outer) = value else {
        errors.at(value, SHAPE);
        return Vec::new();
    };
    let mut out = Vec::new();
    for combination in &outer.elems {
        let Expr::Array(inner) = combination else {
            errors.at(combination, SHAPE);
            continue;
        };
        out.push(
            inner
                .elems
                .iter()
                .filter_map(|id| string(id, "allowed_credentials", errors))
                .collect(),
        );
    }
    out
}
