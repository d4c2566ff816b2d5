//! `get_authorization_url`: the authorization URL with the reference's parameters, in its
//! order and encoding, and the PKCE (S256) pair. No HTTP call.

use crate::secret::Secret;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use super::OAuthSettings;
use crate::models::{AuthorizationUrl, GetAuthorizationUrl};
use crate::{ConnectorError, Result};

/// The authorization URL for `request`, with these settings resolved for `app_settings`.
pub(crate) fn authorization_url<S>(
    oauth: &OAuthSettings<S>,
    app_settings: &S,
    request: &GetAuthorizationUrl,
) -> Result<AuthorizationUrl> {
    let Some(endpoint) = &oauth.authorization_url else {
        return Err(ConnectorError::invalid_value(
            "This OAuth configuration has no authorization URL.",
        ));
    };
    let scope = if request.scopes.is_empty() {
        oauth.default_scope()
    } else {
        request.scopes.join(" ")
    };
    let mut params = vec![
        ("client_id", request.client_id.clone()),
        ("response_type", "code".to_owned()),
        ("scope", scope),
        ("redirect_uri", request.redirect_uri.clone()),
        ("state", request.state.clone()),
    ];
    let code_verifier = if oauth.pkce {
        let verifier = new_verifier()?;
        params.push(("code_challenge", challenge(&verifier)));
        params.push(("code_challenge_method", "S256".to_owned()));
        Some(verifier)
    } else {
        None
    };
    Ok(AuthorizationUrl {
        authorization_url: format!("{}?{}", endpoint.resolve(app_settings), encode(&params)),
        code_verifier: code_verifier.map(Secret::from),
    })
}

/// `key=value&…`, each part encoded as Python's `quote_plus` does: letters, digits and
/// `_.-~` kept, a space as `+`, every other byte as `%XX`.
pub(crate) fn encode(params: &[(&str, String)]) -> String {
    params
        .iter()
        .map(|(key, value)| format!("{}={}", quote_plus(key), quote_plus(value)))
        .collect::<Vec<_>>()
        .join("&")
}

fn quote_plus(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' | b'.' | b'-' | b'~' => {
                out.push(char::from(byte))
            }
            b' ' => out.push('+'),
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

/// A PKCE verifier: 32 random bytes, base64url without padding (43 characters).
fn new_verifier() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes).map_err(|_| {
        ConnectorError::internal_error("No random bytes are available for the PKCE verifier.")
    })?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// The S256 challenge of `verifier`: base64url(sha256(verifier)) without padding.
pub(crate) fn challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth::{Endpoint, OAuthSettings};

    fn settings(pkce: bool) -> OAuthSettings<()> {
        OAuthSettings {
            authorization_url: Some(Endpoint::Fixed("https://auth.example.com/oauth/authorize")),
            token_url: Endpoint::Fixed("https://auth.example.com/token"),
            scopes: vec![
                ("validate_credentials", "users:read"),
                ("list_accounts", "users:read users:list"),
            ],
            flow: Default::default(),
            client_auth: Default::default(),
            token_request: Default::default(),
            pkce,
            capabilities: Default::default(),
        }
    }

    fn request(scopes: &[&str]) -> GetAuthorizationUrl {
        GetAuthorizationUrl {
            client_id: "cid".into(),
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            redirect_uri: "https://app.example.com/callback".into(),
            state: "st-1".into(),
            ..Default::default()
        }
    }

    #[test]
    fn the_url_has_the_reference_parameters_in_order() {
        let url = authorization_url(&settings(false), &(), &request(&["a"])).unwrap();
        assert_eq!(
            url.authorization_url,
            "https://auth.example.com/oauth/authorize?client_id=cid&response_type=code&scope=a&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcallback&state=st-1"
        );
        assert_eq!(url.code_verifier, None);
    }

    #[test]
    fn no_request_scopes_ask_for_the_declared_union_in_declaration_order() {
        let url = authorization_url(&settings(false), &(), &request(&[])).unwrap();
        assert!(
            url.authorization_url
                .contains("&scope=users%3Aread+users%3Alist&")
        );
    }

    #[test]
    fn pkce_sends_the_s256_challenge_of_the_returned_verifier() {
        let url = authorization_url(&settings(true), &(), &request(&["a"])).unwrap();
        let verifier = url.code_verifier.unwrap().expose().clone();
        assert_eq!(verifier.len(), 43);
        assert!(url.authorization_url.ends_with(&format!(
            "&state=st-1&code_challenge={}&code_challenge_method=S256",
            challenge(&verifier)
        )));
    }

    #[test]
    fn the_challenge_is_the_references_for_its_recorded_verifier() {
        // oauth_get_authorization_url_pkce: the verifier and challenge connector-py made.
        assert_eq!(
            challenge("RNq2r4sF3037Y9T7F9uwIMmG2o-6b7j8cGG9iFQpBcY"),
            "o8DREuSMIaQweloYIeCImkCl6ObpvXY_ftZS96I2C80"
        );
    }
}
