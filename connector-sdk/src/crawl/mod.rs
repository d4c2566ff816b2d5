//! `<bin> dev crawl`: walks every list capability of a tenant to its last page through
//! the connector's own dispatch (as the platform would call it), shows progress, and
//! reports items and pages per capability, duplicates, dangling association ids, errors
//! with their codes and time per page ([`report`]).

pub(crate) mod command;
mod progress;
mod report;

use std::collections::HashSet;
use std::time::Instant;

use serde_json::{Map, Value, json};

use crate::connector::Connector;
pub(crate) use progress::Progress;
pub(crate) use report::Report;
use report::{CapabilityReport, CrawlError, EXAMPLES, Skipped};

/// Pages fetched at most per capability (a connector that never stops paging is an error).
pub(crate) const DEFAULT_MAX_PAGES: u64 = 100_000;

/// How a crawl runs.
#[derive(Clone, Debug)]
pub(crate) struct Options {
    /// The page size asked for (the connector's default when `None`).
    pub(crate) page_size: Option<u32>,
    /// Pages fetched at most per capability.
    pub(crate) max_pages: u64,
}

/// What the dangling check needs from the walk: the ids listed and those associated.
#[derive(Default)]
struct Seen {
    accounts: Option<HashSet<String>>,
    entitlements: Option<HashSet<(String, String)>>,
    associations: Vec<(String, String, String)>,
}

/// Walks every list capability of `connector` with the settings and credentials of
/// `envelope`, and reports what it found.
pub(crate) async fn crawl<C: Connector>(
    connector: &C,
    envelope: &Map<String, Value>,
    options: &Options,
    progress: &Progress,
) -> Report {
    let started = Instant::now();
    let runtime = crate::runtime::Runtime::<C>::get();
    let mut report = Report {
        app_id: runtime.metadata.app_id.to_owned(),
        ..Report::default()
    };
    let mut seen = Seen::default();
    for entry in runtime
        .capabilities
        .entries()
        .iter()
        .filter(|entry| entry.is_paginated())
    {
        let needs = required_fields(&entry.schemas().0);
        if !needs.is_empty() {
            progress.done(
                entry.name(),
                &format!("skipped: its request needs {}", needs.join(", ")),
            );
            report.skipped.push(Skipped {
                capability: entry.name().to_owned(),
                needs,
            });
            continue;
        }
        let walked = walk(
            connector,
            entry.name(),
            entry.item_identity(),
            envelope,
            options,
            progress,
            &mut seen,
        )
        .await;
        let (cap, error) = walked;
        progress.done(
            &cap.capability,
            &match &error {
                None => format!("{} items in {} pages", cap.items, cap.pages),
                Some(error) => format!("stopped at page {}: {}", error.page, error.code),
            },
        );
        report.errors.extend(error);
        report.capabilities.push(cap);
    }
    dangling(&seen, &mut report);
    progress.finish();
    report.elapsed_ms = millis(started);
    report
}

/// Walks one list capability to its last page (or its first error).
async fn walk<C: Connector>(
    connector: &C,
    name: &str,
    identity: Vec<String>,
    envelope: &Map<String, Value>,
    options: &Options,
    progress: &Progress,
    seen: &mut Seen,
) -> (CapabilityReport, Option<CrawlError>) {
    let mut cap = CapabilityReport {
        capability: name.to_owned(),
        identity,
        ..CapabilityReport::default()
    };
    let mut identities: HashSet<String> = HashSet::new();
    let mut tokens: HashSet<String> = HashSet::new();
    let mut token: Option<String> = None;
    let mut listed: Vec<Vec<String>> = Vec::new();
    let fail = |cap: &CapabilityReport, code: &str, message: String| CrawlError {
        capability: name.to_owned(),
        page: cap.pages,
        code: code.to_owned(),
        message,
    };
    loop {
        if cap.pages >= options.max_pages {
            let error = fail(
                &cap,
                "crawl_page_limit",
                format!("still paging after {} pages", options.max_pages),
            );
            return (cap, Some(error));
        }
        let request = page_envelope(envelope, token.as_deref(), options.page_size);
        let started = Instant::now();
        let answer = connector.dispatch(name, &request.to_string()).await;
        let ms = millis(started);
        cap.pages += 1;
        cap.page_ms.push(ms);
        let answer: Value = match serde_json::from_str(&answer) {
            Ok(answer) => answer,
            Err(_) => {
                let error = fail(
                    &cap,
                    "crawl_unreadable_answer",
                    "the answer is not JSON".to_owned(),
                );
                return (cap, Some(error));
            }
        };
        if let Some(error) = answer.get("error").filter(|error| !error.is_null()) {
            let text = |key: &str| {
                error
                    .get(key)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned()
            };
            let error = fail(&cap, &text("error_code"), text("message"));
            return (cap, Some(error));
        }
        let items = answer
            .get("response")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        for item in items {
            cap.items += 1;
            let id = identity_of(item, &cap.identity);
            if !identities.insert(id.clone()) {
                cap.duplicates += 1;
                if cap.duplicate_examples.len() < EXAMPLES {
                    cap.duplicate_examples.push(id);
                }
            }
        }
        listed.extend(items.iter().filter_map(|item| keys_of(name, item)));
        progress.page(name, cap.pages, items.len(), cap.items, ms);
        let next = answer
            .pointer("/page/token")
            .and_then(Value::as_str)
            .filter(|token| !token.is_empty())
            .map(str::to_owned);
        match next {
            None => break,
            Some(next) if !tokens.insert(next.clone()) => {
                let error = fail(
                    &cap,
                    "crawl_repeated_page_token",
                    "a page token came back a second time".to_owned(),
                );
                return (cap, Some(error));
            }
            Some(next) => token = Some(next),
        }
    }
    cap.complete = true;
    remember(name, listed, seen);
    (cap, None)
}

/// The envelope of one page: the settings and credentials of `envelope`, an empty
/// request, and the page token and size.
fn page_envelope(envelope: &Map<String, Value>, token: Option<&str>, size: Option<u32>) -> Value {
    let mut request: Map<String, Value> = envelope
        .iter()
        .filter(|(key, _)| !matches!(key.as_str(), "request" | "page"))
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    request.insert("request".to_owned(), json!({}));
    if token.is_some() || size.is_some() {
        request.insert("page".to_owned(), json!({"token": token, "size": size}));
    }
    Value::Object(request)
}

/// An item's identity: its identity fields joined, or the whole item when it has none.
fn identity_of(item: &Value, fields: &[String]) -> String {
    if fields.is_empty() {
        return item.to_string();
    }
    fields
        .iter()
        .map(|field| match item.get(field) {
            Some(Value::String(text)) => text.clone(),
            Some(Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The string at `key` of an item.
fn text<'a>(item: &'a Value, key: &str) -> &'a str {
    item.get(key).and_then(Value::as_str).unwrap_or_default()
}

/// What the dangling check keeps of an item of the three capabilities it relates.
fn keys_of(capability: &str, item: &Value) -> Option<Vec<String>> {
    let fields: &[&str] = match capability {
        "list_accounts" => &["integration_specific_id"],
        "list_entitlements" => &[
            "integration_specific_id",
            "integration_specific_resource_id",
        ],
        "find_entitlement_associations" => &[
            "account_id",
            "integration_specific_entitlement_id",
            "integration_specific_resource_id",
        ],
        _ => return None,
    };
    Some(
        fields
            .iter()
            .map(|field| text(item, field).to_owned())
            .collect(),
    )
}

/// Keeps the ids a completely walked capability listed, for the dangling check.
fn remember(capability: &str, listed: Vec<Vec<String>>, seen: &mut Seen) {
    let at = |keys: &[String], index: usize| keys.get(index).cloned().unwrap_or_default();
    match capability {
        "list_accounts" => {
            seen.accounts = Some(listed.iter().map(|keys| at(keys, 0)).collect());
        }
        "list_entitlements" => {
            seen.entitlements = Some(
                listed
                    .iter()
                    .map(|keys| (at(keys, 0), at(keys, 1)))
                    .collect(),
            );
        }
        "find_entitlement_associations" => {
            seen.associations = listed
                .iter()
                .map(|keys| (at(keys, 0), at(keys, 1), at(keys, 2)))
                .collect();
        }
        _ => {}
    }
}

/// Counts the associations whose account or entitlement was never listed.
fn dangling(seen: &Seen, report: &mut Report) {
    let dangling = &mut report.dangling;
    for (account, entitlement, resource) in &seen.associations {
        if let Some(accounts) = &seen.accounts
            && !accounts.contains(account)
        {
            dangling.account_ids += 1;
            if dangling.account_examples.len() < EXAMPLES
                && !dangling.account_examples.contains(account)
            {
                dangling.account_examples.push(account.clone());
            }
        }
        if let Some(entitlements) = &seen.entitlements
            && !entitlements.contains(&(entitlement.clone(), resource.clone()))
        {
            dangling.entitlement_ids += 1;
            let shown = if resource.is_empty() {
                entitlement.clone()
            } else {
                format!("{entitlement} (resource {resource})")
            };
            if dangling.entitlement_examples.len() < EXAMPLES
                && !dangling.entitlement_examples.contains(&shown)
            {
                dangling.entitlement_examples.push(shown);
            }
        }
    }
}

/// The fields a request payload schema requires: a capability that needs some cannot be
/// crawled with an empty request.
fn required_fields(schema: &Value) -> Vec<String> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect()
}

/// Milliseconds since `started`.
fn millis(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)
}
