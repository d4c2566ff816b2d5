//! The transport: the `reqwest` client a setup builds (proxy, CA bundle, redirects kept
//! on the app's host), cached per CA bundle, and one exchange over it with the body read
//! up to the size limit.

use std::sync::PoisonError;
use std::time::Duration;

use reqwest::header::HeaderMap;
use reqwest::{StatusCode, Url};

use super::config::{HttpConfig, ProxyChoice};
use super::errors;
use crate::error::{ConnectorError, Result};

impl HttpConfig {
    /// The cached `reqwest` client for a CA bundle, or a new one.
    pub(super) fn reqwest_client(&self, ca: Option<String>) -> Result<reqwest::Client> {
        let mut clients = self.clients.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((_, client)) = clients.iter().find(|(key, _)| *key == ca) {
            return Ok(client.clone());
        }
        let client = self.build_reqwest_client(ca.as_deref())?;
        if clients.len() >= 8 {
            clients.remove(0);
        }
        clients.push((ca, client.clone()));
        Ok(client)
    }

    fn build_reqwest_client(&self, ca: Option<&str>) -> Result<reqwest::Client> {
        ensure_crypto_provider();
        let mut builder = reqwest::Client::builder()
            .user_agent(self.user_agent_string())
            .connect_timeout(self.connect_timeout)
            .default_headers(self.headers.clone())
            .pool_idle_timeout(Duration::from_secs(60))
            .redirect(reqwest::redirect::Policy::custom(|attempt| {
                if attempt.previous().len() > MAX_REDIRECTS {
                    return attempt.stop();
                }
                match attempt.previous().first() {
                    Some(first) if redirect_allowed(first, attempt.url()) => attempt.follow(),
                    _ => attempt.stop(),
                }
            }));
        builder = match &self.proxy {
            ProxyChoice::Environment => builder,
            ProxyChoice::Direct => builder.no_proxy(),
            ProxyChoice::Url(url) => {
                let proxy = reqwest::Proxy::all(url.as_str())
                    .map_err(|_| {
                        ConnectorError::invalid_value("The configured proxy URL is not valid.")
                    })?
                    .no_proxy(reqwest::NoProxy::from_env());
                builder.proxy(proxy)
            }
        };
        if let Some(pem) = ca {
            let certificates = reqwest::Certificate::from_pem_bundle(pem.as_bytes())
                .ok()
                .filter(|certificates| !certificates.is_empty())
                .ok_or_else(|| {
                    ConnectorError::invalid_value(
                        "The CA bundle is not valid: it must hold PEM certificates.",
                    )
                })?;
            builder = builder.tls_certs_merge(certificates);
        }
        builder.build().map_err(|err| {
            let (_, detail) = errors::classify(&err);
            ConnectorError::internal_error(format!(
                "The HTTP client could not be set up{}.",
                detail
                    .map(|detail| format!(" ({detail})"))
                    .unwrap_or_default()
            ))
        })
    }
}

/// The most redirects followed for one request.
const MAX_REDIRECTS: usize = 10;

/// Whether a redirect from `from` to `to` is followed: on the same origin, or from http
/// to https on the same host. Elsewhere the credentials (an API key header, say) would
/// go along, so the redirect is returned as the response (`invalid_response`).
fn redirect_allowed(from: &Url, to: &Url) -> bool {
    from.origin() == to.origin()
        || (from.scheme() == "http" && to.scheme() == "https" && from.host() == to.host())
}

/// Installs rustls's ring provider as the process default, unless one is installed.
fn ensure_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Losing a race to another thread installing one is fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

/// What one exchange produced.
pub(super) struct Exchange {
    pub(super) url: Url,
    pub(super) status: StatusCode,
    pub(super) headers: HeaderMap,
    pub(super) body: Vec<u8>,
}

/// Why one exchange failed.
pub(super) enum Exchanged {
    Transport(reqwest::Error),
    TooLarge,
}

/// Sends one request and reads the whole response body (at most `max` bytes); of an
/// error answer (a status outside 2xx), only what an excerpt can show is read: one byte
/// past [`MAX_BODY_PREFIX_BYTES`](crate::limits::MAX_BODY_PREFIX_BYTES), so a huge error
/// page costs no memory and still reads as larger than the excerpt limit.
pub(super) async fn exchange(
    http: &reqwest::Client,
    request: reqwest::Request,
    max: usize,
) -> Result<Exchange, Exchanged> {
    let mut response = http.execute(request).await.map_err(Exchanged::Transport)?;
    let status = response.status();
    if status.is_success()
        && response
            .content_length()
            .is_some_and(|length| length > max as u64)
    {
        return Err(Exchanged::TooLarge);
    }
    let url = response.url().clone();
    let headers = response.headers().clone();
    let mut body = Vec::new();
    let error_cap = (!status.is_success()).then(|| {
        crate::limits::MAX_BODY_PREFIX_BYTES
            .get_usize()
            .saturating_add(1)
    });
    while let Some(chunk) = response.chunk().await.map_err(Exchanged::Transport)? {
        if let Some(cap) = error_cap {
            let room = cap.saturating_sub(body.len());
            body.extend_from_slice(&chunk[..chunk.len().min(room)]);
            if body.len() >= cap {
                break;
            }
            continue;
        }
        if body.len() + chunk.len() > max {
            return Err(Exchanged::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Exchange {
        url,
        status,
        headers,
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirects_stay_on_the_apps_host() {
        let url = |text: &str| Url::parse(text).unwrap();
        assert!(redirect_allowed(
            &url("https://h.example/a"),
            &url("https://h.example/b?x=1")
        ));
        assert!(redirect_allowed(
            &url("http://h.example/a"),
            &url("https://h.example/a")
        ));
        assert!(!redirect_allowed(
            &url("https://h.example/a"),
            &url("http://h.example/a")
        ));
        assert!(!redirect_allowed(
            &url("https://h.example/a"),
            &url("https://cdn.example/a")
        ));
        assert!(!redirect_allowed(
            &url("https://h.example/a"),
            &url("https://h.example:8443/a")
        ));
    }
}
