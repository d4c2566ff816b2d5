//! The request envelope: its type, the check of its JSON shape (objects where the
//! protocol wants objects), and parse errors described without the secret values.

use serde::Deserialize;
use serde::de::{DeserializeOwned, IgnoredAny};
use serde_json::Value;

use crate::error::{ConnectorError, Result};
use crate::models::{AuthCredential, RateLimitRequestInfo};
use crate::page::Page;

/// The request envelope, generic over the payload type.
#[derive(Deserialize)]
pub(crate) struct RequestEnvelope<P> {
    pub request: P,
    #[serde(default)]
    pub auth: Option<AuthCredential>,
    #[serde(default)]
    pub credentials: Option<Vec<AuthCredential>>,
    #[serde(default)]
    pub settings: Option<serde_json::Map<String, Value>>,
    #[serde(default)]
    pub page: Option<Page>,
    #[serde(default)]
    pub include_raw_data: Option<bool>,
    #[serde(default)]
    pub rate_limit: Option<RateLimitRequestInfo>,
}

/// Which keys a custom capability's envelope has: the reference requires `settings` there.
#[derive(Deserialize)]
pub(crate) struct CustomEnvelopeKeys {
    #[serde(rename = "settings")]
    _settings: Option<IgnoredAny>,
}

/// Parses the envelope; any failure is `bad_request` naming the field path.
pub(crate) fn parse_envelope<P: DeserializeOwned>(json: &str) -> Result<RequestEnvelope<P>> {
    // serde reads a JSON array into a struct by position; the protocol wants objects.
    let mut deserializer = serde_json::Deserializer::from_str(json);
    if let Ok(shape) = serde::de::DeserializeSeed::deserialize(ShapeSeed::TOP, &mut deserializer) {
        check_shape(&shape)?;
    }
    parse_json(json)
}

/// The shape of a JSON value, read without keeping its values: kinds only, and the keys
/// of objects only where a check needs them.
enum Shape {
    Object(Vec<(String, Shape)>),
    Array(Vec<Shape>),
    Null,
    Scalar,
}

/// How deep to record a [`Shape`]: `levels` more levels of children; at the top, only the
/// credential bags are looked into.
#[derive(Clone, Copy)]
struct ShapeSeed {
    levels: u8,
    top: bool,
}

impl ShapeSeed {
    const TOP: ShapeSeed = ShapeSeed {
        levels: 1,
        top: true,
    };

    fn child(self, key: &str) -> ShapeSeed {
        match (self.top, key) {
            (true, "auth") => ShapeSeed {
                levels: 1,
                top: false,
            },
            (true, "credentials") => ShapeSeed {
                levels: 2,
                top: false,
            },
            _ => ShapeSeed {
                levels: self.levels.saturating_sub(1),
                top: false,
            },
        }
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for ShapeSeed {
    type Value = Shape;
    fn deserialize<D: serde::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> std::result::Result<Shape, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for ShapeSeed {
    type Value = Shape;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<Shape, A::Error> {
        let mut fields = Vec::new();
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if self.levels == 0 {
                map.next_value::<IgnoredAny>()?;
            } else {
                let shape = map.next_value_seed(self.child(&key))?;
                fields.push((key.into_owned(), shape));
            }
        }
        Ok(Shape::Object(fields))
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(
        self,
        mut seq: A,
    ) -> std::result::Result<Shape, A::Error> {
        let mut items = Vec::new();
        if self.levels == 0 {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
        } else {
            while let Some(item) = seq.next_element_seed(self.child(""))? {
                items.push(item);
            }
        }
        Ok(Shape::Array(items))
    }
    fn visit_unit<E>(self) -> std::result::Result<Shape, E> {
        Ok(Shape::Null)
    }
    fn visit_bool<E>(self, _: bool) -> std::result::Result<Shape, E> {
        Ok(Shape::Scalar)
    }
    fn visit_i64<E>(self, _: i64) -> std::result::Result<Shape, E> {
        Ok(Shape::Scalar)
    }
    fn visit_u64<E>(self, _: u64) -> std::result::Result<Shape, E> {
        Ok(Shape::Scalar)
    }
    fn visit_f64<E>(self, _: f64) -> std::result::Result<Shape, E> {
        Ok(Shape::Scalar)
    }
    fn visit_str<E>(self, _: &str) -> std::result::Result<Shape, E> {
        Ok(Shape::Scalar)
    }
}

/// Objects where the protocol wants objects: the envelope, `request`, `page`,
/// `rate_limit`, and the credential payloads inside `auth` and `credentials`.
fn check_shape(shape: &Shape) -> Result<()> {
    let Shape::Object(fields) = shape else {
        return Err(ConnectorError::bad_request(
            "Invalid request - the request envelope must be a JSON object",
        ));
    };
    let object_or_null = |shape: &Shape| matches!(shape, Shape::Object(_) | Shape::Null);
    let bag_ok = |shape: &Shape| match shape {
        Shape::Null => true,
        Shape::Object(fields) => fields.iter().all(|(key, inner)| {
            !AuthCredential::KEYS.contains(&key.as_str()) || object_or_null(inner)
        }),
        _ => false,
    };
    for (key, value) in fields {
        let ok = match key.as_str() {
            "request" => matches!(value, Shape::Object(_)),
            "page" | "rate_limit" => object_or_null(value),
            "auth" => bag_ok(value),
            "credentials" => match value {
                Shape::Array(items) => items.iter().all(bag_ok),
                _ => true,
            },
            _ => true,
        };
        if !ok {
            let what = if matches!(key.as_str(), "auth" | "credentials") {
                "each credential must be a JSON object"
            } else {
                "must be a JSON object"
            };
            return Err(ConnectorError::bad_request(format!(
                "Invalid request - {key}: {what}"
            )));
        }
    }
    Ok(())
}

pub(crate) fn parse_json<T: DeserializeOwned>(json: &str) -> Result<T> {
    let mut deserializer = serde_json::Deserializer::from_str(json);
    let value = serde_path_to_error::deserialize(&mut deserializer)
        .map_err(|err| ConnectorError::bad_request(describe_parse_error(&err)))?;
    deserializer
        .end()
        .map_err(|err| ConnectorError::bad_request(format!("Invalid request - {err}")))?;
    Ok(value)
}

/// "Invalid request - request.account_id: invalid type: integer `42`, expected a string".
/// Under `auth`, `credentials` and `settings` the message is the error's kind and path
/// only ([`error_kind`]): serde's text may quote a secret.
pub(crate) fn describe_parse_error(err: &serde_path_to_error::Error<serde_json::Error>) -> String {
    let path = err.path().to_string();
    let inner = err.inner();
    let mut message = inner.to_string();
    let sensitive = ["auth", "credentials", "settings"].iter().any(|root| {
        path == *root
            || path.starts_with(&format!("{root}."))
            || path.starts_with(&format!("{root}["))
    });
    if sensitive {
        message = error_kind(inner);
    }
    let message = shorten(&message, MAX_DETAIL_CHARS);
    let path = shorten(&path, MAX_DETAIL_CHARS);
    if path == "." || path.is_empty() {
        format!("Invalid request - {message}")
    } else {
        format!("Invalid request - {path}: {message}")
    }
}

/// How much of an input value or path a message may quote.
const MAX_DETAIL_CHARS: usize = 300;

/// `text`, cut to `max` characters (with `…`) so a huge input is never echoed whole.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut cut: String = text.chars().take(max).collect();
        cut.push('…');
        cut
    }
}

/// What kind of error a parse error is, in words that never quote the input: the kind
/// serde's message starts with (`invalid type`, `unknown variant`, …), with the field's
/// name for a missing or duplicated field (a name the type declares), or the syntax
/// error's kind.
pub(crate) fn error_kind(err: &serde_json::Error) -> String {
    use serde_json::error::Category;
    match err.classify() {
        Category::Io => return String::from("the input could not be read"),
        Category::Eof => return String::from("unexpected end of input"),
        Category::Syntax => return String::from("invalid JSON"),
        Category::Data => {}
    }
    let message = err.to_string();
    for kind in ["missing field `", "duplicate field `"] {
        if let Some(rest) = message.strip_prefix(kind)
            && let Some((name, _)) = rest.split_once('`')
            && !name.is_empty()
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return format!("{kind}{name}`");
        }
    }
    [
        "invalid type",
        "invalid value",
        "invalid length",
        "unknown variant",
        "unknown field",
        "missing field",
        "duplicate field",
    ]
    .into_iter()
    .find(|kind| message.starts_with(kind))
    .unwrap_or("invalid value")
    .to_owned()
}

/// Drops what serde quotes of an input value (`string "…"`, `` integer `…` ``) from a message.
pub(crate) fn without_values(message: &str) -> String {
    let cut = |text: &str, marker: &str| -> Option<String> {
        let start = text.find(marker)?;
        let rest = &text[start + marker.len()..];
        let end = rest.find(", expected").unwrap_or(rest.len());
        Some(format!(
            "{}{}{}",
            &text[..start],
            marker.trim_end(),
            &rest[end..]
        ))
    };
    for marker in [
        "invalid type: string ",
        "invalid value: string ",
        "invalid type: integer ",
        "invalid value: integer ",
        "invalid type: floating point ",
        "invalid value: floating point ",
        "unknown variant ",
        "invalid length ",
    ] {
        if let Some(cleaned) = cut(message, marker) {
            return cleaned
                .split(" at line ")
                .next()
                .unwrap_or_default()
                .to_owned();
        }
    }
    message
        .split(" at line ")
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_shapes() {
        let ok = r#"{"request": {}, "page": null, "rate_limit": null, "auth": {"token": {"token": "t"}, "extra": 1}}"#;
        assert!(parse_envelope::<serde_json::Value>(ok).is_ok());
        for bad in [
            r#"[{}]"#,
            r#"{"request": []}"#,
            r#"{"request": null}"#,
            r#"{"request": {}, "page": [null, 5]}"#,
            r#"{"request": {}, "auth": {"token": ["t"]}}"#,
            r#"{"request": {}, "credentials": [["id", {}]]}"#,
        ] {
            let err = parse_envelope::<serde_json::Value>(bad).err().unwrap();
            assert_eq!(err.code(), crate::ErrorCode::BadRequest, "{bad}");
        }
    }

    #[test]
    fn secret_values_are_cut_from_messages() {
        let message =
            "invalid type: string \"hunter2\", expected struct TokenCredential at line 1 column 30";
        assert_eq!(
            without_values(message),
            "invalid type: string, expected struct TokenCredential"
        );
        let plain = "missing field `token` at line 1 column 30";
        assert_eq!(without_values(plain), "missing field `token`");
    }

    #[test]
    fn parse_errors_under_secret_roots_never_quote_the_input() {
        let key = "-----BEGIN KEY-----, expected ABCD\\nsecret-tail-xyz";
        for json in [
            format!(r#"{{"request": {{}}, "auth": {{"token": {{"token": "{key}"}}}}}}"#),
            format!(
                r#"{{"request": {{}}, "credentials": [{{"id": "a", "token": {{"token": "{key}"}}}}]}}"#
            ),
            format!(r#"{{"request": {{}}, "settings": {{"mode": "{key}"}}}}"#),
        ] {
            let mut deserializer = serde_json::Deserializer::from_str(&json);
            let err = serde_path_to_error::deserialize::<_, Shaped>(&mut deserializer)
                .err()
                .unwrap();
            let message = describe_parse_error(&err);
            assert!(
                !message.contains("BEGIN") && !message.contains("xyz") && !message.contains("ABCD"),
                "{message}"
            );
            assert!(message.starts_with("Invalid request - "), "{message}");
        }
    }

    #[derive(serde::Deserialize)]
    #[allow(dead_code)]
    struct Shaped {
        auth: Option<std::collections::HashMap<String, TokenShape>>,
        credentials: Option<Vec<CredShape>>,
        settings: Option<SettingsShape>,
    }

    #[derive(serde::Deserialize)]
    #[allow(dead_code)]
    struct TokenShape {
        token: Mode,
    }

    #[derive(serde::Deserialize)]
    #[allow(dead_code)]
    struct CredShape {
        id: String,
        token: TokenShape,
    }

    #[derive(serde::Deserialize)]
    #[allow(dead_code)]
    enum Mode {
        Fast,
    }

    #[derive(serde::Deserialize)]
    #[allow(dead_code)]
    struct SettingsShape {
        mode: Mode,
    }
}
