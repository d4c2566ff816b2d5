//! The guard: a capability's panic becomes an internal error with a fixed message, and
//! the process's one panic hook withholds the messages of panics (which may hold secrets).

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};

use futures_util::FutureExt as _;
use futures_util::future::BoxFuture;

use super::Failure;
use crate::error::{ConnectorError, Result};

/// The message of an internal error caused by a panic; the panic's own text may hold a
/// secret, so it is never shown.
pub const PANIC_MESSAGE: &str = "The connector failed unexpectedly while running this capability.";

/// Whether panics outside a capability are withheld too (the CLI's choice).
static QUIET_EVERYWHERE: AtomicBool = AtomicBool::new(false);

/// Withholds the message of every panic of the process from now on, not only of those
/// inside a capability (the CLI, whose stderr may be collected into logs).
pub(crate) fn quiet_all_panics() {
    QUIET_EVERYWHERE.store(true, Ordering::Relaxed);
    install_panic_hook();
}

/// Awaits a capability's future; a panic becomes an internal error with a fixed message.
pub(crate) async fn guarded<O, T>(
    future: BoxFuture<'_, O>,
    convert: fn(O) -> Result<T>,
) -> std::result::Result<T, Failure> {
    install_panic_hook();
    let mut future = future;
    let quiet = futures_util::future::poll_fn(move |cx| {
        let _inside = InsideCapability::enter();
        future.as_mut().poll(cx)
    });
    match AssertUnwindSafe(quiet).catch_unwind().await.map(convert) {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(Failure {
            error,
            raised: true,
        }),
        Err(_panic) => {
            tracing::error!(
                "a capability panicked; its message is not logged, as it may hold a secret"
            );
            Err(Failure {
                error: ConnectorError::internal_error(PANIC_MESSAGE),
                raised: true,
            })
        }
    }
}

/// Awaits a whole dispatch (envelope checks, settings and credential parsing, the
/// fingerprint, the capability, the answer's and cursor's serialisation); a panic anywhere
/// in it becomes `on_panic()`, its message withheld.
pub(crate) async fn contained<F, T>(future: F, on_panic: impl FnOnce() -> T) -> T
where
    F: std::future::Future<Output = T>,
{
    install_panic_hook();
    let mut future = std::pin::pin!(future);
    let quiet = futures_util::future::poll_fn(move |cx| {
        let _inside = InsideCapability::enter();
        future.as_mut().poll(cx)
    });
    match AssertUnwindSafe(quiet).catch_unwind().await {
        Ok(answer) => answer,
        Err(_panic) => {
            tracing::error!(
                "the connector panicked; its message is not logged, as it may hold a secret"
            );
            on_panic()
        }
    }
}

thread_local! {
    static IN_CAPABILITY: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Marks the current thread as polling a capability, until dropped (also on unwind).
struct InsideCapability(bool);

impl InsideCapability {
    fn enter() -> Self {
        InsideCapability(IN_CAPABILITY.with(|flag| flag.replace(true)))
    }
}

impl Drop for InsideCapability {
    fn drop(&mut self) {
        IN_CAPABILITY.with(|flag| flag.set(self.0));
    }
}

/// Wraps the process's panic hook once: a panic inside a capability prints a fixed line
/// instead of its message (which may hold a secret); other panics go to the previous hook,
/// unless [`quiet_all_panics`] was called.
fn install_panic_hook() {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if IN_CAPABILITY.with(std::cell::Cell::get) {
                eprintln!(
                    "error: a capability failed unexpectedly; its message is withheld, as it may hold a secret"
                );
            } else if QUIET_EVERYWHERE.load(Ordering::Relaxed) {
                eprintln!("error: the connector failed unexpectedly");
            } else {
                previous(info);
            }
        }));
    });
}
