//! The pretend app's in-memory tenant: accounts, roles, groups, workspaces and who has what.

use std::collections::BTreeSet;

use connector_sdk::models::{
    AccountStatus, AccountType, FoundAccountData, FoundEntitlementData, FoundResourceData,
};

/// How many accounts a fresh tenant holds.
pub const SEED_ACCOUNTS: usize = 30;

/// Entitlement type of the global roles.
pub const ROLE: &str = "role";
/// Entitlement type of the global groups.
pub const GROUP: &str = "group";
/// Entitlement type of workspace membership (scoped to a workspace resource).
pub const WORKSPACE_MEMBER: &str = "workspace_member";
/// Resource type of workspaces.
pub const WORKSPACE: &str = "workspace";

/// One account of the pretend app.
#[derive(Clone, Debug, PartialEq)]
pub struct Account {
    /// The account's id, `user-<n>`.
    pub id: String,
    /// The login name.
    pub username: String,
    /// The email address.
    pub email: Option<String>,
    /// The first name.
    pub given_name: Option<String>,
    /// The last name.
    pub family_name: Option<String>,
    /// Active, inactive, ...
    pub status: AccountStatus,
}

impl Account {
    /// The account as the protocol lists it.
    pub fn to_found(&self) -> FoundAccountData {
        FoundAccountData {
            integration_specific_id: self.id.clone(),
            resource_id: None,
            email: self.email.clone(),
            given_name: self.given_name.clone(),
            family_name: self.family_name.clone(),
            username: Some(self.username.clone()),
            user_status: Some(self.status),
            extra_data: None,
            custom_attributes: None,
            account_type: Some(AccountType::User),
        }
    }
}

/// One entitlement: (type, resource id, id).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Entitlement {
    /// The entitlement type: role, group or workspace_member.
    pub entitlement_type: &'static str,
    /// The resource it is scoped to, `""` for global ones.
    pub resource_id: &'static str,
    /// Its id.
    pub id: &'static str,
    /// Its label.
    pub label: &'static str,
}

/// Every entitlement of the pretend app.
pub const ENTITLEMENTS: &[Entitlement] = &[
    Entitlement {
        entitlement_type: ROLE,
        resource_id: "",
        id: "admin",
        label: "Administrator",
    },
    Entitlement {
        entitlement_type: ROLE,
        resource_id: "",
        id: "member",
        label: "Member",
    },
    Entitlement {
        entitlement_type: ROLE,
        resource_id: "",
        id: "viewer",
        label: "Viewer",
    },
    Entitlement {
        entitlement_type: GROUP,
        resource_id: "",
        id: "engineering",
        label: "Engineering",
    },
    Entitlement {
        entitlement_type: GROUP,
        resource_id: "",
        id: "sales",
        label: "Sales",
    },
    Entitlement {
        entitlement_type: WORKSPACE_MEMBER,
        resource_id: "ws-1",
        id: "ws-1-member",
        label: "Workspace One member",
    },
    Entitlement {
        entitlement_type: WORKSPACE_MEMBER,
        resource_id: "ws-2",
        id: "ws-2-member",
        label: "Workspace Two member",
    },
];

impl Entitlement {
    /// The entitlement as the protocol lists it.
    pub fn to_found(&self) -> FoundEntitlementData {
        FoundEntitlementData {
            entitlement_type: self.entitlement_type.to_owned(),
            extra_data: None,
            integration_specific_id: self.id.to_owned(),
            integration_specific_resource_id: self.resource_id.to_owned(),
            is_assignable: Some(true),
            label: self.label.to_owned(),
            description: None,
            custom_attributes: None,
        }
    }
}

/// The workspaces (resources) of the pretend app.
pub fn resources() -> Vec<FoundResourceData> {
    [("ws-1", "Workspace One"), ("ws-2", "Workspace Two")]
        .into_iter()
        .map(|(id, label)| FoundResourceData {
            integration_specific_id: id.to_owned(),
            label: label.to_owned(),
            description: None,
            resource_type: WORKSPACE.to_owned(),
            extra_data: None,
        })
        .collect()
}

/// The tenant's state.
#[derive(Clone, Debug)]
pub struct Tenant {
    /// The accounts, in creation order.
    pub accounts: Vec<Account>,
    /// Who has what: (account id, entitlement type, resource id, entitlement id).
    pub grants: BTreeSet<(String, String, String, String)>,
    next_id: usize,
}

impl Default for Tenant {
    fn default() -> Self {
        Tenant::seeded(SEED_ACCOUNTS)
    }
}

impl Tenant {
    /// A tenant with `count` accounts (`user-4` suspended, every seventh inactive), each a
    /// member; every fifth an admin; odd ones in engineering, even ones in workspace one.
    pub fn seeded(count: usize) -> Self {
        let mut tenant = Tenant {
            accounts: Vec::new(),
            grants: BTreeSet::new(),
            next_id: 1,
        };
        for n in 1..=count {
            let status = match n {
                4 => AccountStatus::Suspended,
                n if n % 7 == 0 => AccountStatus::Inactive,
                _ => AccountStatus::Active,
            };
            let id = tenant.add(
                format!("user{n}"),
                Some(format!("user{n}@pretend.example")),
                Some(format!("Given{n}")),
                Some(format!("Family{n}")),
                status,
            );
            tenant.grant(&id, ROLE, "", if n % 5 == 0 { "admin" } else { "member" });
            tenant.grant(
                &id,
                GROUP,
                "",
                if n % 2 == 1 { "engineering" } else { "sales" },
            );
            if n % 2 == 0 {
                tenant.grant(&id, WORKSPACE_MEMBER, "ws-1", "ws-1-member");
            }
        }
        tenant
    }

    /// Adds an account and returns its id.
    pub fn add(
        &mut self,
        username: String,
        email: Option<String>,
        given_name: Option<String>,
        family_name: Option<String>,
        status: AccountStatus,
    ) -> String {
        let id = format!("user-{}", self.next_id);
        self.next_id += 1;
        self.accounts.push(Account {
            id: id.clone(),
            username,
            email,
            given_name,
            family_name,
            status,
        });
        id
    }

    /// The account with this id.
    pub fn account_mut(&mut self, id: &str) -> Option<&mut Account> {
        self.accounts.iter_mut().find(|account| account.id == id)
    }

    /// Grants an entitlement; false when it was already held.
    pub fn grant(
        &mut self,
        account: &str,
        entitlement_type: &str,
        resource: &str,
        entitlement: &str,
    ) -> bool {
        self.grants.insert((
            account.into(),
            entitlement_type.into(),
            resource.into(),
            entitlement.into(),
        ))
    }

    /// Revokes an entitlement; false when it was not held.
    pub fn revoke(
        &mut self,
        account: &str,
        entitlement_type: &str,
        resource: &str,
        entitlement: &str,
    ) -> bool {
        self.grants.remove(&(
            account.into(),
            entitlement_type.into(),
            resource.into(),
            entitlement.into(),
        ))
    }

    /// Whether the entitlement exists.
    pub fn has_entitlement(entitlement_type: &str, resource: &str, entitlement: &str) -> bool {
        ENTITLEMENTS.iter().any(|e| {
            e.entitlement_type == entitlement_type
                && e.resource_id == resource
                && e.id == entitlement
        })
    }
}
