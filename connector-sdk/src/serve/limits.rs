//! What one call may use: a body of at most `max_body_bytes`, at most `max_in_flight` calls
//! at once (a semaphore; the next call is refused, never queued), and a deadline per call.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::HeaderMap;
use axum::http::header::CONTENT_LENGTH;
use futures_util::StreamExt as _;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The limits of a running server.
pub(crate) struct Limits {
    /// The largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// How long one call may run.
    pub timeout: Duration,
    in_flight: Arc<Semaphore>,
}

/// Why a body could not be read.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum BodyError {
    /// It is larger than the limit.
    TooLarge,
    /// The connection failed while it was read.
    Broken,
}

impl Limits {
    /// Limits allowing `max_in_flight` calls at once.
    pub(crate) fn new(max_body_bytes: usize, max_in_flight: usize, timeout: Duration) -> Self {
        Limits {
            max_body_bytes,
            timeout,
            in_flight: Arc::new(Semaphore::new(max_in_flight)),
        }
    }

    /// A place for one more call, or `None` when `max_in_flight` calls are running.
    pub(crate) fn try_enter(&self) -> Option<OwnedSemaphorePermit> {
        Arc::clone(&self.in_flight).try_acquire_owned().ok()
    }

    /// Reads the body, stopping as soon as it passes the limit (a declared length past the
    /// limit is refused before anything is read).
    pub(crate) async fn read_body(
        &self,
        headers: &HeaderMap,
        body: Body,
    ) -> Result<Vec<u8>, BodyError> {
        let declared = headers
            .get(CONTENT_LENGTH)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.parse::<u64>().ok());
        if declared.is_some_and(|length| length > self.max_body_bytes as u64) {
            return Err(BodyError::TooLarge);
        }
        let mut stream = body.into_data_stream();
        let mut bytes = Vec::new();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|_| BodyError::Broken)?;
            if bytes.len() + chunk.len() > self.max_body_bytes {
                return Err(BodyError::TooLarge);
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block_on<F: std::future::Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(future)
    }

    #[test]
    fn calls_past_the_limit_are_refused_until_one_ends() {
        let limits = Limits::new(10, 2, Duration::from_secs(1));
        let first = limits.try_enter().unwrap();
        let _second = limits.try_enter().unwrap();
        assert!(limits.try_enter().is_none());
        drop(first);
        assert!(limits.try_enter().is_some());
    }

    #[test]
    fn a_body_past_the_limit_is_refused() {
        let limits = Limits::new(4, 1, Duration::from_secs(1));
        let headers = HeaderMap::new();
        assert_eq!(
            block_on(limits.read_body(&headers, Body::from("12345"))),
            Err(BodyError::TooLarge)
        );
        assert_eq!(
            block_on(limits.read_body(&headers, Body::from("1234"))),
            Ok(b"1234".to_vec())
        );
    }

    #[test]
    fn a_declared_length_past_the_limit_is_refused_unread() {
        let limits = Limits::new(4, 1, Duration::from_secs(1));
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_LENGTH, "1000000".parse().unwrap());
        assert_eq!(
            block_on(limits.read_body(&headers, Body::empty())),
            Err(BodyError::TooLarge)
        );
    }
}
