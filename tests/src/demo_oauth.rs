//! Twins of the reference demo's OAuth connectors (`integration_oauth.py` of the
//! connector-py 4.280.0 demo): `demo_app_oauth` (code flow, here with PKCE on) and
//! `demo_app_oauth_cc` (client credentials with HTTP Basic and a JSON body), declared
//! with `#[connector(oauth(...))]` so that the runtime generates their OAuth capabilities.
//!
//! The token endpoint is `DEMO_OAUTH_TOKEN_URL` as in the reference, or else `/token` on
//! the settings' base URL (what the tests point at a local server).

use connector_sdk::prelude::*;

use crate::demo_app::DemoAppSettings;

/// The token endpoint: `DEMO_OAUTH_TOKEN_URL`, or `<base_url>/token`.
pub fn token_url(settings: &DemoAppSettings) -> String {
    std::env::var("DEMO_OAUTH_TOKEN_URL")
        .unwrap_or_else(|_| format!("{}/token", settings.base_url.trim_end_matches('/')))
}

/// `demo_app_oauth`: the authorization-code flow.
pub struct DemoOAuth;

#[connector(
    app_id = "demo_app_oauth",
    version = "0.1.0",
    name = "Demo App (OAuth code flow)",
    auth = OAuthCredential,
    settings = DemoAppSettings,
    oauth(
        authorization_url = "https://auth.example.com/oauth/authorize",
        token_url = token_url,
        scopes(validate_credentials = "users:read", list_accounts = "users:read users:list"),
        pkce = true,
    )
)]
impl DemoOAuth {
    // Valid whatever the token; the tenant is the base URL. (A doc comment would become
    // the capability's `description`, which the reference leaves null.)
    async fn validate_credentials(
        &self,
        cx: &ContextOf<Self>,
        _req: ValidateCredentials,
    ) -> Result<ValidatedCredentials> {
        Ok(ValidatedCredentials {
            valid: true,
            unique_tenant_id: cx.settings().base_url.clone(),
        })
    }
}

/// `demo_app_oauth_cc`: the client-credentials flow, HTTP Basic, a JSON body.
pub struct DemoOAuthCc;

#[connector(
    app_id = "demo_app_oauth_cc",
    version = "0.1.0",
    name = "Demo App (OAuth client credentials)",
    auth = OAuthClientCredential,
    settings = DemoAppSettings,
    oauth(
        token_url = token_url,
        flow = client_credentials,
        client_auth = basic,
        token_request = post_json,
        scopes(validate_credentials = "api.read"),
    )
)]
impl DemoOAuthCc {
    // Valid whatever the token; the tenant is the base URL. (A doc comment would become
    // the capability's `description`, which the reference leaves null.)
    async fn validate_credentials(
        &self,
        cx: &ContextOf<Self>,
        _req: ValidateCredentials,
    ) -> Result<ValidatedCredentials> {
        Ok(ValidatedCredentials {
            valid: true,
            unique_tenant_id: cx.settings().base_url.clone(),
        })
    }
}
