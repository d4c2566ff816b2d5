// Three independent mistakes: every one is reported by the same build.

use connector_sdk::connector;
use connector_sdk::prelude::*;

#[derive(Default)]
pub struct App;

#[connector(app_id = "app", catgories = [Developers])]
impl App {
    fn validate_credentials(&mut self, _cx: &ContextOf<Self>, _req: ValidateCredentials) -> Result<ValidatedCredentials> {
        Ok(ValidatedCredentials::default())
    }

    fn list_acounts(
        &self,
        _cx: &ContextOf<Self>,
        _req: ListAccounts,
        _page: PageRequest<u32>,
    ) -> Result<Paged<FoundAccountData, u32>> {
        Ok(Paged::last(Vec::new()))
    }
}

fn main() {
    connector_sdk::cli::run::<App>();
}
