//! `pretend-app dev crawl`: the in-memory tenant walked to its last page through the CLI,
//! with the report on stdout, plain progress lines on stderr and the JSON report file.

use std::io::Write as _;
use std::process::{Command, Stdio};

use serde_json::Value;

const ENVELOPE: &str = r#"{"auth": {"token": {"token": "crawl-t0ken"}}, "settings": {"base_url": "https://pretend.example"}}"#;

/// Runs `pretend-app dev crawl --json-file - <args>` with the envelope on stdin.
fn crawl(args: &[&str]) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pretend-app"))
        .args(["dev", "crawl", "--json-file", "-"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run pretend-app");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(ENVELOPE.as_bytes())
        .unwrap();
    child.wait_with_output().expect("pretend-app ends")
}

fn report() -> Value {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.json");
    let output = crawl(&["--page-size", "7", "--report", path.to_str().unwrap()]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap()
}

fn capability<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["capabilities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|cap| cap["capability"] == name)
        .unwrap_or_else(|| panic!("{name} not crawled: {report}"))
}

#[test]
fn every_account_is_listed_once_over_its_pages() {
    let report = report();
    let accounts = capability(&report, "list_accounts");
    assert_eq!(accounts["items"], 30, "{accounts}");
    assert_eq!(
        accounts["pages"], 5,
        "30 accounts in pages of 7: {accounts}"
    );
    assert_eq!(accounts["duplicates"], 0, "{accounts}");
    assert_eq!(accounts["page_ms"].as_array().unwrap().len(), 5);
}

#[test]
fn associations_point_at_listed_accounts_and_entitlements() {
    let report = report();
    assert_eq!(
        capability(&report, "find_entitlement_associations")["complete"],
        true
    );
    assert_eq!(report["dangling"]["account_ids"], 0, "{report}");
    assert_eq!(report["dangling"]["entitlement_ids"], 0, "{report}");
    assert_eq!(report["errors"], serde_json::json!([]), "{report}");
}

#[test]
fn capabilities_whose_request_needs_fields_are_skipped_by_name() {
    let report = report();
    let skipped: Vec<&str> = report["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|skipped| skipped["capability"].as_str())
        .collect();
    assert!(skipped.contains(&"list_activity_records"), "{report}");
}

#[test]
fn progress_is_plain_lines_when_stderr_is_no_terminal() {
    let output = crawl(&["--page-size", "10"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("list_accounts: page 3: 10 items (30 so far)"),
        "{stderr}"
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("dangling association ids: 0 accounts, 0 entitlements"),
        "{stdout}"
    );
    assert!(!stdout.contains("crawl-t0ken") && !stderr.contains("crawl-t0ken"));
}

#[test]
fn an_envelope_that_is_not_json_is_a_usage_error() {
    let output = Command::new(env!("CARGO_BIN_EXE_pretend-app"))
        .args(["dev", "crawl", "--json-file", "/nonexistent/envelope.json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).starts_with("error: cannot read --json-file"));
}
