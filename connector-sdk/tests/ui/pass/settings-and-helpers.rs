// A connector with settings, metadata, a `#[connector(skip)]` helper inside the
// capability impl, and helpers in a second, plain impl block.

use connector_sdk::connector;
use connector_sdk::prelude::*;
use schemars::JsonSchema;
use serde::Deserialize;

/// The settings every request carries.
#[derive(Deserialize, JsonSchema)]
pub struct Settings {
    /// The tenant's base URL.
    pub base_url: String,
}

#[derive(Default)]
pub struct Helpful {
    prefix: String,
}

impl Helpful {
    fn tenant(&self, cx: &ContextOf<Self>) -> String {
        format!("{}{}", self.prefix, cx.settings().base_url)
    }
}

#[connector(
    app_id = "helpful",
    name = "Helpful",
    description = "Shows settings and helpers.",
    categories = [Developers],
    version = "2.0.0",
    auth = TokenCredential,
    settings = Settings,
)]
impl Helpful {
    /// Checks the token.
    async fn validate_credentials(
        &self,
        cx: &ContextOf<Self>,
        _req: ValidateCredentials,
    ) -> Result<ValidatedCredentials> {
        self.check(cx)?;
        Ok(ValidatedCredentials {
            valid: true,
            unique_tenant_id: self.tenant(cx),
        })
    }

    #[connector(skip)]
    fn check(&self, cx: &ContextOf<Self>) -> Result<()> {
        if cx.credentials().token.expose().is_empty() {
            return Err(ConnectorError::unauthorized("The token is empty"));
        }
        Ok(())
    }
}

fn main() {
    let _ = connector_sdk::cli::run::<Helpful>;
}
