//! Request fingerprints, as the reference computes them: the SHA-256 (hex) of the request
//! payload as canonical JSON: null fields left out, keys sorted, no spaces, non-ASCII
//! characters escaped.

use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The fingerprint of a request payload.
pub fn fingerprint<T: Serialize + ?Sized>(payload: &T) -> String {
    let mut value = serde_json::to_value(payload).unwrap_or(Value::Null);
    drop_nulls(&mut value);
    value.sort_all_objects();
    let canonical = ascii_only(&value.to_string());
    let digest = Sha256::digest(canonical.as_bytes());
    digest.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn drop_nulls(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, inner| !inner.is_null());
            map.values_mut().for_each(drop_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_nulls),
        _ => {}
    }
}

/// Escapes every non-ASCII character as `\uXXXX` (surrogate pairs above the BMP), as
/// Python's `json.dumps(ensure_ascii=True)` does; non-ASCII only occurs inside strings.
fn ascii_only(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for ch in json.chars() {
        if ch.is_ascii() {
            out.push(ch);
        } else {
            let mut units = [0u16; 2];
            for unit in ch.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn matches_the_reference_for_the_recorded_create_account() {
        let request = json!({"email": "new@example.com", "entitlements": [{"entitlement_type": "ROLE", "integration_specific_id": "admin", "integration_specific_resource_id": ""}]});
        assert_eq!(
            fingerprint(&request),
            "4bf545374c50659b2d226340a1dea9cd71ba4822485389219fbcdb4600534c12"
        );
    }

    #[test]
    fn non_ascii_is_escaped_like_python() {
        assert_eq!(ascii_only("\"é😀\""), "\"\\u00e9\\ud83d\\ude00\"");
    }
}

#[cfg(test)]
mod example_tests {
    use super::*;

    #[test]
    fn equal_payloads_have_equal_fingerprints() {
        let a = fingerprint(&serde_json::json!({"b": 1, "a": null, "c": "é"}));
        let b = fingerprint(&serde_json::json!({"c": "é", "b": 1}));
        assert_eq!(a, b);
        assert_eq!(a.len(), 64);
    }
}
