//! Logging as the reference does it: a daily file `{LUMOS_LOG_DIRECTORY or ./logs}/{app_id}_{YYYY-MM-DD}.log`
//! (UTC date), at the level of `LUMOS_LOG_LEVEL` (default ERROR), or stderr when
//! `LUMOS_LOG_TO_STDOUT` is true.

use std::fs::{self, OpenOptions};
use std::path::PathBuf;
use std::sync::Mutex;

use tracing::Level;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::time::FormatTime;

/// Reads `LUMOS_LOG_LEVEL`: DEBUG, INFO, WARNING, ERROR or CRITICAL (unset: ERROR).
pub fn parse_level(value: Option<&str>) -> Result<Level, String> {
    match value {
        None => Ok(Level::ERROR),
        Some("DEBUG") => Ok(Level::DEBUG),
        Some("INFO") => Ok(Level::INFO),
        Some("WARNING") => Ok(Level::WARN),
        Some("ERROR" | "CRITICAL") => Ok(Level::ERROR),
        Some(other) => Err(format!(
            "LUMOS_LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL, not {:?}",
            other.chars().take(40).collect::<String>()
        )),
    }
}

/// The log file's path for `app_id` today (UTC).
pub fn log_file_path(app_id: &str) -> PathBuf {
    let directory = std::env::var_os("LUMOS_LOG_DIRECTORY")
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("logs"));
    let today = time::OffsetDateTime::now_utc().date();
    directory.join(format!(
        "{app_id}_{:04}-{:02}-{:02}.log",
        today.year(),
        u8::from(today.month()),
        today.day()
    ))
}

/// `HH:MM:SS,mmm`, the reference's time format.
pub(crate) struct ClockTime;

impl FormatTime for ClockTime {
    fn format_time(&self, w: &mut Writer<'_>) -> std::fmt::Result {
        let now = time::OffsetDateTime::now_utc();
        write!(
            w,
            "{:02}:{:02}:{:02},{:03}",
            now.hour(),
            now.minute(),
            now.second(),
            now.millisecond()
        )
    }
}

/// Sets up logging for the CLI of connector `app_id`. An invalid `LUMOS_LOG_LEVEL` is an
/// error (a usage error for the CLI); a log directory that cannot be written is reported
/// on stderr and logging goes nowhere.
pub fn init(app_id: &str) -> Result<(), String> {
    let level = parse_level(std::env::var("LUMOS_LOG_LEVEL").ok().as_deref())?;
    let to_stderr =
        std::env::var("LUMOS_LOG_TO_STDOUT").is_ok_and(|value| value.eq_ignore_ascii_case("true"));
    let builder = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_timer(ClockTime)
        .with_ansi(false)
        .with_target(true);
    if to_stderr {
        crate::agent_log::try_init(
            builder
                .with_writer(crate::scrub::Scrubbing(std::io::stderr))
                .finish(),
        );
        return Ok(());
    }
    let path = log_file_path(app_id);
    let opened = path
        .parent()
        .map_or(Ok(()), fs::create_dir_all)
        .and_then(|()| OpenOptions::new().create(true).append(true).open(&path));
    match opened {
        Ok(file) => {
            crate::agent_log::try_init(
                builder
                    .with_writer(crate::scrub::Scrubbing(Mutex::new(file)))
                    .finish(),
            );
        }
        Err(err) => {
            eprintln!(
                "warning: cannot write the log file {}: {err}",
                path.display()
            );
            crate::agent_log::try_init_without_log();
        }
    }
    Ok(())
}

#[cfg(test)]
mod example_tests {
    use super::*;

    #[test]
    fn levels_are_read_as_the_reference_names_them() {
        assert_eq!(parse_level(None).unwrap(), tracing::Level::ERROR);
        assert_eq!(parse_level(Some("WARNING")).unwrap(), tracing::Level::WARN);
        assert!(parse_level(Some("loud")).is_err());
    }
}
