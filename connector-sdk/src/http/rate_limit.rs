//! Client-side rate limiting: requests per window and concurrency per connector, the
//! protocol's rate-limit modes, and the state snapshot that travels between calls
//! (`rate_limit.last_known_state` in, `rate_limit.current_state` out).

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::HeaderMap;
use serde_json::{Value, json};
use tokio::sync::Semaphore;

/// How a call treats rate limits: the protocol's `RateLimitMode`, with what each mode
/// means for the HTTP client.
///
/// | mode | client-side rate limit | retries |
/// |---|---|---|
/// | `enforce` | waits for it | yes |
/// | `retry_only` | ignored | yes |
/// | `enforce_no_retry` | waits for it | no |
/// | `bypass` | ignored | no |
///
/// Which mode applies, first found: the one set on the client in a capability
/// ([`HttpClient::with_mode`](super::HttpClient::with_mode)), the connector's
/// ([`HttpConfig::mode`](super::HttpConfig::mode)), the caller's
/// `rate_limit.caller_override_mode`, and the default: `retry_only` for capabilities that
/// change the app (names starting with create_, update_, delete_, activate_, deactivate_,
/// assign_, unassign_, transfer_, release_, downgrade_) and `enforce` for the others.
///
/// ```
/// use connector_sdk::http::RateLimitMode;
///
/// let mode: RateLimitMode = serde_json::from_str("\"enforce_no_retry\"").unwrap();
/// assert!(mode.limits() && !mode.retries());
/// assert_eq!(RateLimitMode::Bypass.as_str(), "bypass");
/// ```
pub use crate::models::RateLimitMode;

impl RateLimitMode {
    /// Whether requests wait for the client-side rate limit.
    ///
    /// ```
    /// use connector_sdk::http::RateLimitMode;
    /// assert!(RateLimitMode::Enforce.limits() && !RateLimitMode::RetryOnly.limits());
    /// ```
    pub fn limits(self) -> bool {
        matches!(self, RateLimitMode::Enforce | RateLimitMode::EnforceNoRetry)
    }

    /// Whether failed requests are retried.
    ///
    /// ```
    /// use connector_sdk::http::RateLimitMode;
    /// assert!(RateLimitMode::RetryOnly.retries() && !RateLimitMode::Bypass.retries());
    /// ```
    pub fn retries(self) -> bool {
        matches!(self, RateLimitMode::Enforce | RateLimitMode::RetryOnly)
    }

    /// The default mode of capability `name`: `retry_only` for writes, `enforce` otherwise.
    ///
    /// ```
    /// use connector_sdk::http::RateLimitMode;
    /// assert_eq!(RateLimitMode::default_for("create_account"), RateLimitMode::RetryOnly);
    /// assert_eq!(RateLimitMode::default_for("list_accounts"), RateLimitMode::Enforce);
    /// ```
    pub fn default_for(capability: &str) -> RateLimitMode {
        const WRITES: &[&str] = &[
            "create_",
            "update_",
            "delete_",
            "activate_",
            "deactivate_",
            "assign_",
            "unassign_",
            "transfer_",
            "release_",
            "downgrade_",
        ];
        if WRITES.iter().any(|prefix| capability.starts_with(prefix)) {
            RateLimitMode::RetryOnly
        } else {
            RateLimitMode::Enforce
        }
    }
}

/// A connector's client-side rate limit: at most `requests_per_window` requests in each
/// window, and at most `max_concurrent` at once. `config_id` names it in the state
/// snapshot (`rate_limit.current_state[config_id]`).
///
/// ```
/// use std::time::Duration;
/// use connector_sdk::http::RateLimit;
///
/// let limit = RateLimit::new("my_app", 100, Duration::from_secs(60)).max_concurrent(4);
/// assert_eq!(limit.config_id(), "my_app");
/// let reference_default = RateLimit::default_for("my_app");
/// assert_eq!(reference_default.requests_per_window(), 30);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RateLimit {
    config_id: String,
    requests_per_window: u32,
    window: Duration,
    max_concurrent: usize,
}

impl RateLimit {
    /// At most `requests_per_window` requests per `window`, one at a time.
    pub fn new(config_id: impl Into<String>, requests_per_window: u32, window: Duration) -> Self {
        RateLimit {
            config_id: config_id.into(),
            requests_per_window: requests_per_window.max(1),
            window: window.max(Duration::from_millis(1)),
            max_concurrent: 1,
        }
    }

    /// The reference's default: 30 requests per 60 seconds, one at a time.
    pub fn default_for(config_id: impl Into<String>) -> Self {
        RateLimit::new(config_id, 30, Duration::from_secs(60))
    }

    /// Sets how many requests may be in flight at once (at least 1).
    pub fn max_concurrent(mut self, max_concurrent: usize) -> Self {
        self.max_concurrent = max_concurrent.clamp(1, Semaphore::MAX_PERMITS);
        self
    }

    /// The name of this configuration in state snapshots.
    pub fn config_id(&self) -> &str {
        &self.config_id
    }

    /// Requests allowed per window.
    pub fn requests_per_window(&self) -> u32 {
        self.requests_per_window
    }

    /// The window.
    pub fn window(&self) -> Duration {
        self.window
    }

    /// Requests allowed in flight at once.
    pub fn concurrency(&self) -> usize {
        self.max_concurrent
    }
}

/// What the app's rate-limit headers said last.
#[derive(Clone, Copy, Debug, PartialEq)]
struct ApiState {
    remaining: Option<u64>,
    limit: Option<u64>,
    reset: Option<SystemTime>,
}

/// The mutable state of a limiter: a fixed window that requests reserve slots in.
#[derive(Debug, Default)]
struct Window {
    /// When the current window started (`None` before the first request).
    start: Option<Instant>,
    /// Slots reserved in the current window.
    used: u32,
    /// The last wait imposed on a request.
    current_delay: Duration,
    /// The app's own view, from response headers.
    api: Option<ApiState>,
    /// Whether a snapshot was seeded or requests made (seeding only applies to a fresh limiter).
    touched: bool,
}

/// A shared rate limiter for one [`RateLimit`]: a window counter and a semaphore.
#[derive(Debug)]
pub(crate) struct Limiter {
    config: RateLimit,
    window: Mutex<Window>,
    pub(crate) semaphore: Arc<Semaphore>,
}

impl Limiter {
    pub(crate) fn new(config: RateLimit) -> Self {
        let permits = config.max_concurrent;
        Limiter {
            config,
            window: Mutex::new(Window::default()),
            semaphore: Arc::new(Semaphore::new(permits)),
        }
    }

    pub(crate) fn config(&self) -> &RateLimit {
        &self.config
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Window> {
        self.window.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Reserves a slot for one request and returns how long it must wait before going.
    /// Slots are reserved, not polled, so a wait is computed once and never repeated.
    pub(crate) fn reserve(&self, now: Instant, wall: SystemTime) -> Duration {
        let mut window = self.lock();
        window.touched = true;
        let length = self.config.window;
        let start = match window.start {
            Some(start) if now < start + length => start,
            _ => {
                window.used = 0;
                now
            }
        };
        let (start, used) = if window.used >= self.config.requests_per_window {
            (start + length, 0)
        } else {
            (start, window.used)
        };
        window.start = Some(start);
        window.used = used + 1;
        let mut wait = start.saturating_duration_since(now);
        // The app said its own budget is spent: wait for its reset too.
        if let Some(ApiState {
            remaining: Some(0),
            reset: Some(reset),
            ..
        }) = window.api
        {
            wait = wait.max(reset.duration_since(wall).unwrap_or(Duration::ZERO));
            window.api = None;
        }
        window.current_delay = wait;
        wait
    }

    /// Reads the app's rate-limit headers (`X-RateLimit-*` or `RateLimit-*`), if any.
    pub(crate) fn observe(&self, headers: &HeaderMap, wall: SystemTime) {
        let number = |names: &[&str]| {
            names.iter().find_map(|name| {
                let text = headers.get(*name)?.to_str().ok()?.trim();
                // `RateLimit-Limit` may carry a policy ("100, 100;w=60"): take the first number.
                let first = text.split([',', ';']).next()?.trim();
                first
                    .parse::<f64>()
                    .ok()
                    .filter(|value| value.is_finite() && *value >= 0.0)
            })
        };
        let remaining = number(&["x-ratelimit-remaining", "ratelimit-remaining"]);
        let limit = number(&["x-ratelimit-limit", "ratelimit-limit"]);
        // A reset past what the clock can hold is read as the longest believed wait.
        let reset = number(&["x-ratelimit-reset", "ratelimit-reset"]).map(|value| {
            let far = || {
                wall.checked_add(super::retry::MAX_BELIEVED_WAIT)
                    .unwrap_or(wall)
            };
            if value > 1_000_000_000.0 {
                super::retry::unix_time(value).unwrap_or_else(far)
            } else {
                wall.checked_add(super::retry::saturating_seconds(value))
                    .unwrap_or_else(far)
            }
        });
        if remaining.is_none() && limit.is_none() {
            return;
        }
        self.lock().api = Some(ApiState {
            remaining: remaining.map(|value| value as u64),
            limit: limit.map(|value| value as u64),
            reset,
        });
    }

    /// Seeds a fresh limiter from the caller's last known snapshot: a window that resets
    /// later than now with `remaining` slots left.
    pub(crate) fn seed(&self, snapshot: &Value, now: Instant, wall: SystemTime) {
        let mut window = self.lock();
        if window.touched {
            return;
        }
        window.touched = true;
        let field = |name: &str| snapshot.get(name).and_then(Value::as_u64);
        let (Some(remaining), Some(reset)) = (field("remaining"), field("reset")) else {
            return;
        };
        let Some(reset) = SystemTime::UNIX_EPOCH.checked_add(Duration::from_secs(reset)) else {
            return;
        };
        let Ok(until_reset) = reset.duration_since(wall) else {
            return;
        };
        let length = self.config.window;
        // Snapshots round `reset` up to a whole second: allow for it.
        if until_reset > length + Duration::from_secs(1) {
            // The app's own window is longer than ours: honour it through the API state.
            if remaining == 0 {
                window.api = Some(ApiState {
                    remaining: Some(0),
                    limit: field("limit"),
                    reset: Some(reset),
                });
            }
            return;
        }
        let ends = now.checked_add(until_reset.min(length)).unwrap_or(now);
        window.start = Some(ends.checked_sub(length).unwrap_or(now));
        let limit = u64::from(self.config.requests_per_window);
        window.used = u32::try_from(limit.saturating_sub(remaining.min(limit))).unwrap_or(u32::MAX);
        if let Some(delay) = field("current_delay") {
            window.current_delay = Duration::from_secs(delay);
        }
    }

    /// The state snapshot (`RateLimitStateSnapshot`): the app's view when its headers gave
    /// one (`source: api_headers`), the limiter's own counter otherwise (`sdk_counter`).
    pub(crate) fn snapshot(&self, now: Instant, wall: SystemTime) -> Value {
        let window = self.lock();
        let length = self.config.window;
        let limit = u64::from(self.config.requests_per_window);
        let (used, ends) = match window.start {
            Some(start) if now < start + length => (u64::from(window.used), start + length),
            _ => (0, now + length),
        };
        let ends_wall = wall
            .checked_add(ends.saturating_duration_since(now))
            .unwrap_or(wall);
        let unix = |at: SystemTime| {
            at.duration_since(SystemTime::UNIX_EPOCH)
                .map(|since| {
                    since
                        .as_secs()
                        .saturating_add(u64::from(since.subsec_nanos() > 0))
                })
                .unwrap_or(0)
        };
        let delay = window
            .current_delay
            .as_secs()
            .saturating_add(u64::from(window.current_delay.subsec_millis() >= 500));
        match window.api {
            Some(api) => json!({
                "remaining": api.remaining.unwrap_or(limit.saturating_sub(used)),
                "limit": api.limit.unwrap_or(limit),
                "reset": unix(api.reset.unwrap_or(ends_wall)),
                "window_seconds": length.as_secs(),
                "current_delay": delay,
                "source": "api_headers",
            }),
            None => json!({
                "remaining": limit.saturating_sub(used),
                "limit": limit,
                "reset": unix(ends_wall),
                "window_seconds": length.as_secs(),
                "current_delay": delay,
                "source": "sdk_counter",
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn limiter(requests: u32, window_secs: u64) -> Limiter {
        Limiter::new(RateLimit::new(
            "test",
            requests,
            Duration::from_secs(window_secs),
        ))
    }

    #[test]
    fn requests_past_the_window_budget_reserve_later_windows() {
        let limiter = limiter(2, 10);
        let now = Instant::now();
        let wall = SystemTime::now();
        let waits: Vec<u64> = (0..5)
            .map(|_| limiter.reserve(now, wall).as_secs())
            .collect();
        assert_eq!(waits, vec![0, 0, 10, 10, 20]);
    }

    #[test]
    fn a_new_window_starts_after_the_old_one_ends() {
        let limiter = limiter(1, 10);
        let now = Instant::now();
        let wall = SystemTime::now();
        assert_eq!(limiter.reserve(now, wall), Duration::ZERO);
        assert_eq!(
            limiter.reserve(now + Duration::from_secs(11), wall),
            Duration::ZERO
        );
        assert_eq!(
            limiter.reserve(now + Duration::from_secs(12), wall),
            Duration::from_secs(9)
        );
    }

    #[test]
    fn absurd_snapshots_and_headers_neither_panic_nor_wait_past_reason() {
        let now = Instant::now();
        let wall = SystemTime::now();
        let seeded = limiter(3, 60);
        let max = u64::MAX;
        seeded.seed(
            &json!({"remaining": max, "reset": max, "current_delay": max, "limit": max}),
            now,
            wall,
        );
        seeded.snapshot(now, wall);
        let observed = limiter(3, 60);
        let mut headers = HeaderMap::new();
        headers.insert("x-ratelimit-remaining", HeaderValue::from_static("0"));
        headers.insert("x-ratelimit-limit", HeaderValue::from_static("1e300"));
        headers.insert("x-ratelimit-reset", HeaderValue::from_static("1e300"));
        observed.observe(&headers, wall);
        let wait = observed.reserve(now, wall);
        assert!(wait <= super::super::retry::MAX_BELIEVED_WAIT, "{wait:?}");
        observed.snapshot(now, wall);
    }

    #[test]
    fn snapshots_round_trip_through_a_seed() {
        let now = Instant::now();
        let wall = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let first = limiter(3, 60);
        first.reserve(now, wall);
        first.reserve(now, wall);
        let snapshot = first.snapshot(now, wall);
        assert_eq!(snapshot["remaining"], 1);
        assert_eq!(snapshot["limit"], 3);
        assert_eq!(snapshot["reset"], 1_700_000_060);
        assert_eq!(snapshot["window_seconds"], 60);
        assert_eq!(snapshot["source"], "sdk_counter");

        let second = limiter(3, 60);
        let later = now + Duration::from_secs(5);
        second.seed(&snapshot, later, wall + Duration::from_secs(5));
        assert_eq!(second.reserve(later, wall), Duration::ZERO);
        assert_eq!(second.reserve(later, wall), Duration::from_secs(55));
    }

    #[test]
    fn api_headers_are_reported_and_an_empty_budget_waits_for_the_reset() {
        let limiter = limiter(100, 60);
        let now = Instant::now();
        let wall = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let mut headers = HeaderMap::new();
        headers.insert("x-ratelimit-remaining", HeaderValue::from_static("0"));
        headers.insert("x-ratelimit-limit", HeaderValue::from_static("50"));
        headers.insert("x-ratelimit-reset", HeaderValue::from_static("1700000007"));
        limiter.observe(&headers, wall);
        let snapshot = limiter.snapshot(now, wall);
        assert_eq!(snapshot["source"], "api_headers");
        assert_eq!(snapshot["remaining"], 0);
        assert_eq!(snapshot["limit"], 50);
        assert_eq!(snapshot["reset"], 1_700_000_007);
        assert_eq!(limiter.reserve(now, wall), Duration::from_secs(7));
        assert_eq!(limiter.reserve(now, wall), Duration::ZERO);
    }

    #[test]
    fn modes_describe_themselves() {
        assert!(RateLimitMode::Enforce.limits() && RateLimitMode::Enforce.retries());
        assert!(!RateLimitMode::RetryOnly.limits() && RateLimitMode::RetryOnly.retries());
        assert!(!RateLimitMode::Bypass.limits() && !RateLimitMode::Bypass.retries());
    }
}
