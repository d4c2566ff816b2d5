//! Redaction of secrets in JSON before it is logged.

use serde_json::Value;

/// What a redacted value is replaced with.
pub const REDACTED_VALUE: &str = "REDACTED";

/// Key names whose string values are always redacted (compared case-insensitively).
pub const SECRET_KEYS: &[&str] = &[
    "password",
    "secret",
    "token",
    "api_key",
    "api_token",
    "api_secret",
    "access_token",
    "refresh_token",
    "client_secret",
    "consumer_secret",
    "token_secret",
    "private_key",
    "authorization",
    "cookie",
    "set-cookie",
];

/// Redacts a request envelope for logging: every value under `auth` and `credentials`,
/// every value under a secret-looking key anywhere, and the settings fields in
/// `secret_settings` (those whose schema carries `x-secret`). `extra_keys` adds key names
/// (LUMOS_ADDITIONAL_REDACTED_LOG_KEYS).
pub fn redact_request(request: &Value, secret_settings: &[String], extra_keys: &[String]) -> Value {
    let mut out = request.clone();
    if let Value::Object(map) = &mut out {
        for key in ["auth", "credentials"] {
            if let Some(value) = map.get_mut(key) {
                redact_all(value);
            }
        }
        if let Some(Value::Object(settings)) = map.get_mut("settings") {
            for name in secret_settings {
                if let Some(value) = settings.get_mut(name) {
                    redact_all(value);
                }
            }
        }
    }
    redact_keys(&mut out, extra_keys);
    out
}

/// Redacts the values of secret-looking keys anywhere in `value`.
pub fn redact_keys(value: &mut Value, extra_keys: &[String]) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map.iter_mut() {
                if is_secret_key(key, extra_keys) {
                    redact_all(inner);
                } else {
                    redact_keys(inner, extra_keys);
                }
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| redact_keys(item, extra_keys)),
        _ => {}
    }
}

/// True for a key whose value must not be logged.
pub fn is_secret_key(key: &str, extra_keys: &[String]) -> bool {
    let lower = key.to_ascii_lowercase();
    SECRET_KEYS.contains(&lower.as_str())
        || extra_keys
            .iter()
            .any(|extra| extra.eq_ignore_ascii_case(&lower))
        || lower.ends_with("_token")
        || lower.ends_with("_secret")
        || lower.ends_with("password")
}

/// Replaces every scalar inside `value` by `REDACTED` (keeping the structure).
fn redact_all(value: &mut Value) {
    match value {
        Value::Object(map) => map.values_mut().for_each(redact_all),
        Value::Array(items) => items.iter_mut().for_each(redact_all),
        Value::Null => {}
        other => *other = Value::String(REDACTED_VALUE.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn credentials_lists_and_nested_secret_keys_are_redacted() {
        let request = json!({
            "credentials": [{"id": "a", "basic": {"username": "u", "password": "p4ss"}}],
            "request": {"nested": {"client_secret": "cs", "refresh_token": "rt", "name": "n"}},
            "settings": {"mine": "m1"}
        });
        let shown =
            redact_request(&request, &["mine".to_owned()], &["NAME".to_owned()]).to_string();
        for secret in ["p4ss", "\"u\"", "cs", "rt", "m1", "\"n\""] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert!(shown.contains("\"id\":\"REDACTED\""));
    }
}

#[cfg(test)]
mod example_tests {
    use super::*;

    #[test]
    fn credentials_and_secret_settings_are_redacted() {
        let request = serde_json::json!({"auth": {"token": {"token": "t0k"}}, "settings": {"api_key": "k", "region": "eu"}, "request": {}});
        let shown = redact_request(&request, &[], &[]);
        assert!(!shown.to_string().contains("t0k"));
        assert_eq!(shown["settings"]["region"], "eu");
        assert_eq!(shown["settings"]["api_key"], "REDACTED");
    }
}
