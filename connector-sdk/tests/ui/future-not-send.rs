use connector_sdk::connector;
use connector_sdk::prelude::*;

#[derive(Default)]
pub struct App;

async fn tick() {}

#[connector(app_id = "app")]
impl App {
    async fn validate_credentials(&self, _cx: &ContextOf<Self>, _req: ValidateCredentials) -> Result<ValidatedCredentials> {
        let shared = std::rc::Rc::new(1);
        tick().await;
        Ok(ValidatedCredentials { valid: *shared == 1, unique_tenant_id: String::new() })
    }
}

fn main() {
    connector_sdk::cli::run::<App>();
}
