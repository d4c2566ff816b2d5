//! One run of the conformance suite: sends requests, checks every answer against the spec,
//! walks pages, and collects the violations into a [`Report`].

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::testing::fixtures::Fixtures;
use crate::testing::rule::{Report, Rule, Violation};
use crate::testing::spec::spec;
use crate::testing::target::{CallError, Target};

/// The state of one run.
pub(crate) struct Run<'a> {
    pub target: &'a dyn Target,
    pub fixtures: &'a Fixtures,
    pub report: Report,
    /// The `info` payload (its `response`).
    pub info: Value,
}

/// What walking a list found: the items in order, or `None` when the walk broke a rule or
/// hit an error.
pub(crate) type Walk = Option<Vec<Value>>;

impl<'a> Run<'a> {
    pub fn new(target: &'a dyn Target, fixtures: &'a Fixtures) -> Self {
        Run {
            target,
            fixtures,
            report: Report::default(),
            info: Value::Null,
        }
    }

    /// Whether the author skipped `rule`.
    pub fn skipped(&self, rule: Rule) -> bool {
        self.fixtures.skipped.contains(&rule)
    }

    /// Notes that `rule` was checked.
    pub fn checked(&mut self, rule: Rule) {
        if !self.report.checked.contains(&rule) {
            self.report.checked.push(rule);
        }
    }

    /// Records a violation of `rule` unless the author skipped it.
    pub fn fail(
        &mut self,
        rule: Rule,
        capability: &str,
        request: &Value,
        detail: impl Into<String>,
    ) {
        self.checked(rule);
        if !self.skipped(rule) {
            let secrets = self.secret_settings();
            self.report
                .violations
                .push(Violation::new(rule, capability, request, &secrets, detail));
        }
    }

    /// The settings info marks `x-secret`, which a failure never shows.
    fn secret_settings(&self) -> Vec<String> {
        self.info["request_settings_schema"]["properties"]
            .as_object()
            .map(|properties| {
                properties
                    .iter()
                    .filter(|(_, schema)| schema["x-secret"] == json!(true))
                    .map(|(name, _)| name.clone())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Whether `info` lists `capability`.
    pub fn has(&self, capability: &str) -> bool {
        self.capabilities().iter().any(|c| c == capability)
    }

    /// The capabilities `info` lists.
    pub fn capabilities(&self) -> Vec<String> {
        self.info["capabilities"]
            .as_array()
            .map(|caps| {
                caps.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Sends `envelope` to `capability` and checks the answer is an envelope valid under
    /// the spec's response schema whose error, if any, has a proper code and metadata.
    /// Returns the parsed answer, or `None` when it was not JSON.
    pub fn send(&mut self, capability: &str, envelope: &Value) -> Option<Value> {
        let text = match self.target.call(capability, &envelope.to_string()) {
            Ok(text) => text,
            Err(CallError::Unknown) => {
                self.fail(
                    Rule::CapabilitiesMatchInfo,
                    capability,
                    envelope,
                    "the target does not know this capability",
                );
                return None;
            }
            Err(CallError::Failed(err)) => {
                self.fail(Rule::ResponseMatchesSchema, capability, envelope, err);
                return None;
            }
        };
        let answer: Value = match serde_json::from_str(&text) {
            Ok(answer) => answer,
            Err(err) => {
                self.fail(
                    Rule::ResponseMatchesSchema,
                    capability,
                    envelope,
                    format!("the answer is not JSON ({err}): {text}"),
                );
                return None;
            }
        };
        self.checked(Rule::ResponseMatchesSchema);
        if let Err(errors) = spec().check_response(capability, &answer) {
            self.fail(
                Rule::ResponseMatchesSchema,
                capability,
                envelope,
                format!("the answer does not match the spec's response schema: {errors}\n    answer: {}", crate::testing::rule::shorten(&answer.to_string(), 400)),
            );
        }
        if is_error(&answer) {
            self.check_error(capability, envelope, &answer);
        }
        Some(answer)
    }

    /// An error's code is one of the 22 and its metadata is the code's.
    fn check_error(&mut self, capability: &str, envelope: &Value, answer: &Value) {
        self.checked(Rule::ErrorCodeAndMetadata);
        let error = &answer["error"];
        let code = error["error_code"].as_str().unwrap_or_default();
        if !spec().error_codes().contains(&code) {
            self.fail(
                Rule::ErrorCodeAndMetadata,
                capability,
                envelope,
                format!(
                    "error_code {:?} is not one of the 22 codes",
                    error["error_code"]
                ),
            );
            return;
        }
        let Ok(parsed) = serde_json::from_value::<crate::ErrorCode>(json!(code)) else {
            return;
        };
        let metadata = &error["error_metadata"];
        let expected = [
            ("fault", serde_json::to_value(parsed.fault())),
            ("category", serde_json::to_value(parsed.category())),
        ];
        for (field, want) in expected {
            let want = want.unwrap_or(Value::Null);
            if metadata[field] != want {
                self.fail(
                    Rule::ErrorCodeAndMetadata,
                    capability,
                    envelope,
                    format!(
                        "error {code}: error_metadata.{field} is {} where the code implies {want}",
                        metadata[field]
                    ),
                );
            }
        }
    }

    /// The answer's error code when it is an error envelope.
    pub fn code_of(answer: &Value) -> Option<&str> {
        if is_error(answer) {
            answer["error"]["error_code"].as_str()
        } else {
            None
        }
    }

    /// Walks `capability` page by page at `size` (`None`: the connector's default),
    /// checking that it ends, repeats no token and lists no item twice.
    pub fn walk(&mut self, capability: &str, request: &Value, size: Option<u64>) -> Walk {
        let mut items = Vec::new();
        let mut seen_items = BTreeSet::new();
        let mut seen_tokens = BTreeSet::new();
        let mut page = size.map(|size| json!({"size": size}));
        for _ in 0..self.fixtures.max_pages {
            let envelope = self.fixtures.envelope(request.clone(), page.clone());
            let answer = self.send(capability, &envelope)?;
            if is_error(&answer) {
                return None;
            }
            for item in answer["response"].as_array().into_iter().flatten() {
                if !seen_items.insert(item.to_string()) {
                    self.fail(
                        Rule::PaginationNoDuplicates,
                        capability,
                        &envelope,
                        format!("item listed twice: {item}"),
                    );
                    return None;
                }
                items.push(item.clone());
            }
            self.checked(Rule::PaginationNoDuplicates);
            let Some(token) = answer["page"]["token"].as_str().filter(|t| !t.is_empty()) else {
                self.checked(Rule::PaginationEnds);
                return Some(items);
            };
            if !seen_tokens.insert(token.to_owned()) {
                self.fail(
                    Rule::PaginationTokenNotRepeated,
                    capability,
                    &envelope,
                    format!("page token {token:?} handed out twice"),
                );
                return None;
            }
            self.checked(Rule::PaginationTokenNotRepeated);
            let mut next = json!({"token": token});
            if let Some(size) = size {
                next["size"] = json!(size);
            }
            page = Some(next);
        }
        let envelope = self.fixtures.envelope(request.clone(), page);
        self.fail(
            Rule::PaginationEnds,
            capability,
            &envelope,
            format!("still paging after {} pages", self.fixtures.max_pages),
        );
        None
    }
}

/// Whether `answer` is an error envelope.
pub(crate) fn is_error(answer: &Value) -> bool {
    answer["is_error"] == json!(true)
}

/// The items of a walk as a set of their JSON texts.
pub(crate) fn as_set(items: &[Value]) -> BTreeSet<String> {
    items.iter().map(Value::to_string).collect()
}
