//! The token requests (authorization code, refresh, client credentials) sent through the
//! HTTP toolkit, and the token answer read into `OauthCredentials`.

use std::sync::{Arc, Mutex, PoisonError};

use schemars::JsonSchema;
use serde_json::{Map, Value};

use super::failure::token_failure;
use super::{ClientAuth, OAuthSettings, TokenRequest};
use crate::context::Context;
use crate::http::{Auth, HttpClient, HttpConfig, RetryPolicy};
use crate::models::{OauthCredentials, TokenType};
use crate::secret::Secret;
use crate::{ConnectorError, Reply, Result};

/// The client's id and secret.
pub(crate) struct Client<'r> {
    pub(crate) id: &'r str,
    pub(crate) secret: &'r str,
}

/// Sends a token request with `grant` (its parameters in the reference's order) to the
/// configuration's token endpoint and reads the answer.
pub(crate) async fn request_token<S, A>(
    config: &HttpConfig,
    oauth: &OAuthSettings<S>,
    cx: &Context<S, A>,
    client: Client<'_>,
    grant: Vec<(&'static str, String)>,
) -> Result<Reply<OauthCredentials>>
where
    S: JsonSchema + Send + Sync,
    A: Send + Sync,
{
    let endpoint = oauth.token_url.resolve(cx.settings());
    let mut params = grant;
    let auth = match oauth.client_auth {
        ClientAuth::Basic => Auth::basic(client.id, Secret::from(client.secret.to_owned())),
        ClientAuth::Body => {
            params.push(("client_id", client.id.to_owned()));
            params.push(("client_secret", client.secret.to_owned()));
            Auth::None
        }
    };
    let http = HttpClient::for_endpoint(config, cx, &endpoint, auth)?;
    let builder = match oauth.token_request {
        TokenRequest::PostForm => http.post(&endpoint).form(&params),
        TokenRequest::PostJson => {
            let body: Map<String, Value> = params
                .into_iter()
                .map(|(key, value)| (key.to_owned(), Value::String(value)))
                .collect();
            http.post(&endpoint).json(&body)
        }
        TokenRequest::GetQuery => http.get(&endpoint).query(&params),
    };
    // The toolkit's own status mapping gives a status_code; the reference's has none, so
    // the failure is mapped here and carried out of the hook.
    let failed: Arc<Mutex<Option<ConnectorError>>> = Arc::default();
    let hook = Arc::clone(&failed);
    let hook_endpoint = endpoint.clone();
    let sent = builder
        .retry(RetryPolicy::none())
        .map_errors(move |failure| {
            let error = token_failure(failure.status(), &hook_endpoint, failure.body());
            *hook.lock().unwrap_or_else(PoisonError::into_inner) = Some(error.clone());
            Some(error)
        })
        .send()
        .await;
    let response = match sent {
        Ok(response) => response,
        Err(error) => {
            let mapped = failed.lock().unwrap_or_else(PoisonError::into_inner).take();
            return Err(mapped.unwrap_or(error));
        }
    };
    let body: Value = response.json_value()?;
    credentials(body, &endpoint)
}

/// The token answer as `OauthCredentials`: `token_type` lower-cased, `bearer` when absent;
/// extra fields dropped. The answer itself, with that `token_type`, is the raw data.
fn credentials(mut body: Value, endpoint: &str) -> Result<Reply<OauthCredentials>> {
    let invalid = |what: &str| {
        let endpoint = endpoint.split(['?', '#']).next().unwrap_or_default();
        ConnectorError::invalid_response(format!("The token answer of {endpoint} {what}."))
    };
    let Value::Object(object) = &mut body else {
        return Err(invalid("is not a JSON object"));
    };
    let kind = object
        .get("token_type")
        .and_then(Value::as_str)
        .map_or_else(|| "bearer".to_owned(), str::to_lowercase);
    object.insert("token_type".to_owned(), Value::String(kind));
    let object = &*object;
    let text = |key: &str| object.get(key).and_then(Value::as_str).map(str::to_owned);
    let access_token = text("access_token").ok_or_else(|| invalid("has no access_token"))?;
    if text("token_type").as_deref() != Some("bearer") {
        return Err(invalid("has a token_type other than bearer"));
    }
    let credentials = OauthCredentials {
        access_token: access_token.into(),
        refresh_token: text("refresh_token").map(Into::into),
        token_type: TokenType::Bearer,
        state: None,
    };
    Ok(Reply::new(credentials).with_raw_data(body))
}

/// The code and the redirect URI (without its query) of `redirect_uri_with_code`.
pub(crate) fn code_from_redirect(redirect_uri_with_code: &str) -> Result<(String, String)> {
    let url = url::Url::parse(redirect_uri_with_code)
        .map_err(|_| ConnectorError::invalid_value("redirect_uri_with_code is not a valid URL."))?;
    let code = url
        .query_pairs()
        .find(|(key, _)| key == "code")
        .map(|(_, value)| value.into_owned())
        .ok_or_else(|| {
            ConnectorError::invalid_value("redirect_uri_with_code carries no `code` parameter.")
        })?;
    let base = redirect_uri_with_code
        .split(['?', '#'])
        .next()
        .unwrap_or_default()
        .to_owned();
    Ok((code, base))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_redirect_gives_its_code_and_itself_without_the_query() {
        let (code, base) =
            code_from_redirect("https://app.example.com/callback?code=abc123&state=st-1").unwrap();
        assert_eq!(
            (code.as_str(), base.as_str()),
            ("abc123", "https://app.example.com/callback")
        );
    }

    #[test]
    fn a_redirect_without_a_code_is_invalid_value() {
        let error = code_from_redirect("https://app.example.com/callback?error=x").unwrap_err();
        assert_eq!(error.code(), crate::ErrorCode::InvalidValue);
    }

    #[test]
    fn token_type_is_lower_cased_and_bearer_by_default() {
        let mixed = serde_json::json!({"access_token": "a", "token_type": "Bearer"});
        let reply = credentials(mixed, "u").unwrap();
        assert_eq!(reply.response().token_type, TokenType::Bearer);
        assert_eq!(reply.raw_data().unwrap()["token_type"], "bearer");
        let absent = serde_json::json!({"access_token": "a"});
        let reply = credentials(absent, "u").unwrap();
        assert_eq!(reply.raw_data().unwrap()["token_type"], "bearer");
    }
}
