//! What the suite runs against: a connector type in-process, or a built binary through its CLI.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

use crate::connector::Connector;

/// Why a call gave no answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallError {
    /// The target does not know the capability (a CLI's usage error for an unknown subcommand).
    Unknown,
    /// The call failed otherwise: the process could not run or printed nothing.
    Failed(String),
}

/// A connector the suite can call. Both calls return the envelope the connector printed.
pub trait Target {
    /// The `info` envelope.
    fn info(&self) -> Result<Value, String>;
    /// Runs `capability` on the request envelope `request` (JSON text) and returns the
    /// answer (JSON text).
    fn call(&self, capability: &str, request: &str) -> Result<String, CallError>;
}

/// A connector value called in-process through [`Connector::dispatch`], on a
/// single-threaded runtime the target owns.
pub struct InProcess<C: Connector> {
    connector: C,
    runtime: tokio::runtime::Runtime,
}

impl<C: Connector> InProcess<C> {
    /// Wraps `connector`. Call the suite from a plain `#[test]`, not from inside an async
    /// runtime: the target blocks on its own.
    pub fn new(connector: C) -> Self {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap_or_else(|err| panic!("the test kit cannot start a runtime: {err}"));
        InProcess { connector, runtime }
    }
}

impl<C: Connector> Target for InProcess<C> {
    fn info(&self) -> Result<Value, String> {
        Ok(crate::info::info_envelope::<C>())
    }

    fn call(&self, capability: &str, request: &str) -> Result<String, CallError> {
        Ok(self
            .runtime
            .block_on(self.connector.dispatch(capability, request)))
    }
}

/// A built connector binary, run as `<bin> info` and `<bin> <capability> --json <request>`.
pub struct Binary {
    path: PathBuf,
}

impl Binary {
    /// The binary at `path` (for a binary of the same package, `env!("CARGO_BIN_EXE_<name>")`).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Binary { path: path.into() }
    }

    fn run(&self, args: &[&str]) -> Result<String, CallError> {
        let output = Command::new(&self.path)
            .args(args)
            .env("LUMOS_LOG_LEVEL", "ERROR")
            .output()
            .map_err(|err| {
                CallError::Failed(format!("cannot run {}: {err}", self.path.display()))
            })?;
        let stdout = String::from_utf8_lossy(&output.stdout).trim().to_owned();
        if stdout.is_empty()
            && String::from_utf8_lossy(&output.stderr).contains("unrecognized subcommand")
        {
            return Err(CallError::Unknown);
        }
        if stdout.is_empty() {
            return Err(CallError::Failed(format!(
                "{} {} printed nothing (exit {:?})",
                self.path.display(),
                args.first().unwrap_or(&""),
                output.status.code()
            )));
        }
        Ok(stdout)
    }
}

impl Target for Binary {
    fn info(&self) -> Result<Value, String> {
        let text = self.run(&["info"]).map_err(|err| format!("{err:?}"))?;
        serde_json::from_str(&text).map_err(|err| format!("info printed no JSON: {err}"))
    }

    fn call(&self, capability: &str, request: &str) -> Result<String, CallError> {
        self.run(&[capability, "--json", request])
    }
}
