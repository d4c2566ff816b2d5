//! One connector that implements every standard capability an author can write (all of
//! `caps::ALL` but `app_info` and `probe_integration`, which the runtime generates), each
//! with its typed signature, through `#[connector]`. It proves each name is implementable,
//! and checks that `info` describes each one, that each answers a minimal valid request
//! (built from its argument schema's required fields) with a success envelope, and that
//! the levels in the payload schemas are those of `caps::ALL`.

use std::collections::BTreeSet;

use connector_sdk::capability::Envelope;
use connector_sdk::connector;
use connector_sdk::info::info;
use connector_sdk::prelude::*;
use serde_json::{Map, Value, json};

/// The capabilities the runtime generates for every connector: no author writes them.
const GENERATED: [&str; 2] = ["app_info", "probe_integration"];

#[derive(Debug, Default)]
struct Everything;

fn account() -> FoundAccountData {
    FoundAccountData {
        integration_specific_id: "u-1".into(),
        username: Some("ada".into()),
        user_status: Some(AccountStatus::Active),
        ..Default::default()
    }
}

fn application() -> Application {
    Application {
        id: "app-1".into(),
        name: "app.example".into(),
        display_name: None,
        description: None,
        status: ApplicationStatus::Active,
        logo: None,
        sign_on_mode: SignOnMode::Saml,
        sso_login_url: None,
        assignment_modes: vec![AssignmentMode::Account],
    }
}

fn application_account() -> ApplicationAccount {
    ApplicationAccount {
        account_id: "u-1".into(),
        application_instance_id: "app-1".into(),
        status: AccountStatus::Active,
    }
}

fn activity_record() -> ActivityRecord {
    ActivityRecord {
        id: "evt-1".into(),
        activity_type: ActivityRecordActivityType::Standard(ActivityType::AccountLogin),
        timestamp: "2026-11-01T09:00:00Z".into(),
        actor: ActivityRecordActor {
            account_id: "u-1".into(),
        },
        targets: Vec::new(),
        metadata: None,
    }
}

fn oauth_credentials() -> OauthCredentials {
    OauthCredentials {
        access_token: "access".into(),
        refresh_token: Some("refresh".into()),
        token_type: TokenType::Bearer,
        state: None,
    }
}

#[connector(app_id = "everything", auth = TokenCredential)]
impl Everything {
    // ---- Authenticated, one payload in, one payload out.

    /// activate_account
    async fn activate_account(
        &self,
        _cx: &ContextOf<Self>,
        _req: ActivateAccount,
    ) -> Result<Reply<ActivatedAccount>> {
        Ok(Reply::updated(ActivatedAccount {
            status: AccountStatus::Active,
            activated: true,
        })
        .idempotent())
    }

    /// assign_application
    async fn assign_application(
        &self,
        _cx: &ContextOf<Self>,
        _req: AssignApplication,
    ) -> Result<AssignedApplication> {
        Ok(AssignedApplication {
            assigned: true,
            provisioned: true,
        })
    }

    /// assign_application_entitlement
    async fn assign_application_entitlement(
        &self,
        _cx: &ContextOf<Self>,
        _req: AssignApplicationEntitlement,
    ) -> Result<AssignedApplicationEntitlement> {
        Ok(AssignedApplicationEntitlement { assigned: true })
    }

    /// assign_entitlement
    async fn assign_entitlement(
        &self,
        _cx: &ContextOf<Self>,
        _req: AssignEntitlement,
    ) -> Result<AssignedEntitlement> {
        Ok(AssignedEntitlement { assigned: true })
    }

    /// create_account
    async fn create_account(
        &self,
        _cx: &ContextOf<Self>,
        _req: CreatableAccount,
    ) -> Result<Reply<CreatedAccount>> {
        Ok(Reply::created(CreatedAccount {
            id: Some("u-2".into()),
            status: AccountStatus::Active,
            created: true,
        })
        .described("Created u-2"))
    }

    /// deactivate_account
    async fn deactivate_account(
        &self,
        _cx: &ContextOf<Self>,
        _req: DeactivateAccount,
    ) -> Result<DeactivatedAccount> {
        Ok(DeactivatedAccount {
            status: AccountStatus::Inactive,
            deactivated: true,
        })
    }

    /// delete_account
    async fn delete_account(
        &self,
        _cx: &ContextOf<Self>,
        _req: DeleteAccount,
    ) -> Result<Reply<DeletedAccount>> {
        Ok(Reply::deleted(DeletedAccount {
            status: AccountStatus::Deleted,
            deleted: true,
        }))
    }

    /// downgrade_license
    async fn downgrade_license(
        &self,
        _cx: &ContextOf<Self>,
        _req: DowngradeLicense,
    ) -> Result<DowngradedLicense> {
        Ok(DowngradedLicense {
            success: true,
            reason: None,
        })
    }

    /// find_entitlement_graph
    async fn find_entitlement_graph(
        &self,
        _cx: &ContextOf<Self>,
        _req: FindEntitlementGraph,
    ) -> Result<EntitlementGraph> {
        Ok(EntitlementGraph::default())
    }

    /// find_resource_graph
    async fn find_resource_graph(
        &self,
        _cx: &ContextOf<Self>,
        _req: FindResourceGraph,
    ) -> Result<ResourceGraph> {
        Ok(ResourceGraph::default())
    }

    /// fulfill_arbitrary_endpoint
    async fn fulfill_arbitrary_endpoint(
        &self,
        _cx: &ContextOf<Self>,
        req: FulfillArbitraryEndpoint,
    ) -> Result<ArbitraryResponse> {
        Ok(ArbitraryResponse {
            ok: true,
            status_code: Some(200),
            body: Some("{}".into()),
            resolved_url: req.url,
            ..Default::default()
        })
    }

    /// get_account
    async fn get_account(
        &self,
        _cx: &ContextOf<Self>,
        _req: GetAccount,
    ) -> Result<FoundAccountData> {
        Ok(account())
    }

    /// get_application
    async fn get_application(
        &self,
        _cx: &ContextOf<Self>,
        _req: GetApplication,
    ) -> Result<Application> {
        Ok(application())
    }

    /// get_application_account
    async fn get_application_account(
        &self,
        _cx: &ContextOf<Self>,
        _req: GetApplicationAccount,
    ) -> Result<ApplicationAccount> {
        Ok(application_account())
    }

    /// get_data_recency
    async fn get_data_recency(
        &self,
        _cx: &ContextOf<Self>,
        _req: GetDataRecency,
    ) -> Result<DataRecency> {
        Ok(DataRecency {
            data: [(
                "list_accounts".to_owned(),
                Some("2026-11-01T00:00:00Z".to_owned()),
            )]
            .into(),
        })
    }

    /// list_updated_accounts
    async fn list_updated_accounts(
        &self,
        _cx: &ContextOf<Self>,
        _req: ListUpdatedAccounts,
    ) -> Result<UpdatedAccounts> {
        Ok(UpdatedAccounts {
            accounts: vec![account()],
            cursor: None,
        })
    }

    /// release_resources
    async fn release_resources(
        &self,
        _cx: &ContextOf<Self>,
        _req: ReleaseResources,
    ) -> Result<ReleaseResourcesStatus> {
        Ok(ReleaseResourcesStatus {
            success: true,
            reason: None,
        })
    }

    /// transfer_data
    async fn transfer_data(
        &self,
        _cx: &ContextOf<Self>,
        _req: TransferData,
    ) -> Result<TransferDataStatus> {
        Ok(TransferDataStatus {
            success: true,
            reason: None,
        })
    }

    /// unassign_application
    async fn unassign_application(
        &self,
        _cx: &ContextOf<Self>,
        _req: UnassignApplication,
    ) -> Result<UnassignedApplication> {
        Ok(UnassignedApplication {
            unassigned: true,
            deprovisioned: true,
            status: AccountStatus::Deprovisioned,
        })
    }

    /// unassign_application_entitlement
    async fn unassign_application_entitlement(
        &self,
        _cx: &ContextOf<Self>,
        _req: UnassignApplicationEntitlement,
    ) -> Result<UnassignedApplicationEntitlement> {
        Ok(UnassignedApplicationEntitlement { unassigned: true })
    }

    /// unassign_entitlement
    async fn unassign_entitlement(
        &self,
        _cx: &ContextOf<Self>,
        _req: UnassignEntitlement,
    ) -> Result<UnassignedEntitlement> {
        Ok(UnassignedEntitlement { unassigned: true })
    }

    /// update_account (a plain, non-async method)
    fn update_account(
        &self,
        _cx: &ContextOf<Self>,
        req: UpdateableAccount,
    ) -> Result<Reply<UpdateableAccount>> {
        Ok(Reply::updated(req).idempotent())
    }

    /// validate_credentials
    async fn validate_credentials(
        &self,
        cx: &ContextOf<Self>,
        _req: ValidateCredentials,
    ) -> Result<ValidatedCredentials> {
        Ok(ValidatedCredentials {
            valid: !cx.credentials().token.expose().is_empty(),
            unique_tenant_id: "everything".into(),
        })
    }

    // ---- Lists: a page request in, a page out.

    /// find_entitlement_assignments
    async fn find_entitlement_assignments(
        &self,
        _cx: &ContextOf<Self>,
        _req: FindEntitlementAssignments,
        _page: PageRequest<u32>,
    ) -> Result<Paged<AccessGraphEntitlementAssignment, u32>> {
        Ok(Paged::last(vec![AccessGraphEntitlementAssignment {
            resource_id: "r-1".into(),
            entitlement_id: "e-1".into(),
            entitlement_resource_id: "r-1".into(),
        }]))
    }

    /// find_entitlement_associations
    async fn find_entitlement_associations(
        &self,
        _cx: &ContextOf<Self>,
        _req: FindEntitlementAssociations,
        _page: PageRequest<u32>,
    ) -> Result<Paged<FoundEntitlementAssociation, u32>> {
        Ok(Paged::last(vec![FoundEntitlementAssociation {
            account_id: "u-1".into(),
            integration_specific_entitlement_id: "e-1".into(),
            integration_specific_resource_id: String::new(),
        }]))
    }

    /// get_account_entitlement_associations
    async fn get_account_entitlement_associations(
        &self,
        _cx: &ContextOf<Self>,
        req: GetAccountEntitlementAssociations,
        _page: PageRequest<u32>,
    ) -> Result<Paged<FoundEntitlementAssociation, u32>> {
        Ok(Paged::last(vec![FoundEntitlementAssociation {
            account_id: req.account_id,
            integration_specific_entitlement_id: "e-1".into(),
            integration_specific_resource_id: String::new(),
        }]))
    }

    /// get_credential_last_activity
    async fn get_credential_last_activity(
        &self,
        _cx: &ContextOf<Self>,
        _req: GetCredentialLastActivity,
        _page: PageRequest<u32>,
    ) -> Result<Paged<CredentialLastActivity, u32>> {
        Ok(Paged::last(vec![CredentialLastActivity {
            credential_id: "c-1".into(),
            event_type: ActivityEventType::LastActivity,
            happened_at: "2026-11-01T09:00:00Z".into(),
        }]))
    }

    /// get_last_activity
    async fn get_last_activity(
        &self,
        _cx: &ContextOf<Self>,
        _req: GetLastActivity,
        _page: PageRequest<u32>,
    ) -> Result<Paged<LastActivityData, u32>> {
        Ok(Paged::last(vec![LastActivityData {
            account_id: "u-1".into(),
            event_type: "last_login".into(),
            happened_at: "2026-11-01T09:00:00Z".into(),
        }]))
    }

    /// get_non_human_account_last_activity
    async fn get_non_human_account_last_activity(
        &self,
        _cx: &ContextOf<Self>,
        _req: GetNonHumanAccountLastActivity,
        _page: PageRequest<u32>,
    ) -> Result<Paged<NonHumanAccountLastActivity, u32>> {
        Ok(Paged::last(vec![NonHumanAccountLastActivity {
            non_human_account_id: "bot-1".into(),
            event_type: ActivityEventType::LastLogin,
            happened_at: "2026-11-01T09:00:00Z".into(),
        }]))
    }

    /// list_accounts, with a page size of its own
    #[connector(page_size = 5)]
    async fn list_accounts(
        &self,
        _cx: &ContextOf<Self>,
        _req: ListAccounts,
        _page: PageRequest<u32>,
    ) -> Result<Paged<FoundAccountData, u32>> {
        Ok(Paged::last(vec![account()]))
    }

    /// list_activity_records
    async fn list_activity_records(
        &self,
        _cx: &ContextOf<Self>,
        _req: ListActivityRecords,
        _page: PageRequest<u32>,
    ) -> Result<Paged<ActivityRecord, u32>> {
        Ok(Paged::last(vec![activity_record()]))
    }

    /// list_applications
    async fn list_applications(
        &self,
        _cx: &ContextOf<Self>,
        _req: ListApplications,
        _page: PageRequest<u32>,
    ) -> Result<Paged<Application, u32>> {
        Ok(Paged::last(vec![application()]))
    }

    /// list_applications_accounts
    async fn list_applications_accounts(
        &self,
        _cx: &ContextOf<Self>,
        _req: ListApplicationsAccounts,
        _page: PageRequest<u32>,
    ) -> Result<Paged<ApplicationAccount, u32>> {
        Ok(Paged::last(vec![application_account()]))
    }

    /// list_applications_activity_records
    async fn list_applications_activity_records(
        &self,
        _cx: &ContextOf<Self>,
        _req: ListApplicationsActivityRecords,
        _page: PageRequest<u32>,
    ) -> Result<Paged<ApplicationActivityRecord, u32>> {
        let record = activity_record();
        Ok(Paged::last(vec![ApplicationActivityRecord {
            application_instance_id: "app-1".into(),
            id: record.id,
            activity_type: ActivityRecordActivityType::Other("AccessFeature".into()),
            timestamp: record.timestamp,
            actor: record.actor,
            targets: record.targets,
            metadata: record.metadata,
        }]))
    }

    /// list_applications_entitlement_associations
    async fn list_applications_entitlement_associations(
        &self,
        _cx: &ContextOf<Self>,
        _req: ListApplicationsEntitlementAssociations,
        _page: PageRequest<u32>,
    ) -> Result<Paged<ApplicationEntitlementAssociation, u32>> {
        Ok(Paged::last(vec![ApplicationEntitlementAssociation {
            application_instance_id: "app-1".into(),
            account_id: "u-1".into(),
            integration_specific_entitlement_id: "e-1".into(),
            integration_specific_resource_id: String::new(),
        }]))
    }

    /// list_applications_entitlements
    async fn list_applications_entitlements(
        &self,
        _cx: &ContextOf<Self>,
        _req: ListApplicationsEntitlements,
        _page: PageRequest<u32>,
    ) -> Result<Paged<ApplicationEntitlementData, u32>> {
        Ok(Paged::last(vec![ApplicationEntitlementData {
            application_instance_id: "app-1".into(),
            entitlement_type: "role".into(),
            integration_specific_id: "e-1".into(),
            label: "Role one".into(),
            ..Default::default()
        }]))
    }

    /// list_applications_resources
    async fn list_applications_resources(
        &self,
        _cx: &ContextOf<Self>,
        _req: ListApplicationsResources,
        _page: PageRequest<u32>,
    ) -> Result<Paged<ApplicationResourceData, u32>> {
        Ok(Paged::last(vec![ApplicationResourceData {
            application_instance_id: "app-1".into(),
            integration_specific_id: "r-1".into(),
            label: "Resource one".into(),
            resource_type: "workspace".into(),
            ..Default::default()
        }]))
    }

    /// list_credentials
    async fn list_credentials(
        &self,
        _cx: &ContextOf<Self>,
        _req: ListCredentials,
        _page: PageRequest<u32>,
    ) -> Result<Paged<Credential, u32>> {
        Ok(Paged::last(vec![Credential {
            resource_id: "r-1".into(),
            external_id: "c-1".into(),
            label: "Deploy key".into(),
            credential_type: "api_key".into(),
            status: Some(CredentialStatus::Active),
            ..Default::default()
        }]))
    }

    /// list_custom_attributes_schema
    async fn list_custom_attributes_schema(
        &self,
        _cx: &ContextOf<Self>,
        _req: ListCustomAttributesSchema,
        _page: PageRequest<u32>,
    ) -> Result<Paged<CustomAttributeSchema, u32>> {
        Ok(Paged::last(vec![CustomAttributeSchema {
            customized_type: CustomAttributeCustomizedType::Account,
            name: "department".into(),
            attribute_type: CustomAttributeType::String,
            description: None,
        }]))
    }

    /// list_entitlements
    async fn list_entitlements(
        &self,
        _cx: &ContextOf<Self>,
        _req: ListEntitlements,
        _page: PageRequest<u32>,
    ) -> Result<Paged<FoundEntitlementData, u32>> {
        Ok(Paged::last(vec![FoundEntitlementData {
            entitlement_type: "role".into(),
            integration_specific_id: "e-1".into(),
            label: "Role one".into(),
            ..Default::default()
        }]))
    }

    /// list_expenses
    async fn list_expenses(
        &self,
        _cx: &ContextOf<Self>,
        _req: ListExpenses,
        _page: PageRequest<u32>,
    ) -> Result<Paged<Expense, u32>> {
        Ok(Paged::last(vec![Expense {
            id: "x-1".into(),
            report_id: None,
            transaction_date: "2026-11-01".into(),
            payment_date: None,
            total_amount: Amount {
                amount: "12.50".into(),
                currency: "EUR".into(),
            },
            paid_amount: None,
            seller: Vendor::default(),
            description: "Lunch".into(),
            submitter: SpendUser::default(),
            r#type: ExpenseType::Reimbursement,
            approval_status: ExpenseApprovalStatus {
                id: None,
                display_value: None,
                value: None,
                normalized_value: NormalizedExpenseApprovalStatus::Approved,
            },
            payment_status: ExpensePaymentStatus {
                id: None,
                display_value: None,
                value: None,
                normalized_value: NormalizedExpensePaymentStatus::Paid,
            },
            url: None,
            attributes: None,
            custom_attributes: None,
        }]))
    }

    /// list_non_human_accounts
    async fn list_non_human_accounts(
        &self,
        _cx: &ContextOf<Self>,
        _req: ListNonHumanAccounts,
        _page: PageRequest<u32>,
    ) -> Result<Paged<NonHumanAccount, u32>> {
        Ok(Paged::last(vec![NonHumanAccount {
            resource_id: "r-1".into(),
            id: "bot-1".into(),
            label: "Build bot".into(),
            workload_name: "ci".into(),
            workload_id: "w-1".into(),
            r#type: "service_account".into(),
            status: AccountStatus::Active,
            created_at: None,
            updated_at: None,
            last_login: None,
            last_activity: None,
            custom_attributes: None,
            extra_data: None,
        }]))
    }

    /// list_resources (a plain, non-async method)
    fn list_resources(
        &self,
        _cx: &ContextOf<Self>,
        _req: ListResources,
        _page: PageRequest<u32>,
    ) -> Result<Paged<FoundResourceData, u32>> {
        Ok(Paged::last(vec![FoundResourceData {
            integration_specific_id: "r-1".into(),
            label: "Resource one".into(),
            resource_type: "workspace".into(),
            ..Default::default()
        }]))
    }

    // ---- No credentials in the envelope: the OAuth flows and validate_credential_config.

    /// get_authorization_url
    async fn get_authorization_url(
        &self,
        _cx: &UnauthenticatedContextOf<Self>,
        req: GetAuthorizationUrl,
    ) -> Result<AuthorizationUrl> {
        Ok(AuthorizationUrl {
            authorization_url: format!("https://auth.example/authorize?state={}", req.state),
            code_verifier: None,
        })
    }

    /// handle_authorization_callback
    async fn handle_authorization_callback(
        &self,
        _cx: &UnauthenticatedContextOf<Self>,
        _req: HandleAuthorizationCallback,
    ) -> Result<OauthCredentials> {
        Ok(oauth_credentials())
    }

    /// handle_client_credentials_request
    async fn handle_client_credentials_request(
        &self,
        _cx: &UnauthenticatedContextOf<Self>,
        _req: HandleClientCredentials,
    ) -> Result<OauthCredentials> {
        Ok(oauth_credentials())
    }

    /// refresh_access_token
    async fn refresh_access_token(
        &self,
        _cx: &UnauthenticatedContextOf<Self>,
        _req: RefreshAccessToken,
    ) -> Result<OauthCredentials> {
        Ok(oauth_credentials())
    }

    /// validate_credential_config
    async fn validate_credential_config(
        &self,
        _cx: &UnauthenticatedContextOf<Self>,
        _req: ValidateCredentialConfig,
    ) -> Result<ValidatedCredentialConfig> {
        Ok(ValidatedCredentialConfig {
            valid: true,
            validation_errors: None,
        })
    }
}

/// The capabilities an author writes: every standard one but the generated ones.
fn authored() -> Vec<&'static str> {
    connector_sdk::caps::ALL
        .iter()
        .map(|(name, ..)| *name)
        .filter(|name| !GENERATED.contains(name))
        .collect()
}

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(future)
}

#[test]
fn the_connector_implements_all_48_authored_capabilities() {
    assert_eq!(authored().len(), 48);
    assert_eq!(connector_sdk::caps::ALL.len(), 50);
}

#[test]
fn info_lists_every_capability_with_a_schema_each() {
    let info = serde_json::to_value(info::<Everything>()).unwrap();
    assert_eq!(info["app_id"], "everything");
    let listed: BTreeSet<&str> = info["capabilities"]
        .as_array()
        .expect("a list of capabilities")
        .iter()
        .map(|name| name.as_str().expect("a name"))
        .collect();
    let authored: BTreeSet<&str> = authored().into_iter().collect();
    let missing: Vec<&&str> = authored.difference(&listed).collect();
    assert!(missing.is_empty(), "not listed: {missing:?}");
    let extra: Vec<&&str> = listed
        .difference(&authored)
        .filter(|name| !GENERATED.contains(name))
        .collect();
    assert!(extra.is_empty(), "listed but not written: {extra:?}");

    let schemas = info["capability_schema"]
        .as_object()
        .expect("capability_schema");
    for name in &listed {
        let entry = &schemas[*name];
        for part in ["argument", "output"] {
            let schema = &entry[part];
            assert!(schema.is_object(), "{name}: no {part} schema");
            assert_eq!(
                schema["type"], "object",
                "{name}: {part} is an object schema"
            );
        }
        assert!(
            entry["display_name"]
                .as_str()
                .is_some_and(|text| !text.is_empty()),
            "{name}: a display name"
        );
    }
    for name in &authored {
        let description = schemas[*name]["description"].as_str().unwrap_or_default();
        assert!(
            description.starts_with(*name),
            "{name}: the doc comment is the description, not {description:?}"
        );
    }
}

/// The payloads whose schema has no `x-capability-level`, as in the protocol's spec
/// (`openapi.yaml` gives GetAuthorizationUrl, HandleAuthorizationCallback,
/// HandleClientCredentials, RefreshAccessToken and ListExpenses none; the reference's `info`
/// shows none for the OAuth flows, see the protocol's `examples/oauth_cli_info.json`).
/// caps::ALL still counts them as reads.
const WITHOUT_LEVEL: [&str; 6] = [
    "app_info",
    "get_authorization_url",
    "handle_authorization_callback",
    "handle_client_credentials_request",
    "list_expenses",
    "refresh_access_token",
];

#[test]
fn the_payload_schemas_carry_the_levels_of_caps_all() {
    let info = serde_json::to_value(info::<Everything>()).unwrap();
    let schemas = &info["capability_schema"];
    for (name, level, _) in connector_sdk::caps::ALL {
        if GENERATED.contains(name) && schemas.get(*name).is_none() {
            continue;
        }
        let in_schema = &schemas[*name]["argument"]["x-capability-level"];
        if WITHOUT_LEVEL.contains(name) {
            assert_eq!(*in_schema, Value::Null, "{name}: as in the reference");
            assert_eq!(*level, CapabilityLevel::Read, "{name}");
        } else {
            assert_eq!(*in_schema, level.as_str(), "{name}");
        }
    }
}

/// The schema `schema` points to, if it is a `$ref` into `$defs`.
fn resolve<'a>(schema: &'a Value, root: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let name = reference
                .strip_prefix("#/$defs/")
                .unwrap_or_else(|| panic!("a local reference: {reference}"));
            resolve(&root["$defs"][name], root)
        }
        None => schema,
    }
}

/// A minimal value valid for `schema`: an object holds only its required properties.
fn minimal(schema: &Value, root: &Value) -> Value {
    let schema = resolve(schema, root);
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        return values[0].clone();
    }
    if let Some(constant) = schema.get("const") {
        return constant.clone();
    }
    for key in ["anyOf", "oneOf", "allOf"] {
        if let Some(choices) = schema.get(key).and_then(Value::as_array) {
            let choice = choices
                .iter()
                .find(|choice| resolve(choice, root)["type"] != "null")
                .unwrap_or(&choices[0]);
            return minimal(choice, root);
        }
    }
    let kind = match &schema["type"] {
        Value::Array(kinds) => kinds
            .iter()
            .find(|kind| *kind != "null")
            .cloned()
            .unwrap_or(Value::Null),
        kind => kind.clone(),
    };
    match kind.as_str() {
        Some("object") | None if schema.get("properties").is_some() => {
            let mut object = Map::new();
            let properties = &schema["properties"];
            for name in schema["required"].as_array().into_iter().flatten() {
                let name = name.as_str().expect("a property name");
                object.insert(name.to_owned(), minimal(&properties[name], root));
            }
            Value::Object(object)
        }
        Some("object") => json!({}),
        Some("array") => json!([]),
        Some("string") => json!("x"),
        Some("integer") | Some("number") => json!(0),
        Some("boolean") => json!(false),
        Some("null") => Value::Null,
        _ => panic!("no minimal value for {schema}"),
    }
}

#[test]
fn every_capability_answers_a_minimal_request_with_success() {
    let info = serde_json::to_value(info::<Everything>()).unwrap();
    let connector = Everything;
    for (name, level, envelope) in connector_sdk::caps::ALL {
        if GENERATED.contains(name) {
            continue;
        }
        let entry = &info["capability_schema"][*name];
        let argument = &entry["argument"];
        let request = minimal(argument, argument);
        let mut json = json!({"request": request});
        if *envelope == Envelope::Authenticated {
            json["auth"] = json!({"token": {"token": "t-123"}});
        }
        let out = block_on(connector.dispatch(name, &json.to_string()));
        let out: Value =
            serde_json::from_str(&out).unwrap_or_else(|err| panic!("{name}: {err}: {out}"));
        assert!(
            out.get("is_error").is_none(),
            "{name} ({level:?}) with {json}: {out}"
        );
        let keys: Vec<&str> = out
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "response",
                "raw_data",
                "page",
                "rate_limit",
                "execution_summary"
            ],
            "{name}: the standard success envelope"
        );
        let response = &out["response"];
        if entry["output"]["title"] == "Empty" {
            // A list capability: a list of one item, on the last page.
            assert_eq!(response.as_array().map(Vec::len), Some(1), "{name}: {out}");
            assert_eq!(out["page"], Value::Null, "{name}: the last page");
        } else {
            let output = &entry["output"];
            for field in output["required"].as_array().into_iter().flatten() {
                let field = field.as_str().unwrap();
                assert!(
                    response.get(field).is_some(),
                    "{name}: the response lacks {field}: {out}"
                );
            }
        }
    }
}

#[test]
fn replies_state_their_effects() {
    let connector = Everything;
    let auth = json!({"token": {"token": "t-123"}});
    for (name, request, kind, idempotent) in [
        (
            "activate_account",
            json!({"account_id": "u-1"}),
            "updated",
            true,
        ),
        ("create_account", json!({}), "created", false),
        (
            "delete_account",
            json!({"account_id": "u-1"}),
            "deleted",
            false,
        ),
        ("update_account", json!({"id": "u-1"}), "updated", true),
    ] {
        let json = json!({"auth": auth, "request": request});
        let out: Value =
            serde_json::from_str(&block_on(connector.dispatch(name, &json.to_string()))).unwrap();
        let summary = &out["execution_summary"];
        assert_eq!(summary["effect"]["kind"], kind, "{name}: {out}");
        assert_eq!(summary["is_idempotent"], idempotent, "{name}");
        assert_eq!(
            summary["request_fingerprint"].as_str().map(str::len),
            Some(64),
            "{name}"
        );
    }
    // A bare payload has no summary.
    let json = json!({"auth": auth, "request": {"account_id": "u-1"}});
    let out: Value = serde_json::from_str(&block_on(
        connector.dispatch("deactivate_account", &json.to_string()),
    ))
    .unwrap();
    assert_eq!(out["execution_summary"], Value::Null);
}
