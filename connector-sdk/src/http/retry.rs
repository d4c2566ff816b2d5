//! The [`RetryPolicy`]: after a failed attempt, it alone decides whether to try again
//! (and after how long: exponential backoff with jitter, never less than the app's
//! `Retry-After`, never past the call's deadline) or to stop with the error.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::HeaderMap;

use super::errors::{TransportKind, ceil_seconds, human_duration};
use crate::error::{ConnectorError, ErrorCode};

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

impl RetryPolicy {
    /// How many attempts a request gets: the policy's, less those the caller already
    /// made (`caller_retry_attempt`), at least one; one when the rate-limit mode does
    /// not retry.
    pub(crate) fn attempts_for(&self, mode_retries: bool, caller_attempts: u32) -> u32 {
        if mode_retries {
            self.max_attempts.saturating_sub(caller_attempts).max(1)
        } else {
            1
        }
    }

    /// Whether to try a failed attempt again, and after how long, or to stop with its
    /// error.
    ///
    /// Retried: a 429 (or an error the hook mapped to `rate_limit`) whatever the method; a
    /// 500, 502, 503 or 504 and a connection closed mid-exchange when the request is
    /// idempotent; a connection refused or not made; a timeout only when the policy says
    /// so (and the request is idempotent or never left). The wait is the backoff, or the
    /// `Retry-After` when longer. It stops when the attempts are used up, when the wait
    /// would pass the call's deadline (`budget_exhausted`, with the wait as
    /// `retry_after_seconds`), or when it would pass the policy's total wait.
    pub(crate) fn decide(&self, failure: Failure, progress: &Progress, now: Instant) -> Decision {
        let asked = match failure.cause {
            Cause::Status {
                status,
                retry_after,
            } => {
                let retryable = status == 429
                    || failure.error.code() == ErrorCode::RateLimit
                    || (progress.idempotent && matches!(status, 500 | 502 | 503 | 504));
                retryable.then(|| retry_after.unwrap_or_default())
            }
            Cause::Transport(kind) => {
                let retryable = if kind.is_timeout() {
                    self.retry_timeouts && (progress.idempotent || kind.never_sent())
                } else {
                    matches!(kind, TransportKind::Refused | TransportKind::ConnectFailed)
                        || (progress.idempotent && kind == TransportKind::Closed)
                };
                retryable.then_some(Duration::ZERO)
            }
        };
        let Some(asked) = asked.filter(|_| progress.attempt < progress.max_attempts) else {
            return Decision::Stop(failure.error);
        };
        if asked > MAX_BELIEVED_WAIT {
            // An absurd wait is not believed: the error stays what the answer said
            // (`rate_limit` for a 429), and the wait it reports is at most the time left.
            let left = progress.deadline.saturating_duration_since(now);
            return Decision::Stop(
                failure
                    .error
                    .with_retry_after_seconds(ceil_seconds(asked.min(left))),
            );
        }
        let wait = self.backoff(progress.attempt.saturating_sub(1)).max(asked);
        if now
            .checked_add(wait)
            .is_none_or(|at| at > progress.deadline)
        {
            let error = failure.error;
            let mut exhausted = ConnectorError::budget_exhausted(format!(
                "{} failed ({}) and waiting {} to retry would pass the deadline of this call.",
                progress.request,
                error.code(),
                human_duration(wait)
            ))
            .with_retry_after_seconds(ceil_seconds(wait));
            if let Some(status) = error.status_code() {
                exhausted = exhausted.with_status_code(status);
            }
            return Decision::Stop(exhausted);
        }
        if progress.waited.saturating_add(wait) > self.max_total_wait {
            return Decision::Stop(failure.error);
        }
        Decision::Retry(wait)
    }
}

/// A failed attempt, as the policy sees it: the error it maps to and what caused it.
pub(crate) struct Failure {
    /// The error returned if the policy stops.
    pub(crate) error: ConnectorError,
    /// What failed.
    pub(crate) cause: Cause,
}

/// What made an attempt fail.
pub(crate) enum Cause {
    /// The app answered with a status that is not a success.
    Status {
        /// The status code.
        status: u16,
        /// How long the app asked to wait (`Retry-After` and the like).
        retry_after: Option<Duration>,
    },
    /// The exchange itself failed.
    Transport(TransportKind),
}

/// Where a request stands when an attempt failed.
pub(crate) struct Progress {
    /// `METHOD /path`, for messages.
    pub(crate) request: String,
    /// Whether the request is safe to repeat.
    pub(crate) idempotent: bool,
    /// The attempt that failed, from 1.
    pub(crate) attempt: u32,
    /// The attempts allowed ([`RetryPolicy::attempts_for`]).
    pub(crate) max_attempts: u32,
    /// The waiting between attempts so far.
    pub(crate) waited: Duration,
    /// The call's deadline.
    pub(crate) deadline: Instant,
}

/// The policy's answer after a failed attempt.
#[derive(Debug)]
pub(crate) enum Decision {
    /// Wait this long, then try again.
    Retry(Duration),
    /// Give up with this error.
    Stop(ConnectorError),
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
        return Some(until(unix_time(seconds), now));
    }
    Some(saturating_seconds(seconds))
}

/// The longest wait an app's `Retry-After` or reset header is believed for; a longer one
/// (a header of absurd size) stops retrying with the answer's own error.
pub(crate) const MAX_BELIEVED_WAIT: Duration = Duration::from_secs(7 * 24 * 3600);

/// A non-negative, finite number of seconds as a duration, saturating at [`Duration::MAX`].
pub(crate) fn saturating_seconds(seconds: f64) -> Duration {
    Duration::try_from_secs_f64(seconds).unwrap_or(if seconds > 0.0 {
        Duration::MAX
    } else {
        Duration::ZERO
    })
}

/// A Unix time in seconds, `None` past what the system clock can represent.
pub(crate) fn unix_time(seconds: f64) -> Option<SystemTime> {
    SystemTime::UNIX_EPOCH.checked_add(Duration::try_from_secs_f64(seconds).ok()?)
}

/// The time from `now` until `at` (zero when past; [`Duration::MAX`] when unrepresentable).
fn until(at: Option<SystemTime>, now: SystemTime) -> Duration {
    at.map_or(Duration::MAX, |at| {
        at.duration_since(now).unwrap_or(Duration::ZERO)
    })
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
        return (seconds.is_finite() && seconds >= 0.0).then(|| saturating_seconds(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
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

    fn progress(idempotent: bool, attempt: u32, deadline: Instant) -> Progress {
        Progress {
            request: "POST /users".to_owned(),
            idempotent,
            attempt,
            max_attempts: 4,
            waited: Duration::ZERO,
            deadline,
        }
    }

    fn status(status: u16, retry_after: Option<Duration>) -> Failure {
        Failure {
            error: ConnectorError::new(super::super::error_code_for_status(status), "failed")
                .with_status_code(status),
            cause: Cause::Status {
                status,
                retry_after,
            },
        }
    }

    #[test]
    fn an_absurd_retry_after_is_rate_limit_with_the_wait_clamped_to_the_deadline() {
        let policy = RetryPolicy::default().jitter(false);
        let now = Instant::now();
        let soon = now + Duration::from_secs(300);
        for asked in [
            Duration::MAX,
            Duration::from_secs(u64::MAX),
            MAX_BELIEVED_WAIT * 2,
        ] {
            let decision = policy.decide(status(429, Some(asked)), &progress(true, 1, soon), now);
            let Decision::Stop(error) = decision else {
                panic!("retried after {asked:?}: {decision:?}");
            };
            assert_eq!(error.code(), ErrorCode::RateLimit);
            assert_eq!(error.retry_after_seconds(), Some(300));
        }
    }

    #[test]
    fn absurd_header_values_parse_without_overflow() {
        let now = SystemTime::now();
        for value in ["1e308", "18446744073709551616", "99999999999999999999.5"] {
            assert!(parse_retry_after(value, now).is_some_and(|wait| wait > MAX_BELIEVED_WAIT));
        }
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-ratelimit-reset",
            reqwest::header::HeaderValue::from_static("1e300"),
        );
        assert!(retry_after(&headers, now).is_some_and(|wait| wait > MAX_BELIEVED_WAIT));
    }

    #[test]
    fn server_errors_are_retried_only_when_the_request_is_idempotent() {
        let policy = RetryPolicy::default().jitter(false);
        let now = Instant::now();
        let later = now + Duration::from_secs(300);
        let decision = policy.decide(status(503, None), &progress(true, 1, later), now);
        assert!(matches!(decision, Decision::Retry(wait) if wait == Duration::from_secs(1)));
        let decision = policy.decide(status(503, None), &progress(false, 1, later), now);
        assert!(
            matches!(decision, Decision::Stop(error) if error.code() == ErrorCode::ServiceError)
        );
        // A 429 is retried whatever the method, after the Retry-After when longer.
        let decision = policy.decide(
            status(429, Some(Duration::from_secs(7))),
            &progress(false, 1, later),
            now,
        );
        assert!(matches!(decision, Decision::Retry(wait) if wait == Duration::from_secs(7)));
        // The last attempt is not retried.
        let decision = policy.decide(status(429, None), &progress(true, 4, later), now);
        assert!(matches!(decision, Decision::Stop(error) if error.code() == ErrorCode::RateLimit));
    }

    #[test]
    fn a_wait_past_the_deadline_stops_with_budget_exhausted() {
        let policy = RetryPolicy::default();
        let now = Instant::now();
        let soon = now + Duration::from_secs(5);
        let decision = policy.decide(
            status(429, Some(Duration::from_secs(30))),
            &progress(true, 1, soon),
            now,
        );
        let Decision::Stop(error) = decision else {
            panic!("retried past the deadline: {decision:?}");
        };
        assert_eq!(error.code(), ErrorCode::BudgetExhausted);
        assert_eq!(error.retry_after_seconds(), Some(30));
        assert_eq!(error.status_code(), Some(429));
    }

    #[test]
    fn connections_never_made_are_retried_and_timeouts_only_when_asked() {
        let now = Instant::now();
        let later = now + Duration::from_secs(300);
        let transport = |kind| Failure {
            error: ConnectorError::new(ErrorCode::ConnectionTimeout, "failed"),
            cause: Cause::Transport(kind),
        };
        let policy = RetryPolicy::default();
        let refused = policy.decide(
            transport(TransportKind::Refused),
            &progress(false, 1, later),
            now,
        );
        assert!(matches!(refused, Decision::Retry(_)));
        let timeout = policy.decide(
            transport(TransportKind::Timeout),
            &progress(true, 1, later),
            now,
        );
        assert!(matches!(timeout, Decision::Stop(_)));
        let asked = RetryPolicy::default().retry_timeouts(true);
        let timeout = asked.decide(
            transport(TransportKind::Timeout),
            &progress(true, 1, later),
            now,
        );
        assert!(matches!(timeout, Decision::Retry(_)));
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
