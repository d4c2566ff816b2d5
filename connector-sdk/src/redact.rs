//! The one rule for secret key names (JSON keys, HTTP headers, query and form
//! parameters) and the redaction of JSON by it.

use serde_json::Value;

/// What a redacted value is replaced with.
pub const REDACTED_VALUE: &str = "REDACTED";

/// Word fragments that make a normalised key name secret (see [`is_secret_key`]).
const SECRET_FRAGMENTS: &[&str] = &[
    "token",
    "secret",
    "password",
    "passwd",
    "passphrase",
    "apikey",
    "session",
    "cookie",
    "authorization",
    "assertion",
    "codeverifier",
    "privatekey",
    "signature",
    "credential",
];

/// The environment variable naming further secret keys, comma separated.
pub(crate) const ADDITIONAL_KEYS_VAR: &str = "LUMOS_ADDITIONAL_REDACTED_LOG_KEYS";

/// `key` lowercased without `_`, `-`, `.` and spaces: `Access-Token`, `access_token` and
/// `accessToken` all become `accesstoken`.
fn normalise(key: &str) -> String {
    key.chars()
        .filter(|c| !matches!(c, '_' | '-' | '.' | ' '))
        .flat_map(char::to_lowercase)
        .collect()
}

/// True for a JSON key, header or query parameter name whose value must never be shown:
/// one that contains a secret word fragment in any case or snake/camel/kebab spelling
/// (token, secret, password, passphrase, api key, session, cookie, authorization,
/// assertion, code verifier, private key, signature, credential), that names an auth
/// header (`X-Auth`) or a key (`X-Access-Key`), that equals one of `extra` (settings
/// marked secret, a connector's own names) or one named in
/// `LUMOS_ADDITIONAL_REDACTED_LOG_KEYS`, spelled either way.
pub(crate) fn is_secret_key(key: &str, extra: &[String]) -> bool {
    let name = normalise(key);
    SECRET_FRAGMENTS
        .iter()
        .any(|fragment| name.contains(fragment))
        || name.ends_with("auth")
        || name.ends_with("key")
        || extra.iter().any(|other| normalise(other) == name)
        || std::env::var(ADDITIONAL_KEYS_VAR).is_ok_and(|keys| {
            keys.split(',')
                .map(normalise)
                .any(|other| !other.is_empty() && other == name)
        })
}

/// Redacts a request envelope for logging: every value under `auth` and `credentials`,
/// the settings fields in `secret_settings` (those whose schema carries `x-secret`), and
/// every value under a secret key anywhere ([`is_secret_key`]).
pub fn redact_request(request: &Value, secret_settings: &[String]) -> Value {
    let mut out = request.clone();
    if let Value::Object(map) = &mut out {
        for key in ["auth", "credentials"] {
            if let Some(value) = map.get_mut(key) {
                redact_all(value);
            }
        }
        if let Some(Value::Object(settings)) = map.get_mut("settings") {
            for (name, value) in settings.iter_mut() {
                if secret_settings.iter().any(|secret| secret == name) {
                    redact_all(value);
                }
            }
        }
    }
    redact_keys(&mut out, secret_settings);
    out
}

/// Redacts the values of secret keys ([`is_secret_key`] with `extra`) anywhere in `value`.
pub fn redact_keys(value: &mut Value, extra: &[String]) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map.iter_mut() {
                if is_secret_key(key, extra) {
                    redact_all(inner);
                } else {
                    redact_keys(inner, extra);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| redact_keys(item, extra)),
        _ => {}
    }
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
    fn every_spelling_of_a_secret_key_is_secret() {
        for key in [
            "access_token",
            "accessToken",
            "Access-Token",
            "clientSecret",
            "apiKey",
            "X-API-Key",
            "sessionToken",
            "refresh-token",
            "Authorization",
            "Set-Cookie",
            "code_verifier",
            "authorizationCode",
            "private key",
            "client_assertion",
            "sig_signature",
            "passphrase",
            "X-Auth",
            "SESSIONID",
        ] {
            assert!(is_secret_key(key, &[]), "{key}");
        }
        for key in ["user_name", "page", "accept", "content-type", "email", "id"] {
            assert!(!is_secret_key(key, &[]), "{key}");
        }
        assert!(is_secret_key("Tenant-Pin", &["tenant_pin".to_owned()]));
    }

    #[test]
    fn credentials_lists_and_nested_secret_keys_are_redacted() {
        let request = json!({
            "credentials": [{"id": "a", "basic": {"username": "u", "password": "p4ss"}}],
            "request": {"nested": {"clientSecret": "cs", "Refresh-Token": "rt", "name": "n"}},
            "settings": {"mine": "m1", "region": "eu"}
        });
        let shown = redact_request(&request, &["mine".to_owned()]).to_string();
        for secret in ["p4ss", "\"u\"", "cs", "rt", "m1"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert!(shown.contains("\"id\":\"REDACTED\""));
        assert!(shown.contains("\"region\":\"eu\"") && shown.contains("\"n\""));
    }
}
