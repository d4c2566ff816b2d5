//! Serving over real HTTP on loopback, the routes: the CLI's exact answers for every
//! recorded run, the reference's 404 and 405, `info`, `openapi.json` and `healthz`, and
//! the caller token (wrong, missing, right; required beyond loopback).

mod common;
mod serving;

use std::net::SocketAddr;
use std::path::Path;

use common::*;
use connector_sdk::Connector as _;
use connector_sdk::serve::{CallerToken, ServeError, ServeOptions, Server};
use connector_sdk_tests::demo_app::DemoApp;
use serde_json::Value;
use serving::*;

#[tokio::test(flavor = "multi_thread")]
async fn the_recorded_http_run_is_answered_byte_for_byte() {
    let run = reference("http_post_validate_credentials");
    let server = start(DemoApp::default(), options()).await;
    let (status, content_type, body) = post(
        &client(),
        format!("{}{}", server.base, run["http"]["path"].as_str().unwrap()),
        run["input_json"].to_string(),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(content_type, "application/json");
    assert_eq!(body, run["stdout"].as_str().unwrap());
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn every_recorded_cli_call_gets_the_cli_s_exact_output() {
    let server = start(DemoApp::default(), options()).await;
    let client = client();
    let dir = tempfile::tempdir().unwrap();
    let mut compared = 0;
    let recorded = Path::new(env!("CARGO_MANIFEST_DIR")).join("../connector-sdk/tests/data");
    for entry in std::fs::read_dir(recorded).unwrap() {
        let path = entry.unwrap().path();
        // The demo connector's own command-line runs (the oauth_* and multi_* runs are
        // other connectors').
        let name = path
            .file_name()
            .and_then(|name| name.to_str())
            .unwrap_or_default();
        if !(name.starts_with("cli_") && name.ends_with(".json")) {
            continue;
        }
        let run = parse(&std::fs::read_to_string(path).unwrap());
        let Some(argv) = run["argv"].as_array() else {
            continue;
        };
        let args: Vec<&str> = argv
            .iter()
            .skip(1)
            .map(|arg| arg.as_str().unwrap())
            .collect();
        let Some(at) = args.iter().position(|arg| *arg == "--json") else {
            continue;
        };
        let capability = args[0];
        let envelope = args[at + 1];
        let cli = run_cli(&demo_app(), dir.path(), &[capability, "--json", envelope]);
        let expected = cli.out();
        let (status, _, body) = post(
            &client,
            format!("{}/{capability}", server.base),
            envelope.to_owned(),
        )
        .await;
        assert_eq!(status, 200, "{capability}");
        assert_eq!(format!("{body}\n"), expected, "{capability}");
        compared += 1;
    }
    assert!(compared >= 9, "only {compared} recorded calls compared");
    server.stop().await;
}

fn run_cli(bin: &Path, cwd: &Path, args: &[&str]) -> Run {
    run(command(bin, cwd).args(args))
}

#[tokio::test(flavor = "multi_thread")]
async fn edge_routes_answer_as_the_reference() {
    let server = start(DemoApp::default(), options()).await;
    let client = client();
    let base = &server.base;
    for (method, path, status, body) in [
        (
            "POST",
            "/no_such_capability",
            404,
            r#"{"detail": "Not Found"}"#,
        ),
        (
            "GET",
            "/validate_credentials",
            405,
            r#"{"detail": "Method Not Allowed"}"#,
        ),
        (
            "PUT",
            "/list_accounts",
            405,
            r#"{"detail": "Method Not Allowed"}"#,
        ),
        ("POST", "/info", 404, r#"{"detail": "Not Found"}"#),
        ("POST", "/openapi.json", 404, r#"{"detail": "Not Found"}"#),
        ("POST", "/a/b/c", 404, r#"{"detail": "Not Found"}"#),
    ] {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let answer = client
            .request(method.clone(), format!("{base}{path}"))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status().as_u16(), status, "{method} {path}");
        assert_eq!(answer.headers()["content-type"], "application/json");
        assert_eq!(answer.text().await.unwrap(), body, "{method} {path}");
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dash_in_the_path_stands_for_an_underscore() {
    let run = reference("http_post_validate_credentials");
    let server = start(DemoApp::default(), options()).await;
    let (status, _, body) = post(
        &client(),
        format!("{}/validate-credentials", server.base),
        run["input_json"].to_string(),
    )
    .await;
    assert_eq!(
        (status, body.as_str()),
        (200, run["stdout"].as_str().unwrap())
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn info_openapi_and_health_are_served_on_get() {
    let server = start(DemoApp::default(), options()).await;
    let client = client();
    let info: Value = client
        .get(format!("{}/info", server.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut expected = connector_sdk::info::info_envelope::<DemoApp>();
    expected.sort_all_objects();
    assert_eq!(info, expected);

    let openapi = client
        .get(format!("{}/openapi.json", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(openapi.status(), 200);
    let openapi: Value = openapi.json().await.unwrap();
    let app_info: Value = parse(
        &DemoApp::default()
            .dispatch("app_info", r#"{"request":{}}"#)
            .await,
    );
    assert_eq!(openapi, app_info["response"]["app_schema"]);
    assert_eq!(openapi["openapi"], "3.0.0");

    let health = client
        .get(format!("{}/healthz", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn with_a_token_only_callers_sending_it_are_served() {
    let server = start(
        DemoApp::default(),
        ServeOptions {
            token: Some(CallerToken::new(CALLER).unwrap()),
            ..options()
        },
    )
    .await;
    let client = client();
    let run = reference("http_post_validate_credentials");
    let url = format!("{}/validate_credentials", server.base);
    for authorization in [
        None,
        Some("Bearer wrong-token".to_owned()),
        Some(format!("Basic {CALLER}")),
    ] {
        let mut request = client.post(&url).body(run["input_json"].to_string());
        if let Some(value) = &authorization {
            request = request.header("authorization", value);
        }
        let answer = request.send().await.unwrap();
        assert_eq!(answer.status(), 401, "{authorization:?}");
        let envelope: Value = answer.json().await.unwrap();
        assert_eq!(envelope["is_error"], true);
        assert_eq!(envelope["error"]["error_code"], "unauthorized");
        assert!(!envelope.to_string().contains(CALLER));
    }
    let answer = client
        .post(&url)
        .bearer_auth(CALLER)
        .body(run["input_json"].to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(
        answer.text().await.unwrap(),
        run["stdout"].as_str().unwrap()
    );
    let info = client
        .get(format!("{}/info", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(info.status(), 401, "info needs the token too");
    let console = client
        .get(format!("{}/", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(console.status(), 200, "the console page itself is open");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_non_loopback_address_without_a_token_is_refused() {
    let options = ServeOptions {
        addr: SocketAddr::from(([0, 0, 0, 0], 0)),
        ..options()
    };
    match Server::bind_connector(DemoApp::default(), options).await {
        Err(ServeError::Unprotected(_)) => {}
        Err(other) => panic!("refused for another reason: {other}"),
        Ok(_) => panic!("a server on 0.0.0.0 started without a token"),
    }
}

#[test]
fn the_cli_refuses_to_serve_beyond_loopback_without_a_token() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = command(&demo_app(), dir.path());
    cmd.env_remove("CONNECTOR_SERVER_TOKEN")
        .args(["serve", "--host", "0.0.0.0", "--port", "0"]);
    let run = run(&mut cmd);
    assert_eq!(run.code, 1);
    assert!(
        run.err().contains("without a caller token"),
        "{}",
        run.err()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_large_listing_is_streamed_with_the_library_s_exact_bytes() {
    let app = DemoApp::with_accounts(20_000);
    let request = r#"{"auth": {"token": {"token": "t"}}, "settings": {"base_url": "https://demo.example"}, "request": {}, "page": {"size": 20000}}"#;
    let expected = app.dispatch("list_accounts", request).await;
    assert!(
        expected.len() > 1 << 20,
        "a listing larger than a few chunks"
    );
    let server = start(app, options()).await;
    let answer = client()
        .post(format!("{}/list_accounts", server.base))
        .body(request)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    // Sent as it is serialised: no length known up front.
    assert!(answer.headers().get("content-length").is_none());
    assert_eq!(answer.text().await.unwrap(), expected);
    server.stop().await;
}
