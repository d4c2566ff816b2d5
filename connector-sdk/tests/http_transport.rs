//! Transport of the HTTP toolkit: proxies (configured, and from the environment through a
//! child process), a private CA for an on-prem app served over TLS on loopback, the
//! credentials and user agent on the wire.
#![cfg(feature = "http")]

mod http_support;

use connector_sdk::http::{Auth, HttpConfig, HttpSettings};
use connector_sdk::models::BasicCredential;
use connector_sdk::{Context, ErrorCode, Secret};
use http_support::{TOKEN, recorded, token_cx};
use serde_json::{Value, json};
use wiremock::matchers::{header, header_exists, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Marks the child process of [`the_proxy_comes_from_the_environment`].
const CHILD: &str = "CONNECTOR_SDK_HTTP_PROXY_CHILD";

#[tokio::test]
async fn a_configured_proxy_carries_every_request() {
    let proxy = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/users"))
        .and(header("host", "app.invalid"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([{"id": "u1"}])))
        .mount(&proxy)
        .await;
    let (config, _) = recorded();
    let config = config.proxy(proxy.uri());
    // `app.invalid` does not resolve: only the proxy can answer.
    let cx = token_cx("http://app.invalid/api");
    let users: Value = config
        .client(&cx)
        .unwrap()
        .get("/users")
        .fetch()
        .await
        .unwrap();
    assert_eq!(users, json!([{"id": "u1"}]));
    let requests = proxy.received_requests().await.unwrap_or_default();
    assert_eq!(requests.len(), 1);
}

#[tokio::test]
async fn the_proxy_comes_from_the_environment() {
    if std::env::var_os(CHILD).is_some() {
        // The child: HTTP_PROXY names the parent's mock server, NO_PROXY may exempt the target.
        let target = std::env::var("CHILD_TARGET").unwrap_or_default();
        let config = HttpConfig::new("test_app", "1.0.0");
        let cx = token_cx(&target);
        let body: Value = config
            .client(&cx)
            .unwrap()
            .get("/ping")
            .fetch()
            .await
            .unwrap();
        println!("CHILD-ANSWER {body}");
        return;
    }
    let proxy = MockServer::start().await;
    Mock::given(path("/ping"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"via": "proxy"})))
        .mount(&proxy)
        .await;
    let direct = MockServer::start().await;
    Mock::given(path("/ping"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"via": "direct"})))
        .mount(&direct)
        .await;
    let run = |target: String, no_proxy: &str| {
        let mut command = std::process::Command::new(std::env::current_exe().expect("test binary"));
        command
            .args([
                "the_proxy_comes_from_the_environment",
                "--exact",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD, "1")
            .env("CHILD_TARGET", target)
            .env("HTTP_PROXY", proxy.uri())
            .env("http_proxy", proxy.uri())
            .env("NO_PROXY", no_proxy)
            .env("no_proxy", no_proxy)
            .env_remove("ALL_PROXY")
            .env_remove("all_proxy");
        let output = command.output().expect("child test");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let through_proxy = run("http://app.invalid".to_owned(), "");
    assert!(
        through_proxy.contains(r#"CHILD-ANSWER {"via":"proxy"}"#),
        "{through_proxy}"
    );
    let exempted = run(direct.uri(), "127.0.0.1,localhost");
    assert!(
        exempted.contains(r#"CHILD-ANSWER {"via":"direct"}"#),
        "{exempted}"
    );
}

#[tokio::test]
async fn a_private_ca_is_trusted_when_configured() {
    let (port, ca_pem) = http_support::tls_server(r#"{"tenant":"on-prem"}"#).await;
    let base = format!("https://localhost:{port}");
    let cx = token_cx(&base);

    // Without the CA: the handshake fails, and says so.
    let (config, sleeper) = recorded();
    let error = config
        .client(&cx)
        .unwrap()
        .get("/me")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.code(), ErrorCode::ConnectionRejected, "{error}");
    assert!(
        error.message().contains("TLS") && error.message().contains("GET /me"),
        "{error}"
    );
    assert!(
        sleeper.waits().is_empty(),
        "a certificate problem is not retried"
    );

    // With the CA in the setup.
    let (config, _) = recorded();
    let config = config.ca_bundle_pem(ca_pem.clone());
    let me: Value = config
        .client(&cx)
        .unwrap()
        .get("/me")
        .fetch()
        .await
        .unwrap();
    assert_eq!(me, json!({"tenant": "on-prem"}));

    // With the CA in the settings.
    #[derive(schemars::JsonSchema)]
    struct OnPrem {
        base_url: String,
        ca_bundle: String,
    }
    impl HttpSettings for OnPrem {
        fn base_url(&self) -> &str {
            &self.base_url
        }
        fn ca_bundle_pem(&self) -> Option<&str> {
            Some(&self.ca_bundle)
        }
    }
    let settings = OnPrem {
        base_url: base,
        ca_bundle: ca_pem,
    };
    let cx = Context::for_tests("test_app", settings, ());
    let (config, _) = recorded();
    let me: Value = config
        .client(&cx)
        .unwrap()
        .get("/me")
        .fetch()
        .await
        .unwrap();
    assert_eq!(me, json!({"tenant": "on-prem"}));
}

#[tokio::test]
async fn credentials_and_the_user_agent_go_on_the_wire() {
    let server = MockServer::start().await;
    let ok = || ResponseTemplate::new(200).set_body_json(json!({"ok": true}));
    Mock::given(path("/bearer"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(header(
            "user-agent",
            format!("test_app/9.9.9 connector-sdk/{}", env!("CARGO_PKG_VERSION")).as_str(),
        ))
        .and(header("accept", "application/json"))
        .respond_with(ok())
        .mount(&server)
        .await;
    // base64("ann:pa55word!")
    Mock::given(path("/basic"))
        .and(header("authorization", "Basic YW5uOnBhNTV3b3JkIQ=="))
        .respond_with(ok())
        .mount(&server)
        .await;
    Mock::given(path("/header"))
        .and(header("x-api-key", "k3y-123456"))
        .respond_with(ok())
        .mount(&server)
        .await;
    Mock::given(path("/query"))
        .and(query_param("api_key", "k3y-123456"))
        .and(query_param("page", "2"))
        .respond_with(ok())
        .mount(&server)
        .await;
    Mock::given(path("/none"))
        .and(header_exists("authorization"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&server)
        .await;
    Mock::given(path("/none"))
        .respond_with(ok())
        .mount(&server)
        .await;

    let (config, _) = recorded();
    let cx = token_cx(&server.uri());
    let api = config.client(&cx).unwrap();
    api.get("/bearer").send().await.unwrap();
    let api = api.with_auth(Auth::header("X-Api-Key", Secret::from("k3y-123456")));
    api.get("/header").send().await.unwrap();
    let api = api.with_auth(Auth::query("api_key", Secret::from("k3y-123456")));
    api.get("/query")
        .query(&[("page", 2)])
        .send()
        .await
        .unwrap();
    let api = api.with_auth(Auth::None);
    api.get("/none").send().await.unwrap();

    let basic = Context::for_tests(
        "test_app",
        server.uri(),
        BasicCredential {
            username: "ann".to_owned(),
            password: Secret::from("pa55word!"),
        },
    );
    config
        .client(&basic)
        .unwrap()
        .get("/basic")
        .send()
        .await
        .unwrap();
}
