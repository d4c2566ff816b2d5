//! The floor of the `list_accounts` benchmark: what the demo twin's `list_accounts` of
//! `DEMO_ACCOUNTS` accounts in one page costs without any SDK.
//!
//! It builds the same tenant (`user-1` … `user-N`, `user-4` suspended), clones the same
//! page (all of it), and writes the same bytes the SDK prints: the success envelope with
//! `page: null` and a newline, serialised with serde_json straight into a buffered stdout.
//! Arguments are ignored, so it can be called with the connector's own argv
//! (`bench-floor list_accounts --json '...'`); `bench/compare.sh` checks its output is
//! byte-equal to the SDK's.

use std::collections::BTreeMap;
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use serde::Serialize;

/// One account, with the fields of the protocol's `FoundAccountData` in wire order and of
/// the same Rust types as the SDK's model, so that the tenant takes the same memory.
#[derive(Clone, Serialize)]
struct Account {
    integration_specific_id: String,
    resource_id: Option<String>,
    email: Option<String>,
    given_name: Option<String>,
    family_name: Option<String>,
    username: Option<String>,
    user_status: Option<Status>,
    extra_data: Option<serde_json::Map<String, serde_json::Value>>,
    custom_attributes: Option<BTreeMap<String, String>>,
    account_type: Option<Kind>,
}

/// The account statuses the tenant uses.
#[derive(Clone, Copy, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
enum Status {
    Active,
    Suspended,
}

/// The account type the tenant uses.
#[derive(Clone, Copy, Serialize)]
#[serde(rename_all = "lowercase")]
enum Kind {
    User,
}

/// The success envelope of a last page.
#[derive(Serialize)]
struct Envelope<'a> {
    response: &'a [Account],
    raw_data: Option<()>,
    page: Option<()>,
    rate_limit: Option<()>,
    execution_summary: Option<()>,
}

fn tenant(count: usize) -> Vec<Account> {
    (1..=count)
        .map(|i| Account {
            integration_specific_id: format!("user-{i}"),
            resource_id: None,
            email: Some(format!("user{i}@example.com")),
            given_name: Some(format!("Given{i}")),
            family_name: Some(format!("Family{i}")),
            username: Some(format!("user{i}")),
            user_status: Some(if i == 4 {
                Status::Suspended
            } else {
                Status::Active
            }),
            extra_data: None,
            custom_attributes: None,
            account_type: Some(Kind::User),
        })
        .collect()
}

/// Writes the answer of `list_accounts` of `count` accounts in one page into `out`.
fn write_answer(count: usize, out: impl Write) -> io::Result<()> {
    let accounts = tenant(count);
    let page = accounts.to_vec();
    let envelope = Envelope {
        response: &page,
        raw_data: None,
        page: None,
        rate_limit: None,
        execution_summary: None,
    };
    let mut out = BufWriter::new(out);
    serde_json::to_writer(&mut out, &envelope)?;
    out.write_all(b"\n")?;
    out.flush()
}

fn main() -> ExitCode {
    let count = std::env::var("DEMO_ACCOUNTS")
        .ok()
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or(5);
    match write_answer(count, io::stdout().lock()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("bench-floor: {err}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use connector_sdk::Connector;
    use connector_sdk_tests::demo_app::DemoApp;

    #[test]
    fn the_floor_writes_the_bytes_the_demo_twin_prints() {
        let mut floor = Vec::new();
        super::write_answer(7, &mut floor).unwrap();
        let envelope = r#"{"auth":{"token":{"token":"t"}},"settings":{"base_url":"https://x"},"request":{},"page":{"size":7}}"#;
        let sdk = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(DemoApp::with_accounts(7).dispatch("list_accounts", envelope));
        assert_eq!(String::from_utf8(floor).unwrap(), sdk + "\n");
    }
}
