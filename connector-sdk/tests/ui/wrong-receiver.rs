use connector_sdk::connector;
use connector_sdk::prelude::*;

#[derive(Default)]
pub struct App;

#[connector(app_id = "app")]
impl App {
    fn validate_credentials(self, _cx: &ContextOf<Self>, _req: ValidateCredentials) -> Result<ValidatedCredentials> {
        Ok(ValidatedCredentials::default())
    }

    fn delete_account(&mut self, _cx: &ContextOf<Self>, _req: DeleteAccount) -> Result<DeletedAccount> {
        Ok(DeletedAccount { status: AccountStatus::Deleted, deleted: true })
    }

    fn get_account(_cx: &ContextOf<App>, _req: GetAccount) -> Result<FoundAccountData> {
        Ok(FoundAccountData::default())
    }

    fn validate_credential_config() -> Result<ValidatedCredentialConfig> {
        Ok(ValidatedCredentialConfig::default())
    }
}

fn main() {
    connector_sdk::cli::run::<App>();
}
