//! [`Secret`]: a value that must never reach a log, an error message or stdout.

use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// What `Debug` and `Display` print instead of a secret's value.
pub const REDACTED: &str = "[REDACTED]";

/// A secret value: a credential field or a settings field that must stay hidden.
///
/// `Debug` and `Display` print `[REDACTED]`; the value is reached only through
/// [`Secret::expose`], so every place that reads it is easy to find in review.
/// It deserializes from the wire like the value it wraps and serializes as that value
/// too, because the protocol needs it in a few places (an OAuth token returned by
/// `handle_authorization_callback`). Its JSON schema carries the reference's marks
/// `"x-secret": true` and `"x-field_type": "SECRET"`.
///
/// ```
/// use connector_sdk::Secret;
///
/// let token: Secret = serde_json::from_str("\"s3cr3t\"").unwrap();
/// assert_eq!(format!("{token:?} {token}"), "[REDACTED] [REDACTED]");
/// assert_eq!(token.expose(), "s3cr3t");
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Secret<T = String>(T);

impl<T> Secret<T> {
    /// Wraps a value.
    pub fn new(value: T) -> Self {
        Secret(value)
    }

    /// The secret value itself. Never log or format what this returns.
    pub fn expose(&self) -> &T {
        &self.0
    }

    /// Unwraps the secret value.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl Secret<String> {
    /// True when the secret is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<T> From<T> for Secret<T> {
    fn from(value: T) -> Self {
        Secret(value)
    }
}

impl From<&str> for Secret<String> {
    fn from(value: &str) -> Self {
        Secret(value.to_owned())
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl<T> fmt::Display for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl<T: Serialize> Serialize for Secret<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Secret<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(deserializer).map(Secret)
    }
}

impl<T: JsonSchema> JsonSchema for Secret<T> {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        T::schema_name()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let mut schema = generator.subschema_for::<T>();
        if schema.as_bool().is_some() {
            schema = json_schema!({});
        }
        schema.insert("x-field_type".into(), "SECRET".into());
        schema.insert("x-secret".into(), true.into());
        schema
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_redact() {
        let secret = Secret::new("hunter2".to_owned());
        assert_eq!(format!("{secret:?}"), REDACTED);
        assert_eq!(secret.to_string(), REDACTED);
        assert_eq!(format!("{:?}", Some(secret)), "Some([REDACTED])");
    }

    #[test]
    fn wire_form_is_the_value() {
        let secret: Secret = serde_json::from_str("\"abc\"").unwrap();
        assert_eq!(secret.expose(), "abc");
        assert_eq!(serde_json::to_string(&secret).unwrap(), "\"abc\"");
    }

    #[test]
    fn schema_is_marked_secret() {
        let schema = schemars::schema_for!(Secret);
        assert_eq!(schema.get("x-secret"), Some(&true.into()));
        assert_eq!(schema.get("x-field_type"), Some(&"SECRET".into()));
        assert_eq!(schema.get("type"), Some(&"string".into()));
    }
}
