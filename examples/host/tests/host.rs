//! The host binary and the host server: one process answering for pretend-app and SCIM,
//! each the same as the connector on its own.

use std::process::Command;

use connector_sdk::Connector as _;
use connector_sdk::serve::{ServeOptions, Server};
use pretend_app::PretendApp;
use serde_json::Value;

const LIST: &str = r#"{"auth":{"token":{"token":"pretend-token"}},"settings":{"base_url":"https://pretend.example"},"request":{},"page":{"size":2}}"#;

fn host() -> Command {
    Command::new(env!("CARGO_BIN_EXE_connector-host"))
}

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(future)
}

fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

#[test]
fn the_cli_lists_the_app_ids_as_a_response_envelope() {
    let output = host().arg("list_connector_app_ids").output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        "{\"response\":[\"pretend_app\",\"scim\"],\"raw_data\":null,\"page\":null,\"rate_limit\":null,\"execution_summary\":null}\n"
    );
}

#[test]
fn the_cli_runs_a_capability_of_the_named_connector_as_its_own_cli() {
    let output = host()
        .args(["pretend_app", "list_accounts", "--json", LIST])
        .env("LUMOS_LOG_DIRECTORY", std::env::temp_dir())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let expected = block_on(PretendApp::default().dispatch("list_accounts", LIST));
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        format!("{expected}\n")
    );
}

#[test]
fn the_cli_refuses_an_unknown_app_id_with_a_usage_error() {
    let output = host().args(["nope", "info"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("pretend_app, scim"), "{stderr}");
}

#[test]
fn the_server_routes_each_connector_under_its_app_id() {
    block_on(async {
        let host = connector_sdk::host![PretendApp, scim_connector::Scim];
        let options = ServeOptions {
            addr: "127.0.0.1:0".parse().unwrap(),
            access_log: false,
            ..ServeOptions::default()
        };
        let server = Server::bind_host(host, options).await.unwrap();
        let base = format!("http://{}", server.local_addr());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let running = tokio::spawn(server.run_until(async {
            let _ = stopped.await;
        }));
        let client = client();

        let listed = client
            .post(format!("{base}/list-connector-app-ids"))
            .send()
            .await
            .unwrap();
        assert_eq!(listed.status(), 200);
        let listed: Value = listed.json().await.unwrap();
        assert_eq!(
            listed["response"],
            serde_json::json!(["pretend_app", "scim"])
        );

        let answer = client
            .post(format!("{base}/pretend_app/list_accounts"))
            .body(LIST)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200);
        let expected = PretendApp::default().dispatch("list_accounts", LIST).await;
        assert_eq!(answer.text().await.unwrap(), expected);

        let info = client
            .get(format!("{base}/scim/info"))
            .send()
            .await
            .unwrap();
        assert_eq!(info.status(), 200);
        let info: Value = info.json().await.unwrap();
        assert_eq!(info["response"]["app_id"], "scim");

        for (method, path, status) in [
            ("POST", "/nope/list_accounts", 404),
            ("POST", "/scim/info", 404),
            ("GET", "/pretend_app/list_accounts", 405),
            ("POST", "/list_accounts", 404),
            ("GET", "/list_connector_app_ids", 405),
        ] {
            let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
            let answer = client
                .request(method.clone(), format!("{base}{path}"))
                .send()
                .await
                .unwrap();
            assert_eq!(answer.status(), status, "{method} {path}");
        }

        stop.send(()).unwrap();
        assert!(running.await.unwrap().unwrap());
    });
}
