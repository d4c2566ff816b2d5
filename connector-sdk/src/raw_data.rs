//! The runtime's `raw_data`: while a call that asked for it runs, the HTTP toolkit keeps
//! the JSON body of each successful upstream response here, and the runtime answers with
//! them (the body itself when there was one, an array in request order when several).
//!
//! The bodies kept for one call total at most [`LIMIT_BYTES`]; a body past that is
//! replaced by the marker `{"raw_data_omitted": true, "bytes": <its size>}`.

use std::cell::RefCell;
use std::future::Future;

use serde_json::{Value, json};

/// How many bytes of upstream bodies one call keeps for `raw_data` (8 MiB).
pub(crate) const LIMIT_BYTES: usize = 8 * 1024 * 1024;

/// The bodies kept so far in one call; `None` when the call did not ask for raw data.
#[derive(Default)]
struct Store {
    bodies: Vec<Value>,
    kept_bytes: usize,
}

tokio::task_local! {
    static STORE: RefCell<Option<Store>>;
}

/// Runs `future` with a store when `include` (none otherwise, which also hides the store
/// of an enclosing call), and returns its output with the `raw_data` it gathered.
pub(crate) async fn collect<T>(
    include: bool,
    future: impl Future<Output = T>,
) -> (T, Option<Value>) {
    let store = include.then(Store::default);
    STORE
        .scope(RefCell::new(store), async move {
            let output = future.await;
            let kept = STORE.with(|store| store.borrow_mut().take());
            (output, kept.and_then(Store::into_value))
        })
        .await
}

/// Keeps `body`, the body of a successful upstream response, when the running call asked
/// for raw data and it is JSON.
pub(crate) fn record(body: &[u8]) {
    let _ = STORE.try_with(|store| {
        if let Some(store) = store.borrow_mut().as_mut() {
            store.keep(body);
        }
    });
}

impl Store {
    fn keep(&mut self, body: &[u8]) {
        if body.iter().all(u8::is_ascii_whitespace) {
            return;
        }
        if self.kept_bytes + body.len() > LIMIT_BYTES {
            self.bodies
                .push(json!({"raw_data_omitted": true, "bytes": body.len()}));
            return;
        }
        if let Ok(value) = serde_json::from_slice::<Value>(body) {
            self.kept_bytes += body.len();
            self.bodies.push(value);
        }
    }

    fn into_value(mut self) -> Option<Value> {
        match self.bodies.len() {
            0 => None,
            1 => self.bodies.pop(),
            _ => Some(Value::Array(self.bodies)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(include: bool, bodies: &[&[u8]]) -> Option<Value> {
        let bodies: Vec<Vec<u8>> = bodies.iter().map(|body| body.to_vec()).collect();
        futures_util::FutureExt::now_or_never(collect(include, async move {
            for body in &bodies {
                record(body);
            }
        }))
        .expect("no await points")
        .1
    }

    #[test]
    fn nothing_is_kept_unless_asked() {
        assert_eq!(run(false, &[br#"{"a": 1}"#]), None);
    }

    #[test]
    fn one_body_is_itself_and_several_an_array_in_order() {
        assert_eq!(run(true, &[br#"{"a": 1}"#]), Some(json!({"a": 1})));
        assert_eq!(
            run(true, &[br#"{"a": 1}"#, b"not json", b"[2]"]),
            Some(json!([{"a": 1}, [2]]))
        );
    }

    #[test]
    fn bodies_past_the_limit_become_a_marker() {
        let big = format!("\"{}\"", "x".repeat(LIMIT_BYTES - 10));
        let kept = run(true, &[big.as_bytes(), b"[1, 2, 3, 4, 5, 6, 7, 8, 9]"]).unwrap();
        assert_eq!(kept[1], json!({"raw_data_omitted": true, "bytes": 27}));
        assert_eq!(kept[0].as_str().map(str::len), Some(LIMIT_BYTES - 10));
    }

    #[test]
    fn an_inner_call_without_raw_data_hides_the_outer_store() {
        let kept = futures_util::FutureExt::now_or_never(collect(true, async {
            collect(false, async { record(b"[1]") }).await;
            record(b"[2]");
        }))
        .unwrap()
        .1;
        assert_eq!(kept, Some(json!([2])));
    }
}
