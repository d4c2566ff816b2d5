//! Serving over real HTTP on loopback: the reference's routes and statuses, the CLI's exact
//! answers for the recorded runs, the caller token, the limits (body size, calls in flight,
//! deadline), panics, 200 concurrent calls, and SIGTERM draining a slow call.

mod common;

use std::io::{BufRead as _, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::*;
use connector_sdk::Connector;
use connector_sdk::serve::{CallerToken, ServeError, ServeOptions, Server};
use connector_sdk_tests::demo_app::DemoApp;
use connector_sdk_tests::tortoise::{self, TortoiseApp};
use serde_json::{Value, json};

/// The caller token of the servers that need one.
const CALLER: &str = "caller-token-7d1f0c";

/// A running server: its base URL and how to stop it.
struct Running {
    base: String,
    stop: tokio::sync::oneshot::Sender<()>,
    done: tokio::task::JoinHandle<Result<bool, ServeError>>,
}

impl Running {
    async fn stop(self) {
        let _ = self.stop.send(());
        assert!(
            self.done
                .await
                .expect("the server task")
                .expect("the server")
        );
    }
}

fn options() -> ServeOptions {
    ServeOptions {
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        access_log: false,
        ..ServeOptions::default()
    }
}

async fn start<C: Connector>(connector: C, options: ServeOptions) -> Running {
    let server = Server::bind_connector(connector, options)
        .await
        .expect("binds");
    let base = format!("http://{}", server.local_addr());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let done = tokio::spawn(server.run_until(async {
        let _ = stopped.await;
    }));
    Running { base, stop, done }
}

fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("a client")
}

/// POSTs `body` to `path` and returns the status, content type and body text.
async fn post(client: &reqwest::Client, url: String, body: String) -> (u16, String, String) {
    let answer = client.post(url).body(body).send().await.expect("an answer");
    let status = answer.status().as_u16();
    let content_type = answer
        .headers()
        .get("content-type")
        .map(|value| value.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, content_type, answer.text().await.unwrap())
}

fn reference(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/reference")
        .join(format!("{name}.json"));
    parse(&std::fs::read_to_string(path).unwrap())
}

fn nap(millis: u64, tag: u64) -> String {
    json!({"auth": {"token": {"token": "t"}}, "request": {"millis": millis, "tag": tag}})
        .to_string()
}

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
    for entry in
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("data/reference")).unwrap()
    {
        let run = parse(&std::fs::read_to_string(entry.unwrap().path()).unwrap());
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
async fn an_oversized_body_gets_413_with_an_error_envelope() {
    let server = start(
        DemoApp::default(),
        ServeOptions {
            max_body_bytes: 1024,
            ..options()
        },
    )
    .await;
    let body = json!({"request": {}, "settings": {"base_url": "x".repeat(2048)}}).to_string();
    let (status, content_type, text) = post(
        &client(),
        format!("{}/validate_credentials", server.base),
        body,
    )
    .await;
    assert_eq!(status, 413);
    assert_eq!(content_type, "application/json");
    let envelope = parse(&text);
    assert_eq!(envelope["is_error"], true);
    assert_eq!(envelope["error"]["error_code"], "bad_request");
    assert_eq!(envelope["error"]["status_code"], 413);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_panicking_capability_is_an_internal_error_envelope_with_200() {
    let server = start(TortoiseApp, options()).await;
    let (status, _, text) = post(
        &client(),
        format!("{}/explode", server.base),
        json!({"auth": {"token": {"token": "t"}}, "settings": {}, "request": {}}).to_string(),
    )
    .await;
    assert_eq!(status, 200);
    let envelope = parse(&text);
    assert_eq!(envelope["error"]["error_code"], "internal_error");
    assert!(!text.contains(tortoise::PANIC_SECRET));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn two_hundred_concurrent_calls_are_all_answered_correctly() {
    let server = start(
        TortoiseApp,
        ServeOptions {
            max_in_flight: 200,
            ..options()
        },
    )
    .await;
    let client = client();
    let calls = (0..200u64).map(|tag| {
        let client = client.clone();
        let url = format!("{}/nap", server.base);
        tokio::spawn(async move { (tag, post(&client, url, nap(200, tag)).await) })
    });
    let answers = futures_join(calls.collect()).await;
    assert_eq!(answers.len(), 200);
    for (tag, (status, _, text)) in answers {
        assert_eq!(status, 200, "call {tag}: {text}");
        assert_eq!(parse(&text)["response"]["tag"], tag);
    }
    server.stop().await;
}

async fn futures_join<T>(handles: Vec<tokio::task::JoinHandle<T>>) -> Vec<T> {
    let mut out = Vec::with_capacity(handles.len());
    for handle in handles {
        out.push(handle.await.expect("a call task"));
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn calls_past_max_in_flight_get_503_with_retry_after() {
    let server = start(
        TortoiseApp,
        ServeOptions {
            max_in_flight: 1,
            ..options()
        },
    )
    .await;
    let client = client();
    let slow = {
        let (client, url) = (client.clone(), format!("{}/nap", server.base));
        tokio::spawn(async move { post(&client, url, nap(1500, 1)).await })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let answer = client
        .post(format!("{}/nap", server.base))
        .body(nap(0, 2))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 503);
    assert_eq!(answer.headers()["retry-after"], "1");
    let envelope: Value = answer.json().await.unwrap();
    assert_eq!(envelope["error"]["error_code"], "service_error");
    assert_eq!(slow.await.unwrap().0, 200);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_call_past_the_deadline_gets_504_with_an_error_envelope() {
    let server = start(
        TortoiseApp,
        ServeOptions {
            timeout: Duration::from_secs(1),
            ..options()
        },
    )
    .await;
    let (status, _, text) = post(&client(), format!("{}/nap", server.base), nap(5000, 1)).await;
    assert_eq!(status, 504);
    assert_eq!(parse(&text)["error"]["error_code"], "budget_exhausted");
    server.stop().await;
}

/// Starts `tortoise-app serve` and returns it with the address it printed.
fn spawn_tortoise(
    dir: &Path,
    env: &[(&str, &str)],
) -> (
    std::process::Child,
    String,
    BufReader<std::process::ChildStderr>,
) {
    let mut child = command(&tortoise_app(), dir)
        .env_remove("CONNECTOR_SERVER_TOKEN")
        .envs(env.iter().copied())
        .args(["serve", "--port", "0", "--grace-seconds", "10"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("tortoise-app starts");
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    while !line.starts_with("serving on") {
        line.clear();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "tortoise-app did not start"
        );
    }
    let base = line
        .split_whitespace()
        .find(|word| word.starts_with("http://"))
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_owned();
    (child, base, stderr)
}

fn tortoise_app() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_BIN_EXE_tortoise-app"))
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_lets_a_slow_call_finish_and_refuses_new_ones() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, base, mut stderr) = spawn_tortoise(dir.path(), &[]);
    let client = client();
    let slow = {
        let (client, url) = (client.clone(), format!("{base}/nap"));
        tokio::spawn(async move { post(&client, url, nap(2000, 7)).await })
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    tokio::time::sleep(Duration::from_millis(300)).await;
    let refused = reqwest::Client::new()
        .post(format!("{base}/nap"))
        .body(nap(0, 8))
        .send()
        .await;
    assert!(refused.is_err(), "a new call was taken after SIGTERM");
    let (status, _, text) = slow.await.unwrap();
    assert_eq!(status, 200);
    assert_eq!(parse(&text)["response"]["tag"], 7);
    let status = tokio::task::spawn_blocking(move || child.wait())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(status.code(), Some(0));
    let mut log = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut log).unwrap();
    assert!(
        log.contains("access method=POST route=/nap status=200"),
        "{log}"
    );
    assert!(
        !log.contains("\"millis\""),
        "the access log shows a body: {log}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_observability_headers_label_the_access_line_and_the_connector_s_logs() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, base, mut stderr) = spawn_tortoise(
        dir.path(),
        &[
            ("LUMOS_LOG_TO_STDOUT", "true"),
            ("LUMOS_LOG_LEVEL", "DEBUG"),
        ],
    );
    let answer = client()
        .post(format!("{base}/nap"))
        .header("X-Lumos-Observability-flows_v2_execution_id", "flow-123")
        .header("X-Lumos-Observability-dagster.run_id", "run-456")
        .body(nap(0, 1))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    tokio::task::spawn_blocking(move || child.wait())
        .await
        .unwrap()
        .unwrap();
    let mut log = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut log).unwrap();
    let access = log
        .lines()
        .find(|line| line.starts_with("access method=POST route=/nap"))
        .unwrap_or_else(|| panic!("no access line in {log}"));
    assert!(
        access.ends_with("flows_v2_execution_id=flow-123 dagster.run_id=run-456"),
        "{access}"
    );
    let dispatching = log
        .lines()
        .find(|line| line.contains("dispatching"))
        .unwrap_or_else(|| panic!("no connector log record in {log}"));
    assert!(
        dispatching.contains("flows_v2_execution_id=\"flow-123\"")
            || dispatching.contains("flows_v2_execution_id=flow-123"),
        "{dispatching}"
    );
    assert!(dispatching.contains("run-456"), "{dispatching}");
}
