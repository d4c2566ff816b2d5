// A list capability whose cursor is the author's own struct.

use connector_sdk::connector;
use connector_sdk::prelude::*;
use serde::{Deserialize, Serialize};

/// Where the listing continues.
#[derive(Serialize, Deserialize)]
pub struct Cursor {
    endpoint: String,
    offset: u64,
}

#[derive(Default)]
pub struct Lister;

#[connector(app_id = "lister", auth = TokenCredential)]
impl Lister {
    /// Lists the accounts, five to a page.
    #[connector(page_size = 5)]
    async fn list_accounts(
        &self,
        _cx: &ContextOf<Self>,
        _req: ListAccounts,
        page: PageRequest<Cursor>,
    ) -> Result<Paged<FoundAccountData, Cursor>> {
        let offset = page.cursor().map_or(0, |cursor| cursor.offset);
        let next = Cursor {
            endpoint: "/users".into(),
            offset: offset + u64::from(page.size()),
        };
        Ok(Paged::next(vec![FoundAccountData::default()], next))
    }
}

fn main() {
    let _ = connector_sdk::cli::run::<Lister>;
}
