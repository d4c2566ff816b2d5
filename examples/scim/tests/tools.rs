//! The author's tools against the SCIM connector: `dev crawl` of a real, seeded SCIM
//! server, a cassette recorded against it, and that cassette replayed offline.
//!
//! The replay test runs in every `cargo test` from the committed cassette
//! (`tests/data/scim.cassette.jsonl`). The crawl and the recording need the real
//! scim2-server (`bash scripts/scim-server.sh start`) and are `#[ignore]`d;
//! `scripts/tools-test.sh` runs them. `SCIM_UPDATE_CASSETTE=1` makes a new recording the
//! committed cassette.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use connector_sdk::Connector;
use connector_sdk::http::Cassette;
use scim_connector::Scim;
use serde_json::{Value, json};
use tokio::sync::Mutex;

/// The recording and the crawl both change or count the users: one at a time.
static SERVER: Mutex<()> = Mutex::const_new(());

/// The committed cassette.
fn cassette_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/scim.cassette.jsonl")
}

/// The base URL and token `scripts/scim-server.sh start` wrote.
fn server() -> (String, String) {
    let path = std::env::var_os("SCIM_TEST_SERVER_ENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/scim-server.env")
        });
    let text = std::fs::read_to_string(&path).unwrap_or_else(|err| {
        panic!(
            "No SCIM test server: cannot read {} ({err}); run `bash scripts/scim-server.sh start` first.",
            path.display()
        )
    });
    let values: HashMap<&str, &str> = text
        .lines()
        .filter_map(|line| line.split_once('='))
        .map(|(key, value)| (key.trim(), value.trim()))
        .collect();
    (
        values["SCIM_BASE_URL"].to_owned(),
        values["SCIM_TOKEN"].to_owned(),
    )
}

fn envelope(base_url: &str, token: &str, request: Value, page: Option<Value>) -> Value {
    json!({
        "auth": {"token": {"token": token}},
        "settings": {"base_url": base_url},
        "request": request,
        "page": page,
    })
}

async fn call(capability: &str, envelope: &Value) -> Value {
    let out = Scim::default()
        .dispatch(capability, &envelope.to_string())
        .await;
    serde_json::from_str(&out).unwrap_or_else(|_| panic!("not JSON: {out}"))
}

/// The calls recorded and replayed: validate, the first page of two accounts, then the
/// first of those accounts by id. Returns the three answers.
async fn script(base_url: &str, token: &str) -> [Value; 3] {
    let validated = call(
        "validate_credentials",
        &envelope(base_url, token, json!({}), None),
    )
    .await;
    let page = call(
        "list_accounts",
        &envelope(base_url, token, json!({}), Some(json!({"size": 2}))),
    )
    .await;
    let first = page["response"][0]["integration_specific_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let account = call(
        "get_account",
        &envelope(base_url, token, json!({"account_id": first}), None),
    )
    .await;
    [validated, page, account]
}

/// A plain client seeding the server directly.
async fn seed(base_url: &str, token: &str, users: usize) -> Vec<String> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("HTTP client");
    let run = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let mut ids = Vec::new();
    for n in 0..users {
        let user = json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": format!("tools{run}u{n:02}"),
            "active": true,
        });
        let created: Value = http
            .post(format!("{base_url}/Users"))
            .bearer_auth(token)
            .json(&user)
            .send()
            .await
            .expect("the SCIM server answers")
            .json()
            .await
            .expect("a created user");
        ids.push(created["id"].as_str().expect("an id").to_owned());
    }
    let members: Vec<Value> = ids
        .iter()
        .step_by(2)
        .map(|id| json!({"value": id}))
        .collect();
    let group = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "displayName": format!("tools{run}g"),
        "members": members,
    });
    let created = http
        .post(format!("{base_url}/Groups"))
        .bearer_auth(token)
        .json(&group)
        .send()
        .await
        .expect("the SCIM server answers");
    assert!(
        created.status().is_success(),
        "group not created: {}",
        created.status()
    );
    ids
}

/// The group members the server lists that are not among its users: scim2-server keeps a
/// deleted user in the groups it belonged to, so after the end-to-end tests a shared
/// server holds such dangling memberships, and the crawl must report exactly them.
async fn dangling_members(base_url: &str, token: &str) -> usize {
    let http = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("HTTP client");
    let all = |path: &'static str| {
        let http = http.clone();
        async move {
            let list: Value = http
                .get(format!("{base_url}/{path}?count=100000"))
                .bearer_auth(token)
                .send()
                .await
                .expect("the SCIM server answers")
                .json()
                .await
                .expect("a list response");
            list["Resources"].as_array().cloned().unwrap_or_default()
        }
    };
    let users: std::collections::HashSet<String> = all("Users")
        .await
        .iter()
        .filter_map(|user| user["id"].as_str().map(str::to_owned))
        .collect();
    let members: std::collections::HashSet<String> = all("Groups")
        .await
        .iter()
        .flat_map(|group| group["members"].as_array().cloned().unwrap_or_default())
        .filter_map(|member| member["value"].as_str().map(str::to_owned))
        .collect();
    members.difference(&users).count()
}

async fn total_users(base_url: &str, token: &str) -> u64 {
    let http = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("HTTP client");
    let list: Value = http
        .get(format!("{base_url}/Users?count=1"))
        .bearer_auth(token)
        .send()
        .await
        .expect("the SCIM server answers")
        .json()
        .await
        .expect("a list response");
    list["totalResults"].as_u64().expect("totalResults")
}

#[tokio::test]
async fn the_committed_cassette_replays_offline() {
    let cassette = Cassette::replay(cassette_path()).expect("tests/data/scim.cassette.jsonl");
    // Nothing listens on port 9: an answer can only come from the cassette.
    let base_url = "http://127.0.0.1:9/v2";
    let [validated, page, account] = cassette.scope(script(base_url, "replay-token")).await;
    assert!(validated.get("error").is_none(), "{validated}");
    let listed = page["response"].as_array().expect("a page of accounts");
    assert_eq!(listed.len(), 2, "{page}");
    assert!(page["page"]["token"].is_string(), "a next page: {page}");
    assert_eq!(
        account["response"]["integration_specific_id"],
        listed[0]["integration_specific_id"]
    );
    assert_eq!(account["response"]["username"], listed[0]["username"]);
    assert_eq!(
        cassette.unused(),
        0,
        "every recorded exchange was asked for"
    );
}

#[tokio::test]
async fn a_request_the_cassette_does_not_hold_is_an_error() {
    let cassette = Cassette::replay(cassette_path()).expect("tests/data/scim.cassette.jsonl");
    let envelope = envelope(
        "http://127.0.0.1:9/v2",
        "replay-token",
        json!({}),
        Some(json!({"size": 3})),
    );
    let answer = cassette.scope(call("list_accounts", &envelope)).await;
    let message = answer["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("holds no response to GET"), "{answer}");
}

#[test]
fn the_committed_cassette_holds_no_credential() {
    let text = std::fs::read_to_string(cassette_path()).expect("tests/data/scim.cassette.jsonl");
    assert!(!text.trim().is_empty(), "an empty cassette");
    for line in text.lines() {
        let exchange: Value = serde_json::from_str(line).expect("a JSON line");
        let authorization: Vec<&Value> = exchange["request_headers"]
            .as_array()
            .expect("request headers")
            .iter()
            .filter(|pair| {
                pair[0]
                    .as_str()
                    .is_some_and(|name| name.eq_ignore_ascii_case("authorization"))
            })
            .map(|pair| &pair[1])
            .collect();
        assert_eq!(authorization, [&json!("REDACTED")], "{line}");
    }
}

#[tokio::test]
#[ignore = "needs the SCIM test server: bash scripts/test-all.sh"]
async fn a_cassette_recorded_against_the_real_server_holds_no_token_and_replays() {
    let _server = SERVER.lock().await;
    let (base_url, token) = server();
    seed(&base_url, &token, 3).await;
    let dir = std::env::temp_dir().join(format!("scim-cassette-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let recording = dir.join("scim.cassette.jsonl");
    let cassette = Cassette::record(&recording).expect("a cassette");
    let [validated, page, account] = cassette.scope(script(&base_url, &token)).await;
    assert!(validated.get("error").is_none(), "{validated}");
    assert_eq!(page["response"].as_array().map(Vec::len), Some(2), "{page}");
    assert!(
        account["response"]["integration_specific_id"].is_string(),
        "{account}"
    );
    let text = std::fs::read_to_string(&recording).expect("the recording");
    assert!(!text.contains(&token), "the token reached the cassette");

    // Another host than the committed cassette's replay, so that no cached
    // ServiceProviderConfig of that test stands in for the recorded one.
    let replay = Cassette::replay(&recording).expect("the recording replays");
    let [_, replayed_page, replayed_account] = replay
        .scope(script("http://localhost:9/v2", "other-token"))
        .await;
    assert_eq!(replayed_page["response"], page["response"]);
    assert_eq!(replayed_account["response"], account["response"]);

    // SCIM_UPDATE_CASSETTE=1 makes this recording the committed one.
    if std::env::var_os("SCIM_UPDATE_CASSETTE").is_some() {
        std::fs::copy(&recording, cassette_path()).expect("the committed cassette");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
#[ignore = "needs the SCIM test server: bash scripts/test-all.sh"]
async fn dev_crawl_reports_every_user_once_and_exactly_the_dangling_ids() {
    let _server = SERVER.lock().await;
    let (base_url, token) = server();
    seed(&base_url, &token, 9).await;
    let users = total_users(&base_url, &token).await;
    let dir = std::env::temp_dir().join(format!("scim-crawl-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("envelope.json");
    let report_path = dir.join("report.json");
    std::fs::write(
        &input,
        envelope(&base_url, &token, json!({}), None).to_string(),
    )
    .unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_scim-connector"))
        .args(["dev", "crawl", "--json-file"])
        .arg(&input)
        .arg("--report")
        .arg(&report_path)
        .args(["--page-size", "7"])
        .env_remove("HTTP_PROXY")
        .env_remove("HTTPS_PROXY")
        .env_remove("ALL_PROXY")
        .output()
        .expect("run scim-connector");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("list_accounts: page 1:"),
        "plain progress lines: {stderr}"
    );
    assert!(!stdout.contains(&token) && !stderr.contains(&token));
    let report: Value = serde_json::from_slice(&std::fs::read(&report_path).unwrap()).unwrap();
    let accounts = report["capabilities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|cap| cap["capability"] == "list_accounts")
        .expect("list_accounts crawled");
    assert_eq!(accounts["complete"], true, "{report}");
    assert_eq!(
        accounts["items"].as_u64(),
        Some(users),
        "every user once: {report}"
    );
    assert_eq!(accounts["duplicates"], 0, "{report}");
    assert!(
        accounts["pages"].as_u64().unwrap_or(0) >= users.div_ceil(7),
        "pages of 7: {report}"
    );
    let dangling = dangling_members(&base_url, &token).await;
    assert_eq!(
        report["dangling"]["account_ids"].as_u64(),
        Some(dangling as u64),
        "exactly the server's dangling memberships: {report}"
    );
    assert_eq!(report["dangling"]["entitlement_ids"], 0, "{report}");
    assert_eq!(report["errors"], json!([]), "{report}");
    let _ = std::fs::remove_dir_all(&dir);
}
