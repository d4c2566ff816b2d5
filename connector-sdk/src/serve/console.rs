//! The dev console at `GET /`: one self-contained page (its HTML, CSS and JavaScript are
//! embedded in the binary, nothing is loaded from elsewhere) that lists the capabilities,
//! builds a form for each from the JSON schemas of `info`, runs it and shows the answer.

use axum::body::Body;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
};
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;

use crate::serve::Layout;

const HTML: &str = include_str!("console/index.html");
const CSS: &str = include_str!("console/console.css");
const JS: &str = include_str!("console/console.js");

/// Only this page's own inline code and calls to this server.
const POLICY: &str = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; \
     connect-src 'self'; img-src 'self' data:; form-action 'none'; base-uri 'none'; frame-ancestors 'none'";

/// The page's text for a server of `layout`, telling it whether a caller token is needed.
pub(crate) fn html(layout: Layout, token: bool) -> String {
    let config = serde_json::json!({
        "layout": match layout {
            Layout::Single => "single",
            Layout::Host => "host",
        },
        "token": token,
    });
    HTML.replace("/*CONSOLE_CSS*/", CSS)
        .replace("/*CONSOLE_CONFIG*/", &config.to_string())
        .replace("/*CONSOLE_JS*/", JS)
}

/// The console page as a response: not cached, not framed, no referrer.
pub(crate) fn page(layout: Layout, token: bool) -> Response {
    let mut response = Response::new(Body::from(html(layout, token)));
    *response.status_mut() = StatusCode::OK;
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(POLICY));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_embeds_its_code_and_loads_nothing_from_elsewhere() {
        let page = html(Layout::Single, true);
        assert!(page.contains("function selectCapability"));
        assert!(page.contains(r#"{"layout":"single","token":true}"#));
        assert!(!page.contains("/*CONSOLE_"));
        assert!(!page.contains("http://") && !page.contains("https://"));
        assert!(!page.contains("localStorage") && !page.contains("sessionStorage"));
    }
}
