//! Graceful shutdown: SIGTERM or Ctrl-C stop the server taking connections, the calls in
//! flight run on for up to a grace period, then the process stops waiting.

use std::future::Future;
use std::time::Duration;

/// Resolves on the first SIGTERM or Ctrl-C (SIGINT).
pub async fn signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut term) => {
                term.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}

/// Runs `server` (which stops taking connections and drains once `stop` resolves) and
/// gives the calls in flight `grace` after `stop` to finish. Returns whether they all did.
pub(crate) async fn drain<S, E>(
    server: S,
    stop: tokio::sync::oneshot::Receiver<()>,
    grace: Duration,
) -> Result<bool, E>
where
    S: Future<Output = Result<(), E>>,
{
    let deadline = async {
        if stop.await.is_err() {
            std::future::pending::<()>().await;
        }
        tokio::time::sleep(grace).await;
    };
    tokio::select! {
        result = server => result.map(|()| true),
        () = deadline => Ok(false),
    }
}
