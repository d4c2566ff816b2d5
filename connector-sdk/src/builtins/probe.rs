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
//! Every call is an ordinary dispatch of the capability (`include_raw_data: false`,
//! `page: {size: 10}`), so it gets the same envelope, credential and settings checks and
//! the same errors as any other call; an error makes its check `failed` with that error.
//! A check whose capability the connector lacks is `unsupported`; a check the request's
//! `checks` leaves out is `skipped`. The run is `failed` if a check failed or if nothing
//! could be checked, `partial` if a declared entitlement type or custom attribute was not
//! seen, and `passed` otherwise.

use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use crate::capability::Capability;
use crate::caps;
use crate::connector::{CapabilityEntry, Connector, ContextOf, erase};
use crate::error::{ConnectorError, Result};
use crate::models::{
    CustomAttributeCustomizedType, CustomAttributeSchema, Error as WireError, FoundAccountData,
    FoundEntitlementAssociation, FoundEntitlementData, ProbeCheck, ProbeCheckName,
    ProbeCheckSource, ProbeCheckStatus, ProbeCoverageStatus, ProbeCustomAttributeResult,
    ProbeEntitlementTypeResult, ProbeIntegration, ProbeResults, ProbeSample, ProbeSampleAccount,
    ProbeSampleAssociation, ProbeSampleCustomAttribute, ProbeSampleEntitlement, ProbeStatus,
};

/// The page size of every call a check makes, and so the most records one page gives.
pub const PAGE_SIZE: u32 = 10;

/// How many pages of entitlements the `entitlements` check reads at most.
pub const MAX_ENTITLEMENT_PAGES: usize = 5;

/// How many accounts the `entitlement_associations` check asks about when the connector
/// has `get_account_entitlement_associations`.
pub const MAX_ACCOUNTS_FOR_ASSOCIATIONS: usize = 3;

/// How long one check may take before it fails with `request_timeout`.
pub const CHECK_TIMEOUT: Duration = Duration::from_secs(180);

/// The checks the runtime performs, in the order it runs them.
pub const DEFAULT_CHECKS: [ProbeCheckName; 3] = [
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
/// ```
/// use connector_sdk::builtins::probe::performable_checks;
/// use connector_sdk::models::ProbeCheckName;
///
/// assert_eq!(
///     performable_checks(&["list_accounts", "get_account_entitlement_associations"]),
///     vec![ProbeCheckName::Accounts, ProbeCheckName::EntitlementAssociations]
/// );
/// ```
pub fn performable_checks(capabilities: &[&str]) -> Vec<ProbeCheckName> {
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
    CapabilityEntry {
        name: caps::ProbeIntegration::NAME,
        display_name: None,
        description: None,
        level: caps::ProbeIntegration::LEVEL,
        custom: false,
        default_page_size: None,
        schemas: crate::info::standard_schemas::<ProbeIntegration, ProbeResults>,
        handler: erase(|connector: &C, invocation| {
            Box::pin(crate::dispatch::run_standard::<
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
    }
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
    let metadata = C::metadata();
    let session = Session {
        connector,
        replay: cx.replay(),
        app_id: metadata.app_id,
        raised_in: format!("{}::{}", metadata.crate_name, caps::ProbeIntegration::NAME),
        capabilities: crate::connector::registered::<C>().names(),
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
struct Session<'a, C> {
    connector: &'a C,
    replay: &'a Map<String, Value>,
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

    /// Calls `capability` through the connector's own dispatch, with the probe request's
    /// credentials and settings, no raw data and a page of [`PAGE_SIZE`].
    async fn call<T: DeserializeOwned>(
        &self,
        capability: &str,
        request: Value,
        token: Option<String>,
    ) -> Result<Answer<T>> {
        let mut envelope = Map::new();
        envelope.insert("request".into(), request);
        for key in ["auth", "credentials", "settings"] {
            if let Some(value) = self.replay.get(key) {
                envelope.insert(key.into(), value.clone());
            }
        }
        envelope.insert("include_raw_data".into(), json!(false));
        envelope.insert("page".into(), json!({"token": token, "size": PAGE_SIZE}));
        let raw = self
            .connector
            .dispatch(capability, &Value::Object(envelope).to_string())
            .await;
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

    async fn check_accounts(&self, probe: &ProbeIntegration) -> Result<ProbeCheck> {
        let name = ProbeCheckName::Accounts;
        if !self.implements(LIST_ACCOUNTS) {
            return Ok(unsupported(name, Some(LIST_ACCOUNTS)));
        }
        let schemas = self.account_attribute_schemas().await?;
        let mut attributes: Vec<String> = schemas.iter().map(|s| s.name.clone()).collect();
        if let Some(requested) = probe.custom_attributes.as_ref().filter(|r| !r.is_empty()) {
            attributes.retain(|attribute| requested.contains(attribute));
        }
        let accounts = match self.list_accounts(&attributes).await? {
            Ok((accounts, _)) => accounts,
            Err(error) => return Ok(failed(name, Some(LIST_ACCOUNTS), error)),
        };
        if accounts.is_empty() {
            let mut check = result(name, ProbeCheckStatus::Failed, Some(LIST_ACCOUNTS));
            check.message = Some(
                "No accounts were returned. The credentials work, but they cannot see any users - check the scopes or the permissions of the account they belong to."
                    .to_owned(),
            );
            return Ok(check);
        }
        let coverage: Vec<ProbeCustomAttributeResult> = attributes
            .iter()
            .map(|attribute| ProbeCustomAttributeResult {
                name: attribute.clone(),
                status: if accounts
                    .iter()
                    .any(|account| attribute_value(account, attribute).is_some())
                {
                    ProbeCoverageStatus::Found
                } else {
                    ProbeCoverageStatus::NotFound
                },
            })
            .collect();
        let empty: Vec<&str> = coverage
            .iter()
            .filter(|result| result.status != ProbeCoverageStatus::Found)
            .map(|result| result.name.as_str())
            .collect();
        let mut message = format!(
            "Fetched {} account(s), including {}.",
            accounts.len(),
            account_label(&accounts[0])
        );
        if !empty.is_empty() {
            message.push_str(&format!(
                " No value on any of them for: {}.",
                empty.join(", ")
            ));
            if empty.len() == attributes.len() {
                message.push_str(" Custom attributes would sync empty.");
            }
        }
        let mut check = result(name, ProbeCheckStatus::Passed, Some(LIST_ACCOUNTS));
        check.observed_count = count(accounts.len());
        check.samples = accounts
            .iter()
            .map(|account| ProbeSample::Account(sample_account(account, &attributes, &schemas)))
            .collect();
        check.message = Some(message);
        check.custom_attributes = (!coverage.is_empty()).then_some(coverage);
        Ok(check)
    }

    async fn check_entitlements(&self) -> Result<ProbeCheck> {
        let name = ProbeCheckName::Entitlements;
        if !self.implements(LIST_ENTITLEMENTS) {
            return Ok(unsupported(name, Some(LIST_ENTITLEMENTS)));
        }
        let declared = &self.entitlement_types;
        let mut fetched: Vec<FoundEntitlementData> = Vec::new();
        let mut token: Option<String> = None;
        let mut exhausted = false;
        let mut paging_error: Option<WireError> = None;
        // One page proves entitlements sync; further pages look for every declared type.
        for _ in 0..MAX_ENTITLEMENT_PAGES {
            let answer = self
                .call::<Vec<FoundEntitlementData>>(
                    LIST_ENTITLEMENTS,
                    json!({"custom_attributes": null}),
                    token.take(),
                )
                .await?;
            let (entitlements, next) = match answer {
                Ok(page) => page,
                Err(error) if fetched.is_empty() => {
                    return Ok(failed(name, Some(LIST_ENTITLEMENTS), error));
                }
                Err(error) => {
                    // A later page failing only limits the type coverage.
                    paging_error = Some(error);
                    break;
                }
            };
            fetched.extend(entitlements);
            let Some(next) = next else {
                exhausted = true;
                break;
            };
            token = Some(next);
            if declared.is_empty() || declared.iter().all(|t| seen(&fetched, t)) {
                break;
            }
        }
        if fetched.is_empty() {
            let mut check = result(name, ProbeCheckStatus::Failed, Some(LIST_ENTITLEMENTS));
            check.message = Some(
                "No entitlements were returned. If accounts would sync, Lumos may have no permissions to attach them to."
                    .to_owned(),
            );
            return Ok(check);
        }
        let types: Vec<ProbeEntitlementTypeResult> = declared
            .iter()
            .map(|type_id| ProbeEntitlementTypeResult {
                entitlement_type: type_id.clone(),
                status: if seen(&fetched, type_id) {
                    ProbeCoverageStatus::Found
                } else if exhausted {
                    ProbeCoverageStatus::NotFound
                } else {
                    // Unseen when the page budget ran out: unknown, not absent.
                    ProbeCoverageStatus::NotChecked
                },
            })
            .collect();
        let missing: Vec<&str> = types
            .iter()
            .filter(|result| result.status != ProbeCoverageStatus::Found)
            .map(|result| result.entitlement_type.as_str())
            .collect();
        let mut message = format!("Fetched {} entitlement(s).", fetched.len());
        if !missing.is_empty() {
            message.push_str(&format!(
                " No entitlement seen yet for: {}.",
                missing.join(", ")
            ));
        }
        if let Some(error) = paging_error {
            message.push_str(&format!(" Reading further pages failed: {}", error.message));
        }
        let mut check = result(name, ProbeCheckStatus::Passed, Some(LIST_ENTITLEMENTS));
        check.observed_count = count(fetched.len());
        check.samples = fetched
            .iter()
            .map(|entitlement| {
                ProbeSample::Entitlement(ProbeSampleEntitlement {
                    kind: "entitlement".to_owned(),
                    integration_specific_id: entitlement.integration_specific_id.clone(),
                    integration_specific_resource_id: entitlement
                        .integration_specific_resource_id
                        .clone(),
                    entitlement_type: entitlement.entitlement_type.clone(),
                    label: entitlement.label.clone(),
                })
            })
            .collect();
        check.message = Some(message);
        check.entitlement_types = (!types.is_empty()).then_some(types);
        Ok(check)
    }

    /// Prefers `get_account_entitlement_associations` (asked about listed accounts, so the
    /// link is proven), else `find_entitlement_associations` (linked only when the account
    /// was among those listed).
    async fn check_associations(&self) -> Result<ProbeCheck> {
        let name = ProbeCheckName::EntitlementAssociations;
        let accounts = if self.implements(LIST_ACCOUNTS) {
            match self.list_accounts(&[]).await? {
                Ok((accounts, _)) => accounts,
                Err(error) => {
                    tracing::info!(
                        "Probe could not read accounts for the association check: {}",
                        error.message
                    );
                    Vec::new()
                }
            }
        } else {
            Vec::new()
        };
        let account_ids: Vec<&str> = accounts
            .iter()
            .map(|account| account.integration_specific_id.as_str())
            .collect();

        if !accounts.is_empty() && self.implements(ACCOUNT_ASSOCIATIONS) {
            let mut associations = Vec::new();
            for account in accounts.iter().take(MAX_ACCOUNTS_FOR_ASSOCIATIONS) {
                let answer = self
                    .call::<Vec<FoundEntitlementAssociation>>(
                        ACCOUNT_ASSOCIATIONS,
                        json!({"account_id": account.integration_specific_id}),
                        None,
                    )
                    .await?;
                match answer {
                    Ok((found, _)) => associations.extend(found),
                    Err(error) if associations.is_empty() => {
                        return Ok(failed(name, Some(ACCOUNT_ASSOCIATIONS), error));
                    }
                    // Access is already proven for an earlier account.
                    Err(_) => break,
                }
            }
            return Ok(association_result(
                ACCOUNT_ASSOCIATIONS,
                associations,
                &account_ids,
                true,
            ));
        }

        if !self.implements(FIND_ASSOCIATIONS) {
            return Ok(unsupported(name, Some(FIND_ASSOCIATIONS)));
        }
        match self
            .call::<Vec<FoundEntitlementAssociation>>(FIND_ASSOCIATIONS, json!({}), None)
            .await?
        {
            Ok((found, _)) => Ok(association_result(
                FIND_ASSOCIATIONS,
                found,
                &account_ids,
                false,
            )),
            Err(error) => Ok(failed(name, Some(FIND_ASSOCIATIONS), error)),
        }
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

/// A check with no records, no error and no breakdowns.
fn result(name: ProbeCheckName, status: ProbeCheckStatus, capability: Option<&str>) -> ProbeCheck {
    ProbeCheck {
        check: name,
        status,
        source: ProbeCheckSource::Default,
        capability: capability.map(str::to_owned),
        observed_count: 0,
        message: None,
        error: None,
        samples: Vec::new(),
        entitlement_types: None,
        custom_attributes: None,
        duration_ms: None,
    }
}

/// A check the connector cannot have performed: it lacks `capability`.
fn unsupported(name: ProbeCheckName, capability: Option<&str>) -> ProbeCheck {
    let mut check = result(name, ProbeCheckStatus::Unsupported, capability);
    check.message = Some(match capability {
        Some(capability) => format!("This connector does not implement {capability}."),
        None => "This connector does not probe this check.".to_owned(),
    });
    check
}

/// A check whose capability answered with `error`: its hint, else its message, is shown.
fn failed(name: ProbeCheckName, capability: Option<&str>, error: WireError) -> ProbeCheck {
    let mut check = result(name, ProbeCheckStatus::Failed, capability);
    let hint = error
        .error_metadata
        .as_ref()
        .and_then(|metadata| metadata.hint.clone())
        .filter(|hint| !hint.is_empty());
    check.message = Some(hint.unwrap_or_else(|| error.message.clone()));
    check.error = Some(error);
    check
}

fn association_result(
    capability: &str,
    associations: Vec<FoundEntitlementAssociation>,
    account_ids: &[&str],
    linked_by_construction: bool,
) -> ProbeCheck {
    let name = ProbeCheckName::EntitlementAssociations;
    if associations.is_empty() {
        let mut check = result(name, ProbeCheckStatus::Failed, Some(capability));
        check.message = Some(
            "No entitlement associations were returned. Accounts and entitlements may sync, but Lumos would not know specific account access permissions."
                .to_owned(),
        );
        return check;
    }
    let samples: Vec<ProbeSampleAssociation> = associations
        .iter()
        .map(|association| ProbeSampleAssociation {
            kind: "association".to_owned(),
            account_id: association.account_id.clone(),
            integration_specific_entitlement_id: association
                .integration_specific_entitlement_id
                .clone(),
            integration_specific_resource_id: association.integration_specific_resource_id.clone(),
            linked_to_sampled_account: linked_by_construction
                || account_ids.contains(&association.account_id.as_str()),
        })
        .collect();
    let mut linked: Vec<&str> = samples
        .iter()
        .filter(|sample| sample.linked_to_sampled_account)
        .map(|sample| sample.account_id.as_str())
        .collect();
    linked.sort_unstable();
    linked.dedup();
    let message = if linked.is_empty() {
        format!(
            "Fetched {} association(s), but none of them belong to an account this probe could fetch, so the link could not be confirmed.",
            associations.len()
        )
    } else {
        format!(
            "Fetched {} association(s) across {} account(s).",
            associations.len(),
            linked.len()
        )
    };
    let mut check = result(name, ProbeCheckStatus::Passed, Some(capability));
    check.observed_count = count(associations.len());
    check.samples = samples.into_iter().map(ProbeSample::Association).collect();
    check.message = Some(message);
    check
}

/// An account reduced to identifying fields, with every asked-for attribute (valued when
/// the account has a value).
fn sample_account(
    account: &FoundAccountData,
    attributes: &[String],
    schemas: &[CustomAttributeSchema],
) -> ProbeSampleAccount {
    let custom_attributes = (!attributes.is_empty()).then(|| {
        attributes
            .iter()
            .map(|attribute| {
                let schema = schemas.iter().find(|schema| &schema.name == attribute);
                ProbeSampleCustomAttribute {
                    name: attribute.clone(),
                    value: attribute_value(account, attribute).map(str::to_owned),
                    customized_type: schema.map(|schema| schema.customized_type),
                    attribute_type: schema.map(|schema| schema.attribute_type),
                }
            })
            .collect()
    });
    ProbeSampleAccount {
        kind: "account".to_owned(),
        integration_specific_id: account.integration_specific_id.clone(),
        email: account.email.clone(),
        username: account.username.clone(),
        user_status: account.user_status,
        custom_attributes,
    }
}

/// An account's non-empty value of a custom attribute.
fn attribute_value<'a>(account: &'a FoundAccountData, attribute: &str) -> Option<&'a str> {
    account
        .custom_attributes
        .as_ref()
        .and_then(|values| values.get(attribute))
        .map(String::as_str)
        .filter(|value| !value.is_empty())
}

/// The most recognisable identifier of an account, for messages.
fn account_label(account: &FoundAccountData) -> &str {
    [account.email.as_deref(), account.username.as_deref()]
        .into_iter()
        .flatten()
        .find(|label| !label.is_empty())
        .unwrap_or(&account.integration_specific_id)
}

fn seen(entitlements: &[FoundEntitlementData], type_id: &str) -> bool {
    entitlements
        .iter()
        .any(|entitlement| entitlement.entitlement_type == type_id)
}

fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn elapsed_ms(since: Instant) -> i64 {
    i64::try_from(since.elapsed().as_millis()).unwrap_or(i64::MAX)
}

/// Seconds as Python's `{:g}` prints them: `180`, `0.05`.
fn seconds(duration: Duration) -> String {
    let seconds = duration.as_secs_f64();
    if seconds.fract() == 0.0 {
        format!("{}", duration.as_secs())
    } else {
        format!("{seconds}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connector::{Capabilities, Metadata, NoSettings};
    use crate::context::Context;
    use crate::models::{ListAccounts, TokenCredential};
    use crate::page::{PageRequest, Paged};

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
        let mut replay = Map::new();
        replay.insert("auth".into(), json!({"token": {"token": "t"}}));
        let cx = Context::for_tests("slow", NoSettings {}, token).with_replay(replay);
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
