//! [`HttpResponse`]: a successful response, its body read in full, and what an author
//! reads from it (JSON checked against the expected type, headers, the next-page link).

use std::fmt;

use reqwest::header::{CONTENT_TYPE, HeaderMap};
use reqwest::{Method, StatusCode, Url};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::errors;
use super::pagination::{Link, LinkCursor, parse_link_header};
use crate::error::{ConnectorError, Result};

/// Whether a `Content-Type` is JSON: `application/json` or any `+json` type.
///
/// ```
/// use connector_sdk::http::is_json_content_type;
///
/// assert!(is_json_content_type("application/json; charset=utf-8"));
/// assert!(is_json_content_type("application/scim+json"));
/// assert!(!is_json_content_type("text/html"));
/// ```
pub fn is_json_content_type(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json" || (essence.ends_with("+json") && essence.contains('/'))
}

/// A successful response, its body read in full.
///
/// ```no_run
/// # async fn demo(api: &connector_sdk::http::HttpClient<'_>) -> connector_sdk::Result<()> {
/// let response = api.get("/users").send().await?;
/// let total = response.header("x-total-count").and_then(|total| total.parse::<u64>().ok());
/// let users: Vec<serde_json::Value> = response.json()?;
/// let next = response.next_link()?;
/// # let _ = (total, users, next); Ok(()) }
/// ```
#[derive(Clone)]
pub struct HttpResponse {
    pub(super) method: Method,
    pub(super) path: String,
    pub(super) url: Url,
    pub(super) status: StatusCode,
    pub(super) headers: HeaderMap,
    pub(super) body: Vec<u8>,
}

impl fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpResponse")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("status", &self.status.as_u16())
            .field("content_length", &self.body.len())
            .finish_non_exhaustive()
    }
}

impl HttpResponse {
    /// The status code.
    pub fn status(&self) -> u16 {
        self.status.as_u16()
    }

    /// The request's URL path (no query string).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// A header as text, if present and readable.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }

    /// The body.
    pub fn bytes(&self) -> &[u8] {
        &self.body
    }

    /// Takes the body out.
    pub fn into_bytes(self) -> Vec<u8> {
        self.body
    }

    /// The body as UTF-8 text; anything else is `invalid_response`.
    pub fn text(&self) -> Result<&str> {
        std::str::from_utf8(&self.body).map_err(|_| {
            ConnectorError::invalid_response(format!(
                "The response to {} {} is not UTF-8 text.",
                self.method, self.path
            ))
        })
    }

    /// Parses the JSON body into `T`. The body must be JSON (`application/json`, any
    /// `+json` type, or no `Content-Type` at all); HTML, a truncated body, or JSON of
    /// another shape is `invalid_response`, with the path of the field that did not fit and
    /// never the values. An empty body is `None` for an `Option`, `()` for `()`, and
    /// `invalid_response` for anything else.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T> {
        let what = || format!("{} {}", self.method, self.path);
        if let Some(content_type) = self.header(CONTENT_TYPE.as_str())
            && !is_json_content_type(content_type)
        {
            let shown: String = content_type
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .chars()
                .take(60)
                .collect();
            return Err(ConnectorError::invalid_response(format!(
                "The response to {} is {shown}, not the JSON expected.",
                what()
            ))
            .with_status_code(self.status()));
        }
        if self.body.iter().all(u8::is_ascii_whitespace) {
            // No content (a 204, say) is fine for a type that takes null: `()`, `Option<_>`.
            if let Ok(nothing) = serde_json::from_value::<T>(Value::Null) {
                return Ok(nothing);
            }
            return Err(ConnectorError::invalid_response(format!(
                "The response to {} is empty, not the JSON expected.",
                what()
            ))
            .with_status_code(self.status()));
        }
        let mut deserializer = serde_json::Deserializer::from_slice(&self.body);
        match serde_path_to_error::deserialize::<_, T>(&mut deserializer) {
            Ok(value) => {
                deserializer
                    .end()
                    .map_err(|err| self.json_error(String::new(), &err))?;
                Ok(value)
            }
            Err(err) => {
                let field = err.path().to_string();
                Err(self.json_error(field, err.inner()))
            }
        }
    }

    /// The `invalid_response` of a body that did not parse.
    fn json_error(&self, field: String, err: &serde_json::Error) -> ConnectorError {
        let what = format!("{} {}", self.method, self.path);
        let message = match err.classify() {
            serde_json::error::Category::Eof => {
                format!("The response to {what} is truncated JSON.")
            }
            serde_json::error::Category::Syntax | serde_json::error::Category::Io => {
                format!("The response to {what} is not valid JSON.")
            }
            serde_json::error::Category::Data => {
                let at = if field.is_empty() || field == "." {
                    String::new()
                } else {
                    format!(" at `{field}`")
                };
                format!(
                    "The response to {what} is not the JSON expected{at}: {}.",
                    errors::without_values(&err.to_string())
                )
            }
        };
        ConnectorError::invalid_response(message).with_status_code(self.status())
    }

    /// The JSON body as a [`Value`] (same checks as [`HttpResponse::json`]).
    pub fn json_value(&self) -> Result<Value> {
        self.json()
    }

    /// The links of the `Link` headers (RFC 8288).
    pub fn links(&self) -> Vec<Link> {
        self.headers
            .get_all(reqwest::header::LINK)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(parse_link_header)
            .collect()
    }

    /// The `rel="next"` link as a [`LinkCursor`], or `None` on the last page. A next link
    /// to another host is `invalid_response`.
    pub fn next_link(&self) -> Result<Option<LinkCursor>> {
        let Some(link) = self.links().into_iter().find(|link| link.has_rel("next")) else {
            return Ok(None);
        };
        let foreign = || {
            ConnectorError::invalid_response(format!(
                "The next-page link of {} {} does not point at the app's host.",
                self.method, self.path
            ))
        };
        let target = self.url.join(&link.target).map_err(|_| foreign())?;
        if target.origin() != self.url.origin() {
            return Err(foreign());
        }
        let mut cursor = target.path().to_owned();
        if let Some(query) = target.query() {
            cursor.push('?');
            cursor.push_str(query);
        }
        Ok(Some(LinkCursor { link: cursor }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use reqwest::header::HeaderValue;

    #[test]
    fn json_content_types() {
        assert!(is_json_content_type("Application/JSON"));
        assert!(is_json_content_type(
            "application/problem+json; charset=utf-8"
        ));
        assert!(!is_json_content_type("+json"));
        assert!(!is_json_content_type("application/jsonp"));
    }

    fn response(content_type: Option<&str>, body: &str) -> HttpResponse {
        let mut headers = HeaderMap::new();
        if let Some(content_type) = content_type {
            headers.insert(CONTENT_TYPE, HeaderValue::from_str(content_type).unwrap());
        }
        HttpResponse {
            method: Method::GET,
            path: "/users".to_owned(),
            url: Url::parse("https://h.example/users?secret=1").unwrap(),
            status: StatusCode::OK,
            headers,
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn unexpected_bodies_are_invalid_response_without_values() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct User {
            id: u64,
        }
        let cases = [
            (
                Some("text/html"),
                "<html></html>",
                "is text/html, not the JSON expected",
            ),
            (Some("application/json"), "", "is empty"),
            (Some("application/json"), "[{\"id\": 1", "truncated"),
            (None, "[}", "not valid JSON"),
            (None, "{}", "not the JSON expected: invalid type: map"),
            (
                Some("application/json"),
                "[{\"id\": \"hunter2\"}]",
                "at `[0].id`",
            ),
            (Some("application/json"), "[] trailing", "not valid JSON"),
        ];
        for (content_type, body, expected) in cases {
            let error = response(content_type, body)
                .json::<Vec<User>>()
                .unwrap_err();
            assert_eq!(error.code(), ErrorCode::InvalidResponse);
            assert!(error.message().contains(expected), "{}", error.message());
            assert!(
                error.message().starts_with("The response to GET /users "),
                "{}",
                error.message()
            );
            assert!(!error.message().contains("hunter2") && !error.message().contains("secret"));
        }
        assert_eq!(
            response(Some("application/vnd.api+json"), "[{\"id\":1}]")
                .json::<Vec<User>>()
                .unwrap()[0]
                .id,
            1
        );
        let empty = response(Some("application/json"), "");
        assert_eq!(
            empty.json::<Option<User>>().unwrap().map(|user| user.id),
            None
        );
        empty.json::<()>().unwrap();
    }

    #[test]
    fn next_links_stay_on_the_host() {
        let mut ok = response(None, "[]");
        ok.headers.insert(
            reqwest::header::LINK,
            HeaderValue::from_static("<https://h.example/users?page=2>; rel=\"next\""),
        );
        assert_eq!(
            ok.next_link().unwrap(),
            Some(LinkCursor {
                link: "/users?page=2".to_owned()
            })
        );
        let mut relative = response(None, "[]");
        relative.headers.insert(
            reqwest::header::LINK,
            HeaderValue::from_static("</users?page=3>; rel=next"),
        );
        assert_eq!(
            relative.next_link().unwrap(),
            Some(LinkCursor {
                link: "/users?page=3".to_owned()
            })
        );
        let mut foreign = response(None, "[]");
        foreign.headers.insert(
            reqwest::header::LINK,
            HeaderValue::from_static("<https://evil.example/u>; rel=next"),
        );
        assert_eq!(
            foreign.next_link().unwrap_err().code(),
            ErrorCode::InvalidResponse
        );
        assert_eq!(response(None, "[]").next_link().unwrap(), None);
    }
}
