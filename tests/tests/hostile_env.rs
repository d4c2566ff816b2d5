//! The pretend-app binary against hostile envelopes (huge numbers, a request over the size
//! limit, deep nesting, bad UTF-8, envelopes on stdin) and a hostile working directory
//! (symlinks planted at the log file and the result file): every answer is an envelope
//! (exit 0) or one line and a non-zero exit, and no planted file is touched.

mod common;

use std::io::Write as _;
use std::path::Path;
use std::process::Stdio;

use common::*;
use serde_json::Value;

const AUTH: &str = r#""auth": {"token": {"token": "tok-SECRET-5d41402abc4b2a76"}}"#;
const SETTINGS: &str = r#""settings": {"base_url": "https://pretend.example"}"#;

/// Runs pretend-app in `dir` with the request on stdin (`--json-file -`).
fn with_stdin(dir: &Path, args: &[&str], env: &[(&str, &str)], input: &[u8]) -> Run {
    let mut command = command(&pretend_app(), dir);
    command.args(args).envs(env.iter().copied());
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    // The binary may stop reading early (a request over the limit): ignore a broken pipe.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap();
    Run {
        code: output.status.code().expect("exited, not killed"),
        stdout: output.stdout,
        stderr: output.stderr,
    }
}

/// Asserts the answer is one envelope with exit 0, or one stderr line and a non-zero exit.
fn assert_envelope_or_one_line(run: &Run) -> Option<Value> {
    if run.code == 0 {
        Some(run.json())
    } else {
        let err = run.err();
        assert!(
            err.trim_end().lines().count() == 1,
            "exit {} with stderr {err:?}",
            run.code
        );
        None
    }
}

fn envelope(rest: &str) -> String {
    format!(r#"{{{AUTH}, {SETTINGS}, {rest}}}"#)
}

#[test]
fn hostile_numbers_answer_with_an_envelope() {
    let dir = temp_dir();
    for rest in [
        r#""request": {}, "rate_limit": {"max_execution_time": 9223372036854775807}"#,
        r#""request": {}, "rate_limit": {"max_execution_time": -9223372036854775808}"#,
        r#""request": {}, "rate_limit": {"max_execution_time": 1e308}"#,
        r#""request": {}, "page": {"size": 4294967295}"#,
        r#""request": {}, "page": {"size": 18446744073709551616}"#,
        r#""request": {}, "rate_limit": {"last_known_state": {"x": {"remaining": 18446744073709551615, "reset": 18446744073709551615, "current_delay": 18446744073709551615}}}"#,
    ] {
        let run = with_stdin(
            dir.path(),
            &["list_accounts", "--json-file", "-"],
            &[],
            envelope(rest).as_bytes(),
        );
        assert_eq!(run.code, 0, "{rest}: {}", run.err());
        let out = run.json();
        assert!(
            out.get("response").is_some() || out["is_error"] == true,
            "{rest}: {out}"
        );
    }
}

#[test]
fn a_huge_page_size_is_clamped_to_the_maximum() {
    let dir = temp_dir();
    let run = with_stdin(
        dir.path(),
        &["list_accounts", "--json-file", "-"],
        &[("CONNECTOR_SDK_MAX_PAGE_SIZE", "3")],
        envelope(r#""request": {}, "page": {"size": 4000000000}"#).as_bytes(),
    );
    let out = run.json();
    assert_eq!(out["response"].as_array().map(Vec::len), Some(3), "{out}");
    assert_eq!(out["page"]["size"], 3);
}

#[test]
fn a_request_over_the_limit_is_bad_request_without_being_read_whole() {
    let dir = temp_dir();
    let huge = format!(
        r#"{{{AUTH}, {SETTINGS}, "request": {{}}, "padding": "{}"}}"#,
        "A".repeat(4 << 20)
    );
    let run = with_stdin(
        dir.path(),
        &["validate_credentials", "--json-file", "-"],
        &[("CONNECTOR_SDK_MAX_REQUEST_BYTES", "1048576")],
        huge.as_bytes(),
    );
    assert_eq!(run.code, 0, "{}", run.err());
    let out = run.json();
    assert_eq!(out["error"]["error_code"], "bad_request", "{out}");
    assert!(
        out["error"]["message"]
            .as_str()
            .unwrap()
            .contains("CONNECTOR_SDK_MAX_REQUEST_BYTES")
    );
}

#[test]
fn deep_nesting_and_bad_utf8_on_stdin() {
    let dir = temp_dir();
    let deep = format!("{}{}", "[".repeat(200_000), "]".repeat(200_000));
    let mut bad = envelope(r#""request": {}"#).into_bytes();
    bad.insert(3, 0xff);
    for input in [deep.into_bytes(), bad, b"\xfe\xff\x00".to_vec()] {
        let run = with_stdin(
            dir.path(),
            &["list_accounts", "--json-file", "-"],
            &[],
            &input,
        );
        assert_envelope_or_one_line(&run);
    }
}

#[cfg(unix)]
#[test]
fn planted_symlinks_are_never_written_through() {
    let dir = temp_dir();
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "planted").unwrap();
    std::fs::create_dir(dir.path().join("logs")).unwrap();
    let today = time::OffsetDateTime::now_utc().date();
    let log = dir.path().join(format!(
        "logs/pretend_app_{:04}-{:02}-{:02}.log",
        today.year(),
        u8::from(today.month()),
        today.day()
    ));
    std::os::unix::fs::symlink(&victim, &log).unwrap();
    std::os::unix::fs::symlink(&victim, dir.path().join("out.gz")).unwrap();

    let run = with_stdin(
        dir.path(),
        &[
            "validate_credentials",
            "--json-file",
            "-",
            "--result-file-path",
            "out.gz",
        ],
        &[("LUMOS_LOG_LEVEL", "DEBUG")],
        envelope(r#""request": {}"#).as_bytes(),
    );
    assert_eq!(run.code, 0, "{}", run.err());
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "planted");
    let err = run.err();
    assert_eq!(err.matches("symbolic link").count(), 1, "{err}");
    // The result replaced the link with a real, owner-only file.
    let meta = std::fs::symlink_metadata(dir.path().join("out.gz")).unwrap();
    assert!(meta.is_file());
    use std::os::unix::fs::PermissionsExt as _;
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
}

#[test]
fn a_failed_call_keeps_the_previous_result() {
    let dir = temp_dir();
    std::fs::write(dir.path().join("out.gz"), "previous").unwrap();
    let run = common::run(command(&pretend_app(), dir.path()).args([
        "list_accounts",
        "--json-file",
        "missing.json",
        "--result-file-path",
        "out.gz",
    ]));
    run.assert_usage_error();
    assert_eq!(
        std::fs::read_to_string(dir.path().join("out.gz")).unwrap(),
        "previous"
    );
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .filter(|name| name != "logs")
        .collect();
    assert_eq!(names, ["out.gz"], "no temporary file is left behind");
}

#[test]
fn an_unwritable_result_path_is_a_usage_error() {
    let dir = temp_dir();
    let run = common::run(command(&pretend_app(), dir.path()).args([
        "info",
        "--result-file-path",
        "no/such/dir/out.gz",
    ]));
    run.assert_usage_error();
}

#[cfg(target_os = "linux")]
#[test]
fn a_closed_stdout_is_a_failure() {
    let dir = temp_dir();
    // `sh -c 'exec >&-; …'` starts the binary with stdout closed.
    let script = format!("exec >&-; exec '{}' info", pretend_app().display());
    let run = common::run(command(Path::new("sh"), dir.path()).args(["-c", &script]));
    assert_ne!(run.code, 0);
    assert!(run.err().contains("stdout"), "{}", run.err());
}
