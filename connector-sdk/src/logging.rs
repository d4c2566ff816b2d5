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
                .with_writer(crate::scrub::Scrubbing::new(std::io::stderr))
                .finish(),
        );
        return Ok(());
    }
    let path = log_file_path(app_id);
    if fs::symlink_metadata(&path).is_ok_and(|meta| meta.file_type().is_symlink()) {
        eprintln!(
            "warning: the log file {} is a symbolic link; it is not written through, and nothing is logged",
            path.display()
        );
        return Ok(());
    }
    match open_log_file(&path) {
        Ok(file) => {
            crate::agent_log::try_init(
                builder
                    .with_writer(crate::scrub::Scrubbing::new(Mutex::new(file)))
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

/// Opens the log file for appending: its directory created owner-only (0700), the file
/// created 0600, and never opened through a symbolic link.
fn open_log_file(path: &std::path::Path) -> std::io::Result<fs::File> {
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    let mut directories = fs::DirBuilder::new();
    directories.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt as _, OpenOptionsExt as _};
        directories.mode(0o700);
        options.mode(0o600).custom_flags(libc::O_NOFOLLOW);
    }
    if let Some(parent) = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
    {
        directories.create(parent)?;
    }
    options.open(path)
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

    #[cfg(unix)]
    #[test]
    fn log_files_are_owner_only_and_never_opened_through_a_symlink() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("logs").join("app.log");
        open_log_file(&path).unwrap();
        let mode =
            |path: &std::path::Path| fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(&dir.path().join("logs")), 0o700);

        let victim = dir.path().join("victim");
        fs::write(&victim, "keep").unwrap();
        let link = dir.path().join("logs").join("link.log");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        assert!(open_log_file(&link).is_err());
        assert_eq!(fs::read_to_string(&victim).unwrap(), "keep");
    }
}
