//! The `#[connector]` attribute's diagnostics, as a connector author sees them, and a few
//! connectors that must compile (and one that must run).
//!
//! Bless after a deliberate change with `TRYBUILD=overwrite cargo test -p connector-sdk --test ui`,
//! then read every changed `.stderr`. Run one case with `cargo test -p connector-sdk --test ui -- ui trybuild=<file>.rs`.
//!
//! The messages depend on the compiler: the cases run on the toolchain they were blessed with
//! only (stable 1.95), and are ignored on every other one.

#[rustversion::attr(
    not(stable(1.95)),
    ignore = "the .stderr files were blessed on stable 1.95"
)]
#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
    t.pass("tests/ui/pass/*.rs");
}
