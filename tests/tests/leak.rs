//! The leak test: every capability of every example connector, through its command line
//! at every log level and through the library, against an upstream that echoes the
//! request's own credentials and secrets of its own under every spelling (JSON keys,
//! headers, error and success bodies, plain text). None of those values may appear in
//! stdout, stderr, the log files, an error message or a `Debug` output; no raw data is
//! asked for, so none is excused.

mod common;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use common::{command, files_under, run, temp_dir};
use connector_sdk::Connector;
use serde_json::{Map, Value, json};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The request's token credential.
const TOKEN: &str = "LeakTok-8f2c6a91d3e7";
/// The request's basic credential password (multi-credential).
const PASSWORD: &str = "LeakPw-41b7e2c9aa05";
/// A settings value whose parse error must not be quoted past its kind.
const PARSE_TAIL: &str = "LeakTail-0b9e4f77a1";
/// Secrets only the upstream knows, under secret keys and headers.
const UPSTREAM: [&str; 7] = [
    "UpAccess-19d3b7c2",
    "UpSecret-93fb20aa",
    "UpApiKey-6e0c4d11",
    "UpSession-7d21ab08",
    "UpRefresh-c4e8f1e3",
    "UpCookie-5a1d7e90",
    "UpExtra-2bc94f06",
];
/// A key named only in LUMOS_ADDITIONAL_REDACTED_LOG_KEYS (spelled another way in bodies).
const EXTRA_KEY: &str = "tenant_pin_code";

const LEVELS: [&str; 4] = ["ERROR", "WARNING", "INFO", "DEBUG"];

/// Every value that must not appear anywhere. The request's own credentials are echoed
/// anywhere (free text included); the password and the upstream's secrets only under
/// secret keys and headers, since nothing else tells them from data.
fn forbidden() -> Vec<&'static str> {
    let mut all = vec![TOKEN, PASSWORD, PARSE_TAIL];
    all.extend(UPSTREAM);
    all
}

/// An upstream body echoing the credentials and its own secrets under every spelling,
/// beside the fields the examples read (a SCIM list, a user, http-example's tenant).
fn echo_body() -> Value {
    json!({
        "accessToken": TOKEN,
        "access_token": UPSTREAM[0],
        "Access-Token": TOKEN,
        "clientSecret": UPSTREAM[1],
        "apiKey": UPSTREAM[2],
        "sessionToken": UPSTREAM[3],
        "refresh-token": UPSTREAM[4],
        "password": PASSWORD,
        "TenantPinCode": UPSTREAM[6],
        "detail": format!("token {TOKEN} was rejected"),
        "error": {"message": format!("Bearer {TOKEN} is not valid"), "Set-Cookie": UPSTREAM[5]},
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "Resources": [],
        "totalResults": 0,
        "itemsPerPage": 0,
        "startIndex": 1,
        "id": "u-1",
        "userName": "leak-user",
        "active": true,
        "tenant_id": "acme",
        "users": [],
        "total": 0,
    })
}

/// Three upstreams: success bodies, JSON error bodies, plain-text error bodies; each
/// answers with secret headers too.
struct Upstreams {
    _runtime: tokio::runtime::Runtime,
    servers: Vec<MockServer>,
}

impl Upstreams {
    fn start() -> Upstreams {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a runtime");
        let servers = runtime.block_on(async {
            let mut servers = Vec::new();
            for (status, text) in [(200, false), (400, false), (403, true)] {
                let server = MockServer::start().await;
                let mut response = ResponseTemplate::new(status)
                    .insert_header("Set-Cookie", format!("sid={}", UPSTREAM[5]).as_str())
                    .insert_header("X-Api-Key", UPSTREAM[2])
                    .insert_header("Authorization", format!("Bearer {TOKEN}").as_str())
                    .insert_header("X-Echo", TOKEN);
                response = if text {
                    response.set_body_raw(
                        format!("denied: token {TOKEN} / session={TOKEN}"),
                        "text/plain",
                    )
                } else {
                    response.set_body_json(echo_body())
                };
                Mock::given(any())
                    .respond_with(response)
                    .mount(&server)
                    .await;
                servers.push(server);
            }
            servers
        });
        Upstreams {
            _runtime: runtime,
            servers,
        }
    }

    fn uri(&self, index: usize) -> String {
        self.servers[index % self.servers.len()].uri()
    }
}

/// An example connector: its binary and how its envelopes carry credentials.
struct Example {
    package: &'static str,
    bin: &'static str,
    credentials: fn() -> Map<String, Value>,
}

fn token_auth() -> Map<String, Value> {
    json!({"auth": {"token": {"token": TOKEN}}})
        .as_object()
        .cloned()
        .unwrap_or_default()
}

fn two_credentials() -> Map<String, Value> {
    json!({"credentials": [
        {"id": "api_token", "token": {"token": TOKEN}},
        {"id": "admin", "basic": {"username": "leak-admin", "password": PASSWORD}}
    ]})
    .as_object()
    .cloned()
    .unwrap_or_default()
}

const EXAMPLES: [Example; 4] = [
    Example {
        package: "pretend-app",
        bin: "pretend-app",
        credentials: token_auth,
    },
    Example {
        package: "http-example",
        bin: "http-example",
        credentials: token_auth,
    },
    Example {
        package: "scim-connector",
        bin: "scim-connector",
        credentials: token_auth,
    },
    Example {
        package: "multi-credential",
        bin: "multi-credential",
        credentials: two_credentials,
    },
];

/// The envelope of `capability`: a minimal valid request, the example's credentials
/// (none for the capabilities that take none) and the upstream as base URL.
fn envelope(info: &Value, capability: &str, credentials: &Map<String, Value>, base: &str) -> Value {
    let argument = &info["capability_schema"][capability]["argument"];
    let mut envelope = Map::new();
    envelope.insert("request".into(), minimal(argument, argument));
    envelope.extend(credentials.clone());
    envelope.insert("settings".into(), json!({"base_url": base}));
    Value::Object(envelope)
}

/// Asserts none of the forbidden values is in `text`.
fn assert_clean(what: &str, text: &str) {
    assert_none_of(&forbidden(), what, text);
}

/// Asserts none of `secrets` is in `text`.
fn assert_none_of(secrets: &[&str], what: &str, text: &str) {
    for secret in secrets {
        assert!(
            !text.contains(secret),
            "{secret} leaked into {what}:\n{text}"
        );
    }
}

fn binary(example: &Example) -> PathBuf {
    common::build_binary(example.package, example.bin)
}

fn cli_info(bin: &Path, dir: &Path) -> Value {
    let out = run(command(bin, dir).arg("info"));
    assert_eq!(out.code, 0, "{}", out.err());
    out.json()["response"].clone()
}

#[test]
fn no_secret_reaches_the_cli_output_or_its_logs_at_any_level() {
    let upstreams = Upstreams::start();
    for example in &EXAMPLES {
        let bin = binary(example);
        let dir = temp_dir();
        let logs = dir.path().join("logs");
        let info = cli_info(&bin, dir.path());
        let capabilities = capability_names(&info);
        for (index, capability) in capabilities.iter().enumerate() {
            // DEBUG (a file, then stderr) logs all the others do; each capability also
            // runs at one of ERROR, WARNING and INFO in turn, so every level is seen.
            let quieter = LEVELS[index % (LEVELS.len() - 1)];
            for (round, level) in [quieter, "DEBUG", "DEBUG"].into_iter().enumerate() {
                let to_stderr = round == 2;
                let base = upstreams.uri(index + round);
                let json = envelope(&info, capability, &(example.credentials)(), &base);
                let mut cli = command(&bin, dir.path());
                cli.args([capability.as_str(), "--json", &json.to_string()])
                    .env("LUMOS_LOG_LEVEL", level)
                    .env("LUMOS_LOG_DIRECTORY", &logs)
                    .env("LUMOS_ADDITIONAL_REDACTED_LOG_KEYS", EXTRA_KEY)
                    .env_remove("HTTP_PROXY")
                    .env_remove("HTTPS_PROXY")
                    .env_remove("ALL_PROXY");
                if to_stderr {
                    cli.env("LUMOS_LOG_TO_STDOUT", "true");
                }
                let out = run(&mut cli);
                let what = format!("{} {capability} at {level}", example.bin);
                assert_clean(&format!("stdout of {what}"), &out.out());
                assert_clean(&format!("stderr of {what}"), &out.err());
            }
        }
        let files = files_under(&logs);
        assert!(!files.is_empty(), "{} wrote no log file", example.bin);
        for (path, text) in files {
            assert_clean(&path.display().to_string(), &text);
        }
    }
}

#[test]
fn a_settings_parse_error_quotes_no_value_even_one_holding_serde_words() {
    let scim = &EXAMPLES[2];
    let bin = binary(scim);
    let dir = temp_dir();
    let json = json!({
        "auth": {"token": {"token": TOKEN}},
        "settings": {"base_url": "https://scim.example", "default_page_size": format!("-----BEGIN KEY-----, expected u32 {PARSE_TAIL}")},
        "request": {}
    });
    let out = run(command(&bin, dir.path()).args(["list_accounts", "--json", &json.to_string()]));
    let envelope = out.json();
    assert_eq!(envelope["error"]["error_code"], "bad_request", "{envelope}");
    assert_clean("the parse error", &out.out());
    assert!(!out.out().contains("BEGIN KEY"), "{}", out.out());
}

/// What must not appear through the library: all but the value under the key that only
/// LUMOS_ADDITIONAL_REDACTED_LOG_KEYS names (this process does not set it; the CLI test does).
fn library_forbidden() -> Vec<&'static str> {
    forbidden()
        .into_iter()
        .filter(|secret| *secret != UPSTREAM[6])
        .collect()
}

/// Collects what the library's logging writes, for the library test.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn library_run<C: Connector>(
    connector: &C,
    upstreams: &Upstreams,
    credentials: &Map<String, Value>,
    runtime: &tokio::runtime::Runtime,
) {
    let info = serde_json::to_value(connector_sdk::info::info::<C>()).expect("info as JSON");
    for (index, capability) in capability_names(&info).iter().enumerate() {
        for mode in 0..3 {
            let json = envelope(&info, capability, credentials, &upstreams.uri(index + mode));
            let out = runtime.block_on(connector.dispatch(capability, &json.to_string()));
            assert_none_of(
                &library_forbidden(),
                &format!("the library's {capability} envelope"),
                &out,
            );
        }
    }
}

#[test]
fn no_secret_reaches_library_envelopes_logs_or_debug() {
    // SAFETY of the test: this binary's other tests only set variables on child processes.
    let captured = Captured::default();
    let sink = captured.clone();
    tracing::subscriber::set_global_default(
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::DEBUG)
            .with_ansi(false)
            .with_writer(move || sink.clone())
            .finish(),
    )
    .expect("the only subscriber of this test binary");
    let upstreams = Upstreams::start();
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    library_run(
        &pretend_app::PretendApp::with_accounts(3),
        &upstreams,
        &token_auth(),
        &runtime,
    );
    library_run(
        &http_example::HttpExample::default(),
        &upstreams,
        &token_auth(),
        &runtime,
    );
    library_run(
        &scim_connector::Scim::default(),
        &upstreams,
        &token_auth(),
        &runtime,
    );
    library_run(
        &multi_credential::Directory::default(),
        &upstreams,
        &two_credentials(),
        &runtime,
    );
    let logged = String::from_utf8_lossy(
        &captured
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
    )
    .into_owned();
    assert!(
        logged.contains("HTTP response"),
        "the HTTP toolkit logged nothing"
    );
    assert_none_of(&library_forbidden(), "the library's DEBUG log", &logged);
}

#[test]
fn debug_of_every_credential_and_token_model_is_redacted() {
    use connector_sdk::models::{
        BasicCredential, HandleAuthorizationCallback, JWTCredential, OauthCredentials,
        RefreshAccessToken, TokenCredential,
    };
    let shown = [
        format!("{:?}", sample::<TokenCredential>(json!({"token": TOKEN}))),
        format!(
            "{:?}",
            sample::<BasicCredential>(json!({"password": PASSWORD}))
        ),
        format!(
            "{:?}",
            sample::<OauthCredentials>(
                json!({"access_token": TOKEN, "refresh_token": UPSTREAM[4]})
            )
        ),
        format!(
            "{:?}",
            sample::<RefreshAccessToken>(
                json!({"client_secret": UPSTREAM[1], "refresh_token": UPSTREAM[4]})
            )
        ),
        format!(
            "{:?}",
            sample::<HandleAuthorizationCallback>(
                json!({"client_secret": UPSTREAM[1], "code_verifier": UPSTREAM[3]})
            )
        ),
        format!(
            "{:?}",
            sample::<JWTCredential>(json!({"secret": UPSTREAM[1]}))
        ),
    ];
    for text in shown {
        assert_clean("a Debug output", &text);
    }
}

/// A `T` built from its schema's minimal value with `fields` set.
fn sample<T: serde::de::DeserializeOwned + schemars::JsonSchema>(fields: Value) -> T {
    let schema = serde_json::to_value(schemars::schema_for!(T)).expect("a schema");
    let mut value = minimal(&schema, &schema);
    if let (Some(object), Some(fields)) = (value.as_object_mut(), fields.as_object()) {
        object.extend(fields.clone());
    }
    serde_json::from_value(value).expect("a sample value")
}

/// The capability names `info` lists.
fn capability_names(info: &Value) -> Vec<String> {
    info["capabilities"]
        .as_array()
        .expect("info lists capabilities")
        .iter()
        .filter_map(|name| name.as_str().map(str::to_owned))
        .collect()
}

/// The schema `schema` points to, if it is a `$ref` into `$defs`.
fn resolve<'a>(schema: &'a Value, root: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => match reference.strip_prefix("#/$defs/") {
            Some(name) => resolve(&root["$defs"][name], root),
            None => schema,
        },
        None => schema,
    }
}

/// A minimal value valid for `schema`: an object holds only its required properties.
fn minimal(schema: &Value, root: &Value) -> Value {
    let schema = resolve(schema, root);
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        return values.first().cloned().unwrap_or(Value::Null);
    }
    if let Some(constant) = schema.get("const") {
        return constant.clone();
    }
    for key in ["anyOf", "oneOf", "allOf"] {
        if let Some(choices) = schema.get(key).and_then(Value::as_array) {
            let choice = choices
                .iter()
                .find(|choice| resolve(choice, root)["type"] != "null")
                .or(choices.first());
            return choice.map_or(Value::Null, |choice| minimal(choice, root));
        }
    }
    let kind = match &schema["type"] {
        Value::Array(kinds) => kinds
            .iter()
            .find(|kind| *kind != "null")
            .cloned()
            .unwrap_or(Value::Null),
        kind => kind.clone(),
    };
    match kind.as_str() {
        Some("object") | None if schema.get("properties").is_some() => {
            let mut object = Map::new();
            let properties = &schema["properties"];
            for name in schema["required"].as_array().into_iter().flatten() {
                if let Some(name) = name.as_str() {
                    object.insert(name.to_owned(), minimal(&properties[name], root));
                }
            }
            Value::Object(object)
        }
        Some("object") => json!({}),
        Some("array") => json!([]),
        Some("string") => json!("x"),
        Some("integer") | Some("number") => json!(0),
        Some("boolean") => json!(false),
        _ => Value::Null,
    }
}
