//! `connector-new new`: a scaffolded crate builds offline with the copied lock and its
//! tests pass at once, for every `--auth` choice (the slow test, `#[ignore]`d, run by
//! `scripts/tools-test.sh`); names and places it cannot use are usage errors.

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

#[test]
#[ignore = "builds and tests a crate per --auth choice (minutes): bash scripts/test-all.sh"]
fn every_auth_choice_builds_offline_and_passes_its_tests() {
    let dir = tempfile::tempdir().unwrap();
    let choices: [(&str, &[&str]); 6] = [
        ("app-token", &["--auth", "token"]),
        ("app-basic", &["--auth", "basic"]),
        ("app-oauth", &["--auth", "oauth"]),
        ("app-client", &["--auth", "oauth-client-credentials"]),
        ("app-multi", &["--auth", "token", "--multi-credential"]),
        (
            "app-multi-oauth",
            &["--auth", "oauth", "--multi-credential"],
        ),
    ];
    for (name, flags) in choices {
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
        let tested = Command::new(cargo)
            .args(["test", "--offline", "--locked"])
            .current_dir(dir.path().join(name))
            .env("CARGO_TARGET_DIR", shared_target())
            .output()
            .expect("run cargo test");
        assert!(
            tested.status.success(),
            "{name} {flags:?}:\n{}\n{}",
            String::from_utf8_lossy(&tested.stdout),
            String::from_utf8_lossy(&tested.stderr)
        );
        let stdout = String::from_utf8_lossy(&tested.stdout);
        assert!(
            stdout.contains("7 passed") || stdout.contains("8 passed"),
            "{name}: {stdout}"
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
