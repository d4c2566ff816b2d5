use connector_sdk::connector;
use connector_sdk::prelude::*;

/// A `Cell` makes the connector `!Sync`, but every call shares it.
#[derive(Default)]
pub struct App {
    calls: std::cell::Cell<u32>,
}

#[connector(app_id = "app")]
impl App {
    async fn validate_credentials(&self, _cx: &ContextOf<Self>, _req: ValidateCredentials) -> Result<ValidatedCredentials> {
        self.calls.set(self.calls.get() + 1);
        Ok(ValidatedCredentials::default())
    }
}

fn main() {
    connector_sdk::cli::run::<App>();
}
