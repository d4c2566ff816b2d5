//! Collects every error of one expansion, so one build reports them all.

/// An error sink: push errors as they are found, then `finish`.
#[derive(Default)]
pub(crate) struct Errors {
    combined: Option<syn::Error>,
}

impl Errors {
    /// Records an error.
    pub(crate) fn push(&mut self, error: syn::Error) {
        match &mut self.combined {
            Some(combined) => combined.combine(error),
            None => self.combined = Some(error),
        }
    }

    /// Records an error at `tokens`.
    pub(crate) fn at(&mut self, tokens: impl quote::ToTokens, message: impl std::fmt::Display) {
        self.push(syn::Error::new_spanned(tokens, message));
    }

    /// The combined error, if any.
    pub(crate) fn into_error(self) -> Option<syn::Error> {
        self.combined
    }

    /// Every error recorded, then `last`.
    pub(crate) fn ending_with(self, last: syn::Error) -> syn::Error {
        match self.combined {
            Some(mut combined) => {
                combined.combine(last);
                combined
            }
            None => last,
        }
    }
}
