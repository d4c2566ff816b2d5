//! The runtime owns `raw_data` and the context's `Debug`: raw data is null unless the
//! request asks for it; asked, it is the upstream bodies the HTTP toolkit read; and a
//! capability printing its context shows no credential or secret setting.
#![cfg(feature = "http")]

use std::sync::Mutex;

use connector_sdk::connector::{Capabilities, Metadata};
use connector_sdk::http::{HttpConfig, HttpSettings};
use connector_sdk::prelude::*;
use serde_json::{Value, json};
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "tok-5e6f7a8b9c";
const SALT: &str = "salt-1a2b3c4d";

/// Settings with a field marked secret (its schema carries `x-secret`).
#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Settings {
    base_url: String,
    #[allow(dead_code)]
    signing_salt: Secret,
}

impl HttpSettings for Settings {
    fn base_url(&self) -> &str {
        &self.base_url
    }
}

/// What the last capability printed of its context.
static PRINTED: Mutex<String> = Mutex::new(String::new());

struct Upstream {
    http: HttpConfig,
}

impl Upstream {
    /// Two upstream calls; returns a fixed reply that carries raw data of its own.
    async fn validate_credentials(
        &self,
        cx: &ContextOf<Self>,
        _req: ValidateCredentials,
    ) -> Result<Reply<ValidatedCredentials>> {
        *PRINTED.lock().unwrap() = format!("{cx:?}");
        let api = self.http.client(cx)?;
        let _: Value = api.get("/first").fetch().await?;
        let _: Value = api.get("/second").fetch().await?;
        Ok(Reply::new(ValidatedCredentials {
            valid: true,
            unique_tenant_id: "t".into(),
        }))
    }

    /// One upstream call, and raw data of its own that the runtime must hide unless asked.
    async fn get_account(
        &self,
        cx: &ContextOf<Self>,
        _req: GetAccount,
    ) -> Result<Reply<FoundAccountData>> {
        let api = self.http.client(cx)?;
        let _: Value = api.get("/first").fetch().await?;
        Ok(Reply::new(FoundAccountData::default()).with_raw_data(json!({"own": true})))
    }
}

impl Connector for Upstream {
    type Settings = Settings;
    type Credentials = TokenCredential;

    fn metadata() -> Metadata {
        Metadata::new("raw_test", "1.0.0")
    }

    fn capabilities() -> Capabilities<Self> {
        Capabilities::<Self>::new()
            .standard::<caps::ValidateCredentials, _, _, _>(|c, cx, req| {
                Box::pin(c.validate_credentials(cx, req))
            })
            .standard::<caps::GetAccount, _, _, _>(|c, cx, req| Box::pin(c.get_account(cx, req)))
    }
}

async fn server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(path("/first"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"page": 1})))
        .mount(&server)
        .await;
    Mock::given(path("/second"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([{"id": "u2"}])))
        .mount(&server)
        .await;
    server
}

async fn call(server: &MockServer, capability: &str, include_raw_data: Option<bool>) -> Value {
    let request = json!({
        "auth": {"token": {"token": TOKEN}},
        "settings": {"base_url": server.uri(), "signing_salt": SALT},
        "request": {"account_id": "u1"},
        "include_raw_data": include_raw_data,
    });
    let connector = Upstream {
        http: HttpConfig::new("raw_test", "1.0.0"),
    };
    let out = connector.dispatch(capability, &request.to_string()).await;
    serde_json::from_str(&out).unwrap()
}

#[tokio::test]
async fn raw_data_is_null_unless_the_request_asks_for_it() {
    let server = server().await;
    for include in [None, Some(false)] {
        let out = call(&server, "get_account", include).await;
        assert_eq!(out["raw_data"], Value::Null, "{out}");
        let out = call(&server, "validate_credentials", include).await;
        assert_eq!(out["raw_data"], Value::Null, "{out}");
    }
}

#[tokio::test]
async fn asked_raw_data_is_the_upstream_bodies_in_request_order() {
    let server = server().await;
    let out = call(&server, "validate_credentials", Some(true)).await;
    assert_eq!(
        out["raw_data"],
        json!([{"page": 1}, [{"id": "u2"}]]),
        "{out}"
    );
}

#[tokio::test]
async fn raw_data_a_capability_returns_is_shown_when_asked() {
    let server = server().await;
    let out = call(&server, "get_account", Some(true)).await;
    assert_eq!(out["raw_data"], json!({"own": true}), "{out}");
}

#[tokio::test]
async fn a_printed_context_shows_no_credential_or_secret_setting() {
    let server = server().await;
    call(&server, "validate_credentials", None).await;
    let printed = PRINTED.lock().unwrap().clone();
    assert!(printed.contains("raw_test"), "{printed}");
    assert!(printed.contains("[REDACTED]"), "{printed}");
    assert!(!printed.contains(TOKEN), "{printed}");
    assert!(!printed.contains(SALT), "{printed}");
}
