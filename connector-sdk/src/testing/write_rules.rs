//! The write rules, run only with write fixtures: assign/unassign restore and are
//! idempotent; create → get → delete round-trips.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::testing::rule::{Rule, shorten};
use crate::testing::suite::{Run, as_set, is_error};

/// Every association, as a set of JSON texts; `None` if listing them failed.
fn associations(run: &mut Run<'_>) -> Option<BTreeSet<String>> {
    let size = run.fixtures.page_sizes.iter().copied().max();
    run.walk("find_entitlement_associations", &json!({}), size)
        .map(|items| as_set(&items))
}

/// Sends a write and reports `rule` when it does not succeed.
fn write(run: &mut Run<'_>, rule: Rule, capability: &str, request: Value) -> bool {
    let envelope = run.fixtures.envelope(request, None);
    let Some(answer) = run.send(capability, &envelope) else {
        return false;
    };
    if is_error(&answer) {
        run.fail(
            rule,
            capability,
            &envelope,
            format!("answered {}", shorten(&answer.to_string(), 300)),
        );
        return false;
    }
    true
}

/// Assign then unassign restores the associations; repeating either succeeds and changes nothing.
pub(crate) fn assign_unassign(run: &mut Run<'_>) {
    let (Some(account), Some(entitlement)) = (
        run.fixtures.account.clone(),
        run.fixtures.entitlement.clone(),
    ) else {
        return;
    };
    if ![
        "assign_entitlement",
        "unassign_entitlement",
        "find_entitlement_associations",
    ]
    .iter()
    .all(|c| run.has(c))
    {
        return;
    }
    let request = entitlement.request(&account);
    let Some(before) = associations(run) else {
        return;
    };
    let assign_envelope = run.fixtures.envelope(request.clone(), None);
    if !write(
        run,
        Rule::AssignUnassignRestores,
        "assign_entitlement",
        request.clone(),
    ) {
        return;
    }
    let Some(assigned) = associations(run) else {
        return;
    };
    run.checked(Rule::AssignUnassignRestores);
    if assigned == before {
        run.fail(
            Rule::AssignUnassignRestores,
            "assign_entitlement",
            &assign_envelope,
            "assign_entitlement succeeded but the associations did not change",
        );
    }
    run.checked(Rule::AssignUnassignIdempotent);
    if write(
        run,
        Rule::AssignUnassignIdempotent,
        "assign_entitlement",
        request.clone(),
    ) && associations(run).is_some_and(|again| again != assigned)
    {
        run.fail(
            Rule::AssignUnassignIdempotent,
            "assign_entitlement",
            &assign_envelope,
            "a second identical assign changed the associations",
        );
    }
    let unassign_envelope = run.fixtures.envelope(request.clone(), None);
    if !write(
        run,
        Rule::AssignUnassignRestores,
        "unassign_entitlement",
        request,
    ) {
        return;
    }
    let Some(after) = associations(run) else {
        return;
    };
    if after != before {
        let left: Vec<&String> = after.symmetric_difference(&before).take(3).collect();
        run.fail(
            Rule::AssignUnassignRestores,
            "unassign_entitlement",
            &unassign_envelope,
            format!("the associations differ from before the assign: {left:?}"),
        );
    }
    // A repeated unassign may also answer not_found (the assignment is gone); it must
    // not fail otherwise, nor change anything.
    let Some(again) = run.send("unassign_entitlement", &unassign_envelope) else {
        return;
    };
    if is_error(&again) && Run::code_of(&again) != Some("not_found") {
        run.fail(
            Rule::AssignUnassignIdempotent,
            "unassign_entitlement",
            &unassign_envelope,
            format!(
                "a second identical unassign answered {}",
                shorten(&again.to_string(), 300)
            ),
        );
    } else if associations(run).is_some_and(|now| now != after) {
        run.fail(
            Rule::AssignUnassignIdempotent,
            "unassign_entitlement",
            &unassign_envelope,
            "a second identical unassign changed the associations",
        );
    }
}

/// create_account → get_account → delete_account → get_account is not_found.
pub(crate) fn create_get_delete(run: &mut Run<'_>) {
    let Some(create) = run.fixtures.create_account.clone() else {
        return;
    };
    if !["create_account", "get_account", "delete_account"]
        .iter()
        .all(|c| run.has(c))
    {
        return;
    }
    let rule = Rule::CreateGetDeleteRoundTrip;
    run.checked(rule);
    let envelope = run.fixtures.envelope(create, None);
    let Some(created) = run.send("create_account", &envelope) else {
        return;
    };
    let Some(id) = created["response"]["id"].as_str().map(str::to_owned) else {
        run.fail(
            rule,
            "create_account",
            &envelope,
            format!(
                "the answer names no created id: {}",
                shorten(&created.to_string(), 300)
            ),
        );
        return;
    };
    let get = json!({"account_id": id});
    if !write(run, rule, "get_account", get.clone()) {
        return;
    }
    if !write(run, rule, "delete_account", json!({"account_id": id})) {
        return;
    }
    let envelope = run.fixtures.envelope(get, None);
    let Some(gone) = run.send("get_account", &envelope) else {
        return;
    };
    if Run::code_of(&gone) != Some("not_found") {
        run.fail(
            rule,
            "get_account",
            &envelope,
            format!(
                "a deleted account still answers {}",
                shorten(&gone.to_string(), 300)
            ),
        );
    }
}
