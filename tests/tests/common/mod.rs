//! Helpers shared by the integration tests: running binaries with a timeout, finding the
//! `pretend-app` binary, calling the library entry, and comparing JSON key for key.

#![allow(dead_code)]

use std::future::Future;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;

/// How long one run of a binary (or one library call) may take before it counts as a hang.
pub const TIMEOUT: Duration = Duration::from_secs(20);

/// The token the example connectors accept, and a value that must never be logged.
pub const TOKEN: &str = "tok-SECRET-5d41402abc4b2a76";

/// What a binary did.
#[derive(Debug)]
pub struct Run {
    /// The exit code.
    pub code: i32,
    /// What it printed on stdout.
    pub stdout: Vec<u8>,
    /// What it printed on stderr.
    pub stderr: Vec<u8>,
}

impl Run {
    /// stdout as text.
    pub fn out(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    /// stderr as text.
    pub fn err(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }

    /// stdout parsed as one JSON document followed by one newline.
    pub fn json(&self) -> Value {
        let out = self.out();
        assert!(
            out.ends_with('\n') && out.matches('\n').count() == 1,
            "stdout is not one line: {out:?} (stderr: {:?})",
            self.err()
        );
        serde_json::from_str(&out).unwrap_or_else(|err| panic!("stdout is not JSON ({err}): {out}"))
    }

    /// Asserts a usage error: exit 2, nothing on stdout, exactly one line on stderr.
    pub fn assert_usage_error(&self) {
        assert_eq!(self.code, 2, "exit code; stderr: {:?}", self.err());
        assert!(self.stdout.is_empty(), "stdout: {:?}", self.out());
        let err = self.err();
        assert!(
            err.ends_with('\n') && err.matches('\n').count() == 1 && err.trim().len() > 5,
            "stderr is not one line: {err:?}"
        );
    }
}

/// Runs `command` with no stdin, reading its output while it runs (so a large output does
/// not block it); kills it and fails the test after [`TIMEOUT`].
pub fn run(command: &mut Command) -> Run {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|err| panic!("cannot start {command:?}: {err}"));
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let out_reader = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = stdout.read_to_end(&mut bytes);
        bytes
    });
    let err_reader = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = stderr.read_to_end(&mut bytes);
        bytes
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for the child") {
            break status;
        }
        if started.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{command:?} did not finish within {TIMEOUT:?}: killed");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let stdout = out_reader.join().expect("stdout reader");
    let stderr = err_reader.join().expect("stderr reader");
    let code = status
        .code()
        .unwrap_or_else(|| panic!("{command:?} was killed by a signal: {status:?}"));
    Run {
        code,
        stdout,
        stderr,
    }
}

/// A command for `bin` running in `cwd`, with none of the LUMOS_* or DEMO_* variables of
/// the test's own environment.
pub fn command(bin: &Path, cwd: &Path) -> Command {
    let mut command = Command::new(bin);
    command.current_dir(cwd);
    for (key, _) in std::env::vars_os() {
        let key_text = key.to_string_lossy();
        if key_text.starts_with("LUMOS_") || key_text.starts_with("DEMO_") {
            command.env_remove(&key);
        }
    }
    command
}

/// The demo twin's binary (this package's own).
pub fn demo_app() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_demo-app"))
}

/// The hazard connector's binary (this package's own).
pub fn hazard_app() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_hazard-app"))
}

/// The `pretend-app` binary, built once per test binary.
///
/// `CARGO_BIN_EXE_<name>` exists only for a package's own binaries, and pretend-app is
/// another package; nor is it a dependency, so `cargo test -p connector-sdk-tests` does
/// not build it. So the first caller runs `cargo build -p pretend-app --bin pretend-app
/// --message-format=json` with the same cargo that builds the tests, and takes the
/// binary's path from cargo's own `compiler-artifact` message. This is what `escargot`
/// does, without the extra dependency, and unlike guessing `../target/debug/pretend-app`
/// it stays right under `CARGO_TARGET_DIR`, a `build.target-dir` setting or `--release`.
/// When the binary is up to date the build is a no-op of a fraction of a second, and cargo
/// waits on its own lock if another cargo is building in the same target directory.
pub fn pretend_app() -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| build_binary("pretend-app", "pretend-app"))
        .clone()
}

/// Builds `bin` of `package` (once per call) and returns its path.
pub fn build_binary(package: &str, bin: &str) -> PathBuf {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate lives in the workspace");
    let mut cargo = Command::new(env!("CARGO"));
    cargo.current_dir(workspace).args([
        "build",
        "-p",
        package,
        "--bin",
        bin,
        "--message-format=json-render-diagnostics",
    ]);
    if !cfg!(debug_assertions) {
        cargo.arg("--release");
    }
    let output = cargo.stdin(Stdio::null()).output().expect("cargo runs");
    assert!(
        output.status.success(),
        "cargo build -p {package} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|message| {
            message["reason"] == "compiler-artifact" && message["target"]["name"] == bin
        })
        .find_map(|message| message["executable"].as_str().map(PathBuf::from))
        .unwrap_or_else(|| panic!("cargo did not report the {bin} executable:\n{stdout}"))
}

/// Runs a future to completion on a current-thread runtime.
pub fn block_on<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(future)
}

/// Runs `work` on its own thread and fails the test if it takes longer than [`TIMEOUT`].
pub fn within_timeout<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(move || {
            let _ = tx.send(work());
        })
        .expect("a thread");
    rx.recv_timeout(TIMEOUT)
        .unwrap_or_else(|err| panic!("the call did not finish within {TIMEOUT:?}: {err}"))
}

/// Parses JSON text (keys keep their order: the workspace enables `preserve_order`).
pub fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|err| panic!("not JSON ({err}): {text}"))
}

/// Asserts two JSON values are equal AND every object has the same keys in the same order.
pub fn assert_same_json(actual: &Value, expected: &Value) {
    let mut differences = Vec::new();
    compare(actual, expected, "$", true, &mut differences);
    assert!(
        differences.is_empty(),
        "JSON differs:\n  {}\nactual:   {actual}\nexpected: {expected}",
        differences.join("\n  ")
    );
}

/// Asserts two JSON values are equal, whatever the order of keys; lists every difference.
pub fn assert_equal_json_any_order(actual: &Value, expected: &Value) {
    let mut differences = Vec::new();
    compare(actual, expected, "$", false, &mut differences);
    assert!(
        differences.is_empty(),
        "JSON differs ({} differences):\n  {}",
        differences.len(),
        differences.join("\n  ")
    );
}

fn short(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 300 {
        format!("{}…", text.chars().take(300).collect::<String>())
    } else {
        text
    }
}

fn compare(actual: &Value, expected: &Value, path: &str, ordered: bool, out: &mut Vec<String>) {
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => {
            let a_keys: Vec<&String> = a.keys().collect();
            let e_keys: Vec<&String> = e.keys().collect();
            for key in &e_keys {
                if !a.contains_key(*key) {
                    out.push(format!(
                        "{path}.{key}: missing (expected {})",
                        short(&e[*key])
                    ));
                }
            }
            for key in &a_keys {
                if !e.contains_key(*key) {
                    out.push(format!("{path}.{key}: unexpected (is {})", short(&a[*key])));
                }
            }
            if ordered && a_keys.len() == e_keys.len() && a_keys != e_keys {
                out.push(format!("{path}: key order {a_keys:?}, expected {e_keys:?}"));
            }
            for (key, value) in e {
                if let Some(actual_value) = a.get(key) {
                    compare(actual_value, value, &format!("{path}.{key}"), ordered, out);
                }
            }
        }
        (Value::Array(a), Value::Array(e)) => {
            if a.len() != e.len() {
                out.push(format!(
                    "{path}: {} items, expected {}: {} vs {}",
                    a.len(),
                    e.len(),
                    short(actual),
                    short(expected)
                ));
            } else {
                for (index, (a, e)) in a.iter().zip(e).enumerate() {
                    compare(a, e, &format!("{path}[{index}]"), ordered, out);
                }
            }
        }
        (a, e) if a == e => {}
        (a, e) => out.push(format!("{path}: {} , expected {}", short(a), short(e))),
    }
}

/// The `error` object of an error envelope (fails if `envelope` is not one).
pub fn error_of(envelope: &Value) -> &Value {
    assert_eq!(
        envelope["is_error"], true,
        "not an error envelope: {envelope}"
    );
    &envelope["error"]
}

/// Asserts `envelope` is an error envelope with `code`, and returns its message.
pub fn assert_error_code(envelope: &Value, code: &str) -> String {
    let error = error_of(envelope);
    assert_eq!(error["error_code"], code, "{envelope}");
    let keys: Vec<&str> = envelope
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        ["is_error", "error", "raw_data", "page"],
        "{envelope}"
    );
    error["message"]
        .as_str()
        .expect("the message is a string")
        .to_owned()
}

/// Today's date in UTC, `YYYY-MM-DD`.
pub fn today_utc() -> String {
    let today = time::OffsetDateTime::now_utc().date();
    format!(
        "{:04}-{:02}-{:02}",
        today.year(),
        u8::from(today.month()),
        today.day()
    )
}

/// A fresh temporary directory.
pub fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary directory")
}

/// Every file under `dir` (recursively) as lossy text, with its path.
pub fn files_under(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(next) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&next) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if let Ok(bytes) = std::fs::read(&path) {
                found.push((path, String::from_utf8_lossy(&bytes).into_owned()));
            }
        }
    }
    found
}
