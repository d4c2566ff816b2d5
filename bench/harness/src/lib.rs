//! Shared pieces of the bench tools: reading `--flag value` arguments and printing one
//! JSON line of results. The tools themselves are the binaries `loadgen` and
//! `dispatch-rate`.

use std::time::Duration;

/// Command-line flags as `--name value` pairs, read once.
#[derive(Debug, Default)]
pub struct Flags {
    pairs: Vec<(String, String)>,
}

impl Flags {
    /// Reads `--name value` pairs from the process arguments; anything else is an error.
    pub fn from_env() -> Result<Self, String> {
        Self::parse(std::env::args().skip(1))
    }

    /// Reads `--name value` pairs from `args`.
    ///
    /// ```
    /// let flags = bench_harness::Flags::parse(["--n".to_string(), "3".to_string()]).unwrap();
    /// assert_eq!(flags.number("n", 1).unwrap(), 3);
    /// assert!(bench_harness::Flags::parse(["stray".to_string()]).is_err());
    /// ```
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Self, String> {
        let mut pairs = Vec::new();
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let Some(name) = arg.strip_prefix("--") else {
                return Err(format!("unexpected argument {arg:?}"));
            };
            let value = args
                .next()
                .ok_or_else(|| format!("--{name} needs a value"))?;
            pairs.push((name.to_owned(), value));
        }
        Ok(Flags { pairs })
    }

    /// The value of `--name`, if given (the last one wins).
    pub fn text(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// The value of `--name` as a number, or `default`.
    pub fn number(&self, name: &str, default: u64) -> Result<u64, String> {
        match self.text(name) {
            None => Ok(default),
            Some(value) => value
                .parse()
                .map_err(|_| format!("--{name} must be a whole number, not {value:?}")),
        }
    }

    /// The value of `--name` in seconds (fractions allowed), or `default`.
    pub fn seconds(&self, name: &str, default: f64) -> Result<Duration, String> {
        let value = match self.text(name) {
            None => default,
            Some(value) => value
                .parse()
                .map_err(|_| format!("--{name} must be a number of seconds, not {value:?}"))?,
        };
        Duration::try_from_secs_f64(value).map_err(|_| format!("--{name} is out of range"))
    }
}

/// Calls per second, or 0 when no time passed.
pub fn per_second(count: u64, elapsed: Duration) -> f64 {
    let seconds = elapsed.as_secs_f64();
    if seconds > 0.0 {
        count as f64 / seconds
    } else {
        0.0
    }
}
