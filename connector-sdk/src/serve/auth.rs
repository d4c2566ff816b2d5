//! The caller token: where it comes from (a file or `CONNECTOR_SERVER_TOKEN`, never the
//! command line), when it is required (any bind but loopback), and the constant-time check
//! of `Authorization: Bearer <token>`.

use std::net::SocketAddr;
use std::path::Path;

use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use subtle::ConstantTimeEq as _;

use crate::secret::Secret;

/// The environment variable that may hold the caller token.
pub const TOKEN_ENV: &str = "CONNECTOR_SERVER_TOKEN";

/// The token callers must send as `Authorization: Bearer <token>`. Its `Debug` hides it.
#[derive(Clone, Debug)]
pub struct CallerToken(Secret<String>);

impl CallerToken {
    /// A token from its text; surrounding whitespace (a file's final newline) is dropped.
    /// An empty token is refused.
    pub fn new(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("the caller token is empty".to_owned());
        }
        Ok(CallerToken(Secret::new(text.to_owned())))
    }

    /// Reads the token from `file` if given, else from `CONNECTOR_SERVER_TOKEN` if set.
    pub fn load(file: Option<&Path>) -> Result<Option<Self>, String> {
        if let Some(path) = file {
            let text = std::fs::read_to_string(path)
                .map_err(|err| format!("cannot read the token file {}: {err}", path.display()))?;
            return CallerToken::new(&text)
                .map(Some)
                .map_err(|err| format!("{err} (token file {})", path.display()));
        }
        match std::env::var(TOKEN_ENV) {
            Ok(text) => CallerToken::new(&text)
                .map(Some)
                .map_err(|err| format!("{err} ({TOKEN_ENV})")),
            Err(_) => Ok(None),
        }
    }

    /// Whether `headers` carry this token as a bearer token (compared in constant time).
    pub(crate) fn admits(&self, headers: &HeaderMap) -> bool {
        let Some(given) = headers
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(bearer)
        else {
            return false;
        };
        given.as_bytes().ct_eq(self.0.expose().as_bytes()).into()
    }
}

/// The token of an `Authorization` value of the bearer scheme (scheme name in any case).
fn bearer(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// Whether serving on `addr` is allowed: anything but loopback needs a caller token.
pub(crate) fn may_serve(addr: &SocketAddr, token: Option<&CallerToken>) -> bool {
    addr.ip().is_loopback() || token.is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn only_the_exact_bearer_token_is_admitted() {
        let token = CallerToken::new("s3cret\n").unwrap();
        assert!(token.admits(&headers("Bearer s3cret")));
        assert!(token.admits(&headers("bearer s3cret")));
        assert!(!token.admits(&headers("Bearer s3cre")));
        assert!(!token.admits(&headers("Bearer s3cret2")));
        assert!(!token.admits(&headers("Basic s3cret")));
        assert!(!token.admits(&HeaderMap::new()));
    }

    #[test]
    fn the_token_never_shows_in_debug() {
        let token = CallerToken::new("s3cret").unwrap();
        assert!(!format!("{token:?}").contains("s3cret"));
    }

    #[test]
    fn an_empty_token_is_refused() {
        assert!(CallerToken::new("  \n").is_err());
    }

    #[test]
    fn only_loopback_may_go_without_a_token() {
        let token = CallerToken::new("t").unwrap();
        let loopback: SocketAddr = "127.0.0.1:8000".parse().unwrap();
        let v6_loopback: SocketAddr = "[::1]:8000".parse().unwrap();
        let anywhere: SocketAddr = "0.0.0.0:8000".parse().unwrap();
        assert!(may_serve(&loopback, None));
        assert!(may_serve(&v6_loopback, None));
        assert!(!may_serve(&anywhere, None));
        assert!(may_serve(&anywhere, Some(&token)));
    }
}
