//! oauth-example: a connector whose OAuth 2 flows come from its declaration and whose
//! capabilities call a protected API with the access token.
//!
//! The identity provider's endpoints are computed from the settings (`idp_url`):
//! `<idp_url>/authorize` and `<idp_url>/token`, authorization-code flow with PKCE (S256).
//! The runtime generates `get_authorization_url`, `handle_authorization_callback` and
//! `refresh_access_token`; the platform then sends the access token in `auth.oauth`.
//!
//! The API it talks to (`api_url`), with `Authorization: Bearer <access token>`:
//!
//! * `GET <api_url>/users` → `{"users": [{"id", "email", "active"}]}`,
//! * `POST <api_url>/users` with `{"email"}` → `{"id", "email", "active"}`.
//!
//! ```
//! use connector_sdk::Connector;
//!
//! assert_eq!(oauth_example::OAuthExample::metadata().app_id, "oauth_example");
//! ```

use connector_sdk::capability::Extends;
use connector_sdk::connector;
use connector_sdk::http::{HttpConfig, HttpSettings};
use connector_sdk::prelude::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The connector's settings.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[schemars(rename = "OAuthExampleSettings")]
pub struct Settings {
    /// The identity provider, such as `https://login.example.com` (its `/authorize` and
    /// `/token` are used).
    #[schemars(title = "Identity provider URL")]
    pub idp_url: String,
    /// The API's base URL, such as `https://api.example.com/v1`.
    #[schemars(title = "API URL")]
    pub api_url: String,
}

impl HttpSettings for Settings {
    fn base_url(&self) -> &str {
        &self.api_url
    }
}

/// `<idp_url>/authorize`.
pub fn authorization_url(settings: &Settings) -> String {
    format!("{}/authorize", settings.idp_url.trim_end_matches('/'))
}

/// `<idp_url>/token`.
pub fn token_url(settings: &Settings) -> String {
    format!("{}/token", settings.idp_url.trim_end_matches('/'))
}

/// The create_account payload: the standard fields and the new user's email.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "CreateExampleAccount")]
pub struct CreateExampleAccount {
    /// The standard fields (initial entitlements).
    #[serde(flatten)]
    pub base: CreatableAccount,
    /// The email address of the new user.
    pub email: String,
}

impl Extends<CreatableAccount> for CreateExampleAccount {
    fn base(&self) -> &CreatableAccount {
        &self.base
    }
}

/// A user as the API returns it.
#[derive(Debug, Deserialize)]
struct User {
    id: String,
    email: Option<String>,
    active: bool,
}

#[derive(Debug, Deserialize)]
struct Users {
    users: Vec<User>,
}

impl From<User> for FoundAccountData {
    fn from(user: User) -> Self {
        FoundAccountData {
            integration_specific_id: user.id,
            email: user.email,
            user_status: Some(status(user.active)),
            ..Default::default()
        }
    }
}

fn status(active: bool) -> AccountStatus {
    if active {
        AccountStatus::Active
    } else {
        AccountStatus::Suspended
    }
}

/// The connector: its HTTP setup, shared by every call.
pub struct OAuthExample {
    http: HttpConfig,
}

impl Default for OAuthExample {
    fn default() -> Self {
        OAuthExample {
            http: HttpConfig::new("oauth_example", env!("CARGO_PKG_VERSION")),
        }
    }
}

#[connector(
    app_id = "oauth_example",
    name = "OAuth Example",
    auth = OAuthCredential,
    settings = Settings,
    oauth(
        authorization_url = authorization_url,
        token_url = token_url,
        scopes(
            validate_credentials = "openid",
            list_accounts = "users:read",
            create_account = "users:read users:write",
        ),
        pkce = true,
    )
)]
impl OAuthExample {
    /// Checks the token against the API.
    async fn validate_credentials(
        &self,
        cx: &ContextOf<Self>,
        _req: ValidateCredentials,
    ) -> Result<ValidatedCredentials> {
        let _: Users = self.http.get(cx, "/users").fetch().await?;
        Ok(ValidatedCredentials {
            valid: true,
            unique_tenant_id: cx.settings().api_url.clone(),
        })
    }

    /// Lists the API's users.
    async fn list_accounts(
        &self,
        cx: &ContextOf<Self>,
        _req: ListAccounts,
        _page: PageRequest<()>,
    ) -> Result<Paged<FoundAccountData, ()>> {
        let users: Users = self.http.get(cx, "/users").fetch().await?;
        Ok(Paged::new(
            users.users.into_iter().map(Into::into).collect(),
            None,
        ))
    }

    /// Creates a user from the account's email.
    async fn create_account(
        &self,
        cx: &ContextOf<Self>,
        req: CreateExampleAccount,
    ) -> Result<Reply<CreatedAccount>> {
        let user: User = self
            .http
            .post(cx, "/users")
            .json(&serde_json::json!({"email": req.email}))
            .fetch()
            .await?;
        Ok(Reply::created(CreatedAccount {
            id: Some(user.id),
            status: status(user.active),
            created: true,
        }))
    }
}
