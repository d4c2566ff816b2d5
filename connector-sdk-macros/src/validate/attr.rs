//! Validate stage for `#[connector(...)]` on the impl block: each key's value read and
//! checked, then the keys checked against each other.

use proc_macro2::Span;
use syn::{Expr, LitStr, Path, Type};

use super::oauth;
use crate::catalogue::did_you_mean;
use crate::errors::Errors;
use crate::keys::{ConnectorKey, Key};
use crate::model::{Attr, Credential, Metadata, OAuthDecl};
use crate::parse::Arg;

/// What the attribute's keys say; `app_id` is optional until checked.
#[derive(Default)]
pub(crate) struct Draft {
    pub(crate) app_id: Option<LitStr>,
    name: Option<LitStr>,
    description: Option<LitStr>,
    logo_url: Option<LitStr>,
    app_vendor_domain: Option<LitStr>,
    version: Option<LitStr>,
    categories: Vec<Path>,
    auth: Option<Type>,
    credentials: Vec<Credential>,
    allowed_credentials: Vec<Vec<LitStr>>,
    settings: Option<Type>,
    resource_types: Option<Expr>,
    entitlement_types: Option<Expr>,
    krate: Option<Path>,
    /// `oauth(...)` of the attribute and of the credentials, in order.
    pub(crate) oauth: Vec<OAuthDecl>,
}

impl Draft {
    /// The runtime's path: `::connector_sdk` unless `crate = ...`.
    pub(crate) fn krate(&self) -> Path {
        self.krate
            .clone()
            .unwrap_or_else(|| syn::parse_quote!(::connector_sdk))
    }

    /// `Connector::Settings`.
    pub(crate) fn settings(&self) -> Type {
        let krate = self.krate();
        self.settings
            .clone()
            .unwrap_or_else(|| syn::parse_quote!(#krate::__private::NoSettings))
    }

    /// `Connector::Credentials`.
    pub(crate) fn credentials(&self) -> Type {
        let krate = self.krate();
        if !self.credentials.is_empty() {
            return syn::parse_quote!(#krate::__private::CredentialSet);
        }
        self.auth.clone().unwrap_or_else(|| syn::parse_quote!(()))
    }

    /// The checked attribute, when it has an `app_id`.
    pub(crate) fn finish(self) -> Option<Attr> {
        let (krate, settings, credentials) = (self.krate(), self.settings(), self.credentials());
        Some(Attr {
            krate,
            settings,
            credentials,
            metadata: Metadata {
                app_id: self.app_id?,
                version: self.version,
                name: self.name,
                description: self.description,
                logo_url: self.logo_url,
                app_vendor_domain: self.app_vendor_domain,
                categories: self.categories,
                resource_types: self.resource_types,
                entitlement_types: self.entitlement_types,
                credentials: self.credentials,
                allowed_credentials: self.allowed_credentials,
            },
            oauth: self.oauth,
        })
    }
}

/// Reads the pairs; every mistake goes into `errors`. `args` is `Err` when the attribute
/// does not parse: that syntax error is the one to fix, so nothing else is reported.
pub(crate) fn validate(args: syn::Result<Vec<Arg>>, errors: &mut Errors) -> Draft {
    let mut draft = Draft::default();
    let args = match args {
        Ok(args) => args,
        Err(err) => {
            errors.push(err);
            return draft;
        }
    };
    let mut seen: Vec<ConnectorKey> = Vec::new();
    // `app_id` given with a bad value, or misspelt: that key's own error says it all.
    let mut app_id_mentioned = false;
    // Where the attribute's own `oauth(...)` is, for "not an OAuth credential type".
    let mut oauth_at = None;
    for Arg { key, ident, value } in args {
        let key = match key {
            Ok(key) => key,
            Err(unknown) => {
                app_id_mentioned |= unknown.close == Some(ConnectorKey::AppId.as_str());
                errors.push(unknown.error);
                continue;
            }
        };
        if seen.contains(&key) {
            errors.at(&ident, format!("`{ident}` is given twice"));
            continue;
        }
        seen.push(key);
        let name = key.as_str();
        match key {
            ConnectorKey::AppId => {
                app_id_mentioned = true;
                if let Some(lit) = string(&value, name, errors) {
                    if lit.value().trim().is_empty() {
                        errors.at(&lit, "`app_id` must not be empty");
                    }
                    draft.app_id = Some(lit);
                }
            }
            ConnectorKey::Name => draft.name = string(&value, name, errors),
            ConnectorKey::Description => draft.description = string(&value, name, errors),
            ConnectorKey::LogoUrl => draft.logo_url = string(&value, name, errors),
            ConnectorKey::AppVendorDomain => draft.app_vendor_domain = string(&value, name, errors),
            ConnectorKey::Version => draft.version = string(&value, name, errors),
            ConnectorKey::Categories => draft.categories = categories(&value, errors),
            ConnectorKey::Auth => draft.auth = ty(&value, name, errors),
            ConnectorKey::Settings => draft.settings = ty(&value, name, errors),
            ConnectorKey::Credentials => {
                draft.credentials = credentials(&value, &mut draft.oauth, errors)
            }
            ConnectorKey::OAuth => match &value {
                Expr::Call(call) => {
                    oauth_at = Some(ident.clone());
                    draft.oauth.extend(oauth::oauth(call, None, errors));
                }
                other => errors.at(other, "expected `oauth(token_url = ..., ...)`"),
            },
            ConnectorKey::AllowedCredentials => draft.allowed_credentials = allowed(&value, errors),
            ConnectorKey::ResourceTypes => draft.resource_types = Some(value),
            ConnectorKey::EntitlementTypes => draft.entitlement_types = Some(value),
            ConnectorKey::Crate => draft.krate = krate(&value, errors),
        }
    }
    // A missing app_id is the attribute's fault as a whole.
    if !app_id_mentioned {
        errors.push(syn::Error::new(
            Span::call_site(),
            "missing `app_id`: `#[connector(app_id = \"my_app\", ...)]`",
        ));
    }
    check_credentials(&draft, errors);
    if let Some(at) = oauth_at {
        check_oauth_auth(&draft, &at, errors);
    }
    draft
}

/// The attribute's own `oauth(...)` goes with `auth = OAuthCredential` (or
/// `OAuthClientCredential`); a multi-credential connector declares it on the credential.
fn check_oauth_auth(draft: &Draft, at: &syn::Ident, errors: &mut Errors) {
    if !draft.credentials.is_empty() {
        errors.at(at, "a multi-credential connector declares `oauth(...)` on its OAuth credential: `OAuthCredential(id = \"...\", description = \"...\", oauth(...))`");
        return;
    }
    let path = match &draft.auth {
        Some(Type::Path(path)) => Some(&path.path),
        _ => None,
    };
    if !path.is_some_and(oauth::is_oauth_type) {
        let named = draft.auth.as_ref().map_or_else(
            || "no credentials".to_owned(),
            |ty| format!("`{}`", quote::quote!(#ty).to_string().replace(' ', "")),
        );
        errors.at(at, format!("`oauth(...)` needs `auth = OAuthCredential` or `auth = OAuthClientCredential`; this connector has {named}"));
    }
}

/// The credential keys against each other: ids unique, combinations of declared ids,
/// `auth` or `credentials` but not both.
fn check_credentials(draft: &Draft, errors: &mut Errors) {
    let ids: Vec<String> = draft
        .credentials
        .iter()
        .map(|credential| credential.id.value())
        .collect();
    for (index, credential) in draft.credentials.iter().enumerate() {
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
    for id in draft.allowed_credentials.iter().flatten() {
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
    if !draft.allowed_credentials.is_empty() && draft.credentials.is_empty() {
        errors.push(syn::Error::new(
            Span::call_site(),
            "`allowed_credentials` needs `credentials = [...]`",
        ));
    }
    if draft.auth.is_some() && !draft.credentials.is_empty() {
        errors.push(syn::Error::new(
            Span::call_site(),
            "give either `auth` (one credential type) or `credentials` (several), not both",
        ));
    }
}

pub(super) fn string(value: &Expr, key: &str, errors: &mut Errors) -> Option<LitStr> {
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

fn krate(value: &Expr, errors: &mut Errors) -> Option<Path> {
    match value {
        Expr::Path(path) => return Some(path.path.clone()),
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(lit),
            ..
        }) => {
            if let Ok(path) = lit.parse::<Path>() {
                return Some(path);
            }
        }
        _ => {}
    }
    errors.at(value, "expected a path such as `::connector_sdk`");
    None
}

fn categories(value: &Expr, errors: &mut Errors) -> Vec<Path> {
    let Expr::Array(array) = value else {
        errors.at(
            value,
            "expected a list of categories: `categories = [Developers, ItAndSecurity]`",
        );
        return Vec::new();
    };
    let mut out = Vec::new();
    for element in &array.elems {
        match element {
            Expr::Path(path) => out.push(path.path.clone()),
            other => errors.at(other, "expected a category such as `Developers`"),
        }
    }
    out
}

fn credentials(value: &Expr, decls: &mut Vec<OAuthDecl>, errors: &mut Errors) -> Vec<Credential> {
    const SHAPE: &str = "expected `CredentialType(id = \"...\", description = \"...\")`, optionally with `optional` and `oauth(...)`";
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
        let mut oauth_call = None;
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
                Expr::Call(inner) if matches!(&*inner.func, Expr::Path(path) if path.path.is_ident("oauth")) =>
                {
                    if !oauth::is_oauth_type(&ty.path) {
                        errors.at(&inner.func, format!("`oauth(...)` needs an OAuth credential type (`OAuthCredential` or `OAuthClientCredential`), not `{}`", quote::quote!(#ty).to_string().replace(' ', "")));
                    }
                    oauth_call = Some(inner);
                }
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
                if let Some(call) = oauth_call {
                    decls.extend(oauth::oauth(call, Some(id.clone()), errors));
                }
                out.push(Credential {
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
