//! `probe_integration`: smoke checks of a connector against the credentials and settings
//! of the request, run through the connector's own capabilities, as connector-py's
//! ProbeModule with its default settings does.
//!
//! The checks run in order, each within [`CHECK_TIMEOUT`]:
//!
//! 1. `accounts`: one page ([`PAGE_SIZE`]) of `list_accounts`, with the account custom
//!    attributes `list_custom_attributes_schema` declares (narrowed by the request's
//!    `custom_attributes`); reports which attributes no sampled account carries;
//! 2. `entitlements`: up to [`MAX_ENTITLEMENT_PAGES`] pages of `list_entitlements`, until
//!    every declared entitlement type has been seen; reports each type as `found`,
//!    `not_found` (every page read) or `not_checked` (budget spent);
//! 3. `entitlement_associations`: `get_account_entitlement_associations` for up to
//!    [`MAX_ACCOUNTS_FOR_ASSOCIATIONS`] listed accounts when the connector has it, else one
//!    page of `find_entitlement_associations`.
//!
//! Every call goes to the capability's registered handler through the runtime's typed
//! path, with the settings and credentials the probe request already passed its checks
//! with (no raw data, `page: {size: 10}`), so it gets the same errors as any other call;
//! an error makes its check `failed` with that error.
//! A check whose capability the connector lacks is `unsupported`; a check the request's
//! `checks` leaves out is `skipped`. The run is `failed` if a check failed or if nothing
//! could be checked, `partial` if a declared entitlement type or custom attribute was not
//! seen, and `passed` otherwise.

mod checks;
mod report;

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::capability::Capability;
use crate::caps;
use crate::connector::{CapabilityEntry, Connector, ContextOf};
use crate::dispatch::{Checked, Input};
use crate::error::{ConnectorError, Result};
use crate::models::{
    CustomAttributeCustomizedType, CustomAttributeSchema, Error as WireError, FoundAccountData,
    ProbeCheck, ProbeCheckName, ProbeCheckSource, ProbeCheckStatus, ProbeCoverageStatus,
    ProbeIntegration, ProbeResults, ProbeStatus,
};
use crate::registry::erase;
use crate::runtime::Runtime;
use report::{elapsed_ms, failed, result, seconds, unsupported};

/// The page size of every call a check makes, and so the most records one page gives.
pub(crate) const PAGE_SIZE: u32 = 10;

/// How many pages of entitlements the `entitlements` check reads at most.
pub(crate) const MAX_ENTITLEMENT_PAGES: usize = 5;

/// How many accounts the `entitlement_associations` check asks about when the connector
/// has `get_account_entitlement_associations`.
pub(crate) const MAX_ACCOUNTS_FOR_ASSOCIATIONS: usize = 3;

/// How long one check may take before it fails with `request_timeout`.
pub(crate) const CHECK_TIMEOUT: Duration = Duration::from_secs(180);

/// The checks the runtime performs, in the order it runs them.
pub(crate) const DEFAULT_CHECKS: [ProbeCheckName; 3] = [
    ProbeCheckName::Accounts,
    ProbeCheckName::Entitlements,
    ProbeCheckName::EntitlementAssociations,
];

const LIST_ACCOUNTS: &str = "list_accounts";
const LIST_ENTITLEMENTS: &str = "list_entitlements";
const FIND_ASSOCIATIONS: &str = "find_entitlement_associations";
const ACCOUNT_ASSOCIATIONS: &str = "get_account_entitlement_associations";
const CUSTOM_ATTRIBUTES_SCHEMA: &str = "list_custom_attributes_schema";

/// The checks a connector with these capabilities can have performed (`x-probe-checks`):
/// those whose capabilities it registers.
///
pub(crate) fn performable_checks(capabilities: &[&str]) -> Vec<ProbeCheckName> {
    let has = |name: &str| capabilities.contains(&name);
    DEFAULT_CHECKS
        .into_iter()
        .filter(|check| match check {
            ProbeCheckName::Accounts => has(LIST_ACCOUNTS),
            ProbeCheckName::Entitlements => has(LIST_ENTITLEMENTS),
            ProbeCheckName::EntitlementAssociations => {
                has(FIND_ASSOCIATIONS) || (has(LIST_ACCOUNTS) && has(ACCOUNT_ASSOCIATIONS))
            }
            ProbeCheckName::CapabilityConfig => false,
        })
        .collect()
}

/// The registration of `probe_integration` for connector `C`: an authenticated
/// capability like any other.
pub(crate) fn entry<C: Connector>() -> CapabilityEntry<C> {
    CapabilityEntry::new(
        caps::ProbeIntegration::NAME,
        caps::ProbeIntegration::LEVEL,
        false,
        crate::schema::standard_schemas::<ProbeIntegration, ProbeResults>,
        erase(|connector: &C, invocation| {
            Box::pin(crate::dispatch::runners::run_standard::<
                C,
                caps::ProbeIntegration,
                ProbeIntegration,
                Result<ProbeResults>,
                _,
            >(
                connector,
                invocation,
                |connector, cx, probe| Box::pin(run(connector, cx, probe, CHECK_TIMEOUT)),
            ))
        }),
    )
}

/// Runs the checks `probe` asks for against `connector`, with the credentials and
/// settings of the request `cx` belongs to, each within `limit`.
pub(crate) async fn run<C: Connector>(
    connector: &C,
    cx: &ContextOf<C>,
    probe: ProbeIntegration,
    limit: Duration,
) -> Result<ProbeResults> {
    let started = Instant::now();
    let runtime = Runtime::<C>::get();
    let metadata = &runtime.metadata;
    let session = Session {
        connector,
        runtime,
        settings: cx.shared_settings(),
        credentials: cx.shared_credentials(),
        app_id: metadata.app_id,
        raised_in: format!("{}::{}", metadata.crate_name, caps::ProbeIntegration::NAME),
        capabilities: runtime.capabilities.names(),
        entitlement_types: metadata
            .entitlement_types
            .iter()
            .map(|entitlement_type| entitlement_type.type_id.clone())
            .collect(),
    };
    let mut checks = Vec::new();
    for name in DEFAULT_CHECKS {
        if let Some(requested) = &probe.checks
            && !requested.contains(&name)
        {
            let mut skipped = result(name, ProbeCheckStatus::Skipped, None);
            skipped.message = Some("Not requested in this run.".to_owned());
            checks.push(skipped);
            continue;
        }
        let check_started = Instant::now();
        let mut check = match tokio::time::timeout(limit, session.check(name, &probe)).await {
            Ok(Ok(check)) => check,
            Ok(Err(error)) => session.failed_unexpectedly(name, &error),
            Err(_elapsed) => {
                // The reference's RequestTimeoutError, with its transient-error hint.
                let error = ConnectorError::request_timeout(format!(
                    "Probing {name} took longer than {}s and was stopped.",
                    seconds(limit)
                ))
                .with_hint("Please retry the request.");
                session.failed_unexpectedly(name, &error)
            }
        };
        check.check = name;
        check.source = ProbeCheckSource::Default;
        if check.duration_ms.is_none() {
            check.duration_ms = Some(elapsed_ms(check_started));
        }
        checks.push(check);
    }
    Ok(ProbeResults {
        status: aggregate(&checks),
        checks,
        duration_ms: Some(elapsed_ms(started)),
    })
}

/// The overall status, as the reference reduces it: a failed check fails the run; a run
/// that checked nothing but found something unsupported fails; a declared entitlement type
/// or custom attribute not seen makes it partial; skipped checks count for nothing.
pub(crate) fn aggregate(checks: &[ProbeCheck]) -> ProbeStatus {
    let has = |status: ProbeCheckStatus| checks.iter().any(|check| check.status == status);
    if has(ProbeCheckStatus::Unsupported)
        && !has(ProbeCheckStatus::Passed)
        && !has(ProbeCheckStatus::Failed)
    {
        return ProbeStatus::Failed;
    }
    let mut status = ProbeStatus::Passed;
    for check in checks {
        if check.status == ProbeCheckStatus::Failed {
            return ProbeStatus::Failed;
        }
        let types = check.entitlement_types.iter().flatten().map(|r| r.status);
        let attributes = check.custom_attributes.iter().flatten().map(|r| r.status);
        if types
            .chain(attributes)
            .any(|coverage| coverage != ProbeCoverageStatus::Found)
        {
            status = ProbeStatus::Partial;
        }
    }
    status
}

/// What the checks share: the connector, the request's credentials and settings, and what
/// the connector declares.
struct Session<'a, C: Connector> {
    connector: &'a C,
    runtime: &'static Runtime<C>,
    settings: Arc<C::Settings>,
    credentials: Arc<C::Credentials>,
    app_id: &'static str,
    raised_in: String,
    capabilities: Vec<&'static str>,
    entitlement_types: Vec<String>,
}

/// A capability's answer: its response payload and next page token, or its error.
type Answer<T> = std::result::Result<(T, Option<String>), WireError>;

impl<C: Connector> Session<'_, C> {
    async fn check(&self, name: ProbeCheckName, probe: &ProbeIntegration) -> Result<ProbeCheck> {
        match name {
            ProbeCheckName::Accounts => self.check_accounts(probe).await,
            ProbeCheckName::Entitlements => self.check_entitlements().await,
            ProbeCheckName::EntitlementAssociations => self.check_associations().await,
            // Only a connector can check its own capability configuration.
            ProbeCheckName::CapabilityConfig => Ok(unsupported(name, None)),
        }
    }

    fn implements(&self, capability: &str) -> bool {
        self.capabilities.contains(&capability)
    }

    /// Calls `capability`'s handler with the probe request's checked credentials and
    /// settings, no raw data and a page of [`PAGE_SIZE`].
    async fn call<T: DeserializeOwned>(
        &self,
        capability: &str,
        request: Value,
        token: Option<String>,
    ) -> Result<Answer<T>> {
        let input = Input::Checked(Checked {
            settings: Arc::clone(&self.settings),
            credentials: Arc::clone(&self.credentials),
            request,
            page: Some(crate::page::Page {
                token,
                size: Some(PAGE_SIZE),
            }),
        });
        let raw = crate::dispatch::route(self.connector, self.runtime, capability, input)
            .await
            .into_string();
        let unreadable = |detail: String| {
            ConnectorError::internal_error(format!(
                "The answer of {capability} could not be read: {detail}"
            ))
        };
        let mut answer: Value =
            serde_json::from_str(&raw).map_err(|err| unreadable(err.to_string()))?;
        if answer.get("is_error") == Some(&json!(true)) {
            let error = serde_json::from_value(answer["error"].take())
                .map_err(|err| unreadable(err.to_string()))?;
            return Ok(Err(error));
        }
        let payload = serde_json::from_value(answer["response"].take())
            .map_err(|err| unreadable(err.to_string()))?;
        let next = answer
            .pointer("/page/token")
            .and_then(Value::as_str)
            .filter(|token| !token.is_empty())
            .map(str::to_owned);
        Ok(Ok((payload, next)))
    }

    /// The first page of accounts, asking for these custom attributes.
    async fn list_accounts(&self, attributes: &[String]) -> Result<Answer<Vec<FoundAccountData>>> {
        let custom_attributes = (!attributes.is_empty()).then_some(attributes);
        self.call(
            LIST_ACCOUNTS,
            json!({"custom_attributes": custom_attributes}),
            None,
        )
        .await
    }

    /// The connector's account attribute schema (none if it has none or it fails).
    async fn account_attribute_schemas(&self) -> Result<Vec<CustomAttributeSchema>> {
        if !self.implements(CUSTOM_ATTRIBUTES_SCHEMA) {
            return Ok(Vec::new());
        }
        let answer = self
            .call::<Vec<CustomAttributeSchema>>(CUSTOM_ATTRIBUTES_SCHEMA, json!({}), None)
            .await?;
        Ok(match answer {
            Ok((schemas, _)) => schemas
                .into_iter()
                .filter(|schema| schema.customized_type == CustomAttributeCustomizedType::Account)
                .collect(),
            Err(error) => {
                tracing::info!(
                    "Probe could not read the custom attribute schema: {}",
                    error.message
                );
                Vec::new()
            }
        })
    }

    /// A check stopped by something other than a capability's answer (an unreadable answer,
    /// the time limit): failed, with the error as the probe raised it.
    fn failed_unexpectedly(&self, name: ProbeCheckName, error: &ConnectorError) -> ProbeCheck {
        let wire = serde_json::to_value(error.to_wire(self.app_id, Some(&self.raised_in)))
            .and_then(serde_json::from_value::<WireError>);
        match wire {
            Ok(wire) => failed(name, None, wire),
            Err(_) => {
                let mut check = result(name, ProbeCheckStatus::Failed, None);
                check.message = Some(error.message().to_owned());
                check
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connector::{Capabilities, Metadata, NoSettings};
    use crate::context::Context;
    use crate::models::ProbeEntitlementTypeResult;
    use crate::models::{ListAccounts, TokenCredential};
    use crate::page::{PageRequest, Paged};
    use report::account_label;

    /// A connector whose `list_accounts` takes ten seconds.
    struct Slow;

    impl Connector for Slow {
        type Settings = NoSettings;
        type Credentials = TokenCredential;

        fn metadata() -> Metadata {
            Metadata::new("slow", "1.0.0")
        }

        fn capabilities() -> Capabilities<Self> {
            Capabilities::<Self>::new().list::<caps::ListAccounts, _, _, _>(
                |_, _, _: ListAccounts, _: PageRequest<u32>| {
                    Box::pin(async {
                        tokio::time::sleep(Duration::from_secs(10)).await;
                        Ok::<_, ConnectorError>(Paged::last(Vec::<FoundAccountData>::new()))
                    })
                },
            )
        }
    }

    #[test]
    fn a_check_that_overruns_its_time_fails_with_request_timeout() {
        let token: TokenCredential = serde_json::from_value(json!({"token": "t"})).unwrap();
        let cx = Context::for_tests("slow", NoSettings {}, token);
        let started = Instant::now();
        let results = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(run(
                &Slow,
                &cx,
                ProbeIntegration::default(),
                Duration::from_millis(50),
            ))
            .unwrap();
        assert!(started.elapsed() < Duration::from_secs(5));
        assert_eq!(results.status, ProbeStatus::Failed);
        let accounts = &results.checks[0];
        assert_eq!(accounts.status, ProbeCheckStatus::Failed);
        assert_eq!(accounts.capability, None);
        assert_eq!(accounts.source, ProbeCheckSource::Default);
        assert_eq!(
            accounts.message.as_deref(),
            Some("Please retry the request.")
        );
        let error = serde_json::to_value(accounts.error.as_ref().unwrap()).unwrap();
        assert_eq!(
            error,
            json!({
                "message": "Probing accounts took longer than 0.05s and was stopped.",
                "status_code": null,
                "app_error_code": null,
                "error_code": "request_timeout",
                "app_id": "slow",
                "raised_by": "RequestTimeoutError",
                "raised_in": "slow::probe_integration",
                "error_metadata": {"fault": "upstream", "category": "transient", "hint": "Please retry the request.", "retryable": true, "throttled": false, "refreshable": false, "retry_after_seconds": null}
            })
        );
        assert!(accounts.duration_ms.unwrap() >= 50);
        assert_eq!(results.checks[1].status, ProbeCheckStatus::Unsupported);
        // The association check lists accounts first: it overruns too.
        assert_eq!(results.checks[2].status, ProbeCheckStatus::Failed);
        assert_eq!(
            results.checks[2].error.as_ref().unwrap().message,
            "Probing entitlement_associations took longer than 0.05s and was stopped."
        );
    }

    fn with(status: ProbeCheckStatus) -> ProbeCheck {
        result(ProbeCheckName::Accounts, status, None)
    }

    #[test]
    fn aggregation_follows_the_reference() {
        use ProbeCheckStatus::*;
        assert_eq!(
            aggregate(&[with(Passed), with(Unsupported)]),
            ProbeStatus::Passed
        );
        assert_eq!(
            aggregate(&[with(Unsupported), with(Skipped)]),
            ProbeStatus::Failed
        );
        assert_eq!(aggregate(&[with(Skipped)]), ProbeStatus::Passed);
        assert_eq!(
            aggregate(&[with(Passed), with(Failed)]),
            ProbeStatus::Failed
        );
        let mut partial = with(Passed);
        partial.entitlement_types = Some(vec![ProbeEntitlementTypeResult {
            entitlement_type: "ROLE".into(),
            status: ProbeCoverageStatus::NotChecked,
        }]);
        assert_eq!(
            aggregate(&[with(Passed), partial.clone()]),
            ProbeStatus::Partial
        );
        assert_eq!(aggregate(&[partial, with(Failed)]), ProbeStatus::Failed);
    }

    #[test]
    fn timeouts_are_printed_as_python_does() {
        assert_eq!(seconds(CHECK_TIMEOUT), "180");
        assert_eq!(seconds(Duration::from_millis(50)), "0.05");
    }

    #[test]
    fn labels_prefer_email_then_username() {
        let mut account = FoundAccountData {
            integration_specific_id: "u-1".into(),
            resource_id: None,
            email: Some(String::new()),
            given_name: None,
            family_name: None,
            username: Some("jane".into()),
            user_status: None,
            extra_data: None,
            custom_attributes: None,
            account_type: None,
        };
        assert_eq!(account_label(&account), "jane");
        account.username = None;
        assert_eq!(account_label(&account), "u-1");
    }

    #[test]
    fn failed_checks_show_the_hint_first() {
        let error: WireError = serde_json::from_value(json!({
            "message": "[403][https://x] {}",
            "error_code": "permission_denied",
            "app_id": "x",
            "error_metadata": {"fault": "upstream", "category": "authorization", "hint": "Check the scope.", "retryable": false, "throttled": false, "refreshable": false}
        }))
        .unwrap();
        let check = failed(ProbeCheckName::Accounts, Some(LIST_ACCOUNTS), error);
        assert_eq!(check.message.as_deref(), Some("Check the scope."));
        assert_eq!(check.status, ProbeCheckStatus::Failed);
        assert_eq!(check.capability.as_deref(), Some(LIST_ACCOUNTS));
    }
}
