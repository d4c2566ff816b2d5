use connector_sdk::connector;
use connector_sdk::prelude::*;

#[derive(Default)]
pub struct App;

#[connector(app_id = "app")]
impl App {
    fn validate_credentials(&self, _cx: &ContextOf<Self>, _req: ValidateCredentials) -> Result<String> {
        Ok(String::new())
    }

    fn delete_account(&self, _cx: &ContextOf<Self>, _req: DeleteAccount) -> DeletedAccount {
        DeletedAccount { status: AccountStatus::Deleted, deleted: true }
    }

    fn list_accounts(
        &self,
        _cx: &ContextOf<Self>,
        _req: ListAccounts,
        _page: PageRequest<u32>,
    ) -> Result<Vec<FoundAccountData>> {
        Ok(Vec::new())
    }
}

fn main() {
    connector_sdk::cli::run::<App>();
}
