//! SCIM 2.0 on the wire (RFC 7643 resources, RFC 7644 protocol): the resources the
//! connector reads, the messages it sends, and how SCIM error bodies become the
//! protocol's error codes.

use connector_sdk::http::{HttpFailure, error_code_for_status};
use connector_sdk::{ConnectorError, ErrorCode};
use serde::{Deserialize, Deserializer};
use serde_json::{Value, json};

/// The schema URN of a core User.
pub const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
/// The schema URN of a PATCH request.
pub const PATCH_OP_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
/// The media type of SCIM requests and responses.
pub const SCIM_MEDIA_TYPE: &str = "application/scim+json";

/// A `ListResponse` (RFC 7644 §3.4.2).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", bound(deserialize = "T: Deserialize<'de>"))]
pub struct ListResponse<T> {
    /// How many resources match, over all pages.
    #[serde(default, deserialize_with = "lenient_u64")]
    pub total_results: Option<u64>,
    /// This page's resources (`Resources`; some servers write it in lower case).
    #[serde(rename = "Resources", alias = "resources", default = "Vec::new")]
    #[serde(deserialize_with = "null_as_empty")]
    pub resources: Vec<T>,
}

/// A User resource, the attributes the connector maps.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// The server's id of the user.
    pub id: String,
    /// The unique login name.
    #[serde(default)]
    pub user_name: Option<String>,
    /// The components of the user's name.
    #[serde(default)]
    pub name: Option<Name>,
    /// The name shown for the user.
    #[serde(default)]
    pub display_name: Option<String>,
    /// The id of the user in the provisioning client.
    #[serde(default)]
    pub external_id: Option<String>,
    /// Email addresses.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub emails: Vec<MultiValue>,
    /// Whether the user may log in (`true`, `false`, or absent when the server does not say).
    #[serde(default, deserialize_with = "lenient_bool")]
    pub active: Option<bool>,
}

impl User {
    /// The primary email, or the first one.
    pub fn primary_email(&self) -> Option<&str> {
        self.emails
            .iter()
            .find(|email| email.primary == Some(true))
            .or_else(|| self.emails.first())
            .and_then(|email| email.value.as_deref())
            .filter(|value| !value.is_empty())
    }
}

/// The `name` complex attribute.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Name {
    /// The first name.
    #[serde(default)]
    pub given_name: Option<String>,
    /// The last name.
    #[serde(default)]
    pub family_name: Option<String>,
}

/// One value of a multi-valued attribute such as `emails`.
#[derive(Debug, Deserialize)]
pub struct MultiValue {
    /// The value.
    #[serde(default)]
    pub value: Option<String>,
    /// Whether this is the primary value.
    #[serde(default, deserialize_with = "lenient_bool")]
    pub primary: Option<bool>,
}

/// A Group resource.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    /// The server's id of the group.
    pub id: String,
    /// The group's name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// The id of the group in the provisioning client.
    #[serde(default)]
    pub external_id: Option<String>,
    /// The group's members (users, and groups on servers that nest them).
    #[serde(default, deserialize_with = "null_as_empty")]
    pub members: Vec<Member>,
}

impl Group {
    /// The ids of the members that are users (members typed `Group` are left out).
    pub fn user_ids(&self) -> impl Iterator<Item = &str> {
        self.members
            .iter()
            .filter(|member| {
                member
                    .kind
                    .as_deref()
                    .is_none_or(|kind| kind.eq_ignore_ascii_case("user"))
            })
            .filter_map(|member| member.value.as_deref())
            .filter(|value| !value.is_empty())
    }

    /// Whether user `id` is a member.
    pub fn has_user(&self, id: &str) -> bool {
        self.user_ids().any(|member| member == id)
    }
}

/// One member of a group.
#[derive(Debug, Deserialize)]
pub struct Member {
    /// The member's id.
    #[serde(default)]
    pub value: Option<String>,
    /// `User` or `Group`, when the server says.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
}

/// The `patch.supported` flag of a ServiceProviderConfig; `None` when it does not say.
pub fn patch_supported(config: &Value) -> Option<bool> {
    let supported = config.get("patch")?.get("supported")?;
    supported.as_bool().or_else(|| match supported.as_str()? {
        text if text.eq_ignore_ascii_case("true") => Some(true),
        text if text.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    })
}

/// A PATCH request body of these operations.
pub fn patch_body(operations: Vec<Value>) -> Value {
    json!({"schemas": [PATCH_OP_SCHEMA], "Operations": operations})
}

/// A `replace` operation of the attribute at `path`.
pub fn replace(path: &str, value: Value) -> Value {
    json!({"op": "replace", "path": path, "value": value})
}

/// A resource as sent back in a PUT: the server-maintained attributes removed.
pub fn for_put(mut resource: Value) -> Value {
    if let Some(object) = resource.as_object_mut() {
        object.remove("meta");
        // `groups` is read-only on a User (RFC 7643 §4.1.2); the server maintains it.
        object.remove("groups");
    }
    resource
}

/// Sets the attribute at a dotted `path` (`name.givenName`) of a resource.
pub fn set_path(resource: &mut Value, path: &str, value: Value) {
    let mut node = resource;
    let mut parts = path.split('.').peekable();
    while let Some(part) = parts.next() {
        if !node.is_object() {
            *node = Value::Object(Default::default());
        }
        let Some(object) = node.as_object_mut() else {
            return;
        };
        if parts.peek().is_none() {
            object.insert(part.to_owned(), value);
            return;
        }
        node = object
            .entry(part.to_owned())
            .or_insert_with(|| Value::Object(Default::default()));
    }
}

/// What one `scimType` means, in a sentence, and the protocol code it maps to.
fn scim_type_meaning(scim_type: &str) -> Option<(ErrorCode, &'static str)> {
    Some(match scim_type {
        "uniqueness" => (
            ErrorCode::Conflict,
            "a unique attribute (for a user, usually userName) is already in use",
        ),
        "noTarget" => (
            ErrorCode::NotFound,
            "the attribute, member or resource the change names does not exist",
        ),
        "invalidValue" => (
            ErrorCode::InvalidValue,
            "a value is missing, of the wrong type, or not allowed",
        ),
        "invalidSyntax" => (
            ErrorCode::BadRequest,
            "the server could not parse the request",
        ),
        "mutability" => (
            ErrorCode::BadRequest,
            "the change touches a read-only or immutable attribute",
        ),
        "invalidFilter" => (ErrorCode::BadRequest, "the filter is not valid"),
        "invalidPath" => (ErrorCode::BadRequest, "an attribute path is not valid"),
        "tooMany" => (
            ErrorCode::BadRequest,
            "the server would return too many results",
        ),
        "invalidVers" => (
            ErrorCode::BadRequest,
            "the resource version (ETag) does not match",
        ),
        "sensitive" => (
            ErrorCode::BadRequest,
            "the request puts sensitive information in the URL",
        ),
        _ => return None,
    })
}

/// The longest `detail` quoted in a message, in characters.
const DETAIL_CHARS: usize = 300;

/// Turns a failed SCIM response into the protocol's error: the SCIM `Error` body's
/// `scimType` decides the code of a 4xx (uniqueness → conflict, noTarget → not_found,
/// invalidValue → invalid_value, invalidSyntax, mutability and the other types →
/// bad_request); without one the HTTP status decides (401 → unauthorized, 404 →
/// not_found, …). The message quotes the server's `detail`; `app_error_code` is
/// `scim.<scimType>` or `scim.http_<status>`.
///
/// Returns `None` (the toolkit's default error) for a body that is not a SCIM error.
pub fn map_error(failure: &HttpFailure<'_>) -> Option<ConnectorError> {
    let status = failure.status();
    let body = failure.json_value().filter(Value::is_object);
    let detail = body
        .as_ref()
        .and_then(|body| body.get("detail"))
        .and_then(Value::as_str)
        .map(|detail| shorten(detail, DETAIL_CHARS))
        .filter(|detail| !detail.is_empty());
    let scim_type = body
        .as_ref()
        .and_then(|body| body.get("scimType"))
        .and_then(Value::as_str)
        .filter(|scim_type| !scim_type.is_empty());
    let request = format!("{} {}", failure.method(), failure.path());
    let said = detail
        .as_deref()
        .map(|detail| format!(": {detail}"))
        .unwrap_or_default();
    match status {
        401 => {
            return Some(
                ConnectorError::unauthorized(format!(
                    "The SCIM server rejected the bearer token (HTTP 401 to {request}){said}"
                ))
                .with_app_error_code("scim.http_401")
                .with_hint("Check the token, and that it is a SCIM (provisioning) token for this base URL."),
            );
        }
        403 => {
            return Some(
                ConnectorError::permission_denied(format!(
                    "The token may not do this (HTTP 403 to {request}){said}"
                ))
                .with_app_error_code("scim.http_403"),
            );
        }
        _ => {}
    }
    if scim_type.is_none() && detail.is_none() {
        return None;
    }
    if (400..500).contains(&status)
        && let Some(scim_type) = scim_type
        && let Some((code, meaning)) = scim_type_meaning(scim_type)
    {
        return Some(
            ConnectorError::new(
                code,
                format!("SCIM {scim_type}: {meaning} (HTTP {status} to {request}){said}"),
            )
            .with_app_error_code(format!("scim.{scim_type}")),
        );
    }
    let code = error_code_for_status(status);
    let kind = scim_type.map(|t| format!(" {t}")).unwrap_or_default();
    let app_code = scim_type
        .map(|t| format!("scim.{t}"))
        .unwrap_or_else(|| format!("scim.http_{status}"));
    Some(
        ConnectorError::new(
            code,
            format!("The SCIM server answered HTTP {status}{kind} to {request}{said}"),
        )
        .with_app_error_code(app_code),
    )
}

/// Whitespace collapsed, at most `max` characters.
fn shorten(text: &str, max: usize) -> String {
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match collapsed.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &collapsed[..cut]),
        None => collapsed,
    }
}

/// `true`/`false`, also as the strings some servers send; anything else is `None`.
fn lenient_bool<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<bool>, D::Error> {
    Ok(match Value::deserialize(deserializer)? {
        Value::Bool(flag) => Some(flag),
        Value::String(text) if text.eq_ignore_ascii_case("true") => Some(true),
        Value::String(text) if text.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    })
}

/// A count, also as a string; anything else is `None`.
fn lenient_u64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    Ok(match Value::deserialize(deserializer)? {
        Value::Number(number) => number.as_u64(),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    })
}

/// A list, with `null` read as empty.
fn null_as_empty<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(deserializer)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_read_leniently() {
        let user: User = serde_json::from_value(json!({
            "id": "u1", "userName": "ann", "active": "False",
            "emails": [{"value": "b@x.io"}, {"value": "a@x.io", "primary": true}],
            "name": {"givenName": "Ann"}
        }))
        .unwrap();
        assert_eq!(user.active, Some(false));
        assert_eq!(user.primary_email(), Some("a@x.io"));
        let bare: User = serde_json::from_value(json!({"id": "u2", "emails": null})).unwrap();
        assert_eq!(bare.primary_email(), None);
        assert_eq!(bare.active, None);
    }

    #[test]
    fn groups_list_user_members_only() {
        let group: Group = serde_json::from_value(json!({
            "id": "g1",
            "members": [{"value": "u1"}, {"value": "g2", "type": "Group"}, {"value": "u3", "type": "User"}]
        }))
        .unwrap();
        assert_eq!(group.user_ids().collect::<Vec<_>>(), ["u1", "u3"]);
        assert!(group.has_user("u3") && !group.has_user("g2"));
    }

    #[test]
    fn list_responses_and_configs() {
        let list: ListResponse<User> =
            serde_json::from_value(json!({"totalResults": "3", "resources": [{"id": "a"}]}))
                .unwrap();
        assert_eq!(list.total_results, Some(3));
        assert_eq!(list.resources.len(), 1);
        assert_eq!(
            patch_supported(&json!({"patch": {"supported": false}})),
            Some(false)
        );
        assert_eq!(patch_supported(&json!({})), None);
    }

    #[test]
    fn dotted_paths_are_set() {
        let mut user = json!({"userName": "a", "name": {"familyName": "B"}, "meta": {}});
        set_path(&mut user, "name.givenName", json!("A"));
        set_path(&mut user, "active", json!(false));
        assert_eq!(
            for_put(user),
            json!({"userName": "a", "name": {"familyName": "B", "givenName": "A"}, "active": false})
        );
    }
}
