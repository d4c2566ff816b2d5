//! The [`Sleeper`] that waits between attempts and for the rate limiter: `tokio`'s sleep
//! by default, a [`RecordingSleeper`] in tests.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures_util::future::BoxFuture;

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
