use connector_sdk::connector;
use connector_sdk::prelude::*;

#[derive(Default)]
pub struct App;

#[connector(app_id = "app")]
impl App {
    fn validate_credentials(&self, _cx: &ContextOf<Self>, _req: ValidateCredentials) {}
}

fn main() {
    connector_sdk::cli::run::<App>();
}
