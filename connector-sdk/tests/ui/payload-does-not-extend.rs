use connector_sdk::connector;
use connector_sdk::prelude::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Meant to extend create_account's payload, but without `Extends<CreatableAccount>`.
#[derive(Serialize, Deserialize, JsonSchema)]
pub struct NewAccount {
    #[serde(flatten)]
    base: CreatableAccount,
    username: String,
}

#[derive(Default)]
pub struct App;

#[connector(app_id = "app")]
impl App {
    async fn create_account(&self, _cx: &ContextOf<Self>, _req: NewAccount) -> Result<CreatedAccount> {
        unreachable!("never run")
    }
}

fn main() {
    connector_sdk::cli::run::<App>();
}
