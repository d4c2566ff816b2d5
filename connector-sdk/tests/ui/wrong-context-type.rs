use connector_sdk::connector;
use connector_sdk::prelude::*;

#[derive(Default)]
pub struct App;

#[connector(app_id = "app", auth = TokenCredential)]
impl App {
    fn validate_credentials(
        &self,
        _cx: &UnauthenticatedContextOf<Self>,
        _req: ValidateCredentials,
    ) -> Result<ValidatedCredentials> {
        Ok(ValidatedCredentials::default())
    }

    async fn delete_account(&self, _cx: ContextOf<Self>, _req: DeleteAccount) -> Result<DeletedAccount> {
        Ok(DeletedAccount { status: AccountStatus::Deleted, deleted: true })
    }
}

fn main() {
    connector_sdk::cli::run::<App>();
}
