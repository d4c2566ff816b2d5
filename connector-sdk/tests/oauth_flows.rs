//! The runtime's OAuth flows, driven through dispatch against a wiremock token endpoint:
//! the requests match the reference's recorded runs, the answers are read as the
//! reference reads them, and every failure maps as its table says.
#![cfg(feature = "http")]

use connector_sdk::connector::{Capabilities, Metadata};
use connector_sdk::oauth::{ClientAuth, Endpoint, Flow, OAuth, OAuthSettings, TokenRequest};
use connector_sdk::prelude::*;
use serde_json::{Value, json};
use wiremock::matchers::{body_string, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Settings {
    base_url: String,
}

fn token_url(settings: &Settings) -> String {
    format!("{}/token", settings.base_url)
}

fn code_flow() -> OAuthSettings<Settings> {
    OAuthSettings {
        authorization_url: Some(Endpoint::Fixed("https://auth.example.com/oauth/authorize")),
        token_url: Endpoint::Computed(token_url),
        scopes: vec![
            ("validate_credentials", "users:read"),
            ("list_accounts", "users:read users:list"),
        ],
        flow: Flow::Code,
        client_auth: ClientAuth::Body,
        token_request: TokenRequest::PostForm,
        pkce: true,
        capabilities: Default::default(),
    }
}

fn client_credentials(token_request: TokenRequest) -> OAuthSettings<Settings> {
    OAuthSettings {
        authorization_url: None,
        token_url: Endpoint::Computed(token_url),
        scopes: vec![("validate_credentials", "api.read")],
        flow: Flow::ClientCredentials,
        client_auth: ClientAuth::Basic,
        token_request,
        pkce: false,
        capabilities: Default::default(),
    }
}

struct CodeFlow;

impl Connector for CodeFlow {
    type Settings = Settings;
    type Credentials = OAuthCredential;
    fn metadata() -> Metadata {
        Metadata::new("oauth_code", "0.1.0")
    }
    fn capabilities() -> Capabilities<Self> {
        Capabilities::new()
    }
    fn oauth() -> OAuth<Settings> {
        OAuth::none().single(code_flow())
    }
}

struct ClientCredentials;

impl Connector for ClientCredentials {
    type Settings = Settings;
    type Credentials = OAuthCredential;
    fn metadata() -> Metadata {
        Metadata::new("oauth_cc", "0.1.0")
    }
    fn capabilities() -> Capabilities<Self> {
        Capabilities::new()
    }
    fn oauth() -> OAuth<Settings> {
        OAuth::none().single(client_credentials(TokenRequest::PostJson))
    }
}

/// A code-flow connector declared through the attribute, whose author wrote
/// `refresh_access_token` by hand.
struct OwnRefresh;

#[connector(
    app_id = "oauth_own",
    auth = OAuthCredential,
    settings = Settings,
    oauth(
        authorization_url = "https://auth.example.com/oauth/authorize",
        token_url = token_url,
        scopes(list_accounts = "users:read users:list"),
        pkce = true,
    )
)]
impl OwnRefresh {
    async fn refresh_access_token(
        &self,
        _cx: &UnauthenticatedContextOf<Self>,
        _request: RefreshAccessToken,
    ) -> Result<OauthCredentials> {
        Ok(OauthCredentials {
            access_token: "hand-written".into(),
            refresh_token: None,
            token_type: TokenType::Bearer,
            state: None,
        })
    }
}

async fn run<C: Connector>(connector: &C, capability: &str, envelope: Value) -> Value {
    let out = connector.dispatch(capability, &envelope.to_string()).await;
    serde_json::from_str(&out).unwrap()
}

fn tokens() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "access_token": "at-123", "refresh_token": "rt-456", "token_type": "Bearer", "expires_in": 3600
    }))
}

#[tokio::test]
async fn the_code_flow_registers_its_capabilities_and_info_lists_the_scopes() {
    let info = connector_sdk::info::info_envelope::<CodeFlow>();
    let caps = &info["response"]["capabilities"];
    assert_eq!(
        caps,
        &json!([
            "app_info",
            "get_authorization_url",
            "handle_authorization_callback",
            "probe_integration",
            "refresh_access_token"
        ])
    );
    assert_eq!(
        info["response"]["oauth_scopes"],
        json!({"list_accounts": "users:read users:list", "validate_credentials": "users:read"})
    );
    let cc = connector_sdk::info::info_envelope::<ClientCredentials>();
    assert_eq!(
        cc["response"]["capabilities"],
        json!([
            "app_info",
            "handle_client_credentials_request",
            "probe_integration",
            "refresh_access_token"
        ])
    );
}

#[tokio::test]
async fn the_callback_exchanges_the_code_as_the_reference_does() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(body_string(
            "grant_type=authorization_code&code=abc123&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcallback&code_verifier=v-1&client_id=cid&client_secret=csecret",
        ))
        .respond_with(tokens())
        .expect(1)
        .mount(&server)
        .await;
    let out = run(&CodeFlow, "handle_authorization_callback", json!({
        "settings": {"base_url": server.uri()},
        "include_raw_data": true,
        "request": {"client_id": "cid", "client_secret": "csecret", "code_verifier": "v-1",
                    "redirect_uri_with_code": "https://app.example.com/callback?code=abc123&state=st-1", "state": "st-1"}
    }))
    .await;
    assert_eq!(
        out["response"],
        json!({"access_token": "at-123", "refresh_token": "rt-456", "token_type": "bearer", "state": null})
    );
    assert_eq!(out["raw_data"]["expires_in"], 3600);
}

#[tokio::test]
async fn refresh_passes_the_rotated_token_through_and_raw_data_stays_null_unasked() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .and(body_string(
            "grant_type=refresh_token&refresh_token=rt-old&client_id=cid&client_secret=csecret",
        ))
        .respond_with(tokens())
        .expect(1)
        .mount(&server)
        .await;
    let out = run(
        &CodeFlow,
        "refresh_access_token",
        json!({
            "settings": {"base_url": server.uri()},
            "request": {"client_id": "cid", "client_secret": "csecret", "refresh_token": "rt-old"}
        }),
    )
    .await;
    assert_eq!(out["response"]["refresh_token"], "rt-456");
    assert_eq!(out["raw_data"], Value::Null);
}

#[tokio::test]
async fn client_credentials_with_basic_and_json_sends_only_grant_and_scope() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .and(header("authorization", "Basic Y2lkOmNzZWNyZXQ="))
        .and(header("content-type", "application/json"))
        .and(body_string(
            r#"{"grant_type":"client_credentials","scope":"api.read"}"#,
        ))
        .respond_with(tokens())
        .expect(1)
        .mount(&server)
        .await;
    let out = run(
        &ClientCredentials,
        "handle_client_credentials_request",
        json!({
            "settings": {"base_url": server.uri()},
            "request": {"client_id": "cid", "client_secret": "csecret", "scopes": []}
        }),
    )
    .await;
    assert_eq!(out["response"]["access_token"], "at-123");
}

#[tokio::test]
async fn a_get_query_token_request_carries_the_grant_in_the_query() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/token"))
        .and(query_param("grant_type", "client_credentials"))
        .and(query_param("scope", "x y"))
        .respond_with(tokens())
        .expect(1)
        .mount(&server)
        .await;
    let settings = Settings {
        base_url: server.uri(),
    };
    let oauth = client_credentials(TokenRequest::GetQuery);
    // Through the public resolve: the computed endpoint is the one asked.
    assert_eq!(
        oauth.token_url.resolve(&settings),
        format!("{}/token", server.uri())
    );
    struct Query;
    impl Connector for Query {
        type Settings = Settings;
        type Credentials = OAuthCredential;
        fn metadata() -> Metadata {
            Metadata::new("oauth_query", "0.1.0")
        }
        fn capabilities() -> Capabilities<Self> {
            Capabilities::new()
        }
        fn oauth() -> OAuth<Settings> {
            OAuth::none().single(client_credentials(TokenRequest::GetQuery))
        }
    }
    let out = run(
        &Query,
        "handle_client_credentials_request",
        json!({
            "settings": {"base_url": server.uri()},
            "request": {"client_id": "cid", "client_secret": "csecret", "scopes": ["x", "y"]}
        }),
    )
    .await;
    assert_eq!(out["response"]["access_token"], "at-123");
}

#[tokio::test]
async fn the_authorization_url_carries_the_reference_parameters_and_pkce() {
    let out = run(&CodeFlow, "get_authorization_url", json!({
        "settings": {"base_url": "https://demo.example.com"},
        "request": {"client_id": "cid", "scopes": ["a"], "redirect_uri": "https://app.example.com/callback", "state": "st-1"}
    }))
    .await;
    let url = out["response"]["authorization_url"].as_str().unwrap();
    assert!(url.starts_with("https://auth.example.com/oauth/authorize?client_id=cid&response_type=code&scope=a&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcallback&state=st-1&code_challenge="));
    assert!(url.ends_with("&code_challenge_method=S256"));
    assert_eq!(out["response"]["code_verifier"].as_str().unwrap().len(), 43);
}

#[tokio::test]
async fn a_hand_written_method_replaces_the_generated_one() {
    let out = run(
        &OwnRefresh,
        "refresh_access_token",
        json!({
            "settings": {"base_url": "http://127.0.0.1:9"},
            "request": {"client_id": "cid", "client_secret": "csecret", "refresh_token": "rt"}
        }),
    )
    .await;
    assert_eq!(out["response"]["access_token"], "hand-written");
}

/// Refreshes against a token endpoint answering `status` with `body`; returns the error.
async fn failure(status: u16, body: &str) -> Value {
    let server = MockServer::start().await;
    Mock::given(path("/token"))
        .respond_with(ResponseTemplate::new(status).set_body_string(body))
        .expect(1)
        .mount(&server)
        .await;
    let out = run(&CodeFlow, "refresh_access_token", json!({
        "settings": {"base_url": server.uri()},
        "request": {"client_id": "cid", "client_secret": "csecret-9f8e", "refresh_token": "rt-7d6c"}
    }))
    .await;
    let text = out.to_string();
    assert!(
        !text.contains("csecret-9f8e") && !text.contains("rt-7d6c"),
        "{text}"
    );
    out["error"].clone()
}

fn assert_mapped(error: &Value, code: &str, refreshable: bool) {
    assert_eq!(error["error_code"], code, "{error}");
    assert_eq!(error["error_metadata"]["retryable"], false, "{error}");
    assert_eq!(error["error_metadata"]["throttled"], false, "{error}");
    assert_eq!(
        error["error_metadata"]["refreshable"], refreshable,
        "{error}"
    );
    assert_eq!(error["status_code"], Value::Null, "{error}");
}

#[tokio::test]
async fn invalid_grant_is_authentication_expired_not_refreshable() {
    let error = failure(400, r#"{"error":"invalid_grant"}"#).await;
    assert_mapped(&error, "authentication_expired", false);
}

#[tokio::test]
async fn a_401_is_unauthorized() {
    assert_mapped(
        &failure(401, r#"{"error":"invalid_client"}"#).await,
        "unauthorized",
        false,
    );
}

#[tokio::test]
async fn a_403_is_permission_denied() {
    assert_mapped(&failure(403, "{}").await, "permission_denied", false);
}

#[tokio::test]
async fn a_429_is_rate_limit_not_throttled_and_not_retried() {
    assert_mapped(
        &failure(429, r#"{"error":"slow_down"}"#).await,
        "rate_limit",
        false,
    );
}

#[tokio::test]
async fn a_500_is_bad_gateway_and_not_retried() {
    assert_mapped(&failure(500, "{}").await, "bad_gateway", false);
}

#[tokio::test]
async fn a_non_json_failure_is_unauthorized() {
    assert_mapped(
        &failure(400, "<html>nope csecret-9f8e</html>").await,
        "unauthorized",
        false,
    );
}
