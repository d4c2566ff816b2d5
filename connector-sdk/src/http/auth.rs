//! Applying credentials to requests: HTTP Basic, a bearer token, or an API key in a
//! named header or query parameter.

use reqwest::header::{HeaderName, HeaderValue};

use crate::error::ConnectorError;
use crate::models::{BasicCredential, OAuthClientCredential, OAuthCredential, TokenCredential};
use crate::secret::Secret;

/// How requests authenticate to the app.
///
/// Secrets stay in [`Secret`]s: `Debug` shows `[REDACTED]`, logs redact the headers and
/// parameters that carry them, and error messages never include them.
///
/// ```
/// use connector_sdk::Secret;
/// use connector_sdk::http::Auth;
///
/// let bearer = Auth::bearer(Secret::from("t0ken"));
/// let key = Auth::header("X-Api-Key", Secret::from("k3y"));
/// let query = Auth::query("api_key", Secret::from("k3y"));
/// assert_eq!(format!("{key:?}"), r#"Header { name: "X-Api-Key", value: [REDACTED] }"#);
/// # let _ = (bearer, query);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Auth {
    /// No authentication.
    #[default]
    None,
    /// `Authorization: Bearer <token>`.
    Bearer(Secret),
    /// `Authorization: Basic base64(<username>:<password>)`.
    Basic {
        /// The user name.
        username: String,
        /// The password.
        password: Secret,
    },
    /// An API key in a header of its own, such as `X-Api-Key: <key>`; also for
    /// `Authorization` schemes other than Bearer (`Auth::header("Authorization", "SSWS …")`).
    Header {
        /// The header's name.
        name: String,
        /// The header's value.
        value: Secret,
    },
    /// An API key in a query parameter, such as `?api_key=<key>`.
    Query {
        /// The parameter's name.
        name: String,
        /// The parameter's value.
        value: Secret,
    },
}

impl Auth {
    /// A bearer token.
    pub fn bearer(token: impl Into<Secret>) -> Self {
        Auth::Bearer(token.into())
    }

    /// HTTP Basic authentication.
    pub fn basic(username: impl Into<String>, password: impl Into<Secret>) -> Self {
        Auth::Basic {
            username: username.into(),
            password: password.into(),
        }
    }

    /// An API key sent in header `name`.
    pub fn header(name: impl Into<String>, value: impl Into<Secret>) -> Self {
        Auth::Header {
            name: name.into(),
            value: value.into(),
        }
    }

    /// An API key sent in query parameter `name`.
    pub fn query(name: impl Into<String>, value: impl Into<Secret>) -> Self {
        Auth::Query {
            name: name.into(),
            value: value.into(),
        }
    }

    /// The secret values, to be scrubbed from logs and messages.
    pub(crate) fn secret_values(&self) -> Vec<String> {
        match self {
            Auth::None => Vec::new(),
            Auth::Bearer(token) => vec![token.expose().clone()],
            Auth::Basic { password, .. } => vec![password.expose().clone()],
            Auth::Header { value, .. } | Auth::Query { value, .. } => {
                let value = value.expose();
                // "Bearer x", "SSWS x": the token alone must go too.
                let mut values = vec![value.clone()];
                if let Some((_, token)) = value.split_once(' ') {
                    values.push(token.trim().to_owned());
                }
                values
            }
        }
    }

    /// The header or query names that carry a secret.
    pub(crate) fn secret_names(&self) -> Vec<String> {
        match self {
            Auth::Header { name, .. } | Auth::Query { name, .. } => vec![name.clone()],
            _ => Vec::new(),
        }
    }

    /// Checks the credentials can be sent: no empty secret, a valid header.
    pub(crate) fn validate(&self) -> Result<(), ConnectorError> {
        let empty = |what: &str| {
            ConnectorError::integration_missing_parameter(format!(
                "Wrong auth: the {what} of the credentials is empty."
            ))
        };
        match self {
            Auth::None => Ok(()),
            Auth::Bearer(token) if token.is_empty() => Err(empty("token")),
            Auth::Basic { password, username } if password.is_empty() && username.is_empty() => {
                Err(empty("user name and password"))
            }
            Auth::Header { value, .. } | Auth::Query { value, .. } if value.is_empty() => {
                Err(empty("API key"))
            }
            Auth::Header { name, value } => {
                HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                    ConnectorError::invalid_value(format!(
                        "`{name}` is not a valid HTTP header name."
                    ))
                })?;
                HeaderValue::from_str(value.expose()).map_err(|_| {
                    ConnectorError::invalid_value(
                        "The API key holds characters that an HTTP header cannot carry.",
                    )
                })?;
                Ok(())
            }
            Auth::Bearer(token) => HeaderValue::from_str(&format!("Bearer {}", token.expose()))
                .map(drop)
                .map_err(|_| {
                    ConnectorError::invalid_value(
                        "The token holds characters that an HTTP header cannot carry.",
                    )
                }),
            _ => Ok(()),
        }
    }

    /// Adds the credentials to a request.
    pub(crate) fn apply(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match self {
            Auth::None => request,
            Auth::Bearer(token) => request.bearer_auth(token.expose()),
            Auth::Basic { username, password } => {
                request.basic_auth(username, Some(password.expose()))
            }
            Auth::Header { name, value } => {
                match (
                    HeaderName::from_bytes(name.as_bytes()),
                    HeaderValue::from_str(value.expose()),
                ) {
                    (Ok(name), Ok(mut value)) => {
                        value.set_sensitive(true);
                        request.header(name, value)
                    }
                    // `validate` refused these before any request was built.
                    _ => request,
                }
            }
            Auth::Query { name, value } => {
                request.query(&[(name.as_str(), value.expose().as_str())])
            }
        }
    }
}

/// A credential type that knows how it authenticates HTTP requests; used by
/// [`HttpConfig::client`](super::HttpConfig::client). Implemented for the protocol's
/// credential models (token and OAuth access tokens as bearer tokens, basic as HTTP
/// Basic), for [`Auth`] itself and for `()` (no credentials).
///
/// A connector whose app wants the token elsewhere builds the client with
/// [`HttpConfig::client_with_auth`](super::HttpConfig::client_with_auth) instead.
///
/// ```
/// use connector_sdk::Secret;
/// use connector_sdk::http::{Auth, HttpAuth};
/// use connector_sdk::models::TokenCredential;
///
/// let credential = TokenCredential { token: Secret::from("t0ken") };
/// assert_eq!(credential.http_auth(), Auth::bearer(Secret::from("t0ken")));
/// ```
pub trait HttpAuth {
    /// How requests made with these credentials authenticate.
    fn http_auth(&self) -> Auth;
}

impl HttpAuth for Auth {
    fn http_auth(&self) -> Auth {
        self.clone()
    }
}

impl HttpAuth for () {
    fn http_auth(&self) -> Auth {
        Auth::None
    }
}

impl HttpAuth for TokenCredential {
    fn http_auth(&self) -> Auth {
        Auth::Bearer(self.token.clone())
    }
}

impl HttpAuth for OAuthCredential {
    fn http_auth(&self) -> Auth {
        Auth::Bearer(self.access_token.clone())
    }
}

impl HttpAuth for OAuthClientCredential {
    fn http_auth(&self) -> Auth {
        Auth::Bearer(self.access_token.clone())
    }
}

impl HttpAuth for BasicCredential {
    fn http_auth(&self) -> Auth {
        Auth::Basic {
            username: self.username.clone(),
            password: self.password.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    #[test]
    fn empty_or_unsendable_credentials_are_refused() {
        assert_eq!(
            Auth::bearer(Secret::from(""))
                .validate()
                .unwrap_err()
                .code(),
            ErrorCode::IntegrationMissingParameter
        );
        assert_eq!(
            Auth::header("X Key", Secret::from("k3y"))
                .validate()
                .unwrap_err()
                .code(),
            ErrorCode::InvalidValue
        );
        assert_eq!(
            Auth::bearer(Secret::from("a\nb"))
                .validate()
                .unwrap_err()
                .code(),
            ErrorCode::InvalidValue
        );
        assert!(Auth::basic("u", Secret::from("")).validate().is_ok());
        assert!(Auth::None.validate().is_ok());
    }

    #[test]
    fn prefixed_header_values_scrub_the_bare_token_too() {
        let auth = Auth::header("Authorization", Secret::from("SSWS abc123"));
        assert_eq!(
            auth.secret_values(),
            vec!["SSWS abc123".to_owned(), "abc123".to_owned()]
        );
        assert_eq!(auth.secret_names(), vec!["Authorization".to_owned()]);
    }
}
