//! What a probe check reports: its result record, samples and the small conversions
//! they share.

use std::time::{Duration, Instant};

use crate::models::{
    CustomAttributeSchema, Error as WireError, FoundAccountData, FoundEntitlementAssociation,
    FoundEntitlementData, ProbeCheck, ProbeCheckName, ProbeCheckSource, ProbeCheckStatus,
    ProbeSample, ProbeSampleAccount, ProbeSampleAssociation, ProbeSampleCustomAttribute,
};

/// A check with no records, no error and no breakdowns.
pub(super) fn result(
    name: ProbeCheckName,
    status: ProbeCheckStatus,
    capability: Option<&str>,
) -> ProbeCheck {
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
pub(super) fn unsupported(name: ProbeCheckName, capability: Option<&str>) -> ProbeCheck {
    let mut check = result(name, ProbeCheckStatus::Unsupported, capability);
    check.message = Some(match capability {
        Some(capability) => format!("This connector does not implement {capability}."),
        None => "This connector does not probe this check.".to_owned(),
    });
    check
}

/// A check whose capability answered with `error`: its hint, else its message, is shown.
pub(super) fn failed(
    name: ProbeCheckName,
    capability: Option<&str>,
    error: WireError,
) -> ProbeCheck {
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

pub(super) fn association_result(
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
pub(super) fn sample_account(
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
pub(super) fn attribute_value<'a>(
    account: &'a FoundAccountData,
    attribute: &str,
) -> Option<&'a str> {
    account
        .custom_attributes
        .as_ref()
        .and_then(|values| values.get(attribute))
        .map(String::as_str)
        .filter(|value| !value.is_empty())
}

/// The most recognisable identifier of an account, for messages.
pub(super) fn account_label(account: &FoundAccountData) -> &str {
    [account.email.as_deref(), account.username.as_deref()]
        .into_iter()
        .flatten()
        .find(|label| !label.is_empty())
        .unwrap_or(&account.integration_specific_id)
}

pub(super) fn seen(entitlements: &[FoundEntitlementData], type_id: &str) -> bool {
    entitlements
        .iter()
        .any(|entitlement| entitlement.entitlement_type == type_id)
}

pub(super) fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

pub(super) fn elapsed_ms(since: Instant) -> i64 {
    i64::try_from(since.elapsed().as_millis()).unwrap_or(i64::MAX)
}

/// Seconds as Python's `{:g}` prints them: `180`, `0.05`.
pub(super) fn seconds(duration: Duration) -> String {
    let seconds = duration.as_secs_f64();
    if seconds.fract() == 0.0 {
        format!("{}", duration.as_secs())
    } else {
        format!("{seconds}")
    }
}
