//! How `app_info` describes an OAuth configuration, as the reference does:
//! `x-oauth-settings` (flow, endpoints, the flow's capability flags, scopes with the
//! capabilities needing them, PKCE) and the `oauth2` security scheme.
//!
//! `app_info` is built once per process, without a request's settings: an endpoint
//! computed from the settings is described as `""` (the reference's value when its
//! function fails).

use serde_json::{Map, Value, json};

use super::{Endpoint, Flow, OAuthSettings};

/// The capabilities a flow gives, in the reference's order.
fn flow_capabilities(flow: Flow) -> &'static [&'static str] {
    match flow {
        Flow::Code => &[
            "get_authorization_url",
            "handle_authorization_callback",
            "refresh_access_token",
        ],
        Flow::ClientCredentials => &["handle_client_credentials_request", "refresh_access_token"],
    }
}

fn fixed<S>(endpoint: Option<&Endpoint<S>>) -> &'static str {
    match endpoint {
        Some(Endpoint::Fixed(url)) => url,
        _ => "",
    }
}

/// Scope string → "Required for <capabilities>", in declaration order.
pub(crate) fn scope_descriptions<S>(settings: &OAuthSettings<S>) -> Map<String, Value> {
    let mut grouped: Vec<(&str, Vec<&str>)> = Vec::new();
    for (capability, scope) in settings
        .scopes
        .iter()
        .filter(|(_, scope)| !scope.is_empty())
    {
        match grouped.iter_mut().find(|(seen, _)| seen == scope) {
            Some((_, capabilities)) => capabilities.push(capability),
            None => grouped.push((scope, vec![capability])),
        }
    }
    grouped
        .into_iter()
        .map(|(scope, capabilities)| {
            (
                scope.to_owned(),
                json!(format!("Required for {}", capabilities.join(", "))),
            )
        })
        .collect()
}

/// `x-oauth-settings` of one configuration; `implemented` tells which capabilities the
/// author wrote (a flag turned off for one of those is still announced).
pub(crate) fn x_oauth_settings<S>(
    settings: &OAuthSettings<S>,
    implemented: impl Fn(&str) -> bool,
) -> Value {
    let capabilities: Map<String, Value> = flow_capabilities(settings.flow)
        .iter()
        .map(|name| {
            let on = settings.registers(name) || implemented(name);
            ((*name).to_owned(), json!(on))
        })
        .collect();
    json!({
        "oauth_type": match settings.flow {
            Flow::Code => "CODE_FLOW",
            Flow::ClientCredentials => "CLIENT_CREDENTIALS",
        },
        "token_url": fixed(Some(&settings.token_url)),
        "authorization_url": fixed(settings.authorization_url.as_ref()),
        "capabilities": capabilities,
        "scopes": scope_descriptions(settings),
        "pkce_enabled": settings.pkce,
    })
}

/// The `oauth2` security scheme of one configuration.
pub(crate) fn security_scheme<S>(settings: &OAuthSettings<S>) -> Value {
    let scopes = scope_descriptions(settings);
    let token_url = fixed(Some(&settings.token_url));
    match settings.flow {
        Flow::Code => json!({"type": "oauth2", "flows": {"authorizationCode": {
            "authorizationUrl": fixed(settings.authorization_url.as_ref()),
            "tokenUrl": token_url,
            "scopes": scopes,
        }}}),
        Flow::ClientCredentials => json!({"type": "oauth2", "flows": {"clientCredentials": {
            "tokenUrl": token_url,
            "scopes": scopes,
        }}}),
    }
}
