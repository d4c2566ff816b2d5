//! The protocol rules the conformance suite enforces, and the violation a broken rule reports.

use std::fmt;

use serde_json::Value;

/// One protocol rule the suite checks; a [`Violation`] names the rule it broke.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Rule {
    /// `info` names the app, lists its capabilities and describes each with valid JSON Schemas.
    InfoComplete,
    /// Every capability in `info` is dispatchable, and nothing outside `info` is.
    CapabilitiesMatchInfo,
    /// `app_info` answers with a structurally valid OpenAPI 3.0 document.
    AppInfoOpenApi,
    /// Every answer is an envelope that validates against the spec's response schema.
    ResponseMatchesSchema,
    /// An error carries one of the 22 codes, with the metadata that code implies.
    ErrorCodeAndMetadata,
    /// Paging a list ends.
    PaginationEnds,
    /// Paging a list never hands out the same token twice.
    PaginationTokenNotRepeated,
    /// Paging a list never lists an item twice.
    PaginationNoDuplicates,
    /// Paging a list at different page sizes lists the same items.
    PaginationSameSetAtEverySize,
    /// A damaged page token is `invalid_page_token`.
    DamagedTokenIsInvalidPageToken,
    /// Every association's account exists in `list_accounts` and its entitlement in `list_entitlements`.
    AssociationsReferToListedIds,
    /// Assigning then unassigning an entitlement leaves the associations as they were.
    AssignUnassignRestores,
    /// Repeating an assign or an unassign succeeds and changes nothing.
    AssignUnassignIdempotent,
    /// An account created can be read back, deleted, and is then gone.
    CreateGetDeleteRoundTrip,
    /// An unknown id is `not_found`.
    UnknownIdIsNotFound,
    /// Missing credentials are `bad_request` or `unauthorized`.
    MissingCredentialsRejected,
    /// Wrong credentials are `bad_request` or `unauthorized`.
    WrongCredentialsRejected,
}

impl Rule {
    /// The rule's stable name, as failures print it (for example `pagination-no-duplicates`).
    pub fn name(self) -> &'static str {
        match self {
            Rule::InfoComplete => "info-complete",
            Rule::CapabilitiesMatchInfo => "capabilities-match-info",
            Rule::AppInfoOpenApi => "app-info-openapi",
            Rule::ResponseMatchesSchema => "response-matches-schema",
            Rule::ErrorCodeAndMetadata => "error-code-and-metadata",
            Rule::PaginationEnds => "pagination-ends",
            Rule::PaginationTokenNotRepeated => "pagination-token-not-repeated",
            Rule::PaginationNoDuplicates => "pagination-no-duplicates",
            Rule::PaginationSameSetAtEverySize => "pagination-same-set-at-every-size",
            Rule::DamagedTokenIsInvalidPageToken => "damaged-token-is-invalid-page-token",
            Rule::AssociationsReferToListedIds => "associations-refer-to-listed-ids",
            Rule::AssignUnassignRestores => "assign-unassign-restores",
            Rule::AssignUnassignIdempotent => "assign-unassign-idempotent",
            Rule::CreateGetDeleteRoundTrip => "create-get-delete-round-trip",
            Rule::UnknownIdIsNotFound => "unknown-id-is-not-found",
            Rule::MissingCredentialsRejected => "missing-credentials-rejected",
            Rule::WrongCredentialsRejected => "wrong-credentials-rejected",
        }
    }

    /// What the rule demands, in one sentence.
    pub fn statement(self) -> &'static str {
        match self {
            Rule::InfoComplete => {
                "info names the app, lists its capabilities and gives each a valid JSON Schema"
            }
            Rule::CapabilitiesMatchInfo => {
                "every capability in info is dispatchable and nothing else is"
            }
            Rule::AppInfoOpenApi => "app_info answers with an OpenAPI 3.0 document",
            Rule::ResponseMatchesSchema => {
                "every answer validates against the spec's response schema"
            }
            Rule::ErrorCodeAndMetadata => {
                "an error carries one of the 22 codes with that code's metadata"
            }
            Rule::PaginationEnds => "paging a list ends",
            Rule::PaginationTokenNotRepeated => "paging never hands out the same token twice",
            Rule::PaginationNoDuplicates => "paging never lists an item twice",
            Rule::PaginationSameSetAtEverySize => "every page size lists the same items",
            Rule::DamagedTokenIsInvalidPageToken => "a damaged page token is invalid_page_token",
            Rule::AssociationsReferToListedIds => {
                "association ids exist in list_accounts and list_entitlements"
            }
            Rule::AssignUnassignRestores => "assign then unassign restores the associations",
            Rule::AssignUnassignIdempotent => {
                "repeating an assign or an unassign succeeds and changes nothing"
            }
            Rule::CreateGetDeleteRoundTrip => "create, get and delete round-trip",
            Rule::UnknownIdIsNotFound => "an unknown id is not_found",
            Rule::MissingCredentialsRejected => {
                "missing credentials are bad_request or unauthorized"
            }
            Rule::WrongCredentialsRejected => "wrong credentials are bad_request or unauthorized",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A broken rule: which rule, on which capability, the request that broke it (credentials
/// redacted) and what was wrong.
#[derive(Clone, Debug)]
pub struct Violation {
    /// The rule broken.
    pub rule: Rule,
    /// The capability whose answer broke it.
    pub capability: String,
    /// The request envelope sent, with every credential value replaced by `<redacted>`.
    pub request: String,
    /// What was wrong.
    pub detail: String,
}

impl Violation {
    pub(crate) fn new(
        rule: Rule,
        capability: &str,
        request: &Value,
        secret_settings: &[String],
        detail: impl Into<String>,
    ) -> Self {
        Violation {
            rule,
            capability: capability.to_owned(),
            request: redacted(request, secret_settings).to_string(),
            detail: detail.into(),
        }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "[{}] {}\n    capability: {}\n    request: {}\n    {}",
            self.rule,
            self.rule.statement(),
            self.capability,
            shorten(&self.request, 600),
            shorten(&self.detail, 1200),
        )
    }
}

/// The envelope with its `auth` and `credentials` values replaced, so a failure never
/// prints a secret; so are the settings named in `secret_settings`.
pub(crate) fn redacted(request: &Value, secret_settings: &[String]) -> Value {
    let mut shown = request.clone();
    let hidden = || Value::String("<redacted>".to_owned());
    if let Some(object) = shown.as_object_mut() {
        for key in ["auth", "credentials"] {
            if let Some(value) = object.get_mut(key)
                && !value.is_null()
            {
                *value = hidden();
            }
        }
        if let Some(settings) = object.get_mut("settings").and_then(Value::as_object_mut) {
            for name in secret_settings {
                if let Some(value) = settings.get_mut(name) {
                    *value = hidden();
                }
            }
        }
    }
    shown
}

/// `text` cut to about `max` bytes at a character boundary.
pub(crate) fn shorten(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes)", &text[..end], text.len())
}

/// Everything one run of the suite found.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// The rules broken, in the order they were found.
    pub violations: Vec<Violation>,
    /// The rules that were checked at least once.
    pub checked: Vec<Rule>,
}

impl Report {
    /// Whether `rule` was broken at least once.
    pub fn violates(&self, rule: Rule) -> bool {
        self.violations.iter().any(|v| v.rule == rule)
    }

    /// Panics with every violation, each naming its rule and request, unless there is none.
    #[track_caller]
    pub fn assert_conforms(&self) {
        if !self.violations.is_empty() {
            let listed: Vec<String> = self.violations.iter().map(ToString::to_string).collect();
            panic!(
                "the connector breaks {} protocol rule(s):\n{}",
                self.violations.len(),
                listed.join("\n")
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_shown_request_hides_credentials_and_secret_settings() {
        let request = json!({
            "auth": {"token": {"token": "t0k"}},
            "settings": {"base_url": "https://x.example", "client_secret": "s3cret"},
            "request": {},
        });
        let shown = redacted(&request, &["client_secret".to_owned()]).to_string();
        assert!(
            !shown.contains("t0k") && !shown.contains("s3cret"),
            "{shown}"
        );
        assert!(shown.contains("https://x.example"), "{shown}");
    }
}
