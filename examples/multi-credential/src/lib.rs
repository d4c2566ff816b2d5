//! An example multi-credential connector: a read-only API token for listing, and an
//! optional admin login that only the write capabilities need. Requests carry
//! `credentials: [{"id": "api_token", "token": {...}}, {"id": "admin", "basic": {...}}]`.

use std::sync::Mutex;

use connector_sdk::connector;
use connector_sdk::credentials::CredentialSet;
use connector_sdk::prelude::*;

/// The directory's accounts, shared by every call of this process.
#[derive(Debug)]
pub struct Directory {
    accounts: Mutex<Vec<String>>,
}

impl Default for Directory {
    fn default() -> Self {
        Directory {
            accounts: Mutex::new(vec!["ada".into(), "grace".into(), "linus".into()]),
        }
    }
}

impl Directory {
    fn token(credentials: &CredentialSet) -> Result<&str> {
        let token = credentials
            .get::<TokenCredential>("api_token")?
            .token
            .expose();
        if token == "bad-token" {
            return Err(ConnectorError::unauthorized("The API token was rejected"));
        }
        Ok(token)
    }
}

#[connector(
    app_id = "multi_credential_demo",
    name = "Multi-credential Demo",
    credentials = [
        TokenCredential(id = "api_token", description = "A read-only API token."),
        BasicCredential(id = "admin", description = "An administrator login, needed to create accounts.", optional),
    ],
    allowed_credentials = [["api_token"], ["api_token", "admin"]],
)]
impl Directory {
    /// Checks the API token.
    async fn validate_credentials(
        &self,
        cx: &ContextOf<Self>,
        _req: ValidateCredentials,
    ) -> Result<ValidatedCredentials> {
        Self::token(cx.credentials())?;
        Ok(ValidatedCredentials {
            valid: true,
            unique_tenant_id: "directory".into(),
        })
    }

    /// Lists the accounts, all on one page.
    async fn list_accounts(
        &self,
        cx: &ContextOf<Self>,
        _req: ListAccounts,
        _page: PageRequest<()>,
    ) -> Result<Paged<FoundAccountData, ()>> {
        Self::token(cx.credentials())?;
        let accounts = self
            .accounts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Ok(Paged::last(
            accounts
                .iter()
                .map(|name| FoundAccountData {
                    integration_specific_id: name.clone(),
                    username: Some(name.clone()),
                    ..Default::default()
                })
                .collect(),
        ))
    }

    /// Creates an account; needs the admin login.
    async fn create_account(
        &self,
        cx: &ContextOf<Self>,
        req: NewAccount,
    ) -> Result<CreatedAccount> {
        Self::token(cx.credentials())?;
        let admin = cx.credentials().get::<BasicCredential>("admin")?;
        if admin.password.expose().is_empty() {
            return Err(ConnectorError::unauthorized("The admin login was rejected"));
        }
        self.accounts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(req.username.clone());
        Ok(CreatedAccount {
            id: Some(req.username),
            status: AccountStatus::Active,
            created: true,
        })
    }
}

/// The create_account payload of this connector.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct NewAccount {
    /// The standard fields.
    #[serde(flatten)]
    pub base: CreatableAccount,
    /// The new account's login name.
    pub username: String,
}

impl connector_sdk::capability::Extends<CreatableAccount> for NewAccount {
    fn base(&self) -> &CreatableAccount {
        &self.base
    }
}
