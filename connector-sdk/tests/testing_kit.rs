//! The conformance suite against a connector that can be broken one rule at a time: the
//! correct one passes, and each flaw fails with a message naming the rule it breaks.

use std::collections::BTreeSet;
use std::sync::{Mutex, PoisonError};

use connector_sdk::connector;
use connector_sdk::prelude::*;
use connector_sdk::testing::{self, EntitlementFixture, Fixtures, InProcess, Report, Rule};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// What is wrong with the connector.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Flaw {
    None,
    /// list_accounts hands out the same token again on the second page.
    RepeatingToken,
    /// list_accounts lists the first account again on every later page.
    DuplicateItems,
    /// At page size 1, list_accounts stops after the first page.
    ShortAtSizeOne,
    /// find_entitlement_associations names an account that does not exist.
    DanglingIds,
    /// A second identical assign fails.
    NonIdempotentAssign,
    /// unassign answers success but keeps the grant.
    UnassignKeepsGrant,
    /// An unknown account is bad_request instead of not_found.
    WrongErrorCode,
    /// Any token is accepted.
    AcceptsAnyToken,
}

/// Where a listing continues.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
struct At(usize);

const ACCOUNTS: [&str; 5] = ["a1", "a2", "a3", "a4", "a5"];

struct Lab {
    flaw: Flaw,
    grants: Mutex<BTreeSet<(String, String)>>,
}

impl Lab {
    fn new(flaw: Flaw) -> Self {
        let grants = BTreeSet::from([("a1".to_owned(), "admins".to_owned())]);
        Lab {
            flaw,
            grants: Mutex::new(grants),
        }
    }

    fn check(&self, cx: &ContextOf<Self>) -> Result<()> {
        if self.flaw != Flaw::AcceptsAnyToken && cx.credentials().token.expose() != "good" {
            return Err(ConnectorError::unauthorized("bad token"));
        }
        Ok(())
    }
}

#[connector(app_id = "lab", auth = TokenCredential)]
impl Lab {
    /// Checks the token.
    pub async fn validate_credentials(
        &self,
        cx: &ContextOf<Self>,
        _req: ValidateCredentials,
    ) -> Result<ValidatedCredentials> {
        self.check(cx)?;
        Ok(ValidatedCredentials {
            valid: true,
            unique_tenant_id: "lab".into(),
        })
    }

    /// Five accounts.
    #[connector(page_size = 2)]
    pub async fn list_accounts(
        &self,
        cx: &ContextOf<Self>,
        _req: ListAccounts,
        page: PageRequest<At>,
    ) -> Result<Paged<FoundAccountData, At>> {
        self.check(cx)?;
        let start = page.cursor().map_or(0, |at| at.0);
        let size = page.size() as usize;
        let end = (start + size).min(ACCOUNTS.len());
        let mut items: Vec<FoundAccountData> = ACCOUNTS[start.min(end)..end]
            .iter()
            .map(|id| account(id))
            .collect();
        if self.flaw == Flaw::DuplicateItems && start > 0 {
            items.push(account("a1"));
        }
        let next = match self.flaw {
            Flaw::ShortAtSizeOne if size == 1 => None,
            Flaw::RepeatingToken if start > 0 => Some(At(start)),
            _ => (end < ACCOUNTS.len()).then_some(At(end)),
        };
        Ok(Paged::new(items, next))
    }

    /// One entitlement.
    pub async fn list_entitlements(
        &self,
        cx: &ContextOf<Self>,
        _req: ListEntitlements,
        _page: PageRequest<At>,
    ) -> Result<Paged<FoundEntitlementData, At>> {
        self.check(cx)?;
        Ok(Paged::last(vec![FoundEntitlementData {
            entitlement_type: "group".into(),
            integration_specific_id: "admins".into(),
            integration_specific_resource_id: String::new(),
            label: "Admins".into(),
            ..Default::default()
        }]))
    }

    /// Who holds it.
    pub async fn find_entitlement_associations(
        &self,
        cx: &ContextOf<Self>,
        _req: FindEntitlementAssociations,
        _page: PageRequest<At>,
    ) -> Result<Paged<FoundEntitlementAssociation, At>> {
        self.check(cx)?;
        let mut found: Vec<FoundEntitlementAssociation> = self
            .grants
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|(account, entitlement)| association(account, entitlement))
            .collect();
        if self.flaw == Flaw::DanglingIds {
            found.push(association("ghost", "admins"));
        }
        Ok(Paged::last(found))
    }

    /// One account.
    pub async fn get_account(
        &self,
        cx: &ContextOf<Self>,
        req: GetAccount,
    ) -> Result<FoundAccountData> {
        self.check(cx)?;
        if ACCOUNTS.contains(&req.account_id.as_str()) {
            return Ok(account(&req.account_id));
        }
        Err(match self.flaw {
            Flaw::WrongErrorCode => ConnectorError::bad_request("no such account"),
            _ => ConnectorError::not_found("no such account"),
        })
    }

    /// Grants the entitlement.
    pub async fn assign_entitlement(
        &self,
        cx: &ContextOf<Self>,
        req: AssignEntitlement,
    ) -> Result<AssignedEntitlement> {
        self.check(cx)?;
        let added = self
            .grants
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert((
                req.account_integration_specific_id,
                req.entitlement_integration_specific_id,
            ));
        if !added && self.flaw == Flaw::NonIdempotentAssign {
            return Err(ConnectorError::bad_request("already assigned"));
        }
        Ok(AssignedEntitlement { assigned: true })
    }

    /// Revokes the entitlement.
    pub async fn unassign_entitlement(
        &self,
        cx: &ContextOf<Self>,
        req: UnassignEntitlement,
    ) -> Result<UnassignedEntitlement> {
        self.check(cx)?;
        if self.flaw != Flaw::UnassignKeepsGrant {
            self.grants
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .remove(&(
                    req.account_integration_specific_id,
                    req.entitlement_integration_specific_id,
                ));
        }
        Ok(UnassignedEntitlement { unassigned: true })
    }
}

fn account(id: &str) -> FoundAccountData {
    FoundAccountData {
        integration_specific_id: id.into(),
        email: Some(format!("{id}@lab.example")),
        ..Default::default()
    }
}

fn association(account: &str, entitlement: &str) -> FoundEntitlementAssociation {
    FoundEntitlementAssociation {
        account_id: account.into(),
        integration_specific_entitlement_id: entitlement.into(),
        integration_specific_resource_id: String::new(),
    }
}

fn fixtures() -> Fixtures {
    Fixtures::new(json!({}), json!({"auth": {"token": {"token": "good"}}}))
        .assignable("a2", EntitlementFixture::new("admins", "", "group", ""))
}

fn report(flaw: Flaw) -> Report {
    testing::run(&InProcess::new(Lab::new(flaw)), &fixtures())
}

/// The report breaks `rule`, and its printed form names the rule.
fn assert_breaks(flaw: Flaw, rule: Rule) {
    let report = report(flaw);
    assert!(
        report.violates(rule),
        "{flaw:?} should break {rule}; found: {:#?}",
        report.violations
    );
    let message =
        std::panic::catch_unwind(|| report.assert_conforms()).expect_err("a broken rule panics");
    let message = message
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default();
    assert!(message.contains(&format!("[{}]", rule.name())), "{message}");
}

#[test]
fn the_correct_connector_conforms_and_every_rule_is_checked() {
    let report = testing::check(Lab::new(Flaw::None), fixtures());
    for rule in [
        Rule::InfoComplete,
        Rule::CapabilitiesMatchInfo,
        Rule::AppInfoOpenApi,
        Rule::ResponseMatchesSchema,
        Rule::ErrorCodeAndMetadata,
        Rule::PaginationEnds,
        Rule::PaginationTokenNotRepeated,
        Rule::PaginationNoDuplicates,
        Rule::PaginationSameSetAtEverySize,
        Rule::DamagedTokenIsInvalidPageToken,
        Rule::AssociationsReferToListedIds,
        Rule::AssignUnassignRestores,
        Rule::AssignUnassignIdempotent,
        Rule::UnknownIdIsNotFound,
        Rule::MissingCredentialsRejected,
        Rule::WrongCredentialsRejected,
    ] {
        assert!(report.checked.contains(&rule), "{rule} was not checked");
    }
}

#[test]
fn a_repeated_page_token_breaks_pagination_token_not_repeated() {
    assert_breaks(Flaw::RepeatingToken, Rule::PaginationTokenNotRepeated);
}

#[test]
fn an_item_listed_twice_breaks_pagination_no_duplicates() {
    assert_breaks(Flaw::DuplicateItems, Rule::PaginationNoDuplicates);
}

#[test]
fn a_page_size_that_loses_items_breaks_same_set_at_every_size() {
    assert_breaks(Flaw::ShortAtSizeOne, Rule::PaginationSameSetAtEverySize);
}

#[test]
fn a_dangling_association_breaks_associations_refer_to_listed_ids() {
    assert_breaks(Flaw::DanglingIds, Rule::AssociationsReferToListedIds);
}

#[test]
fn a_failing_second_assign_breaks_idempotency() {
    assert_breaks(Flaw::NonIdempotentAssign, Rule::AssignUnassignIdempotent);
}

#[test]
fn an_unassign_that_keeps_the_grant_breaks_restore() {
    assert_breaks(Flaw::UnassignKeepsGrant, Rule::AssignUnassignRestores);
}

#[test]
fn bad_request_for_an_unknown_id_breaks_unknown_id_is_not_found() {
    assert_breaks(Flaw::WrongErrorCode, Rule::UnknownIdIsNotFound);
}

#[test]
fn accepting_any_token_breaks_wrong_credentials_rejected() {
    assert_breaks(Flaw::AcceptsAnyToken, Rule::WrongCredentialsRejected);
}

#[test]
fn a_failure_shows_the_request_without_the_token() {
    let report = report(Flaw::WrongErrorCode);
    let shown = report
        .violations
        .iter()
        .map(ToString::to_string)
        .collect::<String>();
    assert!(shown.contains("conformance-unknown-id"), "{shown}");
    assert!(!shown.contains("\"good\""), "{shown}");
}
