//! The per-request settings log line: at INFO, unless `LUMOS_LOG_REQUEST_SETTINGS` is not
//! `true`, each call logs the settings it arrived with, only the fields the settings type
//! declares, every secret `[REDACTED]`, each value and the whole line capped in size.

use std::sync::LazyLock;

use regex_lite::Regex;
use schemars::JsonSchema;
use serde_json::{Map, Value};

/// The log target, the reference's logger name.
pub(crate) const TARGET: &str = "connector.observability.request_logging";
/// The environment variable that turns the line off (anything but `true`, any case).
const ENABLED_VAR: &str = "LUMOS_LOG_REQUEST_SETTINGS";
/// What a secret value is shown as.
const REDACTED: &str = "[REDACTED]";
/// The longest string value shown whole, in characters.
const MAX_VALUE_CHARS: usize = 2048;
/// The largest payload logged whole; past it, fields are dropped and named.
const MAX_PAYLOAD_BYTES: usize = 16 * 1024;
const TRUNCATION_SUFFIX: &str = "...[truncated]";
/// Where the fields dropped to keep the payload small are named.
const OMITTED_KEY: &str = "x-omitted";
/// Where keys the settings type does not declare are named (never their values).
const UNDECLARED_KEY: &str = "x-undeclared-keys";

/// `Name: value` and `name=value` lines (a custom-headers setting holds one per line); the
/// value is redacted when the name is secret by the SDK's key rule.
static NAMED_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)^([ \t]*)([\w-]+)([ \t]*[:=][ \t]*)(.+)$").expect("a valid pattern")
});
/// `?name=value` and `&name=value` in a URL, redacted by the same rule.
static QUERY_PARAM: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"([?&])([\w-]+)(=)([^&\s]+)").expect("a valid pattern"));
/// Credentials that give themselves away with no key: bearer tokens, JWTs, Slack, GitHub
/// and AWS keys, PEM private keys.
static CREDENTIAL_SHAPE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)(Bearer\s+\S+",
        r"|eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+",
        r"|xox[abprs]-\S+",
        r"|gh[pousr]_\S+",
        r"|github_pat_\S+",
        r"|AKIA[0-9A-Z]{16}",
        r"|-----BEGIN[^-]{0,100}PRIVATE KEY-----[\s\S]*?(?:-----END[^-]{0,100}PRIVATE KEY-----|\z))",
    ))
    .expect("a valid pattern")
});

/// The settings type's declared fields, in declaration order, with their defaults.
pub(crate) struct SettingsLog {
    declared: Vec<(String, Value)>,
}

impl SettingsLog {
    /// Reads the declared fields of `S` from its schema.
    pub fn new<S: JsonSchema>() -> Self {
        let schema = crate::schema::schema_for::<S>();
        let declared = schema
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(name, property)| {
                let default = property.get("default").cloned().unwrap_or(Value::Null);
                (name.clone(), default)
            })
            .collect();
        SettingsLog { declared }
    }

    /// The payload to log for `settings`, or `None` when the line is off (by the
    /// environment, or because nothing listens at INFO for its target).
    pub fn payload(
        &self,
        settings: Option<&Map<String, Value>>,
        secret: &[String],
    ) -> Option<Value> {
        if !tracing::enabled!(target: TARGET, tracing::Level::INFO) || !enabled_by_env() {
            return None;
        }
        let settings = settings?;
        Some(capped(self.redacted(settings, secret)))
    }

    /// Every declared field, redacted; the undeclared keys by name only.
    fn redacted(&self, settings: &Map<String, Value>, secret: &[String]) -> Map<String, Value> {
        let mut payload = Map::new();
        for (name, default) in &self.declared {
            let value = settings.get(name).unwrap_or(default);
            let shown = if value.is_null() {
                Value::Null
            } else if secret.contains(name) || holds_secret(name) {
                Value::String(REDACTED.to_owned())
            } else {
                redact_value(value)
            };
            payload.insert(name.clone(), shown);
        }
        let mut undeclared: Vec<&str> = settings
            .keys()
            .map(String::as_str)
            .filter(|key| !self.declared.iter().any(|(name, _)| name == key))
            .collect();
        if !undeclared.is_empty() {
            undeclared.sort();
            payload.insert(UNDECLARED_KEY.to_owned(), undeclared.into());
        }
        payload
    }
}

/// Logs `payload` as the settings call `capability` of `app_id` arrived with.
pub(crate) fn emit(app_id: &str, capability: &str, payload: &Value) {
    tracing::info!(target: TARGET, "{app_id}.{capability} request settings: {payload}");
}

fn enabled_by_env() -> bool {
    std::env::var(ENABLED_VAR).map_or(true, |value| value.eq_ignore_ascii_case("true"))
}

/// Whether a field's name says it holds a secret, by the SDK's one rule, except names
/// that name a credential rather than carry one (`token_url`, `auth_header_name`,
/// `token_prefix`, `oauth_endpoint`, `username_source`).
fn holds_secret(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let names_one = ["_url", "_name", "_prefix", "_endpoint", "_source"]
        .iter()
        .any(|suffix| lower.ends_with(suffix));
    !names_one && crate::redact::is_secret_key(name, &[])
}

/// A value inside a field: secret-named entries redacted (whatever their type), strings
/// scrubbed and cut.
fn redact_value(value: &Value) -> Value {
    match value {
        Value::Object(entries) => Value::Object(
            entries
                .iter()
                .map(|(key, inner)| {
                    let shown = if !inner.is_null() && holds_secret(key) {
                        Value::String(REDACTED.to_owned())
                    } else {
                        redact_value(inner)
                    };
                    (key.clone(), shown)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(redact_value).collect()),
        Value::String(text) => Value::String(shown_string(text)),
        other => other.clone(),
    }
}

/// A string value as shown: credentials in named lines, query parameters and known
/// shapes redacted, cut at [`MAX_VALUE_CHARS`]. Only the part that can be shown is
/// scanned (twice the cut, so a secret straddling it is still recognised), so a huge
/// value costs no more than a short one.
fn shown_string(text: &str) -> String {
    let (head, cut) = match text.char_indices().nth(MAX_VALUE_CHARS * 2) {
        Some((at, _)) => (&text[..at], true),
        None => (text, false),
    };
    let redact_named = |caps: &regex_lite::Captures<'_>| {
        if crate::redact::is_secret_key(&caps[2], &[]) {
            format!("{}{}{}{REDACTED}", &caps[1], &caps[2], &caps[3])
        } else {
            caps[0].to_owned()
        }
    };
    let text = NAMED_LINE.replace_all(head, redact_named);
    let text = QUERY_PARAM.replace_all(&text, redact_named);
    let text = CREDENTIAL_SHAPE.replace_all(&text, REDACTED);
    if !cut && text.chars().count() <= MAX_VALUE_CHARS {
        return text.into_owned();
    }
    let keep = MAX_VALUE_CHARS - TRUNCATION_SUFFIX.len();
    let end = text
        .char_indices()
        .nth(keep)
        .map_or(text.len(), |(at, _)| at);
    format!("{}{TRUNCATION_SUFFIX}", &text[..end])
}

/// The payload whole when small enough, else the fields that fit, in order, and the
/// names of those left out under `x-omitted`: a partial config never passes for whole.
fn capped(payload: Map<String, Value>) -> Value {
    if json_len(&payload) <= MAX_PAYLOAD_BYTES {
        return Value::Object(payload);
    }
    let mut kept = Map::new();
    let mut omitted = Vec::new();
    let mut used = 0usize;
    for (key, value) in payload {
        // What the field would take alone, as `{"key":value}`.
        used = used.saturating_add(json_len(&key) + json_len(&value) + 3);
        if used > MAX_PAYLOAD_BYTES {
            omitted.push(Value::String(key));
        } else {
            kept.insert(key, value);
        }
    }
    kept.insert(OMITTED_KEY.to_owned(), Value::Array(omitted));
    Value::Object(kept)
}

/// The length of `value` as JSON.
fn json_len<T: serde::Serialize + ?Sized>(value: &T) -> usize {
    serde_json::to_vec(value).map_or(usize::MAX, |bytes| bytes.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(schemars::JsonSchema)]
    #[allow(dead_code)]
    struct Settings {
        base_url: String,
        scim_token: Option<String>,
        token_url: Option<String>,
        #[schemars(extend("x-secret" = true))]
        tenant_pin: Option<String>,
        custom_headers: Option<String>,
        #[schemars(default)]
        page_size: u32,
        notes: Option<String>,
        options: Option<serde_json::Value>,
    }

    fn logged(settings: Value) -> Value {
        let log = SettingsLog::new::<Settings>();
        let Value::Object(settings) = settings else {
            panic!("settings are an object")
        };
        capped(log.redacted(&settings, &["tenant_pin".to_owned()]))
    }

    #[test]
    fn secret_named_and_secret_marked_fields_are_redacted_and_urls_kept() {
        let shown = logged(json!({
            "base_url": "https://app.example",
            "scim_token": "tok-1234567",
            "token_url": "https://app.example/oauth/token",
            "tenant_pin": 4321,
        }));
        assert_eq!(shown["scim_token"], REDACTED);
        assert_eq!(shown["tenant_pin"], REDACTED);
        assert_eq!(shown["token_url"], "https://app.example/oauth/token");
        assert_eq!(shown["base_url"], "https://app.example");
    }

    #[test]
    fn credentials_inside_free_text_are_redacted() {
        let shown = logged(json!({
            "base_url": "https://app.example/users?api_key=abc123&limit=5",
            "custom_headers": "X-Api-Key: k-999\nAccept: json",
            "notes": "use Bearer abc.def and AKIAABCDEFGHIJKLMNOP",
            "options": {"client_secret": "cs-1", "region": "eu"},
        }))
        .to_string();
        for secret in ["abc123", "k-999", "abc.def", "AKIAABCDEFGHIJKLMNOP", "cs-1"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        for kept in ["limit=5", "Accept: json", "\"region\":\"eu\""] {
            assert!(shown.contains(kept), "{kept} not in {shown}");
        }
    }

    #[test]
    fn a_secret_name_hides_its_value_whatever_its_type() {
        let shown = logged(json!({
            "base_url": "b",
            "scim_token": {"value": "nested-secret-1"},
            "options": {"clientSecret": ["listed-secret-2"], "apiKey": 31337, "region": "eu"},
        }));
        assert_eq!(shown["scim_token"], REDACTED);
        assert_eq!(shown["options"]["clientSecret"], REDACTED);
        assert_eq!(shown["options"]["apiKey"], REDACTED);
        assert_eq!(shown["options"]["region"], "eu");
    }

    #[test]
    fn undeclared_keys_are_named_never_shown_and_defaults_filled_in() {
        let shown = logged(json!({"base_url": "b", "zeta": "hidden-1", "alpha": "hidden-2"}));
        assert_eq!(shown[UNDECLARED_KEY], json!(["alpha", "zeta"]));
        assert!(!shown.to_string().contains("hidden"));
        assert_eq!(shown["page_size"], 0);
        assert_eq!(shown["notes"], Value::Null);
    }

    #[test]
    fn long_values_are_truncated_and_a_large_payload_names_what_it_left_out() {
        let long = "x".repeat(10_000);
        let shown = logged(json!({"base_url": long, "notes": long, "custom_headers": long}));
        let base = shown["base_url"].as_str().unwrap();
        assert_eq!(base.chars().count(), MAX_VALUE_CHARS);
        assert!(base.ends_with(TRUNCATION_SUFFIX));

        let wide: Map<String, Value> = (0..40)
            .map(|index| (format!("field_{index:02}"), Value::String("y".repeat(1000))))
            .collect();
        let capped = capped(wide);
        assert!(serde_json::to_string(&capped).unwrap().len() <= MAX_PAYLOAD_BYTES + 1024);
        let omitted = capped[OMITTED_KEY].as_array().unwrap();
        assert!(omitted.contains(&json!("field_39")), "{omitted:?}");
        assert!(capped.get("field_00").is_some());
    }
}
