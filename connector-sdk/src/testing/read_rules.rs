//! The read-side rules: info, dispatchability, app_info, answers to minimal requests,
//! pagination, association ids, unknown ids and credentials.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use crate::testing::rule::Rule;
use crate::testing::spec::{check_schema, kind, minimal, spec};
use crate::testing::suite::{Run, as_set, is_error};
use crate::testing::target::CallError;

/// The message the dispatcher answers a capability it does not know with.
fn not_dispatchable(capability: &str, answer: &Value) -> bool {
    Run::code_of(answer) == Some("unsupported_operation")
        && answer["error"]["message"].as_str()
            == Some(&format!("Capability '{capability}' is not implemented."))
}

/// A capability's minimal request: from the spec's payload schema, or from info's
/// argument schema for a capability the spec does not know. Writes get `{}` (nothing is
/// changed by a request missing its required fields).
pub(crate) fn minimal_request(run: &Run<'_>, capability: &str) -> Value {
    let document = spec();
    if document
        .capabilities()
        .get(capability)
        .is_some_and(|c| c.level == "write")
    {
        return json!({});
    }
    let argument = &run.info["capability_schema"][capability]["argument"];
    if argument.is_object() {
        return minimal(argument, argument);
    }
    json!({})
}

/// The envelope of `request` to `capability`: with credentials unless the spec says the
/// capability takes none.
pub(crate) fn envelope_for(run: &Run<'_>, capability: &str, request: Value) -> Value {
    let authenticated = spec()
        .capabilities()
        .get(capability)
        .is_none_or(|c| c.envelope == "Authenticated");
    let envelope = run.fixtures.envelope(request, None);
    if authenticated {
        return envelope;
    }
    let mut envelope = envelope;
    if let Some(object) = envelope.as_object_mut() {
        object.remove("auth");
        object.remove("credentials");
    }
    envelope
}

/// `info` is complete and each schema in it is valid.
pub(crate) fn info_complete(run: &mut Run<'_>) {
    let request = json!({"capability": "info"});
    let envelope = match run.target.info() {
        Ok(envelope) => envelope,
        Err(err) => {
            run.fail(Rule::InfoComplete, "info", &request, err);
            return;
        }
    };
    run.info = envelope["response"].clone();
    run.checked(Rule::InfoComplete);
    let info = run.info.clone();
    for field in ["app_id", "version"] {
        if info[field].as_str().is_none_or(str::is_empty) {
            run.fail(
                Rule::InfoComplete,
                "info",
                &request,
                format!(
                    "info.{field} is {}, not a non-empty string",
                    kind(&info[field])
                ),
            );
        }
    }
    let capabilities = run.capabilities();
    if capabilities.is_empty() {
        run.fail(
            Rule::InfoComplete,
            "info",
            &request,
            "info.capabilities lists nothing",
        );
    }
    for capability in &capabilities {
        for part in ["argument", "output"] {
            let schema = &info["capability_schema"][capability][part];
            if let Err(err) = check_schema(schema) {
                run.fail(
                    Rule::InfoComplete,
                    "info",
                    &request,
                    format!(
                        "capability_schema.{capability}.{part} is not a valid JSON Schema: {err}"
                    ),
                );
            }
        }
    }
    for field in ["request_settings_schema", "authentication_schema"] {
        if !info[field].is_null()
            && let Err(err) = check_schema(&info[field])
        {
            run.fail(
                Rule::InfoComplete,
                "info",
                &request,
                format!("info.{field} is not a valid JSON Schema: {err}"),
            );
        }
    }
}

/// Every capability in info or in the spec answers a minimal request: those in info are
/// dispatchable, the others are not, and every answer is checked against the spec.
pub(crate) fn minimal_requests(run: &mut Run<'_>) {
    let listed: BTreeSet<String> = run.capabilities().into_iter().collect();
    let mut names: BTreeSet<String> = spec().capabilities().keys().cloned().collect();
    names.extend(listed.iter().cloned());
    for capability in names {
        let request = minimal_request(run, &capability);
        let envelope = envelope_for(run, &capability, request);
        if !listed.contains(&capability)
            && run.target.call(&capability, &envelope.to_string()) == Err(CallError::Unknown)
        {
            run.checked(Rule::CapabilitiesMatchInfo);
            continue;
        }
        let Some(answer) = run.send(&capability, &envelope) else {
            continue;
        };
        run.checked(Rule::CapabilitiesMatchInfo);
        match (
            listed.contains(&capability),
            not_dispatchable(&capability, &answer),
        ) {
            (true, true) => run.fail(
                Rule::CapabilitiesMatchInfo,
                &capability,
                &envelope,
                "info lists it but dispatch does not know it",
            ),
            (false, false) => run.fail(
                Rule::CapabilitiesMatchInfo,
                &capability,
                &envelope,
                "dispatch answers it but info does not list it",
            ),
            _ => {}
        }
        if capability == "app_info" && !is_error(&answer) {
            app_info_openapi(run, &envelope, &answer["response"]["app_schema"]);
        }
    }
}

/// The `app_info` document is structurally OpenAPI 3.0.
fn app_info_openapi(run: &mut Run<'_>, envelope: &Value, document: &Value) {
    run.checked(Rule::AppInfoOpenApi);
    let mut problems = Vec::new();
    if !document["openapi"]
        .as_str()
        .is_some_and(|v| v.starts_with("3.0"))
    {
        problems.push(format!(
            "openapi is {}, not a 3.0.x version",
            document["openapi"]
        ));
    }
    for field in ["title", "version"] {
        if !document["info"][field].is_string() {
            problems.push(format!("info.{field} is missing"));
        }
    }
    match document["paths"].as_object() {
        None => problems.push("paths is not an object".to_owned()),
        Some(paths) => {
            for (path, item) in paths {
                if !path.starts_with('/') {
                    problems.push(format!("path {path:?} does not start with /"));
                }
                for (method, operation) in item.as_object().into_iter().flatten() {
                    if !operation["responses"].is_object() {
                        problems.push(format!("{method} {path} has no responses object"));
                    }
                }
            }
        }
    }
    if !document["components"].is_null() && !document["components"].is_object() {
        problems.push("components is not an object".to_owned());
    }
    if !problems.is_empty() {
        run.fail(
            Rule::AppInfoOpenApi,
            "app_info",
            envelope,
            problems.join("; "),
        );
    }
}

/// The list capabilities in info whose minimal request succeeds, with that request.
fn lists(run: &mut Run<'_>) -> Vec<(String, Value)> {
    let mut found = Vec::new();
    for capability in run.capabilities() {
        if !spec()
            .capabilities()
            .get(&capability)
            .is_some_and(|c| c.list)
        {
            continue;
        }
        found.push((capability.clone(), minimal_request(run, &capability)));
    }
    found
}

/// Pagination ends, repeats no token and no item, lists the same set at every size, and
/// rejects a damaged token.
pub(crate) fn pagination(run: &mut Run<'_>) {
    let sizes = run.fixtures.page_sizes.clone();
    for (capability, request) in lists(run) {
        let Some(reference) = run.walk(&capability, &request, None) else {
            continue;
        };
        let reference_set = as_set(&reference);
        let mut first_token = None;
        for &size in &sizes {
            let Some(items) = run.walk(&capability, &request, Some(size)) else {
                continue;
            };
            run.checked(Rule::PaginationSameSetAtEverySize);
            let set = as_set(&items);
            if set != reference_set {
                let envelope = run
                    .fixtures
                    .envelope(request.clone(), Some(json!({"size": size})));
                let missing = reference_set.difference(&set).next().cloned();
                let extra = set.difference(&reference_set).next().cloned();
                run.fail(
                    Rule::PaginationSameSetAtEverySize,
                    &capability,
                    &envelope,
                    format!(
                        "{} items at page size {size}, {} at the default; first missing: {missing:?}; first extra: {extra:?}",
                        set.len(),
                        reference_set.len()
                    ),
                );
            }
            if first_token.is_none() && items.len() > size as usize {
                let envelope = run
                    .fixtures
                    .envelope(request.clone(), Some(json!({"size": size})));
                first_token = run
                    .send(&capability, &envelope)
                    .and_then(|a| a["page"]["token"].as_str().map(str::to_owned));
            }
        }
        let mut damaged = vec!["conformance-damaged-token~!".to_owned()];
        if let Some(token) = first_token {
            let half = token
                .char_indices()
                .nth(token.chars().count() / 2)
                .map_or(0, |(i, _)| i);
            damaged.push(format!("{}!~", &token[..half]));
        }
        for token in damaged {
            let envelope = run
                .fixtures
                .envelope(request.clone(), Some(json!({"size": 1, "token": token})));
            let Some(answer) = run.send(&capability, &envelope) else {
                continue;
            };
            run.checked(Rule::DamagedTokenIsInvalidPageToken);
            if Run::code_of(&answer) != Some("invalid_page_token") {
                run.fail(
                    Rule::DamagedTokenIsInvalidPageToken,
                    &capability,
                    &envelope,
                    format!(
                        "answered {}",
                        crate::testing::rule::shorten(&answer.to_string(), 300)
                    ),
                );
            }
        }
    }
}

/// Association ids exist in list_accounts and list_entitlements.
pub(crate) fn association_ids(run: &mut Run<'_>) {
    if ![
        "find_entitlement_associations",
        "list_accounts",
        "list_entitlements",
    ]
    .iter()
    .all(|c| run.has(c))
    {
        return;
    }
    let page = run.fixtures.page_sizes.iter().copied().max();
    let walk = |run: &mut Run<'_>, capability: &str| {
        let request = minimal_request(run, capability);
        run.walk(capability, &request, page)
    };
    let (Some(associations), Some(accounts), Some(entitlements)) = (
        walk(run, "find_entitlement_associations"),
        walk(run, "list_accounts"),
        walk(run, "list_entitlements"),
    ) else {
        return;
    };
    run.checked(Rule::AssociationsReferToListedIds);
    let text = |value: &Value| value.as_str().unwrap_or_default().to_owned();
    let account_ids: BTreeSet<String> = accounts
        .iter()
        .map(|a| text(&a["integration_specific_id"]))
        .collect();
    let entitlement_ids: BTreeSet<(String, String)> = entitlements
        .iter()
        .map(|e| {
            (
                text(&e["integration_specific_id"]),
                text(&e["integration_specific_resource_id"]),
            )
        })
        .collect();
    let request = minimal_request(run, "find_entitlement_associations");
    let envelope = run
        .fixtures
        .envelope(request, page.map(|size| json!({"size": size})));
    for association in &associations {
        let account = text(&association["account_id"]);
        let entitlement = (
            text(&association["integration_specific_entitlement_id"]),
            text(&association["integration_specific_resource_id"]),
        );
        if !account_ids.contains(&account) {
            run.fail(
                Rule::AssociationsReferToListedIds,
                "find_entitlement_associations",
                &envelope,
                format!("account_id {account:?} is not in list_accounts: {association}"),
            );
        }
        if !entitlement_ids.contains(&entitlement) {
            run.fail(
                Rule::AssociationsReferToListedIds,
                "find_entitlement_associations",
                &envelope,
                format!(
                    "entitlement {:?} of resource {:?} is not in list_entitlements: {association}",
                    entitlement.0, entitlement.1
                ),
            );
        }
    }
}

/// An unknown account id is not_found.
pub(crate) fn unknown_id(run: &mut Run<'_>) {
    if !run.has("get_account") {
        return;
    }
    let envelope = run
        .fixtures
        .envelope(json!({"account_id": "conformance-unknown-id-0c3f9a"}), None);
    let Some(answer) = run.send("get_account", &envelope) else {
        return;
    };
    run.checked(Rule::UnknownIdIsNotFound);
    if Run::code_of(&answer) != Some("not_found") {
        run.fail(
            Rule::UnknownIdIsNotFound,
            "get_account",
            &envelope,
            format!(
                "answered {}",
                crate::testing::rule::shorten(&answer.to_string(), 300)
            ),
        );
    }
}

/// Missing and wrong credentials are bad_request or unauthorized.
pub(crate) fn credentials(run: &mut Run<'_>) {
    if run.fixtures.credentials.is_empty() {
        return;
    }
    let Some(capability) = ["validate_credentials", "list_accounts"]
        .into_iter()
        .find(|c| run.has(c))
    else {
        return;
    };
    let request = minimal_request(run, capability);
    let good = run.fixtures.envelope(request, None);
    let mut missing = good.clone();
    let mut wrong = good.clone();
    if let (Some(missing), Some(wrong)) = (missing.as_object_mut(), wrong.as_object_mut()) {
        for key in run.fixtures.credentials.keys() {
            missing.remove(key);
            wrong.remove(key);
        }
        let spoiled: Map<String, Value> = run.fixtures.wrong();
        wrong.extend(spoiled);
    }
    for (rule, envelope) in [
        (Rule::MissingCredentialsRejected, missing),
        (Rule::WrongCredentialsRejected, wrong),
    ] {
        let Some(answer) = run.send(capability, &envelope) else {
            continue;
        };
        run.checked(rule);
        if !matches!(Run::code_of(&answer), Some("bad_request" | "unauthorized")) {
            run.fail(
                rule,
                capability,
                &envelope,
                format!(
                    "answered {}",
                    crate::testing::rule::shorten(&answer.to_string(), 300)
                ),
            );
        }
    }
}
