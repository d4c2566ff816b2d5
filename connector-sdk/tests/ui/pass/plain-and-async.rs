// Plain and async methods in one impl, with doc comments and display names.

use connector_sdk::connector;
use connector_sdk::prelude::*;

#[derive(Default)]
pub struct Mixed;

#[connector(app_id = "mixed", auth = TokenCredential)]
impl Mixed {
    /// A plain method: the SDK wraps it in a future.
    fn validate_credentials(
        &self,
        cx: &ContextOf<Self>,
        _req: ValidateCredentials,
    ) -> Result<ValidatedCredentials> {
        Ok(ValidatedCredentials {
            valid: !cx.credentials().token.expose().is_empty(),
            unique_tenant_id: "mixed".into(),
        })
    }

    /// An async method returning a `Reply`.
    #[connector(display_name = "Delete It")]
    async fn delete_account(
        &self,
        _cx: &ContextOf<Self>,
        _req: DeleteAccount,
    ) -> Result<Reply<DeletedAccount>> {
        Ok(Reply::deleted(DeletedAccount {
            status: AccountStatus::Deleted,
            deleted: true,
        }))
    }

    /// A plain unauthenticated capability.
    fn validate_credential_config(
        &self,
        _cx: &UnauthenticatedContextOf<Self>,
        _req: ValidateCredentialConfig,
    ) -> Result<ValidatedCredentialConfig> {
        Ok(ValidatedCredentialConfig::default())
    }
}

fn main() {
    let _ = connector_sdk::cli::run::<Mixed>;
}
