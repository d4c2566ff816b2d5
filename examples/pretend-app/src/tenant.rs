//! The pretend app's in-memory tenant: accounts, roles, groups, workspaces and who has what;
//! license tiers and owned documents; an activity log; and the applications the tenant
//! manages, each with its own resources, entitlements, assigned accounts and activity.
//!
//! Time is a logical clock: seeded data carries fixed timestamps (September to November
//! 2026) and every write that changes an account stamps it with the clock, which starts at
//! 2026-12-01T00:00:00Z and advances a minute per stamp. Runs are reproducible.

use std::collections::{BTreeMap, BTreeSet};

use connector_sdk::models::{
    AccountStatus, AccountType, ActivityRecord, ActivityRecordActivityType, ActivityRecordActor,
    ActivityRecordEntitlement, ActivityRecordTarget, ActivityType, Application,
    ApplicationActivityRecord, ApplicationEntitlementData, ApplicationResourceData,
    ApplicationStatus, AssignmentMode, FoundAccountData, FoundEntitlementData, FoundResourceData,
    SignOnMode,
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
    /// When the account last changed (seconds since the Unix epoch, on the tenant's clock).
    pub updated_at: i64,
    /// The account's license tier.
    pub license: License,
    /// How many documents the account owns (moved by transfer_data).
    pub documents: u32,
}

/// A license tier. `Free` is no paid license at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum License {
    /// No paid license.
    Free,
    /// The professional tier.
    Professional,
    /// The enterprise tier.
    Enterprise,
}

impl License {
    /// The tier's name.
    pub fn as_str(self) -> &'static str {
        match self {
            License::Free => "free",
            License::Professional => "professional",
            License::Enterprise => "enterprise",
        }
    }
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
    /// The activity log, oldest first: the tenant's own events and the applications'.
    pub events: Vec<Event>,
    /// Which accounts are assigned to which application: (application id, account id) →
    /// the account's status in the application.
    pub application_accounts: BTreeMap<(String, String), AccountStatus>,
    /// Who has what inside the applications: (application id, account id, entitlement
    /// type, resource id, entitlement id).
    pub application_grants: BTreeSet<(String, String, String, String, String)>,
    next_id: usize,
    clock: i64,
}

impl Default for Tenant {
    fn default() -> Self {
        Tenant::seeded(SEED_ACCOUNTS)
    }
}

impl Tenant {
    /// A tenant with `count` accounts (`user-4` suspended, every seventh inactive), each a
    /// member; every fifth an admin; odd ones in engineering, even ones in workspace one.
    ///
    /// Account `user-<n>` was last updated `n` hours after 2026-09-01T00:00:00Z, owns
    /// `n % 4` documents and holds an enterprise license if an admin, none if inactive,
    /// a professional one otherwise. Each account logged in on day `(n - 1) % 28 + 1` of
    /// October and of November at 09:00; admins also assumed their role at 09:30 in
    /// November. Applications: every account is assigned to `app-chat` (admins as
    /// `chat-admin`, the others as `chat-member`; odd ones in the engineering channels,
    /// even ones in the sales channels) and logged in there at 10:00; even ones to
    /// `app-wiki` (every fourth an editor, the others readers), viewing a page at 11:00;
    /// every third one to the inactive `app-legacy`.
    pub fn seeded(count: usize) -> Self {
        let mut tenant = Tenant {
            accounts: Vec::new(),
            grants: BTreeSet::new(),
            events: Vec::new(),
            application_accounts: BTreeMap::new(),
            application_grants: BTreeSet::new(),
            next_id: 1,
            clock: 0,
        };
        let seed_base = timestamp(2026, 9, 1, 0, 0, 0);
        let mut events = Vec::new();
        for n in 1..=count {
            let status = match n {
                4 => AccountStatus::Suspended,
                n if n % 7 == 0 => AccountStatus::Inactive,
                _ => AccountStatus::Active,
            };
            // `add` stamps the account with the next tick: n hours after the seed base.
            tenant.clock = seed_base + 3600 * n as i64 - CLOCK_STEP;
            let id = tenant.add(
                format!("user{n}"),
                Some(format!("user{n}@pretend.example")),
                Some(format!("Given{n}")),
                Some(format!("Family{n}")),
                status,
            );
            if let Some(account) = tenant.account_mut(&id) {
                account.documents = (n % 4) as u32;
                account.license = if status == AccountStatus::Inactive {
                    License::Free
                } else if n % 5 == 0 {
                    License::Enterprise
                } else {
                    License::Professional
                };
            }
            tenant.seed_applications(n, &id, status);
            events.extend(seed_events(n, &id));
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
        events.sort_by_key(|event| event.timestamp);
        for (index, event) in events.iter_mut().enumerate() {
            event.id = format!("evt-{}", index + 1);
        }
        tenant.events = events;
        tenant.clock = tenant
            .clock
            .max(timestamp(2026, 12, 1, 0, 0, 0) - CLOCK_STEP);
        tenant
    }

    /// Assigns seeded account `n` to its applications, with their entitlements.
    fn seed_applications(&mut self, n: usize, id: &str, status: AccountStatus) {
        self.assign_application(CHAT, id, status);
        let role = if n.is_multiple_of(5) {
            "chat-admin"
        } else {
            "chat-member"
        };
        self.grant_application(CHAT, id, ROLE, "", role);
        let channels = if n % 2 == 1 { "chat-eng" } else { "chat-sales" };
        self.grant_application(
            CHAT,
            id,
            WORKSPACE_MEMBER,
            channels,
            &format!("{channels}-member"),
        );
        if n.is_multiple_of(2) {
            self.assign_application(WIKI, id, status);
            let role = if n.is_multiple_of(4) {
                "wiki-editor"
            } else {
                "wiki-reader"
            };
            self.grant_application(WIKI, id, ROLE, "", role);
        }
        if n.is_multiple_of(3) {
            self.assign_application(LEGACY, id, status);
            self.grant_application(LEGACY, id, ROLE, "", "legacy-user");
        }
    }

    /// The tenant's clock: the time the last stamp was taken.
    pub fn now(&self) -> i64 {
        self.clock
    }

    /// Advances the clock and returns the new time.
    fn tick(&mut self) -> i64 {
        self.clock += CLOCK_STEP;
        self.clock
    }

    /// Stamps an account as changed now; false when there is no such account.
    pub fn touch(&mut self, id: &str) -> bool {
        let now = self.tick();
        match self.account_mut(id) {
            Some(account) => {
                account.updated_at = now;
                true
            }
            None => false,
        }
    }

    /// The account with this id.
    pub fn account(&self, id: &str) -> Option<&Account> {
        self.accounts.iter().find(|account| account.id == id)
    }

    /// The account as get_account and list_updated_accounts return it: what list_accounts
    /// shows plus `extra_data` (license, documents, updated_at) and, when asked for, the
    /// custom attribute `department` (the labels of the account's groups).
    pub fn account_details(
        &self,
        account: &Account,
        custom_attributes: Option<&[String]>,
    ) -> FoundAccountData {
        let mut found = account.to_found();
        let mut extra = serde_json::Map::new();
        extra.insert("license".into(), account.license.as_str().into());
        extra.insert("documents".into(), account.documents.into());
        extra.insert(
            "updated_at".into(),
            format_timestamp(account.updated_at).into(),
        );
        found.extra_data = Some(extra);
        let wants_department =
            custom_attributes.is_some_and(|names| names.iter().any(|name| name == "department"));
        if wants_department {
            let departments: Vec<&str> = ENTITLEMENTS
                .iter()
                .filter(|e| {
                    e.entitlement_type == GROUP
                        && self.grants.contains(&(
                            account.id.clone(),
                            GROUP.to_owned(),
                            e.resource_id.to_owned(),
                            e.id.to_owned(),
                        ))
                })
                .map(|e| e.label)
                .collect();
            found.custom_attributes = Some(BTreeMap::from([(
                "department".to_owned(),
                departments.join(", "),
            )]));
        }
        found
    }

    /// Assigns an account to an application; false when it already was.
    pub fn assign_application(
        &mut self,
        application: &str,
        account: &str,
        status: AccountStatus,
    ) -> bool {
        let key = (application.to_owned(), account.to_owned());
        if self.application_accounts.contains_key(&key) {
            return false;
        }
        self.application_accounts.insert(key, status);
        true
    }

    /// Removes an account from an application, with its entitlements there; false when it
    /// was not assigned.
    pub fn unassign_application(&mut self, application: &str, account: &str) -> bool {
        let key = (application.to_owned(), account.to_owned());
        if self.application_accounts.remove(&key).is_none() {
            return false;
        }
        self.application_grants
            .retain(|(app, holder, ..)| !(app == application && holder == account));
        true
    }

    /// Grants an entitlement inside an application; false when it was already held.
    pub fn grant_application(
        &mut self,
        application: &str,
        account: &str,
        entitlement_type: &str,
        resource: &str,
        entitlement: &str,
    ) -> bool {
        self.application_grants.insert((
            application.into(),
            account.into(),
            entitlement_type.into(),
            resource.into(),
            entitlement.into(),
        ))
    }

    /// Revokes an entitlement inside an application; false when it was not held.
    pub fn revoke_application(
        &mut self,
        application: &str,
        account: &str,
        entitlement_type: &str,
        resource: &str,
        entitlement: &str,
    ) -> bool {
        self.application_grants.remove(&(
            application.into(),
            account.into(),
            entitlement_type.into(),
            resource.into(),
            entitlement.into(),
        ))
    }

    /// Forgets everything about an account outside its own record: its application
    /// assignments and grants (its activity stays in the log).
    pub fn forget_account(&mut self, account: &str) {
        self.grants.retain(|(holder, ..)| holder != account);
        self.application_accounts
            .retain(|(_, holder), _| holder != account);
        self.application_grants
            .retain(|(_, holder, ..)| holder != account);
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
        let updated_at = self.tick();
        self.accounts.push(Account {
            id: id.clone(),
            username,
            email,
            given_name,
            family_name,
            status,
            updated_at,
            license: License::Free,
            documents: 0,
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

/// How far the clock advances per stamp: a minute.
const CLOCK_STEP: i64 = 60;

/// The chat application.
pub const CHAT: &str = "app-chat";
/// The wiki application.
pub const WIKI: &str = "app-wiki";
/// The inactive legacy application.
pub const LEGACY: &str = "app-legacy";

/// One application the tenant manages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct App {
    /// Its id (the protocol's `application_instance_id`).
    pub id: &'static str,
    /// Its name.
    pub name: &'static str,
    /// The name people see.
    pub display_name: &'static str,
    /// What it is.
    pub description: &'static str,
    /// Active or inactive: an inactive application takes no new assignments.
    pub status: ApplicationStatus,
    /// How people sign in to it.
    pub sign_on_mode: SignOnMode,
    /// Where people sign in.
    pub sso_login_url: Option<&'static str>,
    /// How access to it is given.
    pub assignment_modes: &'static [AssignmentMode],
}

/// Every application of the pretend tenant.
pub const APPLICATIONS: &[App] = &[
    App {
        id: CHAT,
        name: "chat.pretend.example",
        display_name: "Pretend Chat",
        description: "Team chat with channels per department.",
        status: ApplicationStatus::Active,
        sign_on_mode: SignOnMode::Saml,
        sso_login_url: Some("https://chat.pretend.example/sso/saml"),
        assignment_modes: &[AssignmentMode::Account, AssignmentMode::Entitlement],
    },
    App {
        id: WIKI,
        name: "wiki.pretend.example",
        display_name: "Pretend Wiki",
        description: "The company wiki.",
        status: ApplicationStatus::Active,
        sign_on_mode: SignOnMode::Oidc,
        sso_login_url: Some("https://wiki.pretend.example/login"),
        assignment_modes: &[AssignmentMode::Account, AssignmentMode::Entitlement],
    },
    App {
        id: LEGACY,
        name: "legacy.pretend.example",
        display_name: "Legacy Portal",
        description: "The old portal, kept read-only.",
        status: ApplicationStatus::Inactive,
        sign_on_mode: SignOnMode::Bookmark,
        sso_login_url: None,
        assignment_modes: &[AssignmentMode::Account],
    },
];

impl App {
    /// The application with this id.
    pub fn find(id: &str) -> Option<&'static App> {
        APPLICATIONS.iter().find(|app| app.id == id)
    }

    /// The application as the protocol lists it.
    pub fn to_application(&self) -> Application {
        Application {
            id: self.id.to_owned(),
            name: self.name.to_owned(),
            display_name: Some(self.display_name.to_owned()),
            description: Some(self.description.to_owned()),
            status: self.status,
            logo: None,
            sign_on_mode: self.sign_on_mode,
            sso_login_url: self.sso_login_url.map(str::to_owned),
            assignment_modes: self.assignment_modes.to_vec(),
        }
    }
}

/// The resources (workspaces) inside the applications: (application, id, label).
pub const APPLICATION_RESOURCES: &[(&str, &str, &str)] = &[
    (CHAT, "chat-eng", "Engineering channels"),
    (CHAT, "chat-sales", "Sales channels"),
    (WIKI, "wiki-eng", "Engineering space"),
];

/// The applications' resources as the protocol lists them.
pub fn application_resources() -> Vec<ApplicationResourceData> {
    APPLICATION_RESOURCES
        .iter()
        .map(|(application, id, label)| ApplicationResourceData {
            application_instance_id: (*application).to_owned(),
            integration_specific_id: (*id).to_owned(),
            label: (*label).to_owned(),
            description: None,
            resource_type: WORKSPACE.to_owned(),
            extra_data: None,
        })
        .collect()
}

/// One entitlement inside an application.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApplicationEntitlement {
    /// The application it belongs to.
    pub application: &'static str,
    /// The entitlement itself (its types are the tenant's: role, group, workspace_member).
    pub entitlement: Entitlement,
    /// Whether it can be granted.
    pub assignable: bool,
}

const fn app_entitlement(
    application: &'static str,
    entitlement_type: &'static str,
    resource_id: &'static str,
    id: &'static str,
    label: &'static str,
) -> ApplicationEntitlement {
    ApplicationEntitlement {
        application,
        entitlement: Entitlement {
            entitlement_type,
            resource_id,
            id,
            label,
        },
        assignable: true,
    }
}

/// Every entitlement inside the applications.
pub const APPLICATION_ENTITLEMENTS: &[ApplicationEntitlement] = &[
    app_entitlement(CHAT, ROLE, "", "chat-admin", "Chat administrator"),
    app_entitlement(CHAT, ROLE, "", "chat-member", "Chat member"),
    app_entitlement(
        CHAT,
        WORKSPACE_MEMBER,
        "chat-eng",
        "chat-eng-member",
        "Engineering channels member",
    ),
    app_entitlement(
        CHAT,
        WORKSPACE_MEMBER,
        "chat-sales",
        "chat-sales-member",
        "Sales channels member",
    ),
    app_entitlement(WIKI, ROLE, "", "wiki-editor", "Wiki editor"),
    app_entitlement(WIKI, ROLE, "", "wiki-reader", "Wiki reader"),
    app_entitlement(WIKI, GROUP, "", "wiki-reviewers", "Wiki reviewers"),
    app_entitlement(
        WIKI,
        WORKSPACE_MEMBER,
        "wiki-eng",
        "wiki-eng-member",
        "Engineering space member",
    ),
    ApplicationEntitlement {
        assignable: false,
        ..app_entitlement(LEGACY, ROLE, "", "legacy-user", "Legacy user")
    },
];

impl ApplicationEntitlement {
    /// The entitlement of `application` with this type, resource and id.
    pub fn find(
        application: &str,
        entitlement_type: &str,
        resource: &str,
        id: &str,
    ) -> Option<&'static ApplicationEntitlement> {
        APPLICATION_ENTITLEMENTS.iter().find(|e| {
            e.application == application
                && e.entitlement.entitlement_type == entitlement_type
                && e.entitlement.resource_id == resource
                && e.entitlement.id == id
        })
    }

    /// The entitlement as the protocol lists it.
    pub fn to_found(&self) -> ApplicationEntitlementData {
        let found = self.entitlement.to_found();
        ApplicationEntitlementData {
            application_instance_id: self.application.to_owned(),
            entitlement_type: found.entitlement_type,
            extra_data: None,
            integration_specific_id: found.integration_specific_id,
            integration_specific_resource_id: found.integration_specific_resource_id,
            is_assignable: Some(self.assignable),
            label: found.label,
            description: None,
            custom_attributes: None,
        }
    }
}

/// One entry of the activity log.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// Its id, `evt-<n>` in log order.
    pub id: String,
    /// The application it happened in; `None` for the tenant's own events.
    pub application: Option<&'static str>,
    /// When it happened (seconds since the Unix epoch).
    pub timestamp: i64,
    /// The account that acted.
    pub actor: String,
    /// What happened.
    pub activity_type: ActivityRecordActivityType,
    /// What it happened to.
    pub targets: Vec<ActivityRecordTarget>,
    /// Where from.
    pub metadata: BTreeMap<String, String>,
}

impl Event {
    /// The event as list_activity_records returns it.
    pub fn to_record(&self) -> ActivityRecord {
        ActivityRecord {
            id: self.id.clone(),
            activity_type: self.activity_type.clone(),
            timestamp: format_timestamp(self.timestamp),
            actor: ActivityRecordActor {
                account_id: self.actor.clone(),
            },
            targets: self.targets.clone(),
            metadata: Some(self.metadata.clone()),
        }
    }

    /// The event as list_applications_activity_records returns it.
    pub fn to_application_record(&self) -> ApplicationActivityRecord {
        let record = self.to_record();
        ApplicationActivityRecord {
            application_instance_id: self.application.unwrap_or_default().to_owned(),
            id: record.id,
            activity_type: record.activity_type,
            timestamp: record.timestamp,
            actor: record.actor,
            targets: record.targets,
            metadata: record.metadata,
        }
    }
}

/// The seeded events of account `user-<n>` (ids are given once the log is sorted).
fn seed_events(n: usize, id: &str) -> Vec<Event> {
    let day = ((n - 1) % 28 + 1) as u32;
    let event = |application, timestamp, activity_type, targets| Event {
        id: String::new(),
        application,
        timestamp,
        actor: id.to_owned(),
        activity_type,
        targets,
        metadata: BTreeMap::from([("ip".to_owned(), format!("10.0.{}.{}", n / 250, n % 250))]),
    };
    let login = || ActivityRecordActivityType::Standard(ActivityType::AccountLogin);
    let mut events = vec![
        event(None, timestamp(2026, 10, day, 9, 0, 0), login(), Vec::new()),
        event(None, timestamp(2026, 11, day, 9, 0, 0), login(), Vec::new()),
        event(
            Some(CHAT),
            timestamp(2026, 11, day, 10, 0, 0),
            login(),
            Vec::new(),
        ),
    ];
    if n.is_multiple_of(5) {
        events.push(event(
            None,
            timestamp(2026, 11, day, 9, 30, 0),
            ActivityRecordActivityType::Other("AssumeRole".to_owned()),
            vec![ActivityRecordTarget {
                account_id: None,
                entitlement: Some(ActivityRecordEntitlement {
                    id: "admin".to_owned(),
                    r#type: ROLE.to_owned(),
                    resource_id: None,
                    resource_type: None,
                }),
            }],
        ));
    }
    if n.is_multiple_of(2) {
        events.push(event(
            Some(WIKI),
            timestamp(2026, 11, day, 11, 0, 0),
            ActivityRecordActivityType::Other("ViewPage".to_owned()),
            vec![ActivityRecordTarget {
                account_id: None,
                entitlement: Some(ActivityRecordEntitlement {
                    id: "wiki-eng-member".to_owned(),
                    r#type: WORKSPACE_MEMBER.to_owned(),
                    resource_id: Some("wiki-eng".to_owned()),
                    resource_type: Some(WORKSPACE.to_owned()),
                }),
            }],
        ));
    }
    events
}

/// Seconds since the Unix epoch of a UTC date and time.
pub fn timestamp(year: i64, month: u32, day: u32, hour: u32, minute: u32, second: u32) -> i64 {
    days_from_civil(year, month, day) * 86_400
        + i64::from(hour) * 3600
        + i64::from(minute) * 60
        + i64::from(second)
}

/// `2026-12-01T00:01:00Z` from seconds since the Unix epoch.
pub fn format_timestamp(seconds: i64) -> String {
    let (year, month, day) = civil_from_days(seconds.div_euclid(86_400));
    let time = seconds.rem_euclid(86_400);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        time / 3600,
        time % 3600 / 60,
        time % 60
    )
}

/// Parses an ISO 8601 date (`2026-11-01`, midnight UTC) or date and time
/// (`2026-11-01T09:30`, `2026-11-01T09:30:00.5Z`, `2026-11-01 09:30:00+02:00`; UTC when
/// no offset is given) into seconds since the Unix epoch; fractions of a second are dropped.
pub fn parse_timestamp(text: &str) -> Option<i64> {
    fn number(text: &str, range: std::ops::Range<usize>) -> Option<u32> {
        let digits = text.get(range)?;
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse().ok()
    }
    let text = text.trim();
    if text.len() < 10 || text.get(4..5)? != "-" || text.get(7..8)? != "-" {
        return None;
    }
    let year = i64::from(number(text, 0..4)?);
    let month = number(text, 5..7)?;
    let day = number(text, 8..10)?;
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    let mut rest = &text[10..];
    let (mut hour, mut minute, mut second) = (0, 0, 0);
    if !rest.is_empty() {
        if !matches!(rest.get(..1)?, "T" | "t" | " ") || rest.get(3..4)? != ":" {
            return None;
        }
        hour = number(rest, 1..3)?;
        minute = number(rest, 4..6)?;
        rest = &rest[6..];
        if rest.starts_with(':') {
            second = number(rest, 1..3)?;
            rest = &rest[3..];
            if let Some(fraction) = rest.strip_prefix('.') {
                let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
                if digits == 0 {
                    return None;
                }
                rest = &fraction[digits..];
            }
        }
        if hour > 23 || minute > 59 || second > 59 {
            return None;
        }
    }
    let offset = match rest {
        "" | "Z" | "z" => 0,
        _ => {
            let sign = match rest.get(..1)? {
                "+" => 1,
                "-" => -1,
                _ => return None,
            };
            let digits = rest[1..].replace(':', "");
            if digits.len() != 4 || rest.len() > 6 {
                return None;
            }
            let hours = i64::from(number(&digits, 0..2)?);
            let minutes = i64::from(number(&digits, 2..4)?);
            if hours > 23 || minutes > 59 {
                return None;
            }
            sign * (hours * 3600 + minutes * 60)
        }
    };
    Some(timestamp(year, month, day, hour, minute, second) - offset)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let month = i64::from(month);
    let day_of_year =
        (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * shifted_month + 2) / 5 + 1) as u32;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_round_trip() {
        assert_eq!(timestamp(1970, 1, 1, 0, 0, 0), 0);
        assert_eq!(format_timestamp(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_timestamp(951_782_400), "2000-02-29T00:00:00Z");
        let t = timestamp(2026, 12, 1, 0, 1, 0);
        assert_eq!(format_timestamp(t), "2026-12-01T00:01:00Z");
        assert_eq!(parse_timestamp("2026-12-01T00:01:00Z"), Some(t));
        assert_eq!(parse_timestamp("2026-12-01T00:01:00.250Z"), Some(t));
        assert_eq!(parse_timestamp("2026-12-01 02:01:00+02:00"), Some(t));
        assert_eq!(parse_timestamp("2026-11-30T19:01-0500"), Some(t));
        assert_eq!(parse_timestamp("2026-12-01T00:01"), Some(t));
        assert_eq!(
            parse_timestamp("2026-12-01"),
            Some(timestamp(2026, 12, 1, 0, 0, 0))
        );
        for bad in [
            "",
            "yesterday",
            "2026-13-01",
            "2026-02-29",
            "2026-12-01T24:00:00Z",
            "2026-12-01T00:01:00+5",
            "2026-12-01T00:01:00.Z",
            "2026-12-01X",
            "２０２６-12-01",
        ] {
            assert_eq!(parse_timestamp(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_seeded_log_is_in_time_order() {
        let tenant = Tenant::default();
        assert!(
            tenant
                .events
                .windows(2)
                .all(|pair| pair[0].timestamp <= pair[1].timestamp)
        );
        assert_eq!(tenant.events[0].id, "evt-1");
        assert_eq!(tenant.now(), timestamp(2026, 12, 1, 0, 0, 0) - CLOCK_STEP);
    }
}
