//! Validate stage for one method: which capability it is (standard, custom, or a helper
//! left out), its helper keys' values, and its signature, into a [`Capability`].

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{Expr, FnArg, Ident, LitInt, LitStr, ReturnType, Type};

use crate::catalogue::{self, Kind as Catalogued, RESERVED, STANDARD, Standard};
use crate::errors::Errors;
use crate::keys::MethodKey;
use crate::model::{Capability, Kind, Level};
use crate::parse::{MethodArg, MethodInput};

use super::signature::{self, Shape};

/// What the method's `#[connector(...)]` keys say.
#[derive(Default)]
struct Keys {
    skip: bool,
    custom: bool,
    level: Option<(Level, Span)>,
    display_name: Option<LitStr>,
    description: Option<String>,
    page_size: Option<LitInt>,
}

/// The capability `method` is; `None` for a helper, or when it has mistakes (in `errors`).
pub(crate) fn validate(method: &MethodInput, errors: &mut Errors) -> Option<Capability> {
    let keys = keys(&method.args, errors);
    if keys.skip {
        return None;
    }
    let item = &method.item;
    let name = &item.sig.ident;
    let role = role(name, &keys, errors)?;
    let kind_has_pages =
        matches!(role, Role::Standard(standard) if standard.kind == Catalogued::List);
    if let Some(lit) = &keys.page_size
        && !kind_has_pages
    {
        errors.at(lit, "`page_size` applies to list capabilities only");
    }
    let shape = match role {
        Role::Standard(standard) if standard.kind == Catalogued::List => Shape::List,
        Role::Standard(standard) if standard.kind == Catalogued::Unauthenticated => {
            Shape::Unauthenticated
        }
        _ => Shape::Single,
    };
    if !signature::check(&item.sig, shape, errors) {
        return None;
    }
    let spans: Vec<Span> = item
        .sig
        .inputs
        .iter()
        .skip(1)
        .map(|arg| match arg {
            FnArg::Typed(pat) => type_span(&pat.ty),
            FnArg::Receiver(receiver) => receiver.span(),
        })
        .collect();
    let (Some(FnArg::Typed(payload)), ReturnType::Type(_, output)) =
        (item.sig.inputs.iter().nth(2), &item.sig.output)
    else {
        // `signature::check` accepted it: the receiver and a payload are there, and a return type.
        return None;
    };
    let kind = match role {
        Role::Standard(standard) => match standard.kind {
            Catalogued::List => Kind::List {
                marker: standard.marker,
                page: spans[2],
                page_size: keys.page_size,
            },
            Catalogued::Unauthenticated => Kind::Unauthenticated {
                marker: standard.marker,
            },
            _ => Kind::Single {
                marker: standard.marker,
            },
        },
        Role::Custom(level) => Kind::Custom { level },
    };
    Some(Capability {
        name: name.clone(),
        kind,
        payload: (*payload.ty).clone(),
        output: (**output).clone(),
        is_async: item.sig.asyncness.is_some(),
        cx: spans[0],
        request: spans[1],
        display_name: keys.display_name,
        description: keys.description.or_else(|| doc_of(&item.attrs)),
        cfgs: item
            .attrs
            .iter()
            .filter(|attr| attr.path().is_ident("cfg"))
            .cloned()
            .collect(),
    })
}

fn keys(args: &[syn::Result<MethodArg>], errors: &mut Errors) -> Keys {
    let mut keys = Keys::default();
    for arg in args {
        let MethodArg { key, value } = match arg {
            Ok(arg) => arg,
            Err(err) => {
                errors.push(err.clone());
                continue;
            }
        };
        match (key, value) {
            (MethodKey::Skip, _) => keys.skip = true,
            (MethodKey::Custom, _) => keys.custom = true,
            (_, None) => {}
            (MethodKey::Level, Some(value)) => match level_of(value) {
                Some(parsed) => keys.level = Some((parsed, value.span())),
                None => errors.at(value, "expected `read`, `write` or `validation`"),
            },
            (MethodKey::DisplayName, Some(value)) => keys.display_name = lit_str(value, errors),
            (MethodKey::Description, Some(value)) => {
                keys.description = lit_str(value, errors).map(|lit| lit.value())
            }
            (MethodKey::PageSize, Some(value)) => match value {
                Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Int(lit),
                    ..
                }) if lit.base10_parse::<u32>().is_ok_and(|n| n > 0) => {
                    keys.page_size = Some(lit.clone());
                }
                other => errors.at(other, "`page_size` takes a positive whole number"),
            },
        }
    }
    keys
}

/// A method's place in the connector.
#[derive(Clone, Copy)]
enum Role {
    Standard(&'static Standard),
    Custom(Level),
}

/// Resolves the method's name (and `custom`) to a role.
fn role(name: &Ident, keys: &Keys, errors: &mut Errors) -> Option<Role> {
    let name_text = name.to_string();
    let standard = catalogue::lookup(&name_text);
    if keys.custom {
        if let Some(standard) = standard {
            errors.at(
                name,
                format!(
                    "`{}` is a standard capability: remove `custom` to implement it as one",
                    standard.name
                ),
            );
            return None;
        }
        if RESERVED.contains(&name_text.as_str()) {
            errors.at(name, format!("`{name_text}` is a word the connector's command line reserves; choose another name"));
            return None;
        }
        if !valid_custom_name(&name_text) {
            errors.at(
                name,
                format!("custom capability names use lowercase letters and single underscores only, like `count_accounts`; `{name_text}` does not"),
            );
            return None;
        }
        return Some(Role::Custom(
            keys.level.map_or(Level::Write, |(level, _)| level),
        ));
    }
    if let Some((_, span)) = keys.level {
        errors.push(syn::Error::new(
            span,
            "`level` applies to custom capabilities only",
        ));
    }
    const HELPER: &str = "help: mark it `#[connector(custom)]` to make it a custom capability, or `#[connector(skip)]` (or move it to another impl block) if it is a helper";
    match standard {
        Some(standard) if standard.kind == Catalogued::Forbidden => {
            errors.at(
                name,
                format!(
                    "`{name_text}` cannot be a capability: the protocol gives it no signature{}\nhelp: mark it `#[connector(skip)]` (or move it to another impl block) if it is a helper",
                    if name_text == "info" { " (the SDK answers `info` from the connector's description)" } else { "" }
                ),
            );
            None
        }
        Some(standard) if standard.kind == Catalogued::Generated => {
            errors.at(
                name,
                format!(
                    "`{name_text}` is generated by the SDK for every connector; remove this method"
                ),
            );
            None
        }
        Some(standard) => Some(Role::Standard(standard)),
        None => {
            let writable = STANDARD
                .iter()
                .filter(|s| !matches!(s.kind, Catalogued::Forbidden | Catalogued::Generated))
                .map(|s| s.name);
            let message = match catalogue::did_you_mean(&name_text, writable) {
                Some(close) => format!(
                    "`{name_text}` is not a standard capability; did you mean `{close}`?\n{HELPER}"
                ),
                None => format!("`{name_text}` is not a standard capability\n{HELPER}"),
            };
            errors.at(name, message);
            None
        }
    }
}

/// The token that names a type: `ContextOf` in `&ContextOf<Self>`, `PageRequest` in
/// `PageRequest<Cursor>`. One token, as a span on stable covers one.
fn type_span(ty: &Type) -> Span {
    match ty {
        Type::Reference(reference) => type_span(&reference.elem),
        Type::Paren(paren) => type_span(&paren.elem),
        Type::Path(path) => path
            .path
            .segments
            .last()
            .map_or_else(|| ty.span(), |segment| segment.ident.span()),
        other => other.span(),
    }
}

fn level_of(value: &Expr) -> Option<Level> {
    let text = match value {
        Expr::Path(path) => path.path.get_ident()?.to_string(),
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(lit),
            ..
        }) => lit.value(),
        _ => return None,
    };
    match text.as_str() {
        "read" => Some(Level::Read),
        "write" => Some(Level::Write),
        "validation" => Some(Level::Validation),
        _ => None,
    }
}

fn lit_str(value: &Expr, errors: &mut Errors) -> Option<LitStr> {
    match value {
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(lit),
            ..
        }) => Some(lit.clone()),
        other => {
            errors.at(other, "expected a string literal");
            None
        }
    }
}

/// The reference's rule: snake case of lowercase letters.
fn valid_custom_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .split('_')
            .all(|word| !word.is_empty() && word.chars().all(|c| c.is_ascii_lowercase()))
}

/// The doc comment of an item, lines trimmed and joined.
pub(crate) fn doc_of(attrs: &[syn::Attribute]) -> Option<String> {
    let lines: Vec<String> = attrs
        .iter()
        .filter(|attr| attr.path().is_ident("doc"))
        .filter_map(|attr| match &attr.meta {
            syn::Meta::NameValue(syn::MetaNameValue {
                value:
                    Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(lit),
                        ..
                    }),
                ..
            }) => Some(lit.value().trim().to_owned()),
            _ => None,
        })
        .collect();
    let text = lines.join("\n").trim().to_owned();
    (!text.is_empty()).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_names_follow_the_reference_rule() {
        assert!(valid_custom_name("count_accounts"));
        assert!(!valid_custom_name("Count"));
        assert!(!valid_custom_name("count__accounts"));
        assert!(!valid_custom_name("count2"));
        assert!(!valid_custom_name("_count"));
    }
}
