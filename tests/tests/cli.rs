//! The command line of a connector, on the built `pretend-app` binary (and, where a test
//! must see whether a capability ran at all, on this crate's `hazard-app`): `info`,
//! `--json`, `--json-file`, `--result-file-path`, usage errors, `--help`, `--version`,
//! and logging (LUMOS_LOG_LEVEL, LUMOS_LOG_DIRECTORY, the default `./logs`, redaction).

mod common;

use std::io::Read as _;
use std::path::Path;

use common::*;
use serde_json::Value;

const ENVELOPE: &str = r#"{"auth": {"token": {"token": "tok-SECRET-5d41402abc4b2a76"}}, "settings": {"base_url": "https://pretend.example"}, "request": {}}"#;

const VALID: &str = r#"{"response":{"valid":true,"unique_tenant_id":"https://pretend.example"},"raw_data":null,"page":null,"rate_limit":null,"execution_summary":null}"#;

fn pretend(dir: &Path, args: &[&str]) -> Run {
    common::run(command(&pretend_app(), dir).args(args))
}

#[test]
fn info_prints_the_connector() {
    let dir = temp_dir();
    let run = pretend(dir.path(), &["info"]);
    assert_eq!(run.code, 0, "{}", run.err());
    assert_eq!(run.err(), "");
    let out = run.json();
    for key in ["execution_summary", "page", "rate_limit", "raw_data"] {
        assert_eq!(out[key], Value::Null, "{key}");
    }
    let info = &out["response"];
    assert_eq!(info["app_id"], "pretend_app");
    assert_eq!(info["version"], "0.1.0");
    assert_eq!(info["user_friendly_name"], "Pretend App");
    let capabilities: Vec<&str> = info["capabilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|name| name.as_str().unwrap())
        .collect();
    let mut sorted = capabilities.clone();
    sorted.sort_unstable();
    assert_eq!(capabilities, sorted, "sorted");
    for name in [
        "validate_credentials",
        "list_accounts",
        "count_accounts",
        "delete_account",
    ] {
        assert!(capabilities.contains(&name), "{name}");
        assert!(
            info["capability_schema"][name]["argument"].is_object(),
            "{name}"
        );
    }
    assert_eq!(
        info["request_settings_schema"]["title"],
        "PretendAppSettings"
    );
    assert_eq!(info["authentication_schema"]["x-credential-type"], "token");
}

#[test]
fn json_argument() {
    let dir = temp_dir();
    let run = pretend(dir.path(), &["validate_credentials", "--json", ENVELOPE]);
    assert_eq!(run.code, 0);
    assert_eq!(run.out(), format!("{VALID}\n"));
    assert_eq!(run.err(), "");
}

#[test]
fn json_file_argument_with_and_without_quotes() {
    let dir = temp_dir();
    let file = dir.path().join("request file.json");
    std::fs::write(&file, ENVELOPE).unwrap();
    let path = file.to_str().unwrap();
    for given in [path.to_owned(), format!("\"{path}\""), format!("'{path}'")] {
        let run = pretend(dir.path(), &["validate_credentials", "--json-file", &given]);
        assert_eq!(run.code, 0, "{given}: {}", run.err());
        assert_eq!(run.out(), format!("{VALID}\n"), "{given}");
    }
    // A relative path is read from the working directory.
    let run = pretend(
        dir.path(),
        &["validate_credentials", "--json-file", "request file.json"],
    );
    assert_eq!(run.out(), format!("{VALID}\n"));
}

#[test]
fn result_file_path_writes_gzip_and_prints_nothing() {
    let dir = temp_dir();
    for (given, written) in [
        ("out.gz", "out.gz"),
        ("\"quoted.json.gz\"", "quoted.json.gz"),
        ("'single.gz'", "single.gz"),
    ] {
        let run = pretend(
            dir.path(),
            &[
                "validate_credentials",
                "--json",
                ENVELOPE,
                "--result-file-path",
                given,
            ],
        );
        assert_eq!(run.code, 0, "{given}: {}", run.err());
        assert_eq!(run.out(), "", "{given}: nothing on stdout");
        assert_eq!(run.err(), "", "{given}: nothing on stderr");
        let file = std::fs::File::open(dir.path().join(written)).expect("the result file");
        let mut content = String::new();
        flate2::read::GzDecoder::new(file)
            .read_to_string(&mut content)
            .expect("gzip");
        assert_eq!(content, VALID, "{given}: the envelope, no newline");
    }
    // `info` writes its output there too.
    let run = pretend(dir.path(), &["info", "--result-file-path", "info.gz"]);
    assert_eq!((run.code, run.out()), (0, String::new()));
    let mut content = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(dir.path().join("info.gz")).unwrap())
        .read_to_string(&mut content)
        .unwrap();
    assert_eq!(parse(&content)["response"]["app_id"], "pretend_app");
}

#[test]
fn a_result_path_not_ending_in_gz_is_a_usage_error() {
    let dir = temp_dir();
    for path in ["out.json", "out.gz.txt", "out", "gz"] {
        let run = pretend(
            dir.path(),
            &[
                "validate_credentials",
                "--json",
                ENVELOPE,
                "--result-file-path",
                path,
            ],
        );
        run.assert_usage_error();
        assert!(run.err().contains(".gz"), "{}", run.err());
        assert!(!dir.path().join(path).exists(), "{path} was created");
    }
}

#[test]
fn a_result_path_in_a_missing_directory_fails_before_the_capability_runs() {
    let dir = temp_dir();
    let run = pretend(
        dir.path(),
        &[
            "validate_credentials",
            "--json",
            ENVELOPE,
            "--result-file-path",
            "no/such/dir/out.gz",
        ],
    );
    run.assert_usage_error();

    // hazard-app's touch_marker creates a file: it must not have run.
    let marker = dir.path().join("marker");
    let json = format!(
        r#"{{"auth": {{"token": {{"token": "t"}}}}, "settings": {{}}, "request": {{"path": {}}}}}"#,
        Value::String(marker.to_str().unwrap().to_owned())
    );
    let run = common::run(command(&hazard_app(), dir.path()).args([
        "touch_marker",
        "--json",
        &json,
        "--result-file-path",
        "no/such/dir/out.gz",
    ]));
    run.assert_usage_error();
    assert!(
        !marker.exists(),
        "the capability ran before the result path was checked"
    );
    // The same call with a good path does run it.
    let run =
        common::run(command(&hazard_app(), dir.path()).args(["touch_marker", "--json", &json]));
    assert_eq!(run.code, 0, "{}", run.err());
    assert!(marker.exists());
}

#[test]
fn usage_errors_are_exit_2_with_one_line_on_stderr() {
    let dir = temp_dir();
    let file = dir.path().join("request.json");
    std::fs::write(&file, ENVELOPE).unwrap();
    let file = file.to_str().unwrap();
    let cases: Vec<Vec<&str>> = vec![
        vec!["no_such_capability", "--json", ENVELOPE],
        vec!["list_acounts", "--json", ENVELOPE],
        vec!["validate_credentials"],
        vec![
            "validate_credentials",
            "--json",
            ENVELOPE,
            "--json-file",
            file,
        ],
        vec!["validate_credentials", "--json", ""],
        vec!["validate_credentials", "--json", "   "],
        vec!["validate_credentials", "--json-file", "/no/such/file.json"],
        vec![
            "validate_credentials",
            "--json-file",
            dir.path().to_str().unwrap(),
        ],
        vec![],
        vec!["info", "--json", "x"],
        vec!["validate_credentials", "--json", ENVELOPE, "--bogus"],
        vec!["validate_credentials", "--json"],
        vec![
            "validate_credentials",
            "--json",
            ENVELOPE,
            "extra-positional",
        ],
    ];
    for args in cases {
        let run = pretend(dir.path(), &args);
        assert_eq!(run.code, 2, "{args:?}: exit code; stderr {:?}", run.err());
        run.assert_usage_error();
    }
}

#[test]
fn help_lists_the_capabilities() {
    let dir = temp_dir();
    let run = pretend(dir.path(), &["--help"]);
    assert_eq!(run.code, 0, "{}", run.err());
    let help = run.out();
    for name in [
        "info",
        "validate_credentials",
        "list_accounts",
        "list_entitlements",
        "list_resources",
        "find_entitlement_associations",
        "get_last_activity",
        "list_custom_attributes_schema",
        "create_account",
        "update_account",
        "activate_account",
        "deactivate_account",
        "delete_account",
        "assign_entitlement",
        "unassign_entitlement",
        "count_accounts",
    ] {
        assert!(help.contains(name), "--help does not list {name}:\n{help}");
    }
    assert!(help.contains("Pretend App"), "{help}");
    // Help of one capability names its flags.
    let run = pretend(dir.path(), &["list_accounts", "--help"]);
    assert_eq!(run.code, 0);
    for flag in ["--json", "--json-file", "--result-file-path"] {
        assert!(run.out().contains(flag), "{flag}: {}", run.out());
    }
}

#[test]
fn version_prints_the_version() {
    let dir = temp_dir();
    let run = pretend(dir.path(), &["--version"]);
    assert_eq!(run.code, 0);
    assert!(run.out().trim_end().ends_with("0.1.0"), "{}", run.out());
    assert_eq!(run.out().lines().count(), 1);
}

/// Anything but DEBUG, INFO, WARNING, ERROR or CRITICAL exactly, the empty value included
/// (the reference raises on it too), is refused before the capability runs.
#[test]
fn an_invalid_log_level_is_a_usage_error_naming_the_variable() {
    let dir = temp_dir();
    for level in ["LOUD", "debug", "", "INFO "] {
        let run = common::run(
            command(&pretend_app(), dir.path())
                .env("LUMOS_LOG_LEVEL", level)
                .args(["validate_credentials", "--json", ENVELOPE]),
        );
        run.assert_usage_error();
        assert!(
            run.err().contains("LUMOS_LOG_LEVEL"),
            "{level:?}: {}",
            run.err()
        );
    }
}

/// The log files under `dir`: exactly one, named `<app_id>_<UTC date>.log`.
fn the_log_file(dir: &Path, app_id: &str, dates: &[String]) -> String {
    let names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|err| panic!("{} is missing: {err}", dir.display()))
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 1, "one log file: {names:?}");
    assert!(
        dates
            .iter()
            .any(|date| names[0] == format!("{app_id}_{date}.log")),
        "{names:?}, expected {app_id}_{dates:?}.log"
    );
    std::fs::read_to_string(dir.join(&names[0])).unwrap()
}

#[test]
fn debug_logs_go_to_the_log_directory_without_secrets() {
    let work = temp_dir();
    let logs = temp_dir();
    let secret_setting = "settings-SECRET-value-9b74c9897bac770f";
    let envelope = format!(
        r#"{{"auth": {{"token": {{"token": "{TOKEN}"}}}}, "settings": {{"base_url": "https://pretend.example", "api_key": "{secret_setting}", "client_secret": "{secret_setting}"}}, "request": {{"password": "{secret_setting}"}}}}"#
    );
    let before = today_utc();
    let mut runs = Vec::new();
    for capability in [
        "validate_credentials",
        "list_accounts",
        "no_such_capability",
    ] {
        runs.push(common::run(
            command(&pretend_app(), work.path())
                .env("LUMOS_LOG_DIRECTORY", logs.path())
                .env("LUMOS_LOG_LEVEL", "DEBUG")
                .args([capability, "--json", &envelope]),
        ));
    }
    // An error envelope is logged too.
    let bad = envelope.replace(TOKEN, "bad-token");
    runs.push(common::run(
        command(&pretend_app(), work.path())
            .env("LUMOS_LOG_DIRECTORY", logs.path())
            .env("LUMOS_LOG_LEVEL", "DEBUG")
            .args(["validate_credentials", "--json", &bad]),
    ));
    let after = today_utc();
    let text = the_log_file(logs.path(), "pretend_app", &[before, after]);
    assert!(!text.is_empty(), "DEBUG logs something");
    assert!(text.contains("validate_credentials"), "{text}");
    assert!(
        !work.path().join("logs").exists(),
        "no ./logs when a directory is given"
    );
    for run in &runs {
        for shown in [run.out(), run.err()] {
            assert!(
                !shown.contains(TOKEN) && !shown.contains(secret_setting),
                "{shown}"
            );
        }
    }
    assert!(!text.contains(TOKEN), "the token is in the log:\n{text}");
    assert!(
        !text.contains(secret_setting),
        "a secret setting is in the log:\n{text}"
    );
}

#[test]
fn logs_default_to_logs_under_the_working_directory() {
    let work = temp_dir();
    let before = today_utc();
    let run = pretend(work.path(), &["validate_credentials", "--json", ENVELOPE]);
    assert_eq!(run.code, 0);
    let after = today_utc();
    // The file exists even when nothing was logged (default level ERROR), as the reference.
    let text = the_log_file(&work.path().join("logs"), "pretend_app", &[before, after]);
    assert!(!text.contains(TOKEN));
}

#[test]
fn log_to_stdout_means_stderr_and_no_file() {
    let work = temp_dir();
    let run = common::run(
        command(&pretend_app(), work.path())
            .env("LUMOS_LOG_TO_STDOUT", "True")
            .env("LUMOS_LOG_LEVEL", "INFO")
            .args(["validate_credentials", "--json", ENVELOPE]),
    );
    assert_eq!(run.code, 0);
    assert_eq!(
        run.out(),
        format!("{VALID}\n"),
        "stdout holds only the envelope"
    );
    assert!(!run.err().is_empty(), "INFO logs went to stderr");
    assert!(!run.err().contains(TOKEN), "{}", run.err());
    assert!(!work.path().join("logs").exists());
}

/// The settings line of a call at INFO, on stderr.
fn settings_log_line(request_settings: Option<&str>) -> Option<String> {
    let work = temp_dir();
    let mut cli = command(&pretend_app(), work.path());
    cli.env("LUMOS_LOG_TO_STDOUT", "true")
        .env("LUMOS_LOG_LEVEL", "INFO")
        .args(["validate_credentials", "--json", ENVELOPE]);
    if let Some(value) = request_settings {
        cli.env("LUMOS_LOG_REQUEST_SETTINGS", value);
    }
    let run = common::run(&mut cli);
    assert_eq!(run.code, 0, "{}", run.err());
    run.err()
        .lines()
        .find(|line| line.contains("request settings:"))
        .map(str::to_owned)
}

#[test]
fn each_call_logs_its_settings_at_info_unless_turned_off() {
    let line = settings_log_line(None).expect("a settings line by default");
    assert!(
        line.contains("connector.observability.request_logging")
            && line.contains(
                r#"pretend_app.validate_credentials request settings: {"base_url":"https://pretend.example""#
            ),
        "{line}"
    );
    assert!(!line.contains(TOKEN), "{line}");
    assert_eq!(settings_log_line(Some("false")), None);
    assert!(settings_log_line(Some("TRUE")).is_some());
}
