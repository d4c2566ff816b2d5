//! The CLI's byte I/O, safe against a hostile filesystem and a closed stdout: the request
//! read with a size bound (from a file or stdin), the result written atomically (a 0600
//! temporary file beside it, renamed into place only when complete), and stdout checked
//! to be open.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::write::GzEncoder;

/// The request envelope as read: its text, or the fact that it is over the size limit.
pub(crate) enum Input {
    /// The envelope's text.
    Text(String),
    /// More than `MAX_REQUEST_BYTES`: answered `bad_request` without being read further.
    TooLarge,
}

/// Reads at most `limit` bytes of `reader` (and one more to know it is over).
pub(crate) fn read_bounded(reader: impl Read, limit: u64) -> std::io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= limit).then_some(bytes))
}

/// The envelope from `--json-file` (`-` is stdin), bounded by `limit` bytes. The error is
/// the usage error's message.
pub(crate) fn read_json_file(path: &Path, limit: u64) -> Result<Input, String> {
    let (shown, bytes) = if path == Path::new("-") {
        let bytes = read_bounded(std::io::stdin().lock(), limit)
            .map_err(|err| format!("cannot read the request from stdin: {err}"))?;
        ("stdin".to_owned(), bytes)
    } else {
        let file = File::open(path)
            .map_err(|err| format!("cannot read --json-file {}: {err}", path.display()))?;
        let bytes = read_bounded(file, limit)
            .map_err(|err| format!("cannot read --json-file {}: {err}", path.display()))?;
        (format!("--json-file {}", path.display()), bytes)
    };
    let Some(bytes) = bytes else {
        return Ok(Input::TooLarge);
    };
    let json = String::from_utf8(bytes).map_err(|_| format!("{shown} is not valid UTF-8"))?;
    if json.trim().is_empty() {
        return Err(format!("{shown} is empty"));
    }
    Ok(Input::Text(json))
}

/// Where the result goes, prepared before the capability runs: a temporary file (mode
/// 0600) in the result's directory, renamed over the result only when complete, so a
/// previous result survives any failure and a symlink planted at the path is replaced,
/// never written through.
pub(crate) struct ResultFile {
    path: PathBuf,
    temp: tempfile::NamedTempFile,
}

impl ResultFile {
    /// Checks that `path` can take the result: it ends in `.gz`, is not a directory, and
    /// its directory takes a new file. The error is the usage error's message.
    pub(crate) fn prepare(path: PathBuf) -> Result<Self, String> {
        if path.extension().is_none_or(|ext| ext != "gz") {
            return Err(format!(
                "--result-file-path must end with the .gz extension: {}",
                path.display()
            ));
        }
        if std::fs::symlink_metadata(&path).is_ok_and(|meta| meta.is_dir()) {
            return Err(format!(
                "cannot write the result file {}: it is a directory",
                path.display()
            ));
        }
        let directory = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        };
        // tempfile creates the file with O_EXCL and mode 0600.
        let temp = tempfile::Builder::new()
            .prefix(".result-")
            .suffix(".gz.tmp")
            .tempfile_in(&directory)
            .map_err(|err| format!("cannot create the result file {}: {err}", path.display()))?;
        Ok(ResultFile { path, temp })
    }

    /// The result's path.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Has `write` write the result, gzip-compressed as it goes, flushes it to disk and
    /// renames the file into place. On failure the temporary file is removed and any
    /// previous result kept.
    pub(crate) fn commit(
        self,
        write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        let ResultFile { path, temp } = self;
        let mut encoder = std::io::BufWriter::new(GzEncoder::new(temp, Compression::default()));
        write(&mut encoder)?;
        let temp = encoder
            .into_inner()
            .map_err(std::io::IntoInnerError::into_error)?
            .finish()?;
        temp.as_file().sync_all()?;
        temp.persist(&path).map_err(|err| err.error)?;
        Ok(())
    }
}

/// Standard output, checked to be open: `None` when the process was started with it
/// closed (Rust's own `stdout` would then swallow every write as a success).
///
/// On Linux the standard library reopens a closed stdout on `/dev/null` read-write
/// before `main`; that is recognised (a shell's or Rust's own redirection to `/dev/null`
/// is write-only) and treated as closed.
pub(crate) fn open_stdout() -> Option<File> {
    #[cfg(target_os = "linux")]
    if stdout_was_closed() {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::fd::AsFd as _;
        std::io::stdout()
            .as_fd()
            .try_clone_to_owned()
            .ok()
            .map(File::from)
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// Whether fd 1 is the `/dev/null` opened read-write that the standard library puts in
/// place of a closed stdout.
#[cfg(target_os = "linux")]
fn stdout_was_closed() -> bool {
    let null =
        std::fs::read_link("/proc/self/fd/1").is_ok_and(|target| target == Path::new("/dev/null"));
    null && std::fs::read_to_string("/proc/self/fdinfo/1").is_ok_and(|info| {
        info.lines()
            .find_map(|line| line.strip_prefix("flags:"))
            .and_then(|flags| u32::from_str_radix(flags.trim(), 8).ok())
            .is_some_and(|flags| flags & 0o3 == 0o2)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_are_bounded() {
        assert_eq!(read_bounded(&b"abc"[..], 3).unwrap(), Some(b"abc".to_vec()));
        assert_eq!(read_bounded(&b"abcd"[..], 3).unwrap(), None);
    }

    #[test]
    fn a_result_replaces_a_planted_symlink_without_writing_through_it() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "keep").unwrap();
        let path = dir.path().join("out.gz");
        #[cfg(unix)]
        std::os::unix::fs::symlink(&victim, &path).unwrap();
        ResultFile::prepare(path.clone())
            .unwrap()
            .commit(|writer| writer.write_all(b"{}"))
            .unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
        assert!(!std::fs::symlink_metadata(&path).unwrap().is_symlink());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_write_failing_part_way_leaves_the_previous_result_and_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.gz");
        std::fs::write(&path, "previous").unwrap();
        let failed = ResultFile::prepare(path.clone()).unwrap().commit(|writer| {
            writer.write_all(b"{\"response\": [")?;
            Err(std::io::Error::other("the answer stopped"))
        });
        assert!(failed.is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "previous");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_failed_run_leaves_the_previous_result_and_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.gz");
        std::fs::write(&path, "previous").unwrap();
        drop(ResultFile::prepare(path.clone()).unwrap());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "previous");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
