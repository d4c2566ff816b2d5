//! The OAuth capabilities the runtime adds to a connector with an OAuth declaration:
//! those its flows give, unless the author wrote one by hand.

use super::authorize::authorization_url;
use super::token::{Client, code_from_redirect, request_token};
use super::{OAuth, OAuthSettings};
use crate::caps;
use crate::connector::{Capabilities, Connector, UnauthenticatedContextOf};
use crate::http::HttpConfig;
use crate::models::{
    AuthorizationUrl, GetAuthorizationUrl, HandleAuthorizationCallback, HandleClientCredentials,
    OauthCredentials, RefreshAccessToken,
};
use crate::runtime::Runtime;
use crate::{Reply, Result};

/// Adds the capabilities any of `oauth`'s configurations registers and the author has
/// not written.
pub(crate) fn register<C: Connector>(
    capabilities: &mut Capabilities<C>,
    oauth: &OAuth<C::Settings>,
) {
    let wanted = |name: &str| {
        capabilities.get(name).is_none()
            && oauth
                .configs()
                .iter()
                .any(|(_, settings)| settings.registers(name))
    };
    let (authorize, callback, client_credentials, refresh) = (
        wanted("get_authorization_url"),
        wanted("handle_authorization_callback"),
        wanted("handle_client_credentials_request"),
        wanted("refresh_access_token"),
    );
    let mut added = Capabilities::<C>::new();
    if authorize {
        added = added.unauthenticated::<caps::GetAuthorizationUrl, GetAuthorizationUrl, Result<AuthorizationUrl>, _>(
            |_, cx, request| Box::pin(get_authorization_url::<C>(cx, request)),
        );
    }
    if callback {
        added = added.unauthenticated::<caps::HandleAuthorizationCallback, HandleAuthorizationCallback, Result<Reply<OauthCredentials>>, _>(
            |_, cx, request| Box::pin(handle_authorization_callback::<C>(cx, request)),
        );
    }
    if client_credentials {
        added = added.unauthenticated::<caps::HandleClientCredentialsRequest, HandleClientCredentials, Result<Reply<OauthCredentials>>, _>(
            |_, cx, request| Box::pin(handle_client_credentials_request::<C>(cx, request)),
        );
    }
    if refresh {
        added = added.unauthenticated::<caps::RefreshAccessToken, RefreshAccessToken, Result<Reply<OauthCredentials>>, _>(
            |_, cx, request| Box::pin(refresh_access_token::<C>(cx, request)),
        );
    }
    for entry in added.into_entries() {
        capabilities.push(entry);
    }
}

/// The configuration a request's `credential_id` picks.
fn settings<C: Connector>(
    credential_id: Option<&str>,
) -> Result<&'static OAuthSettings<C::Settings>> {
    Runtime::<C>::get().oauth.pick(credential_id)
}

/// The toolkit's setup for token requests: the connector's user agent, no retries.
fn http<C: Connector>() -> HttpConfig {
    HttpConfig::from_metadata(&Runtime::<C>::get().metadata).retry(crate::http::RetryPolicy::none())
}

async fn get_authorization_url<C: Connector>(
    cx: &UnauthenticatedContextOf<C>,
    request: GetAuthorizationUrl,
) -> Result<AuthorizationUrl> {
    let oauth = settings::<C>(request.credential_id.as_deref())?;
    authorization_url(oauth, cx.settings(), &request)
}

async fn handle_authorization_callback<C: Connector>(
    cx: &UnauthenticatedContextOf<C>,
    request: HandleAuthorizationCallback,
) -> Result<Reply<OauthCredentials>> {
    let oauth = settings::<C>(request.credential_id.as_deref())?;
    let (code, redirect_uri) = code_from_redirect(&request.redirect_uri_with_code)?;
    let mut grant = vec![
        ("grant_type", "authorization_code".to_owned()),
        ("code", code),
        ("redirect_uri", redirect_uri),
    ];
    if let Some(verifier) = &request.code_verifier {
        grant.push(("code_verifier", verifier.expose().clone()));
    }
    let client = Client {
        id: &request.client_id,
        secret: request.client_secret.expose(),
    };
    request_token(&http::<C>(), oauth, cx, client, grant).await
}

async fn refresh_access_token<C: Connector>(
    cx: &UnauthenticatedContextOf<C>,
    request: RefreshAccessToken,
) -> Result<Reply<OauthCredentials>> {
    let oauth = settings::<C>(request.credential_id.as_deref())?;
    let grant = vec![
        ("grant_type", "refresh_token".to_owned()),
        ("refresh_token", request.refresh_token.expose().clone()),
    ];
    let client = Client {
        id: &request.client_id,
        secret: request.client_secret.expose(),
    };
    request_token(&http::<C>(), oauth, cx, client, grant).await
}

async fn handle_client_credentials_request<C: Connector>(
    cx: &UnauthenticatedContextOf<C>,
    request: HandleClientCredentials,
) -> Result<Reply<OauthCredentials>> {
    let oauth = settings::<C>(request.credential_id.as_deref())?;
    let scope = if request.scopes.is_empty() {
        oauth.default_scope()
    } else {
        request.scopes.join(" ")
    };
    let mut grant = vec![("grant_type", "client_credentials".to_owned())];
    if !scope.is_empty() {
        grant.push(("scope", scope));
    }
    let client = Client {
        id: &request.client_id,
        secret: request.client_secret.expose(),
    };
    request_token(&http::<C>(), oauth, cx, client, grant).await
}
