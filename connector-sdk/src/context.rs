//! [`Context`]: what every capability receives besides its payload.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Map, Value};

use crate::models::RateLimitRequestInfo;

/// The time a call may take when the request sets no `rate_limit.max_execution_time`.
pub const DEFAULT_MAX_EXECUTION_TIME: Duration = Duration::from_secs(1800);

/// How much earlier than the caller's limit the connector's own deadline falls.
const DEADLINE_MARGIN: Duration = Duration::from_secs(10);

/// The longest time budget a request can ask for (`rate_limit.max_execution_time`): a
/// larger value is read as this, so no deadline arithmetic can overflow.
pub const MAX_EXECUTION_TIME: Duration = Duration::from_secs(366 * 24 * 3600);

/// What a capability receives besides its payload: the connector's typed settings, the
/// typed credentials of this request, and the request's other envelope fields.
///
/// `S` is the connector's settings type, `A` its credentials type (`()` for the OAuth
/// flows, which carry none).
///
/// ```
/// use connector_sdk::Context;
///
/// let cx = Context::for_tests("my_app", "https://example.com".to_owned(), ());
/// assert_eq!(cx.settings(), "https://example.com");
/// assert!(!cx.include_raw_data());
/// ```
///
/// Its `Debug` shows every credential as `[REDACTED]` and the settings with the fields
/// their schema marks secret as `[REDACTED]`:
///
/// ```
/// use connector_sdk::{Context, Secret};
/// use connector_sdk::models::TokenCredential;
///
/// let token = TokenCredential { token: Secret::from("hunter2") };
/// let cx = Context::for_tests("my_app", "https://example.com".to_owned(), token);
/// assert!(!format!("{cx:?}").contains("hunter2"));
/// ```
pub struct Context<S, A> {
    app_id: &'static str,
    capability: &'static str,
    settings: Arc<S>,
    credentials: Arc<A>,
    /// The request's settings with secret fields redacted, for `Debug` (null in tests).
    shown_settings: Value,
    include_raw_data: bool,
    rate_limit: Option<RateLimitRequestInfo>,
    deadline: Instant,
    rate_limit_state: Mutex<Map<String, Value>>,
}

impl<S, A> fmt::Debug for Context<S, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Redacted;
        impl fmt::Debug for Redacted {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("[REDACTED]")
            }
        }
        let settings: &dyn fmt::Debug = if self.shown_settings.is_null() {
            &Redacted
        } else {
            &self.shown_settings
        };
        f.debug_struct("Context")
            .field("app_id", &self.app_id)
            .field("capability", &self.capability)
            .field("settings", settings)
            .field("credentials", &Redacted)
            .field("include_raw_data", &self.include_raw_data)
            .field("rate_limit", &self.rate_limit)
            .field("deadline", &self.deadline)
            .finish_non_exhaustive()
    }
}

impl<S, A> Context<S, A> {
    /// The context of one call, built by the runtime once the envelope is checked.
    pub(crate) fn new(
        app_id: &'static str,
        capability: &'static str,
        settings: Arc<S>,
        credentials: Arc<A>,
        include_raw_data: bool,
        rate_limit: Option<RateLimitRequestInfo>,
    ) -> Self {
        let budget = rate_limit
            .as_ref()
            .and_then(|info| info.max_execution_time)
            .and_then(|seconds| u64::try_from(seconds).ok())
            .map(Duration::from_secs)
            .unwrap_or(DEFAULT_MAX_EXECUTION_TIME)
            .min(MAX_EXECUTION_TIME);
        let now = Instant::now();
        Context {
            app_id,
            capability,
            settings,
            credentials,
            shown_settings: Value::Null,
            include_raw_data,
            rate_limit,
            deadline: now
                .checked_add(budget.saturating_sub(DEADLINE_MARGIN))
                .unwrap_or(now),
            rate_limit_state: Mutex::new(Map::new()),
        }
    }

    /// A context for unit tests of a capability method: no raw data, no rate-limit info.
    pub fn for_tests(app_id: &'static str, settings: S, credentials: A) -> Self {
        Context::for_tests_with(app_id, "test", settings, credentials, None)
    }

    /// A context for unit tests of capability `capability` with the request's
    /// `rate_limit` information.
    pub fn for_tests_with(
        app_id: &'static str,
        capability: &'static str,
        settings: S,
        credentials: A,
        rate_limit: Option<RateLimitRequestInfo>,
    ) -> Self {
        Context::new(
            app_id,
            capability,
            Arc::new(settings),
            Arc::new(credentials),
            false,
            rate_limit,
        )
    }

    /// Sets the settings `Debug` shows (secret fields already redacted).
    pub(crate) fn with_shown_settings(mut self, shown: Value) -> Self {
        self.shown_settings = shown;
        self
    }

    /// The settings, shared with calls the runtime makes on this call's behalf.
    pub(crate) fn shared_settings(&self) -> Arc<S> {
        Arc::clone(&self.settings)
    }

    /// The credentials, shared with calls the runtime makes on this call's behalf.
    pub(crate) fn shared_credentials(&self) -> Arc<A> {
        Arc::clone(&self.credentials)
    }

    /// The connector's app_id.
    pub fn app_id(&self) -> &'static str {
        self.app_id
    }

    /// The name of the capability being called.
    pub fn capability(&self) -> &'static str {
        self.capability
    }

    /// The connector's settings from this request.
    pub fn settings(&self) -> &S {
        &self.settings
    }

    /// The credentials from this request.
    pub fn credentials(&self) -> &A {
        &self.credentials
    }

    /// Whether the caller asked for `raw_data` in the response.
    pub fn include_raw_data(&self) -> bool {
        self.include_raw_data
    }

    /// The request's `rate_limit` information, if any.
    pub fn rate_limit(&self) -> Option<&RateLimitRequestInfo> {
        self.rate_limit.as_ref()
    }

    /// When the call must be finished: the request's `max_execution_time` (30 minutes if
    /// unset, at most [`MAX_EXECUTION_TIME`]) from the start of the call, less a 10-second
    /// margin.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// Records the rate-limit state of one client configuration (`RateLimitStateSnapshot`
    /// as JSON); it is returned in the response's `rate_limit.current_state[config_id]`.
    pub fn record_rate_limit_state(&self, config_id: &str, snapshot: Value) {
        let mut state = self
            .rate_limit_state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        state.insert(config_id.to_owned(), snapshot);
    }

    /// The last known state of rate-limit configuration `config_id` sent by the caller
    /// (`rate_limit.last_known_state[config_id]`), as JSON.
    pub fn last_known_rate_limit_state(&self, config_id: &str) -> Option<Value> {
        let info = serde_json::to_value(self.rate_limit.as_ref()?).ok()?;
        info.get("last_known_state")?.get(config_id).cloned()
    }

    /// The response's `rate_limit` object, if any client recorded state.
    pub(crate) fn rate_limit_response(&self) -> Option<Value> {
        let state = self
            .rate_limit_state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        (!state.is_empty())
            .then(|| serde_json::json!({ "current_state": Value::Object(state.clone()) }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_absurd_max_execution_time_is_clamped_not_a_panic() {
        for seconds in [i64::MAX, i64::MIN, -1, 0] {
            let info = RateLimitRequestInfo {
                max_execution_time: Some(seconds),
                ..Default::default()
            };
            let cx = Context::for_tests_with("app", "test", (), (), Some(info));
            assert!(cx.deadline() <= Instant::now() + MAX_EXECUTION_TIME);
        }
    }
}
