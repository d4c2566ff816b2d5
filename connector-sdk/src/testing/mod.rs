//! The author's test kit (feature `testing`): a conformance suite run in one call, and
//! scripted upstream faults over wiremock.
//!
//! ```no_run
//! use connector_sdk::testing::{Fixtures, check};
//! # #[derive(Default)] struct MyApp;
//! # impl connector_sdk::Connector for MyApp {
//! #   type Settings = connector_sdk::connector::NoSettings; type Credentials = ();
//! #   fn metadata() -> connector_sdk::connector::Metadata { connector_sdk::connector::Metadata::new("my_app", "1.0.0") }
//! #   fn capabilities() -> connector_sdk::connector::Capabilities<Self> { connector_sdk::connector::Capabilities::new() } }
//! use serde_json::json;
//!
//! #[test]
//! fn my_app_conforms() {
//!     check(MyApp::default(), Fixtures::new(json!({}), json!({"auth": {"token": {"token": "t"}}})));
//! }
//! ```
//!
//! Each failure names the [`Rule`] it broke and shows the request (credentials redacted).

pub mod faults;
mod fixtures;
mod read_rules;
mod rule;
mod spec;
mod suite;
mod target;
mod write_rules;

pub use fixtures::{EntitlementFixture, Fixtures};
pub use rule::{Report, Rule, Violation};
pub use target::{Binary, CallError, InProcess, Target};

use crate::connector::Connector;

/// Runs the whole suite against `target` and returns what it found.
pub fn run(target: &dyn Target, fixtures: &Fixtures) -> Report {
    let mut run = suite::Run::new(target, fixtures);
    read_rules::info_complete(&mut run);
    if run.info.is_null() {
        return run.report;
    }
    read_rules::minimal_requests(&mut run);
    read_rules::pagination(&mut run);
    read_rules::association_ids(&mut run);
    read_rules::unknown_id(&mut run);
    read_rules::credentials(&mut run);
    write_rules::assign_unassign(&mut run);
    write_rules::create_get_delete(&mut run);
    run.report
}

/// The one call: runs the suite on `connector` in-process and panics with every broken
/// rule. Call it from a plain `#[test]` (it runs its own async runtime).
#[track_caller]
pub fn check<C: Connector>(connector: C, fixtures: Fixtures) -> Report {
    let report = run(&InProcess::new(connector), &fixtures);
    report.assert_conforms();
    report
}

/// Runs the suite on a built connector binary through its CLI and panics with every
/// broken rule (`env!("CARGO_BIN_EXE_<name>")` names a binary of the same package).
#[track_caller]
pub fn check_binary(path: impl Into<std::path::PathBuf>, fixtures: Fixtures) -> Report {
    let report = run(&Binary::new(path), &fixtures);
    report.assert_conforms();
    report
}
