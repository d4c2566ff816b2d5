//! The one table of `#[connector(...)]` keys, on the impl block and on its methods: the
//! parser reads keys through it and the "unknown key" messages list and suggest from it.

use syn::Ident;

use crate::catalogue::did_you_mean;

macro_rules! keys {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal,)* }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub(crate) enum $name {
            $($(#[$vdoc])* $variant,)*
        }

        impl Key for $name {
            fn all() -> &'static [Self] {
                &[$($name::$variant,)*]
            }

            fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)*
                }
            }
        }
    };
}

keys! {
    /// A key of `#[connector(...)]` on the impl block.
    ConnectorKey {
        AppId = "app_id",
        Name = "name",
        Description = "description",
        LogoUrl = "logo_url",
        AppVendorDomain = "app_vendor_domain",
        Categories = "categories",
        Version = "version",
        Auth = "auth",
        Credentials = "credentials",
        AllowedCredentials = "allowed_credentials",
        Settings = "settings",
        ResourceTypes = "resource_types",
        EntitlementTypes = "entitlement_types",
        OAuth = "oauth",
        Crate = "crate",
    }
}

keys! {
    /// A key of `#[connector(...)]` on a method.
    MethodKey {
        Skip = "skip",
        Custom = "custom",
        Level = "level",
        DisplayName = "display_name",
        Description = "description",
        PageSize = "page_size",
    }
}

impl MethodKey {
    /// Whether the key is a flag (`skip`) rather than `key = value`.
    pub(crate) fn is_flag(self) -> bool {
        matches!(self, MethodKey::Skip | MethodKey::Custom)
    }
}

/// A key table: [`ConnectorKey`] or [`MethodKey`].
pub(crate) trait Key: Copy + 'static {
    /// Every key, in the order the messages list them.
    fn all() -> &'static [Self];
    /// The key as written.
    fn as_str(self) -> &'static str;

    /// The key `ident` names, or the error "unknown key", with the closest key or the
    /// whole list.
    fn lookup(ident: &Ident) -> Result<Self, Unknown> {
        let text = ident.to_string();
        if let Some(key) = Self::all().iter().find(|key| key.as_str() == text) {
            return Ok(*key);
        }
        let names = Self::all().iter().map(|key| key.as_str());
        let close = did_you_mean(&text, names.clone());
        let message = match close {
            Some(close) => format!("unknown key `{text}`; did you mean `{close}`?"),
            None => format!(
                "unknown key `{text}`; expected one of: {}",
                names.collect::<Vec<_>>().join(", ")
            ),
        };
        Err(Unknown {
            error: syn::Error::new(ident.span(), message),
            close,
        })
    }
}

/// A key that is in no table.
pub(crate) struct Unknown {
    /// "unknown key ..." at the key.
    pub(crate) error: syn::Error,
    /// The key it is closest to, when it looks like a typo of one.
    pub(crate) close: Option<&'static str>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_near_miss_is_suggested_and_a_far_one_lists_the_table() {
        let near = ConnectorKey::lookup(&syn::parse_quote!(app_idd))
            .err()
            .unwrap();
        assert_eq!(near.close, Some("app_id"));
        let far = MethodKey::lookup(&syn::parse_quote!(frobnicate))
            .err()
            .unwrap();
        assert_eq!(
            far.error.to_string(),
            "unknown key `frobnicate`; expected one of: skip, custom, level, display_name, description, page_size"
        );
    }
}
