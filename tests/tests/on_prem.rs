//! What the on-prem agent sees of a connector binary (`pretend-app`): ERROR logs forwarded
//! to the agent (a loopback stand-in that accepts, one that hangs), and the bundle from
//! `dev build-bundle` unpacked and run.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;

const AGENT_KEY: &str = "agent-KEY-3c59dc048e8850243be8079a5c74d079";

/// A request the pretend app rejects (its `bad-token`), so the call logs an ERROR.
const REJECTED: &str = r#"{"auth": {"token": {"token": "bad-token"}}, "settings": {"base_url": "https://pretend.example"}, "request": {}}"#;

/// Runs `validate_credentials` on the rejected token with forwarding to `base_url` on;
/// returns the run and how long it took.
fn call_with_agent(dir: &Path, base_url: &str) -> (Run, Duration) {
    let binary = pretend_app();
    let started = Instant::now();
    let run = run(command(&binary, dir)
        .args(["validate_credentials", "--json", REJECTED])
        .env("LUMOS_ON_PREMISE_AGENT_SEND_CRITICAL_LOGS_TO_LUMOS", "true")
        .env("LUMOS_AGENT_IDENTIFIER", "agent-42")
        .env("LUMOS_ON_PREMISE_AGENT_BASE_URL", base_url)
        .env("LUMOS_ON_PREMISE_AGENT_API_KEY", AGENT_KEY));
    (run, started.elapsed())
}

#[test]
fn an_error_of_a_call_reaches_the_agent_with_its_headers() {
    use wiremock::matchers::{header, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    let dir = temp_dir();
    let agent = block_on(async {
        let agent = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/logs"))
            .and(header(
                "authorization",
                format!("Bearer {AGENT_KEY}").as_str(),
            ))
            .and(header("x-agent-identifier", "agent-42"))
            .respond_with(ResponseTemplate::new(202))
            .mount(&agent)
            .await;
        agent
    });
    let (run, _) = call_with_agent(dir.path(), &agent.uri());
    assert_eq!(run.code, 0, "{}", run.err());
    assert_eq!(run.json()["error"]["error_code"], "unauthorized");
    assert_eq!(run.err(), "");
    let requests = block_on(agent.received_requests()).unwrap();
    assert_eq!(requests.len(), 1, "one ERROR record, one POST");
    let body: Value = serde_json::from_slice(&requests[0].body).unwrap();
    assert_eq!(body["agent_identifier"], "agent-42");
    let log = body["log"].as_str().unwrap();
    assert!(log.contains(" ERROR pretend_app/unauthorized: "), "{log}");
    assert!(!log.contains(AGENT_KEY), "{log}");
}

#[test]
fn a_hanging_agent_neither_fails_nor_holds_up_the_call() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    // Accepts every connection and never answers.
    std::thread::spawn(move || {
        let held: Vec<_> = listener.incoming().collect();
        drop(held);
    });
    let dir = temp_dir();
    let (run, took) = call_with_agent(dir.path(), &base_url);
    assert_eq!(run.code, 0, "{}", run.err());
    assert_eq!(run.json()["error"]["error_code"], "unauthorized");
    // The flush deadline (2 s) and a margin for starting the binary.
    assert!(took < Duration::from_secs(4), "{took:?}");
    let err = run.err();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("warning: cannot forward ERROR logs to the on-prem agent at"),
        "{err}"
    );
    assert!(!err.contains(AGENT_KEY), "{err}");
}

#[test]
fn the_bundle_unpacks_to_a_runnable_connector_and_the_agents_metadata() {
    use std::os::unix::fs::PermissionsExt as _;

    let dir = temp_dir();
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    // Not `run`: compressing the ~100 MB debug binary can take longer than its timeout.
    let built = command(&pretend_app(), dir.path())
        .args(["dev", "build-bundle", "--manifest-path"])
        .arg(workspace.join("Cargo.toml"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&built.stdout);
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let archive = dir.path().join(stdout.trim_end());
    assert!(
        archive.ends_with("bundled/pretend_app-0.1.0.tar.gz"),
        "{archive:?}"
    );

    let unpacked = dir.path().join("unpacked");
    std::fs::create_dir(&unpacked).unwrap();
    let gz = flate2::read::GzDecoder::new(std::fs::File::open(&archive).unwrap());
    let mut tar = tar::Archive::new(gz);
    let mut names = Vec::new();
    for entry in tar.entries().unwrap() {
        let mut entry = entry.unwrap();
        assert_eq!(entry.header().mode().unwrap(), 0o770);
        names.push(entry.path().unwrap().display().to_string());
        entry.unpack_in(&unpacked).unwrap();
    }
    assert_eq!(names, ["main", "THIRD_PARTY_LICENSES.txt", "metadata.toml"]);
    assert_eq!(
        std::fs::read_to_string(unpacked.join("metadata.toml")).unwrap(),
        "[connector]\napp_id = \"pretend_app_on_prem\"\nversion = \"0.1.0\"\n"
    );
    let notices = std::fs::read_to_string(unpacked.join("THIRD_PARTY_LICENSES.txt")).unwrap();
    assert!(notices.contains("\nserde_json 1."), "{notices}");
    assert!(notices.contains("License: MIT OR Apache-2.0"), "{notices}");
    let main = unpacked.join("main");
    assert_eq!(
        std::fs::metadata(&main).unwrap().permissions().mode() & 0o777,
        0o770
    );

    let info = common::run(command(&main, &unpacked).arg("info"));
    assert_eq!(info.code, 0, "{}", info.err());
    assert_eq!(info.json()["response"]["app_id"], "pretend_app");
}
