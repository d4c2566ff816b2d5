//! The pipeline: parse the attribute and the item into an AST, validate it into the model
//! (collecting every error), generate the code from the model.

use proc_macro2::TokenStream;

/// Expands `#[connector(args)] item`.
pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let input = crate::parse::parse(args, item);
    let connector = crate::validate::validate(input);
    crate::generate::generate(connector)
}
