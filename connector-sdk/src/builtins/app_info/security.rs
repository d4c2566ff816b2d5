//! The OpenAPI security schemes and names of the reference's credential types.

use serde_json::{Value, json};

/// The security scheme of a single-credential connector's credential type.
pub(super) fn single_security_scheme(auth_type: &str) -> Option<Value> {
    let api_key = |description: &str| json!({"type": "apiKey", "in": "header", "name": "Authorization", "description": description});
    let bearer_jwt = |description: &str| json!({"type": "http", "scheme": "bearer", "bearerFormat": "JWT", "description": description});
    Some(match auth_type {
        "oauth" => json!({"type": "oauth2", "flows": {"authorizationCode": {
            "authorizationUrl": "", "tokenUrl": "", "scopes": {}
        }}}),
        "oauth_client_credentials" => json!({"type": "oauth2", "flows": {"clientCredentials": {
            "tokenUrl": "", "scopes": {}
        }}}),
        "oauth1" => api_key("OAuth 1.0a signed request token for authentication"),
        "token" => api_key("API Token / API Key for authentication"),
        "basic" => json!({"type": "http"}),
        "jwt" => bearer_jwt("JWT Token for authentication"),
        "service_account" => api_key("Service Account Token for authentication"),
        "key_pair" => bearer_jwt("Key-pair for authentication"),
        _ => return None,
    })
}

/// The security scheme of one credential of a credential set (the reference describes
/// only token, JWT and basic ones when they have no OAuth settings).
pub(super) fn multi_security_scheme(auth_type: &str) -> Option<Value> {
    match auth_type {
        "token" | "jwt" => Some(json!({
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "API Token / API Key for authentication",
        })),
        "basic" => Some(json!({"type": "http"})),
        _ => None,
    }
}

/// The reference's name of a credential type (`x-credential-name`).
pub(super) fn credential_name(auth_type: &str) -> &'static str {
    match auth_type {
        "oauth" => "OAuth 2.0",
        "oauth_client_credentials" => "OAuth 2.0 Client Credentials",
        "basic" => "Basic Auth",
        "token" => "Token",
        "jwt" => "JWT",
        "service_account" => "Service Account",
        "key_pair" => "Key Pair",
        "oauth1" => "OAuth 1.0",
        "empty" => "Empty Credentials",
        _ => "",
    }
}
