//! pretend-app: an in-memory example connector built on connector-sdk.
//!
//! Its tenant lives in the process: 30 accounts, global roles and groups, two workspaces
//! with workspace-scoped memberships. Any non-empty token is accepted except `bad-token`,
//! which is unauthorized everywhere.
//!
//! The `#[connector]` attribute on the capability `impl` block generates the connector's
//! `Connector` implementation: its `info`, dispatch table, library entry and CLI.

pub mod tenant;

use std::sync::{Mutex, MutexGuard, PoisonError};

use connector_sdk::capability::Extends;
use connector_sdk::connector;
use connector_sdk::prelude::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::tenant::{ENTITLEMENTS, Tenant};

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
        let page = Paged::last(tenant::resources());
        Ok(if cx.include_raw_data() {
            page.with_raw_data(serde_json::json!({"workspaces": [{"id": "ws-1"}, {"id": "ws-2"}]}))
        } else {
            page
        })
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
        tenant
            .grants
            .retain(|(account, ..)| account != &req.account_id);
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
        let removed = self.tenant().revoke(
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
        Ok(UnassignedEntitlement { unassigned: true })
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
