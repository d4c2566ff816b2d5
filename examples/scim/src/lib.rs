//! scim-connector: a generic SCIM 2.0 connector (RFC 7643 resources, RFC 7644 protocol),
//! built on connector-sdk's HTTP toolkit ([`connector_sdk::http`]).
//!
//! Point it at the SCIM root of any app (`base_url`, such as `https://host/scim/v2`) with
//! a bearer token. Users are accounts; Groups are entitlements of type `group`; group
//! memberships are the entitlement associations.
//!
//! | capability | SCIM requests |
//! |---|---|
//! | validate_credentials | `GET /Users?count=1`, `GET /ServiceProviderConfig` |
//! | list_accounts | `GET /Users?startIndex=…&count=…`, one per page |
//! | get_account | `GET /Users/{id}` |
//! | list_entitlements | `GET /Groups?startIndex=…&count=…&excludedAttributes=members` |
//! | find_entitlement_associations | `GET /Groups?startIndex=…&count=…&attributes=members` |
//! | create_account | `POST /Users`, then a membership change per initial group |
//! | update_account, activate_account, deactivate_account | `GET /Users/{id}`, then `PATCH` (or `PUT` where PATCH is not supported) |
//! | delete_account | `DELETE /Users/{id}` |
//! | assign_entitlement, unassign_entitlement | `GET /Groups/{id}`, then `PATCH` of `members` (or `PUT`) |
//!
//! Whether PATCH is supported comes from `/ServiceProviderConfig` (asked once per base URL
//! and process; PATCH is assumed when the server does not say, and a PATCH answered 405 or
//! 501 is retried as a PUT). SCIM error bodies map to the protocol's codes
//! ([`scim::map_error`]).
//!
//! ```
//! use connector_sdk::Connector;
//! use scim_connector::Scim;
//!
//! assert_eq!(Scim::metadata().app_id, "scim");
//! let info = serde_json::to_value(connector_sdk::info::info::<Scim>()).unwrap();
//! # let _ = info;
//! ```

pub mod scim;

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use connector_sdk::capability::Extends;
use connector_sdk::connector;
use connector_sdk::http::{HttpConfig, HttpSettings, OffsetCursor, RequestBuilder, path_segment};
use connector_sdk::prelude::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::scim::{Group, ListResponse, SCIM_MEDIA_TYPE, USER_SCHEMA, User};

/// The entitlement type of SCIM groups.
pub const GROUP: &str = "group";

/// The page size used when neither the request nor the settings name one.
pub const DEFAULT_PAGE_SIZE: u32 = 100;

/// The most `GET /Groups` requests one page of `find_entitlement_associations` makes
/// while looking for members (groups without members fill no page).
const MAX_GROUP_FETCHES_PER_PAGE: usize = 10;

/// The connector's settings.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[schemars(rename = "ScimSettings")]
pub struct ScimSettings {
    /// The SCIM root of the app, such as `https://example.com/scim/v2` (`/Users`, `/Groups` and `/ServiceProviderConfig` are appended to it).
    #[schemars(title = "Base URL", extend("x-semantic" = "tenant-id"))]
    pub base_url: String,
    /// The Users endpoint, relative to the base URL (`/Users` by default).
    #[serde(default)]
    #[schemars(title = "Users endpoint")]
    pub users_endpoint: Option<String>,
    /// The Groups endpoint, relative to the base URL (`/Groups` by default).
    #[serde(default)]
    #[schemars(title = "Groups endpoint")]
    pub groups_endpoint: Option<String>,
    /// How many items a page holds when the request does not say (100 by default).
    #[serde(default)]
    #[schemars(title = "Default page size", range(min = 1))]
    pub default_page_size: Option<u32>,
}

impl HttpSettings for ScimSettings {
    fn base_url(&self) -> &str {
        &self.base_url
    }
}

impl ScimSettings {
    /// The Users endpoint.
    pub fn users(&self) -> &str {
        endpoint(self.users_endpoint.as_deref(), "/Users")
    }

    /// The Groups endpoint.
    pub fn groups(&self) -> &str {
        endpoint(self.groups_endpoint.as_deref(), "/Groups")
    }

    /// The page size of a listing: the request's, else the settings' default, else 100.
    pub fn page_size<C>(&self, page: &PageRequest<C>) -> Result<u32> {
        if let Some(size) = page.requested_size() {
            return Ok(size);
        }
        match self.default_page_size {
            None => Ok(DEFAULT_PAGE_SIZE),
            Some(0) => Err(ConnectorError::invalid_value(
                "The setting default_page_size must be at least 1.",
            )
            .with_hint("Review the integration settings and correct the indicated field.")),
            Some(size) => Ok(size),
        }
    }

    /// The path of one user.
    fn user(&self, id: &str) -> Result<String> {
        resource_path(self.users(), id)
    }

    /// The path of one group.
    fn group(&self, id: &str) -> Result<String> {
        resource_path(self.groups(), id)
    }
}

/// An endpoint override, or the default.
fn endpoint<'a>(configured: Option<&'a str>, default: &'a str) -> &'a str {
    configured
        .map(str::trim)
        .filter(|path| !path.is_empty() && *path != "/")
        .unwrap_or(default)
}

/// `<endpoint>/<id>`, the id percent-encoded.
fn resource_path(endpoint: &str, id: &str) -> Result<String> {
    Ok(format!(
        "{}/{}",
        endpoint.trim_end_matches('/'),
        path_segment(id)?
    ))
}

/// Where a listing of memberships continues: the offset of a group in the Groups
/// listing, and how many of its user members were listed already.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MembershipCursor {
    /// The 0-based offset of the group to continue with.
    pub offset: u64,
    /// How many of that group's user members were listed already.
    pub skip: u64,
}

/// The query of the SCIM page at 0-based `offset` with `count` resources: SCIM's
/// `startIndex` is 1-based.
fn page_query(offset: u64, count: u32) -> [(&'static str, u64); 2] {
    [
        ("startIndex", offset.saturating_add(1)),
        ("count", u64::from(count)),
    ]
}

/// The create_account payload: the standard fields (initial group entitlements) and the
/// new user's attributes.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "CreateScimAccount")]
pub struct CreateScimAccount {
    /// The standard fields (initial entitlements: groups).
    #[serde(flatten)]
    pub base: CreatableAccount,
    /// The new user's `userName` (unique on the server).
    pub username: String,
    /// The primary email address.
    #[serde(default)]
    pub email: Option<String>,
    /// The first name (`name.givenName`).
    #[serde(default)]
    pub given_name: Option<String>,
    /// The last name (`name.familyName`).
    #[serde(default)]
    pub family_name: Option<String>,
}

impl Extends<CreatableAccount> for CreateScimAccount {
    fn base(&self) -> &CreatableAccount {
        &self.base
    }
}

/// The update_account payload: the user's id and the attributes to change (those left
/// out stay as they are).
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "UpdateScimAccount")]
pub struct UpdateScimAccount {
    /// The standard fields (the SCIM id of the user).
    #[serde(flatten)]
    pub base: UpdateableAccount,
    /// A new `userName`.
    #[serde(default)]
    pub username: Option<String>,
    /// A new primary email address.
    #[serde(default)]
    pub email: Option<String>,
    /// A new first name.
    #[serde(default)]
    pub given_name: Option<String>,
    /// A new last name.
    #[serde(default)]
    pub family_name: Option<String>,
}

impl Extends<UpdateableAccount> for UpdateScimAccount {
    fn base(&self) -> &UpdateableAccount {
        &self.base
    }
}

/// The SCIM connector: its HTTP setup, and what it learned of each server's PATCH support.
#[derive(Debug)]
pub struct Scim {
    http: HttpConfig,
    patch_support: Mutex<HashMap<String, bool>>,
}

impl Default for Scim {
    fn default() -> Self {
        Scim {
            http: HttpConfig::from_metadata(&<Scim as Connector>::metadata())
                .header("Accept", "application/scim+json, application/json")
                .map_errors(scim::map_error),
            patch_support: Mutex::default(),
        }
    }
}

/// The entitlement types: groups.
fn entitlement_types() -> Vec<EntitlementType> {
    vec![EntitlementType {
        type_id: GROUP.into(),
        type_label: "Group".into(),
        resource_type_id: String::new(),
        min: 0,
        max: None,
        requirements: None,
    }]
}

#[connector(
    app_id = "scim",
    name = "SCIM 2.0",
    description = "A generic connector for any app with a SCIM 2.0 (RFC 7643, RFC 7644) API: users, groups and group memberships.",
    app_vendor_domain = "scim.cloud",
    categories = [ItAndSecurity, Developers],
    auth = TokenCredential,
    settings = ScimSettings,
    entitlement_types = entitlement_types(),
)]
impl Scim {
    /// Checks the token with an authenticated `GET /Users?count=1`, and reads
    /// `/ServiceProviderConfig` to learn whether the server supports PATCH. The tenant is
    /// the base URL.
    pub async fn validate_credentials(
        &self,
        cx: &ContextOf<Self>,
        _req: ValidateCredentials,
    ) -> Result<Reply<ValidatedCredentials>> {
        let settings = cx.settings();
        let users = settings.users().to_owned();
        let probe: ListResponse<Value> = self
            .http
            .get(cx, settings.users())
            .query(&[("count", 1)])
            .map_errors(move |failure| {
                (failure.status() == 404).then(|| {
                    ConnectorError::not_found(format!(
                        "There is no SCIM Users endpoint at {} (HTTP 404 to GET {}).",
                        users,
                        failure.path()
                    ))
                    .with_hint("The base URL must be the SCIM root, such as https://host/scim/v2.")
                })
            })
            .fetch()
            .await?;
        let config = self.service_provider_config(cx).await;
        let reply = Reply::new(ValidatedCredentials {
            valid: true,
            unique_tenant_id: settings.base_url.clone(),
        });
        // The runtime shows raw_data only when the request asks for it.
        Ok(reply.with_raw_data(json!({
            "total_users": probe.total_results,
            "patch_supported": config.as_ref().map(scim::patch_supported),
            "service_provider_config": config,
        })))
    }

    /// Lists the users, one `GET /Users?startIndex=…&count=…` per page.
    pub async fn list_accounts(
        &self,
        cx: &ContextOf<Self>,
        _req: ListAccounts,
        page: PageRequest<OffsetCursor>,
    ) -> Result<Paged<FoundAccountData, OffsetCursor>> {
        let settings = cx.settings();
        let count = settings.page_size(&page)?;
        let offset = OffsetCursor::offset_of(&page);
        let response = self
            .http
            .get(cx, settings.users())
            .query(&page_query(offset, count))
            .send()
            .await?;
        let list: ListResponse<User> = response.json()?;
        let next = OffsetCursor::after(offset, list.resources.len(), count, list.total_results);
        let accounts = list.resources.into_iter().map(found_account).collect();
        Ok(Paged::new(accounts, next).with_page_size(count))
    }

    /// Reads one user.
    pub async fn get_account(
        &self,
        cx: &ContextOf<Self>,
        req: GetAccount,
    ) -> Result<Reply<FoundAccountData>> {
        let response = self
            .http
            .get(cx, &cx.settings().user(&req.account_id)?)
            .send()
            .await?;
        let user: User = response.json()?;
        let reply = Reply::new(found_account(user));
        Ok(reply)
    }

    /// Lists the groups as entitlements of type `group`.
    pub async fn list_entitlements(
        &self,
        cx: &ContextOf<Self>,
        _req: ListEntitlements,
        page: PageRequest<OffsetCursor>,
    ) -> Result<Paged<FoundEntitlementData, OffsetCursor>> {
        let settings = cx.settings();
        let count = settings.page_size(&page)?;
        let offset = OffsetCursor::offset_of(&page);
        let response = self
            .http
            .get(cx, settings.groups())
            .query(&page_query(offset, count))
            .query(&[("excludedAttributes", "members")])
            .send()
            .await?;
        let list: ListResponse<Group> = response.json()?;
        let next = OffsetCursor::after(offset, list.resources.len(), count, list.total_results);
        let entitlements = list
            .resources
            .into_iter()
            .map(|group| {
                let extra = group.external_id.map(|id| {
                    [("external_id".to_owned(), Value::String(id))]
                        .into_iter()
                        .collect()
                });
                FoundEntitlementData {
                    entitlement_type: GROUP.to_owned(),
                    integration_specific_resource_id: String::new(),
                    label: group.display_name.unwrap_or_else(|| group.id.clone()),
                    integration_specific_id: group.id,
                    is_assignable: Some(true),
                    extra_data: extra,
                    ..Default::default()
                }
            })
            .collect();
        Ok(Paged::new(entitlements, next).with_page_size(count))
    }

    /// Lists the group memberships of users, at most a page's size of them per page.
    pub async fn find_entitlement_associations(
        &self,
        cx: &ContextOf<Self>,
        _req: FindEntitlementAssociations,
        page: PageRequest<MembershipCursor>,
    ) -> Result<Paged<FoundEntitlementAssociation, MembershipCursor>> {
        let settings = cx.settings();
        let size = settings.page_size(&page)? as usize;
        let count = u32::try_from(size.clamp(1, 100)).unwrap_or(100);
        let (mut offset, mut skip) = page
            .cursor()
            .map_or((0, 0), |cursor| (cursor.offset, cursor.skip));
        let mut found = Vec::new();
        for _ in 0..MAX_GROUP_FETCHES_PER_PAGE {
            let list: ListResponse<Group> = self
                .http
                .get(cx, settings.groups())
                .query(&page_query(offset, count))
                .query(&[("attributes", "members")])
                .fetch()
                .await?;
            let received = list.resources.len();
            for (position, group) in list.resources.iter().enumerate() {
                let first = if position == 0 { skip } else { 0 };
                for (index, member) in group.user_ids().enumerate().skip(first as usize) {
                    if found.len() == size {
                        let cursor = MembershipCursor {
                            offset: offset + position as u64,
                            skip: index as u64,
                        };
                        return Ok(Paged::next(found, cursor).with_page_size(size as u32));
                    }
                    found.push(FoundEntitlementAssociation {
                        account_id: member.to_owned(),
                        integration_specific_entitlement_id: group.id.clone(),
                        integration_specific_resource_id: String::new(),
                    });
                }
            }
            let Some(next) = OffsetCursor::after(offset, received, count, list.total_results)
            else {
                return Ok(Paged::last(found));
            };
            offset = next.offset;
            skip = 0;
            if found.len() == size {
                break;
            }
        }
        Ok(Paged::next(found, MembershipCursor { offset, skip }).with_page_size(size as u32))
    }

    /// Creates a user (`POST /Users`) and adds it to its initial groups.
    pub async fn create_account(
        &self,
        cx: &ContextOf<Self>,
        req: CreateScimAccount,
    ) -> Result<Reply<CreatedAccount>> {
        let settings = cx.settings();
        if req.username.trim().is_empty() {
            return Err(ConnectorError::invalid_value(
                "The username of a new account must not be empty.",
            ));
        }
        let mut groups = Vec::new();
        for entitlement in &req.base.entitlements {
            check_group_type(&entitlement.entitlement_type)?;
            let id = &entitlement.integration_specific_id;
            let response = self
                .http
                .get(cx, &settings.group(id)?)
                .send()
                .await
                .map_err(|error| {
                    if error.code() == ErrorCode::NotFound {
                        ConnectorError::invalid_value(format!(
                            "The initial group {id} does not exist; no account was created."
                        ))
                    } else {
                        error
                    }
                })?;
            groups.push(response.json_value()?);
        }
        let mut user = json!({"schemas": [USER_SCHEMA], "userName": req.username, "active": true});
        let mut name = serde_json::Map::new();
        if let Some(given) = &req.given_name {
            name.insert("givenName".into(), json!(given));
        }
        if let Some(family) = &req.family_name {
            name.insert("familyName".into(), json!(family));
        }
        if !name.is_empty() {
            let display: Vec<&str> = [req.given_name.as_deref(), req.family_name.as_deref()]
                .into_iter()
                .flatten()
                .collect();
            user["name"] = Value::Object(name);
            user["displayName"] = json!(display.join(" "));
        }
        if let Some(email) = &req.email {
            user["emails"] = json!([{"value": email, "type": "work", "primary": true}]);
        }
        let created: User = send_json(self.http.post(cx, settings.users()), &user)
            .send()
            .await?
            .json()?;
        let patch = self.patch_supported(cx).await;
        for group in groups {
            let group_id = group
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            self.add_member(cx, patch, group, &created.id)
                .await
                .map_err(|error| {
                    ConnectorError::new(
                        error.code(),
                        format!(
                            "Created user {} ({}), but adding it to group {group_id} failed: {}",
                            created.id,
                            req.username,
                            error.message()
                        ),
                    )
                })?;
        }
        let description = format!("Created SCIM user {} ({})", created.id, req.username);
        let status = match created.active {
            Some(false) => AccountStatus::Inactive,
            _ => AccountStatus::Active,
        };
        Ok(Reply::created(CreatedAccount {
            id: Some(created.id),
            status,
            created: true,
        })
        .described(description))
    }

    /// Changes a user's userName, primary email or names (PATCH, or PUT where PATCH is
    /// not supported).
    pub async fn update_account(
        &self,
        cx: &ContextOf<Self>,
        req: UpdateScimAccount,
    ) -> Result<Reply<UpdateableAccount>> {
        if req
            .username
            .as_deref()
            .is_some_and(|name| name.trim().is_empty())
        {
            return Err(ConnectorError::invalid_value(
                "The username of an account must not be empty.",
            ));
        }
        let path = cx.settings().user(&req.base.id)?;
        let current = self.http.get(cx, &path).send().await?.json_value()?;
        let user: User = serde_json::from_value(current.clone())?;
        let mut changes: Vec<(&str, Value)> = Vec::new();
        if let Some(username) = &req.username
            && user.user_name.as_deref() != Some(username.as_str())
        {
            changes.push(("userName", json!(username)));
        }
        let name = user.name.as_ref();
        if let Some(given) = &req.given_name
            && name.and_then(|name| name.given_name.as_deref()) != Some(given.as_str())
        {
            changes.push(("name.givenName", json!(given)));
        }
        if let Some(family) = &req.family_name
            && name.and_then(|name| name.family_name.as_deref()) != Some(family.as_str())
        {
            changes.push(("name.familyName", json!(family)));
        }
        if let Some(email) = &req.email
            && user.primary_email() != Some(email.as_str())
        {
            changes.push(("emails", with_primary_email(&current, email)));
        }
        let id = UpdateableAccount {
            id: req.base.id.clone(),
        };
        if changes.is_empty() {
            return Ok(Reply::unchanged(id)
                .idempotent()
                .described(format!("User {} already had these values", req.base.id)));
        }
        let changed: Vec<&str> = changes.iter().map(|(path, _)| *path).collect();
        let description = format!("Updated {} of user {}", changed.join(", "), req.base.id);
        self.change_user(cx, &path, current, changes).await?;
        Ok(Reply::updated(id).idempotent().described(description))
    }

    /// Sets a user's `active` to true.
    pub async fn activate_account(
        &self,
        cx: &ContextOf<Self>,
        req: ActivateAccount,
    ) -> Result<Reply<ActivatedAccount>> {
        let changed = self.set_active(cx, &req.account_id, true).await?;
        let activated = ActivatedAccount {
            status: AccountStatus::Active,
            activated: true,
        };
        Ok(if changed {
            Reply::updated(activated).described(format!("Activated user {}", req.account_id))
        } else {
            Reply::unchanged(activated)
                .described(format!("User {} was active already", req.account_id))
        }
        .idempotent())
    }

    /// Sets a user's `active` to false.
    pub async fn deactivate_account(
        &self,
        cx: &ContextOf<Self>,
        req: DeactivateAccount,
    ) -> Result<Reply<DeactivatedAccount>> {
        let changed = self.set_active(cx, &req.account_id, false).await?;
        let deactivated = DeactivatedAccount {
            status: AccountStatus::Inactive,
            deactivated: true,
        };
        Ok(if changed {
            Reply::updated(deactivated).described(format!("Deactivated user {}", req.account_id))
        } else {
            Reply::unchanged(deactivated)
                .described(format!("User {} was inactive already", req.account_id))
        }
        .idempotent())
    }

    /// Deletes a user (`DELETE /Users/{id}`); an unknown user is not_found.
    pub async fn delete_account(
        &self,
        cx: &ContextOf<Self>,
        req: DeleteAccount,
    ) -> Result<Reply<DeletedAccount>> {
        self.http
            .delete(cx, &cx.settings().user(&req.account_id)?)
            .send()
            .await?;
        Ok(Reply::deleted(DeletedAccount {
            status: AccountStatus::Deleted,
            deleted: true,
        })
        .described(format!("Deleted user {}", req.account_id)))
    }

    /// Adds a user to a group; a member already is left as is (a noop).
    pub async fn assign_entitlement(
        &self,
        cx: &ContextOf<Self>,
        req: AssignEntitlement,
    ) -> Result<Reply<AssignedEntitlement>> {
        check_group_type(&req.entitlement_type)?;
        let settings = cx.settings();
        let account = &req.account_integration_specific_id;
        let group_id = &req.entitlement_integration_specific_id;
        self.http
            .get(cx, &settings.user(account)?)
            .query(&[("attributes", "id")])
            .send()
            .await?;
        let group = self
            .http
            .get(cx, &settings.group(group_id)?)
            .send()
            .await?
            .json_value()?;
        let assigned = AssignedEntitlement { assigned: true };
        if serde_json::from_value::<Group>(group.clone())?.has_user(account) {
            return Ok(Reply::unchanged(assigned).idempotent().described(format!(
                "User {account} was a member of group {group_id} already"
            )));
        }
        let patch = self.patch_supported(cx).await;
        self.add_member(cx, patch, group, account).await?;
        Ok(Reply::created(assigned)
            .idempotent()
            .described(format!("Added user {account} to group {group_id}")))
    }

    /// Removes a user from a group; a user who is not a member is left as is (a noop).
    pub async fn unassign_entitlement(
        &self,
        cx: &ContextOf<Self>,
        req: UnassignEntitlement,
    ) -> Result<Reply<UnassignedEntitlement>> {
        check_group_type(&req.entitlement_type)?;
        let account = &req.account_integration_specific_id;
        let group_id = &req.entitlement_integration_specific_id;
        let path = cx.settings().group(group_id)?;
        let mut group = self.http.get(cx, &path).send().await?.json_value()?;
        let unassigned = UnassignedEntitlement { unassigned: true };
        if !serde_json::from_value::<Group>(group.clone())?.has_user(account) {
            return Ok(Reply::unchanged(unassigned).idempotent().described(format!(
                "User {account} was not a member of group {group_id}"
            )));
        }
        let filter = format!("members[value eq \"{}\"]", account.replace('"', "\\\""));
        let operation = json!({"op": "remove", "path": filter});
        let patch = self.patch_supported(cx).await;
        self.modify(cx, &path, patch, operation, || {
            if let Some(members) = group.get_mut("members").and_then(Value::as_array_mut) {
                members
                    .retain(|member| member.get("value").and_then(Value::as_str) != Some(account));
            }
            group
        })
        .await?;
        Ok(Reply::deleted(unassigned)
            .idempotent()
            .described(format!("Removed user {account} from group {group_id}")))
    }
}

impl Scim {
    /// The server's `/ServiceProviderConfig`, or `None` when it cannot be read.
    async fn service_provider_config(&self, cx: &ContextOf<Self>) -> Option<Value> {
        let config = self
            .http
            .get(cx, "/ServiceProviderConfig")
            .send()
            .await
            .and_then(|response| response.json_value())
            .ok();
        if let Some(supported) = config.as_ref().and_then(scim::patch_supported) {
            self.patch_support
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(cx.settings().base_url.clone(), supported);
        }
        config
    }

    /// Whether to change resources with PATCH: what the server's ServiceProviderConfig
    /// says (asked once per base URL), PATCH when it does not say.
    async fn patch_supported(&self, cx: &ContextOf<Self>) -> bool {
        let known = self
            .patch_support
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&cx.settings().base_url)
            .copied();
        match known {
            Some(supported) => supported,
            None => self
                .service_provider_config(cx)
                .await
                .as_ref()
                .and_then(scim::patch_supported)
                .unwrap_or(true),
        }
    }

    /// Applies one change to the resource at `path`: the PATCH `operation` when the
    /// server supports PATCH, else (or when a PATCH is answered 405 or 501) a PUT of the
    /// resource that `changed` returns.
    async fn modify(
        &self,
        cx: &ContextOf<Self>,
        path: &str,
        patch: bool,
        operation: Value,
        changed: impl FnOnce() -> Value,
    ) -> Result<()> {
        self.modify_all(cx, path, patch, vec![operation], changed)
            .await
    }

    /// [`Scim::modify`] with several PATCH operations.
    async fn modify_all(
        &self,
        cx: &ContextOf<Self>,
        path: &str,
        patch: bool,
        operations: Vec<Value>,
        changed: impl FnOnce() -> Value,
    ) -> Result<()> {
        if patch {
            match send_json(self.http.patch(cx, path), &scim::patch_body(operations))
                .send()
                .await
            {
                Ok(_) => return Ok(()),
                Err(error) if error.code() == ErrorCode::UnsupportedOperation => {}
                Err(error) => return Err(error),
            }
        }
        send_json(self.http.put(cx, path), &scim::for_put(changed()))
            .send()
            .await?;
        Ok(())
    }

    /// Adds user `user_id` to `group` (the group as read from the server).
    async fn add_member(
        &self,
        cx: &ContextOf<Self>,
        patch: bool,
        mut group: Value,
        user_id: &str,
    ) -> Result<()> {
        let group_id = group
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let path = cx.settings().group(&group_id)?;
        let member = json!({"value": user_id, "type": "User"});
        let operation = json!({"op": "add", "path": "members", "value": [member.clone()]});
        self.modify(cx, &path, patch, operation, || {
            match group.get_mut("members").and_then(Value::as_array_mut) {
                Some(members) => members.push(member),
                None => group["members"] = json!([member]),
            }
            group
        })
        .await
    }

    /// Replaces attributes of a user (`current` as read from the server).
    async fn change_user(
        &self,
        cx: &ContextOf<Self>,
        path: &str,
        mut current: Value,
        changes: Vec<(&str, Value)>,
    ) -> Result<()> {
        let patch = self.patch_supported(cx).await;
        let operations = changes
            .iter()
            .map(|(attribute, value)| scim::replace(attribute, value.clone()))
            .collect();
        self.modify_all(cx, path, patch, operations, || {
            for (attribute, value) in changes {
                scim::set_path(&mut current, attribute, value);
            }
            current
        })
        .await
    }

    /// Sets a user's `active`; whether it changed.
    async fn set_active(&self, cx: &ContextOf<Self>, id: &str, active: bool) -> Result<bool> {
        let path = cx.settings().user(id)?;
        let current = self.http.get(cx, &path).send().await?.json_value()?;
        let user: User = serde_json::from_value(current.clone())?;
        if user.active == Some(active) {
            return Ok(false);
        }
        self.change_user(cx, &path, current, vec![("active", json!(active))])
            .await?;
        Ok(true)
    }
}

/// A request with a SCIM JSON body.
fn send_json<'c>(builder: RequestBuilder<'c>, body: &Value) -> RequestBuilder<'c> {
    builder.body(SCIM_MEDIA_TYPE, body.to_string())
}

/// Refuses entitlement types other than `group`.
fn check_group_type(entitlement_type: &str) -> Result<()> {
    if entitlement_type == GROUP {
        Ok(())
    } else {
        Err(ConnectorError::invalid_value(format!(
            "Unknown entitlement type `{entitlement_type}`: the SCIM connector has only `{GROUP}`."
        )))
    }
}

/// The user's `emails` with `email` as the primary one (the old primary value replaced,
/// or a new primary work email added).
fn with_primary_email(user: &Value, email: &str) -> Value {
    let mut emails = user
        .get("emails")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let primary = emails
        .iter()
        .position(|entry| entry.get("primary").and_then(Value::as_bool) == Some(true))
        .or(if emails.len() == 1 { Some(0) } else { None });
    match primary {
        Some(index) => {
            emails[index]["value"] = json!(email);
            emails[index]["primary"] = json!(true);
        }
        None => emails.insert(0, json!({"value": email, "type": "work", "primary": true})),
    }
    Value::Array(emails)
}

/// A SCIM user as the protocol's account.
fn found_account(user: User) -> FoundAccountData {
    let email = user.primary_email().map(str::to_owned);
    let (given_name, family_name) = user
        .name
        .map(|name| (name.given_name, name.family_name))
        .unwrap_or_default();
    let mut extra = serde_json::Map::new();
    if let Some(display) = user.display_name {
        extra.insert("display_name".into(), Value::String(display));
    }
    if let Some(external) = user.external_id {
        extra.insert("external_id".into(), Value::String(external));
    }
    FoundAccountData {
        integration_specific_id: user.id,
        email,
        given_name,
        family_name,
        username: user.user_name,
        user_status: user.active.map(|active| {
            if active {
                AccountStatus::Active
            } else {
                AccountStatus::Inactive
            }
        }),
        extra_data: (!extra.is_empty()).then_some(extra),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scim_pages_start_at_index_one() {
        assert_eq!(page_query(0, 7), [("startIndex", 1), ("count", 7)]);
        assert_eq!(page_query(14, 7), [("startIndex", 15), ("count", 7)]);
    }

    #[test]
    fn page_size_from_request_settings_or_default() {
        let settings = |size| ScimSettings {
            base_url: "https://h/scim/v2".into(),
            users_endpoint: None,
            groups_endpoint: None,
            default_page_size: size,
        };
        let unset = PageRequest::<OffsetCursor>::first(100);
        assert_eq!(settings(None).page_size(&unset).unwrap(), 100);
        assert_eq!(settings(Some(7)).page_size(&unset).unwrap(), 7);
        assert!(settings(Some(0)).page_size(&unset).is_err());
        let asked = PageRequest::<OffsetCursor>::first(100).with_requested_size(Some(100));
        assert_eq!(settings(Some(7)).page_size(&asked).unwrap(), 100);
    }

    #[test]
    fn endpoints_and_paths() {
        let mut settings = ScimSettings {
            base_url: "https://h/scim/v2".into(),
            users_endpoint: Some(" ".into()),
            groups_endpoint: Some("/v2/Groups/".into()),
            default_page_size: None,
        };
        assert_eq!(settings.users(), "/Users");
        assert_eq!(settings.group("a/b").unwrap(), "/v2/Groups/a%2Fb");
        settings.users_endpoint = Some("/Accounts".into());
        assert_eq!(settings.user("u1").unwrap(), "/Accounts/u1");
        assert!(settings.user("..").is_err());
    }

    #[test]
    fn primary_email_replaced_or_added() {
        let user = json!({"emails": [{"value": "a@x", "primary": true}, {"value": "b@x"}]});
        assert_eq!(
            with_primary_email(&user, "c@x"),
            json!([{"value": "c@x", "primary": true}, {"value": "b@x"}])
        );
        assert_eq!(
            with_primary_email(&json!({}), "c@x"),
            json!([{"value": "c@x", "type": "work", "primary": true}])
        );
    }
}
