//! The limits that keep a hostile request or answer from exhausting the connector: each
//! a documented default, raisable by an environment variable read once per process.

use std::sync::OnceLock;

/// One limit: its environment variable and its default.
pub struct Limit {
    /// The environment variable that sets it (a positive integer).
    pub env: &'static str,
    /// The value when the variable is unset or not a positive integer.
    pub default: u64,
    value: OnceLock<u64>,
}

impl Limit {
    const fn new(env: &'static str, default: u64) -> Self {
        Limit {
            env,
            default,
            value: OnceLock::new(),
        }
    }

    /// The limit in force: the environment variable's value when it is a positive
    /// integer, else the default.
    pub fn get(&self) -> u64 {
        *self.value.get_or_init(|| {
            std::env::var(self.env)
                .ok()
                .and_then(|text| text.trim().parse::<u64>().ok())
                .filter(|value| *value > 0)
                .unwrap_or(self.default)
        })
    }

    /// The limit as a `usize` (saturating on small platforms).
    pub fn get_usize(&self) -> usize {
        usize::try_from(self.get()).unwrap_or(usize::MAX)
    }
}

/// The largest request envelope, in bytes; a larger one is answered `bad_request`
/// without being parsed.
pub static MAX_REQUEST_BYTES: Limit = Limit::new("CONNECTOR_SDK_MAX_REQUEST_BYTES", 32 << 20);

/// The largest page size a list capability is asked for; a larger `page.size` is read as
/// this.
pub static MAX_PAGE_SIZE: Limit = Limit::new("CONNECTOR_SDK_MAX_PAGE_SIZE", 10_000);

/// The most characters of the request envelope logged at INFO ("Command arguments").
pub static MAX_LOGGED_REQUEST_CHARS: Limit =
    Limit::new("CONNECTOR_SDK_MAX_LOGGED_REQUEST_CHARS", 16 << 10);

/// The most bytes of an upstream body read for an error excerpt or a DEBUG log line.
pub static MAX_BODY_PREFIX_BYTES: Limit =
    Limit::new("CONNECTOR_SDK_MAX_BODY_PREFIX_BYTES", 64 << 10);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unset_or_invalid_variable_keeps_the_default() {
        let limit = Limit::new("CONNECTOR_SDK_TEST_LIMIT_THAT_IS_NEVER_SET", 7);
        assert_eq!(limit.get(), 7);
    }
}
