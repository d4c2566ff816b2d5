// A custom capability with its own payload and response, returning a `Reply`.

use connector_sdk::connector;
use connector_sdk::prelude::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What `count_accounts` takes.
#[derive(Deserialize, Serialize, JsonSchema)]
pub struct CountAccounts {
    /// Count only active accounts.
    #[serde(default)]
    pub active_only: bool,
}

/// What `count_accounts` answers.
#[derive(Serialize, JsonSchema)]
pub struct AccountCount {
    /// How many.
    pub count: u64,
}

#[derive(Default)]
pub struct Counting;

#[connector(app_id = "counting", auth = TokenCredential)]
impl Counting {
    /// Counts the accounts.
    #[connector(custom, level = read)]
    async fn count_accounts(
        &self,
        _cx: &ContextOf<Self>,
        req: CountAccounts,
    ) -> Result<Reply<AccountCount>> {
        let count = if req.active_only { 1 } else { 2 };
        Ok(Reply::new(AccountCount { count }).with_raw_data(serde_json::json!({ "n": count })))
    }
}

fn main() {
    let _ = connector_sdk::cli::run::<Counting>;
}
