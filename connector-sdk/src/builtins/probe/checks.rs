//! The three checks of `probe_integration`: accounts, entitlements and entitlement
//! associations, each reading the connector's own list capabilities.

use serde_json::json;

use super::report::{
    account_label, association_result, attribute_value, count, failed, result, sample_account,
    seen, unsupported,
};
use super::{
    ACCOUNT_ASSOCIATIONS, FIND_ASSOCIATIONS, LIST_ACCOUNTS, LIST_ENTITLEMENTS,
    MAX_ACCOUNTS_FOR_ASSOCIATIONS, MAX_ENTITLEMENT_PAGES, Session,
};
use crate::connector::Connector;
use crate::error::Result;
use crate::models::{
    Error as WireError, FoundEntitlementAssociation, FoundEntitlementData, ProbeCheck,
    ProbeCheckName, ProbeCheckStatus, ProbeCoverageStatus, ProbeCustomAttributeResult,
    ProbeEntitlementTypeResult, ProbeIntegration, ProbeSample, ProbeSampleEntitlement,
};

impl<C: Connector> Session<'_, C> {
    pub(super) async fn check_accounts(&self, probe: &ProbeIntegration) -> Result<ProbeCheck> {
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

    pub(super) async fn check_entitlements(&self) -> Result<ProbeCheck> {
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
    pub(super) async fn check_associations(&self) -> Result<ProbeCheck> {
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
}
