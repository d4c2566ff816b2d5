//! Pagination: the wire `Page`, the page token format, and what list capabilities
//! receive ([`PageRequest`]) and return ([`Paged`]).
//!
//! A page token is opaque to the platform. Ours is `1.<base64url(JSON cursor)>.<crc32>`:
//! a version, the author's own cursor type serialized as JSON, and a checksum over the
//! version, the capability name and the cursor. A token that is damaged, made by another
//! connector, or made for another capability is `invalid_page_token`, never a crash.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::ConnectorError;

/// The page size used when neither the request nor the capability names one.
pub const DEFAULT_PAGE_SIZE: u32 = 100;

const TOKEN_VERSION: &str = "1";

/// The wire `Page`: `{"token": string|null, "size": int|null}`, in requests and responses.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Page {
    /// The opaque token of the page to fetch.
    #[serde(default)]
    pub token: Option<String>,
    /// How many items a page holds.
    #[serde(default)]
    pub size: Option<u32>,
}

/// Encodes a cursor into a page token bound to a capability.
///
/// ```
/// use connector_sdk::page::{decode_token, encode_token};
///
/// let token = encode_token("list_accounts", &40u32).unwrap();
/// assert_eq!(decode_token::<u32>("list_accounts", &token).unwrap(), 40);
/// assert!(decode_token::<u32>("list_entitlements", &token).is_err());
/// assert!(decode_token::<u32>("list_accounts", "9182a8656e64").is_err());
/// ```
pub fn encode_token<T: Serialize>(capability: &str, cursor: &T) -> Result<String, ConnectorError> {
    let json = serde_json::to_vec(cursor).map_err(|err| {
        ConnectorError::internal_error(format!("The page cursor could not be encoded: {err}"))
    })?;
    let body = URL_SAFE_NO_PAD.encode(&json);
    Ok(format!(
        "{TOKEN_VERSION}.{body}.{:08x}",
        checksum(capability, &json)
    ))
}

/// Decodes a page token made by [`encode_token`] for the same capability.
pub fn decode_token<T: DeserializeOwned>(
    capability: &str,
    token: &str,
) -> Result<T, ConnectorError> {
    let invalid = || {
        ConnectorError::invalid_page_token(
            "Invalid page token: it is damaged or was not issued by this connector for this capability.",
        )
    };
    let mut parts = token.split('.');
    let (Some(version), Some(body), Some(sum), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(invalid());
    };
    if version != TOKEN_VERSION {
        return Err(invalid());
    }
    let json = URL_SAFE_NO_PAD.decode(body).map_err(|_| invalid())?;
    let expected = u32::from_str_radix(sum, 16).map_err(|_| invalid())?;
    if sum.len() != 8 || expected != checksum(capability, &json) {
        return Err(invalid());
    }
    serde_json::from_slice(&json).map_err(|_| invalid())
}

fn checksum(capability: &str, json: &[u8]) -> u32 {
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(TOKEN_VERSION.as_bytes());
    hasher.update(b"\0");
    hasher.update(capability.as_bytes());
    hasher.update(b"\0");
    hasher.update(json);
    hasher.finalize()
}

/// What a list capability receives about paging: the page size and the decoded cursor.
///
/// `C` is the author's own cursor type (any serde type): `None` on the first page.
#[derive(Clone, Debug, PartialEq)]
pub struct PageRequest<C> {
    size: u32,
    requested: Option<u32>,
    cursor: Option<C>,
}

impl<C> PageRequest<C> {
    /// A page request; used by the runtime and by tests.
    pub fn new(size: u32, cursor: Option<C>) -> Self {
        PageRequest {
            size,
            requested: None,
            cursor,
        }
    }

    /// Records the size the request itself named (`page.size`), if any.
    pub fn with_requested_size(mut self, requested: Option<u32>) -> Self {
        self.requested = requested;
        self
    }

    /// The size the request itself named, `None` when the capability's default applies.
    /// A connector whose default comes from its settings reads this.
    pub fn requested_size(&self) -> Option<u32> {
        self.requested
    }

    /// The first page, of `size` items.
    pub fn first(size: u32) -> Self {
        PageRequest {
            size,
            requested: None,
            cursor: None,
        }
    }

    /// How many items the page should hold.
    pub fn size(&self) -> u32 {
        self.size
    }

    /// The cursor from the previous page, or `None` on the first page.
    pub fn cursor(&self) -> Option<&C> {
        self.cursor.as_ref()
    }

    /// Takes the cursor out.
    pub fn into_cursor(self) -> Option<C> {
        self.cursor
    }
}

/// What a list capability returns: the items of one page, the cursor of the next page
/// (`None` on the last page) and optional raw data.
///
/// ```
/// use connector_sdk::Paged;
///
/// let more: Paged<&str, u32> = Paged::next(vec!["a", "b"], 2);
/// let last: Paged<&str, u32> = Paged::last(vec!["c"]);
/// assert_eq!(more.next_cursor(), Some(&2));
/// assert_eq!(last.next_cursor(), None);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Paged<T, C> {
    items: Vec<T>,
    next: Option<C>,
    raw_data: Option<serde_json::Value>,
    size: Option<u32>,
}

impl<T, C> Paged<T, C> {
    /// A page followed by the page at `next`, or the last page when `next` is `None`.
    pub fn new(items: Vec<T>, next: Option<C>) -> Self {
        Paged {
            items,
            next,
            raw_data: None,
            size: None,
        }
    }

    /// A page with more after it, at cursor `next`.
    pub fn next(items: Vec<T>, next: C) -> Self {
        Paged::new(items, Some(next))
    }

    /// The last page.
    pub fn last(items: Vec<T>) -> Self {
        Paged::new(items, None)
    }

    /// Attaches the app's raw answer (sent as `raw_data`; set it when `include_raw_data` asks).
    pub fn with_raw_data(mut self, raw_data: serde_json::Value) -> Self {
        self.raw_data = Some(raw_data);
        self
    }

    /// Sets the page size echoed in the response's `page.size` (by default the request's,
    /// or the capability's default), for a connector that chose another size itself.
    pub fn with_page_size(mut self, size: u32) -> Self {
        self.size = Some(size);
        self
    }

    /// The page size this page echoes, if the connector set one.
    pub fn page_size(&self) -> Option<u32> {
        self.size
    }

    /// The items of this page.
    pub fn items(&self) -> &[T] {
        &self.items
    }

    /// The cursor of the next page.
    pub fn next_cursor(&self) -> Option<&C> {
        self.next.as_ref()
    }

    /// Splits into items, next cursor and raw data.
    pub fn into_parts(self) -> (Vec<T>, Option<C>, Option<serde_json::Value>) {
        (self.items, self.next, self.raw_data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Cursor {
        endpoint: String,
        offset: u64,
    }

    #[test]
    fn round_trip_of_a_struct_cursor() {
        let cursor = Cursor {
            endpoint: "/users".into(),
            offset: 20,
        };
        let token = encode_token("list_accounts", &cursor).unwrap();
        assert!(token.starts_with("1."));
        assert_eq!(
            decode_token::<Cursor>("list_accounts", &token).unwrap(),
            cursor
        );
    }

    #[test]
    fn damaged_and_foreign_tokens_are_invalid_page_token() {
        let token = encode_token(
            "list_accounts",
            &Cursor {
                endpoint: "/u".into(),
                offset: 1,
            },
        )
        .unwrap();
        let mut damaged = token.clone().into_bytes();
        let middle = damaged.len() / 2;
        damaged[middle] = if damaged[middle] == b'A' { b'B' } else { b'A' };
        let damaged = String::from_utf8(damaged).unwrap();
        for bad in [
            "",
            ".",
            "1..",
            "2.e30.00000000",
            "9182a8656e64706f696e74a62f7573657273a66f666673657402",
            "1.!!!.00000000",
            "1.e30.zzzzzzzz",
            &damaged,
            &format!("{token}.extra"),
            "\u{0}\u{1}",
            &"1.".repeat(10_000),
        ] {
            let err = decode_token::<Cursor>("list_accounts", bad).unwrap_err();
            assert_eq!(err.code(), crate::ErrorCode::InvalidPageToken, "{bad:?}");
        }
        let other = decode_token::<Cursor>("list_resources", &token).unwrap_err();
        assert_eq!(other.code(), crate::ErrorCode::InvalidPageToken);
    }

    #[test]
    fn a_valid_token_for_another_cursor_type_is_invalid() {
        let token = encode_token("list_accounts", &"text").unwrap();
        let err = decode_token::<Cursor>("list_accounts", &token).unwrap_err();
        assert_eq!(err.code(), crate::ErrorCode::InvalidPageToken);
    }
}
