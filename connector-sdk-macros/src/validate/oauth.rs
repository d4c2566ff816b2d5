//! Validate stage for `oauth(...)`: its keys read and checked against each other (a
//! client-credentials flow has no authorization URL, a code flow needs one), the
//! credential type it goes with checked to be an OAuth one, and its scope keys checked
//! against the capabilities a connector can have.

use syn::{Expr, ExprCall, Ident, LitStr, Path};

use super::attr::string;
use crate::catalogue::{self, did_you_mean};
use crate::errors::Errors;
use crate::model::{Capability, Kind, OAuthDecl};

/// The keys of `oauth(...)`, in the order messages list them.
const KEYS: &[&str] = &[
    "authorization_url",
    "token_url",
    "scopes",
    "pkce",
    "client_auth",
    "token_request",
    "flow",
    "capabilities",
];

/// The credential types an OAuth declaration goes with.
const OAUTH_TYPES: &[&str] = &["OAuthCredential", "OAuthClientCredential"];

/// Reads `oauth(...)` of the credential `credential_id` (`None`: the attribute's own).
pub(crate) fn oauth(
    call: &ExprCall,
    credential_id: Option<LitStr>,
    errors: &mut Errors,
) -> Option<OAuthDecl> {
    let mut authorization_url = None;
    let mut token_url = None;
    let mut scopes = Vec::new();
    let mut pkce = false;
    let mut flow = choice("flow", "code", &["code", "client_credentials"], call);
    let mut client_auth = choice("client_auth", "body", &["body", "basic"], call);
    let mut token_request = choice(
        "token_request",
        "post_form",
        &["post_form", "post_json", "get_query"],
        call,
    );
    let mut capabilities = Vec::new();
    let mut ok = true;
    for arg in &call.args {
        let (key, value, list) = match arg {
            Expr::Assign(assign) => (ident_of(&assign.left), Some(&*assign.right), None),
            Expr::Call(inner) => (ident_of(&inner.func), None, Some(inner)),
            other => (None, Some(other), None),
        };
        let Some(key) = key else {
            errors.at(
                arg,
                format!(
                    "expected `key = value` or `scopes(...)`, with a key among: {}",
                    KEYS.join(", ")
                ),
            );
            ok = false;
            continue;
        };
        match (key.to_string().as_str(), value, list) {
            ("authorization_url", Some(value), None) => authorization_url = url(value, errors),
            ("token_url", Some(value), None) => token_url = url(value, errors),
            ("pkce", Some(value), None) => pkce = boolean(value, "pkce", errors),
            ("flow", Some(value), None) => flow = pick(value, &flow, errors),
            ("client_auth", Some(value), None) => client_auth = pick(value, &client_auth, errors),
            ("token_request", Some(value), None) => {
                token_request = pick(value, &token_request, errors)
            }
            ("scopes", None, Some(list)) => {
                scopes = pairs(list, errors, |value, errors| {
                    string(value, "a scope", errors)
                })
            }
            ("capabilities", None, Some(list)) => {
                capabilities = pairs(list, errors, |value, errors| {
                    Some(boolean(value, "a capability", errors))
                });
                for (name, _) in &capabilities {
                    if !matches!(
                        name.to_string().as_str(),
                        "get_authorization_url"
                            | "handle_authorization_callback"
                            | "handle_client_credentials_request"
                            | "refresh_access_token"
                    ) {
                        errors.at(name, format!("`{name}` is not an OAuth capability; expected one of: get_authorization_url, handle_authorization_callback, handle_client_credentials_request, refresh_access_token"));
                    }
                }
            }
            (name @ ("scopes" | "capabilities"), _, _) => {
                errors.at(
                    &key,
                    format!("`{name}` takes a list: `{name}(list_accounts = ...)`"),
                );
            }
            (name, _, _) if KEYS.contains(&name) => {
                errors.at(&key, format!("expected `{name} = ...`"))
            }
            (name, _, _) => {
                let message = match did_you_mean(name, KEYS.iter().copied()) {
                    Some(close) => format!("unknown OAuth key `{name}`; did you mean `{close}`?"),
                    None => format!(
                        "unknown OAuth key `{name}`; expected one of: {}",
                        KEYS.join(", ")
                    ),
                };
                errors.at(&key, message);
            }
        }
    }
    let Some(token_url) = token_url else {
        errors.at(&call.func, "`oauth(...)` needs a `token_url`");
        return None;
    };
    let flow = flow.variant;
    match (flow == "ClientCredentials", &authorization_url) {
        (true, Some(url)) => errors.at(url, "a client-credentials flow has no authorization URL: remove `authorization_url` or use `flow = code`"),
        (false, None) => errors.at(&call.func, "the code flow needs an `authorization_url` (or `flow = client_credentials`)"),
        _ => {}
    }
    ok.then_some(OAuthDecl {
        credential_id,
        authorization_url,
        token_url,
        scopes,
        pkce,
        flow,
        client_auth: client_auth.variant,
        token_request: token_request.variant,
        capabilities,
    })
}

/// The scope keys against the capabilities a connector can have: the protocol's and its
/// own custom ones.
pub(crate) fn check_scopes(decls: &[OAuthDecl], capabilities: &[Capability], errors: &mut Errors) {
    let custom: Vec<String> = capabilities
        .iter()
        .filter(|capability| matches!(capability.kind, Kind::Custom { .. }))
        .map(|capability| capability.name.to_string())
        .collect();
    for (name, _) in decls.iter().flat_map(|decl| &decl.scopes) {
        let text = name.to_string();
        if catalogue::lookup(&text).is_some() || custom.contains(&text) {
            continue;
        }
        let candidates = catalogue::names()
            .map(|name| -> &str { name })
            .chain(custom.iter().map(String::as_str));
        let message = match did_you_mean(&text, candidates) {
            Some(close) => format!(
                "`{text}` is neither a protocol capability nor a custom one of this connector; did you mean `{close}`?"
            ),
            None => format!(
                "`{text}` is neither a protocol capability nor a custom one of this connector"
            ),
        };
        errors.at(name, message);
    }
}

/// One of a key's choices, and the runtime variant it names.
struct Choice {
    key: &'static str,
    options: &'static [&'static str],
    variant: Ident,
}

fn choice(
    key: &'static str,
    default: &str,
    options: &'static [&'static str],
    call: &ExprCall,
) -> Choice {
    Choice {
        key,
        options,
        variant: variant(default, syn::spanned::Spanned::span(&call.func)),
    }
}

fn pick(value: &Expr, current: &Choice, errors: &mut Errors) -> Choice {
    let found =
        ident_of(value).filter(|ident| current.options.contains(&ident.to_string().as_str()));
    let variant = match found {
        Some(ident) => variant(&ident.to_string(), ident.span()),
        None => {
            errors.at(
                value,
                format!(
                    "`{}` is one of: {}",
                    current.key,
                    current.options.join(", ")
                ),
            );
            current.variant.clone()
        }
    };
    Choice {
        key: current.key,
        options: current.options,
        variant,
    }
}

/// `post_form` → `PostForm`.
fn variant(option: &str, span: proc_macro2::Span) -> Ident {
    let camel: String = option
        .split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect();
    Ident::new(&camel, span)
}

fn ident_of(expr: &Expr) -> Option<Ident> {
    match expr {
        Expr::Path(path) => path.path.get_ident().cloned(),
        _ => None,
    }
}

/// A URL: a string literal, or the path of a function of the settings.
fn url(value: &Expr, errors: &mut Errors) -> Option<Expr> {
    match value {
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(_),
            ..
        })
        | Expr::Path(_) => Some(value.clone()),
        other => {
            errors.at(
                other,
                "a URL is a string literal or the path of a `fn(&Settings) -> String`",
            );
            None
        }
    }
}

fn boolean(value: &Expr, what: &str, errors: &mut Errors) -> bool {
    match value {
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Bool(lit),
            ..
        }) => lit.value,
        other => {
            errors.at(other, format!("{what} takes `true` or `false`"));
            false
        }
    }
}

/// `name = value, ...` of a list such as `scopes(...)`.
fn pairs<T>(
    list: &ExprCall,
    errors: &mut Errors,
    read: impl Fn(&Expr, &mut Errors) -> Option<T>,
) -> Vec<(Ident, T)> {
    let mut out = Vec::new();
    for arg in &list.args {
        let Expr::Assign(assign) = arg else {
            errors.at(arg, "expected `capability_name = ...`");
            continue;
        };
        let Some(name) = ident_of(&assign.left) else {
            errors.at(&assign.left, "expected a capability name");
            continue;
        };
        if out.iter().any(|(seen, _): &(Ident, T)| *seen == name) {
            errors.at(&name, format!("`{name}` is given twice"));
            continue;
        }
        if let Some(value) = read(&assign.right, errors) {
            out.push((name, value));
        }
    }
    out
}

/// Whether `path` names an OAuth credential type (for `credentials = [...]`).
pub(crate) fn is_oauth_type(path: &Path) -> bool {
    path.segments
        .last()
        .is_some_and(|segment| OAUTH_TYPES.contains(&segment.ident.to_string().as_str()))
}
