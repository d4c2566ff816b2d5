//! The methods of a `#[connector]` impl: which capability each one is, its helper
//! attributes, and the types of its signature, checked for shape.

use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, FnArg, Ident, ImplItemFn, LitInt, LitStr, ReturnType, Token, Type};

use crate::catalogue::{self, Kind, RESERVED, STANDARD, Standard};
use crate::errors::Errors;

/// What a method is.
pub enum Role {
    /// A standard capability.
    Standard(&'static Standard),
    /// A custom capability at this level.
    Custom(Level),
    /// A helper left out of the connector (`#[connector(skip)]`).
    Skip,
}

/// A custom capability's level.
#[derive(Clone, Copy)]
pub enum Level {
    Read,
    Write,
    Validation,
}

/// One capability method, checked.
pub struct Method {
    pub name: Ident,
    pub role: Role,
    pub is_async: bool,
    pub display_name: Option<LitStr>,
    pub description: Option<String>,
    pub page_size: Option<LitInt>,
    pub payload: Option<Type>,
    pub output: Option<Type>,
    /// The method's `#[cfg(...)]` attributes: its registration is compiled under them too.
    pub cfgs: Vec<syn::Attribute>,
    /// Where each argument after `&self` (context, payload, page) is declared: a mismatch
    /// between what the runtime passes and what the method takes is reported there.
    pub arg_spans: Vec<Span2>,
}

/// `skip`, `custom`, `level = read`, `display_name = "..."`, `description = "..."`, `page_size = 10`.
struct MethodArg {
    key: Ident,
    value: Option<Expr>,
}

impl Parse for MethodArg {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let key: Ident = input.call(syn::ext::IdentExt::parse_any)?;
        let value = if input.peek(Token![=]) {
            input.parse::<Token![=]>()?;
            Some(input.parse()?)
        } else {
            None
        };
        Ok(MethodArg { key, value })
    }
}

const METHOD_KEYS: &[&str] = &[
    "skip",
    "custom",
    "level",
    "display_name",
    "description",
    "page_size",
];

/// Whether an attribute is ours.
pub fn is_connector_attr(attr: &syn::Attribute) -> bool {
    attr.path().is_ident("connector")
}

/// The doc comment of an item, lines trimmed and joined.
pub fn doc_of(attrs: &[syn::Attribute]) -> Option<String> {
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

/// Reads and checks one method. `None` when it is so broken that nothing can be generated.
pub fn read(item: &ImplItemFn, errors: &mut Errors) -> Option<Method> {
    let name = item.sig.ident.clone();
    let name_text = name.to_string();
    let mut skip = false;
    let mut custom = false;
    let mut level: Option<(Level, Span2)> = None;
    let mut display_name = None;
    let mut description = None;
    let mut page_size = None;
    for attr in item.attrs.iter().filter(|attr| is_connector_attr(attr)) {
        let args = match attr.parse_args_with(Punctuated::<MethodArg, Token![,]>::parse_terminated)
        {
            Ok(args) => args,
            Err(err) => {
                errors.push(err);
                continue;
            }
        };
        for MethodArg { key, value } in args {
            match (key.to_string().as_str(), value) {
                ("skip", None) => skip = true,
                ("custom", None) => custom = true,
                ("level", Some(value)) => match level_of(&value) {
                    Some(parsed) => level = Some((parsed, value.span())),
                    None => errors.at(&value, "expected `read`, `write` or `validation`"),
                },
                ("display_name", Some(value)) => display_name = lit_str(&value, errors),
                ("description", Some(value)) => {
                    description = lit_str(&value, errors).map(|lit| lit.value())
                }
                ("page_size", Some(value)) => match &value {
                    Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Int(lit),
                        ..
                    }) if lit.base10_parse::<u32>().is_ok_and(|n| n > 0) => {
                        page_size = Some(lit.clone());
                    }
                    other => errors.at(other, "`page_size` takes a positive whole number"),
                },
                ("skip" | "custom", Some(value)) => {
                    errors.at(&value, format!("`{key}` takes no value"))
                }
                ("level" | "display_name" | "description" | "page_size", None) => {
                    errors.at(&key, format!("`{key}` needs a value: `{key} = ...`"));
                }
                (other, _) => {
                    let message = match catalogue::did_you_mean(other, METHOD_KEYS.iter().copied())
                    {
                        Some(close) => format!("unknown key `{other}`; did you mean `{close}`?"),
                        None => format!(
                            "unknown key `{other}`; expected one of: {}",
                            METHOD_KEYS.join(", ")
                        ),
                    };
                    errors.at(&key, message);
                }
            }
        }
    }
    if skip {
        return Some(Method {
            name,
            role: Role::Skip,
            is_async: false,
            display_name: None,
            description: None,
            page_size: None,
            payload: None,
            output: None,
            cfgs: Vec::new(),
            arg_spans: Vec::new(),
        });
    }

    let standard = catalogue::lookup(&name_text);
    let role = if custom {
        if let Some(standard) = standard {
            errors.at(
                &name,
                format!(
                    "`{}` is a standard capability: remove `custom` to implement it as one",
                    standard.name
                ),
            );
            return None;
        }
        if RESERVED.contains(&name_text.as_str()) {
            errors.at(&name, format!("`{name_text}` is a word the connector's command line reserves; choose another name"));
            return None;
        }
        if !valid_custom_name(&name_text) {
            errors.at(
                &name,
                format!("custom capability names use lowercase letters and single underscores only, like `count_accounts`; `{name_text}` does not"),
            );
            return None;
        }
        Role::Custom(level.map_or(Level::Write, |(level, _)| level))
    } else {
        if let Some((_, span)) = level {
            errors.push(syn::Error::new(
                span,
                "`level` applies to custom capabilities only",
            ));
        }
        match standard {
            Some(standard) if standard.kind == Kind::Forbidden => {
                errors.at(
                    &name,
                    format!(
                        "`{name_text}` cannot be a capability: the protocol gives it no signature{}\nhelp: mark it `#[connector(skip)]` (or move it to another impl block) if it is a helper",
                        if name_text == "info" { " (the SDK answers `info` from the connector's description)" } else { "" }
                    ),
                );
                return None;
            }
            Some(standard) if standard.kind == Kind::Generated => {
                errors.at(&name, format!("`{name_text}` is generated by the SDK for every connector; remove this method"));
                return None;
            }
            Some(standard) => Role::Standard(standard),
            None => {
                let message = match catalogue::did_you_mean(
                    &name_text,
                    STANDARD
                        .iter()
                        .filter(|s| !matches!(s.kind, Kind::Forbidden | Kind::Generated))
                        .map(|s| s.name),
                ) {
                    Some(close) => format!(
                        "`{name_text}` is not a standard capability; did you mean `{close}`?\nhelp: mark it `#[connector(custom)]` to make it a custom capability, or `#[connector(skip)]` (or move it to another impl block) if it is a helper"
                    ),
                    None => format!(
                        "`{name_text}` is not a standard capability\nhelp: mark it `#[connector(custom)]` to make it a custom capability, or `#[connector(skip)]` (or move it to another impl block) if it is a helper"
                    ),
                };
                errors.at(&name, message);
                return None;
            }
        }
    };

    if let Some(lit) = &page_size
        && !matches!(
            role,
            Role::Standard(Standard {
                kind: Kind::List,
                ..
            })
        )
    {
        errors.at(lit, "`page_size` applies to list capabilities only");
    }

    let signature_ok = check_signature(item, &role, errors);
    let (payload, output) = if signature_ok {
        types_of(item)
    } else {
        (None, None)
    };
    if !signature_ok {
        return None;
    }
    let output = match (&role, output) {
        (Role::Custom(_), Some(ret)) => match custom_response(&ret) {
            Some(response) => Some(response),
            None => {
                errors.at(&ret, "a custom capability returns `Result<T>` or `Result<Reply<T>>`, where `T` is its response type");
                return None;
            }
        },
        (_, output) => output,
    };
    Some(Method {
        name,
        role,
        is_async: item.sig.asyncness.is_some(),
        display_name,
        description: description.or_else(|| doc_of(&item.attrs)),
        page_size,
        payload,
        output,
        cfgs: item
            .attrs
            .iter()
            .filter(|attr| attr.path().is_ident("cfg"))
            .cloned()
            .collect(),
        arg_spans: item
            .sig
            .inputs
            .iter()
            .skip(1)
            .map(|arg| match arg {
                FnArg::Typed(pat) => type_span(&pat.ty),
                FnArg::Receiver(receiver) => receiver.span(),
            })
            .collect(),
    })
}

/// The token that names a type: `ContextOf` in `&ContextOf<Self>`, `PageRequest` in
/// `PageRequest<Cursor>`. One token, as a span on stable covers one.
fn type_span(ty: &Type) -> Span2 {
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

type Span2 = proc_macro2::Span;

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

/// Checks receiver, arity, generics and the return type. True when the shape is right.
fn check_signature(item: &ImplItemFn, role: &Role, errors: &mut Errors) -> bool {
    let sig = &item.sig;
    let mut ok = true;
    let (expected, shape) = match role {
        Role::Standard(Standard {
            kind: Kind::List, ..
        }) => (
            3,
            "`(&self, cx: &ContextOf<Self>, request: <Payload>, page: PageRequest<Cursor>)`",
        ),
        Role::Standard(Standard {
            kind: Kind::Unauthenticated,
            ..
        }) => (
            2,
            "`(&self, cx: &UnauthenticatedContextOf<Self>, request: <Payload>)`",
        ),
        _ => (2, "`(&self, cx: &ContextOf<Self>, request: <Payload>)`"),
    };
    if !sig.generics.params.is_empty() {
        errors.at(&sig.generics, "capability methods cannot be generic");
        ok = false;
    }
    match sig.inputs.first() {
        Some(FnArg::Receiver(receiver)) => {
            let shared_reference =
                matches!(&receiver.kind, syn::ReceiverKind::Reference(_, _, None))
                    && receiver.mutability.is_none();
            if !shared_reference {
                errors.at(receiver, format!("a capability takes `&self`: the connector is shared by every call\nexpected {shape}"));
                ok = false;
            }
        }
        first => {
            // Where `&self` belongs: at the first argument, or in the empty parentheses.
            let message = format!("a capability takes `&self` first\nexpected {shape}");
            match first {
                Some(first) => errors.at(first, message),
                None => errors.push(syn::Error::new(sig.paren_token.span.join(), message)),
            }
            return false;
        }
    }
    let arguments = sig.inputs.len() - 1;
    let is_list = matches!(
        role,
        Role::Standard(Standard {
            kind: Kind::List,
            ..
        })
    );
    if arguments > expected {
        // Every argument too many, from the first to the last.
        let extra = sig.inputs.iter().skip(expected + 1);
        errors.at(
            quote::quote!(#(#extra),*),
            format!("`{}` takes {expected} arguments after `&self`, found {arguments}\nexpected {shape}", sig.ident),
        );
        ok = false;
    } else if arguments < expected {
        let message = if is_list && arguments == expected - 1 {
            format!(
                "`{}` is a list capability: it also takes the page to fetch, `page: PageRequest<Cursor>`, after the request\nexpected {shape}",
                sig.ident
            )
        } else {
            format!(
                "`{}` takes {expected} arguments after `&self`, found {arguments}\nexpected {shape}",
                sig.ident
            )
        };
        errors.push(syn::Error::new(sig.paren_token.span.close(), message));
        ok = false;
    }
    if let ReturnType::Default = sig.output {
        errors.push(syn::Error::new(
            sig.paren_token.span.close(),
            format!("`{}` must return `Result<...>`", sig.ident),
        ));
        ok = false;
    }
    ok
}

/// The payload type (second argument) and the return type.
fn types_of(item: &ImplItemFn) -> (Option<Type>, Option<Type>) {
    let payload = match item.sig.inputs.iter().nth(2) {
        Some(FnArg::Typed(pat)) => Some((*pat.ty).clone()),
        _ => None,
    };
    let output = match &item.sig.output {
        ReturnType::Type(_, ty) => Some((**ty).clone()),
        ReturnType::Default => None,
    };
    (payload, output)
}

/// `Result<T>` or `Result<Reply<T>>` → `T`.
fn custom_response(ret: &Type) -> Option<Type> {
    let first = first_generic(ret)?;
    if let Type::Path(path) = &first
        && path
            .path
            .segments
            .last()
            .is_some_and(|seg| seg.ident == "Reply")
    {
        return first_generic(&first);
    }
    Some(first)
}

fn first_generic(ty: &Type) -> Option<Type> {
    let Type::Path(path) = ty else { return None };
    let segment = path.path.segments.last()?;
    let syn::PathArguments::AngleBracketed(args) = &segment.arguments else {
        return None;
    };
    args.args.iter().find_map(|arg| match arg {
        syn::GenericArgument::Type(ty) => Some(ty.clone()),
        _ => None,
    })
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

    #[test]
    fn custom_response_types_are_read_from_the_return_type() {
        let ty: Type = syn::parse_quote!(Result<Reply<Count>>);
        assert_eq!(quote::quote!(#ty).to_string(), "Result < Reply < Count > >");
        let inner = custom_response(&ty).unwrap();
        assert_eq!(quote::quote!(#inner).to_string(), "Count");
        let plain: Type = syn::parse_quote!(connector_sdk::Result<Count>);
        let inner = custom_response(&plain).unwrap();
        assert_eq!(quote::quote!(#inner).to_string(), "Count");
    }
}
