//! oauth-example against a real OAuth 2 server (oauth2-mock-server on loopback, started by
//! `bash scripts/oauth-server.sh start`): the full code flow with PKCE through the
//! example's command line (the test follows the authorization URL, takes the code from
//! the redirect and exchanges it), a refresh, a client-credentials grant, then protected
//! calls with the access token to an API that accepts only that token.
//!
//! Ignored by plain `cargo test`: run with
//! `bash scripts/oauth-server.sh start && cargo test -p oauth-example --test e2e -- --include-ignored; bash scripts/oauth-server.sh stop`.

use std::path::PathBuf;

use connector_sdk::connector;
use connector_sdk::prelude::*;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const REDIRECT_URI: &str = "http://127.0.0.1:9/callback";
const CLIENT_SECRET: &str = "e2e-secret-5b7d3f";

/// The issuer URL that `scripts/oauth-server.sh start` wrote.
fn issuer() -> String {
    let file = std::env::var_os("OAUTH_TEST_SERVER_ENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/oauth-server.env")
        });
    let text = std::fs::read_to_string(&file).unwrap_or_else(|_| {
        panic!("no {}: start the server with `bash scripts/oauth-server.sh start` (tests run with --include-ignored)", file.display())
    });
    text.lines()
        .find_map(|line| line.strip_prefix("OAUTH_ISSUER_URL="))
        .expect("OAUTH_ISSUER_URL in the env file")
        .to_owned()
}

/// Runs `oauth-example <capability> --json <envelope>`; returns its stdout as JSON, with
/// no secret on stdout or in the DEBUG log.
async fn cli(capability: &str, envelope: &Value, secrets: &[&str]) -> Value {
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_oauth-example"))
        .args([capability, "--json", &envelope.to_string()])
        .env("LUMOS_LOG_LEVEL", "DEBUG")
        .env("LUMOS_LOG_TO_STDOUT", "false")
        .env(
            "LUMOS_LOG_DIRECTORY",
            std::env::temp_dir().join("oauth-example-e2e-logs"),
        )
        .env_remove("HTTP_PROXY")
        .env_remove("HTTPS_PROXY")
        .env_remove("ALL_PROXY")
        .output()
        .await
        .expect("run oauth-example");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    for secret in secrets {
        assert!(!stderr.contains(secret), "a secret is on stderr: {stderr}");
    }
    serde_json::from_str(stdout.trim()).unwrap_or_else(|_| panic!("not JSON: {stdout}\n{stderr}"))
}

/// `GET url` without following the redirect: the `Location` it answers.
async fn redirect_of(url: &str) -> String {
    let url = url::Url::parse(url).unwrap();
    let address = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap());
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let target = format!("{}?{}", url.path(), url.query().unwrap_or_default());
    let request = format!("GET {target} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    assert!(response.starts_with("HTTP/1.1 302"), "{response}");
    response
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("location")
                .then(|| value.trim().to_owned())
        })
        .expect("a Location header")
}

fn settings(issuer: &str, api: &str) -> Value {
    json!({"idp_url": issuer, "api_url": api})
}

#[tokio::test]
#[ignore = "needs the OAuth test server: bash scripts/test-all.sh"]
async fn code_flow_with_pkce_refresh_and_a_protected_call() {
    let issuer = issuer();
    let api = MockServer::start().await;
    let settings = settings(&issuer, &api.uri());

    // 1. The authorization URL: the reference's parameters and a valid S256 challenge.
    let out = cli("get_authorization_url", &json!({
        "settings": settings,
        "request": {"client_id": "example-client", "scopes": [], "redirect_uri": REDIRECT_URI, "state": "st-e2e"}
    }), &[]).await;
    let authorization_url = out["response"]["authorization_url"]
        .as_str()
        .unwrap()
        .to_owned();
    let verifier = out["response"]["code_verifier"]
        .as_str()
        .unwrap()
        .to_owned();
    let parsed = url::Url::parse(&authorization_url).unwrap();
    let params: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
    let names: Vec<&str> = params.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(
        names,
        [
            "client_id",
            "response_type",
            "scope",
            "redirect_uri",
            "state",
            "code_challenge",
            "code_challenge_method"
        ]
    );
    assert_eq!(params[2].1, "openid users:read users:write");
    use sha2_check::s256;
    assert_eq!(params[5].1, s256(&verifier));

    // 2. Follow it: the server redirects to the redirect URI with a code.
    let redirect = redirect_of(&authorization_url).await;
    assert!(redirect.starts_with(REDIRECT_URI), "{redirect}");

    // 3. Exchange the code (with the verifier: the server checks PKCE).
    let out = cli("handle_authorization_callback", &json!({
        "settings": settings,
        "request": {"client_id": "example-client", "client_secret": CLIENT_SECRET,
                    "redirect_uri_with_code": redirect, "state": "st-e2e", "code_verifier": verifier}
    }), &[CLIENT_SECRET]).await;
    let tokens = &out["response"];
    assert_eq!(tokens["token_type"], "bearer", "{out}");
    let access_token = tokens["access_token"].as_str().unwrap().to_owned();
    let refresh_token = tokens["refresh_token"]
        .as_str()
        .expect("a refresh token")
        .to_owned();

    // 4. Refresh.
    let out = cli("refresh_access_token", &json!({
        "settings": settings,
        "request": {"client_id": "example-client", "client_secret": CLIENT_SECRET, "refresh_token": refresh_token}
    }), &[CLIENT_SECRET]).await;
    let refreshed = out["response"]["access_token"]
        .as_str()
        .expect("a new access token")
        .to_owned();
    assert!(!refreshed.is_empty());

    // 5. Protected calls with the token: the API accepts only this one.
    Mock::given(method("GET"))
        .and(path("/users"))
        .and(header(
            "authorization",
            format!("Bearer {access_token}").as_str(),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"users": [
            {"id": "u1", "email": "ann@example.com", "active": true}
        ]})))
        .mount(&api)
        .await;
    Mock::given(method("POST"))
        .and(path("/users"))
        .and(header(
            "authorization",
            format!("Bearer {access_token}").as_str(),
        ))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({"id": "u2", "email": "bob@example.com", "active": true})),
        )
        .mount(&api)
        .await;
    Mock::given(path("/users"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&api)
        .await;
    let auth = json!({"oauth": {"access_token": access_token}});
    let out = cli(
        "list_accounts",
        &json!({"auth": auth, "settings": settings, "request": {}}),
        &[&access_token],
    )
    .await;
    assert_eq!(out["response"][0]["integration_specific_id"], "u1", "{out}");
    let out = cli("create_account", &json!({"auth": auth, "settings": settings, "request": {"email": "bob@example.com", "entitlements": []}}), &[&access_token]).await;
    assert_eq!(out["response"]["id"], "u2", "{out}");
    let wrong = json!({"oauth": {"access_token": "not-the-token"}});
    let out = cli(
        "list_accounts",
        &json!({"auth": wrong, "settings": settings, "request": {}}),
        &[],
    )
    .await;
    assert_eq!(out["error"]["error_code"], "unauthorized", "{out}");
}

/// A client-credentials connector on the same server (HTTP Basic, form body).
#[derive(Default)]
struct Service;

fn token_url(settings: &oauth_example::Settings) -> String {
    oauth_example::token_url(settings)
}

#[connector(
    app_id = "e2e_service",
    auth = OAuthClientCredential,
    settings = oauth_example::Settings,
    oauth(token_url = token_url, flow = client_credentials, client_auth = basic, scopes(list_accounts = "users:read")),
)]
impl Service {}

#[tokio::test]
#[ignore = "needs the OAuth test server: bash scripts/test-all.sh"]
async fn client_credentials_grant_gives_a_token() {
    let issuer = issuer();
    let envelope = json!({
        "settings": settings(&issuer, "http://127.0.0.1:9"),
        "request": {"client_id": "service-client", "client_secret": CLIENT_SECRET, "scopes": []}
    });
    let out: Value = serde_json::from_str(
        &Service
            .dispatch("handle_client_credentials_request", &envelope.to_string())
            .await,
    )
    .unwrap();
    assert_eq!(out["response"]["token_type"], "bearer", "{out}");
    assert!(
        out["response"]["access_token"]
            .as_str()
            .is_some_and(|token| token.split('.').count() == 3),
        "{out}"
    );
}

mod sha2_check {
    /// The S256 challenge of a PKCE verifier, computed independently of the SDK.
    pub fn s256(verifier: &str) -> String {
        use base64::Engine as _;
        use sha2::Digest as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(sha2::Sha256::digest(verifier.as_bytes()))
    }
}
