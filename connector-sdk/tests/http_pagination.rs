//! Pagination helpers of the HTTP toolkit, walked against a loopback API: offset/limit,
//! page numbers, a cursor in the body, RFC 8288 Link headers, and several endpoints in one
//! token. Every cursor goes through the runtime's page-token format between pages, as it
//! does between calls.
#![cfg(feature = "http")]

mod http_support;

use connector_sdk::ErrorCode;
use connector_sdk::http::{
    BodyCursor, EndpointsCursor, HttpClient, LinkCursor, OffsetCursor, PageNumberCursor,
};
use connector_sdk::page::{decode_token, encode_token};
use connector_sdk::{PageRequest, Result};
use http_support::{recorded, token_cx};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The next page request, after a trip through a page token.
fn through_token<C: Serialize + DeserializeOwned>(
    size: u32,
    next: Option<C>,
) -> Option<PageRequest<C>> {
    let cursor = next?;
    let token = encode_token("list_accounts", &cursor).unwrap();
    Some(PageRequest::new(
        size,
        Some(decode_token("list_accounts", &token).unwrap()),
    ))
}

fn ids(body: &Value, key: &str) -> Vec<String> {
    body[key]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn offset_and_page_number_walks() {
    let server = MockServer::start().await;
    for (offset, items) in [
        ("0", json!([{"id": "a"}, {"id": "b"}])),
        ("2", json!([{"id": "c"}])),
    ] {
        Mock::given(path("/users"))
            .and(query_param("offset", offset))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"users": items})))
            .mount(&server)
            .await;
    }
    for (page, items) in [
        ("1", json!([{"id": "a"}, {"id": "b"}])),
        ("2", json!([{"id": "c"}, {"id": "d"}])),
    ] {
        Mock::given(path("/groups"))
            .and(query_param("page", page))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"groups": items, "total_pages": 2})),
            )
            .mount(&server)
            .await;
    }
    let (config, _) = recorded();
    let cx = token_cx(&server.uri());
    let api = config.client(&cx).unwrap();

    let mut seen = Vec::new();
    let mut page = Some(PageRequest::<OffsetCursor>::first(2));
    while let Some(request) = page {
        let offset = OffsetCursor::offset_of(&request);
        let body: Value = api
            .get("/users")
            .query(&[("offset", offset), ("limit", 2)])
            .fetch()
            .await
            .unwrap();
        let found = ids(&body, "users");
        let next = OffsetCursor::after(offset, found.len(), request.size(), None);
        seen.extend(found);
        page = through_token(request.size(), next);
    }
    assert_eq!(seen, ["a", "b", "c"]);

    let mut seen = Vec::new();
    let mut page = Some(PageRequest::<PageNumberCursor>::first(2));
    while let Some(request) = page {
        let number = PageNumberCursor::number_of(&request);
        let body: Value = api
            .get("/groups")
            .query(&[("page", number)])
            .fetch()
            .await
            .unwrap();
        let found = ids(&body, "groups");
        let next = PageNumberCursor::after(
            number,
            found.len(),
            request.size(),
            body["total_pages"].as_u64(),
        );
        seen.extend(found);
        page = through_token(request.size(), next);
    }
    assert_eq!(seen, ["a", "b", "c", "d"]);
}

#[tokio::test]
async fn body_cursor_walk() {
    let server = MockServer::start().await;
    Mock::given(path("/users"))
        .and(query_param_is_missing("cursor"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"data": [{"id": "a"}], "meta": {"next": "c+2/x=="}})),
        )
        .mount(&server)
        .await;
    Mock::given(path("/users"))
        .and(query_param("cursor", "c+2/x=="))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"data": [{"id": "b"}], "meta": {"next": null}})),
        )
        .mount(&server)
        .await;
    let (config, _) = recorded();
    let cx = token_cx(&server.uri());
    let api = config.client(&cx).unwrap();
    let mut seen = Vec::new();
    let mut page = Some(PageRequest::<BodyCursor>::first(50));
    while let Some(request) = page {
        let mut call = api.get("/users");
        if let Some(cursor) = BodyCursor::of(&request) {
            call = call.query(&[("cursor", cursor)]);
        }
        let body: Value = call.fetch().await.unwrap();
        seen.extend(ids(&body, "data"));
        page = through_token(request.size(), BodyCursor::from_json(&body, "/meta/next"));
    }
    assert_eq!(seen, ["a", "b"]);
}

#[tokio::test]
async fn link_header_walk_stays_on_the_apps_host() {
    let server = MockServer::start().await;
    let next = format!(
        "<{}/api/users?page=2&per_page=1>; rel=\"next\"",
        server.uri()
    );
    Mock::given(path("/api/users"))
        .and(query_param_is_missing("page"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!([{"id": "a"}]))
                .insert_header("link", next.as_str()),
        )
        .mount(&server)
        .await;
    Mock::given(path("/api/users"))
        .and(query_param("page", "2"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!([{"id": "b"}]))
                .insert_header("link", "</api/users?page=1&per_page=1>; rel=\"first\""),
        )
        .mount(&server)
        .await;
    let (config, _) = recorded();
    let cx = token_cx(&format!("{}/api", server.uri()));
    let api = config.client(&cx).unwrap();

    async fn page(
        api: &HttpClient<'_>,
        cursor: Option<&LinkCursor>,
    ) -> Result<(Vec<Value>, Option<LinkCursor>)> {
        let call = match cursor {
            Some(cursor) => api.follow(cursor),
            None => api.get("/users").query(&[("per_page", 1)]),
        };
        let response = call.send().await?;
        Ok((response.json()?, response.next_link()?))
    }
    let mut seen = Vec::new();
    let mut request = PageRequest::<LinkCursor>::first(1);
    loop {
        let (items, next) = page(&api, request.cursor()).await.unwrap();
        seen.extend(
            items
                .iter()
                .filter_map(|item| item["id"].as_str().map(str::to_owned)),
        );
        match through_token(1, next) {
            Some(next) => request = next,
            None => break,
        }
    }
    assert_eq!(seen, ["a", "b"]);

    // A forged token cannot point the client (and its credentials) at another host.
    let forged = LinkCursor {
        link: "//evil.example/steal".to_owned(),
    };
    let error = api.follow(&forged).send().await.unwrap_err();
    assert_eq!(error.code(), ErrorCode::InvalidPageToken);
}

#[tokio::test]
async fn several_endpoints_in_one_token() {
    let server = MockServer::start().await;
    let respond = |items: Value| ResponseTemplate::new(200).set_body_json(json!({"items": items}));
    Mock::given(method("GET"))
        .and(path("/users"))
        .and(query_param("offset", "0"))
        .respond_with(respond(json!([{"id": "u1"}, {"id": "u2"}])))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/users"))
        .and(query_param("offset", "2"))
        .respond_with(respond(json!([])))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/bots"))
        .and(query_param("offset", "0"))
        .respond_with(respond(json!([{"id": "b1"}])))
        .mount(&server)
        .await;
    let (config, _) = recorded();
    let cx = token_cx(&server.uri());
    let api = config.client(&cx).unwrap();

    let mut seen = Vec::new();
    let mut calls = 0;
    let mut page = Some(PageRequest::<EndpointsCursor<OffsetCursor>>::first(2));
    while let Some(request) = page {
        calls += 1;
        let size = request.size();
        let walk = EndpointsCursor::resume(request, ["/users", "/bots"]);
        let endpoint = walk.endpoint().unwrap_or_default().to_owned();
        let offset = walk.cursor().map_or(0, |cursor| cursor.offset);
        let body: Value = api
            .get(&endpoint)
            .query(&[("offset", offset), ("limit", 2)])
            .fetch()
            .await
            .unwrap();
        let found = ids(&body, "items");
        let next = OffsetCursor::after(offset, found.len(), size, None);
        seen.extend(found);
        page = through_token(size, walk.advance(next));
    }
    assert_eq!(seen, ["u1", "u2", "b1"]);
    assert_eq!(calls, 3, "users page 1, users page 2 (empty), bots page 1");
}

/// Walks `/users` with offset/limit pages of `size`, the total read from `total` when the
/// app gives it; the ids seen and the offsets asked for.
async fn offset_walk(server: &MockServer, size: u32) -> (Vec<String>, Vec<u64>) {
    let (config, _) = recorded();
    let cx = token_cx(&server.uri());
    let (mut seen, mut asked) = (Vec::new(), Vec::new());
    let mut page = Some(PageRequest::<OffsetCursor>::first(size));
    while let Some(request) = page {
        let offset = OffsetCursor::offset_of(&request);
        asked.push(offset);
        let body: Value = config
            .get(&cx, "/users")
            .query(&[("offset", offset), ("limit", u64::from(size))])
            .fetch()
            .await
            .unwrap();
        let found = ids(&body, "users");
        let next = OffsetCursor::after(offset, found.len(), request.size(), body["total"].as_u64());
        seen.extend(found);
        page = through_token(request.size(), next);
    }
    (seen, asked)
}

/// Mounts one page of `/users` at `offset`.
async fn users_page(server: &MockServer, offset: &str, ids: &[&str], total: Option<u64>) {
    let users: Vec<Value> = ids.iter().map(|id| json!({"id": id})).collect();
    let mut body = json!({"users": users});
    if let Some(total) = total {
        body["total"] = json!(total);
    }
    Mock::given(path("/users"))
        .and(query_param("offset", offset))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .expect(1)
        .mount(server)
        .await;
}

#[tokio::test]
async fn a_server_that_caps_its_page_size_is_walked_to_its_total() {
    let server = MockServer::start().await;
    // Asked for 5 a page, the server returns at most 2, and says there are 5 in all.
    users_page(&server, "0", &["a", "b"], Some(5)).await;
    users_page(&server, "2", &["c", "d"], Some(5)).await;
    users_page(&server, "4", &["e"], Some(5)).await;
    let (seen, asked) = offset_walk(&server, 5).await;
    assert_eq!(seen, ["a", "b", "c", "d", "e"]);
    assert_eq!(asked, [0, 2, 4]);
}

#[tokio::test]
async fn a_short_page_without_a_total_is_the_last() {
    let server = MockServer::start().await;
    users_page(&server, "0", &["a", "b", "c"], None).await;
    users_page(&server, "3", &["d"], None).await;
    let (seen, asked) = offset_walk(&server, 3).await;
    assert_eq!(seen, ["a", "b", "c", "d"]);
    assert_eq!(asked, [0, 3]);
}

#[tokio::test]
async fn an_empty_page_ends_the_walk_whatever_the_total_says() {
    let server = MockServer::start().await;
    users_page(&server, "0", &["a", "b"], Some(10)).await;
    users_page(&server, "2", &[], Some(10)).await;
    let (seen, asked) = offset_walk(&server, 2).await;
    assert_eq!(seen, ["a", "b"]);
    assert_eq!(asked, [0, 2]);
}
