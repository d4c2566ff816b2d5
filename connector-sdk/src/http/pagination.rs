//! Typed cursors for the usual REST pagination styles. Each is a plain serde type: a list
//! capability names it as its cursor (`PageRequest<OffsetCursor>`), and the runtime
//! encodes it into the opaque page token.
//!
//! * [`OffsetCursor`]: offset and limit in the query (`?offset=40&limit=20`).
//! * [`PageNumberCursor`]: a page number in the query (`?page=3&per_page=20`).
//! * [`BodyCursor`]: a cursor the app returns in the body (`"next_cursor": "abc"`).
//! * [`LinkCursor`]: RFC 8288 `Link: <…>; rel="next"` headers (see [`parse_link_header`]).
//! * [`EndpointsCursor`]: several endpoints walked one after the other in one token, each
//!   with its own cursor (the reference's list of paginations).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::page::PageRequest;

/// Offset/limit pagination: the offset of the next page's first item.
///
/// ```
/// use connector_sdk::PageRequest;
/// use connector_sdk::http::OffsetCursor;
///
/// let page = PageRequest::<OffsetCursor>::first(2);
/// let offset = OffsetCursor::offset_of(&page);
/// assert_eq!(offset, 0);
/// // The app returned a full page of 2 items: there may be more.
/// assert_eq!(OffsetCursor::after(offset, 2, page.size(), None), Some(OffsetCursor { offset: 2 }));
/// // Without a total, a short page is the last one; reaching the total ends it too.
/// assert_eq!(OffsetCursor::after(2, 1, 2, None), None);
/// assert_eq!(OffsetCursor::after(2, 2, 2, Some(4)), None);
/// // A server that caps its pages at 1000 items, with 2500 in all: the walk goes on.
/// assert_eq!(OffsetCursor::after(0, 1000, 5000, Some(2500)), Some(OffsetCursor { offset: 1000 }));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OffsetCursor {
    /// The offset of the next page's first item.
    pub offset: u64,
}

impl OffsetCursor {
    /// The offset to ask for: the cursor's, or 0 on the first page.
    pub fn offset_of(page: &PageRequest<OffsetCursor>) -> u64 {
        page.cursor().map_or(0, |cursor| cursor.offset)
    }

    /// The cursor after a page that started at `offset` and returned `received` items of
    /// the `size` asked for, or `None` when that was the last page.
    ///
    /// When the app says how many items there are in all (`total`, such as SCIM's
    /// `totalResults`), it decides: the walk goes on while `offset + received < total`,
    /// even after a page shorter than asked (a server may cap its page size). Without a
    /// total, a short page is the last. An empty page always is.
    pub fn after(
        offset: u64,
        received: usize,
        size: u32,
        total: Option<u64>,
    ) -> Option<OffsetCursor> {
        let received = u64::try_from(received).unwrap_or(u64::MAX);
        let next = offset.saturating_add(received);
        let more = received > 0
            && match total {
                Some(total) => next < total,
                None => received >= u64::from(size),
            };
        more.then_some(OffsetCursor { offset: next })
    }
}

/// Page-number pagination: the number of the next page (the first page is
/// [`PageNumberCursor::FIRST`], 1).
///
/// ```
/// use connector_sdk::PageRequest;
/// use connector_sdk::http::PageNumberCursor;
///
/// let page = PageRequest::new(50, Some(PageNumberCursor { page: 3 }));
/// assert_eq!(PageNumberCursor::number_of(&page), 3);
/// assert_eq!(PageNumberCursor::after(3, 50, 50, None), Some(PageNumberCursor { page: 4 }));
/// assert_eq!(PageNumberCursor::after(3, 50, 50, Some(3)), None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageNumberCursor {
    /// The number of the next page.
    pub page: u64,
}

impl PageNumberCursor {
    /// The number of the first page.
    pub const FIRST: u64 = 1;

    /// The page number to ask for: the cursor's, or 1 on the first page.
    pub fn number_of(request: &PageRequest<PageNumberCursor>) -> u64 {
        request.cursor().map_or(Self::FIRST, |cursor| cursor.page)
    }

    /// The cursor after page `page` that returned `received` items of the `size` asked
    /// for; `None` after a short or empty page, or the last of `total_pages`.
    pub fn after(
        page: u64,
        received: usize,
        size: u32,
        total_pages: Option<u64>,
    ) -> Option<PageNumberCursor> {
        let full = received > 0 && u64::try_from(received).unwrap_or(u64::MAX) >= u64::from(size);
        let more = full && total_pages.is_none_or(|total| page < total);
        more.then_some(PageNumberCursor {
            page: page.saturating_add(1),
        })
    }
}

/// A cursor the app hands out in its response body.
///
/// ```
/// use serde_json::json;
/// use connector_sdk::PageRequest;
/// use connector_sdk::http::BodyCursor;
///
/// let body = json!({"users": [], "meta": {"next_cursor": "c2"}});
/// assert_eq!(BodyCursor::from_json(&body, "/meta/next_cursor"), Some(BodyCursor { cursor: "c2".into() }));
/// // A null, empty or missing cursor ends the listing.
/// assert_eq!(BodyCursor::from_json(&json!({"meta": {"next_cursor": ""}}), "/meta/next_cursor"), None);
/// assert_eq!(BodyCursor::of(&PageRequest::<BodyCursor>::first(10)), None);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BodyCursor {
    /// The app's cursor, as it gave it.
    pub cursor: String,
}

impl BodyCursor {
    /// The cursor to send, or `None` on the first page.
    pub fn of(page: &PageRequest<BodyCursor>) -> Option<&str> {
        page.cursor().map(|cursor| cursor.cursor.as_str())
    }

    /// A cursor from the app's answer; `None` (the last page) for no cursor or an empty one.
    pub fn new(next: Option<impl Into<String>>) -> Option<BodyCursor> {
        next.map(Into::into)
            .filter(|cursor| !cursor.is_empty())
            .map(|cursor| BodyCursor { cursor })
    }

    /// The cursor at JSON pointer `pointer` (such as `"/meta/next_cursor"`) of a response
    /// body: a string, or a number taken as text; `None` when absent, null or empty.
    pub fn from_json(body: &Value, pointer: &str) -> Option<BodyCursor> {
        match body.pointer(pointer)? {
            Value::String(text) => BodyCursor::new(Some(text.as_str())),
            Value::Number(number) => BodyCursor::new(Some(number.to_string())),
            _ => None,
        }
    }
}

/// The next page's link from an RFC 8288 `Link` header, kept as the path and query on
/// the client's base URL (so a token can never point the client at another host).
///
/// Use it with [`HttpResponse::next_link`](super::HttpResponse::next_link) and
/// [`HttpClient::follow`](super::HttpClient::follow).
///
/// ```
/// use connector_sdk::http::LinkCursor;
///
/// let cursor = LinkCursor { link: "/users?page=2&per_page=50".into() };
/// # let _ = cursor;
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkCursor {
    /// The path and query of the next page.
    pub link: String,
}

/// One link of an RFC 8288 `Link` header.
///
/// ```
/// use connector_sdk::http::parse_link_header;
///
/// let links = parse_link_header(r#"<https://api.example.com/users?page=2>; rel="next", <https://api.example.com/users?page=9>; rel="last""#);
/// assert_eq!(links[0].target, "https://api.example.com/users?page=2");
/// assert!(links[0].has_rel("next"));
/// assert!(links[1].has_rel("LAST"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    /// The link's target, as written (absolute or relative).
    pub target: String,
    /// The relation types (`rel`), as written.
    pub rels: Vec<String>,
    /// The other parameters, names lowercased, values unquoted.
    pub params: Vec<(String, String)>,
}

impl Link {
    /// Whether the link has relation type `rel` (compared case-insensitively).
    pub fn has_rel(&self, rel: &str) -> bool {
        self.rels.iter().any(|own| own.eq_ignore_ascii_case(rel))
    }
}

/// Parses an RFC 8288 `Link` header value into its links. Malformed parts are skipped.
///
/// ```
/// use connector_sdk::http::parse_link_header;
///
/// let links = parse_link_header(r#"</p?a=1,2>; rel="next prev"; title="x;y", garbage"#);
/// assert_eq!(links.len(), 1);
/// assert_eq!(links[0].target, "/p?a=1,2");
/// assert_eq!(links[0].rels, vec!["next", "prev"]);
/// assert_eq!(links[0].params, vec![("title".to_owned(), "x;y".to_owned())]);
/// ```
pub fn parse_link_header(value: &str) -> Vec<Link> {
    let mut links = Vec::new();
    let mut rest = value;
    loop {
        rest = rest.trim_start_matches(|c: char| c == ',' || c.is_whitespace());
        if rest.is_empty() {
            break;
        }
        let Some(after_open) = rest.strip_prefix('<') else {
            // Not a link: skip to the next comma outside quotes.
            rest = skip_past_comma(rest);
            continue;
        };
        let Some(close) = after_open.find('>') else {
            break;
        };
        let target = after_open[..close].trim().to_owned();
        rest = &after_open[close + 1..];
        let mut rels = Vec::new();
        let mut params = Vec::new();
        loop {
            rest = rest.trim_start();
            let Some(after_semicolon) = rest.strip_prefix(';') else {
                break;
            };
            let (name, value, remaining) = parse_param(after_semicolon);
            rest = remaining;
            if name.is_empty() {
                continue;
            }
            if name == "rel" {
                if rels.is_empty() {
                    rels = value.split_whitespace().map(str::to_owned).collect();
                }
            } else {
                params.push((name, value));
            }
        }
        links.push(Link {
            target,
            rels,
            params,
        });
        rest = skip_past_comma(rest);
    }
    links
}

/// One `name=value` or `name="quoted"` parameter; returns (lowercased name, value, rest).
fn parse_param(input: &str) -> (String, String, &str) {
    let input = input.trim_start();
    let name_end = input.find(['=', ';', ',']).unwrap_or(input.len());
    let name = input[..name_end].trim().to_ascii_lowercase();
    let rest = &input[name_end..];
    let Some(after_eq) = rest.strip_prefix('=') else {
        return (name, String::new(), rest);
    };
    let after_eq = after_eq.trim_start();
    if let Some(quoted) = after_eq.strip_prefix('"') {
        let mut value = String::new();
        let mut chars = quoted.char_indices();
        while let Some((index, ch)) = chars.next() {
            match ch {
                '\\' => {
                    if let Some((_, escaped)) = chars.next() {
                        value.push(escaped);
                    }
                }
                '"' => return (name, value, &quoted[index + 1..]),
                other => value.push(other),
            }
        }
        return (name, value, "");
    }
    let end = after_eq.find([';', ',']).unwrap_or(after_eq.len());
    (name, after_eq[..end].trim().to_owned(), &after_eq[end..])
}

/// The text after the next comma that is outside quotes and angle brackets.
fn skip_past_comma(input: &str) -> &str {
    let mut quoted = false;
    let mut angled = false;
    for (index, ch) in input.char_indices() {
        match ch {
            '"' if !angled => quoted = !quoted,
            '<' if !quoted => angled = true,
            '>' if !quoted => angled = false,
            ',' if !quoted && !angled => return &input[index + 1..],
            _ => {}
        }
    }
    ""
}

/// Several endpoints listed one after the other in one opaque token, each with its own
/// cursor type `C`: the endpoints still to walk, the current one first, and the position
/// within it.
///
/// ```
/// use connector_sdk::PageRequest;
/// use connector_sdk::http::{EndpointsCursor, OffsetCursor};
///
/// // First call: no cursor yet, so start at the first endpoint.
/// let page = PageRequest::<EndpointsCursor<OffsetCursor>>::first(100);
/// let walk = EndpointsCursor::resume(page, ["/users", "/service-accounts"]);
/// assert_eq!(walk.endpoint(), Some("/users"));
/// assert_eq!(walk.cursor(), None);
///
/// // "/users" has more: stay on it.
/// let next = walk.clone().advance(Some(OffsetCursor { offset: 100 })).unwrap();
/// assert_eq!(next.endpoint(), Some("/users"));
/// // "/users" is done: move on to "/service-accounts" from its start.
/// let next = walk.advance(None).unwrap();
/// assert_eq!(next.endpoint(), Some("/service-accounts"));
/// // The last endpoint is done: the listing is complete.
/// assert_eq!(next.advance(None), None);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointsCursor<C> {
    /// The endpoints still to walk, the current one first.
    pub endpoints: Vec<String>,
    /// The position within the current endpoint (`None`: its first page).
    pub cursor: Option<C>,
}

impl<C> EndpointsCursor<C> {
    /// A walk over `endpoints`, from the first page of the first.
    pub fn start<I, E>(endpoints: I) -> Self
    where
        I: IntoIterator<Item = E>,
        E: Into<String>,
    {
        EndpointsCursor {
            endpoints: endpoints.into_iter().map(Into::into).collect(),
            cursor: None,
        }
    }

    /// The walk of a page request: its cursor, or a fresh walk over `endpoints`.
    pub fn resume<I, E>(page: PageRequest<EndpointsCursor<C>>, endpoints: I) -> Self
    where
        I: IntoIterator<Item = E>,
        E: Into<String>,
    {
        page.into_cursor()
            .unwrap_or_else(|| EndpointsCursor::start(endpoints))
    }

    /// The current endpoint (`None` when none are left).
    pub fn endpoint(&self) -> Option<&str> {
        self.endpoints.first().map(String::as_str)
    }

    /// The position within the current endpoint (`None`: its first page).
    pub fn cursor(&self) -> Option<&C> {
        self.cursor.as_ref()
    }

    /// The walk after this page: the same endpoint at `next`, or, when `next` is `None`,
    /// the next endpoint from its start; `None` when the last endpoint is done.
    pub fn advance(mut self, next: Option<C>) -> Option<Self> {
        match next {
            Some(cursor) if !self.endpoints.is_empty() => {
                self.cursor = Some(cursor);
                Some(self)
            }
            _ => {
                if !self.endpoints.is_empty() {
                    self.endpoints.remove(0);
                }
                self.cursor = None;
                (!self.endpoints.is_empty()).then_some(self)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page::{decode_token, encode_token};

    #[test]
    fn cursors_survive_the_runtime_token_format() {
        let walk = EndpointsCursor {
            endpoints: vec!["/a".to_owned(), "/b".to_owned()],
            cursor: Some(BodyCursor { cursor: "x".into() }),
        };
        let token = encode_token("list_accounts", &walk).unwrap();
        assert_eq!(
            decode_token::<EndpointsCursor<BodyCursor>>("list_accounts", &token).unwrap(),
            walk
        );
        let link = LinkCursor {
            link: "/users?page=2".into(),
        };
        let token = encode_token("list_accounts", &link).unwrap();
        assert_eq!(
            decode_token::<LinkCursor>("list_accounts", &token).unwrap(),
            link
        );
    }

    #[test]
    fn link_headers_with_odd_spacing_and_params() {
        let links = parse_link_header(
            "<https://h/x?page=3>;rel=next ,\t<https://h/x?page=1> ; rel=\"first\"; type=\"application/json\"",
        );
        assert_eq!(links.len(), 2);
        assert!(links[0].has_rel("next"));
        assert_eq!(
            links[1].params,
            vec![("type".to_owned(), "application/json".to_owned())]
        );
        assert!(parse_link_header("").is_empty());
        assert!(parse_link_header("<unterminated; rel=next").is_empty());
        let escaped = parse_link_header(r#"</a>; title="say \"hi\"", </b>; rel=next"#);
        assert_eq!(escaped[0].params[0].1, "say \"hi\"");
        assert!(escaped[1].has_rel("next"));
    }

    #[test]
    fn empty_walks_end_at_once() {
        let walk: EndpointsCursor<OffsetCursor> = EndpointsCursor::start(Vec::<String>::new());
        assert_eq!(walk.endpoint(), None);
        assert_eq!(walk.advance(Some(OffsetCursor { offset: 1 })), None);
    }

    #[test]
    fn offsets_trust_the_total_over_the_page_size() {
        // A capped page with a total: more to come until the total is reached.
        assert_eq!(
            OffsetCursor::after(0, 1000, 5000, Some(2500)),
            Some(OffsetCursor { offset: 1000 })
        );
        assert_eq!(OffsetCursor::after(2000, 500, 5000, Some(2500)), None);
        // A total larger than what the app returns does not loop on an empty page.
        assert_eq!(OffsetCursor::after(10, 0, 5, Some(100)), None);
        // A full page past a total that shrank ends the walk.
        assert_eq!(OffsetCursor::after(8, 5, 5, Some(10)), None);
    }

    #[test]
    fn zero_size_pages_never_loop() {
        assert_eq!(OffsetCursor::after(0, 0, 0, None), None);
        assert_eq!(PageNumberCursor::after(1, 0, 0, None), None);
    }
}
