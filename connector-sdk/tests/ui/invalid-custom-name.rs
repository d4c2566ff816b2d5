use connector_sdk::connector;
use connector_sdk::prelude::*;

#[derive(Default)]
pub struct App;

#[connector(app_id = "app")]
impl App {
    #[allow(non_snake_case)]
    #[connector(custom)]
    fn countAccounts(&self, _cx: &ContextOf<Self>, _req: ListAccounts) -> Result<ValidatedCredentials> {
        Ok(ValidatedCredentials::default())
    }

    #[connector(custom)]
    fn count2(&self, _cx: &ContextOf<Self>, _req: ListAccounts) -> Result<ValidatedCredentials> {
        Ok(ValidatedCredentials::default())
    }
}

fn main() {
    connector_sdk::cli::run::<App>();
}
