//! Twins of the reference demo's OAuth connectors (`integration_oauth.py` of the
//! connector-py 4.280.0 demo): `demo_app_oauth` (code flow, here with PKCE on) and
//! `demo_app_oauth_cc` (client credentials with HTTP Basic and a JSON body), declared
//! with `#[connector(oauth(...))]` so that the runtime generates their OAuth capabilities.
//!
//! The token endpoint is the one the reference's runs were recorded with, [`TOKEN_URL`]
//! (a literal in the attribute: `app_info` shows it, as the reference's does).

use connector_sdk::prelude::*;

use crate::demo_app::DemoAppSettings;

/// The token endpoint the reference's runs were recorded with (its
/// `DEMO_OAUTH_TOKEN_URL`).
pub const TOKEN_URL: &str = "http://127.0.0.1:43281/token";

/// `demo_app_oauth`: the authorization-code flow.
#[derive(Default)]
pub struct DemoOAuth;

#[connector(
    app_id = "demo_app_oauth",
    version = "0.1.0",
    name = "Demo App (OAuth code flow)",
    auth = OAuthCredential,
    settings = DemoAppSettings,
    oauth(
        authorization_url = "https://auth.example.com/oauth/authorize",
        token_url = "http://127.0.0.1:43281/token",
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

/// `demo_app_oauth_cc`: the client-credentials flow, HTTP Basic, a JSON body; no
/// capability of its own.
#[derive(Default)]
pub struct DemoOAuthCc;

#[connector(
    app_id = "demo_app_oauth_cc",
    version = "0.1.0",
    name = "Demo App (OAuth client credentials)",
    auth = OAuthClientCredential,
    settings = DemoAppSettings,
    oauth(
        token_url = "http://127.0.0.1:43281/token",
        flow = client_credentials,
        client_auth = basic,
        token_request = post_json,
        scopes(validate_credentials = "api.read"),
    )
)]
impl DemoOAuthCc {
    // No capability of its own, as the reference's: the runtime's OAuth ones only.
}
