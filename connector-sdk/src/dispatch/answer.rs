//! A call's answer once the capability has returned: an envelope already built (errors,
//! `info`), or a success envelope serialised only when it is written, straight into the
//! caller's writer (a `Vec` for `dispatch`, stdout or the result file for the CLI).

use std::io::Write;
use std::panic::AssertUnwindSafe;

use serde::Serialize;

use crate::error::ConnectorError;

/// A success envelope with its type erased, serialisable into any writer.
pub(crate) trait Envelope: Send {
    /// Serialises the envelope into `out`.
    fn write_into(&self, out: &mut dyn Write) -> serde_json::Result<()>;
}

/// The buffer between serde_json and the caller's writer. serde_json writes an answer in
/// many small pieces (a quote, a key, a comma); through `&mut dyn Write` each would be a
/// call that cannot be inlined (14% of a 100,000-account listing's instructions, by
/// callgrind). A buffer of a concrete type takes them inline, and the caller's writer
/// gets one call per 64 KiB.
pub(crate) const SERIALISE_BUFFER_BYTES: usize = 64 << 10;

impl<T: Serialize + Send> Envelope for T {
    fn write_into(&self, out: &mut dyn Write) -> serde_json::Result<()> {
        let mut buffered = std::io::BufWriter::with_capacity(SERIALISE_BUFFER_BYTES, out);
        serde_json::to_writer(&mut buffered, self)?;
        buffered.flush().map_err(serde_json::Error::io)
    }
}

/// A finished call's answer, not yet written.
pub(crate) enum Answer {
    /// An envelope already serialised.
    Built(String),
    /// A success envelope, serialised when written; if it cannot be, the answer is the
    /// `invalid_response` error raised in `raised_in`.
    Success {
        envelope: Box<dyn Envelope>,
        app_id: &'static str,
        raised_in: String,
    },
}

impl Answer {
    /// A success envelope of capability `raised_in` of `app_id`.
    pub(crate) fn success(
        envelope: impl Serialize + Send + 'static,
        app_id: &'static str,
        raised_in: String,
    ) -> Self {
        Answer::Success {
            envelope: Box::new(envelope),
            app_id,
            raised_in,
        }
    }

    /// The answer as text: serialised into a buffer, so a response that cannot be
    /// serialised (or panics while it is) is a whole error envelope instead.
    pub(crate) fn into_string(self) -> String {
        match self.into_string_within(usize::MAX) {
            Ok(text) => text,
            // Nothing is larger than usize::MAX bytes.
            Err(_) => unreachable!("an answer within any size"),
        }
    }

    /// The answer as text when it takes at most `limit` bytes (as [`Answer::into_string`],
    /// a response that cannot be serialised being a whole error envelope); the answer back,
    /// unwritten, when it is larger. Serialisation stops at the limit, so asking costs at
    /// most `limit` bytes of work.
    pub(crate) fn into_string_within(self, limit: usize) -> Result<String, Answer> {
        let (envelope, app_id, raised_in) = match self {
            Answer::Built(text) => return Ok(text),
            Answer::Success {
                envelope,
                app_id,
                raised_in,
            } => (envelope, app_id, raised_in),
        };
        let mut bytes = Within {
            bytes: Vec::new(),
            limit,
        };
        match serialise(envelope.as_ref(), &mut bytes) {
            Ok(()) => Ok(String::from_utf8(bytes.bytes)
                .unwrap_or_else(|err| String::from_utf8_lossy(err.as_bytes()).into_owned())),
            Err(Fault::Io(_)) if bytes.bytes.len() >= limit => Err(Answer::Success {
                envelope,
                app_id,
                raised_in,
            }),
            Err(Fault::Serialize(err)) => Ok(super::error_json(
                &ConnectorError::invalid_response(format!(
                    "The capability's response could not be serialized: {err}"
                )),
                app_id,
                Some(&raised_in),
            )),
            // Writing into memory fails only at the limit; a panic's envelope as a panic
            // anywhere in the call.
            Err(Fault::Io(_) | Fault::Panic) => Ok(super::panic_json(app_id)),
        }
    }

    /// Writes the answer into `out`. A success envelope is serialised piece by piece, so
    /// a failure part-way (of `out`, or of the response's serialisation) leaves a partial
    /// document in `out` and is returned as an error.
    pub(crate) fn write_to(&self, out: &mut dyn Write) -> std::io::Result<()> {
        match self {
            Answer::Built(text) => out.write_all(text.as_bytes()),
            Answer::Success { envelope, .. } => match serialise(envelope.as_ref(), out) {
                Ok(()) => Ok(()),
                Err(Fault::Io(err)) => Err(err),
                Err(Fault::Serialize(err)) => Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("the capability's response could not be serialized: {err}"),
                )),
                Err(Fault::Panic) => Err(std::io::Error::other(
                    "the connector failed unexpectedly while serializing the response",
                )),
            },
        }
    }
}

/// A buffer that refuses to grow past `limit` bytes.
struct Within {
    bytes: Vec<u8>,
    limit: usize,
}

impl Write for Within {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if self.bytes.len().saturating_add(bytes.len()) > self.limit {
            self.bytes
                .extend_from_slice(&bytes[..self.limit - self.bytes.len()]);
            return Err(std::io::Error::new(
                std::io::ErrorKind::FileTooLarge,
                "the answer is larger than the limit",
            ));
        }
        self.bytes.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Why an envelope could not be written.
enum Fault {
    Io(std::io::Error),
    Serialize(serde_json::Error),
    Panic,
}

/// Serialises `envelope` into `out`; a panic (a hand-written `Serialize`) is caught, its
/// message withheld.
fn serialise(envelope: &dyn Envelope, out: &mut dyn Write) -> Result<(), Fault> {
    match std::panic::catch_unwind(AssertUnwindSafe(|| envelope.write_into(out))) {
        Ok(Ok(())) => Ok(()),
        Ok(Err(err)) if err.is_io() => Err(Fault::Io(std::io::Error::from(err))),
        Ok(Err(err)) => Err(Fault::Serialize(err)),
        Err(_panic) => {
            tracing::error!(
                "the connector panicked; its message is not logged, as it may hold a secret"
            );
            Err(Fault::Panic)
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    #[test]
    fn a_success_envelope_is_written_as_serde_json_writes_it() {
        let answer = Answer::success(vec!["a", "b"], "app", "app::cap".into());
        assert_eq!(answer.into_string(), r#"["a","b"]"#);
    }

    #[test]
    fn a_response_that_cannot_be_serialized_is_an_invalid_response_envelope() {
        let bad: HashMap<Vec<u8>, u8> = HashMap::from([(vec![1], 1)]);
        let text = Answer::success(bad, "app", "app::cap".into()).into_string();
        let envelope: serde_json::Value = serde_json::from_str(&text).expect("an envelope");
        assert_eq!(envelope["error"]["error_code"], "invalid_response");
        assert_eq!(envelope["error"]["raised_in"], "app::cap");
    }

    #[test]
    fn a_failing_writer_is_an_error_not_a_panic() {
        struct Broken;
        impl Write for Broken {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                Err(std::io::Error::from(std::io::ErrorKind::BrokenPipe))
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let answer = Answer::success(vec![1, 2, 3], "app", "app::cap".into());
        let err = answer.write_to(&mut Broken).expect_err("the write fails");
        assert_eq!(err.kind(), std::io::ErrorKind::BrokenPipe);
    }
}
