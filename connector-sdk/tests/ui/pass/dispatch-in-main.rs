// A connector called through the library entry, `dispatch`, and its answers checked;
// a capability compiled out with `#[cfg]` is not registered.

use connector_sdk::connector;
use connector_sdk::prelude::*;

#[derive(Default)]
pub struct Echo;

#[connector(app_id = "echo", auth = TokenCredential)]
impl Echo {
    async fn validate_credentials(
        &self,
        cx: &ContextOf<Self>,
        _req: ValidateCredentials,
    ) -> Result<ValidatedCredentials> {
        Ok(ValidatedCredentials {
            valid: true,
            unique_tenant_id: cx.credentials().token.expose().to_owned(),
        })
    }

    fn list_accounts(
        &self,
        _cx: &ContextOf<Self>,
        _req: ListAccounts,
        page: PageRequest<u32>,
    ) -> Result<Paged<FoundAccountData, u32>> {
        let offset = page.cursor().copied().unwrap_or(0);
        let account = FoundAccountData {
            integration_specific_id: format!("u-{offset}"),
            ..FoundAccountData::default()
        };
        Ok(if offset == 0 {
            Paged::next(vec![account], 1)
        } else {
            Paged::last(vec![account])
        })
    }

    /// Compiled out: it must not be registered either.
    #[cfg(any())]
    async fn delete_account(
        &self,
        _cx: &ContextOf<Self>,
        _req: DeleteAccount,
    ) -> Result<DeletedAccount> {
        unreachable!()
    }
}

fn main() {
    assert_eq!(
        Echo::capabilities().names(),
        ["list_accounts", "validate_credentials"]
    );

    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime.block_on(async {
        let auth = r#""auth":{"token":{"token":"tenant-1"}}"#;
        let valid = Echo
            .dispatch(
                "validate_credentials",
                &format!(r#"{{{auth},"request":{{}}}}"#),
            )
            .await;
        let valid: serde_json::Value = serde_json::from_str(&valid).unwrap();
        assert_eq!(valid["response"]["valid"], true);
        assert_eq!(valid["response"]["unique_tenant_id"], "tenant-1");

        let first = Echo
            .dispatch("list_accounts", &format!(r#"{{{auth},"request":{{}}}}"#))
            .await;
        let first: serde_json::Value = serde_json::from_str(&first).unwrap();
        assert_eq!(first["response"][0]["integration_specific_id"], "u-0");
        let token = first["page"]["token"].as_str().expect("a next page token");

        let second = Echo
            .dispatch(
                "list_accounts",
                &format!(r#"{{{auth},"request":{{}},"page":{{"token":"{token}"}}}}"#),
            )
            .await;
        let second: serde_json::Value = serde_json::from_str(&second).unwrap();
        assert_eq!(second["response"][0]["integration_specific_id"], "u-1");
        assert!(second["page"]["token"].is_null());

        let unknown = Echo.dispatch("list_acounts", "{}").await;
        let unknown: serde_json::Value = serde_json::from_str(&unknown).unwrap();
        assert!(unknown["error"].is_object(), "{unknown}");
    });
}
