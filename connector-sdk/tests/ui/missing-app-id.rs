use connector_sdk::connector;
use connector_sdk::prelude::*;

#[derive(Default)]
pub struct App;

#[connector(name = "My App")]
impl App {
    fn validate_credentials(&self, _cx: &ContextOf<Self>, _req: ValidateCredentials) -> Result<ValidatedCredentials> {
        Ok(ValidatedCredentials::default())
    }
}

fn main() {
    connector_sdk::cli::run::<App>();
}
