use connector_sdk::connector;
use connector_sdk::prelude::*;

#[derive(Default)]
pub struct App;

pub trait Validate {
    fn validate_credentials(&self, cx: &ContextOf<App>, req: ValidateCredentials) -> Result<ValidatedCredentials>;
}

#[connector(app_id = "app")]
impl Validate for App {
    fn validate_credentials(&self, _cx: &ContextOf<App>, _req: ValidateCredentials) -> Result<ValidatedCredentials> {
        Ok(ValidatedCredentials::default())
    }
}

// The trait itself, written by hand: the macro's stand-in must not conflict with it.
#[derive(Default)]
pub struct ByHand;

#[connector(app_id = "by_hand")]
impl Connector for ByHand {
    type Settings = connector_sdk::connector::NoSettings;
    type Credentials = ();
    fn metadata() -> connector_sdk::connector::Metadata {
        connector_sdk::connector::Metadata::new("by_hand", "1.0.0")
    }
    fn capabilities() -> connector_sdk::connector::Capabilities<Self> {
        connector_sdk::connector::Capabilities::new()
    }
}

fn main() {
    connector_sdk::cli::run::<App>();
    connector_sdk::cli::run::<ByHand>();
}
