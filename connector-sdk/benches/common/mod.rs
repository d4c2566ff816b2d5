//! The connector the micro-benchmarks run: token auth, one setting, a validation and a
//! listing of an in-memory tenant of any size, written with `#[connector]` as a user would.

use connector_sdk::connector;
use connector_sdk::prelude::*;

/// The bench connector's settings.
#[derive(serde::Deserialize, schemars::JsonSchema)]
pub struct BenchSettings {
    /// Base URL of the tenant.
    pub base_url: String,
}

/// An in-memory tenant.
pub struct Bench {
    accounts: Vec<FoundAccountData>,
}

/// `count` accounts shaped as the demo twin's.
pub fn accounts(count: usize) -> Vec<FoundAccountData> {
    (1..=count)
        .map(|i| FoundAccountData {
            integration_specific_id: format!("user-{i}"),
            email: Some(format!("user{i}@example.com")),
            given_name: Some(format!("Given{i}")),
            family_name: Some(format!("Family{i}")),
            username: Some(format!("user{i}")),
            user_status: Some(AccountStatus::Active),
            account_type: Some(AccountType::User),
            ..Default::default()
        })
        .collect()
}

impl Bench {
    /// A tenant of `count` accounts.
    pub fn with_accounts(count: usize) -> Self {
        Bench {
            accounts: accounts(count),
        }
    }
}

#[connector(app_id = "bench", auth = TokenCredential, settings = BenchSettings)]
impl Bench {
    /// Accepts any token.
    fn validate_credentials(
        &self,
        cx: &ContextOf<Self>,
        _req: ValidateCredentials,
    ) -> Result<ValidatedCredentials> {
        Ok(ValidatedCredentials {
            valid: true,
            unique_tenant_id: cx.settings().base_url.clone(),
        })
    }

    /// Lists the tenant from an offset.
    fn list_accounts(
        &self,
        _cx: &ContextOf<Self>,
        _req: ListAccounts,
        page: PageRequest<usize>,
    ) -> Result<Paged<FoundAccountData, usize>> {
        let start = page.cursor().copied().unwrap_or(0).min(self.accounts.len());
        let end = (start + page.size() as usize).min(self.accounts.len());
        Ok(Paged::new(
            self.accounts[start..end].to_vec(),
            (end < self.accounts.len()).then_some(end),
        ))
    }
}

/// A request envelope for the bench connector with `page` as the page object.
pub fn envelope(page: &str) -> String {
    format!(
        r#"{{"auth":{{"token":{{"token":"bench-token"}}}},"settings":{{"base_url":"https://bench.example"}},"request":{{}},"page":{page}}}"#
    )
}
