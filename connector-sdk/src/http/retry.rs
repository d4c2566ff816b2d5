//! Retries: which failures are retried, how long to wait between attempts (exponential
//! backoff with jitter, never less than the app's `Retry-After`), and the [`Sleeper`]
//! that does the waiting (replaceable in tests).

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use futures_util::future::BoxFuture;
use reqwest::header::HeaderMap;

/// When and how often a failed request is tried again.
///
/// The default: at most 4 attempts, waits of about 1 s, 2 s, 4 s (each between half and
/// all of the doubled backoff, at most 30 s, and never less than a `Retry-After`), at most
/// 60 s of waiting in all, and timeouts not retried (a request that already waited its
/// whole timeout would wait it again).
///
/// ```
/// use std::time::Duration;
/// use connector_sdk::http::RetryPolicy;
///
/// let policy = RetryPolicy::default()
///     .max_attempts(6)
///     .initial_backoff(Duration::from_millis(200))
///     .retry_timeouts(true);
/// assert_eq!(policy.attempts(), 6);
/// assert!(RetryPolicy::none().attempts() == 1);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_total_wait: Duration,
    retry_timeouts: bool,
    jitter: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(30),
            max_total_wait: Duration::from_secs(60),
            retry_timeouts: false,
            jitter: true,
        }
    }
}

impl RetryPolicy {
    /// No retries: every request is tried once.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// Sets the most attempts in all, the first included (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Sets the backoff before the first retry; it doubles for each further retry.
    pub fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// Sets the longest backoff (a `Retry-After` may ask for longer, and is honoured).
    pub fn max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// Sets the most waiting in all; a retry that would wait past it is not made.
    pub fn max_total_wait(mut self, wait: Duration) -> Self {
        self.max_total_wait = wait;
        self
    }

    /// Whether a request that timed out is retried (off by default).
    pub fn retry_timeouts(mut self, retry: bool) -> Self {
        self.retry_timeouts = retry;
        self
    }

    /// Whether backoffs are randomised (on by default; off gives exact doublings).
    pub fn jitter(mut self, jitter: bool) -> Self {
        self.jitter = jitter;
        self
    }

    /// The most attempts in all.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The most waiting in all.
    pub fn total_wait(&self) -> Duration {
        self.max_total_wait
    }

    /// Whether timeouts are retried.
    pub fn retries_timeouts(&self) -> bool {
        self.retry_timeouts
    }

    /// The backoff before retry number `retry` (0 for the first retry): the initial
    /// backoff doubled `retry` times, at most the maximum, and with jitter between half of
    /// it and all of it.
    ///
    /// ```
    /// use std::time::Duration;
    /// use connector_sdk::http::RetryPolicy;
    ///
    /// let exact = RetryPolicy::default().jitter(false);
    /// assert_eq!(exact.backoff(0), Duration::from_secs(1));
    /// assert_eq!(exact.backoff(2), Duration::from_secs(4));
    /// assert_eq!(exact.backoff(40), Duration::from_secs(30));
    /// let jittered = RetryPolicy::default().backoff(1);
    /// assert!(jittered >= Duration::from_secs(1) && jittered <= Duration::from_secs(2));
    /// ```
    pub fn backoff(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.min(31));
        let full = self
            .initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff);
        if !self.jitter {
            return full;
        }
        let half = full / 2;
        half + half.mul_f64(random_fraction())
    }
}

/// A number in `[0, 1)` from the standard library's randomly keyed hasher.
fn random_fraction() -> f64 {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|elapsed| elapsed.subsec_nanos().into())
            .unwrap_or(0),
    );
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// How long the app asked to wait, from `Retry-After` (delay seconds or an HTTP date) or,
/// lacking it, from `RateLimit-Reset` / `X-RateLimit-Reset` (delay seconds, or a Unix
/// time when the value is that large).
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use reqwest::header::{HeaderMap, HeaderValue};
/// use connector_sdk::http::retry_after;
///
/// let mut headers = HeaderMap::new();
/// headers.insert("retry-after", HeaderValue::from_static("7"));
/// assert_eq!(retry_after(&headers, SystemTime::now()), Some(Duration::from_secs(7)));
/// ```
pub fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::trim)
    };
    if let Some(value) = header("retry-after") {
        return parse_retry_after(value, now);
    }
    let reset = header("ratelimit-reset").or_else(|| header("x-ratelimit-reset"))?;
    let seconds: f64 = reset
        .parse()
        .ok()
        .filter(|seconds: &f64| seconds.is_finite() && *seconds >= 0.0)?;
    if seconds > 1_000_000_000.0 {
        let at = SystemTime::UNIX_EPOCH + Duration::from_secs_f64(seconds);
        return Some(at.duration_since(now).unwrap_or(Duration::ZERO));
    }
    Some(Duration::from_secs_f64(seconds))
}

/// Parses a `Retry-After` value: delay seconds (a fraction is accepted) or an HTTP date
/// (a past date means no wait).
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use connector_sdk::http::parse_retry_after;
///
/// let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_480);
/// assert_eq!(parse_retry_after("120", now), Some(Duration::from_secs(120)));
/// assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now), Some(Duration::from_secs(30)));
/// assert_eq!(parse_retry_after("soon", now), None);
/// ```
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    if let Ok(seconds) = value.parse::<f64>() {
        return (seconds.is_finite() && (0.0..1e12).contains(&seconds))
            .then(|| Duration::from_secs_f64(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// What waits between attempts and for the rate limiter. The default uses
/// `tokio::time::sleep`; tests put in a [`RecordingSleeper`] to see the waits without
/// spending them.
///
/// ```
/// use std::time::Duration;
/// use futures_util::future::BoxFuture;
/// use connector_sdk::http::Sleeper;
///
/// struct Instant;
/// impl Sleeper for Instant {
///     fn sleep(&self, _duration: Duration) -> BoxFuture<'static, ()> {
///         Box::pin(async {})
///     }
/// }
/// ```
pub trait Sleeper: Send + Sync + 'static {
    /// Waits for `duration`.
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()>;
}

/// The default [`Sleeper`]: `tokio::time::sleep`.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
/// use std::time::Duration;
/// use connector_sdk::http::{Sleeper, TokioSleeper};
///
/// TokioSleeper.sleep(Duration::from_millis(1)).await;
/// # });
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct TokioSleeper;

impl Sleeper for TokioSleeper {
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// A [`Sleeper`] that records each wait and returns at once: tests see the backoff and
/// rate-limit waits without spending them.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use std::time::Duration;
/// use connector_sdk::http::{RecordingSleeper, Sleeper};
///
/// let sleeper = RecordingSleeper::new();
/// sleeper.sleep(Duration::from_secs(5)).await;
/// assert_eq!(sleeper.waits(), vec![Duration::from_secs(5)]);
/// assert_eq!(sleeper.total(), Duration::from_secs(5));
/// # });
/// ```
#[derive(Clone, Debug, Default)]
pub struct RecordingSleeper {
    waits: Arc<Mutex<Vec<Duration>>>,
}

impl RecordingSleeper {
    /// A sleeper with no waits recorded. Clones share the record.
    pub fn new() -> Self {
        RecordingSleeper::default()
    }

    /// The waits asked for so far, in order.
    pub fn waits(&self) -> Vec<Duration> {
        self.waits
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The sum of the waits.
    pub fn total(&self) -> Duration {
        self.waits().iter().sum()
    }

    /// Forgets the waits recorded so far.
    pub fn clear(&self) {
        self.waits
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}

impl Sleeper for RecordingSleeper {
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        self.waits
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(duration);
        Box::pin(async {})
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn backoff_doubles_within_bounds_and_jitters_down_to_half() {
        let policy = RetryPolicy::default();
        for retry in 0..6 {
            let full = RetryPolicy::default().jitter(false).backoff(retry);
            for _ in 0..50 {
                let wait = policy.backoff(retry);
                assert!(wait >= full / 2 && wait <= full, "{wait:?} vs {full:?}");
            }
        }
    }

    #[test]
    fn retry_after_reads_seconds_dates_and_reset_headers() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let mut headers = HeaderMap::new();
        assert_eq!(retry_after(&headers, now), None);
        headers.insert("x-ratelimit-reset", HeaderValue::from_static("1700000009"));
        assert_eq!(retry_after(&headers, now), Some(Duration::from_secs(9)));
        headers.insert("ratelimit-reset", HeaderValue::from_static("4"));
        assert_eq!(retry_after(&headers, now), Some(Duration::from_secs(4)));
        headers.insert("retry-after", HeaderValue::from_static("2.5"));
        assert_eq!(
            retry_after(&headers, now),
            Some(Duration::from_millis(2500))
        );
        let date = httpdate::fmt_http_date(now + Duration::from_secs(12));
        headers.insert("retry-after", HeaderValue::from_str(&date).unwrap());
        assert_eq!(retry_after(&headers, now), Some(Duration::from_secs(12)));
        let past = httpdate::fmt_http_date(now - Duration::from_secs(12));
        assert_eq!(parse_retry_after(&past, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("-3", now), None);
        assert_eq!(parse_retry_after("NaN", now), None);
    }
}
