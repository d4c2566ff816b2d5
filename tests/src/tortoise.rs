//! A connector for serving tests: `nap` answers after the time it is asked to sleep (so a
//! test can hold calls in flight), `explode` panics with a secret in the message, and
//! `validate_credentials` answers at once.

use std::time::Duration;

use connector_sdk::capability::CapabilityLevel;
use connector_sdk::connector::{Capabilities, Metadata, NoSettings};
use connector_sdk::prelude::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The app_id.
pub const APP_ID: &str = "tortoise_app";

/// A secret-looking text that `explode`'s panic message holds; it must show up nowhere.
pub const PANIC_SECRET: &str = "sk_live_TORTOISE_PANIC_91b3";

/// The payload of `nap`.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
pub struct Nap {
    /// How long to sleep, in milliseconds.
    pub millis: u64,
    /// A value echoed back, so concurrent callers can tell their answers apart.
    pub tag: u64,
}

/// The answer of `nap`.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct Napped {
    /// The request's tag.
    pub tag: u64,
}

/// The payload of `explode`.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
pub struct Explode {}

/// The slow and panicking connector.
#[derive(Clone, Copy, Debug, Default)]
pub struct TortoiseApp;

impl TortoiseApp {
    /// Always valid.
    pub async fn validate_credentials(
        &self,
        _cx: &ContextOf<Self>,
        _req: ValidateCredentials,
    ) -> Result<ValidatedCredentials> {
        Ok(ValidatedCredentials {
            valid: true,
            unique_tenant_id: APP_ID.to_owned(),
        })
    }

    /// Sleeps, then echoes the tag.
    pub async fn nap(&self, _cx: &ContextOf<Self>, req: Nap) -> Result<Napped> {
        tokio::time::sleep(Duration::from_millis(req.millis)).await;
        Ok(Napped { tag: req.tag })
    }

    /// Panics with a secret in the message.
    pub async fn explode(&self, _cx: &ContextOf<Self>, _req: Explode) -> Result<Napped> {
        panic!("upstream password {PANIC_SECRET}");
    }
}

impl Connector for TortoiseApp {
    type Settings = NoSettings;
    type Credentials = TokenCredential;

    fn metadata() -> Metadata {
        Metadata::new(APP_ID, "0.0.1").name("Tortoise App")
    }

    fn capabilities() -> Capabilities<Self> {
        Capabilities::<Self>::new()
            .standard::<caps::ValidateCredentials, _, _, _>(|c, cx, req| {
                Box::pin(c.validate_credentials(cx, req))
            })
            .custom::<Nap, Napped, _, _>("nap", CapabilityLevel::Read, |c, cx, req| {
                Box::pin(c.nap(cx, req))
            })
            .custom::<Explode, Napped, _, _>("explode", CapabilityLevel::Read, |c, cx, req| {
                Box::pin(c.explode(cx, req))
            })
    }
}
