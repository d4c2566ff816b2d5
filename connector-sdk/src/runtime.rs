//! The runtime of one connector type, composed once per process: its metadata, its full
//! capability table (the runtime's own capabilities included) and its typed `info` (built
//! on first use).
//! Dispatch, the CLI, `info` and `app_info` all read it.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock, PoisonError};

use crate::connector::{Capabilities, Connector, Metadata};
use crate::info::Info;
use crate::models::AppInfo;

/// Everything about connector `C` that does not change between calls.
pub(crate) struct Runtime<C: Connector> {
    /// The connector's self-description.
    pub metadata: Metadata,
    /// The author's capabilities, then those the runtime adds.
    pub capabilities: Capabilities<C>,
    /// The `info` payload, built on first use (its schemas are most of a cold start, and
    /// a call other than `info` does not need them).
    info: OnceLock<Info>,
    /// The OAuth configurations.
    #[cfg(feature = "http")]
    pub oauth: crate::oauth::OAuth<C::Settings>,
    /// The settings fields marked secret (`x-secret`), for redaction.
    pub secret_settings: Vec<String>,
    /// The settings type's declared fields, for the per-request settings log line.
    pub settings_log: crate::settings_log::SettingsLog,
    /// The `app_info` payload, built on first use (it is large and rarely asked for).
    app_info: OnceLock<AppInfo>,
}

/// One runtime per connector type, leaked: it lives as long as the process.
type Registry = Mutex<HashMap<TypeId, &'static (dyn Any + Send + Sync)>>;

fn registry() -> &'static Registry {
    static RUNTIMES: OnceLock<Registry> = OnceLock::new();
    RUNTIMES.get_or_init(Registry::default)
}

impl<C: Connector> Runtime<C> {
    /// The runtime of `C`, composed on first use.
    pub fn get() -> &'static Runtime<C> {
        let key = TypeId::of::<C>();
        let found = registry()
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
            .copied();
        let runtime = match found {
            Some(runtime) => runtime,
            None => {
                // Composed outside the lock: composing may itself ask for a runtime.
                let composed: &'static Runtime<C> = Box::leak(Box::new(Runtime::<C>::compose()));
                *registry()
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .entry(key)
                    .or_insert(composed)
            }
        };
        runtime
            .downcast_ref::<Runtime<C>>()
            .expect("the registry maps each connector type to its own runtime")
    }

    fn compose() -> Runtime<C> {
        let metadata = C::metadata();
        let mut capabilities = C::capabilities();
        #[cfg(feature = "http")]
        let oauth = C::oauth();
        #[cfg(feature = "http")]
        crate::oauth::register::register::<C>(&mut capabilities, &oauth);
        crate::builtins::register::<C>(&mut capabilities);
        Runtime {
            #[cfg(feature = "http")]
            oauth,
            secret_settings: crate::schema::secret_fields::<C::Settings>(),
            settings_log: crate::settings_log::SettingsLog::new::<C::Settings>(),
            metadata,
            capabilities,
            info: OnceLock::new(),
            app_info: OnceLock::new(),
        }
    }

    /// The `info` payload.
    pub fn info(&self) -> &Info {
        self.info.get_or_init(|| {
            #[allow(unused_mut)]
            let mut info = Info::build::<C>(&self.metadata, &self.capabilities);
            #[cfg(feature = "http")]
            {
                info.oauth_scopes = self.oauth.info_scopes();
            }
            info
        })
    }

    /// The `app_info` payload.
    pub fn app_info(&self) -> &AppInfo {
        self.app_info
            .get_or_init(|| crate::builtins::app_info::app_info(self))
    }
}
