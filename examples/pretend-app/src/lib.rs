//! pretend-app: an in-memory example connector built on connector-sdk.
//!
//! Its tenant lives in the process: 30 accounts, global roles and groups, two workspaces
//! with workspace-scoped memberships, license tiers, an activity log, and three
//! applications with their own accounts, entitlements, resources and activity. Any
//! non-empty token is accepted except `bad-token`, which is unauthorized everywhere.
//!
//! The `#[connector]` attribute on the capability `impl` block generates the connector's
//! `Connector` implementation: its `info`, dispatch table, library entry and CLI.

pub mod tenant;

use std::sync::{Mutex, MutexGuard, PoisonError};

use connector_sdk::capability::{Capability as _, Extends};
use connector_sdk::connector;
use connector_sdk::page::{decode_token, encode_token};
use connector_sdk::prelude::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::tenant::{
    APPLICATION_ENTITLEMENTS, APPLICATIONS, Account, App, ApplicationEntitlement, ENTITLEMENTS,
    Event, License, Tenant,
};

/// How many accounts one list_updated_accounts answer holds at most.
pub const UPDATED_ACCOUNTS_BATCH: usize = 10;

/// Where list_updated_accounts continues: after the account with this (updated-at, id).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct UpdatedAfter(i64, String);

/// The pretend app's settings.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[schemars(rename = "PretendAppSettings")]
pub struct PretendSettings {
    /// Base URL of the pretend tenant.
    #[schemars(title = "Base URL", extend("x-semantic" = "tenant-id"))]
    pub base_url: String,
}

/// Where a listing continues: the offset of the next item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offset(pub usize);

/// The create_account payload: the standard fields plus the pretend app's own.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "CreatePretendAccount")]
pub struct CreatePretendAccount {
    /// The standard fields (initial entitlements).
    #[serde(flatten)]
    pub base: CreatableAccount,
    /// The login name of the new account.
    pub username: String,
    /// The email address of the new account.
    #[serde(default)]
    pub email: Option<String>,
    /// The first name.
    #[serde(default)]
    pub given_name: Option<String>,
    /// The last name.
    #[serde(default)]
    pub family_name: Option<String>,
}

impl Extends<CreatableAccount> for CreatePretendAccount {
    fn base(&self) -> &CreatableAccount {
        &self.base
    }
}

/// The update_account payload: the account's id plus the fields to change.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "UpdatePretendAccount")]
pub struct UpdatePretendAccount {
    /// The standard fields (the account's id).
    #[serde(flatten)]
    pub base: UpdateableAccount,
    /// A new email address.
    #[serde(default)]
    pub email: Option<String>,
    /// A new first name.
    #[serde(default)]
    pub given_name: Option<String>,
    /// A new last name.
    #[serde(default)]
    pub family_name: Option<String>,
}

impl Extends<UpdateableAccount> for UpdatePretendAccount {
    fn base(&self) -> &UpdateableAccount {
        &self.base
    }
}

/// The payload of the custom capability `count_accounts`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct CountAccounts {
    /// Count only accounts with this status.
    #[serde(default)]
    pub status: Option<AccountStatus>,
}

/// How many accounts the tenant has.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct AccountCount {
    /// The number of accounts.
    pub count: u64,
}

/// The pretend app connector. Built once per process; its tenant lives as long as it.
#[derive(Debug, Default)]
pub struct PretendApp {
    tenant: Mutex<Tenant>,
}

impl PretendApp {
    /// A connector whose tenant holds `accounts` accounts.
    pub fn with_accounts(accounts: usize) -> Self {
        PretendApp {
            tenant: Mutex::new(Tenant::seeded(accounts)),
        }
    }

    fn tenant(&self) -> MutexGuard<'_, Tenant> {
        self.tenant.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn check_token(cx: &ContextOf<Self>) -> Result<()> {
        let token = cx.credentials().token.expose();
        if token.is_empty() {
            return Err(ConnectorError::unauthorized("The token is empty"));
        }
        if token == "bad-token" {
            return Err(ConnectorError::unauthorized(
                "The pretend token was rejected",
            ));
        }
        Ok(())
    }

    fn unknown_account(id: &str) -> ConnectorError {
        ConnectorError::not_found(format!("Account {id} not found"))
            .with_app_error_code("pretend_app.account_not_found")
    }

    fn unknown_application(id: &str) -> ConnectorError {
        ConnectorError::not_found(format!("Application {id} not found"))
            .with_app_error_code("pretend_app.application_not_found")
    }

    fn not_assigned(application: &str, account: &str) -> ConnectorError {
        ConnectorError::not_found(format!(
            "Account {account} is not assigned to application {application}"
        ))
        .with_app_error_code("pretend_app.application_account_not_found")
    }

    /// The application with this id, or not_found.
    fn application(id: &str) -> Result<&'static App> {
        App::find(id).ok_or_else(|| Self::unknown_application(id))
    }

    /// An active application with this id: not_found, or conflict when it is inactive.
    fn active_application(id: &str) -> Result<&'static App> {
        let app = Self::application(id)?;
        if app.status != ApplicationStatus::Active {
            return Err(ConnectorError::conflict(format!(
                "Application {id} is inactive and takes no new assignments"
            ))
            .with_app_error_code("pretend_app.application_inactive"));
        }
        Ok(app)
    }

    /// The account with this id, or not_found.
    fn existing_account<'t>(tenant: &'t Tenant, id: &str) -> Result<&'t Account> {
        tenant.account(id).ok_or_else(|| Self::unknown_account(id))
    }

    /// A timestamp of a request, or invalid_value naming the field.
    fn timestamp_of(field: &str, text: &str) -> Result<i64> {
        tenant::parse_timestamp(text).ok_or_else(|| {
            ConnectorError::invalid_value(format!(
                "{field} is not an ISO 8601 date or date and time: {text:?}"
            ))
        })
    }

    /// The events of the log at or after `since_date`, by the given actors (every actor
    /// when none is given), in the tenant's own log (`application: false`) or the
    /// applications'. An actor that is no account is not_found.
    fn activity<'t>(
        tenant: &'t Tenant,
        since_date: &str,
        actors: &[ActivityRecordActor],
        application: bool,
    ) -> Result<Vec<&'t Event>> {
        let since = Self::timestamp_of("since_date", since_date)?;
        for actor in actors {
            Self::existing_account(tenant, &actor.account_id)?;
        }
        Ok(tenant
            .events
            .iter()
            .filter(|event| event.application.is_some() == application)
            .filter(|event| event.timestamp >= since)
            .filter(|event| {
                actors.is_empty() || actors.iter().any(|actor| actor.account_id == event.actor)
            })
            .collect())
    }
}

/// The entitlement types of the pretend app.
fn entitlement_types() -> Vec<EntitlementType> {
    vec![
        EntitlementType {
            type_id: tenant::ROLE.into(),
            type_label: "Role".into(),
            resource_type_id: String::new(),
            min: 1,
            max: Some(1),
            requirements: None,
        },
        EntitlementType {
            type_id: tenant::GROUP.into(),
            type_label: "Group".into(),
            resource_type_id: String::new(),
            min: 0,
            max: None,
            requirements: None,
        },
        EntitlementType {
            type_id: tenant::WORKSPACE_MEMBER.into(),
            type_label: "Workspace Member".into(),
            resource_type_id: tenant::WORKSPACE.into(),
            min: 0,
            max: Some(1),
            requirements: None,
        },
    ]
}

/// The resource types of the pretend app.
fn resource_types() -> Vec<ResourceType> {
    vec![ResourceType {
        type_id: tenant::WORKSPACE.into(),
        type_label: "Workspace".into(),
    }]
}

#[connector(
    app_id = "pretend_app",
    name = "Pretend App",
    description = "An in-memory example connector built on connector-sdk.",
    logo_url = "https://pretend.example/logo.png",
    app_vendor_domain = "pretend.example",
    categories = [Developers, ItAndSecurity],
    auth = TokenCredential,
    settings = PretendSettings,
    resource_types = resource_types(),
    entitlement_types = entitlement_types(),
)]
impl PretendApp {
    /// Checks the token and names the tenant.
    pub async fn validate_credentials(
        &self,
        cx: &ContextOf<Self>,
        _req: ValidateCredentials,
    ) -> Result<ValidatedCredentials> {
        Self::check_token(cx)?;
        Ok(ValidatedCredentials {
            valid: true,
            unique_tenant_id: cx.settings().base_url.clone(),
        })
    }

    /// Lists the accounts, ten to a page unless the request says otherwise.
    #[connector(page_size = 10)]
    pub async fn list_accounts(
        &self,
        cx: &ContextOf<Self>,
        _req: ListAccounts,
        page: PageRequest<Offset>,
    ) -> Result<Paged<FoundAccountData, Offset>> {
        Self::check_token(cx)?;
        let tenant = self.tenant();
        Ok(page_of(&tenant.accounts, &page, |account| {
            account.to_found()
        }))
    }

    /// Lists roles, groups and workspace memberships.
    pub async fn list_entitlements(
        &self,
        cx: &ContextOf<Self>,
        _req: ListEntitlements,
        page: PageRequest<Offset>,
    ) -> Result<Paged<FoundEntitlementData, Offset>> {
        Self::check_token(cx)?;
        Ok(page_of(ENTITLEMENTS, &page, |entitlement| {
            entitlement.to_found()
        }))
    }

    /// Lists the workspaces (with raw data when asked).
    pub fn list_resources(
        &self,
        cx: &ContextOf<Self>,
        _req: ListResources,
        _page: PageRequest<Offset>,
    ) -> Result<Paged<FoundResourceData, Offset>> {
        Self::check_token(cx)?;
        // The runtime shows raw_data only when the request asks for it.
        Ok(Paged::last(tenant::resources())
            .with_raw_data(serde_json::json!({"workspaces": [{"id": "ws-1"}, {"id": "ws-2"}]})))
    }

    /// Lists who has which entitlement.
    pub async fn find_entitlement_associations(
        &self,
        cx: &ContextOf<Self>,
        _req: FindEntitlementAssociations,
        page: PageRequest<Offset>,
    ) -> Result<Paged<FoundEntitlementAssociation, Offset>> {
        Self::check_token(cx)?;
        let grants: Vec<_> = self.tenant().grants.iter().cloned().collect();
        Ok(page_of(
            &grants,
            &page,
            |(account, _, resource, entitlement)| FoundEntitlementAssociation {
                account_id: account.clone(),
                integration_specific_entitlement_id: entitlement.clone(),
                integration_specific_resource_id: resource.clone(),
            },
        ))
    }

    /// The last login of each account asked for.
    pub async fn get_last_activity(
        &self,
        cx: &ContextOf<Self>,
        req: GetLastActivity,
        page: PageRequest<Offset>,
    ) -> Result<Paged<LastActivityData, Offset>> {
        Self::check_token(cx)?;
        let tenant = self.tenant();
        let mut found = Vec::new();
        for id in &req.account_ids {
            let position = tenant
                .accounts
                .iter()
                .position(|account| &account.id == id)
                .ok_or_else(|| Self::unknown_account(id))?;
            found.push(LastActivityData {
                account_id: id.clone(),
                event_type: "last_login".to_owned(),
                happened_at: format!("2026-11-{:02}T09:00:00Z", position % 28 + 1),
            });
        }
        Ok(page_of(&found, &page, Clone::clone))
    }

    /// The pretend app's custom attributes.
    pub async fn list_custom_attributes_schema(
        &self,
        cx: &ContextOf<Self>,
        _req: ListCustomAttributesSchema,
        _page: PageRequest<Offset>,
    ) -> Result<Paged<CustomAttributeSchema, Offset>> {
        Self::check_token(cx)?;
        Ok(Paged::last(vec![CustomAttributeSchema {
            customized_type: CustomAttributeCustomizedType::Account,
            name: "department".to_owned(),
            attribute_type: CustomAttributeType::String,
            description: Some("The account's department".to_owned()),
        }]))
    }

    /// Creates an account with its initial entitlements.
    #[connector(display_name = "Create Pretend Account")]
    pub async fn create_account(
        &self,
        cx: &ContextOf<Self>,
        req: CreatePretendAccount,
    ) -> Result<Reply<CreatedAccount>> {
        Self::check_token(cx)?;
        let mut tenant = self.tenant();
        if tenant
            .accounts
            .iter()
            .any(|account| account.username == req.username)
        {
            return Err(ConnectorError::conflict(format!(
                "An account named {} exists already",
                req.username
            )));
        }
        for entitlement in &req.base.entitlements {
            let resource = entitlement
                .integration_specific_resource_id
                .as_deref()
                .unwrap_or_default();
            if !Tenant::has_entitlement(
                &entitlement.entitlement_type,
                resource,
                &entitlement.integration_specific_id,
            ) {
                return Err(ConnectorError::invalid_value(format!(
                    "Unknown entitlement {} of type {}",
                    entitlement.integration_specific_id, entitlement.entitlement_type
                )));
            }
        }
        let id = tenant.add(
            req.username.clone(),
            req.email,
            req.given_name,
            req.family_name,
            AccountStatus::Active,
        );
        for entitlement in &req.base.entitlements {
            let resource = entitlement
                .integration_specific_resource_id
                .as_deref()
                .unwrap_or_default();
            tenant.grant(
                &id,
                &entitlement.entitlement_type,
                resource,
                &entitlement.integration_specific_id,
            );
        }
        let description = format!("Created account {id} for {}", req.username);
        let created = CreatedAccount {
            id: Some(id),
            status: AccountStatus::Active,
            created: true,
        };
        Ok(Reply::created(created).described(description))
    }

    /// Changes an account's email or names.
    pub async fn update_account(
        &self,
        cx: &ContextOf<Self>,
        req: UpdatePretendAccount,
    ) -> Result<Reply<UpdateableAccount>> {
        Self::check_token(cx)?;
        let mut tenant = self.tenant();
        let account = tenant
            .account_mut(&req.base.id)
            .ok_or_else(|| Self::unknown_account(&req.base.id))?;
        if req.email.is_some() {
            account.email = req.email;
        }
        if req.given_name.is_some() {
            account.given_name = req.given_name;
        }
        if req.family_name.is_some() {
            account.family_name = req.family_name;
        }
        tenant.touch(&req.base.id);
        Ok(Reply::updated(UpdateableAccount { id: req.base.id }).idempotent())
    }

    /// Marks an account active.
    pub async fn activate_account(
        &self,
        cx: &ContextOf<Self>,
        req: ActivateAccount,
    ) -> Result<Reply<ActivatedAccount>> {
        Self::check_token(cx)?;
        let mut tenant = self.tenant();
        let account = tenant
            .account_mut(&req.account_id)
            .ok_or_else(|| Self::unknown_account(&req.account_id))?;
        let was_active = account.status == AccountStatus::Active;
        account.status = AccountStatus::Active;
        if !was_active {
            tenant.touch(&req.account_id);
        }
        let activated = ActivatedAccount {
            status: AccountStatus::Active,
            activated: true,
        };
        Ok(if was_active {
            Reply::unchanged(activated)
        } else {
            Reply::updated(activated)
        }
        .idempotent())
    }

    /// Marks an account inactive.
    pub async fn deactivate_account(
        &self,
        cx: &ContextOf<Self>,
        req: DeactivateAccount,
    ) -> Result<Reply<DeactivatedAccount>> {
        Self::check_token(cx)?;
        let mut tenant = self.tenant();
        let account = tenant
            .account_mut(&req.account_id)
            .ok_or_else(|| Self::unknown_account(&req.account_id))?;
        let was_inactive = account.status == AccountStatus::Inactive;
        account.status = AccountStatus::Inactive;
        if !was_inactive {
            tenant.touch(&req.account_id);
        }
        let deactivated = DeactivatedAccount {
            status: AccountStatus::Inactive,
            deactivated: true,
        };
        Ok(if was_inactive {
            Reply::unchanged(deactivated)
        } else {
            Reply::updated(deactivated)
        }
        .idempotent())
    }

    /// Deletes an account and its entitlements.
    pub async fn delete_account(
        &self,
        cx: &ContextOf<Self>,
        req: DeleteAccount,
    ) -> Result<DeletedAccount> {
        Self::check_token(cx)?;
        let mut tenant = self.tenant();
        let before = tenant.accounts.len();
        tenant
            .accounts
            .retain(|account| account.id != req.account_id);
        if tenant.accounts.len() == before {
            return Err(Self::unknown_account(&req.account_id));
        }
        tenant.forget_account(&req.account_id);
        Ok(DeletedAccount {
            status: AccountStatus::Deleted,
            deleted: true,
        })
    }

    /// Grants an entitlement.
    pub async fn assign_entitlement(
        &self,
        cx: &ContextOf<Self>,
        req: AssignEntitlement,
    ) -> Result<Reply<AssignedEntitlement>> {
        Self::check_token(cx)?;
        let mut tenant = self.tenant();
        if tenant
            .account_mut(&req.account_integration_specific_id)
            .is_none()
        {
            return Err(Self::unknown_account(&req.account_integration_specific_id));
        }
        if !Tenant::has_entitlement(
            &req.entitlement_type,
            &req.resource_integration_specific_id,
            &req.entitlement_integration_specific_id,
        ) {
            return Err(ConnectorError::not_found(format!(
                "Entitlement {} not found",
                req.entitlement_integration_specific_id
            )));
        }
        let granted = tenant.grant(
            &req.account_integration_specific_id,
            &req.entitlement_type,
            &req.resource_integration_specific_id,
            &req.entitlement_integration_specific_id,
        );
        if granted {
            tenant.touch(&req.account_integration_specific_id);
        }
        let assigned = AssignedEntitlement { assigned: true };
        Ok(if granted {
            Reply::created(assigned)
        } else {
            Reply::unchanged(assigned)
        }
        .idempotent())
    }

    /// Revokes an entitlement; revoking one not held is not_found.
    pub async fn unassign_entitlement(
        &self,
        cx: &ContextOf<Self>,
        req: UnassignEntitlement,
    ) -> Result<UnassignedEntitlement> {
        Self::check_token(cx)?;
        let mut tenant = self.tenant();
        let removed = tenant.revoke(
            &req.account_integration_specific_id,
            &req.entitlement_type,
            &req.resource_integration_specific_id,
            &req.entitlement_integration_specific_id,
        );
        if !removed {
            return Err(
                ConnectorError::not_found("Entitlement assignment not found")
                    .with_app_error_code("pretend_app.assignment_not_found"),
            );
        }
        tenant.touch(&req.account_integration_specific_id);
        Ok(UnassignedEntitlement { unassigned: true })
    }

    /// One account, with its license tier, documents and last change in `extra_data`
    /// (and the custom attribute `department` when asked for).
    pub async fn get_account(
        &self,
        cx: &ContextOf<Self>,
        req: GetAccount,
    ) -> Result<FoundAccountData> {
        Self::check_token(cx)?;
        let tenant = self.tenant();
        let account = Self::existing_account(&tenant, &req.account_id)?;
        Ok(tenant.account_details(account, req.custom_attributes.as_deref()))
    }

    /// The accounts changed at or after `since` (every account when absent), least
    /// recently changed first, ten at a time; `cursor` continues where the last answer ended.
    pub async fn list_updated_accounts(
        &self,
        cx: &ContextOf<Self>,
        req: ListUpdatedAccounts,
    ) -> Result<UpdatedAccounts> {
        Self::check_token(cx)?;
        let since = req
            .since
            .as_deref()
            .map(|since| Self::timestamp_of("since", since))
            .transpose()?;
        let after = req
            .cursor
            .as_deref()
            .map(|cursor| decode_token::<UpdatedAfter>(caps::ListUpdatedAccounts::NAME, cursor))
            .transpose()?;
        let tenant = self.tenant();
        let mut changed: Vec<&Account> = tenant
            .accounts
            .iter()
            .filter(|account| since.is_none_or(|since| account.updated_at >= since))
            .filter(|account| {
                after.as_ref().is_none_or(|UpdatedAfter(stamp, id)| {
                    (account.updated_at, account.id.as_str()) > (*stamp, id.as_str())
                })
            })
            .collect();
        changed.sort_by(|a, b| (a.updated_at, &a.id).cmp(&(b.updated_at, &b.id)));
        let more = changed.len() > UPDATED_ACCOUNTS_BATCH;
        changed.truncate(UPDATED_ACCOUNTS_BATCH);
        let cursor = match changed.last() {
            Some(last) if more => Some(encode_token(
                caps::ListUpdatedAccounts::NAME,
                &UpdatedAfter(last.updated_at, last.id.clone()),
            )?),
            _ => None,
        };
        let custom_attributes = req.custom_attributes.as_deref();
        Ok(UpdatedAccounts {
            accounts: changed
                .into_iter()
                .map(|account| tenant.account_details(account, custom_attributes))
                .collect(),
            cursor,
        })
    }

    /// The tenant's activity log (logins, role use) at or after `since_date`, for the
    /// given actors (everyone when the list is empty), oldest first.
    #[connector(page_size = 25)]
    pub async fn list_activity_records(
        &self,
        cx: &ContextOf<Self>,
        req: ListActivityRecords,
        page: PageRequest<Offset>,
    ) -> Result<Paged<ActivityRecord, Offset>> {
        Self::check_token(cx)?;
        let tenant = self.tenant();
        let events = Self::activity(&tenant, &req.since_date, &req.actors, false)?;
        Ok(page_of(&events, &page, |event| event.to_record()))
    }

    /// Moves every document the source account owns to the target account.
    pub async fn transfer_data(
        &self,
        cx: &ContextOf<Self>,
        req: TransferData,
    ) -> Result<Reply<TransferDataStatus>> {
        Self::check_token(cx)?;
        let (source, target) = (&req.source_account_id, &req.target_account_id);
        let mut tenant = self.tenant();
        let documents = Self::existing_account(&tenant, source)?.documents;
        Self::existing_account(&tenant, target)?;
        if source == target {
            return Err(ConnectorError::invalid_value(format!(
                "Account {source} cannot transfer data to itself"
            )));
        }
        if documents == 0 {
            return Ok(Reply::unchanged(TransferDataStatus {
                success: true,
                reason: Some(format!("Account {source} owns no documents")),
            })
            .idempotent());
        }
        if let Some(account) = tenant.account_mut(source) {
            account.documents = 0;
        }
        if let Some(account) = tenant.account_mut(target) {
            account.documents += documents;
        }
        tenant.touch(source);
        tenant.touch(target);
        Ok(Reply::updated(TransferDataStatus {
            success: true,
            reason: None,
        })
        .idempotent()
        .described(format!(
            "Moved {documents} documents from {source} to {target}"
        )))
    }

    /// Takes an account's paid license away (it keeps a free one), freeing the seat.
    pub async fn downgrade_license(
        &self,
        cx: &ContextOf<Self>,
        req: DowngradeLicense,
    ) -> Result<Reply<DowngradedLicense>> {
        Self::check_token(cx)?;
        let mut tenant = self.tenant();
        let account = tenant
            .account_mut(&req.account_id)
            .ok_or_else(|| Self::unknown_account(&req.account_id))?;
        let was = account.license;
        if was == License::Free {
            return Ok(Reply::unchanged(DowngradedLicense {
                success: true,
                reason: Some(format!("Account {} has no paid license", req.account_id)),
            })
            .idempotent());
        }
        account.license = License::Free;
        tenant.touch(&req.account_id);
        Ok(Reply::updated(DowngradedLicense {
            success: true,
            reason: None,
        })
        .idempotent()
        .described(format!(
            "Downgraded account {} from {} to {}",
            req.account_id,
            was.as_str(),
            License::Free.as_str()
        )))
    }

    /// The applications the tenant manages.
    #[connector(page_size = 2)]
    pub async fn list_applications(
        &self,
        cx: &ContextOf<Self>,
        _req: ListApplications,
        page: PageRequest<Offset>,
    ) -> Result<Paged<Application, Offset>> {
        Self::check_token(cx)?;
        Ok(page_of(APPLICATIONS, &page, App::to_application))
    }

    /// One application.
    pub async fn get_application(
        &self,
        cx: &ContextOf<Self>,
        req: GetApplication,
    ) -> Result<Application> {
        Self::check_token(cx)?;
        Ok(Self::application(&req.application_instance_id)?.to_application())
    }

    /// Which accounts are assigned to which application.
    #[connector(page_size = 25)]
    pub async fn list_applications_accounts(
        &self,
        cx: &ContextOf<Self>,
        _req: ListApplicationsAccounts,
        page: PageRequest<Offset>,
    ) -> Result<Paged<ApplicationAccount, Offset>> {
        Self::check_token(cx)?;
        let tenant = self.tenant();
        let assignments: Vec<_> = tenant.application_accounts.iter().collect();
        Ok(page_of(
            &assignments,
            &page,
            |((application, account), status)| ApplicationAccount {
                account_id: account.clone(),
                application_instance_id: application.clone(),
                status: **status,
            },
        ))
    }

    /// The applications' activity (logins, page views) at or after `since_date`, for the
    /// given actors (everyone when the list is empty), oldest first.
    #[connector(page_size = 25)]
    pub async fn list_applications_activity_records(
        &self,
        cx: &ContextOf<Self>,
        req: ListApplicationsActivityRecords,
        page: PageRequest<Offset>,
    ) -> Result<Paged<ApplicationActivityRecord, Offset>> {
        Self::check_token(cx)?;
        let tenant = self.tenant();
        let events = Self::activity(&tenant, &req.since_date, &req.actors, true)?;
        Ok(page_of(&events, &page, |event| {
            event.to_application_record()
        }))
    }

    /// Who has which entitlement inside which application.
    #[connector(page_size = 25)]
    pub async fn list_applications_entitlement_associations(
        &self,
        cx: &ContextOf<Self>,
        _req: ListApplicationsEntitlementAssociations,
        page: PageRequest<Offset>,
    ) -> Result<Paged<ApplicationEntitlementAssociation, Offset>> {
        Self::check_token(cx)?;
        let grants: Vec<_> = self.tenant().application_grants.iter().cloned().collect();
        Ok(page_of(
            &grants,
            &page,
            |(application, account, _, resource, entitlement)| ApplicationEntitlementAssociation {
                application_instance_id: application.clone(),
                account_id: account.clone(),
                integration_specific_entitlement_id: entitlement.clone(),
                integration_specific_resource_id: resource.clone(),
            },
        ))
    }

    /// The roles, groups and workspace memberships inside the applications.
    #[connector(page_size = 5)]
    pub async fn list_applications_entitlements(
        &self,
        cx: &ContextOf<Self>,
        _req: ListApplicationsEntitlements,
        page: PageRequest<Offset>,
    ) -> Result<Paged<ApplicationEntitlementData, Offset>> {
        Self::check_token(cx)?;
        Ok(page_of(
            APPLICATION_ENTITLEMENTS,
            &page,
            ApplicationEntitlement::to_found,
        ))
    }

    /// The workspaces inside the applications.
    #[connector(page_size = 2)]
    pub async fn list_applications_resources(
        &self,
        cx: &ContextOf<Self>,
        _req: ListApplicationsResources,
        page: PageRequest<Offset>,
    ) -> Result<Paged<ApplicationResourceData, Offset>> {
        Self::check_token(cx)?;
        Ok(page_of(
            &tenant::application_resources(),
            &page,
            Clone::clone,
        ))
    }

    /// One account's assignment to an application; not_found when it is not assigned.
    pub async fn get_application_account(
        &self,
        cx: &ContextOf<Self>,
        req: GetApplicationAccount,
    ) -> Result<ApplicationAccount> {
        Self::check_token(cx)?;
        let app = Self::application(&req.application_instance_id)?;
        let tenant = self.tenant();
        let status = tenant
            .application_accounts
            .get(&(app.id.to_owned(), req.account_id.clone()))
            .ok_or_else(|| Self::not_assigned(app.id, &req.account_id))?;
        Ok(ApplicationAccount {
            account_id: req.account_id,
            application_instance_id: app.id.to_owned(),
            status: *status,
        })
    }

    /// Assigns an account to an (active) application, with the account's status.
    pub async fn assign_application(
        &self,
        cx: &ContextOf<Self>,
        req: AssignApplication,
    ) -> Result<Reply<AssignedApplication>> {
        Self::check_token(cx)?;
        let app = Self::active_application(&req.application_instance_id)?;
        let mut tenant = self.tenant();
        let status = Self::existing_account(&tenant, &req.account_id)?.status;
        let assigned = AssignedApplication {
            assigned: true,
            provisioned: true,
        };
        if !tenant.assign_application(app.id, &req.account_id, status) {
            return Ok(Reply::unchanged(assigned).idempotent());
        }
        tenant.touch(&req.account_id);
        Ok(Reply::created(assigned).idempotent().described(format!(
            "Assigned account {} to application {}",
            req.account_id, app.id
        )))
    }

    /// Removes an account from an application, with its entitlements there; removing one
    /// not assigned is not_found.
    pub async fn unassign_application(
        &self,
        cx: &ContextOf<Self>,
        req: UnassignApplication,
    ) -> Result<Reply<UnassignedApplication>> {
        Self::check_token(cx)?;
        let app = Self::application(&req.application_instance_id)?;
        let mut tenant = self.tenant();
        if !tenant.unassign_application(app.id, &req.account_id) {
            return Err(Self::not_assigned(app.id, &req.account_id));
        }
        tenant.touch(&req.account_id);
        Ok(Reply::deleted(UnassignedApplication {
            unassigned: true,
            deprovisioned: true,
            status: AccountStatus::Deprovisioned,
        })
        .described(format!(
            "Removed account {} from application {}",
            req.account_id, app.id
        )))
    }

    /// Grants an entitlement inside an (active) application to an account assigned to it.
    pub async fn assign_application_entitlement(
        &self,
        cx: &ContextOf<Self>,
        req: AssignApplicationEntitlement,
    ) -> Result<Reply<AssignedApplicationEntitlement>> {
        Self::check_token(cx)?;
        let app = Self::active_application(&req.application_instance_id)?;
        let account = &req.account_integration_specific_id;
        let mut tenant = self.tenant();
        Self::existing_account(&tenant, account)?;
        let entitlement = ApplicationEntitlement::find(
            app.id,
            &req.entitlement_type,
            &req.resource_integration_specific_id,
            &req.entitlement_integration_specific_id,
        )
        .ok_or_else(|| {
            ConnectorError::not_found(format!(
                "Entitlement {} not found in application {}",
                req.entitlement_integration_specific_id, app.id
            ))
            .with_app_error_code("pretend_app.application_entitlement_not_found")
        })?;
        if !tenant
            .application_accounts
            .contains_key(&(app.id.to_owned(), account.clone()))
        {
            return Err(Self::not_assigned(app.id, account));
        }
        let granted = tenant.grant_application(
            app.id,
            account,
            entitlement.entitlement.entitlement_type,
            entitlement.entitlement.resource_id,
            entitlement.entitlement.id,
        );
        let assigned = AssignedApplicationEntitlement { assigned: true };
        if !granted {
            return Ok(Reply::unchanged(assigned).idempotent());
        }
        tenant.touch(account);
        Ok(Reply::created(assigned).idempotent().described(format!(
            "Granted {} in application {} to account {account}",
            entitlement.entitlement.id, app.id
        )))
    }

    /// Revokes an entitlement inside an application; revoking one not held is not_found.
    pub async fn unassign_application_entitlement(
        &self,
        cx: &ContextOf<Self>,
        req: UnassignApplicationEntitlement,
    ) -> Result<Reply<UnassignedApplicationEntitlement>> {
        Self::check_token(cx)?;
        let app = Self::application(&req.application_instance_id)?;
        let account = &req.account_integration_specific_id;
        let mut tenant = self.tenant();
        let removed = tenant.revoke_application(
            app.id,
            account,
            &req.entitlement_type,
            &req.resource_integration_specific_id,
            &req.entitlement_integration_specific_id,
        );
        if !removed {
            return Err(
                ConnectorError::not_found("Entitlement assignment not found")
                    .with_app_error_code("pretend_app.assignment_not_found"),
            );
        }
        tenant.touch(account);
        Ok(
            Reply::deleted(UnassignedApplicationEntitlement { unassigned: true }).described(
                format!(
                    "Revoked {} in application {} from account {account}",
                    req.entitlement_integration_specific_id, app.id
                ),
            ),
        )
    }

    /// Counts the accounts, optionally of one status (a custom capability).
    #[connector(custom, level = read, description = "Counts the accounts, optionally only those of one status.")]
    pub fn count_accounts(
        &self,
        cx: &ContextOf<Self>,
        req: CountAccounts,
    ) -> Result<Reply<AccountCount>> {
        Self::check_token(cx)?;
        let tenant = self.tenant();
        let count = tenant
            .accounts
            .iter()
            .filter(|account| {
                req.status
                    .as_ref()
                    .is_none_or(|status| &account.status == status)
            })
            .count();
        Ok(Reply::new(AccountCount {
            count: count as u64,
        }))
    }
}

/// The page of `items` that `page` asks for.
fn page_of<T, U>(
    items: &[T],
    page: &PageRequest<Offset>,
    map: impl Fn(&T) -> U,
) -> Paged<U, Offset> {
    let start = page.cursor().map_or(0, |offset| offset.0).min(items.len());
    let end = start.saturating_add(page.size() as usize).min(items.len());
    let next = (end < items.len()).then_some(Offset(end));
    Paged::new(items[start..end].iter().map(map).collect(), next)
}
