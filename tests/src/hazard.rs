//! A connector that misbehaves on purpose, to test what the runtime does about it:
//! `validate_credentials` panics with a message holding a secret (a fixed string and the
//! request's token), and the custom `touch_marker` creates a file, so a test can tell
//! whether a capability ran at all.

use connector_sdk::capability::CapabilityLevel;
use connector_sdk::connector::{Capabilities, Metadata, NoSettings};
use connector_sdk::prelude::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The app_id.
pub const APP_ID: &str = "hazard_app";

/// A secret-looking text that the panic message holds; it must show up nowhere.
pub const PANIC_SECRET: &str = "sk_live_PANIC_SECRET_4f9a2c";

/// The payload of `touch_marker`.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
pub struct TouchMarker {
    /// The file to create.
    pub path: String,
}

/// The answer of `touch_marker`.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct Touched {
    /// Always true.
    pub touched: bool,
}

/// The misbehaving connector.
#[derive(Clone, Copy, Debug, Default)]
pub struct HazardApp;

impl HazardApp {
    /// Panics with a secret in the message.
    pub async fn validate_credentials(
        &self,
        cx: &ContextOf<Self>,
        _req: ValidateCredentials,
    ) -> Result<ValidatedCredentials> {
        panic!(
            "connection string {PANIC_SECRET} with token {}",
            cx.credentials().token.expose()
        );
    }

    /// Creates the file named in the request.
    pub async fn touch_marker(&self, _cx: &ContextOf<Self>, req: TouchMarker) -> Result<Touched> {
        std::fs::write(&req.path, b"ran").map_err(|err| {
            ConnectorError::internal_error(format!("cannot create {}: {err}", req.path))
        })?;
        Ok(Touched { touched: true })
    }
}

impl Connector for HazardApp {
    type Settings = NoSettings;
    type Credentials = TokenCredential;

    fn metadata() -> Metadata {
        Metadata::new(APP_ID, "0.0.1").name("Hazard App")
    }

    fn capabilities() -> Capabilities<Self> {
        Capabilities::<Self>::new()
            .standard::<caps::ValidateCredentials, _, _, _>(|c, cx, req| {
                Box::pin(c.validate_credentials(cx, req))
            })
            .custom::<TouchMarker, Touched, _, _>(
                "touch_marker",
                CapabilityLevel::Write,
                |c, cx, req| Box::pin(c.touch_marker(cx, req)),
            )
    }
}
