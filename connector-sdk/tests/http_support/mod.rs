//! Shared helpers of the `http_*` tests: contexts, a recording sleeper, and raw loopback
//! servers that misbehave (never answer, hang up, speak TLS with a private CA).
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use connector_sdk::Context;
use connector_sdk::Secret;
use connector_sdk::http::{HttpConfig, RecordingSleeper};
use connector_sdk::models::{RateLimitRequestInfo, TokenCredential};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// The token every test sends; it must appear in no message and no log.
pub const TOKEN: &str = "tok-SECRET-5f1e2d9a";

/// A context whose settings are the base URL and whose credentials are [`TOKEN`].
pub fn token_cx(base: &str) -> Context<String, TokenCredential> {
    Context::for_tests(
        "test_app",
        base.to_owned(),
        TokenCredential {
            token: Secret::from(TOKEN),
        },
    )
}

/// A context of capability `capability` with the request's `rate_limit` info.
pub fn cx_with_rate_limit(
    base: &str,
    capability: &'static str,
    info: RateLimitRequestInfo,
) -> Context<String, TokenCredential> {
    Context::for_tests_with(
        "test_app",
        capability,
        base.to_owned(),
        TokenCredential {
            token: Secret::from(TOKEN),
        },
        Some(info),
    )
}

/// A setup whose waits are recorded, not spent.
pub fn recorded() -> (HttpConfig, RecordingSleeper) {
    let sleeper = RecordingSleeper::new();
    (
        HttpConfig::new("test_app", "9.9.9").sleeper(sleeper.clone()),
        sleeper,
    )
}

/// An address where nothing listens (a port that was just free).
pub fn nothing_listening() -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    drop(listener);
    address
}

/// A server that accepts connections, reads, and never answers.
pub async fn silent_server() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buffer = [0u8; 1024];
            let _ = socket.read(&mut buffer).await;
            held.push(socket);
        }
    });
    address
}

/// A server that reads the request and hangs up without a word.
pub async fn hanging_up_server() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buffer = [0u8; 4096];
            let _ = socket.read(&mut buffer).await;
            drop(socket);
        }
    });
    address
}

/// A server that sends half a response and hangs up.
pub async fn truncating_server() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buffer = [0u8; 4096];
            let _ = socket.read(&mut buffer).await;
            let _ = socket
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n[{\"id\":")
                .await;
            drop(socket);
        }
    });
    address
}

/// A server that holds each request for `hold` before answering `[]`, and counts the
/// most requests it held at once (the second value).
pub async fn counting_server(hold: Duration) -> (SocketAddr, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    let peak = Arc::new(AtomicUsize::new(0));
    let in_flight = Arc::new(AtomicUsize::new(0));
    let peak_seen = peak.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let (peak, in_flight) = (peak_seen.clone(), in_flight.clone());
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buffer = [0u8; 1024];
                while !request.windows(4).any(|window| window == b"\r\n\r\n") {
                    match socket.read(&mut buffer).await {
                        Ok(0) | Err(_) => return,
                        Ok(read) => request.extend_from_slice(&buffer[..read]),
                    }
                }
                let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(hold).await;
                in_flight.fetch_sub(1, Ordering::SeqCst);
                let _ = socket
                    .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n[]")
                    .await;
            });
        }
    });
    (address, peak)
}

/// An HTTPS server on loopback for `localhost`, with a certificate from a private CA; it
/// answers every request with `body` (JSON). Returns its port and the CA's PEM.
pub async fn tls_server(body: &'static str) -> (u16, String) {
    let certified =
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("certificate");
    let ca_pem = certified.cert.pem();
    let cert_der = rustls::pki_types::CertificateDer::from(certified.cert.der().to_vec());
    let key_der =
        rustls::pki_types::PrivateKeyDer::Pkcs8(certified.signing_key.serialize_der().into());
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(vec![cert_der], key_der)
        .expect("server config");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("address").port();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(socket).await else {
                    return;
                };
                let mut request = Vec::new();
                let mut buffer = [0u8; 1024];
                while !request.windows(4).any(|window| window == b"\r\n\r\n") {
                    match tls.read(&mut buffer).await {
                        Ok(0) | Err(_) => return,
                        Ok(read) => request.extend_from_slice(&buffer[..read]),
                    }
                }
                let response = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = tls.write_all(response.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    (port, ca_pem)
}

/// `a` and `b` differ by at most 50 ms (the waits computed from a running clock).
pub fn about(a: Duration, b: Duration) -> bool {
    a.abs_diff(b) <= Duration::from_millis(50)
}
