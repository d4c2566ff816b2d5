//! A small HTTP load generator for loopback servers: `concurrency` workers POST the same
//! JSON body to one URL over kept-alive connections until `requests` answers arrived or
//! `seconds` passed, whichever comes first.
//!
//! ```text
//! loadgen --url http://127.0.0.1:8000/validate_credentials --body ENVELOPE
//!         [--concurrency 16] [--requests 20000] [--seconds 5] [--expect '"valid":true']
//! ```
//!
//! Prints one JSON line: `{"concurrency", "requests", "failures", "seconds",
//! "requests_per_second"}`. A failure is a transport error, a status other than 200, or a
//! body without `--expect`. Only loopback hosts are accepted: this is a benchmark tool,
//! not a way to load someone else's server. It runs on one thread, so it takes at most
//! one core from the server it measures.

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bench_harness::{Flags, per_second};

/// The request every worker sends, and what a good answer holds.
struct Target {
    client: reqwest::Client,
    url: reqwest::Url,
    body: String,
    expect: Option<String>,
}

/// What every worker shares.
struct Load {
    target: Target,
    /// Requests not yet started.
    remaining: AtomicU64,
    completed: AtomicU64,
    failures: AtomicU64,
    deadline: Instant,
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("loadgen: {err}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let flags = Flags::from_env()?;
    let url: reqwest::Url = flags
        .text("url")
        .ok_or("--url is required")?
        .parse()
        .map_err(|err| format!("bad --url: {err}"))?;
    if !is_loopback(&url) {
        return Err(format!("{url} is not a loopback URL"));
    }
    let concurrency = flags.number("concurrency", 16)?.max(1);
    let requests = flags.number("requests", 20_000)?;
    let limit = flags.seconds("seconds", 5.0)?;
    // The workspace builds reqwest without a TLS provider; a client will not build
    // without one, even for the plain-HTTP loopback URLs used here. An error only means
    // one is installed already.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(usize::try_from(concurrency).unwrap_or(usize::MAX))
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|err| format!("no HTTP client: {err}"))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|err| format!("no runtime: {err}"))?;
    runtime.block_on(async {
        let target = Target {
            client,
            url,
            body: flags.text("body").unwrap_or("{}").to_owned(),
            expect: flags.text("expect").map(str::to_owned),
        };
        // One request before timing: a server that does not answer well is an error.
        if !one_request(&target).await {
            return Err(format!("the first request to {} failed", target.url));
        }
        let start = Instant::now();
        let load = Arc::new(Load {
            target,
            remaining: AtomicU64::new(requests),
            completed: AtomicU64::new(0),
            failures: AtomicU64::new(0),
            deadline: start + limit,
        });
        let workers: Vec<_> = (0..concurrency)
            .map(|_| tokio::spawn(worker(Arc::clone(&load))))
            .collect();
        for worker in workers {
            worker
                .await
                .map_err(|err| format!("a worker failed: {err}"))?;
        }
        let elapsed = start.elapsed();
        let completed = load.completed.load(Ordering::Relaxed);
        println!(
            "{}",
            serde_json::json!({
                "concurrency": concurrency,
                "requests": completed,
                "failures": load.failures.load(Ordering::Relaxed),
                "seconds": elapsed.as_secs_f64(),
                "requests_per_second": per_second(completed, elapsed),
            })
        );
        Ok(())
    })
}

async fn worker(load: Arc<Load>) {
    while Instant::now() < load.deadline
        && load
            .remaining
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
            .is_ok()
    {
        if !one_request(&load.target).await {
            load.failures.fetch_add(1, Ordering::Relaxed);
        }
        load.completed.fetch_add(1, Ordering::Relaxed);
    }
}

/// Sends the body once; true when the answer is a 200 holding `expect`.
async fn one_request(target: &Target) -> bool {
    let sent = target
        .client
        .post(target.url.clone())
        .header("content-type", "application/json")
        .body(target.body.clone())
        .send()
        .await;
    let Ok(response) = sent else { return false };
    if response.status() != reqwest::StatusCode::OK {
        return false;
    }
    match response.text().await {
        Ok(text) => target
            .expect
            .as_deref()
            .is_none_or(|expect| text.contains(expect)),
        Err(_) => false,
    }
}

fn is_loopback(url: &reqwest::Url) -> bool {
    let host = url.host_str().unwrap_or_default();
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_urls_are_accepted() {
        let ok = |u: &str| is_loopback(&u.parse().unwrap());
        assert!(ok("http://127.0.0.1:8000/x"));
        assert!(ok("http://localhost:8000/x"));
        assert!(ok("http://[::1]:8000/x"));
        assert!(!ok("http://10.0.0.1:8000/x"));
        assert!(!ok("http://example.com/x"));
    }
}
