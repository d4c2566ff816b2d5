use connector_sdk::connector;
use connector_sdk::prelude::*;

#[derive(Default)]
pub struct App;

#[connector(app_id = "app")]
impl App {
    fn validate_credentials(&self, _cx: &ContextOf<Self>) -> Result<ValidatedCredentials> {
        Ok(ValidatedCredentials::default())
    }

    fn delete_account(&self, _cx: &ContextOf<Self>, _req: DeleteAccount, _extra: u32) -> Result<DeletedAccount> {
        Ok(DeletedAccount { status: AccountStatus::Deleted, deleted: true })
    }

    fn list_accounts(&self, _cx: &ContextOf<Self>, _req: ListAccounts) -> Result<Paged<FoundAccountData, u32>> {
        Ok(Paged::last(Vec::new()))
    }
}

fn main() {
    connector_sdk::cli::run::<App>();
}
