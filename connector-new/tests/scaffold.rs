//! `connector-new new`: a scaffolded crate builds offline with the copied lock and its
//! tests (the SDK's conformance suite against a wiremock tenant among them) pass at once,
//! for every `--auth` choice (the slow test, `#[ignore]`d, run by `scripts/test-all.sh`);
//! names and places it cannot use are usage errors.

use std::path::{Path, PathBuf};
use std::process::Command;

fn connector_new(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_connector-new"))
        .arg("new")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run connector-new")
}

/// Where the scaffolded crates build: one target directory for all of them, so the SDK
/// and its dependencies compile once.
fn shared_target() -> PathBuf {
    std::env::var_os("CONNECTOR_NEW_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/scaffold"))
}

/// The passed and failed counts of every `test result:` line of `cargo test`, summed.
fn totals(stdout: &str) -> (usize, usize) {
    let count = |line: &str, what: &str| -> usize {
        line.split(';')
            .find_map(|part| part.trim().strip_suffix(what))
            .and_then(|number| number.trim().rsplit(' ').next()?.parse().ok())
            .unwrap_or(0)
    };
    stdout
        .lines()
        .filter(|line| line.starts_with("test result:"))
        .fold((0, 0), |(passed, failed), line| {
            (
                passed + count(line, " passed"),
                failed + count(line, " failed"),
            )
        })
}

/// The last `count` lines of `text`: a failed build's error, without its progress lines.
fn last_lines(text: &str, count: usize) -> String {
    let lines: Vec<&str> = text
        .lines()
        .filter(|line| !line.trim_start().starts_with("Compiling "))
        .collect();
    lines[lines.len().saturating_sub(count)..].join("\n")
}

#[test]
#[ignore = "builds and tests a crate per --auth choice (minutes): bash scripts/test-all.sh"]
fn every_auth_choice_builds_offline_and_passes_its_tests() {
    let dir = tempfile::tempdir().unwrap();
    // Each crate, its flags, and how many tests it has at least: the conformance suite,
    // three per-capability tests, and one per OAuth flow capability.
    let choices: [(&str, &[&str], usize); 6] = [
        ("app-token", &["--auth", "token"], 4),
        ("app-basic", &["--auth", "basic"], 4),
        ("app-oauth", &["--auth", "oauth"], 7),
        ("app-client", &["--auth", "oauth-client-credentials"], 5),
        ("app-multi", &["--auth", "token", "--multi-credential"], 4),
        (
            "app-multi-oauth",
            &["--auth", "oauth", "--multi-credential"],
            7,
        ),
    ];
    for (name, flags, at_least) in choices {
        let mut args = vec![name];
        args.extend_from_slice(flags);
        let made = connector_new(dir.path(), &args);
        assert!(
            made.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&made.stderr)
        );
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let formatted = Command::new(&cargo)
            .args(["fmt", "--check"])
            .current_dir(dir.path().join(name))
            .output()
            .expect("run cargo fmt");
        assert!(
            formatted.status.success(),
            "{name} is not formatted: {}",
            String::from_utf8_lossy(&formatted.stdout)
        );
        // No debug info and no incremental cache: the six crates' target stays small.
        let tested = Command::new(cargo)
            .args(["test", "--offline", "--locked"])
            .current_dir(dir.path().join(name))
            .env("CARGO_TARGET_DIR", shared_target())
            .env("CARGO_INCREMENTAL", "0")
            .env("CARGO_PROFILE_DEV_DEBUG", "false")
            .output()
            .expect("run cargo test");
        assert!(
            tested.status.success(),
            "{name} {flags:?}:\n{}\n{}",
            String::from_utf8_lossy(&tested.stdout),
            last_lines(&String::from_utf8_lossy(&tested.stderr), 40)
        );
        let stdout = String::from_utf8_lossy(&tested.stdout);
        assert!(
            stdout.contains("test the_connector_passes_the_conformance_suite ... ok"),
            "{name} did not run the conformance suite: {stdout}"
        );
        let (passed, failed) = totals(&stdout);
        assert!(
            passed >= at_least && failed == 0,
            "{name}: {passed} passed, {failed} failed (at least {at_least} expected): {stdout}"
        );
    }
}

#[test]
fn an_existing_directory_is_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("taken")).unwrap();
    std::fs::write(dir.path().join("taken/keep.txt"), "mine").unwrap();
    let made = connector_new(dir.path(), &["taken"]);
    assert!(!made.status.success());
    assert!(String::from_utf8_lossy(&made.stderr).contains("exists already"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("taken/keep.txt")).unwrap(),
        "mine"
    );
}

#[test]
fn a_name_that_is_no_crate_name_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let made = connector_new(dir.path(), &["../escape"]);
    assert_eq!(made.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&made.stderr).contains("not a crate name"));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn an_unknown_auth_choice_is_refused_with_the_choices() {
    let dir = tempfile::tempdir().unwrap();
    let made = connector_new(dir.path(), &["app", "--auth", "saml"]);
    assert_eq!(made.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&made.stderr);
    assert!(stderr.contains("oauth-client-credentials"), "{stderr}");
}
