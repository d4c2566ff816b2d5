//! OAuth 2 flows generated from a declaration (feature `http`): the settings a connector
//! declares ([`OAuthSettings`], one per OAuth credential in [`OAuth`]) and the runtime's
//! `get_authorization_url`, `handle_authorization_callback`,
//! `handle_client_credentials_request` and `refresh_access_token`, registered for the
//! declared flow unless the author wrote the method by hand.
//!
//! What each flow does, as the reference (connector-py 4.280.0) does it:
//!
//! * `get_authorization_url`: `<authorization_url>?client_id=…&response_type=code&scope=…&
//!   redirect_uri=…&state=…` (form-encoded, spaces as `+`), then with PKCE
//!   `&code_challenge=<S256>&code_challenge_method=S256`, the verifier returned in
//!   `code_verifier`. The scope is the request's scopes joined by spaces or, when it has
//!   none, the union of the declared scope strings ([`OAuthSettings::default_scope`]).
//! * the token calls: `authorization_code` (the code taken from `redirect_uri_with_code`,
//!   whose `redirect_uri` is that URL without its query, and the PKCE verifier),
//!   `refresh_token` and `client_credentials`, with the client's id and secret in the
//!   body or as HTTP Basic ([`ClientAuth`]), sent as a form, JSON or a query
//!   ([`TokenRequest`]). `token_type` is lower-cased (`bearer` when absent).
//! * failures ([`failure`]): none retried, `status_code` null.

pub(crate) mod authorize;
pub(crate) mod describe;
pub mod failure;
pub(crate) mod register;
pub(crate) mod token;

/// Where an endpoint is: fixed, or computed from the request's settings (a tenant's
/// subdomain, a region).
pub enum Endpoint<S> {
    /// A fixed URL.
    Fixed(&'static str),
    /// A URL computed from the settings.
    Computed(fn(&S) -> String),
}

impl<S> Endpoint<S> {
    /// The URL for a request with these settings.
    pub fn resolve(&self, settings: &S) -> String {
        match self {
            Endpoint::Fixed(url) => (*url).to_owned(),
            Endpoint::Computed(compute) => compute(settings),
        }
    }
}

impl<S> Clone for Endpoint<S> {
    fn clone(&self) -> Self {
        match self {
            Endpoint::Fixed(url) => Endpoint::Fixed(url),
            Endpoint::Computed(compute) => Endpoint::Computed(*compute),
        }
    }
}

impl<S> From<&'static str> for Endpoint<S> {
    fn from(url: &'static str) -> Self {
        Endpoint::Fixed(url)
    }
}

impl<S> From<fn(&S) -> String> for Endpoint<S> {
    fn from(compute: fn(&S) -> String) -> Self {
        Endpoint::Computed(compute)
    }
}

/// Which grant the connector uses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Flow {
    /// Authorization code (`get_authorization_url`, `handle_authorization_callback`,
    /// `refresh_access_token`).
    #[default]
    Code,
    /// Client credentials (`handle_client_credentials_request`, `refresh_access_token`).
    ClientCredentials,
}

/// How the client authenticates to the token endpoint.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ClientAuth {
    /// `client_id` and `client_secret` in the request (`client_secret_post`).
    #[default]
    Body,
    /// HTTP Basic with the id and secret (`client_secret_basic`).
    Basic,
}

/// The token request's method and encoding.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TokenRequest {
    /// POST with a form body.
    #[default]
    PostForm,
    /// POST with a JSON body.
    PostJson,
    /// GET with the parameters in the query.
    GetQuery,
}

/// Which of the flow's capabilities the runtime registers (all by default).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OAuthCapabilities {
    /// `get_authorization_url` (code flow).
    pub get_authorization_url: bool,
    /// `handle_authorization_callback` (code flow).
    pub handle_authorization_callback: bool,
    /// `handle_client_credentials_request` (client credentials).
    pub handle_client_credentials_request: bool,
    /// `refresh_access_token` (both flows).
    pub refresh_access_token: bool,
}

impl Default for OAuthCapabilities {
    fn default() -> Self {
        OAuthCapabilities {
            get_authorization_url: true,
            handle_authorization_callback: true,
            handle_client_credentials_request: true,
            refresh_access_token: true,
        }
    }
}

/// One OAuth configuration: endpoints, scopes, grant, client authentication and PKCE.
pub struct OAuthSettings<S> {
    /// The authorization endpoint (code flow only).
    pub authorization_url: Option<Endpoint<S>>,
    /// The token endpoint.
    pub token_url: Endpoint<S>,
    /// Capability name → space-separated scopes, in declaration order (`oauth_scopes`).
    pub scopes: Vec<(&'static str, &'static str)>,
    /// The grant.
    pub flow: Flow,
    /// How the client authenticates.
    pub client_auth: ClientAuth,
    /// The token request's method and encoding.
    pub token_request: TokenRequest,
    /// PKCE (S256) on the code flow.
    pub pkce: bool,
    /// Which capabilities to register.
    pub capabilities: OAuthCapabilities,
}

impl<S> Clone for OAuthSettings<S> {
    fn clone(&self) -> Self {
        OAuthSettings {
            authorization_url: self.authorization_url.clone(),
            token_url: self.token_url.clone(),
            scopes: self.scopes.clone(),
            flow: self.flow,
            client_auth: self.client_auth,
            token_request: self.token_request,
            pkce: self.pkce,
            capabilities: self.capabilities,
        }
    }
}

impl<S> OAuthSettings<S> {
    /// The scope asked for when a request names none: every declared scope string split
    /// on whitespace, each scope once, in declaration order (the reference uses Python's
    /// set order, which is not stable).
    pub fn default_scope(&self) -> String {
        let mut seen: Vec<&str> = Vec::new();
        for scope in self
            .scopes
            .iter()
            .flat_map(|(_, scopes)| scopes.split_whitespace())
        {
            if !seen.contains(&scope) {
                seen.push(scope);
            }
        }
        seen.join(" ")
    }

    /// Whether the runtime registers capability `name` for this configuration.
    pub(crate) fn registers(&self, name: &str) -> bool {
        let caps = &self.capabilities;
        match (self.flow, name) {
            (Flow::Code, "get_authorization_url") => caps.get_authorization_url,
            (Flow::Code, "handle_authorization_callback") => caps.handle_authorization_callback,
            (Flow::ClientCredentials, "handle_client_credentials_request") => {
                caps.handle_client_credentials_request
            }
            (_, "refresh_access_token") => caps.refresh_access_token,
            _ => false,
        }
    }
}

/// A connector's OAuth configurations: none, one (a single-credential connector), or one
/// per OAuth credential id of a multi-credential connector.
pub struct OAuth<S> {
    configs: Vec<(Option<&'static str>, OAuthSettings<S>)>,
}

impl<S> Default for OAuth<S> {
    fn default() -> Self {
        OAuth::none()
    }
}

impl<S> OAuth<S> {
    /// No OAuth.
    pub fn none() -> Self {
        OAuth {
            configs: Vec::new(),
        }
    }

    /// The one configuration of a single-credential connector (it replaces any other).
    pub fn single(mut self, settings: OAuthSettings<S>) -> Self {
        self.configs = vec![(None, settings)];
        self
    }

    /// Adds the configuration of credential `credential_id` (multi-credential).
    pub fn credential(mut self, credential_id: &'static str, settings: OAuthSettings<S>) -> Self {
        self.configs.push((Some(credential_id), settings));
        self
    }

    /// Whether any configuration is declared.
    pub fn is_empty(&self) -> bool {
        self.configs.is_empty()
    }

    /// The configurations with their credential ids (`None` for a single-credential one).
    pub fn configs(&self) -> &[(Option<&'static str>, OAuthSettings<S>)] {
        &self.configs
    }

    /// The configuration a request's `credential_id` picks: that credential's, or the
    /// single one; `invalid_value` when none matches.
    pub fn pick(&self, credential_id: Option<&str>) -> crate::Result<&OAuthSettings<S>> {
        let found = match credential_id {
            Some(id) => self
                .configs
                .iter()
                .find(|(config_id, _)| *config_id == Some(id))
                .or_else(|| {
                    self.configs
                        .iter()
                        .find(|(config_id, _)| config_id.is_none())
                }),
            None => self.configs.first(),
        };
        found.map(|(_, settings)| settings).ok_or_else(|| {
            crate::ConnectorError::invalid_value(
                "No OAuth settings are declared for this credential.",
            )
        })
    }

    /// `oauth_scopes` of `info`: the single configuration's scope map (null when there
    /// is none, or when the connector has several credentials: theirs are in
    /// `credentials_schema`).
    pub(crate) fn info_scopes(&self) -> Option<serde_json::Value> {
        match self.configs.as_slice() {
            [(None, settings)] => Some(scope_map(settings)),
            _ => None,
        }
    }
}

/// A configuration's scopes as a JSON object, keys sorted as the reference prints them.
pub(crate) fn scope_map<S>(settings: &OAuthSettings<S>) -> serde_json::Value {
    let sorted: std::collections::BTreeMap<&str, &str> = settings.scopes.iter().copied().collect();
    serde_json::to_value(sorted).unwrap_or_default()
}
