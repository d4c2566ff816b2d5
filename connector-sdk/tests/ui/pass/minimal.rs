// The smallest connector: one capability, no settings, no credentials.

use connector_sdk::connector;
use connector_sdk::prelude::*;

#[derive(Default)]
pub struct Minimal;

#[connector(app_id = "minimal")]
impl Minimal {
    async fn validate_credentials(
        &self,
        _cx: &ContextOf<Self>,
        _req: ValidateCredentials,
    ) -> Result<ValidatedCredentials> {
        Ok(ValidatedCredentials {
            valid: true,
            unique_tenant_id: "minimal".into(),
        })
    }
}

fn main() {
    let _ = connector_sdk::cli::run::<Minimal>;
}
