//! The send loop: a built request tried until it succeeds or the [`RetryPolicy`] says
//! stop, each attempt a few named steps (wait for the rate limiter, fit the deadline,
//! exchange, observe, classify), and the one place a successful response is read
//! (`Sending::on_success`).

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use reqwest::Method;
use tokio::sync::OwnedSemaphorePermit;

use super::cassette::exchange_or_replay;
use super::errors::{self, ErrorMapper, HttpFailure, ceil_seconds, human_duration};
use super::logging::{self, LOG_TARGET};
use super::request::{ClientRef, RequestBuilder, Target, is_idempotent};
use super::response::HttpResponse;
use super::retry::{self, Cause, Decision, Failure, Progress, RetryPolicy};
use super::transport::{Exchange, Exchanged};
use crate::error::{ConnectorError, Result};

impl RequestBuilder<'_> {
    /// Sends the request (retrying as the policy and mode allow) and returns the
    /// successful (2xx) response; any other status, or a transport failure, is the
    /// mapped [`ConnectorError`].
    pub async fn send(self) -> Result<HttpResponse> {
        let mut sending = Sending::prepare(self)?;
        loop {
            match sending.attempt().await? {
                Outcome::Success(exchanged) => return Ok(sending.on_success(exchanged)),
                Outcome::Failed(failure) => sending.retry_or_stop(failure).await?,
            }
        }
    }
}

/// How one attempt ended, when it did not end the request outright.
enum Outcome {
    /// A 2xx response.
    Success(Exchange),
    /// A failure the [`RetryPolicy`] may retry.
    Failed(Failure),
}

/// A request being sent: what stays the same across attempts, and the attempts so far.
struct Sending<'c> {
    client: ClientRef<'c>,
    method: Method,
    path: String,
    request: reqwest::Request,
    policy: RetryPolicy,
    idempotent: bool,
    max_attempts: u32,
    timeout: Duration,
    mappers: Vec<ErrorMapper>,
    attempt: u32,
    waited: Duration,
}

impl<'c> Sending<'c> {
    /// Builds the request with its authentication, and settles its policy, attempts,
    /// timeout and error hooks; a request that failed while being built stops here.
    fn prepare(builder: RequestBuilder<'c>) -> Result<Self> {
        let RequestBuilder {
            target,
            method,
            idempotent,
            timeout,
            retry,
            mapper,
            error,
        } = builder;
        if let Some(error) = error {
            return Err(error);
        }
        let Some(Target { client, inner }) = target else {
            return Err(ConnectorError::internal_error(format!(
                "The request {method} has no client to send it."
            )));
        };
        client.auth.validate()?;
        let request = client.auth.apply(inner).build().map_err(|_| {
            ConnectorError::invalid_value(format!(
                "The request {method} could not be built from its parameters."
            ))
        })?;
        let config = client.config;
        let policy = retry.unwrap_or_else(|| config.retry.clone());
        Ok(Sending {
            path: request.url().path().to_owned(),
            idempotent: idempotent.unwrap_or_else(|| is_idempotent(&method)),
            max_attempts: policy.attempts_for(client.mode.retries(), client.caller_retry_attempt),
            timeout: timeout.unwrap_or(client.timeout),
            mappers: mapper
                .into_iter()
                .chain(config.error_mapper.clone())
                .collect(),
            policy,
            method,
            request,
            client,
            attempt: 0,
            waited: Duration::ZERO,
        })
    }

    /// One attempt: waits for the rate limiter, fits the deadline, exchanges, and
    /// observes the response. An error (the deadline, a body too large) ends the request
    /// at once.
    async fn attempt(&mut self) -> Result<Outcome> {
        self.attempt += 1;
        let permit = self.wait_for_rate_limit().await?;
        let attempt_timeout = self.attempt_timeout()?;
        let mut outgoing = self.request.try_clone().ok_or_else(|| {
            ConnectorError::internal_error(format!(
                "The body of {} {} cannot be sent again.",
                self.method, self.path
            ))
        })?;
        *outgoing.timeout_mut() = Some(attempt_timeout);
        logging::log_request(&self.client.redactor, self.attempt, &outgoing);
        let started = Instant::now();
        let config = self.client.config;
        let outcome = exchange_or_replay(
            &self.client.http,
            &self.client.redactor,
            outgoing,
            config.max_response_bytes,
        )
        .await?;
        drop(permit);
        match outcome {
            Ok(exchanged) => {
                let wall = SystemTime::now();
                self.observe(&exchanged, started, wall);
                if exchanged.status.is_success() {
                    Ok(Outcome::Success(exchanged))
                } else {
                    Ok(Outcome::Failed(self.status_failure(&exchanged, wall)))
                }
            }
            Err(Exchanged::TooLarge) => Err(ConnectorError::invalid_response(format!(
                "The response to {} {} is larger than {} bytes.",
                self.method, self.path, config.max_response_bytes
            ))),
            Err(Exchanged::Transport(err)) => self
                .transport_failure(&err, attempt_timeout)
                .map(Outcome::Failed),
        }
    }

    /// Waits until the client-side rate limit allows a request (when the mode enforces
    /// it), and holds one of its concurrency permits; `budget_exhausted` when the wait
    /// would pass the call's deadline.
    async fn wait_for_rate_limit(&self) -> Result<Option<OwnedSemaphorePermit>> {
        let config = self.client.config;
        let Some(limiter) = config
            .limiter
            .as_deref()
            .filter(|_| self.client.mode.limits())
        else {
            return Ok(None);
        };
        let wait = limiter.reserve(Instant::now(), SystemTime::now());
        if !wait.is_zero() {
            if Instant::now()
                .checked_add(wait)
                .is_none_or(|at| at > self.client.deadline)
            {
                return Err(ConnectorError::budget_exhausted(format!(
                    "The client-side rate limit allows {} {} only in {}, after the deadline of this call.",
                    self.method,
                    self.path,
                    human_duration(wait)
                ))
                .with_retry_after_seconds(ceil_seconds(wait)));
            }
            tracing::debug!(target: LOG_TARGET, method = %self.method, path = self.path.as_str(), wait_ms = wait.as_millis() as u64, "waiting for the client-side rate limit");
            config.sleeper.sleep(wait).await;
        }
        // Waiting for a concurrency slot is bounded by the deadline too.
        let remaining = self
            .client
            .deadline
            .saturating_duration_since(Instant::now());
        let permit = tokio::time::timeout(
            remaining,
            Arc::clone(&limiter.semaphore).acquire_owned(),
        )
        .await
        .map_err(|_| {
            ConnectorError::budget_exhausted(format!(
                "No concurrency slot of the client-side rate limit freed up for {} {} before the deadline of this call.",
                self.method, self.path
            ))
        })?
        .map_err(|_| ConnectorError::internal_error("The rate limiter was shut down."))?;
        Ok(Some(permit))
    }

    /// The time this attempt may take: the request's timeout, shortened to what is left
    /// of the call's deadline; `budget_exhausted` when nothing is left.
    fn attempt_timeout(&self) -> Result<Duration> {
        let remaining = self
            .client
            .deadline
            .saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Err(ConnectorError::budget_exhausted(format!(
                "The time budget of this call ran out before {} {}.",
                self.method, self.path
            )));
        }
        Ok(self.timeout.min(remaining))
    }

    /// Logs a response that arrived, and feeds its rate-limit headers to the limiter
    /// (whose state goes into the call's context).
    fn observe(&self, exchanged: &Exchange, started: Instant, wall: SystemTime) {
        logging::log_response(
            &self.client.redactor,
            &self.method,
            &exchanged.url,
            exchanged.status,
            &exchanged.headers,
            &exchanged.body,
            started.elapsed(),
        );
        if let Some(limiter) = &self.client.config.limiter {
            limiter.observe(&exchanged.headers, wall);
        }
        self.client.record_state();
    }

    /// A response that is not a success, mapped to its error (the request's hook, the
    /// setup's, then the default table).
    fn status_failure(&self, exchanged: &Exchange, wall: SystemTime) -> Failure {
        let retry_after = retry::retry_after(&exchanged.headers, wall);
        let failure = HttpFailure {
            method: &self.method,
            path: &self.path,
            status: exchanged.status,
            headers: &exchanged.headers,
            body: &exchanged.body,
            retry_after,
            redactor: &self.client.redactor,
        };
        let mappers: Vec<&ErrorMapper> = self.mappers.iter().collect();
        Failure {
            error: errors::status_error(&failure, &mappers),
            cause: Cause::Status {
                status: exchanged.status.as_u16(),
                retry_after,
            },
        }
    }

    /// An exchange that failed in transport, mapped to its error; a timeout cut short by
    /// the call's deadline ends the request as `budget_exhausted`.
    fn transport_failure(
        &self,
        err: &reqwest::Error,
        attempt_timeout: Duration,
    ) -> Result<Failure> {
        let (kind, detail) = errors::classify(err);
        if kind.is_timeout() && attempt_timeout < self.timeout {
            return Err(ConnectorError::budget_exhausted(format!(
                "The time budget of this call ran out during {} {}.",
                self.method, self.path
            )));
        }
        let error = errors::transport_error(
            &self.method,
            &self.path,
            kind,
            detail.as_deref(),
            attempt_timeout,
        );
        tracing::debug!(target: LOG_TARGET, method = %self.method, path = self.path.as_str(), code = %error.code(), "HTTP transport failure");
        Ok(Failure {
            error,
            cause: Cause::Transport(kind),
        })
    }

    /// The one place a successful response is read: the exchange becomes the
    /// [`HttpResponse`] the author gets.
    fn on_success(&self, exchanged: Exchange) -> HttpResponse {
        crate::raw_data::record(&exchanged.body);
        HttpResponse {
            method: self.method.clone(),
            path: self.path.clone(),
            url: exchanged.url,
            status: exchanged.status,
            headers: exchanged.headers,
            body: exchanged.body,
        }
    }

    /// Asks the [`RetryPolicy`] about a failed attempt: waits before the next one, or
    /// returns the error that ends the request.
    async fn retry_or_stop(&mut self, failure: Failure) -> Result<()> {
        let progress = Progress {
            request: format!("{} {}", self.method, self.path),
            idempotent: self.idempotent,
            attempt: self.attempt,
            max_attempts: self.max_attempts,
            waited: self.waited,
            deadline: self.client.deadline,
        };
        let code = failure.error.code();
        match self.policy.decide(failure, &progress, Instant::now()) {
            Decision::Stop(error) => Err(error),
            Decision::Retry(wait) => {
                tracing::debug!(
                    target: LOG_TARGET,
                    method = %self.method,
                    path = self.path.as_str(),
                    code = %code,
                    attempt = self.attempt,
                    max_attempts = self.max_attempts,
                    wait_ms = wait.as_millis() as u64,
                    "retrying"
                );
                self.client.config.sleeper.sleep(wait).await;
                self.waited = self.waited.saturating_add(wait);
                Ok(())
            }
        }
    }
}
