//! Serving over real HTTP on loopback, the limits: an oversized body, a panicking
//! capability, 200 concurrent calls, calls past `max_in_flight`, the deadline, SIGTERM
//! draining a slow call, and the access log with the observability headers.

mod common;
mod serving;

use std::process::Command;
use std::time::Duration;

use common::*;
use connector_sdk::serve::ServeOptions;
use connector_sdk_tests::demo_app::DemoApp;
use connector_sdk_tests::tortoise::{self, TortoiseApp};
use serde_json::{Value, json};
use serving::*;

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
