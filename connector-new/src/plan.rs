//! What to scaffold: the names derived from the crate name, and the authentication.

use clap::ValueEnum;

/// How the scaffolded connector authenticates to the app.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum AuthChoice {
    /// A bearer token (`TokenCredential`).
    Token,
    /// HTTP Basic (`BasicCredential`).
    Basic,
    /// An OAuth access token (`OAuthCredential`), refreshed with `refresh_access_token`.
    Oauth,
    /// OAuth client credentials (`OAuthClientCredential`), a token obtained with
    /// `handle_client_credentials_request`.
    OauthClientCredentials,
}

impl AuthChoice {
    /// Every choice, for the tests that scaffold each.
    #[cfg(test)]
    pub(crate) const ALL: [AuthChoice; 4] = [
        AuthChoice::Token,
        AuthChoice::Basic,
        AuthChoice::Oauth,
        AuthChoice::OauthClientCredentials,
    ];

    /// The SDK's credential type.
    pub(crate) fn credential_type(self) -> &'static str {
        match self {
            AuthChoice::Token => "TokenCredential",
            AuthChoice::Basic => "BasicCredential",
            AuthChoice::Oauth => "OAuthCredential",
            AuthChoice::OauthClientCredentials => "OAuthClientCredential",
        }
    }

    /// The credential's key in an envelope (`"auth": {"<key>": {...}}`).
    pub(crate) fn wire_key(self) -> &'static str {
        match self {
            AuthChoice::Token => "token",
            AuthChoice::Basic => "basic",
            AuthChoice::Oauth => "oauth",
            AuthChoice::OauthClientCredentials => "oauth_client_credentials",
        }
    }

    /// The credential's id when declared in a list of credentials.
    pub(crate) fn credential_id(self) -> &'static str {
        match self {
            AuthChoice::Token => "api_token",
            AuthChoice::Basic => "login",
            AuthChoice::Oauth => "oauth",
            AuthChoice::OauthClientCredentials => "oauth_client",
        }
    }
}

/// A crate to scaffold.
#[derive(Clone, Debug)]
pub(crate) struct Plan {
    /// The package and binary name (`acme-hr`).
    pub(crate) crate_name: String,
    /// The library name (`acme_hr`), also the app id.
    pub(crate) lib_name: String,
    /// The connector type (`AcmeHr`).
    pub(crate) type_name: String,
    /// The display name (`Acme Hr`).
    pub(crate) title: String,
    /// The authentication.
    pub(crate) auth: AuthChoice,
    /// Whether the credential is declared in a list of named credentials.
    pub(crate) multi_credential: bool,
}

/// Names that cannot be a crate scaffolded beside the SDK's own.
const RESERVED: &[&str] = &[
    "connector-sdk",
    "connector-sdk-macros",
    "connector-new",
    "test",
    "core",
    "std",
];

impl Plan {
    /// The plan for crate `name`, or why the name cannot be used.
    pub(crate) fn new(
        name: &str,
        auth: AuthChoice,
        multi_credential: bool,
    ) -> Result<Self, String> {
        let valid = name.len() <= 64
            && name.starts_with(|c: char| c.is_ascii_lowercase())
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !name.ends_with('-')
            && !name.contains("--");
        if !valid {
            return Err(format!(
                "`{}` is not a crate name this tool writes: use lowercase letters, digits and single `-`, starting with a letter (at most 64 characters)",
                name.chars().take(80).collect::<String>()
            ));
        }
        if RESERVED.contains(&name) {
            return Err(format!("`{name}` is reserved; choose another name"));
        }
        let words: Vec<&str> = name.split('-').collect();
        let capitalised: Vec<String> = words
            .iter()
            .map(|word| {
                let mut chars = word.chars();
                chars
                    .next()
                    .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                    .unwrap_or_default()
            })
            .collect();
        Ok(Plan {
            crate_name: name.to_owned(),
            lib_name: name.replace('-', "_"),
            type_name: capitalised.concat(),
            title: capitalised.join(" "),
            auth,
            multi_credential,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_derive_from_the_crate_name() {
        let plan = Plan::new("acme-hr2", AuthChoice::Token, false).unwrap();
        assert_eq!(
            (
                plan.lib_name.as_str(),
                plan.type_name.as_str(),
                plan.title.as_str()
            ),
            ("acme_hr2", "AcmeHr2", "Acme Hr2")
        );
    }

    #[test]
    fn names_that_are_not_crate_names_are_refused() {
        for name in [
            "",
            "Acme",
            "1app",
            "a_b",
            "a--b",
            "a-",
            "../x",
            "a b",
            "connector-sdk",
        ] {
            assert!(Plan::new(name, AuthChoice::Token, false).is_err(), "{name}");
        }
    }
}
