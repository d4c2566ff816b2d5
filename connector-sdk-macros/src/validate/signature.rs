//! Validate stage for a capability method's signature: receiver, arity, generics and a
//! return type, each mistake at its own tokens. The types themselves are the compiler's to
//! check, against the runtime's bounds.

use syn::{FnArg, ReturnType, Signature};

use crate::errors::Errors;

/// The parameters a capability takes, by how it is registered.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// `(&self, cx, request)`.
    Single,
    /// `(&self, cx, request)` with an unauthenticated context.
    Unauthenticated,
    /// `(&self, cx, request, page)`.
    List,
}

impl Shape {
    /// How many arguments follow `&self`, and how they read.
    fn expected(self) -> (usize, &'static str) {
        match self {
            Shape::List => (
                3,
                "`(&self, cx: &ContextOf<Self>, request: <Payload>, page: PageRequest<Cursor>)`",
            ),
            Shape::Unauthenticated => (
                2,
                "`(&self, cx: &UnauthenticatedContextOf<Self>, request: <Payload>)`",
            ),
            Shape::Single => (2, "`(&self, cx: &ContextOf<Self>, request: <Payload>)`"),
        }
    }
}

/// Checks receiver, arity, generics and the return type. True when the shape is right.
pub(crate) fn check(sig: &Signature, shape: Shape, errors: &mut Errors) -> bool {
    let mut ok = true;
    let (expected, written) = shape.expected();
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
                errors.at(receiver, format!("a capability takes `&self`: the connector is shared by every call\nexpected {written}"));
                ok = false;
            }
        }
        first => {
            // Where `&self` belongs: at the first argument, or in the empty parentheses.
            let message = format!("a capability takes `&self` first\nexpected {written}");
            match first {
                Some(first) => errors.at(first, message),
                None => errors.push(syn::Error::new(sig.paren_token.span.join(), message)),
            }
            return false;
        }
    }
    let arguments = sig.inputs.len() - 1;
    if arguments > expected {
        // Every argument too many, from the first to the last.
        let extra = sig.inputs.iter().skip(expected + 1);
        errors.at(
            quote::quote!(#(#extra),*),
            format!(
                "`{}` takes {expected} arguments after `&self`, found {arguments}\nexpected {written}",
                sig.ident
            ),
        );
        ok = false;
    } else if arguments < expected {
        let message = if shape == Shape::List && arguments == expected - 1 {
            format!(
                "`{}` is a list capability: it also takes the page to fetch, `page: PageRequest<Cursor>`, after the request\nexpected {written}",
                sig.ident
            )
        } else {
            format!(
                "`{}` takes {expected} arguments after `&self`, found {arguments}\nexpected {written}",
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
